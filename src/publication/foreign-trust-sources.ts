// Reads the trust material other health-pass ecosystems publish into the bundle's "foreign"
// member (src/core/foreign/foreign-trust.ts). Node side only: X.509 is parsed here with
// @peculiar/x509 and only public keys (as JWK), key ids and allowed certificate types reach the
// bundle. Every refusal is a one-line message naming the file and the entry.
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createPublicKey } from 'node:crypto';
import { ExtendedKeyUsageExtension, X509Certificate } from '@peculiar/x509';
import {
  DEFAULT_FOREIGN_POLICY,
  readForeignTrust,
  readPublicJwk,
  type DccType,
  type EuDscEntry,
  type ForeignTrust,
  type NzcpIssuerEntry,
  type ShcIssuerEntry,
} from '../core/foreign/foreign-trust.ts';
import type { PublicJwk } from '../core/crypto/foreign-signature-backend.ts';

export class ForeignTrustError extends Error {}

/** Real DSCs are 0.5–2 KiB; anything this large is not one (and would bloat every scanner's bundle). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

// hcert spec A.4: the OIDs issuers use to restrict a DSC to certificate types, in both the
// specified form and the widely deployed variant with an extra ".0".
const DCC_EKU: Record<string, DccType> = {
  '1.3.6.1.4.1.1847.2021.1.1': 't',
  '1.3.6.1.4.1.1847.2021.1.2': 'v',
  '1.3.6.1.4.1.1847.2021.1.3': 'r',
  '1.3.6.1.4.1.0.1847.2021.1.1': 't',
  '1.3.6.1.4.1.0.1847.2021.1.2': 'v',
  '1.3.6.1.4.1.0.1847.2021.1.3': 'r',
};

const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function spkiToJwk(spki: ArrayBuffer): PublicJwk | null {
  try {
    return readPublicJwk(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' }));
  } catch {
    return null;
  }
}

/** Allowed types from the DSC's extended key usage; null when it names none of the DCC OIDs. */
export function certificateTypesOf(certificate: X509Certificate): DccType[] | null {
  const eku = certificate.getExtension(ExtendedKeyUsageExtension);
  const types = new Set<DccType>();
  for (const usage of eku?.usages ?? []) {
    const type = DCC_EKU[String(usage)];
    if (type) types.add(type);
  }
  return types.size === 0 ? null : [...types].sort();
}

/** An EU DCC trust list: {"certificates":[{"kid","country","certificateType":"DSC","rawData"}]}. */
export function readEuDccTrustList(json: unknown, source: string): EuDscEntry[] {
  const list = obj(json)?.certificates;
  if (!Array.isArray(list)) throw new ForeignTrustError(`${source}: not an EU DCC trust list (no "certificates" array)`);
  const out: EuDscEntry[] = [];
  list.forEach((item, index) => {
    const at = `${source}: certificates[${index}]`;
    const entry = obj(item);
    if (!entry || typeof entry.kid !== 'string' || typeof entry.country !== 'string' || typeof entry.rawData !== 'string') {
      throw new ForeignTrustError(`${at} needs string kid, country and rawData`);
    }
    if (entry.certificateType !== undefined && entry.certificateType !== 'DSC') return; // CSCA/upload certificates sign no passes
    if (!/^[A-Z]{2}$/.test(entry.country)) throw new ForeignTrustError(`${at}: country ${JSON.stringify(entry.country)} is not an ISO 3166 alpha-2 code`);
    const kid = Buffer.from(entry.kid, 'base64');
    if (kid.length === 0 || kid.length > 32 || kid.toString('base64') !== entry.kid) throw new ForeignTrustError(`${at}: kid is not canonical base64`);
    if (entry.rawData.length > (MAX_CERTIFICATE_BYTES * 4) / 3 + 4) throw new ForeignTrustError(`${at}: certificate is larger than ${MAX_CERTIFICATE_BYTES} bytes`);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(Buffer.from(entry.rawData, 'base64'));
    } catch {
      throw new ForeignTrustError(`${at}: rawData is not a DER X.509 certificate`);
    }
    const key = spkiToJwk(certificate.publicKey.rawData);
    if (!key) throw new ForeignTrustError(`${at}: the certificate's public key is neither EC nor RSA`);
    out.push({ kid: entry.kid, country: entry.country, certificateTypes: certificateTypesOf(certificate), key });
  });
  return out;
}

