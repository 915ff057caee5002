// Liveness (the process answers), readiness (database reachable, a bundle can be served) and
// Prometheus metrics. Having no issuer key that can sign (the only key revoked, the next one not
// started yet) does NOT make the instance unready: the trust bundle carrying that revocation is
// exactly what scanners must still be able to fetch. It shows as `issuance: "unavailable"` here and
// as vaxpass_issuance_available 0 on /metrics, for alerting.
import { Hono } from 'hono';
import type { VaxpassDatabase } from '../../db/store.ts';
import { databaseAnswers } from '../../db/queries/health.ts';
import { revokedKeyIds } from '../../db/queries/revoked-sets.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow, type Clock } from '../clock.ts';
import type { IssuerKeys } from '../issuer-keys.ts';
import { signingKeyAt } from '../issuer-keys.ts';
import type { Metrics } from '../metrics.ts';
import { problemResponse } from '../error-handler.ts';

export function healthRoutes(deps: { db: VaxpassDatabase; keys: IssuerKeys; clock: Clock; metrics: Metrics; isShuttingDown: () => boolean }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const noStore = { 'Cache-Control': 'no-store' };
  app.get('/livez', (c) => c.json({ status: 'ok' }, 200, noStore));
  app.get('/readyz', async (c) => {
    if (deps.isShuttingDown()) return problemResponse(c, 'NOT_READY', 'shutting down', noStore);
    if (!(await databaseAnswers(deps.db))) return problemResponse(c, 'NOT_READY', 'the database is not reachable', noStore);
    const now = unixNow(deps.clock);
    const directory = deps.keys.current();
    // Scanners refuse bundles whose signer certificate has expired.
    if (now > directory.signer.certificateExpiresAt) return problemResponse(c, 'NOT_READY', 'the bundle-signing certificate has expired; renew it with the root key', noStore);
    if (!(await canIssue())) return c.json({ status: 'ready', issuance: 'unavailable', detail: 'no issuer key can sign now; passes cannot be issued until one can (see /metrics vaxpass_issuance_available)' }, 200, noStore);
    return c.json({ status: 'ready', issuance: 'available' }, 200, noStore);
  });
  const canIssue = async () => signingKeyAt(deps.keys.current(), unixNow(deps.clock), await revokedKeyIds(deps.db)) !== null;
  app.get('/metrics', async (c) => {
    deps.metrics.signerCertificateExpiresAt = deps.keys.current().signer.certificateExpiresAt;
    deps.metrics.issuanceAvailable = await canIssue();
    return c.body(deps.metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', ...noStore });
  });
  return app;
}
