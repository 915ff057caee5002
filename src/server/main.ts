// `npm start`: the issuer on SQLite with development keys and demo data, configured from the
// environment (docs/operations.md). `--dev` (what `npm start` passes) turns the DEV ONLY identity
// provider and the demo seed on unless the environment says otherwise.
import type { ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../db/open-store.ts';
import type { VaxpassDatabase } from '../db/store.ts';
import { storageFailureOf } from '../db/storage-failure.ts';
import { StoreRefusal } from '../db/store-refusal.ts';
import { LOCKS, lockForTransaction } from '../db/queries/locks.ts';
import { createPartner, findPartnerByClientId, findPartnerById, setPartnerClientId } from '../db/queries/partners.ts';
import { DEV_PERSON_PROOF_GRANT, startDevOpenIdProvider } from '../idp/dev-openid-provider.ts';
import { DEMO_PEOPLE, seedDemoRegistry } from '../demo/seed-demo-registry.ts';
import { initKeyDirectory, missingKeyFiles, rootPublicKeyPath } from '../keys/key-directory.ts';
import { systemClock, unixNow, type Clock } from './clock.ts';
import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import { createApp, type VaxpassApp } from './create-app.ts';
import { removeExpiredRecords } from './retention.ts';
import { observedStore } from './storage-health.ts';
import { removeExpiredEntryBatches } from './entry-log-retention.ts';
import { createLogger, type Logger } from './logger.ts';
import { exposedFullCollection, HEAP_SETTLE_DEFAULTS, heapSettleEnabled, settleHeapAfterLoad } from './heap-settle.ts';
import { watchedKeyDirectory } from './issuer-keys.ts';
import { connectionLimits, listen } from './listen.ts';
import { openResponses } from './open-responses.ts';
import { livenessOptions, startLivenessListener, type LivenessListener } from './liveness.ts';
import { securityHeaderSet } from './middleware/security-headers.ts';

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
  /** Where /metrics listens when VAXPASS_METRICS_PORT is set, else null (on url). */
  readonly metricsUrl: string | null;
  /** The liveness listener's /livez (own port, own thread) when VAXPASS_LIVENESS_PORT is set, else null. */
  readonly livenessUrl: string | null;
  readonly app: VaxpassApp;
  readonly db: VaxpassDatabase;
  readonly config: ServerConfig;
  /** The development OpenID provider's issuer URL when the dev IdP is on. */
  readonly devIdpIssuer: string | null;
  /** The demo partner's API key when it was created by this start, else null. */
  readonly demoPartnerApiKey: string | null;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  let config = loadConfig(options.env ?? process.env);
  const liveness = livenessOptions(options.env ?? process.env, config.host);
  const limits = connectionLimits(options.env ?? process.env);
  const clock = options.clock ?? systemClock;
  const print = options.print ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const logger: Logger = createLogger(config.logLevel, options.writeLog);
  const now = unixNow(clock);

  // Outside dev mode, keys are an operator's act (`vaxpass keys init`), never a side effect of a start.
  if (!config.devIdp) {
    const missing = missingKeyFiles(config.keysDir);
    if (missing.length > 0) throw new ConfigError('VAXPASS_KEYS', `${resolve(config.keysDir)} lacks ${missing.join(', ')}; outside dev mode keys are never created at start: create them with \`vaxpass keys init --dir ${config.keysDir}\` and keep root.private.jwk offline`);
  }
  const created = config.devIdp ? await naming('VAXPASS_KEYS', `cannot create or read the key directory ${resolve(config.keysDir)}`, () => initKeyDirectory(config.keysDir, { now })) : [];
  if (created.length > 0) print(`Created development keys in ${resolve(config.keysDir)} (${created.length} files; private keys mode 0600, never commit them).`);
  const keys = await naming('VAXPASS_KEYS', `cannot load the keys in ${resolve(config.keysDir)}`, () =>
    watchedKeyDirectory(config.keysDir, 1000, (event) =>
      event.ok ? logger.info('issuer keyring reloaded', { issuerKeys: event.issuerKeys }) : logger.warn('issuer keyring unreadable; keeping the last good one', { reason: event.reason }),
    ),
  );
  const storeOptions = { warn: (message: string) => logger.warn(message, {}) };
  const db = config.postgres
    ? await naming('DATABASE_URL', 'cannot open the PostgreSQL database', () => openStore(config, storeOptions))
    : await naming('VAXPASS_DB', `cannot open the database ${resolve(config.databasePath)}`, () => openStore(config, storeOptions));

  let demoPartnerApiKey: string | null = null;
  if (config.seedDemo) {
    if (await seedDemoRegistry(db, now, config.timeZone)) print(`Seeded the demo registry: ${DEMO_PEOPLE.length} people.`);
    demoPartnerApiKey = await db.transaction(async (tx) => {
      await lockForTransaction(tx, LOCKS.partner(DEMO_PARTNER_ID));
      const demo = await findPartnerById(tx, DEMO_PARTNER_ID);
      if (!demo) return (await createPartner(tx, { id: DEMO_PARTNER_ID, name: 'Demo portal', now, oidcClientId: DEMO_PARTNER_ID })).apiKey;
      // A demo database from before person proofs: give the demo partner its client id.
      if (demo.oidcClientId === null) await setPartnerClientId(tx, DEMO_PARTNER_ID, DEMO_PARTNER_ID);
      return null;
    });
  }

  // DEV ONLY: a real OpenID provider with the demo people, which the issuer then uses exactly as it
  // would a national one (discovery, JWKS, code + PKCE). Its issuer is HOST and its own port.
  // The holder backend's client: its redirect URI holds the issuer's port, known once it listens.
  const holderClientId = config.oidc?.audience ?? 'vaxpass-holder';
  const holderClientSecret = config.oidc?.clientSecret ?? randomBytes(32).toString('base64url');
  let issuerUrl = '';
  const devIdp = config.devIdp
    ? await startDevOpenIdProvider({
        keysDir: config.keysDir,
        host: config.host,
        port: config.devIdpPort,
        accounts: DEMO_PEOPLE,
        findClient: async (clientId) => {
          if (clientId === holderClientId) {
            return { kind: 'holder-backend' as const, clientId, clientSecret: holderClientSecret, redirectUris: [`${issuerUrl}/api/v1/holder/session/callback`], postLogoutRedirectUris: [`${issuerUrl}/holder/`] };
          }
          return (await findPartnerByClientId(db, clientId)) ? { kind: 'partner' as const, clientId } : null;
        },
      }).catch(async (error: unknown) => {
        await db.close();
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError('VAXPASS_DEV_IDP_PORT', `port ${config.devIdpPort} for the development identity provider is in use; set VAXPASS_DEV_IDP_PORT to a free port (0 picks one)`);
        throw error;
      })
    : null;
  if (devIdp) config = { ...config, oidc: { issuer: devIdp.issuer, jwksUrl: null, audience: holderClientId, personClaim: 'sub', clientSecret: holderClientSecret } };

  const settleWanted = heapSettleEnabled(options.env ?? process.env);
  const collect = settleWanted ? exposedFullCollection() : null;
  if (settleWanted && !collect) logger.warn('heap settle is off: node was started without --expose-gc (npm start and npm run start:prod pass it); memory raised by a load spike then comes back only slowly (docs/operations.md "Memory")');
  const heapSettle = collect
    ? settleHeapAfterLoad({ ...HEAP_SETTLE_DEFAULTS, collect, onCollected: (before, after, ms) => logger.info('heap collected after load', { oldGenerationMiB: Math.round(before / 1048576), afterMiB: Math.round(after / 1048576), ms: Math.round(ms) }) })
    : null;
  let shuttingDown = false;
  const app = createApp({ db, signer: keys, clock, config, logger, isShuttingDown: () => shuttingDown });
  const server: ServerType = await listen(app.fetch, config.port, config.host, app.nodeFront, { limits, onRefused: (lane) => app.metrics.shed(lane, 'too-many-connections') }).catch(async (error: unknown) => {
    // Nothing listens, so nothing will ever close the database: close it here (embedders and tests retry).
    await db.close();
    await devIdp?.close();
    throw error;
  });
  // While draining, every response says Connection: close — also those of requests that arrived
  // before — so a keep-alive client opens its next request elsewhere instead of meeting a reset on
  // this closing connection.
  const open = openResponses();
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (shuttingDown) return void res.setHeader('Connection', 'close');
    open.track(res);
  });
  const closeConnectionsAfterResponse = () => open.forEachUnsent((res) => res.setHeader('Connection', 'close'));
  const metricsServer = app.metricsApp ? await listen(app.metricsApp.fetch, config.metricsPort ?? 0, config.host) : null;
  const livenessListener: LivenessListener | null = liveness
    ? await startLivenessListener(liveness, securityHeaderSet({ publicUrl: config.publicUrl })).catch(async (error: unknown) => {
        await new Promise((ok) => server.close(ok));
        if (metricsServer) await new Promise((ok) => metricsServer.close(ok));
        await db.close();
        await devIdp?.close();
        throw error;
      })
    : null;
  const { port } = server.address() as AddressInfo;
  // Background writes report to the same storage health as requests, so readiness sees a full disk
  // even between requests.
  const background = observedStore(db, app.storage);
  const purge = setInterval(() => {
    removeExpiredRecords(background, unixNow(clock)).then(
      (removed) => void (Object.values(removed).some((n) => n > 0) && logger.info('retention: expired records removed', { ...removed })),
      () => logger.warn('retention job failed; retrying in an hour', {}),
    );
    if (config.entryLog) {
      removeExpiredEntryBatches(db, config.entryLog, unixNow(clock)).then(
        (removed) => void (removed > 0 && logger.info('entry-log batches past retention removed', { removed })),
        () => logger.warn('entry-log retention failed; retrying in an hour', {}),
      );
    }
  }, 3600_000);
  purge.unref();
  const url = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  issuerUrl = url;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Readiness turns 503 at once; the listener stays open for drainDelayMs so load balancers
      // see that and stop sending before connections are refused.
      shuttingDown = true;
      closeConnectionsAfterResponse();
      clearInterval(purge);
      logger.info('shutting down', { drainDelayMs: config.drainDelayMs });
      if (config.drainDelayMs > 0) await new Promise((ok) => setTimeout(ok, config.drainDelayMs));
      const started = performance.now();
      await new Promise<void>((ok) => {
        const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), config.drainTimeoutMs);
        force.unref();
        // Keep-alive connections that finish their last request become idle; close them as they do,
        // instead of waiting for the keep-alive timeout.
        const idle = setInterval(() => 'closeIdleConnections' in server && server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(idle);
          ok();
        });
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      if (metricsServer) await new Promise((ok) => {
        metricsServer.close(ok);
        if ('closeAllConnections' in metricsServer) metricsServer.closeAllConnections();
      });
      await app.close();
      // Alive until the end of the drain: a probe failing during a shutdown would only race it.
      await livenessListener?.close();
      heapSettle?.stop();
      // Last: requests in flight may still have needed the provider's keys.
      await devIdp?.close();
      await db.close();
      logger.info('stopped', { drainMs: Math.round(performance.now() - started) });
      logger.flush();
    })());

  if (options.installSignalHandlers) {
    const onSignal = (signal: string) => {
      print(`${signal} received: finishing in-flight requests, then stopping.`);
      void close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  }

  printBanner(print, url, config, db.location, demoPartnerApiKey, devIdp?.issuer ?? null);
  logger.info('listening', { port, devIdp: config.devIdp });
  if (config.devIdp) logger.warn('DEV ONLY: development identity provider enabled; anyone can sign in as any person', { devIdp: true });
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const metricsUrl = metricsServer ? `http://${hostInUrl}:${(metricsServer.address() as AddressInfo).port}` : null;
  const livenessUrl = livenessListener ? `http://${hostInUrl}:${livenessListener.port}/livez` : null;
  if (metricsUrl) print(`  Metrics        ${metricsUrl}/metrics`);
  if (livenessUrl) print(`  Liveness       ${livenessUrl}   (own thread; 503 when the event loop has not run for ${liveness!.stallMs} ms)`);
  return { url, metricsUrl, livenessUrl, app, db, config, devIdpIssuer: devIdp?.issuer ?? null, demoPartnerApiKey, close };
}

