// Signs what scanners cache. The root certifies a bundle-signing key for a period; that key signs
// each day's bundle. Both are compact JWS (RFC 7515) with EdDSA (RFC 8037), made with jose.
import { KeyObject, sign } from 'node:crypto';
import { CompactSign, type CryptoKey } from 'jose';
import { BUNDLE_FORMAT, BUNDLE_JWS_TYPE, CERT_JWS_TYPE, type BundleDocument, type SignerCertificate } from '../core/trust-bundle.ts';

type PrivateKey = KeyObject | CryptoKey;
const encoder = new TextEncoder();

export async function certifyBundleSigner(rootPrivateKey: PrivateKey, rootKid: string, certificate: SignerCertificate): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(certificate)))
    .setProtectedHeader({ alg: 'EdDSA', typ: CERT_JWS_TYPE, kid: rootKid })
    .sign(rootPrivateKey);
}

export interface BundleSigner {
  readonly privateKey: PrivateKey;
  readonly kid: string;
  /** The root's certificate for this signer (compact JWS). */
  readonly certificate: string;
}

/** Everything a bundle says except its format tag, which is fixed. */
export type BundleContents = Omit<BundleDocument, 'format'>;

export function bundleDocument(contents: BundleContents): BundleDocument {
  return { format: BUNDLE_FORMAT, ...contents };
}

// Assembled here rather than with jose's CompactSign: a bundle with 100,000 revocations is half a
// megabyte, and jose's base64url of the payload took more CPU than the signature (profiled).
export async function signTrustBundle(contents: BundleContents, signer: BundleSigner): Promise<string> {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: BUNDLE_JWS_TYPE, kid: signer.kid, cert: signer.certificate })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(bundleDocument(contents))).toString('base64url');
  const key = signer.privateKey instanceof KeyObject ? signer.privateKey : KeyObject.from(signer.privateKey);
  return `${header}.${payload}.${sign(null, Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
}
