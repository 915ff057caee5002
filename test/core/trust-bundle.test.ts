// Opening a trust bundle: the chain to the pinned root, freshness, rollback and the shape of the
// signed document. Anything wrong is BUNDLE_INVALID / BUNDLE_EXPIRED / BUNDLE_ROLLBACK, never a throw.
import { CompactSign } from 'jose';
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';
import { SMALL_ORDER_POINTS } from '../../src/core/crypto/ed25519-policy.ts';
import { RevokedPassSet } from '../../src/core/revoked-pass-set.ts';
import { DEFAULT_RULES } from '../../src/core/rules.ts';
import { BUNDLE_JWS_TYPE, openBundle, type TrustedBundle } from '../../src/core/trust-bundle.ts';
import { verdictOf } from '../../src/core/verification-result.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { keyIdOf } from '../../src/keys/key-id.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { certifyBundleSigner, signTrustBundle, type BundleContents } from '../../src/publication/sign-trust-bundle.ts';
import { keyFromSeed, TEST_ONLY_SEEDS } from '../../scripts/generate-vectors.ts';
import type { VectorFile } from '../support/replay-vector.ts';

const file = JSON.parse(readFileSync(new URL('../vectors/vaxpass-v1.json', import.meta.url), 'utf8')) as VectorFile;
const root = fromBase64Url(file.root.publicKey)!;
const backend = createNodeCryptoBackend();
const now = new Date('2022-01-15T03:00:00Z');
const passText = file.vectors.find((v) => v.name === 'valid-vaccination-booster')!.text;
const rootKey = keyFromSeed(TEST_ONLY_SEEDS.root);
const signerKey = keyFromSeed(TEST_ONLY_SEEDS.bundleSigner);
const t = (iso: string): number => Date.parse(iso) / 1000;

const contents: BundleContents = {
  version: 1,
  issuedAt: t('2022-01-15T00:00:00Z'),
  expiresAt: t('2022-01-16T00:00:00Z'),
  keys: [],
  revokedPassPrefixes: {},
  revokedKeys: [],
  rules: DEFAULT_RULES,
};

async function certificate(over: Partial<{ sub: string; publicKey: string; nbf: number; exp: number }> = {}): Promise<string> {
  return certifyBundleSigner(rootKey.privateKey, keyIdOf(rootKey.publicKey), {
    sub: signerKey.kidText,
    publicKey: toBase64Url(signerKey.publicKey),
    nbf: t('2022-01-01T00:00:00Z'),
    exp: t('2022-04-01T00:00:00Z'),
    ...over,
  });
}

async function bundle(doc: unknown, header: Record<string, unknown> = {}, cert?: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(doc)))
    .setProtectedHeader({ alg: 'EdDSA', typ: BUNDLE_JWS_TYPE, kid: signerKey.kidText, cert: cert ?? (await certificate()), ...header })
    .sign(signerKey.privateKey);
}

