// vaxpass core: pure, runtime-agnostic pass format and offline verifier (Web APIs only).
export * from './verification-result.ts';
export * from './pass-content.ts';
export * from './civil-time.ts';
export * from './rules.ts';
export * from './trust-bundle.ts';
export * from './revocation-delta.ts';
export * from './revoked-pass-set.ts';
export * from './verify-pass.ts';
export { recognizeFormat } from './pass-format.ts';
export * from './sign-pass.ts';
export { QR_PREFIX, FORMAT_VERSION, MAX_QR_TEXT_LENGTH } from './qr-text.ts';
export { VACCINE_PRODUCTS, productCodeByName, productName } from './vaccine-products.ts';
export type { Ed25519Backend } from './crypto/ed25519-backend.ts';
export { verifyEd25519Strict, publicKeyProblem } from './crypto/ed25519-policy.ts';
export { createWebCryptoBackend, webCryptoHasEd25519 } from './crypto/webcrypto-backend.ts';
export { createNobleBackend } from './crypto/noble-backend.ts';
export { toBase64Url, fromBase64Url, toHex } from './bytes.ts';
export * from './entry-log.ts';
