// Counts the statements the store sends to its database while `work` runs, at the driver: each
// better-sqlite3 statement run (and exec of BEGIN/SAVEPOINT/COMMIT), each node-postgres query (one
// round trip to the server). A test that pins these counts keeps a hot path from growing a
// statement unnoticed; bench/ and docs/benchmarks.md quote them.
import Database from 'better-sqlite3';
import pg from 'pg';

export interface StatementCount {
  readonly statements: number;
  /** The statements' SQL, shortened, in order (for a failing assertion's message). */
  readonly sql: readonly string[];
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function patch(target: Record<string, unknown>, name: string, seen: string[], describe: (self: unknown, args: unknown[]) => string): () => void {
  const original = target[name] as Method;
  target[name] = function (this: unknown, ...args: unknown[]) {
    seen.push(describe(this, args).replace(/\s+/g, ' ').slice(0, 80));
    return original.apply(this, args);
  };
  return () => void (target[name] = original);
}

export async function countStatements(work: () => Promise<unknown>): Promise<StatementCount> {
  const seen: string[] = [];
  const probe = new Database(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const sqliteSource = (self: unknown) => String((self as { source?: string }).source ?? '');
  const restore = [
    ...['run', 'get', 'all', 'iterate'].map((name) => patch(statementPrototype, name, seen, sqliteSource)),
    patch(Database.prototype as unknown as Record<string, unknown>, 'exec', seen, (_self, args) => String(args[0])),
    patch(pg.Client.prototype as unknown as Record<string, unknown>, 'query', seen, (_self, args) => {
      const q = args[0] as string | { text?: string };
      return typeof q === 'string' ? q : String(q.text ?? '');
    }),
  ];
  try {
    await work();
  } finally {
    for (const undo of restore) undo();
  }
  return { statements: seen.length, sql: seen };
}
