// The issuer's own bundle publication carries foreign trust when the operator configures it
// (VAXPASS_EU_DCC_TRUST / VAXPASS_SHC_DIRECTORY / VAXPASS_NZCP_TRUST): scanners holding the served
// bundle verify an NZ COVID Pass offline; a broken trust file stops the server at start-up with the
// variable's name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { createNzcpIssuer } from '../support/nzcp-issuer-fixture.ts';
import { createServerFixture } from './support/server-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-foreign-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const issuer = createNzcpIssuer();
const trustPath = join(dir, 'nzcp.json');
writeFileSync(trustPath, JSON.stringify(issuer.trustFile));

describe('foreign trust in the published bundle', () => {
  it('is read from the configured files and published; the served bundle verifies an NZ COVID Pass', async () => {
    const config = loadConfig({ VAXPASS_NZCP_TRUST: trustPath, VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent' });
    expect(config.foreignTrust?.nzcp.map((i) => i.iss)).toEqual([issuer.did]);
    const f = await createServerFixture({ foreignTrust: config.foreignTrust });
    try {
      const bundle = await f.openServedBundle();
      expect(bundle.foreign?.nzcpByIss.has(issuer.did)).toBe(true);
      const now = Math.floor(f.clock.now().getTime() / 1000);
      const result = await f.verifyText(issuer.pass({ nbf: now - 3600, exp: now + 86_400 }));
      expect(result).toMatchObject({ ok: true, format: 'nzcp', country: 'NZ', passType: 'vaccination', holder: { name: 'Test Traveller', birthDate: '1980-02-29' } });
      expect(await f.verifyText(issuer.pass({ nbf: now - 7200, exp: now - 3600 }))).toMatchObject({ ok: false, code: 'EXPIRED', format: 'nzcp' });
    } finally {
      await f.cleanup();
    }
  });

  it('is absent without configuration, and foreign passes are then UNKNOWN_KEY', async () => {
    expect(loadConfig({ VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent' }).foreignTrust).toBeNull();
    const f = await createServerFixture();
    try {
      expect((await f.openServedBundle()).foreign).toBeNull();
      const now = Math.floor(f.clock.now().getTime() / 1000);
      expect(await f.verifyText(issuer.pass({ nbf: now - 3600, exp: now + 86_400 }))).toMatchObject({ ok: false, code: 'UNKNOWN_KEY', format: 'nzcp' });
    } finally {
      await f.cleanup();
    }
  });

  it('a malformed trust file stops start-up with a message naming the variable', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ trustedIssuers: ['https://not-a-did'], didDocuments: {} }));
    expect(() => loadConfig({ VAXPASS_NZCP_TRUST: bad, VAXPASS_DEV_IDP: 'on' })).toThrow(/^VAXPASS_NZCP_TRUST: .*not a did:web DID/);
    expect(() => loadConfig({ VAXPASS_EU_DCC_TRUST: join(dir, 'missing.json'), VAXPASS_DEV_IDP: 'on' })).toThrow(/^VAXPASS_EU_DCC_TRUST: cannot read .*ENOENT/);
  });
});
