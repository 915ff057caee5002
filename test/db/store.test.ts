// The async store seam: transactions commit or roll back as a whole, take turns, and top-level
// statements can never write outside one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, readAuditLog } from '../../src/db/queries/audit-log.ts';
import { createTestDatabase, testDialect, type TestDatabase } from '../support/create-test-database.ts';

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(() => t.cleanup());

const entry = (at: number) => ({ at, actor: 'system', action: 'bundle.published' as const });

describe('store transactions', () => {
  it('commit when the work resolves and roll back every statement when it throws', async () => {
    await t.db.transaction((tx) => appendAudit(tx, entry(1)));
    await expect(
      t.db.transaction(async (tx) => {
        await appendAudit(tx, entry(2));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await readAuditLog(t.db)).map((e) => e.at)).toEqual([1]);
  });

  it.runIf(testDialect === 'sqlite')('on SQLite run one after another even when their work awaits, so none sees another half-done', async () => {
    const order: string[] = [];
    const slow = (name: string) =>
      t.db.transaction(async (tx) => {
        order.push(`${name}:begin`);
        await new Promise((r) => setTimeout(r, 20));
        await appendAudit(tx, entry(order.length));
        order.push(`${name}:end`);
      });
    await Promise.all([slow('a'), slow('b'), slow('c')]);
    expect(order).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
    // A failed transaction does not stop the queue.
    await expect(t.db.transaction(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await t.db.transaction((tx) => appendAudit(tx, entry(99)));
    expect(await readAuditLog(t.db)).toHaveLength(4);
  });

  it.runIf(testDialect === 'sqlite')('on SQLite refuse a write outside a transaction instead of slipping it into another one', async () => {
    await expect(appendAudit(t.db, entry(1))).rejects.toThrow(/readonly/i);
  });

  it('lets readers see committed rows while a transaction is open, and nothing uncommitted', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const writing = t.db.transaction(async (tx) => {
      await appendAudit(tx, entry(7));
      await held;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(await readAuditLog(t.db)).toEqual([]);
    release();
    await writing;
    expect((await readAuditLog(t.db)).map((e) => e.at)).toEqual([7]);
  });
});
