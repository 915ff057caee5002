// Child process for bench/issuance-throughput.ts: either the real issuer (createApp on a temp
// SQLite file with synchronous=FULL, dev keys, the demo registry, one partner) or the baseline, a
// plain node:http server answering a fixed JSON. Prints one JSON line with what the client needs.
//   tsx bench/support/issuer-bench-server.ts issuer|baseline
import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database.ts';
import { createPartner } from '../../src/db/queries/partners.ts';
import { seedDemoRegistry } from '../../src/demo/seed-demo-registry.ts';
import { initKeyDirectory, loadKeyDirectory } from '../../src/keys/key-directory.ts';
import { systemClock } from '../../src/server/clock.ts';
import { testConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/create-app.ts';

const mode = process.argv[2];
if (mode === 'baseline') {
  const body = JSON.stringify({ ok: true, note: 'fixed response' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-bench-'));
  const now = Math.floor(Date.now() / 1000);
  const db = openDatabase(join(dir, 'vaxpass.sqlite'));
  await initKeyDirectory(join(dir, 'keys'), { now });
  await seedDemoRegistry(db, now);
  const { apiKey } = await db.transaction((tx) => createPartner(tx, { id: 'bench', name: 'Bench', now, quotaPerMinute: 100_000_000 }));
  const app = createApp({ db, signer: loadKeyDirectory(join(dir, 'keys')), clock: systemClock, config: testConfig({ logLevel: 'silent', holderQuotaPerMinute: 100_000_000 }) });
  const token = await app.devIdp!.issueToken('http://127.0.0.1/dev-idp', 'demo-0001', now);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}`, apiKey, token })}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}
