// `PRAGMA quick_check` at start: a page damaged on disk is found before the issuer says it is
// ready, rather than by the request that happens to read it. The check reads the whole file, so it
// runs on its own connection in a worker thread with a time budget: on a database too large to
// check within it, the start goes on (and says so) instead of being held up indefinitely.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type QuickCheckResult = { readonly status: 'ok' } | { readonly status: 'damaged'; readonly problem: string } | { readonly status: 'skipped'; readonly reason: string };

// CommonJS on purpose: an eval'd worker runs as a script, where require() loads the native driver.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  const rows = db.pragma('quick_check(1)', { simple: false });
  parentPort.postMessage({ problem: rows.length === 1 && rows[0].quick_check === 'ok' ? null : String(rows[0] && rows[0].quick_check) });
} catch (error) {
  parentPort.postMessage({ problem: error && error.code ? error.code : 'the file cannot be read as a database' });
} finally {
  if (db) db.close();
}
`;

export function quickCheck(path: string, budgetMs: number): Promise<QuickCheckResult> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((done) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { path, driver } });
    const timer = setTimeout(() => {
      // The native call cannot be interrupted; let it finish in the background without holding the process.
      worker.unref();
      void worker.terminate();
      done({ status: 'skipped', reason: `not finished within ${budgetMs} ms` });
    }, budgetMs);
    worker.once('message', (m: { problem: string | null }) => {
      clearTimeout(timer);
      // SQLite's report spans lines ("*** in database main ***\nTree 4 page 4: …"): keep it to one.
      const problem = m.problem?.replace(/\*\*\* in database \w+ \*\*\*/g, '').split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
      done(m.problem === null ? { status: 'ok' } : { status: 'damaged', problem: problem || 'damaged' });
    });
    worker.once('error', (error: Error & { code?: string }) => {
      clearTimeout(timer);
      done({ status: 'skipped', reason: `the check could not run (${error.code ?? error.name})` });
    });
  });
}
