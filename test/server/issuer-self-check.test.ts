// The issuer signs only what its own verifier accepts: a registry value the pass format cannot
// carry (an exemption until 9999-12-31) is refused at import, and if it reaches the registry
// another way, issuance refuses it instead of answering 201 with a pass every scanner calls MALFORMED.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { registryWriter } from '../../src/db/queries/registry-import.ts';
import { importRegistryFile } from '../../src/registry/import-registry.ts';
import { createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

const NOW = Math.floor(Date.parse('2026-01-10T03:00:00Z') / 1000);
const person = { kind: 'person', personId: 'forever-0001', name: 'Yoon Seo-jin', birthDate: '1980-04-04' } as const;

describe('issuer self-check', () => {
  it('the registry import refuses an exemption end the pass format cannot carry', async () => {
    const path = join(f.keysDir, '..', 'forever.ndjson');
    writeFileSync(path, [person, { kind: 'exemption', personId: 'forever-0001', validFrom: '2025-01-01', validUntil: '9999-12-31' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const report = await importRegistryFile(f.db, path, { format: 'ndjson', now: NOW, timeZone: 'Asia/Seoul' });
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([{ line: 2, reason: 'validUntil is after 2149-06-06, the last date a pass can carry' }]);
  });

  it('issuance verifies each new pass first: such a record gets 422, no pass is stored, audited or returned', async () => {
    await f.db.transaction(async (tx) => {
      const writer = registryWriter(tx, NOW);
      await writer.write({ kind: 'person', personId: person.personId, name: person.name, birthDate: person.birthDate });
      await writer.write({ kind: 'exemption', personId: person.personId, validFrom: '2025-01-01', validUntil: '9999-12-31' });
    });
    const problem = await problemOf(await f.partnerIssue({ personId: person.personId, type: 'exemption' }));
    expect(problem).toMatchObject({ status: 422, code: 'REGISTRY_RECORD_INVALID' });
    expect(problem.detail).toMatch(/MALFORMED: exemption end is not a date/);
    expect(problem.detail).not.toContain('Yoon');
    expect((await readAuditLog(f.db)).filter((r) => r.action === 'pass.issued')).toEqual([]);
    // A correct pass still goes through the same check.
    expect((await f.partnerIssue({ personId: 'demo-0002' })).status).toBe(201);
  });
});
