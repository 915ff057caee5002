// The issuer as `npm start` runs it (startServer), over real HTTP on 127.0.0.1, port 0.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { startServer, type RunningServer } from '../../src/server/main.ts';
import { devPersonProof } from '../support/dev-person-proof.ts';
import { signInThroughProvider } from '../support/sign-in-through-provider.ts';

const run = promisify(execFile);
const ADMIN = 'real-port-admin-token-0123456789abcdef';
let dir: string;
let server: RunningServer;
let apiKey: string;
const logs: string[] = [];
const banner: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-server-'));
  server = await startServer({
    // A long queue wait: these tests are about answers over a real socket (idempotency, problem
    // bodies), not admission control, whose 50 ms default sheds some of 16 simultaneous issuances
    // on a busy CI machine (admission has its own tests).
    env: { VAXPASS_MAX_QUEUE_WAIT_MS: '10000', PORT: '0', VAXPASS_DB: join(dir, 'vaxpass.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', VAXPASS_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'info', VAXPASS_APPS_DIR: join(dir, 'no-apps') },
    print: (line) => void banner.push(line),
    writeLog: (line) => void logs.push(line),
  });
  apiKey = server.demoPartnerApiKey!;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The demo partner issues with the person's proof of sign-in (the body's personId names that person). */
const issue = async (body: string, idempotencyKey: string, extra: Record<string, string> = {}) => {
  const personId = /"personId":"([^"]+)"/.exec(body)?.[1];
  if (personId) {
    const idToken = (proofs[`${personId}/${idempotencyKey}`] ??= devPersonProof(server.devIdpIssuer!, 'demo-portal', personId));
    body = body.replace(/^\{/, `{"idToken":"${await idToken}",`);
  }
  return fetch(`${server.url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey, ...extra }, body });
};
const proofs: Record<string, Promise<string>> = {};

async function holderPasses(personId: string) {
  const cookie = await signInThroughProvider(server.url, personId);
  const res = await fetch(`${server.url}/api/v1/holder/passes`, { headers: { Cookie: cookie } });
  return { cookie, res, body: (await res.json()) as { passes: { passId: string; text: string }[] } };
}

async function verifyWithCli(text: string): Promise<{ code: number; stdout: string }> {
  const bundle = join(dir, `bundle-${Date.now()}.jws`);
  writeFileSync(bundle, await (await fetch(`${server.url}/api/v1/trust-bundle`)).text());
  try {
    const { stdout } = await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'verify', text, '--bundle', bundle, '--root', join(dir, 'keys', 'root.public.jwk'), '--json']);
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('startServer on a real port', () => {
  it('starts with no configuration beyond paths: keys, migrations, demo data, printed URLs and demo partner key', async () => {
    expect(banner.join('\n')).toContain(`${server.url}/holder/`);
    expect(banner.join('\n')).toContain('DEV ONLY');
    expect(apiKey).toMatch(/^vxp_[A-Za-z0-9_-]{43}$/);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/api/v1/holder/session`)).json()).toEqual({ signedIn: false, signInAvailable: true });
  });

  it('passes from the holder API and the partner API verify with `vaxpass verify`, and stop verifying once revoked', async () => {
    const holder = await holderPasses('demo-0001');
    expect(holder.res.status).toBe(200);
    const partnerRes = await issue('{"personId":"demo-0002"}', 'e2e-cli-0001');
    expect(partnerRes.status).toBe(201);
    const partnerPass = (await partnerRes.json()) as { passId: string; text: string };
    const holderPass = holder.body.passes[0]!;

    const [h, p] = await Promise.all([verifyWithCli(holderPass.text), verifyWithCli(partnerPass.text)]);
    expect(h.code, h.stdout).toBe(0);
    expect(p.code, p.stdout).toBe(0);
    expect(JSON.parse(h.stdout)).toMatchObject({ verdict: 'valid', passId: holderPass.passId });

    for (const passId of [holderPass.passId, partnerPass.passId]) {
      const res = await fetch(`${server.url}/api/v1/admin/revocations/passes`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ passId }) });
      expect(res.status).toBe(201);
    }
    const [h2, p2] = await Promise.all([verifyWithCli(holderPass.text), verifyWithCli(partnerPass.text)]);
    expect(h2.code).toBe(1);
    expect(JSON.parse(h2.stdout)).toMatchObject({ verdict: 'invalid', code: 'PASS_REVOKED' });
    expect(p2.code).toBe(1);
    expect(JSON.parse(p2.stdout)).toMatchObject({ code: 'PASS_REVOKED' });
  }, 60_000);

  it('concurrent duplicates with one Idempotency-Key produce exactly one pass', async () => {
    const before = await countIssuedPasses(server.db);
    const responses = await Promise.all(Array.from({ length: 16 }, () => issue('{"personId":"demo-0005","type":"recovery"}', 'concurrent-key-0001')));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    expect(new Set(bodies).size).toBe(1);
    expect(await countIssuedPasses(server.db)).toBe(before + 1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(15);
    // Distinct keys in parallel: one pass each.
    const distinct = await Promise.all(Array.from({ length: 8 }, (_, i) => issue('{"personId":"demo-0006","type":"exemption"}', `distinct-key-${i}-0001`)));
    expect(distinct.every((r) => r.status === 201)).toBe(true);
    expect(await countIssuedPasses(server.db)).toBe(before + 9);
  });

  it('answers hostile requests with problem+json over HTTP', async () => {
    const dup = await issue('{"personId":"demo-0001","personId":"demo-0002"}', 'hostile-0001');
    expect(dup.status).toBe(400);
    expect(dup.headers.get('content-type')).toBe('application/problem+json');
    const big = await issue(JSON.stringify({ personId: 'demo-0001', pad: 'x'.repeat(64 * 1024) }), 'hostile-0002');
    expect(big.status).toBe(413);
    const wrongType = await issue('{"personId":"demo-0001"}', 'hostile-0003', { 'Content-Type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    const missing = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('streams an oversized body without reading it all (Content-Length above the limit)', async () => {
    const status = await new Promise<number>((ok, fail) => {
      const url = new URL(`${server.url}/api/v1/partner/passes`);
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'hostile-0004', 'Content-Length': String(50 * 1024 * 1024) } }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      });
      req.on('error', fail);
      req.write('{"personId":"');
    });
    expect(status).toBe(413);
  });
});
