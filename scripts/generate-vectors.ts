// Generates test/vectors/vaxpass-v1.json: signed trust bundles and passes (valid and hostile),
// each with an expected result chosen here by hand, never computed by the verifier. The verifier
// only checks the file afterwards: if it disagrees with any expectation the script fails and
// writes nothing. All keys come from fixed seeds, and Ed25519 / JWS EdDSA signatures are
// deterministic, so every run writes byte-identical output.
//
//   npm run vectors                 # writes test/vectors/vaxpass-v1.json
//   npm run vectors -- --out FILE   # writes elsewhere (the reproducibility test uses this)
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../src/core/bytes.ts';
import { encodeCbor, type CborValue } from '../src/core/cbor.ts';
import { parseIsoDate } from '../src/core/civil-time.ts';
import { COSE_ALG_EDDSA, encodeProtectedHeader, sigStructure } from '../src/core/cose-sign1.ts';
import { SMALL_ORDER_POINTS } from '../src/core/crypto/ed25519-policy.ts';
import { encodeClaims } from '../src/core/pass-claims-codec.ts';
import type { Pass, PassContent } from '../src/core/pass-content.ts';
import { MAX_QR_TEXT_LENGTH, toQrText } from '../src/core/qr-text.ts';
import { DEFAULT_RULES, type Rules } from '../src/core/rules.ts';
import { RevokedPassSet } from '../src/core/revoked-pass-set.ts';
import { BUNDLE_JWS_TYPE, type BundleKey } from '../src/core/trust-bundle.ts';
import { FAILURE_CODES, FOREIGN_ONLY_FAILURE_CODES, type FailureCode } from '../src/core/verification-result.ts';
import { referencePass } from '../src/demo/reference-passes.ts';
import { keyIdBytes, rawPublicKey } from '../src/keys/key-id.ts';
import { createNodeCryptoBackend } from '../src/node/node-crypto-backend.ts';
import { certifyBundleSigner, signTrustBundle, type BundleContents } from '../src/publication/sign-trust-bundle.ts';
import { mismatch, replayVector, VECTOR_FILE_FORMAT, type ExpectedOutcome, type PassVector, type VectorFile } from '../test/support/replay-vector.ts';

// ---- TEST-ONLY key seeds. Published on purpose; never use them for anything but these vectors.
export const TEST_ONLY_SEEDS = {
  root: '5d73d0eca0ec07f322bce802d7fc130090a0f1f3c3530e5be1174e8e3d07ba81',
  bundleSigner: 'c8c39d78a352720e7a5a6e2a108417561d7e1f8dbfb89490beb48c7f09d3bc2d',
  rogueRoot: 'fd2e083b5600ae6d4215f749de99bd7c5fe9e12c878b7217f3f745b6201af983',
  issuerActive: '301c839c5e5e09d8f977cee3218137ebf3035c9dac5e419bd9d1cfa77f423045',
  issuerRetired: '382b0b9db513500d2497601b9cf11737b9d7f2ed91e82d430b775b8350e162e9',
  issuerOld: '0bc1455656fed6dfe03dd29fd0df4184b54e4f5d5bdbcfa9527773326f385a28',
  issuerRevoked: '89519e3743b20abbd64322fd0a6c1aa59ba1bd9913101256187461dbe79a702d',
  issuerRevokedListed: 'c9a6593d6fc7b7d083be60042b686eb1367e7d52dce2320cbd167399128699ab',
  issuerUnknown: '7e57000000000000000000000000000000000000000000000000000000000001',
} as const;

const ISSUER = 'KDCA';
const DAY = 86_400;
const DEFAULT_OUT = 'test/vectors/vaxpass-v1.json';

// RFC 8410 §7: PKCS#8 wrapping of a 32-byte Ed25519 seed.
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
  readonly kid: Uint8Array;
  readonly kidText: string;
}

export function keyFromSeed(seedHex: string): TestKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const kid = keyIdBytes(publicKey);
  return { privateKey, publicKey, kid, kidText: toBase64Url(kid) };
}

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new TypeError(`bad instant ${iso}`);
  return ms / 1000;
};
const day = (iso: string): number => {
  const d = parseIsoDate(iso);
  if (d === null) throw new TypeError(`bad date ${iso}`);
  return d;
};

// ---- the fixed timeline (Korea, January 2022)
const BUNDLE_ISSUED_AT = at('2022-01-15T00:00:00Z'); // 09:00 KST
const BUNDLE_EXPIRES_AT = at('2022-02-14T00:00:00Z');
const PASS_IAT = at('2022-01-15T00:00:00Z');
const NOW = '2022-01-15T03:00:00.000Z'; // 12:00 KST, lunch peak

function ctiFor(n: number): Uint8Array {
  const cti = new Uint8Array(8);
  cti.set([0x7e, 0x57, 0x7e, 0xc7]);
  new DataView(cti.buffer).setUint32(4, n);
  return cti;
}

