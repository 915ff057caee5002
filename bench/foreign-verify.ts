// Foreign-format verification rate: full offline verify() of real EU DCC, SMART Health Card and
// NZ COVID Pass vectors (../shared/interop) against the raw ES256/PS256 verification of the same
// signed bytes with the same library, interleaved in the same run, with node:crypto and WebCrypto.
// Also the QR version each text needs at error-correction level M.
//   npx tsx bench/foreign-verify.ts        (BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_WARMUP_MS tune it)
import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { loadavg } from 'node:os';
import QRCode, { type QRCodeSegment } from 'qrcode';
import { fromBase64Url, utf8 } from '../src/core/bytes.ts';
import { decodeBase45 } from '../src/core/base45.ts';
import type { ForeignAlgorithm, PublicJwk } from '../src/core/crypto/foreign-signature-backend.ts';
import { createWebCryptoBackend } from '../src/core/crypto/webcrypto-backend.ts';
import { decodeBase32 } from '../src/core/foreign/base32.ts';
import { boundedInflate } from '../src/core/foreign/bounded-inflate.ts';
import { parseForeignCose } from '../src/core/foreign/foreign-cose.ts';
import { shcTextsToJws } from '../src/core/foreign/shc-numeric.ts';
import { openBundle, type TrustedBundle } from '../src/core/trust-bundle.ts';
import { verify, type VerifyOptions } from '../src/core/verify-pass.ts';
import type { Ed25519Backend } from '../src/core/crypto/ed25519-backend.ts';
import { createNodeCryptoBackend } from '../src/node/node-crypto-backend.ts';
import { bundleForRecord, createBundleMaker, INTEROP_SKIP_MESSAGE, interopAvailable, loadInterop, type InteropRecord } from '../test/support/interop-vectors.ts';
import { compare, formatPercent, formatRate, table } from './support/measure.ts';

const CASES: readonly { readonly label: string; readonly id: string }[] = [
  { label: 'EU DCC ES256', id: 'eu-dcc/AT/1' },
  { label: 'EU DCC PS256', id: 'eu-dcc/common/CO1' },
  { label: 'SHC, 1 QR', id: 'shc/example-00' },
  { label: 'SHC, 3 QR chunks', id: 'shc/example-02' },
  { label: 'NZCP', id: 'nzcp/valid' },
];

interface Signed {
  readonly algorithm: ForeignAlgorithm;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly key: PublicJwk;
}

async function signedBytes(record: InteropRecord, bundle: TrustedBundle): Promise<Signed> {
  const foreign = bundle.foreign!;
  if (record.format === 'shc') {
    const joined = shcTextsToJws(Array.isArray(record.qrText) ? record.qrText : [record.qrText]);
    if (!joined.ok) throw new Error(joined.message);
    const [h, p, s] = joined.jws.split('.') as [string, string, string];
    const kid = (JSON.parse(utf8.decode(fromBase64Url(h)!)!) as { kid: string }).kid;
    const key = foreign.trust.shc.flatMap((i) => i.keys).find((k) => k.kid === kid)!.key;
    return { algorithm: 'ES256', message: utf8.encode(`${h}.${p}`), signature: fromBase64Url(s)!, key };
  }
  const text = record.qrText as string;
  const bytes = record.format === 'nzcp' ? decodeBase32(text, 8)! : await boundedInflate(decodeBase45(text, 4)!, 'deflate').then((r) => (r.ok ? r.bytes : null));
  const cose = parseForeignCose(bytes!, { requireTag18: record.format === 'nzcp' });
  if (!cose.ok) throw new Error(cose.message);
  const key =
    record.format === 'nzcp'
      ? foreign.trust.nzcp[0]!.keys.find((k) => k.kid === utf8.decode(cose.value.kid!))!.key
      : foreign.euByKid.get(Buffer.from(cose.value.kid!).toString('base64'))![0]!.key;
  return { algorithm: cose.value.algorithm!, message: cose.value.signedBytes, signature: cose.value.signature, key };
}

function nodeRaw(s: Signed): () => boolean {
  const key: KeyObject = createPublicKey({ key: { ...s.key }, format: 'jwk' });
  return s.algorithm === 'ES256'
    ? () => nodeVerify('sha256', s.message, { key, dsaEncoding: 'ieee-p1363' }, s.signature)
    : () => nodeVerify('sha256', s.message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, s.signature);
}

async function webRaw(s: Signed): Promise<() => Promise<boolean>> {
  const subtle = globalThis.crypto.subtle;
  const jwk = { ...s.key } as JsonWebKey;
  const key = await subtle.importKey('jwk', jwk, s.algorithm === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
  const params = s.algorithm === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSA-PSS', saltLength: 32 };
  return () => subtle.verify(params, key, s.signature as Uint8Array<ArrayBuffer>, s.message as Uint8Array<ArrayBuffer>);
}

function qrVersionsAtM(text: string | string[]): string {
  const texts = Array.isArray(text) ? text : [text];
  return texts
    .map((t) => {
      // SHC: the prefix in byte mode, the digits in numeric mode, as the SHC spec prescribes.
      const split = /^(shc:\/(?:\d+\/\d+\/)?)(\d+)$/.exec(t);
      const data: string | QRCodeSegment[] = split ? [{ data: Buffer.from(split[1]!), mode: 'byte' }, { data: split[2]!, mode: 'numeric' }] : t;
      return `V${QRCode.create(data, { errorCorrectionLevel: 'M' }).version}`;
    })
    .join(' + ');
}

async function main(): Promise<void> {
  if (!interopAvailable) {
    console.log(INTEROP_SKIP_MESSAGE);
    return;
  }
  const maker = await createBundleMaker();
  const records = new Map((['eu-dcc', 'shc', 'nzcp'] as const).flatMap((f) => loadInterop(f)).map((r) => [r.id, r]));
  const rows: string[][] = [];
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  for (const { label, id } of CASES) {
    const record = records.get(id)!;
    const now = new Date(record.validationTime);
    const options: VerifyOptions = { now };
    for (const [backendName, backend] of [['node:crypto', createNodeCryptoBackend()], ['webcrypto', createWebCryptoBackend()]] as [string, Ed25519Backend][]) {
      const opened = await openBundle(await bundleForRecord(maker, record), { root: maker.root, now, backend });
      if (!opened.ok) throw new Error(opened.message);
      const first = await verify(record.qrText, opened.bundle, options);
      if (!first.ok) throw new Error(`${id}: ${first.code} ${first.message}`);
      const signed = await signedBytes(record, opened.bundle);
      const raw = backendName === 'node:crypto' ? nodeRaw(signed) : await webRaw(signed);
      if (!(await raw())) throw new Error(`${id}: raw verify failed`);
      const result = await compare({ name: 'raw', run: raw }, { name: 'full', run: () => verify(record.qrText, opened.bundle, options) });
      rows.push([label, backendName, signed.algorithm, formatRate(result.baseline.opsPerSecond), formatRate(result.subject.opsPerSecond), formatPercent(result.ratio), qrVersionsAtM(record.qrText)]);
    }
  }
  console.log(`\nforeign-format verification — ${new Date().toISOString()}, Node ${process.version}, ${process.arch}, load average ${load}`);
  console.log('raw = the same signed bytes verified with the same library; full = verify() from src/core (decode, decompress, CBOR/JSON, trust lookup, signature, times, policy)');
  console.log('ops/s = median operations per CPU-second of this process over interleaved rounds; full/raw = median of ratios of back-to-back rounds\n');
  console.log(table(['pass', 'backend', 'alg', 'raw ops/s', 'full ops/s', 'full/raw', 'QR at M'], rows));
}

await main();
