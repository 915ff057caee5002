// npm run bench: every benchmark in bench/*.ts, one after another, each in its own process (fresh
// JIT state, nothing else running in it). The benchmarks print their own figures and ratios.
//   npm run bench                               all of them
//   npm run bench -- qr-size verify-throughput  just these
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((name) => name.endsWith('.ts') && name !== 'run-all.ts')
  .map((name) => name.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`run-all: unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}

const failed: string[] = [];
for (const name of wanted.length > 0 ? wanted : available) {
  process.stderr.write(`\n=== bench/${name}.ts\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) process.stderr.write(`\nfailed: ${failed.join(', ')}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