/** Builds every vector. Pure apart from signing with the fixed keys: same input, same bytes. */
export async function buildVectorFile(): Promise<VectorFile> {
  const root = keyFromSeed(TEST_ONLY_SEEDS.root);
  const signer = keyFromSeed(TEST_ONLY_SEEDS.bundleSigner);
  const rogueRoot = keyFromSeed(TEST_ONLY_SEEDS.rogueRoot);
  const active = keyFromSeed(TEST_ONLY_SEEDS.issuerActive);
  const retired = keyFromSeed(TEST_ONLY_SEEDS.issuerRetired);
  const old = keyFromSeed(TEST_ONLY_SEEDS.issuerOld);
  const revoked = keyFromSeed(TEST_ONLY_SEEDS.issuerRevoked);
  const revokedListed = keyFromSeed(TEST_ONLY_SEEDS.issuerRevokedListed);
  const unknown = keyFromSeed(TEST_ONLY_SEEDS.issuerUnknown);
  // The identity point: a "public key" for which [S]B - [k]A = R holds with R = identity, S = 0.
  const smallOrderPublic = SMALL_ORDER_POINTS[0]!;
  const smallOrderKid = keyIdBytes(smallOrderPublic);

  const bundleKey = (k: { publicKey: Uint8Array; kid: Uint8Array }, validFrom: string, signUntil: string, verifyUntil: string, status: BundleKey['status']): BundleKey => ({
    kid: toBase64Url(k.kid),
    iss: ISSUER,
    publicKey: toBase64Url(k.publicKey),
    validFrom: at(validFrom),
    signUntil: at(signUntil),
    verifyUntil: at(verifyUntil),
    status,
  });
  const keys: BundleKey[] = [
    bundleKey(active, '2021-01-01T00:00:00Z', '2022-12-31T15:00:00Z', '2023-12-31T15:00:00Z', 'active'),
    bundleKey(retired, '2021-01-01T00:00:00Z', '2022-01-01T00:00:00Z', '2023-01-01T00:00:00Z', 'retired'),
    bundleKey(old, '2020-01-01T00:00:00Z', '2020-12-31T00:00:00Z', '2022-01-01T00:00:00Z', 'retired'),
    bundleKey(revoked, '2021-01-01T00:00:00Z', '2022-12-31T15:00:00Z', '2023-12-31T15:00:00Z', 'revoked'),
    bundleKey(revokedListed, '2021-01-01T00:00:00Z', '2022-12-31T15:00:00Z', '2023-12-31T15:00:00Z', 'active'),
    bundleKey({ publicKey: smallOrderPublic, kid: smallOrderKid }, '2021-01-01T00:00:00Z', '2022-12-31T15:00:00Z', '2023-12-31T15:00:00Z', 'active'),
  ];
  // Bundles list 40-bit prefixes of revoked pass ids, and every ctiFor(n) below 2^24 shares the
  // prefix 7e577ec700; the revoked pass gets one of its own.
  const REVOKED_PASS = Uint8Array.of(0xde, 0xad, 0x7e, 0x57, 0x7e, 0xc7, 0x00, 0x01);
  const baseContents: BundleContents = {
    version: 10,
    issuedAt: BUNDLE_ISSUED_AT,
    expiresAt: BUNDLE_EXPIRES_AT,
    keys,
    revokedPassPrefixes: RevokedPassSet.fromPassIds([Buffer.from(REVOKED_PASS).toString('hex')]).encode(),
    revokedKeys: [toBase64Url(revokedListed.kid)],
    rules: DEFAULT_RULES,
  };

  // ---- bundles
  const certificate = await certifyBundleSigner(root.privateKey, toBase64Url(keyIdBytes(root.publicKey)), {
    sub: signer.kidText,
    publicKey: toBase64Url(signer.publicKey),
    nbf: at('2022-01-01T00:00:00Z'),
    exp: at('2022-04-01T00:00:00Z'),
  });
  const bundleSigner = { privateKey: signer.privateKey, kid: signer.kidText, certificate };
  const strictRules: Rules = { ...DEFAULT_RULES, vaccination: { ...DEFAULT_RULES.vaccination!, primary: { validFromDay: 14, validDays: 90 } } };
  const rogueCertificate = await certifyBundleSigner(rogueRoot.privateKey, toBase64Url(keyIdBytes(rogueRoot.publicKey)), {
    sub: signer.kidText,
    publicKey: toBase64Url(signer.publicKey),
    nbf: at('2022-01-01T00:00:00Z'),
    exp: at('2022-04-01T00:00:00Z'),
  });
  const expiredCertificate = await certifyBundleSigner(root.privateKey, toBase64Url(keyIdBytes(root.publicKey)), {
    sub: signer.kidText,
    publicKey: toBase64Url(signer.publicKey),
    nbf: at('2021-10-01T00:00:00Z'),
    exp: at('2022-01-10T00:00:00Z'),
  });
  const defaultBundle = await signTrustBundle(baseContents, bundleSigner);
  const bundles: Record<string, string> = {
    default: defaultBundle,
    newer: await signTrustBundle({ ...baseContents, version: 11, issuedAt: at('2022-01-15T01:00:00Z') }, bundleSigner),
    'strict-rules': await signTrustBundle({ ...baseContents, version: 12, rules: strictRules }, bundleSigner),
    expired: await signTrustBundle({ ...baseContents, version: 9, issuedAt: at('2022-01-05T00:00:00Z'), expiresAt: at('2022-01-12T00:00:00Z') }, bundleSigner),
    'uncertified-signer': await signTrustBundle(baseContents, { ...bundleSigner, certificate: rogueCertificate }),
    'expired-signer-certificate': await signTrustBundle(
      { ...baseContents, version: 8, issuedAt: at('2022-01-05T00:00:00Z'), expiresAt: at('2022-02-05T00:00:00Z') },
      { ...bundleSigner, certificate: expiredCertificate },
    ),
    // What an issuer that lost its database and started over might publish: version 10 again, without the revocation.
    'same-version-other-content': await signTrustBundle({ ...baseContents, issuedAt: at('2022-01-15T02:00:00Z'), revokedPassPrefixes: {} }, bundleSigner),
    'format-v1': await signRawBundle(
      { format: 'vaxpass-bundle/1', ...baseContents, revokedPassPrefixes: undefined, revokedPasses: [Buffer.from(REVOKED_PASS).toString('hex')] },
      bundleSigner,
    ),
    unsigned: unsignedBundle(defaultBundle),
    tampered: tamperedBundle(defaultBundle),
    'not-a-jws': 'this is not a trust bundle',
  };
  // A bundle of September 2021, so boundary instants lie after its clock floor (issuedAt).
  const certificate2021 = await certifyBundleSigner(root.privateKey, toBase64Url(keyIdBytes(root.publicKey)), {
    sub: signer.kidText,
    publicKey: toBase64Url(signer.publicKey),
    nbf: at('2021-08-01T00:00:00Z'),
    exp: at('2021-11-01T00:00:00Z'),
  });
  bundles['september-2021'] = await signTrustBundle(
    { ...baseContents, version: 5, issuedAt: at('2021-09-01T00:00:00Z'), expiresAt: at('2021-10-01T00:00:00Z'), revokedPassPrefixes: {}, revokedKeys: [] },
    { ...bundleSigner, certificate: certificate2021 },
  );

  // ---- pass building blocks
  const reference = (id: string): PassContent => {
    const p = referencePass(id);
    if (!p) throw new Error(`reference pass ${id} is missing`);
    return p.content;
  };
  const claims = (content: PassContent, n: number, over: Partial<Pass> = {}): Pass => ({
    iss: ISSUER,
    iat: PASS_IAT,
    nbf: PASS_IAT,
    exp: content.type === 'test' ? content.test.sampledAt + 7 * DAY : PASS_IAT + 365 * DAY,
    cti: ctiFor(n),
    content,
    ...over,
  });
  const signWith = (key: KeyObject, protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array =>
    new Uint8Array(sign(null, sigStructure(protectedHeader, payload), key));
  /** COSE_Sign1 bytes with full control over each part; signs unless a signature is given. */
  const cose = (o: { protectedHeader: Uint8Array; payload: Uint8Array; key?: KeyObject; unprotected?: Map<CborValue, CborValue>; signature?: Uint8Array }): Uint8Array =>
    encodeCbor([o.protectedHeader, o.unprotected ?? new Map(), o.payload, o.signature ?? signWith(o.key ?? active.privateKey, o.protectedHeader, o.payload)]);
  const passCose = (pass: Pass, key: TestKey = active): Uint8Array => {
    const protectedHeader = encodeProtectedHeader(key.kid);
    return cose({ protectedHeader, payload: encodeClaims(pass), key: key.privateKey });
  };
  const text = (bytes: Uint8Array): string => toQrText(bytes);

  const maria = reference('vaccination-3-doses-latin-name');
  const hong = reference('vaccination-2-doses-korean-name');
  const janssen = reference('vaccination-1-dose-janssen');
  const pcr = reference('test-pcr-negative');
  const recovery = reference('recovery');
  const exemption = reference('medical-exemption');
  if (pcr.type !== 'test') throw new Error('reference test pass changed type');

  const mariaPass = claims(maria, 1);
  const mariaCose = passCose(mariaPass);
  const mariaText = text(mariaCose);
  const kidHeader = encodeProtectedHeader(active.kid);
  const mariaPayload = encodeClaims(mariaPass);

  const vectors: PassVector[] = [];
  const ok = (passType: PassContent['type'], content: PassContent, rule: string): ExpectedOutcome => ({
    ok: true,
    passType,
    holder: { name: content.name, birthDate: new Date(content.birthDate * DAY * 1000).toISOString().slice(0, 10) },
    rule,
  });
  const bad = (code: FailureCode): ExpectedOutcome => ({ ok: false, code });
  const add = (name: string, description: string, passText: string, expected: ExpectedOutcome, o: { bundle?: string; heldBundle?: string | null; now?: string } = {}): void => {
    vectors.push({ name, description, text: passText, bundle: o.bundle ?? 'default', heldBundle: o.heldBundle ?? null, now: o.now ?? NOW, expected });
  };

  // ---- valid passes, one per type (and rule)
  add('valid-vaccination-booster', 'reference pass: 2 Pfizer doses + Moderna booster on 2022-01-10; a booster counts from its own day', mariaText, ok('vaccination', maria, 'vaccination.booster'));
  add('valid-vaccination-primary', 'reference pass: 2 AstraZeneca doses, 2nd on 2021-08-19; primary series valid 2021-09-02 .. 2022-02-28 (KST)', text(passCose(claims(hong, 2))), ok('vaccination', hong, 'vaccination.primary'));
  add('valid-test', 'reference pass: negative PCR sampled 2022-01-14 10:30 KST, checked 25.5 h later (limit 48 h)', text(passCose(claims(pcr, 3))), ok('test', pcr, 'test'));
  add('valid-recovery', 'reference pass: first positive test 2021-12-20; recovery valid from day 11 (2021-12-31) for 170 days', text(passCose(claims(recovery, 4))), ok('recovery', recovery, 'recovery'));
  add('valid-exemption', 'reference pass: medical exemption 2021-12-01 .. 2022-06-30', text(passCose(claims(exemption, 5))), ok('exemption', exemption, 'exemption'));
  add('valid-retired-key-within-period', 'signed by a retired key on 2021-12-01, inside its signing period; retired keys still verify', text(passCose(claims(hong, 6, { iat: at('2021-12-01T00:00:00Z'), nbf: at('2021-12-01T00:00:00Z') }), retired)), ok('vaccination', hong, 'vaccination.primary'));
  add('valid-clock-behind-bundle', 'device clock set back to 2021-12-01: the decision uses the bundle issuedAt (2022-01-15 09:00 KST) as the floor, so a pass issued then is valid', mariaText, ok('vaccination', maria, 'vaccination.booster'), { now: '2021-12-01T00:00:00.000Z' });
  add('valid-newer-bundle-over-held', 'offered bundle v11 while holding v10: an upgrade is accepted', mariaText, ok('vaccination', maria, 'vaccination.booster'), { bundle: 'newer', heldBundle: 'default' });

  // ---- MALFORMED: the QR text layer
  add('text-empty', 'empty text', '', bad('MALFORMED'));
  add('text-truncated', 'a valid pass with its last three characters (two bytes) cut off: valid base45, truncated CBOR', mariaText.slice(0, -3), bad('MALFORMED'));
  add('text-truncated-half', 'a valid pass cut in half (a partial scan)', mariaText.slice(0, Math.floor(mariaText.length / 2)), bad('MALFORMED'));
  add('text-lowercase', 'a valid pass in lower case (some readers lower-case alphanumeric QR text); the text is case-sensitive', mariaText.toLowerCase(), bad('MALFORMED'));
  add('text-lowercase-body', 'prefix kept, base45 body in lower case', 'VP1:' + mariaText.slice(4).toLowerCase(), bad('MALFORMED'));
  add('text-url-encoded', 'a valid pass URL-encoded (encodeURIComponent); readers never URL-decode', encodeURIComponent(mariaText), bad('MALFORMED'));
  const bodyWithSpace = findSpaceBody(mariaText);
  add('text-url-encoded-body', 'prefix kept, spaces in the base45 body replaced by %20', bodyWithSpace.replaceAll(' ', '%20'), bad('MALFORMED'));
  add('text-oversized', `text longer than ${MAX_QR_TEXT_LENGTH} characters (the largest QR code) is refused before decoding`, 'VP1:' + '0'.repeat(MAX_QR_TEXT_LENGTH), bad('MALFORMED'));
  add('text-wrong-prefix', 'text from another scheme', 'HC1:' + mariaText.slice(4), bad('MALFORMED'));
  add('text-not-a-pass', 'a restaurant menu link shown instead of a pass', 'https://menu.example/lunch?table=12', bad('NOT_A_PASS'));
  add('text-not-base45', 'a character outside the base45 alphabet', mariaText.slice(0, 20) + '#' + mariaText.slice(21), bad('MALFORMED'));
  add('text-base45-overflow', 'a base45 triple above 65535 (":::" = 44 + 44·45 + 44·2025), RFC 9285 §4.2', 'VP1:' + ':::', bad('MALFORMED'));
  add('text-base45-dangling-char', 'base45 length ≡ 1 (mod 3) cannot be decoded', mariaText + '0', bad('MALFORMED'));
  add('text-trailing-newline', 'a valid pass followed by a newline; the text is taken exactly as scanned', mariaText + '\n', bad('MALFORMED'));

  // ---- UNSUPPORTED_VERSION
  add('unsupported-version-2', 'a future format version VP2: with an otherwise valid body', 'VP2:' + mariaText.slice(4), bad('UNSUPPORTED_VERSION'));

  // ---- MALFORMED: CBOR / COSE structure (each re-signed so the only fault is the intended one)
  add('cbor-trailing-bytes', 'one 0x00 byte after the COSE_Sign1 array', text(concatBytes(mariaCose, Uint8Array.of(0))), bad('MALFORMED'));
  add('cbor-tagged-cose', 'COSE_Sign1 wrapped in tag 18: vaxpass passes are untagged and tags are refused', text(concatBytes(Uint8Array.of(0xd2), mariaCose)), bad('MALFORMED'));
  add('cbor-indefinite-array', 'the COSE_Sign1 array with indefinite length (0x9f … 0xff)', text(concatBytes(Uint8Array.of(0x9f), mariaCose.subarray(1), Uint8Array.of(0xff))), bad('MALFORMED'));
  add('cbor-duplicate-key-payload', 'payload map with iss (1) twice, correctly signed', text(cose({ protectedHeader: kidHeader, payload: duplicateIss(mariaPayload) })), bad('MALFORMED'));
  add('cbor-duplicate-key-protected', 'protected header {1: -8, 4: kid, 1: -8}, correctly signed', text(cose({ protectedHeader: concatBytes(Uint8Array.of(0xa3), kidHeader.subarray(1), Uint8Array.of(0x01, 0x27)), payload: mariaPayload })), bad('MALFORMED'));
  add('cbor-non-minimal-integer', 'iat encoded as an 8-byte integer where 4 bytes suffice (RFC 8949 §4.2.1), correctly signed', text(cose({ protectedHeader: kidHeader, payload: widenIat(mariaPayload, PASS_IAT) })), bad('MALFORMED'));
  add('cbor-float-iat', 'iat encoded as a 64-bit float with an integral value (1642204800.0), correctly signed; the format has no floats', text(cose({ protectedHeader: kidHeader, payload: floatIat(mariaPayload, PASS_IAT) })), bad('MALFORMED'));
  add('cose-kid-only-unprotected', 'kid in the unprotected header only, correctly signed', text(cose({ protectedHeader: encodeCbor(new Map<CborValue, CborValue>([[1, COSE_ALG_EDDSA]])), unprotected: new Map<CborValue, CborValue>([[4, active.kid]]), payload: mariaPayload })), bad('MALFORMED'));
  add('cose-unprotected-not-empty', 'an extra field in the unprotected header', text(cose({ protectedHeader: kidHeader, unprotected: new Map<CborValue, CborValue>([[99, 'x']]), payload: mariaPayload })), bad('MALFORMED'));
  add('cose-extra-protected-field', 'protected header with a content type (3) besides alg and kid, correctly signed', text(cose({ protectedHeader: encodeCbor(new Map<CborValue, CborValue>([[1, COSE_ALG_EDDSA], [3, 61], [4, active.kid]])), payload: mariaPayload })), bad('MALFORMED'));
  add('cose-short-signature', 'a 63-byte signature', text(cose({ protectedHeader: kidHeader, payload: mariaPayload, signature: signWith(active.privateKey, kidHeader, mariaPayload).subarray(0, 63) })), bad('MALFORMED'));
  add('cose-not-an-array', 'a CBOR map where the COSE_Sign1 array belongs', text(encodeCbor(new Map<CborValue, CborValue>([[1, 2]]))), bad('MALFORMED'));
  add('claims-exp-before-iat', 'exp one day before iat, correctly signed', text(passCose(claims(maria, 7, { exp: PASS_IAT - DAY }))), bad('MALFORMED'));
  add('claims-unknown-field', 'an extra claim (8) in the payload, correctly signed; a new field needs a new format version', text(cose({ protectedHeader: kidHeader, payload: addClaim(mariaPayload) })), bad('MALFORMED'));
  add('claims-name-not-nfc', 'the holder name in decomposed (NFD) Hangul, correctly signed', text(passCose(claims({ ...hong, name: hong.name.normalize('NFD') }, 8))), bad('MALFORMED'));
  const invalidUtf8Payload = Uint8Array.from(mariaPayload);
  invalidUtf8Payload.set([0xc3, 0x28], indexOfBytes(invalidUtf8Payload, utf8.encode('Maria')) + 2);
  add('claims-name-invalid-utf8', 'holder name bytes "Ma\\xc3\\x28a…" (invalid UTF-8, RFC 8949 §3.1), correctly signed; a lenient decoder would show U+FFFD', text(cose({ protectedHeader: kidHeader, payload: invalidUtf8Payload })), bad('MALFORMED'));
  add('claims-short-pass-id', 'a 4-byte cti (pass ids need at least 64 bits), correctly signed', text(passCose(claims(maria, 9, { cti: Uint8Array.of(1, 2, 3, 4) }))), bad('MALFORMED'));

  // ---- UNSUPPORTED_ALGORITHM
  add('alg-es256', 'protected header alg -7 (ES256) instead of EdDSA (-8)', text(cose({ protectedHeader: encodeCbor(new Map<CborValue, CborValue>([[1, -7], [4, active.kid]])), payload: mariaPayload })), bad('UNSUPPORTED_ALGORITHM'));
  add('alg-only-unprotected', 'alg EdDSA in the unprotected header only, correctly signed', text(cose({ protectedHeader: encodeCbor(new Map<CborValue, CborValue>([[4, active.kid]])), unprotected: new Map<CborValue, CborValue>([[1, COSE_ALG_EDDSA]]), payload: mariaPayload })), bad('UNSUPPORTED_ALGORITHM'));
  add('alg-only-unprotected-empty-protected', "empty protected header h'' (RFC 9052 §3), alg and kid unprotected, correctly signed", text(cose({ protectedHeader: new Uint8Array(0), unprotected: new Map<CborValue, CborValue>([[1, COSE_ALG_EDDSA], [4, active.kid]]), payload: mariaPayload })), bad('UNSUPPORTED_ALGORITHM'));

  // ---- UNKNOWN_KEY
  add('unknown-kid', 'signed by a key that is not in the trust bundle', text(passCose(mariaPass, unknown)), bad('UNKNOWN_KEY'));
  add('issuer-mismatch', 'signed by a bundle key of KDCA but claiming iss "MOHW"', text(passCose(claims(maria, 10, { iss: 'MOHW' }))), bad('UNKNOWN_KEY'));

  // ---- KEY_REVOKED
  add('key-revoked-status', 'signed by a key whose bundle status is revoked', text(passCose(claims(maria, 11), revoked)), bad('KEY_REVOKED'));
  add('key-revoked-listed', 'signed by a key listed in the bundle revokedKeys', text(passCose(claims(maria, 12), revokedListed)), bad('KEY_REVOKED'));

  // ---- BAD_SIGNATURE
  const tamperedPayload = Uint8Array.from(mariaPayload);
  const nameAt = indexOfBytes(tamperedPayload, utf8.encode('Maria'));
  tamperedPayload[nameAt] = 'N'.charCodeAt(0);
  const mariaSignature = signWith(active.privateKey, kidHeader, mariaPayload);
  add('tampered-payload', 'holder name changed from Maria to Naria after signing', text(cose({ protectedHeader: kidHeader, payload: tamperedPayload, signature: mariaSignature })), bad('BAD_SIGNATURE'));
  const flipped = Uint8Array.from(mariaSignature);
  flipped[5]! ^= 0x01;
  add('tampered-signature', 'one bit of R flipped in a valid signature', text(cose({ protectedHeader: kidHeader, payload: mariaPayload, signature: flipped })), bad('BAD_SIGNATURE'));
  add('tampered-protected-header', 'protected header re-encoded as {4: kid, 1: -8}: same meaning, different signed bytes', text(cose({ protectedHeader: concatBytes(Uint8Array.of(0xa2, 0x04, 0x48), active.kid, Uint8Array.of(0x01, 0x27)), payload: mariaPayload, signature: mariaSignature })), bad('BAD_SIGNATURE'));
  add('tampered-kid', 'kid swapped to another key in the bundle after signing', text(cose({ protectedHeader: encodeProtectedHeader(retired.kid), payload: mariaPayload, signature: mariaSignature })), bad('BAD_SIGNATURE'));
  add('signature-all-zero', 'a 64-byte all-zero signature', text(cose({ protectedHeader: kidHeader, payload: mariaPayload, signature: new Uint8Array(64) })), bad('BAD_SIGNATURE'));
  add('signature-s-not-reduced', 'a valid signature with S replaced by S + L (RFC 8032 §5.1.7: reject S >= L); lax verifiers accept it', text(cose({ protectedHeader: kidHeader, payload: mariaPayload, signature: addGroupOrder(mariaSignature) })), bad('BAD_SIGNATURE'));
  add('signature-wrong-key', 'signed by a key outside the bundle but labelled with the active key kid', text(cose({ protectedHeader: kidHeader, payload: mariaPayload, key: unknown.privateKey })), bad('BAD_SIGNATURE'));
  const smallOrderHeader = encodeProtectedHeader(smallOrderKid);
  add('small-order-key', 'the bundle lists the identity point as a key; R = identity, S = 0 satisfies the cofactorless equation for it, so only the small-order-key rule rejects it', text(cose({ protectedHeader: smallOrderHeader, payload: mariaPayload, signature: concatBytes(smallOrderPublic, new Uint8Array(32)) })), bad('BAD_SIGNATURE'));

  // ---- KEY_NOT_VALID_AT_ISSUE / KEY_EXPIRED
  add('signed-after-sign-until', 'signed on 2022-01-10 by a key whose sign-until is 2022-01-01', text(passCose(claims(hong, 13, { iat: at('2022-01-10T00:00:00Z'), nbf: at('2022-01-10T00:00:00Z') }), retired)), bad('KEY_NOT_VALID_AT_ISSUE'));
  add('signed-before-valid-from', 'iat 2020-06-01, before the active key became valid (2021-01-01)', text(passCose(claims(hong, 14, { iat: at('2020-06-01T00:00:00Z'), nbf: at('2020-06-01T00:00:00Z') }))), bad('KEY_NOT_VALID_AT_ISSUE'));
  add('key-past-verify-until', 'signed in 2020 by a key that stopped verifying on 2022-01-01', text(passCose(claims(hong, 15, { iat: at('2020-06-01T00:00:00Z'), nbf: at('2020-06-01T00:00:00Z') }), old)), bad('KEY_EXPIRED'));

  // ---- NOT_YET_VALID / EXPIRED
  add('iat-in-future', 'iat one hour after the scanner clock (tolerance 300 s)', text(passCose(claims(maria, 16, { iat: at(NOW) + 3600, nbf: at(NOW) + 3600 }))), bad('NOT_YET_VALID'));
  add('nbf-in-future', 'nbf one day after the scanner clock', text(passCose(claims(maria, 17, { nbf: at(NOW) + DAY }))), bad('NOT_YET_VALID'));
  add('expired', 'exp 2022-01-14, a day before the scan', text(passCose(claims(maria, 18, { iat: at('2021-06-01T00:00:00Z'), nbf: at('2021-06-01T00:00:00Z'), exp: at('2022-01-14T00:00:00Z') }))), bad('EXPIRED'));
  add('expired-clock-set-back', 'pass expired 2022-01-10; the device clock says 2022-01-01 but the bundle floor (2022-01-15) wins', text(passCose(claims(maria, 19, { iat: at('2021-06-01T00:00:00Z'), nbf: at('2021-06-01T00:00:00Z'), exp: at('2022-01-10T00:00:00Z') }))), bad('EXPIRED'), { now: '2022-01-01T00:00:00.000Z' });
  add('expired-at-exp-instant', 'scanned exactly at exp (exp is exclusive)', text(passCose(claims(maria, 20, { exp: at('2022-01-15T03:00:00Z') }))), bad('EXPIRED'));

  // ---- PASS_REVOKED
  add('pass-revoked', 'a valid pass whose cti has a 40-bit prefix listed in the bundle revokedPassPrefixes', text(passCose(claims(maria, 0xdead, { cti: REVOKED_PASS }))), bad('PASS_REVOKED'));
  const samePrefix = Uint8Array.from(REVOKED_PASS);
  samePrefix[7] = 0x02;
  add('pass-revoked-prefix-only', 'a pass whose cti shares only its first 40 bits with a revoked pass: revoked too (an issuer never signs two passes with one prefix)', text(passCose(claims(maria, 0xdeae, { cti: samePrefix }))), bad('PASS_REVOKED'));

  // ---- RULES_NOT_MET
  add('rules-primary-expired', 'reference Janssen pass: 1 dose on 2021-06-10, primary validity ended 2021-12-20', text(passCose(claims(janssen, 21))), bad('RULES_NOT_MET'));
  add('rules-primary-incomplete', 'one Pfizer dose of two', text(passCose(claims({ ...maria, type: 'vaccination', doses: maria.type === 'vaccination' ? maria.doses.slice(0, 1) : [] }, 22))), bad('RULES_NOT_MET'));
  add('rules-primary-too-early', '2nd dose on 2022-01-05: day 10 of 14', text(passCose(claims({ ...hong, type: 'vaccination', doses: [{ product: 1, date: day('2021-12-08') }, { product: 1, date: day('2022-01-05') }] }, 23))), bad('RULES_NOT_MET'));
  add('rules-unknown-product', 'a vaccine product code (99) the rules do not accept', text(passCose(claims({ ...hong, type: 'vaccination', doses: [{ product: 99, date: day('2021-06-03') }, { product: 99, date: day('2021-08-19') }] }, 24))), bad('RULES_NOT_MET'));
  add('rules-test-positive', 'a positive PCR test', text(passCose(claims({ ...pcr, test: { ...pcr.test, result: 'positive' } }, 25))), bad('RULES_NOT_MET'));
  add('rules-test-older-than-48h', 'negative PCR scanned exactly 48 h after sampling (the end is exclusive)', text(passCose(claims(pcr, 26))), bad('RULES_NOT_MET'), { now: new Date((pcr.test.sampledAt + 48 * 3600) * 1000).toISOString() });
  add('rules-test-rat-not-accepted', 'a negative rapid antigen test; the demo rules accept PCR only', text(passCose(claims({ ...pcr, test: { ...pcr.test, kind: 'RAT' } }, 27))), bad('RULES_NOT_MET'));
  add('rules-recovery-day-10', 'first positive test 2022-01-05: scanned on day 10, recovery counts from day 11', text(passCose(claims({ ...recovery, type: 'recovery', recovery: { firstPositiveTest: day('2022-01-05') } }, 28))), bad('RULES_NOT_MET'));
  add('rules-exemption-ended', 'exemption ended 2022-01-14 (KST); scanned 2022-01-15 12:00 KST', text(passCose(claims({ ...exemption, type: 'exemption', exemption: { validFrom: day('2021-07-01'), validUntil: day('2022-01-14') } }, 29))), bad('RULES_NOT_MET'));
  add('rules-changed-by-bundle', 'the valid primary-series pass under a bundle whose rules shorten primary validity to 90 days: policy changes without re-issuing', text(passCose(claims(hong, 2))), bad('RULES_NOT_MET'), { bundle: 'strict-rules' });

  // ---- date boundaries in Asia/Seoul (midnight KST = 15:00 UTC the day before), replayed by every runtime
  const sept = { bundle: 'september-2021' } as const;
  const earlyIat = { iat: at('2021-08-25T00:00:00Z'), nbf: at('2021-08-25T00:00:00Z') };
  const primaryAug = claims({ ...hong, type: 'vaccination', doses: [{ product: 1, date: day('2021-07-22') }, { product: 1, date: day('2021-08-19') }] }, 30, earlyIat);
  add('boundary-primary-day-13-last-second', '2nd dose 2021-08-19; 2021-09-01 23:59:59 KST is still day 13', text(passCose(primaryAug)), bad('RULES_NOT_MET'), { ...sept, now: '2021-09-01T14:59:59.000Z' });
  add('boundary-primary-day-14-midnight-kst', '2nd dose 2021-08-19; valid from 2021-09-02 00:00 KST = 2021-09-01T15:00:00Z (day 14)', text(passCose(primaryAug)), ok('vaccination', hong, 'vaccination.primary'), { ...sept, now: '2021-09-01T15:00:00.000Z' });
  const recoveryAug = claims({ ...recovery, type: 'recovery', recovery: { firstPositiveTest: day('2021-08-22') } }, 31, earlyIat);
  add('boundary-recovery-day-10-last-second', 'first positive test 2021-08-22; 2021-09-01 23:59:59 KST is day 10', text(passCose(recoveryAug)), bad('RULES_NOT_MET'), { ...sept, now: '2021-09-01T14:59:59.000Z' });
  add('boundary-recovery-day-11-midnight-kst', 'first positive test 2021-08-22; valid from 2021-09-02 00:00 KST (day 11)', text(passCose(recoveryAug)), ok('recovery', recovery, 'recovery'), { ...sept, now: '2021-09-01T15:00:00.000Z' });
  const pcrAug = claims({ ...pcr, test: { ...pcr.test, sampledAt: at('2021-08-31T06:00:00Z') } }, 32, { iat: at('2021-08-31T12:00:00Z'), nbf: at('2021-08-31T12:00:00Z') });
  add('boundary-pcr-48h-minus-one-second', 'PCR sampled 2021-08-31 15:00 KST, scanned 47:59:59 later', text(passCose(pcrAug)), ok('test', pcr, 'test'), { ...sept, now: '2021-09-02T05:59:59.000Z' });
  add('boundary-pcr-48h', 'PCR sampled 2021-08-31 15:00 KST, scanned exactly 48 h later', text(passCose(pcrAug)), bad('RULES_NOT_MET'), { ...sept, now: '2021-09-02T06:00:00.000Z' });

  // ---- bundle failures (the pass itself is valid)
  add('bundle-rollback', 'offered bundle v10 while holding v11', mariaText, bad('BUNDLE_ROLLBACK'), { heldBundle: 'newer' });
  add('bundle-same-version-same-content', 'offered bundle v10 again while holding exactly it', mariaText, ok('vaccination', maria, 'vaccination.booster'), { heldBundle: 'default' });
  add('bundle-same-version-other-content', 'offered a different bundle v10 (no revocations) while holding v10: a reset issuer must not un-revoke passes', mariaText, bad('BUNDLE_ROLLBACK'), { bundle: 'same-version-other-content', heldBundle: 'default' });
  add('bundle-format-v1', 'a correctly signed bundle in the retired format vaxpass-bundle/1 (hex pass ids)', mariaText, bad('BUNDLE_INVALID'), { bundle: 'format-v1' });
  add('bundle-uncertified-signer', 'bundle signer certified by a root other than the pinned one', mariaText, bad('BUNDLE_INVALID'), { bundle: 'uncertified-signer' });
  add('bundle-expired-signer-certificate', 'bundle signed while its signer certificate was valid, but the certificate expired on 2022-01-10', mariaText, bad('BUNDLE_INVALID'), { bundle: 'expired-signer-certificate' });
  add('bundle-unsigned', 'bundle JWS with alg "none" and no signature', mariaText, bad('BUNDLE_INVALID'), { bundle: 'unsigned' });
  add('bundle-tampered', 'bundle payload changed (version 99) after signing', mariaText, bad('BUNDLE_INVALID'), { bundle: 'tampered' });
  add('bundle-not-a-jws', 'bundle text that is not a JWS', mariaText, bad('BUNDLE_INVALID'), { bundle: 'not-a-jws' });
  add('bundle-expired', 'bundle that expired on 2022-01-12', mariaText, bad('BUNDLE_EXPIRED'), { bundle: 'expired' });
  add('bundle-expired-at-instant', 'scanned exactly at the bundle expiresAt (exclusive)', mariaText, bad('BUNDLE_EXPIRED'), { now: new Date(BUNDLE_EXPIRES_AT * 1000).toISOString() });

  // ---- IMPLAUSIBLE: correctly signed facts no person can have (each verified VALID before the check existed)
  addImplausibleVectors(add, { claims, passCose, text, day, bad, maria, hong, pcr, recovery, exemption, PASS_IAT });
  // A pass whose exp outlives its key: validUntil is capped at the key's verifyUntil (test/core/verify-limits.test.ts).
  // ---- names that could impersonate a verdict on the scanner screen (MALFORMED; docs/pass-format.md §4)
  add('name-emoji-verdict', 'holder name "✅ VALID - Kim" (a symbol and a verdict word), correctly signed', text(passCose(claims({ ...maria, name: '✅ VALID - Kim' }, 0x71))), bad('MALFORMED'));
  add('name-verdict-word-korean', 'holder name "김민준 유효" (the Korean verdict as a word), correctly signed', text(passCose(claims({ ...maria, name: '김민준 유효' }, 0x72))), bad('MALFORMED'));
  add('name-line-separator', 'holder name "Kim" U+2028 "VALID", correctly signed', text(passCose(claims({ ...maria, name: 'Kim\u2028VALID' }, 0x73))), bad('MALFORMED'));
  add('name-unassigned', 'holder name with an unassigned code point (U+0378), correctly signed', text(passCose(claims({ ...maria, name: 'Kim\u0378' }, 0x74))), bad('MALFORMED'));
  add('valid-until-capped-by-key', 'exp 2038-01-01 under a key that verifies until 2023-12-31 15:00 UTC; the booster rule has no end, so validUntil is the key verifyUntil', text(passCose(claims(maria, 0x70, { exp: at('2038-01-01T00:00:00Z') }))), ok('vaccination', maria, 'vaccination.booster'));

  return {
    format: VECTOR_FILE_FORMAT,
    provenance:
      'Generated by scripts/generate-vectors.ts (npm run vectors) from fixed TEST-ONLY Ed25519 seeds in that script; ' +
      'deterministic (re-running writes byte-identical output). Expected results are chosen by hand in the script and checked ' +
      'against the verifier before writing. Licence: same as the project (Apache-2.0).',
    root: { publicKey: toBase64Url(root.publicKey) },
    bundles,
    vectors,
  };
}

// ---- IMPLAUSIBLE vectors (appended; ids 0x60..)
interface ImplausibleKit {
  claims: (content: PassContent, n: number, over?: Partial<Pass>) => Pass;
  passCose: (pass: Pass) => Uint8Array;
  text: (bytes: Uint8Array) => string;
  day: (iso: string) => number;
  bad: (code: FailureCode) => ExpectedOutcome;
  maria: PassContent;
  hong: PassContent;
  pcr: PassContent;
  recovery: PassContent;
  exemption: PassContent;
  PASS_IAT: number;
}

type AddVector = (name: string, description: string, passText: string, expected: ExpectedOutcome, o?: { bundle?: string; heldBundle?: string | null; now?: string }) => void;

function addImplausibleVectors(add: AddVector, k: ImplausibleKit): void {
  const signed = (content: PassContent, n: number, over: Partial<Pass> = {}): string => k.text(k.passCose(k.claims(content, n, over)));
  const implausible = k.bad('IMPLAUSIBLE');
  if (k.pcr.type !== 'test' || k.hong.type !== 'vaccination') throw new Error('reference passes changed type');
  add('implausible-birth-after-issue', 'birth date 2030-01-01 on a pass issued 2022-01-15, correctly signed', signed({ ...k.maria, birthDate: k.day('2030-01-01') }, 0x60), implausible);
  add('implausible-dose-before-birth', 'born 2021-07-01, first dose 2021-06-03, correctly signed', signed({ ...k.hong, birthDate: k.day('2021-07-01') }, 0x61), implausible);
  add('implausible-dose-after-issue', 'a dose dated 2022-01-20 on a pass issued 2022-01-15, correctly signed', signed({ ...k.hong, doses: [...k.hong.doses, { product: 1, date: k.day('2022-01-20') }] }, 0x62), implausible);
  add('implausible-same-day-doses', 'doses 1 and 2 both on 2021-06-03, correctly signed', signed({ ...k.hong, doses: [{ product: 2, date: k.day('2021-06-03') }, { product: 2, date: k.day('2021-06-03') }] }, 0x63), implausible);
  add('implausible-test-sampled-after-issue', 'PCR sampled one hour after the pass was signed (tolerance 300 s), scanned two hours later', signed({ ...k.pcr, test: { ...k.pcr.test, sampledAt: k.PASS_IAT + 3600 } }, 0x64), implausible);
  add('implausible-test-before-birth', 'PCR sampled 2022-01-14, holder born 2022-01-15 (the issue day), correctly signed', signed({ ...k.pcr, birthDate: k.day('2022-01-15') }, 0x65), implausible);
  add('implausible-recovery-before-birth', 'first positive test 2021-12-20, holder born 2021-12-25, correctly signed', signed({ ...k.recovery, birthDate: k.day('2021-12-25') }, 0x66), implausible);
  add('implausible-recovery-after-issue', 'first positive test 2022-01-20 on a pass issued 2022-01-15, scanned 2022-02-05', signed({ ...k.recovery, type: 'recovery', recovery: { firstPositiveTest: k.day('2022-01-20') } }, 0x67), implausible, { now: '2022-02-05T03:00:00.000Z' });
  add('implausible-exemption-before-birth', 'exemption 2010-01-01 .. 2010-12-31 for a holder born 2015-05-05, correctly signed', signed({ ...k.exemption, birthDate: k.day('2015-05-05'), type: 'exemption', exemption: { validFrom: k.day('2010-01-01'), validUntil: k.day('2010-12-31') } }, 0x68), implausible);
}

// ---- hand-crafted hostile bytes

/** A bundle JWS over any JSON payload (signTrustBundle always writes the current format). */
async function signRawBundle(payload: Record<string, unknown>, signer: { privateKey: KeyObject; kid: string; certificate: string }): Promise<string> {
  const header = toBase64Url(utf8.encode(JSON.stringify({ alg: 'EdDSA', typ: BUNDLE_JWS_TYPE, kid: signer.kid, cert: signer.certificate })));
  const body = toBase64Url(utf8.encode(JSON.stringify(payload)));
  return `${header}.${body}.${toBase64Url(sign(null, utf8.encode(`${header}.${body}`), signer.privateKey))}`;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('byte pattern not found');
}

/** The claims map with one more entry for key 1 (iss): a duplicate map key. */
function duplicateIss(payload: Uint8Array): Uint8Array {
  if (payload[0] !== 0xa6) throw new Error('expected a 6-entry claims map');
  return concatBytes(Uint8Array.of(0xa7), payload.subarray(1), encodeCbor(1), encodeCbor('EVIL'));
}

function addClaim(payload: Uint8Array): Uint8Array {
  if (payload[0] !== 0xa6) throw new Error('expected a 6-entry claims map');
  return concatBytes(Uint8Array.of(0xa7), payload.subarray(1), encodeCbor(8), encodeCbor(1));
}

/** Replaces `06 1a <iat:4>` (claim 6 = iat) by the non-minimal `06 1b 00000000 <iat:4>`. */
function widenIat(payload: Uint8Array, iat: number): Uint8Array {
  const minimal = Uint8Array.of(0x06, 0x1a, iat >>> 24, (iat >>> 16) & 0xff, (iat >>> 8) & 0xff, iat & 0xff);
  const i = indexOfBytes(payload, minimal);
  return concatBytes(payload.subarray(0, i), Uint8Array.of(0x06, 0x1b, 0, 0, 0, 0), minimal.subarray(2), payload.subarray(i + minimal.length));
}

/** Replaces `06 1a <iat:4>` by `06 fb <iat as an IEEE 754 double>`. */
function floatIat(payload: Uint8Array, iat: number): Uint8Array {
  const minimal = Uint8Array.of(0x06, 0x1a, iat >>> 24, (iat >>> 16) & 0xff, (iat >>> 8) & 0xff, iat & 0xff);
  const i = indexOfBytes(payload, minimal);
  const double = new Uint8Array(8);
  new DataView(double.buffer).setFloat64(0, iat);
  return concatBytes(payload.subarray(0, i), Uint8Array.of(0x06, 0xfb), double, payload.subarray(i + minimal.length));
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function addGroupOrder(signature: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  s += L;
  if (s >= 2n ** 256n) throw new Error('S + L does not fit in 32 bytes');
  const out = Uint8Array.from(signature);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

function findSpaceBody(text: string): string {
  if (!text.slice(4).includes(' ')) throw new Error('reference pass text has no space to URL-encode');
  return text;
}

function unsignedBundle(jws: string): string {
  const [h, p] = jws.split('.') as [string, string];
  const header = JSON.parse(new TextDecoder().decode(fromBase64Url(h)!)) as Record<string, unknown>;
  const none = toBase64Url(utf8.encode(JSON.stringify({ ...header, alg: 'none', typ: BUNDLE_JWS_TYPE })));
  return `${none}.${p}.`;
}

function tamperedBundle(jws: string): string {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const doc = JSON.parse(new TextDecoder().decode(fromBase64Url(p)!)) as Record<string, unknown>;
  return `${h}.${toBase64Url(utf8.encode(JSON.stringify({ ...doc, version: 99 })))}.${s}`;
}

// ---- self-check: the verifier must agree with every hand-chosen expectation

export async function selfCheck(file: VectorFile): Promise<string[]> {
  const problems: string[] = [];
  const backend = createNodeCryptoBackend();
  const names = new Set<string>();
  for (const vector of file.vectors) {
    if (names.has(vector.name)) problems.push(`duplicate vector name ${vector.name}`);
    names.add(vector.name);
    const result = await replayVector(vector, file, backend);
    const why = mismatch(result, vector.expected);
    if (why) problems.push(`${vector.name}: ${why}`);
  }
  for (const code of FAILURE_CODES) {
    if (FOREIGN_ONLY_FAILURE_CODES.has(code)) continue;
    if (!file.vectors.some((v) => !v.expected.ok && v.expected.code === code)) problems.push(`no vector for failure code ${code}`);
  }
  for (const type of ['vaccination', 'test', 'recovery', 'exemption']) {
    if (!file.vectors.some((v) => v.expected.ok && v.expected.passType === type)) problems.push(`no valid vector of type ${type}`);
  }
  return problems;
}

export function serializeVectorFile(file: VectorFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('Usage: npm run vectors -- [--out FILE]\nWrites the vaxpass test vectors (default test/vectors/vaxpass-v1.json) after checking each against the verifier.\n');
    return;
  }
  const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(values.out ?? resolve(projectRoot, DEFAULT_OUT));
  const file = await buildVectorFile();
  const problems = await selfCheck(file);
  if (problems.length > 0) {
    process.stderr.write(`vectors: ${problems.length} expectation(s) disagree with the verifier; nothing written:\n  ${problems.join('\n  ')}\n`);
    process.exitCode = 1;
    return;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, serializeVectorFile(file));
  process.stdout.write(`vectors: wrote ${file.vectors.length} vectors and ${Object.keys(file.bundles).length} bundles to ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`vectors: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
