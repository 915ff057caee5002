// Size of each web app as shipped (dist/apps/<app>): raw and gzip (-6, what a server would send),
// split into what loads at start and what loads only on demand (jsQR: only when zxing-wasm is
// unavailable). Builds the apps first when the sources are newer than the last build.
// Usage: npx tsx bench/app-size.ts
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { APPS_DIR } from '../test/support/app-test-server.ts';
import { ensureAppsBuilt } from '../test/support/build-apps.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

await ensureAppsBuilt();
for (const app of ['holder', 'scanner']) {
  const dir = join(APPS_DIR, app);
  const byKind = new Map<string, { raw: number; gzip: number }>();
  let total = { raw: 0, gzip: 0 };
  let onDemand = { raw: 0, gzip: 0 };
  for (const file of files(dir)) {
    const body = readFileSync(file);
    const size = { raw: body.length, gzip: gzipSync(body).length };
    const name = relative(dir, file);
    const kind = name === 'sw.js' ? 'service worker' : extname(file).slice(1) || 'other';
    const entry = byKind.get(kind) ?? { raw: 0, gzip: 0 };
    byKind.set(kind, { raw: entry.raw + size.raw, gzip: entry.gzip + size.gzip });
    total = { raw: total.raw + size.raw, gzip: total.gzip + size.gzip };
    if (/jsQR/i.test(name)) onDemand = { raw: onDemand.raw + size.raw, gzip: onDemand.gzip + size.gzip };
  }
  console.log(`${app}: total ${kib(total.raw)} raw, ${kib(total.gzip)} gzip`);
  for (const [kind, s] of [...byKind].sort()) console.log(`  ${kind.padEnd(15)} ${kib(s.raw).padStart(10)} raw ${kib(s.gzip).padStart(10)} gzip`);
  if (onDemand.raw > 0) console.log(`  (jsQR, ${kib(onDemand.gzip)} gzip, runs only as the fallback decoder; the service worker still precaches it for offline use)`);
}
