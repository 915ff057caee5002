// `npm start`: the issuer on SQLite with development keys and demo data, configured from the
// environment (docs/operations.md). `--dev` (what `npm start` passes) turns the DEV ONLY identity
// provider and the demo seed on unless the environment says otherwise.
import { serve, type ServerType } from '@hono/node-server';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../db/open-store.ts';
import type { VaxpassDatabase } from '../db/store.ts';
import { deleteIdempotencyRecordsBefore } from '../db/queries/idempotency-keys.ts';
import { LOCKS, lockForTransaction } from '../db/queries/locks.ts';
import { createPartner, findPartnerById } from '../db/queries/partners.ts';
import { DEMO_PEOPLE, seedDemoRegistry } from '../demo/seed-demo-registry.ts';
import { initKeyDirectory, rootPublicKeyPath } from '../keys/key-directory.ts';
import { systemClock, unixNow, type Clock } from './clock.ts';
import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import { createApp, type VaxpassApp } from './create-app.ts';
import { IDEMPOTENCY_RETENTION_SECONDS } from './issuance/partner-issuance.ts';
import { createLogger, type Logger } from './logger.ts';
import { watchedKeyDirectory } from './issuer-keys.ts';

export const DEMO_PARTNER_ID = 'demo-portal';

export interface StartServerOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Where the human-readable start banner goes (default stderr). */
  readonly print?: (line: string) => void;
  /** JSON log sink (default stdout). */
  readonly writeLog?: (line: string) => void;
  readonly installSignalHandlers?: boolean;
}

export interface RunningServer {
  readonly url: string;
  readonly app: VaxpassApp;
  readonly db: VaxpassDatabase;
  readonly config: ServerConfig;
  /** The demo partner's API key when it was created by this start, else null. */
  readonly demoPartnerApiKey: string | null;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env);
  const clock = options.clock ?? systemClock;
  const print = options.print ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const logger: Logger = createLogger(config.logLevel, options.writeLog);
  const now = unixNow(clock);

  const created = await naming('VAXPASS_KEYS', `cannot create or read the key directory ${resolve(config.keysDir)}`, () => initKeyDirectory(config.keysDir, { now }));
  if (created.length > 0) print(`Created development keys in ${resolve(config.keysDir)} (${created.length} files; private keys mode 0600, never commit them).`);
  const keys = await naming('VAXPASS_KEYS', `cannot load the keys in ${resolve(config.keysDir)}`, () =>
    watchedKeyDirectory(config.keysDir, 1000, (event) =>
      event.ok ? logger.info('issuer keyring reloaded', { issuerKeys: event.issuerKeys }) : logger.warn('issuer keyring unreadable; keeping the last good one', { reason: event.reason }),
    ),
  );
  const db = config.postgres
    ? await naming('DATABASE_URL', 'cannot open the PostgreSQL database', () => openStore(config))
    : await naming('VAXPASS_DB', `cannot open the database ${resolve(config.databasePath)}`, () => openStore(config));

  let demoPartnerApiKey: string | null = null;
  if (config.seedDemo) {
    if (await seedDemoRegistry(db, now, config.timeZone)) print(`Seeded the demo registry: ${DEMO_PEOPLE.length} people.`);
    demoPartnerApiKey = await db.transaction(async (tx) => {
      await lockForTransaction(tx, LOCKS.partner(DEMO_PARTNER_ID));
      return (await findPartnerById(tx, DEMO_PARTNER_ID)) ? null : (await createPartner(tx, { id: DEMO_PARTNER_ID, name: 'Demo portal', now })).apiKey;
    });
  }

  let shuttingDown = false;
  const app = createApp({ db, signer: keys, clock, config, logger, isShuttingDown: () => shuttingDown });
  const server: ServerType = await new Promise<ServerType>((ok, fail) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => ok(s));
    s.once('error', fail);
  }).catch(async (error: unknown) => {
    // Nothing listens, so nothing will ever close the database: close it here (embedders and tests retry).
    await db.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const purge = setInterval(() => {
    db.transaction((tx) => deleteIdempotencyRecordsBefore(tx, unixNow(clock) - IDEMPOTENCY_RETENTION_SECONDS)).then(
      (removed) => void (removed > 0 && logger.info('idempotency keys purged', { removed })),
      () => logger.warn('idempotency key purge failed; retrying in an hour', {}),
    );
  }, 3600_000);
  purge.unref();
  const url = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= new Promise<void>((ok) => {
      shuttingDown = true;
      clearInterval(purge);
      logger.info('shutting down', {});
      const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 10_000);
      force.unref();
      // Keep-alive connections that finish their last request become idle; close them as they do,
      // instead of waiting for the keep-alive timeout.
      const idle = setInterval(() => 'closeIdleConnections' in server && server.closeIdleConnections(), 50);
      server.close(() => {
        clearTimeout(force);
        clearInterval(idle);
        void db.close().then(() => {
          logger.info('stopped', {});
          ok();
        });
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    }));

  if (options.installSignalHandlers) {
    const onSignal = (signal: string) => {
      print(`${signal} received: finishing in-flight requests, then stopping.`);
      void close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  }

  printBanner(print, url, config, db.location, demoPartnerApiKey);
  logger.info('listening', { port, devIdp: config.devIdp });
  if (config.devIdp) logger.warn('DEV ONLY: development identity provider enabled; anyone can sign in as any person', { devIdp: true });
  return { url, app, db, config, demoPartnerApiKey, close };
}

/**
 * Runs a start step that depends on a configured path; its failure (a missing directory, a file
 * that is not a database, a damaged keyring) is reported as a configuration error naming the variable.
 */
async function naming<T>(variable: string, what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    // A JSON parser's message can quote the file, and the file may be a private key: never echo it.
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof SyntaxError ? 'a file is not valid JSON' : error instanceof Error ? error.message : String(error));
    throw new ConfigError(variable, `${what} (${reason})`);
  }
}

