// The development key directory (keys/ by default). Private keys are JWK files with mode 0600;
// public metadata (issuer key periods and status) is keyring.json. Nothing here ever goes to a
// database or a log. Production deployments put the private keys in an HSM/KMS behind the same
// `sign` function instead.
import { generateKeyPairSync, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleKey } from '../core/trust-bundle.ts';
import { certifyBundleSigner } from '../publication/sign-trust-bundle.ts';
import { keyIdOf, rawPublicKey } from './key-id.ts';

const DAY = 86_400;
export const KEY_PERIODS = {
  /** How long an issuer key signs before the next one takes over. */
  issuerSignSeconds: 365 * DAY,
  /** Passes live at most this long, so a key verifies this long after it stops signing. */
  passLifetimeSeconds: 365 * DAY,
  signerCertificateSeconds: 90 * DAY,
} as const;

export interface KeyringFile {
  readonly issuer: string;
  readonly issuerKeys: BundleKey[];
}

export interface IssuerSigningKey {
  readonly kid: string;
  readonly kidBytes: Uint8Array;
  readonly privateKey: KeyObject;
  readonly entry: BundleKey;
}

export interface KeyDirectory {
  readonly dir: string;
  readonly issuer: string;
  readonly rootPublicKey: Uint8Array;
  readonly rootKid: string;
  readonly signer: {
    readonly privateKey: KeyObject;
    readonly kid: string;
    readonly certificate: string;
    readonly certificateNotBefore: number;
    readonly certificateExpiresAt: number;
    /** The key the certificate certifies (its `sub`): must be `kid`, or scanners refuse every bundle. */
    readonly certifiedKid: string;
  };
  readonly issuerKeys: readonly BundleKey[];
  /** The key that signs passes at `now`: active, within its signing period, private key present. */
  signingKeyAt(now: number): IssuerSigningKey | null;
  /** Every issuer key that can sign (for rotation tests). */
  privateKeyFor(kid: string): KeyObject | null;
}

const files = {
  rootPrivate: 'root.private.jwk',
  rootPublic: 'root.public.jwk',
  signerPrivate: 'bundle-signer.private.jwk',
  signerPublic: 'bundle-signer.public.jwk',
  signerCert: 'bundle-signer.cert.jws',
  keyring: 'keyring.json',
  issuerPrivate: (kid: string) => `issuer-${kid}.private.jwk`,
};

function writeAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function writePrivate(dir: string, name: string, key: KeyObject): void {
  writeAtomic(join(dir, name), `${JSON.stringify(key.export({ format: 'jwk' }))}\n`, 0o600);
}

function writePublic(dir: string, name: string, key: KeyObject): void {
  writeAtomic(join(dir, name), `${JSON.stringify(key.export({ format: 'jwk' }))}\n`, 0o644);
}

function readJwk(path: string, kind: 'private' | 'public'): KeyObject {
  const jwk = JSON.parse(readFileSync(path, 'utf8'));
  return kind === 'private' ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
}

export function readPublicKeyFile(path: string): Uint8Array {
  return rawPublicKey(readJwk(path, 'public'));
}

export function rootPublicKeyPath(dir: string): string {
  return join(dir, files.rootPublic);
}

export interface InitKeysOptions {
  readonly now: number;
  readonly issuer?: string;
}

/** The files a server needs to start (the root's private key is not one: it may be kept offline). */
export function missingKeyFiles(dir: string): string[] {
  const needed = [files.rootPublic, files.signerPrivate, files.signerCert, files.keyring];
  return needed.filter((name) => !existsSync(join(dir, name)));
}

/**
 * Creates whatever dev keys are missing. Returns the files it created (never overwrites). A root
 * public key without its private key is a root kept offline, as recommended: it is never replaced
 * (that would silently change the trust anchor every scanner pins); a signer certificate it must
 * sign is refused with a message saying so.
 */
