// The crypto seam for the other health-pass formats (EU DCC, SMART Health Cards, NZ COVID Pass):
// ES256 and PS256 with public keys carried as JWK in the trust bundle. Like the Ed25519 seam, a
// backend only answers "does this signature verify"; which key and algorithm apply is decided by
// the format verifiers, so node:crypto and WebCrypto accept exactly the same passes.

export type ForeignAlgorithm = 'ES256' | 'PS256';

/** The public members of an EC (P-256) or RSA key as JWK (RFC 7517/7518). */
export type PublicJwk =
  | { readonly kty: 'EC'; readonly crv: string; readonly x: string; readonly y: string }
  | { readonly kty: 'RSA'; readonly n: string; readonly e: string };

export interface ForeignSignatureBackend {
  readonly name: string;
  /**
   * ES256: `signature` is the raw 64-byte r‖s (IEEE P1363), P-256 key, SHA-256.
   * PS256: RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
   * Must not throw on a wrong signature or a key that does not fit the algorithm: answer false.
   */
  verify(algorithm: ForeignAlgorithm, signature: Uint8Array, message: Uint8Array, key: PublicJwk): boolean | Promise<boolean>;
}

/** Whether `key` can verify `algorithm` at all: ES256 needs a P-256 key, PS256 an RSA key of at least 2048 bits. */
export function keyFitsAlgorithm(algorithm: ForeignAlgorithm, key: PublicJwk): boolean {
  if (algorithm === 'ES256') return key.kty === 'EC' && key.crv === 'P-256';
  // base64url of a 2048-bit modulus is 342 characters; smaller RSA keys are not acceptable.
  return key.kty === 'RSA' && key.n.length >= 342;
}

/** Calls the backend without ever throwing: an exception or a broken answer counts as "not verified". */
export function checkForeignSignature(
  backend: ForeignSignatureBackend,
  algorithm: ForeignAlgorithm,
  signature: Uint8Array,
  message: Uint8Array,
  key: PublicJwk,
): Promise<boolean> {
  if (!keyFitsAlgorithm(algorithm, key)) return Promise.resolve(false);
  if (algorithm === 'ES256' && signature.length !== 64) return Promise.resolve(false);
  try {
    return Promise.resolve(backend.verify(algorithm, signature, message, key)).then((ok) => ok === true, () => false);
  } catch {
    return Promise.resolve(false);
  }
}
