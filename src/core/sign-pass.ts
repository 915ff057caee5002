// Building a pass: claims → COSE_Sign1 → QR text. The private key never enters the core: the
// caller passes a `sign` function (node:crypto on the issuer, a test key in vectors).
import { encodeCoseSign1, encodeProtectedHeader, KID_BYTES, sigStructure } from './cose-sign1.ts';
import type { Pass } from './pass-content.ts';
import { LIMITS, nameProblem } from './pass-content.ts';
import { encodeClaims } from './pass-claims-codec.ts';
import { toQrText } from './qr-text.ts';

export type SignFunction = (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** Signs a pass and returns its QR text. Throws TypeError on content the format cannot carry (issuer bug). */
export async function signPass(pass: Pass, kid: Uint8Array, sign: SignFunction): Promise<string> {
  if (kid.length !== KID_BYTES) throw new TypeError(`kid must be ${KID_BYTES} bytes`);
  const problem = nameProblem(pass.content.name);
  if (problem) throw new TypeError(problem);
  if (pass.cti.length < LIMITS.ctiMinBytes || pass.cti.length > LIMITS.ctiMaxBytes) throw new TypeError('cti must be 8 to 16 bytes');
  const protectedHeader = encodeProtectedHeader(kid);
  const payload = encodeClaims(pass);
  const signature = await sign(sigStructure(protectedHeader, payload));
  return toQrText(encodeCoseSign1(protectedHeader, payload, signature));
}
