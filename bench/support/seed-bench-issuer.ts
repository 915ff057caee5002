// The state the in-process issuance benches start from: dev keys valid since yesterday, the demo
// registry, and a registry-trusted partner whose quota no bench reaches.
import { createPartner } from '../../src/db/queries/partners.ts';
import type { VaxpassDatabase } from '../../src/db/store.ts';
import { seedDemoRegistry } from '../../src/demo/seed-demo-registry.ts';
import { initKeyDirectory } from '../../src/keys/key-directory.ts';

export async function seedBenchIssuer(db: VaxpassDatabase, keysDir: string, now: number): Promise<{ readonly apiKey: string }> {
  await initKeyDirectory(keysDir, { now: now - 86_400 });
  await seedDemoRegistry(db, now);
  return db.transaction((tx) => createPartner(tx, { id: 'bench', name: 'Bench', now, quotaPerMinute: 100_000_000, registryTrusted: true }));
}