/**
 * Runs a start step that depends on a configured path; its failure (a missing directory, a file
 * that is not a database, a damaged keyring) is reported as a configuration error naming the variable.
 */
async function naming<T>(variable: string, what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StoreRefusal) throw new ConfigError(variable, error.message);
    // A full disk at start shows as an I/O error of the WAL index (SQLITE_IOERR_SHMSIZE) or as
    // SQLITE_FULL: say what the operator has to do, not only the code.
    const failure = storageFailureOf(error);
    if (failure?.kind === 'full') throw new ConfigError(variable, `${what}: its storage is full (${failure.driverCode}); free space on the file system that holds it, then start again`);
    // A JSON parser's message can quote the file, and the file may be a private key: never echo it.
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof SyntaxError ? 'a file is not valid JSON' : error instanceof Error ? error.message : String(error));
    throw new ConfigError(variable, `${what} (${reason})`);
  }
}

/** One command: a DEV ONLY person proof for demo-0001 from the dev provider, sent with the demo partner's request. */
export function demoIssueCommand(url: string, devIdpIssuer: string, apiKey: string | null): string {
  const proof = `$(curl -s -d grant_type=${DEV_PERSON_PROOF_GRANT} -d client_id=${DEMO_PARTNER_ID} -d person_id=${DEMO_PEOPLE[0]!.personId} ${devIdpIssuer}/token | sed -E 's/.*"id_token":"([^"]+)".*/\\1/')`;
  return `curl -s ${url}/api/v1/partner/passes -H "Authorization: Bearer ${apiKey ?? '<demo partner API key>'}" -H "Idempotency-Key: demo-$(date +%s%N)" -H 'Content-Type: application/json' -d "{\\"idToken\\":\\"${proof}\\"}"`;
}

