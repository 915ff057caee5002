// The GCRA quota state in Redis (VAXPASS_REDIS_URL), so a partner's quota holds across all issuer
// instances. One atomic script per check; each key expires when its TAT passes, so Redis holds only
// callers active within the last quota period.
//
// Redis down or slow (50 ms): the request is let through (fail open), counted on /metrics
// (vaxpass_quota_store_errors_total) and logged at most every 10 s. Quotas share capacity fairly
// between partners; they are not what keeps an instance alive — admission control is, and it is
// local to each instance — so a Redis outage must not become a national issuance outage.
import { Redis } from 'ioredis';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';

// The port of gcra() in rate-limiter.ts. Returns -1 when allowed, else the milliseconds to wait.
const GCRA_SCRIPT = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local interval = 60000 / limit
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local nextTat = tat + interval
local over = nextTat - now - limit * interval
if over > 0 then return math.ceil(over) end
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now))
return -1
`;

export interface RedisRateLimiterOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onUnavailable?: () => void;
  readonly timeoutMs?: number;
  /** Key prefix (default "vaxpass:quota:"); deployments sharing one Redis set their own. */
  readonly prefix?: string;
}

export interface RedisRateLimiter extends RateLimiter {
  /** Resolves true once connected, false if not within connectTimeout (start-up waits for this). */
  ready(): Promise<boolean>;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const redis = new Redis(options.url, {
    // Never queue quota checks behind a reconnect: a check that cannot run now is let through.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.timeoutMs ?? 50,
    connectTimeout: 1000,
    keyPrefix: options.prefix ?? 'vaxpass:quota:',
    reconnectOnError: () => true,
  });
  redis.defineCommand('vaxpassGcra', { numberOfKeys: 1, lua: GCRA_SCRIPT });
  let lastWarning = 0;
  // ioredis reports connection errors as events; without a listener they would be thrown.
  redis.on('error', () => undefined);
  const unavailable = (error: unknown) => {
    options.onUnavailable?.();
    const now = Date.now();
    if (now - lastWarning > 10_000) {
      lastWarning = now;
      options.logger.warn('quota store unreachable; quotas not enforced until it answers', { error: (error as NodeJS.ErrnoException).code ?? (error as Error).name });
    }
    return null;
  };
  const gcra = (redis as unknown as { vaxpassGcra(key: string, now: number, limit: number): Promise<number> }).vaxpassGcra.bind(redis);
  return {
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve(true)
        : new Promise<boolean>((ok) => {
            const timer = setTimeout(() => ok(false), 1000);
            redis.once('ready', () => (clearTimeout(timer), ok(true)));
          }),
    async take(key, limit) {
      // Not connected (start-up, outage): let it through now rather than wait for a reconnect.
      if (redis.status !== 'ready') return unavailable(new Error(`redis ${redis.status}`));
      try {
        const waitMs = await gcra(key, options.clock.now().getTime(), limit);
        return waitMs < 0 ? null : Math.max(1, Math.ceil(waitMs / 1000));
      } catch (error) {
        return unavailable(error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
