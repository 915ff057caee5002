// What the PostgreSQL benches share. PostgreSQL runs on the same two cores as the issuer, so the
// CPU of the backends a bench opened (found by the application_name it gave them) is part of a
// request's cost; and each bench works in a schema of its own, dropped at the end.
import pg from 'pg';
import { cpuSecondsOf } from './wrk.ts';

/** CPU seconds so far of each backend connected with this application_name, by pid, over a client the bench keeps. */
export async function backendCpuByPid(client: pg.Client, applicationName: string): Promise<Map<number, number>> {
  return cpuSecondsOf((await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [applicationName])).rows.map((r) => r.pid));
}

/** CPU seconds so far of every backend connected with this application_name, summed. */
export async function backendCpuSeconds(url: string, applicationName: string): Promise<number> {
  return withClient(url, async (client) => [...(await backendCpuByPid(client, applicationName)).values()].reduce((sum, seconds) => sum + seconds, 0));
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