function printBanner(print: (line: string) => void, url: string, config: ServerConfig, database: string, demoPartnerApiKey: string | null, devIdpIssuer: string | null): void {
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
    );
  }
  if (devIdpIssuer) {
    lines.push(
      `  Dev identity provider (DEV ONLY): ${devIdpIssuer}`,
      '',
      `  A pass for ${DEMO_PEOPLE[0]!.personId} from the demo partner, with that person's proof of sign-in (DEV ONLY shortcut grant):`,
      `    ${demoIssueCommand(url, devIdpIssuer, demoPartnerApiKey)}`,
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
  // --init-database: the operator confirms that a missing or empty database is a fresh start.
  const init = process.argv.includes('--init-database') ? { VAXPASS_INIT_DATABASE: 'on' } : {};
  const env = dev ? { VAXPASS_DEV_IDP: 'on', ...process.env, ...init } : { ...process.env, ...init };
  startServer({ env, installSignalHandlers: true }).catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`vaxpass: configuration error: ${error.message}\n`);
    else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') process.stderr.write(`vaxpass: configuration error: PORT: ${(error as { port?: number }).port ?? 'the port'} is already in use on ${(error as { address?: string }).address ?? 'this host'}; set PORT to a free port (0 picks one)\n`);
    else process.stderr.write(`vaxpass: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