/** An SHC directory snapshot: {"issuer_info":[{"issuer":{"iss","name"},"keys":[JWK…],"crls":[…]}]}. */
export function readShcDirectory(json: unknown, source: string): ShcIssuerEntry[] {
  const list = obj(json)?.issuer_info;
  if (!Array.isArray(list)) throw new ForeignTrustError(`${source}: not a SMART Health Card directory (no "issuer_info" array)`);
  return list.map((item, index) => {
    const at = `${source}: issuer_info[${index}]`;
    const info = obj(item);
    const issuer = obj(info?.issuer);
    if (!info || !issuer || typeof issuer.iss !== 'string' || !Array.isArray(info.keys)) throw new ForeignTrustError(`${at} needs issuer.iss and keys`);
    const keys = info.keys.flatMap((k, keyIndex) => {
      const jwk = obj(k);
      const key = readPublicJwk(jwk);
      if (!jwk || typeof jwk.kid !== 'string') throw new ForeignTrustError(`${at}.keys[${keyIndex}] is not a JWK with a kid`);
      // Only P-256 signing keys can verify a card; others (e.g. encryption keys) are left out.
      if (!key || key.kty !== 'EC' || key.crv !== 'P-256' || (jwk.use !== undefined && jwk.use !== 'sig')) return [];
      return [Number.isInteger(jwk.crlVersion) ? { kid: jwk.kid, key, crlVersion: jwk.crlVersion as number } : { kid: jwk.kid, key }];
    });
    const crls = (Array.isArray(info.crls) ? info.crls : []).map((c, crlIndex) => {
      const crl = obj(c);
      if (!crl || typeof crl.kid !== 'string' || !Array.isArray(crl.rids) || !crl.rids.every((r) => typeof r === 'string')) {
        throw new ForeignTrustError(`${at}.crls[${crlIndex}] needs kid and rids`);
      }
      return { kid: crl.kid, rids: crl.rids as string[] };
    });
    return { iss: issuer.iss, name: typeof issuer.name === 'string' ? issuer.name : '', keys, crls };
  });
}

/** NZCP trust: {"trustedIssuers":[DID…],"didDocuments":{DID: document}}; keys are the assertionMethod ones. */
export function readNzcpTrust(json: unknown, source: string): NzcpIssuerEntry[] {
  const file = obj(json);
  const documents = obj(file?.didDocuments);
  if (!file || !Array.isArray(file.trustedIssuers) || !documents) throw new ForeignTrustError(`${source}: needs "trustedIssuers" and "didDocuments"`);
  return file.trustedIssuers.map((did) => {
    if (typeof did !== 'string' || !did.startsWith('did:web:')) throw new ForeignTrustError(`${source}: trusted issuer ${JSON.stringify(did)} is not a did:web DID`);
    const document = obj(documents[did]);
    if (!document) throw new ForeignTrustError(`${source}: no DID document for ${did}`);
    if (document.id !== undefined && document.id !== did) throw new ForeignTrustError(`${source}: the DID document for ${did} has id ${JSON.stringify(document.id)}`);
    const assertion = new Set((Array.isArray(document.assertionMethod) ? document.assertionMethod : []).filter((m): m is string => typeof m === 'string'));
    const methods = Array.isArray(document.verificationMethod) ? document.verificationMethod : [];
    const keys = methods.flatMap((m) => {
      const method = obj(m);
      const id = typeof method?.id === 'string' ? method.id : '';
      const key = readPublicJwk(method?.publicKeyJwk);
      if (!assertion.has(id) || !id.startsWith(`${did}#`) || !key || key.kty !== 'EC' || key.crv !== 'P-256') return [];
      return [{ kid: id.slice(did.length + 1), key }];
    });
    return { iss: did, keys };
  });
}

export interface ForeignTrustFiles {
  readonly euDcc: readonly { readonly json: unknown; readonly source: string }[];
  readonly shc: readonly { readonly json: unknown; readonly source: string }[];
  readonly nzcp: readonly { readonly json: unknown; readonly source: string }[];
}

/** The bundle's foreign member from the published files, with the default policy; null when no file is given. */
export function buildForeignTrust(files: ForeignTrustFiles, policy: ForeignTrust['policy'] = DEFAULT_FOREIGN_POLICY): ForeignTrust | null {
  if (files.euDcc.length + files.shc.length + files.nzcp.length === 0) return null;
  const trust: ForeignTrust = {
    euDcc: files.euDcc.flatMap((f) => readEuDccTrustList(f.json, f.source)),
    shc: files.shc.flatMap((f) => readShcDirectory(f.json, f.source)),
    nzcp: files.nzcp.flatMap((f) => readNzcpTrust(f.json, f.source)),
    policy,
  };
  // What scanners will accept, checked before signing.
  const checked = readForeignTrust(JSON.parse(JSON.stringify(trust)));
  if (typeof checked === 'string') throw new ForeignTrustError(checked);
  return trust;
}