export async function initKeyDirectory(dir: string, options: InitKeysOptions): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const created: string[] = [];
  const now = options.now;
  const rootOffline = !existsSync(join(dir, files.rootPrivate)) && existsSync(join(dir, files.rootPublic));
  if (rootOffline && (!existsSync(join(dir, files.signerPrivate)) || !existsSync(join(dir, files.signerCert)))) {
    throw new Error(`${files.rootPublic} is here but ${files.rootPrivate} is not (kept offline): the bundle-signing certificate must be made with it; bring the root key to this machine for \`vaxpass keys init\`, then take it offline again`);
  }
  if (!rootOffline && !existsSync(join(dir, files.rootPrivate))) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writePrivate(dir, files.rootPrivate, privateKey);
    writePublic(dir, files.rootPublic, publicKey);
    created.push(files.rootPrivate, files.rootPublic);
  }
  if (!existsSync(join(dir, files.signerPrivate)) || !existsSync(join(dir, files.signerCert))) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writePrivate(dir, files.signerPrivate, privateKey);
    writePublic(dir, files.signerPublic, publicKey);
    await writeSignerCertificate(dir, publicKey, now);
    created.push(files.signerPrivate, files.signerPublic, files.signerCert);
  }
  if (!existsSync(join(dir, files.keyring))) {
    const entry = createIssuerKey(dir, options.issuer ?? 'KDCA', now - 60, 'active');
    writeKeyring(dir, { issuer: entry.iss, issuerKeys: [entry] });
    created.push(files.issuerPrivate(entry.kid), files.keyring);
  }
  return created;
}

async function writeSignerCertificate(dir: string, signerPublic: KeyObject, now: number): Promise<void> {
  const root = readJwk(join(dir, files.rootPrivate), 'private');
  const rootKid = keyIdOf(rawPublicKey(createPublicKey(root)));
  const raw = rawPublicKey(signerPublic);
  const cert = await certifyBundleSigner(root, rootKid, {
    sub: keyIdOf(raw),
    publicKey: Buffer.from(raw).toString('base64url'),
    nbf: now - 60,
    exp: now + KEY_PERIODS.signerCertificateSeconds,
  });
  writeAtomic(join(dir, files.signerCert), `${cert}\n`, 0o644);
}

export function writeKeyring(dir: string, keyring: KeyringFile): void {
  writeAtomic(join(dir, files.keyring), `${JSON.stringify(keyring, null, 2)}\n`, 0o644);
}

/** Generates an issuer key pair, writes its private key file and returns its keyring entry. */
function createIssuerKey(dir: string, issuer: string, validFrom: number, status: BundleKey['status']): BundleKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const kid = keyIdOf(raw);
  writePrivate(dir, files.issuerPrivate(kid), privateKey);
  return {
    kid,
    iss: issuer,
    publicKey: Buffer.from(raw).toString('base64url'),
    validFrom,
    signUntil: validFrom + KEY_PERIODS.issuerSignSeconds,
    verifyUntil: validFrom + KEY_PERIODS.issuerSignSeconds + KEY_PERIODS.passLifetimeSeconds,
    status,
  };
}

/** Adds a new issuer key (status 'next' until `activatesAt`) with its private key file. */
export function addIssuerKey(dir: string, keyring: KeyringFile, activatesAt: number): { keyring: KeyringFile; kid: string } {
  const entry = createIssuerKey(dir, keyring.issuer, activatesAt, 'next');
  return { keyring: { ...keyring, issuerKeys: [...keyring.issuerKeys, entry] }, kid: entry.kid };
}

export function readKeyring(dir: string): KeyringFile {
  const path = join(dir, files.keyring);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as KeyringFile;
  } catch (error) {
    // Name the file: "not valid JSON" alone sends an operator looking through every key file.
    if (error instanceof SyntaxError) throw new KeyDirectoryError(`${path} is not valid JSON`);
    throw error;
  }
}

/**
 * A new bundle-signing key and its root certificate (90 days from `now`). The old certificate
 * stays valid until its own expiry, so bundles signed before and after overlap; scanners accept
 * either. Needs the root private key (brought from offline storage for this step). Rewrites
 * keyring.json unchanged, which is what a running server watches to reload its keys.
 */
