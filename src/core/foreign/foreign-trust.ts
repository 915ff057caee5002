// Trust for the other health-pass formats, carried in the signed trust bundle as the optional
// "foreign" member (docs/pass-format.md §6.5). The Node side builds it from the files these
// ecosystems publish (src/publication/foreign-trust-sources.ts); scanners only read it here.
// Signed, but still checked: a bug upstream must not crash scanners.
import type { PublicJwk } from '../crypto/foreign-signature-backend.ts';
import type { PassType } from '../verification-result.ts';

export type ForeignFormat = 'eu-dcc' | 'shc' | 'nzcp';
export const FOREIGN_FORMATS: readonly ForeignFormat[] = ['eu-dcc', 'shc', 'nzcp'];

/** EU DCC certificate types: v vaccination, t test, r recovery. */
export type DccType = 'v' | 't' | 'r';

export interface EuDscEntry {
  /** base64 (standard, padded) of the 8-byte COSE kid, as the EU gateway publishes it. */
  readonly kid: string;
  readonly country: string;
  /** From the DSC's extended key usage; null = the DSC may sign every type (no DCC EKU present). */
  readonly certificateTypes: readonly DccType[] | null;
  readonly key: PublicJwk;
}

export interface ShcKeyEntry {
  readonly kid: string;
  readonly key: PublicJwk;
  /** Present when the issuer publishes a CRL for this key (SHC revocation). */
  readonly crlVersion?: number;
}

export interface ShcIssuerEntry {
  readonly iss: string;
  readonly name: string;
  readonly keys: readonly ShcKeyEntry[];
  /** The issuer's CRLs (SHC `/.well-known/crl/<kid>.json`): revoked `rid`s, optionally "rid.timestamp". */
  readonly crls: readonly { readonly kid: string; readonly rids: readonly string[] }[];
}

export interface NzcpIssuerEntry {
  /** The did:web DID. */
  readonly iss: string;
  /** The DID document's keys that are listed in assertionMethod, by fragment ("key-1"). */
  readonly keys: readonly { readonly kid: string; readonly key: PublicJwk }[];
}

/** Which foreign passes a venue accepts once their signature and validity period check out. */
export interface ForeignPolicy {
  readonly accepted: boolean;
  /** ISO 3166-1 alpha-2 issuer countries accepted (EU: the CWT iss; NZCP: NZ); null = every trusted issuer. */
  readonly countries: readonly string[] | null;
  readonly passTypes: readonly PassType[];
}

export interface ForeignTrust {
  readonly euDcc: readonly EuDscEntry[];
  readonly shc: readonly ShcIssuerEntry[];
  readonly nzcp: readonly NzcpIssuerEntry[];
  readonly policy: Readonly<Record<ForeignFormat, ForeignPolicy>>;
}

/** Valid signature and validity period is enough: each format's own verifiers decide so too. */
export const DEFAULT_FOREIGN_POLICY: Readonly<Record<ForeignFormat, ForeignPolicy>> = {
  'eu-dcc': { accepted: true, countries: null, passTypes: ['vaccination', 'test', 'recovery'] },
  shc: { accepted: true, countries: null, passTypes: ['vaccination', 'test'] },
  nzcp: { accepted: true, countries: null, passTypes: ['vaccination'] },
};

/** The bundle's foreign trust with lookup maps, built once per opened bundle. */
export interface ForeignTrustIndex {
  readonly trust: ForeignTrust;
  readonly euByKid: ReadonlyMap<string, readonly EuDscEntry[]>;
  readonly shcByIss: ReadonlyMap<string, ShcIssuerEntry>;
  readonly nzcpByIss: ReadonlyMap<string, NzcpIssuerEntry>;
}

export function indexForeignTrust(trust: ForeignTrust): ForeignTrustIndex {
  const euByKid = new Map<string, EuDscEntry[]>();
  // Real trust lists hold kid collisions; a verifier tries every key with the pass's kid.
  for (const dsc of trust.euDcc) euByKid.set(dsc.kid, [...(euByKid.get(dsc.kid) ?? []), dsc]);
  return {
    trust,
    euByKid,
    shcByIss: new Map(trust.shc.map((i) => [i.iss, i])),
    nzcpByIss: new Map(trust.nzcp.map((i) => [i.iss, i])),
  };
}

// ---- structural validation

const MAX_ENTRIES = 10_000;
const isString = (v: unknown, max = 2048): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isB64Url = (v: unknown): v is string => isString(v, 2048) && /^[A-Za-z0-9_-]+$/.test(v);
const isList = (v: unknown): v is unknown[] => Array.isArray(v) && v.length <= MAX_ENTRIES;
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const PASS_TYPES: readonly PassType[] = ['vaccination', 'test', 'recovery', 'exemption'];

