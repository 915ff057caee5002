// Venue entry log records: pass id, time and venue, sealed on the scanner to the health
// authority's public key with HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM). Only the authority's private key opens a record; the venue, its browser storage
// and the issuer hold ciphertext. The venue id is the AEAD's associated data, so a record cannot
// be moved into another venue's log and still open. The policy (authority keys, retention) travels
// in the signed trust bundle (trust-bundle.ts, `entryLog`).
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';

/** UTF-8 in an ArrayBuffer of its own, as the HPKE library takes it. */
const bytes = (text: string): ArrayBuffer => utf8.encode(text).slice().buffer;

export const ENTRY_LOG_SUITE = 'HPKE-X25519-SHA256-A128GCM';
/** HPKE `info`: ties the key schedule to this record format, so a record of another format never opens as one. */
const INFO = bytes('vaxpass-entry/1');
/** A sealed record is small and fixed-shape; anything longer is not one of ours. */
export const MAX_SEALED_RECORD_CHARS = 512;

export interface EntryLogAuthorityKey {
  /** base64url of the first 8 bytes of SHA-256(raw public key), like issuer key ids. */
  readonly kid: string;
  readonly suite: typeof ENTRY_LOG_SUITE;
  /** base64url raw X25519 public key (32 bytes). */
  readonly publicKey: string;
}

/** The entry-log part of the trust bundle: the first key seals new records; older keys are listed until their records are gone. */
export interface EntryLogPolicy {
  readonly retentionDays: number;
  readonly authorityKeys: readonly EntryLogAuthorityKey[];
}

/** What a venue records for one verified entry, and nothing else. */
export interface EntryRecord {
  readonly passId: string;
  /** Unix seconds, the scanner's decision time (the later of its clock and its time mark). */
  readonly at: number;
  readonly venueId: string;
}

/** One record as stored and uploaded: which authority key, the HPKE encapsulated key and the ciphertext. */
export interface SealedEntry {
  readonly kid: string;
  readonly enc: string;
  readonly ct: string;
}

export type OpenedEntry = { readonly ok: true; readonly entry: EntryRecord } | { readonly ok: false; readonly code: 'UNKNOWN_KEY' | 'MALFORMED'; readonly message: string };

const suite = () => new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

export async function authorityKeyId(rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rawPublicKey as Uint8Array<ArrayBuffer>));
  return toBase64Url(digest.subarray(0, 8));
}

/** Seals one record to the policy's current authority key. */
export async function sealEntry(policy: EntryLogPolicy, entry: EntryRecord): Promise<SealedEntry> {
  const key = policy.authorityKeys[0];
  if (!key) throw new TypeError('the entry-log policy lists no authority key');
  const s = suite();
  const recipientPublicKey = await s.kem.deserializePublicKey(fromBase64Url(key.publicKey)!.slice().buffer);
  const plaintext = bytes(JSON.stringify({ p: entry.passId, t: entry.at, v: entry.venueId }));
  const sealed = await s.seal({ recipientPublicKey, info: INFO }, plaintext, bytes(entry.venueId));
  return { kid: key.kid, enc: toBase64Url(new Uint8Array(sealed.enc)), ct: toBase64Url(new Uint8Array(sealed.ct)) };
}

/**
 * Opens one record with the authority's private keys (by kid). Never throws on bad data: a record
 * under a key the caller lacks, a forged or truncated one, or one moved from another venue is
 * returned as a failure.
 */
export async function openEntry(privateKeys: ReadonlyMap<string, CryptoKey>, venueId: string, sealed: SealedEntry): Promise<OpenedEntry> {
  const key = privateKeys.get(sealed.kid);
  if (!key) return { ok: false, code: 'UNKNOWN_KEY', message: `no private key for authority key ${sealed.kid}` };
  const enc = fromBase64Url(sealed.enc);
  const ct = fromBase64Url(sealed.ct);
  if (!enc || !ct || enc.length !== 32) return { ok: false, code: 'MALFORMED', message: 'record is not base64url HPKE output' };
  try {
    const plaintext = await suite().open({ recipientKey: key, enc: enc.slice().buffer, info: INFO }, ct.slice().buffer, bytes(venueId));
    const v = JSON.parse(utf8.decode(new Uint8Array(plaintext)) ?? '') as Record<string, unknown>;
    if (typeof v.p !== 'string' || typeof v.t !== 'number' || !Number.isInteger(v.t) || v.v !== venueId) return { ok: false, code: 'MALFORMED', message: 'record content is incomplete' };
    return { ok: true, entry: { passId: v.p, at: v.t, venueId } };
  } catch {
    return { ok: false, code: 'MALFORMED', message: 'record does not open with this key for this venue' };
  }
}

/** Imports the authority's private key (a JWK with crv X25519) for openEntry. */
export async function importAuthorityPrivateKey(jwk: JsonWebKey): Promise<CryptoKey> {
  return suite().kem.importKey('jwk', jwk, false);
}

/** A new authority key pair: the private JWK (for the authority only) and the public bundle entry. */
export async function generateAuthorityKey(): Promise<{ privateJwk: JsonWebKey; publicKey: EntryLogAuthorityKey }> {
  const s = suite();
  const pair = await s.kem.generateKeyPair();
  const raw = new Uint8Array(await s.kem.serializePublicKey(pair.publicKey));
  const kid = await authorityKeyId(raw);
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, key_ops: undefined, ext: undefined };
  return { privateJwk: JSON.parse(JSON.stringify(privateJwk)) as JsonWebKey, publicKey: { kid, suite: ENTRY_LOG_SUITE, publicKey: toBase64Url(raw) } };
}

const isKid = (v: unknown): v is string => typeof v === 'string' && fromBase64Url(v)?.length === 8;

/** Validates the bundle's entryLog section without trusting its shape. */
export function readEntryLogPolicy(v: unknown): EntryLogPolicy | string {
  if (typeof v !== 'object' || v === null) return 'entryLog is not an object';
  const p = v as Record<string, unknown>;
  if (typeof p.retentionDays !== 'number' || !Number.isInteger(p.retentionDays) || p.retentionDays < 1 || p.retentionDays > 3650) return 'entryLog retentionDays is invalid';
  if (!Array.isArray(p.authorityKeys) || p.authorityKeys.length === 0 || p.authorityKeys.length > 16) return 'entryLog authorityKeys is invalid';
  const keys: EntryLogAuthorityKey[] = [];
  for (const k of p.authorityKeys as unknown[]) {
    const key = k as Record<string, unknown>;
    if (typeof k !== 'object' || k === null || !isKid(key.kid) || key.suite !== ENTRY_LOG_SUITE || fromBase64Url(key.publicKey as string)?.length !== 32) return 'entryLog has an invalid authority key';
    if (keys.some((seen) => seen.kid === key.kid)) return 'entryLog lists an authority key twice';
    keys.push({ kid: key.kid, suite: ENTRY_LOG_SUITE, publicKey: key.publicKey as string });
  }
  return { retentionDays: p.retentionDays, authorityKeys: keys };
}
