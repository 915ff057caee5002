// Child process for bench/publication.ts: the issuer on a temp SQLite file whose log holds N
// revoked passes, served on a real port once its bundle is published (the baseline is
// bench/support/scale-baseline.ts, shared with bench/scale.ts). Before serving, the issuer measures what publishing one
// more revocation costs (the admin route's transaction, then the publisher's next version).
// Prints one JSON line with what the client needs.
//   tsx bench/support/publication-bench-server.ts issuer <revocations>
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDatabase } from '../../src/db/open-database.ts';
import { latestBundleVersion } from '../../src/db/queries/bundle-versions.ts';
import { insertRevocation, insertRevocations } from '../../src/db/queries/revocations.ts';
import { initKeyDirectory, loadKeyDirectory } from '../../src/keys/key-directory.ts';
import { systemClock } from '../../src/server/clock.ts';
import { testConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/create-app.ts';
import { listen } from '../../src/server/listen.ts';
import type { AddressInfo } from 'node:net';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

{
  const count = Number(process.argv[3] ?? 0);
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-bench-'));
  const now = Math.floor(Date.now() / 1000);
  const db = openDatabase(join(dir, 'vaxpass.sqlite'));
  await initKeyDirectory(join(dir, 'keys'), { now: now - 86_400 });
  // The rows only live for the insert: kept in scope, 1 M of them would stay on the heap the 304s are measured with.
  const rows = () => Array.from({ length: count }, () => ({ kind: 'pass' as const, subject: randomBytes(8).toString('hex'), revokedAt: now, revokedBy: 'bench', bundleVersion: 1 }));
  await db.transaction((tx) => insertRevocations(tx, rows()));
  const app = createApp({ db, signer: loadKeyDirectory(join(dir, 'keys')), clock: systemClock, config: testConfig({ logLevel: 'silent' }) });

  let started = performance.now();
  const first = await app.publisher.current();
  const coldMs = performance.now() - started;

  // One more revocation at a time, as the admin route does it: one transaction, then the next version.
  const publishMs: number[] = [];
  const publishCpuMs: number[] = [];
  let held = first;
  for (let i = 0; i < 7; i++) {
    const cpu = process.cpuUsage();
    started = performance.now();
    await db.transaction(async (tx) => {
      const bundleVersion = (await latestBundleVersion(tx)) + 1;
      await insertRevocation(tx, { kind: 'pass', subject: randomBytes(8).toString('hex'), revokedAt: now, revokedBy: 'bench', bundleVersion });
    });
    app.publisher.invalidate();
    const next = await app.publisher.current();
    publishMs.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    publishCpuMs.push((used.user + used.system) / 1000);
    if (next.version <= held.version) throw new Error('publication did not make a new version');
    if (i < 6) held = next;
  }
  const bundle = await app.publisher.current();
  const delta = await app.publisher.delta(bundle, held.version);
  // The issuer's own listener (src/server/listen.ts), with its node front, as main.ts starts it.
  void listen(app.fetch, 0, '127.0.0.1', app.nodeFront).then((server) => {
    const info = server.address() as AddressInfo;
    print({
      url: `http://127.0.0.1:${info.port}/api/v1/trust-bundle`,
      deltaUrl: `http://127.0.0.1:${info.port}/api/v1/trust-bundle/revocations?since=${held.version}`,
      etag: bundle.etag,
      deltaEtag: delta.etag,
      bytes: Buffer.byteLength(bundle.jws),
      gzip: gzipSync(bundle.jws).length,
      deltaBytes: Buffer.byteLength(delta.jws),
      deltaGzip: gzipSync(delta.jws).length,
      coldMs,
      publishMs: median(publishMs),
      publishCpuMs: median(publishCpuMs),
      rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    });
  });
  process.on('SIGTERM', () => {
    void db.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}
