// SMART Health Cards: "shc:/" digits → JWS compact (ES256) whose payload is raw DEFLATE of JSON.
// Layers in the order of docs/pass-format.md §11.2. Trust model: the issuer's JWKS (the keys' x5c
// chains, an optional SHC PKI framework, are not evaluated).
import { fromBase64Url, utf8 } from '../bytes.ts';
import { checkForeignSignature } from '../crypto/foreign-signature-backend.ts';
import type { PassType, VerificationResult } from '../verification-result.ts';
import { boundedInflate } from './bounded-inflate.ts';
import { applyForeignPolicy, birthDateOf, foreignFailure, fullName, record, text, type ForeignContext } from './foreign-outcome.ts';
import type { ShcIssuerEntry } from './foreign-trust.ts';
import { shcTextsToJws } from './shc-numeric.ts';

const iso = (s: number): string => new Date(s * 1000).toISOString();

function parseJson(bytes: Uint8Array | null): Record<string, unknown> | null {
  const s = bytes === null ? null : utf8.decode(bytes);
  if (s === null) return null;
  try {
    return record(JSON.parse(s));
  } catch {
    return null;
  }
}

export async function verifyShc(texts: readonly string[], context: ForeignContext): Promise<VerificationResult> {
  const fail = (code: Parameters<typeof foreignFailure>[1], message: string): VerificationResult => foreignFailure('shc', code, message);
  const joined = shcTextsToJws(texts);
  if (!joined.ok) return fail('MALFORMED', joined.message);
  const parts = joined.jws.split('.');
  if (parts.length !== 3) return fail('MALFORMED', 'SMART Health Card is not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = parseJson(fromBase64Url(h));
  const compressed = fromBase64Url(p);
  const signature = fromBase64Url(s);
  if (!header || !compressed || !signature) return fail('MALFORMED', 'JWS parts are not base64url JSON');
  if (header.zip !== 'DEF') return fail('MALFORMED', 'JWS payload is not DEFLATE-compressed (zip: DEF)');
  const inflated = await boundedInflate(compressed, 'deflate-raw');
  if (!inflated.ok) return fail('MALFORMED', inflated.message);
  const payload = parseJson(inflated.bytes);
  const vc = record(payload?.vc);
  const iss = text(payload?.iss);
  const nbf = payload?.nbf;
  if (!payload || !vc || iss === null || typeof nbf !== 'number' || (payload.exp !== undefined && typeof payload.exp !== 'number')) {
    return fail('MALFORMED', 'JWS payload is not SMART Health Card claims (iss, nbf, vc)');
  }
  if (header.alg !== 'ES256') return fail('UNSUPPORTED_ALGORITHM', `JWS alg ${String(header.alg)} is not ES256`);

  const issuer = context.bundle.foreign?.shcByIss.get(iss);
  if (!issuer) return fail('UNKNOWN_KEY', `issuer ${iss} is not in the trust bundle`);
  const kid = text(header.kid);
  const key = issuer.keys.find((k) => k.kid === kid);
  if (!key || kid === null) return fail('UNKNOWN_KEY', `key ${String(kid)} is not among ${issuer.name || iss}'s keys`);
  if (!(await checkForeignSignature(context.backend, 'ES256', signature, utf8.encode(`${h}.${p}`), key.key))) {
    return fail('BAD_SIGNATURE', 'signature does not match the card and its issuer key');
  }
  const exp = typeof payload.exp === 'number' ? Math.floor(payload.exp) : null;
  if (context.now < nbf) return fail('NOT_YET_VALID', `card is not valid before ${iso(nbf)}`);
  if (exp !== null && context.now > exp) return fail('EXPIRED', `card expired at ${iso(exp)}`);
  const rid = text(vc.rid);
  if (key.crlVersion !== undefined && rid !== null && isRevoked(issuer, kid, rid, nbf)) return fail('PASS_REVOKED', 'the issuer has revoked this card');

  const passType = passTypeOf(vc);
  const patient = patientOf(vc);
  const result = applyForeignPolicy(
    {
      format: 'shc',
      holder: patient,
      passType: passType ?? 'vaccination',
      exp,
      kid,
      issuer: iss,
      passId: rid ?? '',
    },
    context,
  );
  if (passType === null && result.ok) return { ...fail('RULES_NOT_MET', 'card holds neither immunizations nor laboratory results'), rule: 'shc' };
  return result;
}

/** SHC revocation: a CRL entry "rid" revokes every card with that rid; "rid.t" only cards with nbf before t. */
function isRevoked(issuer: ShcIssuerEntry, kid: string, rid: string, nbf: number): boolean {
  const crl = issuer.crls.find((c) => c.kid === kid);
  if (!crl) return false;
  return crl.rids.some((entry) => {
    const dot = entry.indexOf('.');
    if (dot < 0) return entry === rid;
    const until = Number(entry.slice(dot + 1));
    return entry.slice(0, dot) === rid && Number.isFinite(until) && nbf < until;
  });
}

/**
 * From the card's declared type when it says (#immunization, #laboratory), else from what the FHIR
 * bundle holds: SHC 1.x cards often declare only #health-card.
 */
function passTypeOf(vc: Record<string, unknown>): PassType | null {
  const types = Array.isArray(vc.type) ? vc.type.filter((t): t is string => typeof t === 'string') : [];
  if (types.some((t) => t.endsWith('#immunization'))) return 'vaccination';
  if (types.some((t) => t.endsWith('#laboratory'))) return 'test';
  const kinds = new Set(resourcesOf(vc).map((r) => r.resourceType));
  if (kinds.has('Immunization')) return 'vaccination';
  if (kinds.has('Observation')) return 'test';
  return null;
}

function resourcesOf(vc: Record<string, unknown>): Record<string, unknown>[] {
  const entries = record(record(vc.credentialSubject)?.fhirBundle)?.entry;
  return (Array.isArray(entries) ? entries : []).map((e) => record(record(e)?.resource)).filter((r): r is Record<string, unknown> => r !== null);
}

function patientOf(vc: Record<string, unknown>): { name: string; birthDate: string } {
  for (const resource of resourcesOf(vc)) {
    if (resource.resourceType !== 'Patient') continue;
    const name = record(Array.isArray(resource.name) ? resource.name[0] : null);
    const given = Array.isArray(name?.given) ? name.given.filter((g): g is string => typeof g === 'string') : [];
    return { name: fullName(...given, text(name?.family)), birthDate: birthDateOf(resource.birthDate) };
  }
  return { name: '', birthDate: '' };
}
