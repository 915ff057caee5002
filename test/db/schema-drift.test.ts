// The SQLite and PostgreSQL schemas describe one database: the same tables, columns, nullability,
// primary keys, foreign keys and indexes. Query functions are typed once, through the SQLite
// declarations, and run on both, so any drift between the two is a bug this test names.
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../src/db/postgres/schema.ts';
import * as sqliteSchema from '../../src/db/schema.ts';

// How each SQLite storage class may be declared in PostgreSQL (same JavaScript value either way).
const SAME_VALUE: Record<string, readonly string[]> = {
  SQLiteInteger: ['PgInteger', 'PgBigInt53'],
  SQLiteText: ['PgText'],
};

interface Shape {
  columns: Record<string, { key: string; notNull: boolean; primary: boolean; type: string; enumValues: readonly string[] | undefined }>;
  indexes: Record<string, { columns: string[]; unique: boolean }>;
  foreignKeys: string[];
}

function describeTable(config: ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>, table: unknown): Shape {
  const keyOf = Object.fromEntries(Object.entries(table as Record<string, { name?: string }>).map(([key, col]) => [col?.name, key]));
  const columns: Shape['columns'] = {};
  for (const c of config.columns) {
    columns[c.name] = { key: keyOf[c.name]!, notNull: c.notNull, primary: c.primary, type: c.columnType, enumValues: c.enumValues && c.enumValues.length > 0 ? c.enumValues : undefined };
  }
  const indexes: Shape['indexes'] = {};
  for (const i of config.indexes) {
    indexes[i.config.name!] = { columns: i.config.columns.map((c) => (c as { name: string }).name), unique: i.config.unique };
  }
  const foreignKeys = config.foreignKeys.map((fk) => {
    const ref = fk.reference();
    return `${ref.columns.map((c) => c.name).join(',')} -> ${ref.foreignColumns.map((c) => c.name).join(',')}`;
  });
  return { columns, indexes, foreignKeys: foreignKeys.sort() };
}

const sqliteTables = Object.fromEntries(Object.entries(sqliteSchema).filter(([, v]) => is(v, SQLiteTable))) as Record<string, SQLiteTable>;
const pgTables = Object.fromEntries(Object.entries(pgSchema).filter(([, v]) => is(v, PgTable))) as Record<string, PgTable>;

describe('SQLite and PostgreSQL schemas', () => {
  it('declare the same tables under the same export names', () => {
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
    for (const [key, table] of Object.entries(sqliteTables)) expect(pgTableConfig(pgTables[key]!).name).toBe(sqliteTableConfig(table).name);
  });

  for (const [key, table] of Object.entries(sqliteTables)) {
    it(`agree on ${key}: columns, nullability, keys, indexes`, () => {
      const lite = describeTable(sqliteTableConfig(table), table);
      const pg = describeTable(pgTableConfig(pgTables[key]!), pgTables[key]);
      expect(Object.keys(pg.columns).sort()).toEqual(Object.keys(lite.columns).sort());
      for (const [name, col] of Object.entries(lite.columns)) {
        const other = pg.columns[name]!;
        expect({ name, key: other.key, notNull: other.notNull, primary: other.primary, enumValues: other.enumValues }).toEqual({ name, key: col.key, notNull: col.notNull, primary: col.primary, enumValues: col.enumValues });
        expect(SAME_VALUE[col.type], `${key}.${name}: ${col.type} vs ${other.type}`).toContain(other.type);
      }
      expect(pg.indexes).toEqual(lite.indexes);
      expect(pg.foreignKeys).toEqual(lite.foreignKeys);
    });
  }
});
