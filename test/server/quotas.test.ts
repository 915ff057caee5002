// Per-partner quotas: GCRA in memory (bounded) and in Redis (shared by instances), the admin API
// that raises one, and what happens when Redis is down (fail open, counted).
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/server/clock.ts';
import { createApp } from '../../src/server/create-app.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { silentLogger } from '../../src/server/logger.ts';
import { createRateLimiter, gcra } from '../../src/server/rate-limiter.ts';
import { createRedisRateLimiter } from '../../src/server/redis-rate-limiter.ts';
import { ADMIN_TOKEN, createServerFixture, FIXTURE_START, newIdempotencyKey, problemOf, type ServerFixture } from './support/server-fixture.ts';

const REDIS_URL = process.env.VAXPASS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((ok) => {
    const socket = new Socket();
    socket.setTimeout(300);
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
    socket.once('timeout', () => (socket.destroy(), ok(false)));
    socket.connect(Number(port || 6379), hostname);
  });
}
const redisUp = await reachable(REDIS_URL);
if (!redisUp) console.warn(`quotas.test: Redis at ${REDIS_URL} not reachable; the shared-quota tests are SKIPPED`);

describe('GCRA', () => {
  it('allows a burst of the quota, then one request per 60/N seconds', () => {
    let tat: number | undefined;
    const t0 = 1_000_000;
    for (let i = 0; i < 6; i++) {
      const d = gcra(tat, t0, 6);
      expect(d.retryAfterSeconds).toBeNull();
      tat = d.tat!;
    }
    expect(gcra(tat, t0, 6)).toEqual({ tat: null, retryAfterSeconds: 10 });
    expect(gcra(tat, t0 + 9_999, 6).retryAfterSeconds).toBe(1);
    expect(gcra(tat, t0 + 10_000, 6).retryAfterSeconds).toBeNull();
  });

  it('keeps at most maxKeys keys, dropping expired ones first, without clearing active callers wholesale', async () => {
    const clock = manualClock(FIXTURE_START);
    const limiter = createRateLimiter(clock, 3);
    expect(await limiter.take('busy', 1)).toBeNull();
    expect(await limiter.take('done', 600)).toBeNull();
    clock.advance(1);
    // 'done' has expired (its TAT passed): it goes before 'busy', which keeps its state.
    expect(await limiter.take('new-1', 600)).toBeNull();
    expect(await limiter.take('new-2', 600)).toBeNull();
    expect(await limiter.take('busy', 1)).toBe(59);
    // Thousands of callers through a 3-key map: memory stays bounded, each still answered.
    for (let i = 0; i < 1000; i++) expect(await limiter.take(`k-${i}`, 600)).toBeNull();
  });

  it('takeNow() is take() without the promise: one count, one state, either way', async () => {
    const limiter = createRateLimiter(manualClock(FIXTURE_START));
    expect(limiter.takeNow!('holder:p', 2)).toBeNull();
    expect(await limiter.take('holder:p', 2)).toBeNull();
    // The burst of 2 is spent by one call of each kind.
    expect(limiter.takeNow!('holder:p', 2)).toBe(30);
    expect(await limiter.take('holder:p', 2)).toBe(30);
  });
});

describe('per-partner quota over HTTP', () => {
  let f: ServerFixture;
  afterEach(() => f.cleanup());

  it('an operator raises a partner quota with the admin API; it applies within one interval of the new rate', async () => {
    f = await createServerFixture({}, { quotaPerMinute: 1 });
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
    const limited = await f.partnerIssue({ personId: 'demo-0002' });
    expect(limited.status).toBe(429);
    expect((await problemOf(limited)).code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('60');
    const raised = await f.admin('/partners/partner-a/quota', { quotaPerMinute: 600 });
    expect(raised.status).toBe(200);
    expect(await raised.json()).toEqual({ id: 'partner-a', quotaPerMinute: 600 });
    // The used-up minute counts in the new rate's units: one new interval (0.1 s) later it flows.
    f.clock.advance(1);
    expect((await f.partnerIssue({ personId: 'demo-0002' })).status).toBe(201);
    expect((await f.admin('/partners/nobody/quota', { quotaPerMinute: 5 })).status).toBe(404);
    expect((await f.admin('/partners/partner-a/quota', { quotaPerMinute: 0 })).status).toBe(422);
    expect((await f.admin('/partners/partner-a/quota', { quotaPerMinute: 5 }, 'wrong-token-0123456789abcdefghijklmn')).status).toBe(401);
  });
});

describe.runIf(redisUp)('quotas shared through Redis', () => {
  let f: ServerFixture;
  afterEach(() => f.cleanup());

  it('two issuer instances on one database enforce one quota together', async () => {
    f = await createServerFixture({}, { quotaPerMinute: 4 });
    // A second app (a second instance) over the same database and keys, sharing Redis.
    const prefix = randomUUID();
    const shared = () => createRedisRateLimiter({ url: REDIS_URL, clock: f.clock, logger: silentLogger, prefix });
    const limiters = [shared(), shared()];
    for (const l of limiters) expect(await l.ready()).toBe(true);
    const one = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: { ...f.app.config, adminToken: ADMIN_TOKEN }, logger: silentLogger, rateLimiter: limiters[0] });
    const two = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: { ...f.app.config, adminToken: ADMIN_TOKEN }, logger: silentLogger, rateLimiter: limiters[1] });
    try {
      const issue = (app: typeof one, personId: string) =>
        app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: JSON.stringify({ personId }) });
      const statuses: number[] = [];
      for (const [i, app] of [one, two, one, two, one, two].entries()) statuses.push((await issue(app, i % 2 ? 'demo-0001' : 'demo-0002')).status);
      // Four in total across both instances, not four each.
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
      f.clock.advance(15);
      expect((await issue(two, 'demo-0001')).status).toBe(201);
      expect((await issue(one, 'demo-0001')).status).toBe(429);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('Redis down', () => {
  it('fails open: requests pass, each check is counted and a warning is logged at most every 10 s', async () => {
    const warnings: string[] = [];
    let errors = 0;
    const logger = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    // Nothing listens on port 1.
    const limiter = createRedisRateLimiter({ url: 'redis://127.0.0.1:1', clock: manualClock(FIXTURE_START), logger, onUnavailable: () => errors++ });
    try {
      const started = performance.now();
      for (let i = 0; i < 5; i++) expect(await limiter.take('partner:x', 1)).toBeNull();
      expect(performance.now() - started).toBeLessThan(500);
      expect(errors).toBe(5);
      expect(warnings).toEqual(['quota store unreachable; quotas not enforced until it answers']);
    } finally {
      await limiter.close?.();
    }
  });
});