function printBanner(print: (line: string) => void, url: string, config: ServerConfig, database: string, demoPartnerApiKey: string | null): void {
  const lines = [
    '',
    `vaxpass issuer listening on ${url}`,
    `  Holder app     ${url}/holder/`,
    `  Scanner app    ${url}/scanner/`,
    `  API docs       ${url}/docs`,
    `  Trust bundle   ${url}/api/v1/trust-bundle   (root key: ${rootPublicKeyPath(config.keysDir)})`,
    `  Database       ${database}`,
  ];
  if (config.devIdp) {
    lines.push(
      '',
      '  !!! DEV ONLY: the development identity provider is ON (VAXPASS_DEV_IDP=on).',
      '  !!! Anyone can sign in as any person. Never run this configuration in production.',
      `  Demo people: ${url}/dev-idp/people`,
    );
  }
  if (demoPartnerApiKey) lines.push('', `  Demo partner "${DEMO_PARTNER_ID}" API key (shown once, only its hash is stored):`, `    ${demoPartnerApiKey}`);
  if (config.adminTokenGenerated && config.adminToken) lines.push('', '  Admin token for this run (DEV ONLY, generated because VAXPASS_ADMIN_TOKEN is unset):', `    ${config.adminToken}`);
  else if (!config.adminToken) lines.push('', '  Admin API disabled: set VAXPASS_ADMIN_TOKEN to enable it.');
  lines.push('');
  for (const line of lines) print(line);
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const dev = process.argv.includes('--dev');
  const env = dev ? { VAXPASS_DEV_IDP: 'on', ...process.env } : process.env;
  startServer({ env, installSignalHandlers: true }).catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`vaxpass: configuration error: ${error.message}\n`);
    else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') process.stderr.write(`vaxpass: configuration error: PORT: ${(error as { port?: number }).port ?? 'the port'} is already in use on ${(error as { address?: string }).address ?? 'this host'}; set PORT to a free port (0 picks one)\n`);
    else process.stderr.write(`vaxpass: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