export async function renewBundleSigner(dir: string, options: { now: number; rootPrivateKeyPath?: string }): Promise<{ kid: string; notBefore: number; expiresAt: number }> {
  const rootPath = options.rootPrivateKeyPath ?? join(dir, files.rootPrivate);
  if (!existsSync(rootPath)) throw new KeyDirectoryError(`${rootPath} is missing: the root private key certifies the new signer; pass its path with --root`);
  const root = readJwk(rootPath, 'private');
  const rootRaw = rawPublicKey(createPublicKey(root));
  if (existsSync(join(dir, files.rootPublic)) && Buffer.compare(Buffer.from(rootRaw), Buffer.from(readPublicKeyFile(join(dir, files.rootPublic)))) !== 0) {
    throw new KeyDirectoryError(`${rootPath} is not the root whose public key is ${join(dir, files.rootPublic)}; scanners would refuse the certificate`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const kid = keyIdOf(raw);
  const notBefore = options.now - 60;
  const expiresAt = options.now + KEY_PERIODS.signerCertificateSeconds;
  const cert = await certifyBundleSigner(root, keyIdOf(rootRaw), { sub: kid, publicKey: Buffer.from(raw).toString('base64url'), nbf: notBefore, exp: expiresAt });
  writePrivate(dir, files.signerPrivate, privateKey);
  writePublic(dir, files.signerPublic, publicKey);
  writeAtomic(join(dir, files.signerCert), `${cert}\n`, 0o644);
  writeKeyring(dir, readKeyring(dir));
  return { kid, notBefore, expiresAt };
}

export function loadKeyDirectory(dir: string): KeyDirectory {
  for (const name of [files.rootPublic, files.signerPrivate, files.signerCert, files.keyring]) {
    if (!existsSync(join(dir, name))) throw new KeyDirectoryError(`${join(dir, name)} is missing; run \`vaxpass keys init --dir ${dir}\``);
  }
  const rootPublic = readJwk(join(dir, files.rootPublic), 'public');
  const signerPrivate = readJwk(join(dir, files.signerPrivate), 'private');
  const signerKid = keyIdOf(rawPublicKey(createPublicKey(signerPrivate)));
  const certificate = readFileSync(join(dir, files.signerCert), 'utf8').trim();
  let certPayload: { exp: number; nbf: number; sub: string };
  try {
    certPayload = JSON.parse(Buffer.from(certificate.split('.')[1] ?? '', 'base64url').toString('utf8')) as typeof certPayload;
  } catch {
    throw new KeyDirectoryError(`${join(dir, files.signerCert)} is not a signer certificate (JWS)`);
  }
  const keyring = readKeyring(dir);
  if (typeof keyring !== 'object' || keyring === null || typeof keyring.issuer !== 'string' || !Array.isArray(keyring.issuerKeys)) {
    throw new KeyDirectoryError(`${join(dir, files.keyring)} is not a keyring (needs "issuer" and "issuerKeys")`);
  }
  const privateKeys = new Map<string, KeyObject>();
  const privateKeyFor = (kid: string): KeyObject | null => {
    if (!/^[A-Za-z0-9_-]{11}$/.test(kid)) return null;
    const cached = privateKeys.get(kid);
    if (cached) return cached;
    const path = join(dir, files.issuerPrivate(kid));
    if (!existsSync(path)) return null;
    const key = readJwk(path, 'private');
    privateKeys.set(kid, key);
    return key;
  };
  const rootRaw = rawPublicKey(rootPublic);
  return {
    dir,
    issuer: keyring.issuer,
    rootPublicKey: rootRaw,
    rootKid: keyIdOf(rootRaw),
    signer: { privateKey: signerPrivate, kid: signerKid, certificate, certificateNotBefore: certPayload.nbf, certificateExpiresAt: certPayload.exp, certifiedKid: certPayload.sub },
    issuerKeys: keyring.issuerKeys,
    privateKeyFor,
    signingKeyAt(now) {
      // Newest active key whose signing period covers now.
      const candidates = keyring.issuerKeys.filter((k) => (k.status === 'active' || k.status === 'next') && k.validFrom <= now && now <= k.signUntil);
      candidates.sort((a, b) => b.validFrom - a.validFrom);
      for (const entry of candidates) {
        const privateKey = privateKeyFor(entry.kid);
        if (privateKey) return { kid: entry.kid, kidBytes: new Uint8Array(Buffer.from(entry.kid, 'base64url')), privateKey, entry };
      }
      return null;
    },
  };
}

export class KeyDirectoryError extends Error {
  override readonly name = 'KeyDirectoryError';
}

/** A `sign` function for core/sign-pass backed by a node:crypto private key. */
export function ed25519Signer(privateKey: KeyObject): (message: Uint8Array) => Uint8Array {
  return (message) => new Uint8Array(sign(null, message, privateKey));
}
