// vaxpass entry-log keygen: the private key file (0600, never overwritten) and the policy file, with
// the new key first and older keys kept (rotation). The query is tested end to end in
// test/server/entry-log.test.ts, against both databases.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEntryLogPolicy } from '../../src/core/entry-log.ts';
import { expectOneLineError, runInProcess } from './cli-harness.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('vaxpass entry-log keygen', () => {
  it('writes the private key 0600 and puts the new public key first in the policy; a second key rotates', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vaxpass-entry-keygen-'));
    const policyFile = join(dir, 'entry-log-policy.json');
    const first = await runInProcess(['entry-log', 'keygen', '--out', join(dir, 'k1.jwk'), '--policy', policyFile]);
    expect(first.code).toBe(0);
    expect(statSync(join(dir, 'k1.jwk')).mode & 0o777).toBe(0o600);
    const k1 = JSON.parse(readFileSync(join(dir, 'k1.jwk'), 'utf8')) as { kid: string; d: string };
    expect(k1.d).toBeTruthy();
    const second = await runInProcess(['entry-log', 'keygen', '--out', join(dir, 'k2.jwk'), '--policy', policyFile]);
    expect(second.code).toBe(0);
    const k2 = JSON.parse(readFileSync(join(dir, 'k2.jwk'), 'utf8')) as { kid: string };
    const policy = readEntryLogPolicy(JSON.parse(readFileSync(policyFile, 'utf8')));
    expect(typeof policy === 'object' && policy.authorityKeys.map((k) => k.kid)).toEqual([k2.kid, k1.kid]);
    expect(typeof policy === 'object' && policy.retentionDays).toBe(28);
    // The policy file is public: no private part in it.
    expect(readFileSync(policyFile, 'utf8')).not.toContain(k1.d);
    const again = await runInProcess(['entry-log', 'keygen', '--out', join(dir, 'k1.jwk'), '--policy', policyFile]);
    expect(expectOneLineError(again)).toMatch(/exists/);
    expect(existsSync(join(dir, 'k3.jwk'))).toBe(false);
  });
});
