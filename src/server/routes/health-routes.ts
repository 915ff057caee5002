// Liveness (the process answers), readiness (database reachable, a bundle can be served) and
// Prometheus metrics. Having no issuer key that can sign (the only key revoked, the next one not
// started yet) does NOT make the instance unready: the trust bundle carrying that revocation is
// exactly what scanners must still be able to fetch. It shows as `issuance: "unavailable"` here and
// as vaxpass_issuance_available 0 on /metrics, for alerting.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { VaxpassDatabase } from '../../db/store.ts';
import { databaseAnswers } from '../../db/queries/health.ts';
import { revokedKeyIds } from '../../db/queries/revoked-sets.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow, type Clock } from '../clock.ts';
import type { IssuerKeys } from '../issuer-keys.ts';
import { signingKeyAt } from '../issuer-keys.ts';
import { METRICS_CONTENT_TYPE, type Metrics } from '../metrics.ts';
import { bearerToken } from '../middleware/partner-auth.ts';
import { problemResponse } from '../error-handler.ts';
import { probeWrite } from '../../db/queries/storage-probe.ts';
import { STORAGE_PROBLEMS, type StorageHealth } from '../storage-health.ts';

export interface HealthDeps {
  readonly db: VaxpassDatabase;
  readonly storage: StorageHealth;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly isShuttingDown: () => boolean;
  /** Serve /metrics on this app (false: it has its own listener, VAXPASS_METRICS_PORT). */
  readonly metricsHere: boolean;
  readonly metricsToken: string | null;
}

export function healthRoutes(deps: HealthDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const noStore = { 'Cache-Control': 'no-store' };
  app.get('/livez', (c) => c.json({ status: 'ok' }, 200, noStore));
  app.get('/readyz', async (c) => {
    if (deps.isShuttingDown()) return problemResponse(c, 'NOT_READY', 'shutting down', noStore);
    const storage = await deps.storage.current(deps.db, probeWrite);
    if (storage) {
      const problem = STORAGE_PROBLEMS[storage.kind];
      return problemResponse(c, 'NOT_READY', `storage: ${problem.code} (${storage.driverCode}); ready again once a write succeeds`, { ...noStore, 'Retry-After': String(problem.retryAfterSeconds) }, { storage: storage.kind });
    }
    if (!(await databaseAnswers(deps.db))) return problemResponse(c, 'NOT_READY', 'the database is not reachable', noStore);
    const now = unixNow(deps.clock);
    const directory = deps.keys.current();
    // Scanners refuse bundles whose signer certificate is not valid now or certifies another key:
    // such an instance could only answer 503 on the bundle endpoints.
    const problem = signerProblem(directory.signer, now);
    if (problem) return problemResponse(c, 'NOT_READY', problem, noStore);
    const warnings = signerRenewalDue(directory.signer, now)
      ? [`the bundle-signing certificate expires at ${new Date(directory.signer.certificateExpiresAt * 1000).toISOString()}; run \`vaxpass keys renew-signer\` with the root key`]
      : [];
    const extra = warnings.length > 0 ? { warnings } : {};
    if (!(await canIssue())) return c.json({ status: 'ready', issuance: 'unavailable', detail: 'no issuer key can sign now; passes cannot be issued until one can (see /metrics vaxpass_issuance_available)', ...extra }, 200, noStore);
    return c.json({ status: 'ready', issuance: 'available', ...extra }, 200, noStore);
  });
  const canIssue = issuanceAvailable(deps);
  if (deps.metricsHere) app.route('/', metricsRoutes(deps));
  return app;
}

/** /metrics, behind a bearer token when VAXPASS_METRICS_TOKEN is set. */
export function metricsRoutes(deps: Pick<HealthDeps, 'db' | 'keys' | 'clock' | 'metrics' | 'metricsToken'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const canIssue = issuanceAvailable(deps);
  const expected = deps.metricsToken === null ? null : digest(deps.metricsToken);
  app.get('/metrics', async (c) => {
    if (expected !== null) {
      const token = bearerToken(c.req.header('authorization'));
      if (token === null || !timingSafeEqual(digest(token), expected)) return problemResponse(c, 'UNAUTHENTICATED', 'send the metrics token as "Authorization: Bearer <token>"', { 'WWW-Authenticate': 'Bearer realm="vaxpass-metrics"' });
    }
    const signer = deps.keys.current().signer;
    deps.metrics.signerCertificateExpiresAt = signer.certificateExpiresAt;
    deps.metrics.signerRenewalDue = signerRenewalDue(signer, unixNow(deps.clock));
    deps.metrics.issuanceAvailable = await canIssue();
    return c.body(await deps.metrics.render(), 200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  });
  return app;
}

/** Renew this long before the signer certificate expires (a third of its 90 days). */
export const SIGNER_RENEWAL_WARNING_SECONDS = 30 * 86_400;

type Signer = ReturnType<IssuerKeys['current']>['signer'];

function signerProblem(signer: Signer, now: number): string | null {
  if (signer.certifiedKid !== signer.kid) return 'bundle-signer.cert.jws certifies another key than bundle-signer.private.jwk; run `vaxpass keys renew-signer` with the root key';
  if (now < signer.certificateNotBefore) return `the bundle-signing certificate is not valid before ${new Date(signer.certificateNotBefore * 1000).toISOString()}`;
  if (now > signer.certificateExpiresAt) return 'the bundle-signing certificate has expired; run `vaxpass keys renew-signer` with the root key';
  return null;
}

function signerRenewalDue(signer: Signer, now: number): boolean {
  return signer.certificateExpiresAt - now < SIGNER_RENEWAL_WARNING_SECONDS;
}

function issuanceAvailable(deps: Pick<HealthDeps, 'db' | 'keys' | 'clock'>): () => Promise<boolean> {
  return async () => signingKeyAt(deps.keys.current(), unixNow(deps.clock), await revokedKeyIds(deps.db)) !== null;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