export function readPublicJwk(v: unknown): PublicJwk | null {
  const k = obj(v);
  if (!k) return null;
  if (k.kty === 'EC' && isString(k.crv, 16) && isB64Url(k.x) && isB64Url(k.y)) return { kty: 'EC', crv: k.crv, x: k.x, y: k.y };
  if (k.kty === 'RSA' && isB64Url(k.n) && isB64Url(k.e)) return { kty: 'RSA', n: k.n, e: k.e };
  return null;
}

function readPolicy(v: unknown): ForeignPolicy | null {
  const p = obj(v);
  if (!p || typeof p.accepted !== 'boolean') return null;
  if (p.countries !== null && !(isList(p.countries) && p.countries.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c)))) return null;
  if (!isList(p.passTypes) || !p.passTypes.every((t) => PASS_TYPES.includes(t as PassType))) return null;
  return { accepted: p.accepted, countries: p.countries as string[] | null, passTypes: p.passTypes as PassType[] };
}

/** The bundle's "foreign" member, or why it is unacceptable. */
export function readForeignTrust(v: unknown): ForeignTrust | string {
  const f = obj(v);
  if (!f || !isList(f.euDcc) || !isList(f.shc) || !isList(f.nzcp)) return 'foreign trust lists are missing';
  const euDcc: EuDscEntry[] = [];
  for (const e of f.euDcc) {
    const d = obj(e);
    const key = readPublicJwk(d?.key);
    const types = d?.certificateTypes;
    const typesOk = types === null || (isList(types) && types.every((t) => t === 'v' || t === 't' || t === 'r'));
    if (!d || !key || !isString(d.kid, 64) || typeof d.country !== 'string' || !/^[A-Z]{2}$/.test(d.country) || !typesOk) return 'foreign trust has an invalid EU DCC signer entry';
    euDcc.push({ kid: d.kid, country: d.country, certificateTypes: types as DccType[] | null, key });
  }
  const shc: ShcIssuerEntry[] = [];
  for (const e of f.shc) {
    const i = obj(e);
    if (!i || !isString(i.iss) || typeof i.name !== 'string' || !isList(i.keys) || !isList(i.crls)) return 'foreign trust has an invalid SMART Health Card issuer';
    const keys: ShcKeyEntry[] = [];
    for (const k of i.keys) {
      const entry = obj(k);
      const key = readPublicJwk(entry?.key);
      if (!entry || !key || !isString(entry.kid, 256)) return `SMART Health Card issuer ${i.iss} has an invalid key`;
      if (entry.crlVersion !== undefined && !(Number.isInteger(entry.crlVersion) && (entry.crlVersion as number) >= 0)) return `SMART Health Card issuer ${i.iss} has an invalid crlVersion`;
      keys.push(entry.crlVersion === undefined ? { kid: entry.kid, key } : { kid: entry.kid, key, crlVersion: entry.crlVersion as number });
    }
    const crls: ShcIssuerEntry['crls'][number][] = [];
    for (const c of i.crls) {
      const crl = obj(c);
      if (!crl || !isString(crl.kid, 256) || !isList(crl.rids) || !crl.rids.every((r) => isString(r, 256))) return `SMART Health Card issuer ${i.iss} has an invalid CRL`;
      crls.push({ kid: crl.kid, rids: crl.rids as string[] });
    }
    shc.push({ iss: i.iss, name: i.name, keys, crls });
  }
  const nzcp: NzcpIssuerEntry[] = [];
  for (const e of f.nzcp) {
    const i = obj(e);
    if (!i || !isString(i.iss) || !i.iss.startsWith('did:web:') || !isList(i.keys)) return 'foreign trust has an invalid NZ COVID Pass issuer';
    const keys: NzcpIssuerEntry['keys'][number][] = [];
    for (const k of i.keys) {
      const entry = obj(k);
      const key = readPublicJwk(entry?.key);
      if (!entry || !key || !isString(entry.kid, 256)) return `NZ COVID Pass issuer ${i.iss} has an invalid key`;
      keys.push({ kid: entry.kid, key });
    }
    nzcp.push({ iss: i.iss, keys });
  }
  const p = obj(f.policy);
  if (!p) return 'foreign trust has no policy';
  const policy = {} as Record<ForeignFormat, ForeignPolicy>;
  for (const format of FOREIGN_FORMATS) {
    const read = readPolicy(p[format]);
    if (!read) return `foreign policy for ${format} is invalid`;
    policy[format] = read;
  }
  return { euDcc, shc, nzcp, policy };
}
