// drizzle-kit config for the PostgreSQL migrations (migrations/postgres/), generated from
// src/db/postgres/schema.ts: `npx drizzle-kit generate --config drizzle.postgres.config.ts`.
// Change both schemas together (test/db/schema-drift.test.ts compares them) and generate both.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres/schema.ts',
  out: './migrations/postgres',
});
