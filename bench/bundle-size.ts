// Trust bundle size and sync cost: what a scanner downloads and how long opening it takes, with
// one issuer key and 0 / 10,000 / 100,000 / 1,000,000 revoked passes (vaxpass-bundle/2: 40-bit
// prefixes, Rice-coded; docs/pass-format.md §6.4), next to what the same revocations took as the
// hex list of vaxpass-bundle/1; and the signed revocation delta a scanner can fetch instead
// (src/core/revocation-delta.ts) for a day's new revocations.
// Opening = the core's openBundle (two Ed25519 verifications, JSON parse, structural checks) with
// the node:crypto and the WebCrypto (Node's globalThis.crypto) backends. Baselines in the same
// run: JSON.parse of the same payload, and one raw node:crypto Ed25519 verify.
// Usage: npx tsx bench/bundle-size.ts
import { generateKeyPairSync, sign, verify as cryptoVerify } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { applyRevocationDelta, createWebCryptoBackend, openBundle, RevokedPassSet, type Ed25519Backend, type TrustedBundle } from '../src/core/index.ts';
import { createNodeCryptoBackend } from '../src/node/node-crypto-backend.ts';
import { createTrustFixture, randomPassIds } from '../test/support/trust-fixture.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (n: number) => (n >= 10_240 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);

async function timeIt(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < Math.min(3, runs); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  const fixture = await createTrustFixture();
  const now = new Date(fixture.now * 1000);
  const backends: Ed25519Backend[] = [createNodeCryptoBackend(), createWebCryptoBackend()];
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const sig = sign(null, Buffer.alloc(256, 1), privateKey);
  const rawVerifyMs = await timeIt(2000, () => cryptoVerify(null, Buffer.alloc(256, 1), publicKey, sig));
  console.log(`baseline: raw node:crypto Ed25519 verify ${(rawVerifyMs * 1000).toFixed(0)} µs`);
  console.log('');
  console.log('full bundle (1 issuer key, default rules):');
  console.log('revocations | bytes | gzip -6 | brotli | v1 hex list alone (bytes, gzip) | open node:crypto | open WebCrypto | JSON.parse baseline | lookup (binary search)');
  const opened = new Map<number, TrustedBundle>();
  for (const revocations of [0, 10_000, 100_000, 1_000_000]) {
    const ids = randomPassIds(revocations);
    const text = await fixture.bundle({ version: 10, revokedPasses: ids });
    // What vaxpass-bundle/1 carried for the same revocations: the hex list, base64url in the JWS payload.
    const v1List = Buffer.from(JSON.stringify({ revokedPasses: ids })).toString('base64url');
    const bytes = Buffer.byteLength(text);
    const gzip = gzipSync(text).length;
    const brotli = brotliCompressSync(text).length;
    const runs = revocations >= 1_000_000 ? 3 : revocations >= 100_000 ? 10 : 30;
    const times: number[] = [];
    for (const backend of backends) {
      times.push(
        await timeIt(runs, async () => {
          const r = await openBundle(text, { root: fixture.rootPublicKey, now, backend });
          if (!r.ok) throw new Error(r.message);
          opened.set(revocations, r.bundle);
        }),
      );
    }
    const payload = Buffer.from(text.split('.')[1]!, 'base64url').toString('utf8');
    const parseMs = await timeIt(runs, () => JSON.parse(payload));
    const set = opened.get(revocations)!.revokedPasses;
    const probes = randomPassIds(10_000);
    const lookupNs = ((await timeIt(10, () => probes.forEach((id) => set.has(id)))) * 1e6) / probes.length;
    console.log(
      `${String(revocations).padStart(11)} | ${kb(bytes)} | ${kb(gzip)} | ${kb(brotli)} | ${kb(v1List.length)}, ${kb(gzipSync(v1List).length)} | ${times[0]!.toFixed(2)} ms | ${times[1]!.toFixed(2)} ms | ${parseMs.toFixed(2)} ms (open = ${(times[0]! / parseMs).toFixed(1)}× parse) | ${lookupNs.toFixed(0)} ns (hex id)`,
    );
  }
  console.log('');
  console.log('revocation delta (signed, from the held version to the next) applied to a bundle holding 100,000 revocations:');
  // Same-run baseline for the apply: re-coding the whole resulting set, which is what applying a
  // delta did before it re-coded only the blocks the delta touches (O(all) instead of O(delta)).
  console.log('new revocations | bytes | gzip -6 | apply node:crypto | whole-set re-code (the former apply cost, baseline) | vs full 100k bundle gzip');
  const held = opened.get(100_000)!;
  const fullGzip = gzipSync(await fixture.bundle({ version: 11, extraRevocations: 100_000 })).length;
  for (const count of [1, 100, 1_000, 10_000]) {
    const ids = randomPassIds(count);
    const delta = await fixture.delta(10, 11, ids);
    const union = held.revokedPasses.union(RevokedPassSet.fromPassIds(ids));
    const recodeMs = await timeIt(10, () => union.encode());
    const bytes = Buffer.byteLength(delta);
    const gzip = gzipSync(delta).length;
    const applyMs = await timeIt(10, async () => {
      const r = await applyRevocationDelta(held, delta, { root: fixture.rootPublicKey, now });
      if (!r.ok) throw new Error(r.message);
    });
    console.log(`${String(count).padStart(15)} | ${kb(bytes)} | ${kb(gzip)} | ${applyMs.toFixed(2)} ms | ${recodeMs.toFixed(2)} ms (apply = ${(applyMs / recodeMs).toFixed(2)}× that) | ${(gzip / fullGzip * 100).toFixed(2)} % of ${kb(fullGzip)}`);
  }
  console.log('');
  console.log('conditional GET with an unchanged bundle: 304 Not Modified, no body (headers only).');
}

await main();
