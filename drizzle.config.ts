// drizzle-kit reads this to generate SQL migrations from src/db/schema.ts into migrations/.
// Run `npx drizzle-kit generate` after changing the schema and commit the result; the server
// applies migrations at start (src/db/open-database.ts).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
