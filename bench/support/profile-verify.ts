// Profiling aid: loops full verification of one reference pass so `node --cpu-prof` can show
// where the time beyond the signature check goes.
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/support/profile-verify.ts [pass-id] [seconds]
import { verify } from '../../src/core/index.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { createFixture } from './fixture.ts';

const fixture = await createFixture();
const id = process.argv[2] ?? 'vaccination-2-doses-korean-name';
const seconds = Number(process.argv[3] ?? 5);
const pass = fixture.passes.find((p) => p.id === id);
if (!pass) throw new Error(`unknown pass ${id}`);
const bundle = await fixture.open(createNodeCryptoBackend());
const end = performance.now() + seconds * 1000;
let n = 0;
while (performance.now() < end) {
  await verify(pass.text, bundle, { now: fixture.now });
  n++;
}
console.log(`${n} verifications in ${seconds} s: ${Math.round(n / seconds)} /s`);
