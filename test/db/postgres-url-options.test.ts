// A DATABASE_URL may carry its own startup options (`?options=-c statement_timeout=…`); node-postgres
// would let them replace the pool's, silently dropping the schema's search_path.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres, withoutOptionsParameter, type PostgresDatabase } from '../../src/db/postgres/open-postgres.ts';
import { createTestDatabase, TEST_POSTGRES_URL, testDialect, type TestDatabase } from '../support/create-test-database.ts';

describe('withoutOptionsParameter', () => {
  it('takes the options parameter out of the URL and keeps everything else', () => {
    const { connectionString, urlOptions } = withoutOptionsParameter('postgres://u@h:5432/db?sslmode=disable&options=-c%20statement_timeout%3D5000');
    expect(urlOptions).toBe('-c statement_timeout=5000');
    expect(connectionString).toBe('postgres://u@h:5432/db?sslmode=disable');
  });
  it('leaves a URL without one, or one it cannot parse, as it is', () => {
    expect(withoutOptionsParameter('postgres://u@h/db')).toEqual({ connectionString: 'postgres://u@h/db', urlOptions: '' });
    expect(withoutOptionsParameter('not a url')).toEqual({ connectionString: 'not a url', urlOptions: '' });
  });
});

describe.runIf(testDialect === 'postgres')('a DATABASE_URL with its own options', () => {
  let t: TestDatabase | undefined;
  let second: PostgresDatabase | undefined;
  afterEach(async () => {
    await second?.close();
    await t?.cleanup();
  });

  it('keeps the configured schema and applies the URL options too', async () => {
    t = await createTestDatabase('postgres');
    const schema = (t.db as PostgresDatabase).schema;
    const url = new URL(TEST_POSTGRES_URL);
    url.searchParams.set('options', '-c statement_timeout=4321');
    second = await openPostgres(url.toString(), { schema, poolSize: 1 });
    const orm = second.orm as unknown as { execute(q: unknown): Promise<{ rows: Record<string, string>[] }> };
    expect((await orm.execute(sql`show search_path`)).rows[0]!.search_path).toBe(schema);
    expect((await orm.execute(sql`show statement_timeout`)).rows[0]!.statement_timeout).toBe('4321ms');
  });
});
