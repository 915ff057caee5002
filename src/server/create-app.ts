// The issuer's HTTP application. Everything it touches is passed in (database, keys, clock,
// config), so tests build it in-process with app.request() and on a real port alike.
import { Hono, type MiddlewareHandler } from 'hono';
import type { Rules } from '../core/rules.ts';
import type { VaxpassDatabase } from '../db/store.ts';
import { createHolderSignIn } from '../idp/holder-sign-in.ts';
import { createHolderTokenVerifier } from '../idp/holder-token-verifier.ts';
import { createPersonProofVerifier } from '../idp/person-proof.ts';
import { providerJwks } from '../idp/provider-jwks.ts';
import type { KeyDirectory } from '../keys/key-directory.ts';
import type { AppEnv } from './app-env.ts';
import type { Clock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import { createErrorHandler, problemResponse } from './error-handler.ts';
import type { IssuanceContext } from './issuance/issuance-context.ts';
import { fixedIssuerKeys, type IssuerKeys } from './issuer-keys.ts';
import { createLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { observedStore, StorageHealth } from './storage-health.ts';
import { noCredentialsInUrl } from './middleware/no-credentials-in-url.ts';
import { observeRequests } from './middleware/observe-requests.ts';
import { requestId } from './middleware/request-id.ts';
import { singleHost } from './middleware/single-host.ts';
import { createIssuedPassCheck } from './issuance/issued-pass-check.ts';
import { securityHeaderSet, securityHeaders } from './middleware/security-headers.ts';
import { ApiError } from './problem.ts';
import { limitRequestBody } from './request-body.ts';
import { createBundlePublisher, type BundlePublisher } from './publication/bundle-publisher.ts';
import { AdmissionController } from './admission.ts';
import { watchEventLoopLag } from './event-loop-lag.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';
import { publicationFastPath } from './publication/publication-fast-path.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { docsRoutes } from './routes/docs-routes.ts';
import { healthRoutes, metricsRoutes } from './routes/health-routes.ts';
import { holderRefreshFastPath, holderRoutes } from './routes/holder-routes.ts';
import { createHolderNotModified } from './session/holder-not-modified.ts';
import { createHolderRefreshCache } from './session/holder-refresh-cache.ts';
import { createNodeFront, type NodeFront } from './node-front.ts';
import { holderSessionRoutes } from './routes/holder-session-routes.ts';
import { partnerRoutes } from './routes/partner-routes.ts';
import { createPartnerKeyCache } from './partner-key-cache.ts';
import { publicationRoutes } from './routes/publication-routes.ts';
import { staticApps } from './routes/static-apps.ts';
import { ENTRY_BATCH_PATH, venueRoutes } from './routes/venue-routes.ts';
import { venueAdminRoutes } from './routes/venue-admin-routes.ts';

export interface CreateAppOptions {
  readonly db: VaxpassDatabase;
  /** The issuer's keys: a loaded key directory, or a source that follows rotations (watchedKeyDirectory). */
  readonly signer: IssuerKeys | KeyDirectory;
  readonly clock: Clock;
  readonly config: ServerConfig;
  readonly logger?: Logger;
  readonly rules?: Rules;
  readonly isShuttingDown?: () => boolean;
  /** Quota state; default: Redis when VAXPASS_REDIS_URL is set, else this process's memory. */
  readonly rateLimiter?: RateLimiter;
}

export interface VaxpassApp extends Hono<AppEnv> {
  readonly publisher: BundlePublisher;
  readonly metrics: Metrics;
  readonly admission: AdmissionController;
  readonly config: ServerConfig;
  /** /metrics for its own listener when VAXPASS_METRICS_PORT is set, else null (served by this app). */
  readonly metricsApp: Hono<AppEnv> | null;
  /** Storage conditions seen by this app; readiness follows them (src/server/storage-health.ts). */
  readonly storage: StorageHealth;
  /** Answers the cheapest, most frequent requests on the node:http request, before Hono (node-front.ts); main.ts installs it. */
  readonly nodeFront: NodeFront;
  /** Releases what the app holds outside the database (the quota store's connection). */
  close(): Promise<void>;
}

export function createApp(options: CreateAppOptions): VaxpassApp {
  const { clock, config } = options;
  const keys: IssuerKeys = 'current' in options.signer ? options.signer : fixedIssuerKeys(options.signer);
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const storage = new StorageHealth((failure) => {
    metrics.storageFailed(failure.kind, failure.driverCode);
    logger.error('storage error', { kind: failure.kind, driverCode: failure.driverCode });
  });
  metrics.logLinesDropped = () => logger.dropped();
  metrics.storageHealthy = () => storage.healthy();
  const db = observedStore(options.db, storage);
  const limiter =
    options.rateLimiter ??
    (config.redisUrl ? createRedisRateLimiter({ url: config.redisUrl, clock, logger, onUnavailable: () => metrics.quotaStoreUnavailable() }) : createRateLimiter(clock));
  const loopLag = config.admission.maxEventLoopLagMs > 0 || config.admission.maxLoopUtilization > 0 ? watchEventLoopLag() : null;
  const admission = new AdmissionController(config.admission, loopLag?.ms, undefined, loopLag?.utilization);
  metrics.admission = () => admission.stats();
  const verifier = createHolderTokenVerifier({ oidc: config.oidc, now: () => clock.now() });
  const clientSecret = config.oidc?.clientSecret ?? null;
  const signIn = config.oidc && clientSecret ? createHolderSignIn({ ...config.oidc, clientSecret }) : null;
  const publisher = createBundlePublisher({ db, keys, clock, lifetimeSeconds: config.bundleLifetimeSeconds, refreshSeconds: config.bundleRefreshSeconds, rules: options.rules ?? config.rules, entryLog: config.entryLog ?? null, foreign: config.foreignTrust, logger });
  const personProof = config.oidc
    ? createPersonProofVerifier({ issuer: config.oidc.issuer, keys: providerJwks(config.oidc.issuer, config.oidc.jwksUrl), personClaim: config.oidc.personClaim, maxAgeSeconds: config.proofMaxAgeSeconds })
    : null;
  const issuance: IssuanceContext = { db, keys, clock, config, personProof, checkIssued: createIssuedPassCheck(publisher, keys), onIssued: (by) => metrics.passIssued(by) };

  const partnerKeys = createPartnerKeyCache(clock);
  const app = new Hono<AppEnv>();
  // Scanners' conditional GETs, before the general middleware (src/server/publication/publication-fast-path.ts).
  const fast = publicationFastPath({ publisher, metrics, security: securityHeaderSet({ publicUrl: config.publicUrl }) });
  app.use('/api/v1/trust-bundle', fast.bundle);
  app.use('/api/v1/trust-bundle/revocations', fast.delta);
  const refreshCache = createHolderRefreshCache({ ttlSeconds: config.holderRefreshCacheSeconds, maxEntries: 50_000 });
  metrics.holderRefreshCacheEntries = () => refreshCache.size;
  metrics.quotaKeys = () => limiter.size ?? 0;
  const holderNotModified = createHolderNotModified({ db, cache: refreshCache, clock, limiter, quotaPerMinute: config.holderQuotaPerMinute });
  app.use('/api/v1/holder/passes', holderRefreshFastPath({ notModified: holderNotModified, metrics }));
  // Any admin write (a revocation, a hold, a key) may change what a holder is given: forget every cached answer.
  app.use('/api/v1/admin/*', async (c, next) => {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') refreshCache.forgetAll();
  });
  app.use('*', requestId(), observeRequests(logger, metrics), securityHeaders({ publicUrl: config.publicUrl }), singleHost(), noCredentialsInUrl());
  const limitBody = limitRequestBody({ maxBytes: config.maxBodyBytes, tooLarge: () => new ApiError('PAYLOAD_TOO_LARGE', `the request body is larger than ${config.maxBodyBytes} bytes`) });
  // GET and HEAD carry no body here.
  // Entry-log batches have their own, larger limit (src/server/routes/venue-routes.ts).
  const limit: MiddlewareHandler<AppEnv> = (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' || ENTRY_BATCH_PATH.test(c.req.path) ? next() : limitBody(c, next));
  app.use('/api/*', limit);

  app.route('/', healthRoutes({ db, storage, keys, clock, metrics, isShuttingDown: options.isShuttingDown ?? (() => false), metricsHere: config.metricsPort === null, metricsToken: config.metricsToken }));
  app.route('/', docsRoutes(config.devIdp));
  app.route('/', publicationRoutes({ db, keys, clock, publisher, metrics }));
  app.route('/api/v1/holder/session', holderSessionRoutes({ db, clock, config, signIn, refreshCache }));
  app.route('/api/v1/holder', holderRoutes(issuance, verifier, limiter, admission, metrics, refreshCache));
  app.route('/api/v1/partner', partnerRoutes(issuance, partnerKeys, limiter, admission, metrics));
  app.route('/api/v1/venues', venueRoutes({ db, clock, entryLog: config.entryLog ?? null, limiter, admission, metrics }));
  app.route('/api/v1/admin/venues', venueAdminRoutes({ db, clock, adminToken: config.adminToken, entryLogEnabled: Boolean(config.entryLog) }));
  app.route('/api/v1/admin', adminRoutes({ db, keys, clock, publisher, partnerKeys, adminToken: config.adminToken }));
  app.route('/', staticApps(config.appsDir));

  const allowedMethods = methodsByPath(app);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    // RFC 9110 §15.5.6: a path that exists with other methods is 405 with Allow, not 404.
    const allowed = allowedMethods(path);
    if (allowed.length > 0) return problemResponse(c, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on this path; use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
    return problemResponse(c, 'NOT_FOUND', `no route for ${c.req.method} ${path.slice(0, 200)}`);
  });
  app.onError(createErrorHandler(logger, storage));
  const metricsApp = config.metricsPort === null ? null : metricsRoutes({ db, keys, clock, metrics, metricsToken: config.metricsToken });
  const nodeFront = createNodeFront({ publisher, metrics, security: securityHeaderSet({ publicUrl: config.publicUrl }), holderNotModified, admission, heldPartner: (apiKey) => partnerKeys.held(apiKey) });
  return Object.assign(app, { publisher, metrics, admission, metricsApp, config, storage, nodeFront, close: async () => (loopLag?.stop(), void (await limiter.close?.())) });
}

/** The methods the app's routes answer for a path (computed once, on first use, from the registered routes). */
function methodsByPath(app: Hono<AppEnv>): (path: string) => string[] {
  let table: { pattern: RegExp; method: string }[] | null = null;
  return (path) => {
    table ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+').replace(/\*/g, '.*')}$`),
      }));
    const methods = new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
