// The one crypto seam. A backend only has to answer "does this RFC 8032 cofactorless equation
// hold"; everything about which inputs are acceptable lives in ed25519-policy.ts, so every
// backend accepts exactly the same signatures.

import type { ForeignSignatureBackend } from './foreign-signature-backend.ts';

export interface Ed25519Backend {
  readonly name: string;
  /**
   * ES256/PS256 for EU DCC, SMART Health Cards and NZ COVID Pass, from the same runtime as the
   * Ed25519 check. Absent (a backend written before foreign formats): WebCrypto is used.
   */
  readonly foreign?: ForeignSignatureBackend;
  /** Called only after the strict policy checks have passed. Must not throw on a wrong signature. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean | Promise<boolean>;
}
