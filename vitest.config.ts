import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';

const POSTGRES_URL = process.env.VAXPASS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

// The store and API suites run twice: on SQLite and on the PostgreSQL server when one answers
// (a fresh schema per test file). Core, CLI and browser suites do not touch the store's dialect.
const STORE_SUITES = ['test/db/**/*.test.ts', 'test/server/**/*.test.ts', 'test/registry/import-registry.test.ts'];

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((ok) => {
    const socket = new Socket();
    const done = (up: boolean) => {
      socket.destroy();
      ok(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || 5432), hostname, () => done(true));
  });
}

export default defineConfig(async () => {
  const switchedOff = process.env.VAXPASS_TEST_POSTGRES === 'off';
  const postgres = !switchedOff && (await reachable(POSTGRES_URL));
  const why = switchedOff ? 'VAXPASS_TEST_POSTGRES=off' : `PostgreSQL not reachable at ${new URL(POSTGRES_URL).host}`;
  if (!postgres) process.stderr.write(`${why}: PostgreSQL variants of the store and API suites are SKIPPED (SQLite only).\n`);
  const shared = {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share one PostgreSQL server and real ports; files run in parallel, each uses its own schema/port.
    pool: 'forks' as const,
  };
  return {
    test: {
      reporters: ['default', './test/support/summary-reporter.ts'],
      projects: [
        { test: { ...shared, name: 'sqlite', include: ['test/**/*.test.ts'] } },
        ...(postgres ? [{ test: { ...shared, name: 'postgres', include: STORE_SUITES, env: { VAXPASS_TEST_DB: 'postgres' } } }] : []),
      ],
    },
  };
});