/** A JWS signed by hand, for headers jose refuses to produce. */
function rawJws(header: Record<string, unknown>, payload: unknown): string {
  const part = (v: unknown): string => toBase64Url(new TextEncoder().encode(JSON.stringify(v)));
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${toBase64Url(new Uint8Array(sign(null, Buffer.from(input), signerKey.privateKey)))}`;
}

const open = (text: string, held: TrustedBundle | null = null) => openBundle(text, { root, now, backend, held });

describe('openBundle', () => {
  it('opens a well-formed bundle signed through the pinned root', async () => {
    const result = await open(await signTrustBundle(contents, { privateKey: signerKey.privateKey, kid: signerKey.kidText, certificate: await certificate() }));
    expect(result.ok).toBe(true);
  });

  it('refuses the vector bundles under a different pinned root', async () => {
    const other = keyFromSeed(TEST_ONLY_SEEDS.rogueRoot).publicKey;
    const result = await openBundle(file.bundles.default!, { root: other, now, backend });
    expect(result).toMatchObject({ ok: false, code: 'BUNDLE_INVALID' });
  });

  it('throws TypeError (programmer error) for a root that is not an acceptable public key', async () => {
    await expect(openBundle(file.bundles.default!, { root: SMALL_ORDER_POINTS[1]!, now, backend })).rejects.toThrow(TypeError);
    await expect(openBundle(file.bundles.default!, { root: new Uint8Array(31), now, backend })).rejects.toThrow(TypeError);
  });

  it.each([
    ['empty text', ''],
    ['two-part JWS', 'a.b'],
    ['non-base64url parts', '!!.??.**'],
    ['tampered payload', file.bundles.tampered!],
    ['alg none', file.bundles.unsigned!],
  ])('refuses %s as BUNDLE_INVALID', async (_, text) => {
    expect(await open(text)).toMatchObject({ ok: false, code: 'BUNDLE_INVALID' });
  });

  it.each<[string, () => Promise<string>]>([
    ['a wrong typ', async () => bundle({ format: 'vaxpass-bundle/2', ...contents }, { typ: 'JWT' })],
    ['a crit header', async () => rawJws({ alg: 'EdDSA', typ: BUNDLE_JWS_TYPE, kid: signerKey.kidText, cert: await certificate(), crit: ['x-vaxpass'], 'x-vaxpass': 1 }, { format: 'vaxpass-bundle/2', ...contents })],
    ['no certificate', async () => bundle({ format: 'vaxpass-bundle/2', ...contents }, { cert: undefined })],
    ['a kid that does not match the certificate', async () => bundle({ format: 'vaxpass-bundle/2', ...contents }, { kid: 'AAAAAAAAAAA' })],
    ['a certificate for a small-order key', async () => bundle({ format: 'vaxpass-bundle/2', ...contents }, {}, await certificate({ publicKey: toBase64Url(SMALL_ORDER_POINTS[0]!) }))],
    ['issuedAt outside the certificate', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, issuedAt: t('2021-12-31T00:00:00Z') })],
    ['an unknown format', async () => bundle({ ...contents, format: 'vaxpass-bundle/3' })],
    ['expiresAt before issuedAt', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, expiresAt: contents.issuedAt - 1 })],
    ['a negative version', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, version: -1 })],
    ['an unknown time zone in the rules', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, rules: { ...DEFAULT_RULES, timeZone: 'Asia/Nowhere' } })],
    ['a key entry with a 31-byte public key', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, keys: [{ kid: 'AAAAAAAAAAA', iss: 'KDCA', publicKey: toBase64Url(new Uint8Array(31)), validFrom: 0, signUntil: 1, verifyUntil: 2, status: 'active' }] })],
    ['a revoked-pass block key that is not lower-case hex', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, revokedPassPrefixes: { '7E': RevokedPassSet.fromPassIds(['7e577ec700']).encode()['7e']! } })],
    ['revoked passes as the old hex list', async () => bundle({ format: 'vaxpass-bundle/2', ...contents, revokedPassPrefixes: ['7e577ec700000001'] })],
    ['a JSON array payload', async () => bundle([1, 2, 3])],
    ['the same kid listed twice', async () => {
      const key = { kid: 'AAAAAAAAAAA', iss: 'KDCA', publicKey: toBase64Url(signerKey.publicKey), validFrom: 0, signUntil: 1, verifyUntil: 2, status: 'active' };
      return bundle({ format: 'vaxpass-bundle/2', ...contents, keys: [key, { ...key, status: 'revoked' }] });
    }],
  ])('refuses a bundle with %s as BUNDLE_INVALID', async (_, make) => {
    expect(await open(await make())).toMatchObject({ ok: false, code: 'BUNDLE_INVALID' });
  });

  it('treats an equal version as no rollback and an older one as BUNDLE_ROLLBACK', async () => {
    const held = await open(file.bundles.newer!);
    if (!held.ok) throw new Error(held.message);
    expect((await open(file.bundles.newer!, held.bundle)).ok).toBe(true);
    expect(await open(file.bundles.default!, held.bundle)).toMatchObject({ ok: false, code: 'BUNDLE_ROLLBACK' });
  });

  it('refuses the retired format vaxpass-bundle/1 with a message that says what to do', async () => {
    const result = await open(await bundle({ ...contents, format: 'vaxpass-bundle/1', revokedPasses: [] }));
    expect(result).toMatchObject({ ok: false, code: 'BUNDLE_INVALID' });
    if (!result.ok) expect(result.message).toBe('bundle format vaxpass-bundle/1 is no longer accepted; the issuer must publish vaxpass-bundle/2');
  });

  it('refuses a bundle with the held version but other content (an issuer that started over), and accepts the same one again', async () => {
    const held = await open(file.bundles.default!);
    if (!held.ok) throw new Error(held.message);
    expect((await open(file.bundles.default!, held.bundle)).ok).toBe(true);
    const other = await open(file.bundles['same-version-other-content']!, held.bundle);
    expect(other).toMatchObject({ ok: false, code: 'BUNDLE_ROLLBACK' });
    if (!other.ok) expect(other.message).toContain('differs from the version 10 this verifier already holds');
  });

  it('refuses rollback below minVersion even without a held bundle (the held one may have expired)', async () => {
    const held = await open(file.bundles.newer!);
    if (!held.ok) throw new Error(held.message);
    const minVersion = held.bundle.version;
    expect(await openBundle(file.bundles.default!, { root, now, backend, minVersion })).toMatchObject({ ok: false, code: 'BUNDLE_ROLLBACK' });
    expect((await openBundle(file.bundles.newer!, { root, now, backend, minVersion })).ok).toBe(true);
  });
});

describe('verify with something that is not an opened bundle', () => {
  it('returns BUNDLE_INVALID (cannot verify) for a plain object shaped like a bundle', async () => {
    const opened = await open(file.bundles.default!);
    if (!opened.ok) throw new Error(opened.message);
    const lookalike = { ...opened.bundle } as TrustedBundle;
    const result = await verify(passText, lookalike, { now });
    expect(result).toMatchObject({ ok: false, code: 'BUNDLE_INVALID' });
    expect(verdictOf(result)).toBe('cannot-verify');
    expect(await verify(passText, JSON.parse(JSON.stringify(opened.bundle.document)) as TrustedBundle, { now })).toMatchObject({ code: 'BUNDLE_INVALID' });
  });

  it('never throws on non-string pass input', async () => {
    const opened = await open(file.bundles.default!);
    if (!opened.ok) throw new Error(opened.message);
    for (const junk of [undefined, null, 42, {}, ['VP1:']]) {
      expect(await verify(junk as unknown as string, opened.bundle, { now })).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
  });
});
