// Browser tests need dist/apps. `npm test` has no build step, so the first browser test file to
// run builds the apps (about 2 s) when the sources are newer than the last build; a lock
// directory keeps parallel test files from building into the same folder at once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const STAMP = join(ROOT, 'dist/apps/.build-stamp');
const LOCK = join(ROOT, 'dist/.apps-build-lock');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function upToDate(): boolean {
  if (!existsSync(STAMP) || !existsSync(join(ROOT, 'dist/apps/holder/index.html')) || !existsSync(join(ROOT, 'dist/apps/scanner/index.html'))) return false;
  const sources = Math.max(newestMtime(join(ROOT, 'src/apps')), newestMtime(join(ROOT, 'src/core')), statSync(join(ROOT, 'package-lock.json')).mtimeMs);
  return statSync(STAMP).mtimeMs >= sources;
}

export async function ensureAppsBuilt(): Promise<void> {
  if (upToDate()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than a build can take was left by a killed run.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 60_000) rmdirSync(LOCK);
      if (Date.now() > deadline) throw new Error(`${LOCK} held for 2 minutes; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (upToDate()) return;
    const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
    for (const app of ['holder', 'scanner']) {
      execFileSync(process.execPath, [vite, 'build', '-c', 'src/apps/vite.config.ts', '--mode', app], { cwd: ROOT, stdio: 'pipe' });
    }
    writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  } finally {
    rmdirSync(LOCK);
  }
}
