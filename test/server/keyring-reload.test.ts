// The running server follows `vaxpass keys rotate` by re-reading keyring.json. A damaged keyring
// keeps the last good keys and is reported once (code only: a parser message could quote a key).
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rotateIssuerKeys } from '../../src/cli/commands/keys-rotate.ts';
import { initKeyDirectory } from '../../src/keys/key-directory.ts';
import { watchedKeyDirectory, type KeyringReload } from '../../src/server/issuer-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-keyring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('watchedKeyDirectory', () => {
  it('picks up a rotation, keeps the last good keys when the keyring is damaged, and reports that once', async () => {
    const now = Math.floor(Date.now() / 1000);
    await initKeyDirectory(dir, { now });
    const events: KeyringReload[] = [];
    const keys = watchedKeyDirectory(dir, 0, (event) => events.push(event));
    expect(keys.current().issuerKeys).toHaveLength(1);

    rotateIssuerKeys(dir, { now, leadSeconds: 86_400 });
    utimesSync(join(dir, 'keyring.json'), new Date(), new Date(Date.now() + 1000));
    expect(keys.current().issuerKeys).toHaveLength(2);
    expect(events).toEqual([{ ok: true, issuerKeys: 2 }]);

    const good = readFileSync(join(dir, 'keyring.json'), 'utf8');
    writeFileSync(join(dir, 'keyring.json'), '{"issuer": "KDCA", "issuerKeys": [ {"kid": "secret-looking');
    utimesSync(join(dir, 'keyring.json'), new Date(), new Date(Date.now() + 2000));
    for (let i = 0; i < 3; i++) expect(keys.current().issuerKeys).toHaveLength(2);
    expect(events.slice(1)).toEqual([{ ok: false, reason: expect.stringMatching(/keyring\.json is not valid JSON$/) }]);
    expect(JSON.stringify(events)).not.toContain('secret-looking');

    writeFileSync(join(dir, 'keyring.json'), good);
    utimesSync(join(dir, 'keyring.json'), new Date(), new Date(Date.now() + 3000));
    expect(keys.current().issuerKeys).toHaveLength(2);
    expect(events.at(-1)).toEqual({ ok: true, issuerKeys: 2 });
  });
});
