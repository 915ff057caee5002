// The async store seam: transactions commit or roll back as a whole, take turns, and top-level
// statements can never write outside one.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/db/open-database.ts';
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

describe.runIf(testDialect === 'sqlite')('SQLite group commit', () => {
  it('lets concurrent transactions share one commit, and answers each only once it is durable', async () => {
    const other = new Database(t.path, { readonly: true });
    try {
      const committedWhenAnswered: boolean[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.db.transaction((tx) => appendAudit(tx, entry(i))).then(() => {
            // Another connection sees the row the moment the caller is answered.
            committedWhenAnswered.push((other.prepare('SELECT count(*) AS n FROM audit_log WHERE at = ?').get(i) as { n: number }).n === 1);
          }),
        ),
      );
      expect(committedWhenAnswered).toEqual(Array.from({ length: 20 }, () => true));
    } finally {
      other.close();
    }
  });

  it('rolls back a failing member alone: the others in its commit are kept and answered', async () => {
    const results = await Promise.allSettled([
      t.db.transaction((tx) => appendAudit(tx, entry(1))),
      t.db.transaction(async (tx) => {
        await appendAudit(tx, entry(2));
        throw new Error('member failed');
      }),
      t.db.transaction((tx) => appendAudit(tx, entry(3))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('member failed'));
    expect((await readAuditLog(t.db)).map((e) => e.at)).toEqual([1, 3]);
  });

  it('fails every member of a commit that fails, and keeps none of their writes', async () => {
    const client = (t.db as SqliteDatabase).client;
    // A deferred foreign key is checked at COMMIT, so this member makes the shared commit fail.
    const results = await Promise.allSettled([
      t.db.transaction((tx) => appendAudit(tx, entry(1))),
      t.db.transaction(async () => {
        client.exec('PRAGMA defer_foreign_keys = ON');
        client.prepare("INSERT INTO issued_passes (pass_id, person_id, kid, type, iat, exp, issued_by, facts_hash, text, created_at) VALUES ('p', 'nobody', 'k', 'test', 0, 1, 'holder', 'h', 't', 0)").run();
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await readAuditLog(t.db)).toEqual([]);
    await t.db.transaction((tx) => appendAudit(tx, entry(5)));
    expect((await readAuditLog(t.db)).map((e) => e.at)).toEqual([5]);
  });
});

describe.runIf(testDialect === 'sqlite')('holder pass reuse lookup', () => {
  it('is one index probe on every equality column, however many passes the person has', () => {
    const client = (t.db as SqliteDatabase).client;
    const plan = client
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM issued_passes WHERE person_id = ? AND type = ? AND issued_by = 'holder' AND facts_hash = ? AND exp > ? ORDER BY iat DESC LIMIT 1")
      .all('p', 'vaccination', 'h', 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/issued_passes_holder_reuse \(person_id=\? AND issued_by=\? AND type=\? AND facts_hash=\?\)/);
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});
