// Server configuration from environment variables, validated once at start. A bad value stops
// the server with a message naming the variable; nothing is silently replaced by a default.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidTimeZone } from '../core/civil-time.ts';
import { DEFAULT_RULES, type Rules } from '../core/rules.ts';
import { readRules } from '../core/trust-bundle.ts';
import { readEntryLogPolicy, type EntryLogPolicy } from '../core/entry-log.ts';
import type { ForeignTrust } from '../core/foreign/foreign-trust.ts';
import { buildForeignTrust, ForeignTrustError } from '../publication/foreign-trust-sources.ts';
import type { AdmissionLimits } from './admission.ts';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly databasePath: string;
  /** PostgreSQL instead of the SQLite file (DATABASE_URL); null: SQLite at databasePath. */
  readonly postgres: { readonly url: string; readonly schema: string; readonly poolSize: number } | null;
  /**
   * Create the database when it is missing or empty (VAXPASS_INIT_DATABASE, `--init-database`; on in
   * dev mode). Off: such a start is refused, since it usually means a wrong path or a lost volume.
   */
  readonly initDatabase: boolean;
  /** Longest time the SQLite integrity check at start may take before the start goes on without it. */
  readonly integrityCheckBudgetMs: number;
  readonly keysDir: string;
  readonly logLevel: LogLevel;
  /** Development identity provider (DEV ONLY). */
  readonly devIdp: boolean;
  /** Port of the development OpenID provider (its issuer is http://HOST:this port); 0 picks a free one. */
  readonly devIdpPort: number;
  /** Admin bearer token; null disables the admin API. */
  readonly adminToken: string | null;
  /** True when the admin token was generated at start (printed once, dev only). */
  readonly adminTokenGenerated: boolean;
  /**
   * The OpenID provider people sign in with (holders, and partners' users whose ID tokens prove
   * who a pass is for). jwksUrl null: found by discovery. In dev mode the dev provider's issuer.
   */
  readonly oidc: OidcConfig | null;
  /** How long a holder's sign-in lasts (the session cookie and its row). */
  readonly holderSessionSeconds: number;
  /** How long after a person signed in their ID token may authorise a partner issuance. */
  readonly proofMaxAgeSeconds: number;
  /** Public origin (scheme://host:port) used in dev IdP tokens and printed URLs; null: from the request. */
  readonly publicUrl: string | null;
  readonly bundleLifetimeSeconds: number;
  readonly bundleRefreshSeconds: number;
  readonly maxBodyBytes: number;
  readonly holderQuotaPerMinute: number;
  /** How long a holder refresh's ETag may answer that session's next refreshes with 304 from memory; 0: off. */
  readonly holderRefreshCacheSeconds: number;
  readonly appsDir: string;
  /** Seed demo people and a demo partner on start (default: on when the dev IdP is on). */
  readonly seedDemo: boolean;
  readonly timeZone: string;
  /** Rules published in the trust bundle (VAXPASS_RULES_FILE, else DEFAULT_RULES). */
  readonly rules: Rules;
  /**
   * Foreign-format trust published in the bundle, from VAXPASS_EU_DCC_TRUST, VAXPASS_SHC_DIRECTORY and
   * VAXPASS_NZCP_TRUST (comma-separated file paths, the shapes `vaxpass bundle build` reads); null when none is set.
   */
  readonly foreignTrust: ForeignTrust | null;
  /** Admission control in front of signing and writes (docs/operations.md "Overload"). */
  readonly admission: AdmissionLimits;
  /** Shared quota state for several instances (redis://…); null: quotas in this process's memory. */
  readonly redisUrl: string | null;
  /** /metrics needs "Authorization: Bearer <token>" when set. */
  readonly metricsToken: string | null;
  /** /metrics on its own listener (on HOST) instead of the API port when set. */
  readonly metricsPort: number | null;
  /** After SIGTERM, /readyz answers 503 this long before the listener closes, so load balancers stop sending first. */
  readonly drainDelayMs: number;
  /** Longest wait for in-flight requests after the listener closes; then connections are cut. */
  readonly drainTimeoutMs: number;
  /** Venue entry log policy published in the bundle (VAXPASS_ENTRY_LOG_POLICY, else <keys>/entry-log-policy.json if present); null: no venue mode. */
  readonly entryLog?: EntryLogPolicy | null;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly jwksUrl: string | null;
  /** The holder app's client id (the "aud" of holders' ID tokens). */
  readonly audience: string;
  /** The ID token claim carrying the registry person id. */
  readonly personClaim: string;
  /** The holder backend's client secret at the provider; null: holder sign-in (code + PKCE) is off. */
  readonly clientSecret: string | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A whole-number setting from the environment: `fallback` when unset, a ConfigError naming it when not a whole number in [min, max]. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be "on" or "off", got "${raw}"`);
}

function path(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw.includes('\0')) throw new ConfigError(name, 'must be a file path');
  return raw;
}

function url(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(name, 'must be an http(s) URL');
  return raw.replace(/\/+$/, '');
}

function rulesFile(env: Env, name: string): Rules {
  const file = env[name];
  if (file === undefined || file === '') return DEFAULT_RULES;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(name, `cannot read rules from ${file} (${error instanceof SyntaxError ? 'not JSON' : (error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const rules = readRules(value);
  if (typeof rules === 'string') throw new ConfigError(name, `rules in ${file} are invalid: ${rules}`);
  return rules;
}

/** The entry-log policy file (authority public keys, retention days): data, so a policy change or a key rotation needs no release. */
function entryLogPolicy(env: Env, keysDir: string): EntryLogPolicy | null {
  const name = 'VAXPASS_ENTRY_LOG_POLICY';
  const fallback = join(keysDir, 'entry-log-policy.json');
  const file = env[name] || (existsSync(fallback) ? fallback : null);
  if (file === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(name, `cannot read the entry-log policy from ${file} (${error instanceof SyntaxError ? 'not JSON' : (error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const policy = readEntryLogPolicy(value);
  if (typeof policy === 'string') throw new ConfigError(name, `the entry-log policy in ${file} is invalid: ${policy}`);
  return policy;
}

const FOREIGN_TRUST_VARIABLES = { euDcc: 'VAXPASS_EU_DCC_TRUST', shc: 'VAXPASS_SHC_DIRECTORY', nzcp: 'VAXPASS_NZCP_TRUST' } as const;

function foreignTrustFiles(env: Env): ForeignTrust | null {
  const files = { euDcc: [], shc: [], nzcp: [] } as Record<keyof typeof FOREIGN_TRUST_VARIABLES, { json: unknown; source: string }[]>;
  for (const [kind, name] of Object.entries(FOREIGN_TRUST_VARIABLES) as [keyof typeof FOREIGN_TRUST_VARIABLES, string][]) {
    for (const file of (env[name] ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '')) {
      try {
        files[kind].push({ source: file, json: JSON.parse(readFileSync(file, 'utf8')) });
      } catch (error) {
        throw new ConfigError(name, `cannot read ${file} (${error instanceof SyntaxError ? 'not JSON' : (error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      }
    }
  }
  try {
    return buildForeignTrust(files);
  } catch (error) {
    if (!(error instanceof ForeignTrustError)) throw error;
    const kind = (Object.keys(FOREIGN_TRUST_VARIABLES) as (keyof typeof FOREIGN_TRUST_VARIABLES)[]).find((k) => files[k].some((f) => error.message.startsWith(f.source)));
    throw new ConfigError(kind ? FOREIGN_TRUST_VARIABLES[kind] : 'VAXPASS_EU_DCC_TRUST', error.message);
  }
}

/**
 * Bundle lifetime and refresh period. Shared with `vaxpass keys rotate`, whose lead time must be at
 * least the refresh period the server publishes with.
 */
export function bundlePeriods(env: Env = process.env): { lifetimeSeconds: number; refreshSeconds: number } {
  const lifetimeSeconds = integer(env, 'VAXPASS_BUNDLE_LIFETIME_SECONDS', 48 * 3600, 3600, 30 * 86_400);
  const refreshSeconds = integer(env, 'VAXPASS_BUNDLE_REFRESH_SECONDS', Math.floor(lifetimeSeconds / 2), 60, lifetimeSeconds);
  if (refreshSeconds > lifetimeSeconds / 2) {
    throw new ConfigError('VAXPASS_BUNDLE_REFRESH_SECONDS', 'must be at most half of VAXPASS_BUNDLE_LIFETIME_SECONDS so scanners always find a fresh bundle before theirs expires');
  }
  return { lifetimeSeconds, refreshSeconds };
}

export function loadConfig(env: Env = process.env): ServerConfig {
  const host = env.HOST || '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new ConfigError('HOST', `must be a host name or IP address, got "${host}"`);
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const devIdp = onOff(env, 'VAXPASS_DEV_IDP', false);
  // The dev IdP signs in anyone as anyone and invents an admin token: on a network interface that is
  // an open door. Refuse it unless the operator says, in so many words, that this is intended.
  if (devIdp && !isLoopbackHost(host) && env.VAXPASS_ALLOW_DEV_ON_NETWORK !== '1') {
    throw new ConfigError('HOST', `development mode (VAXPASS_DEV_IDP, npm start) listens only on loopback, got "${host}"; use npm run start:prod for a reachable server, or set VAXPASS_ALLOW_DEV_ON_NETWORK=1 for a closed test network`);
  }

  let adminToken: string | null = env.VAXPASS_ADMIN_TOKEN || null;
  let adminTokenGenerated = false;
  if (adminToken !== null && (adminToken.length < 32 || !/^[\x21-\x7e]+$/.test(adminToken))) {
    throw new ConfigError('VAXPASS_ADMIN_TOKEN', 'must be at least 32 printable characters without spaces (e.g. `openssl rand -base64 32`)');
  }
  if (adminToken === null && devIdp) {
    // Development only: a fresh random token per start, printed once on the console. Without the
    // dev IdP (production) an unset token disables the admin API instead of inventing one.
    adminToken = randomBytes(32).toString('base64url');
    adminTokenGenerated = true;
  }

  const issuer = url(env, 'VAXPASS_OIDC_ISSUER');
  const jwksUrl = url(env, 'VAXPASS_OIDC_JWKS_URL');
  if (issuer === null && jwksUrl !== null) throw new ConfigError('VAXPASS_OIDC_JWKS_URL', 'set VAXPASS_OIDC_ISSUER too (the JWKS URL alone says nothing about whose keys they are)');
  const personClaim = env.VAXPASS_OIDC_PERSON_CLAIM || 'sub';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(personClaim)) throw new ConfigError('VAXPASS_OIDC_PERSON_CLAIM', `must be a claim name, got "${personClaim}"`);
  const audience = env.VAXPASS_OIDC_AUDIENCE || 'vaxpass-holder';
  if (!/^[\x21-\x7e]{1,255}$/.test(audience)) throw new ConfigError('VAXPASS_OIDC_AUDIENCE', 'must be the client id the provider puts in "aud": printable characters without spaces');

  const port = integer(env, 'PORT', 8080, 0, 65_535);
  const { lifetimeSeconds: bundleLifetimeSeconds, refreshSeconds: bundleRefreshSeconds } = bundlePeriods(env);
  const timeZone = env.VAXPASS_TIME_ZONE || 'Asia/Seoul';
  if (!isValidTimeZone(timeZone)) throw new ConfigError('VAXPASS_TIME_ZONE', `must be an IANA time zone, got "${timeZone}"`);

  return {
    rules: rulesFile(env, 'VAXPASS_RULES_FILE'),
    foreignTrust: foreignTrustFiles(env),
    port,
    host,
    databasePath: path(env, 'VAXPASS_DB', './data/vaxpass.sqlite'),
    postgres: postgresConfig(env),
    initDatabase: onOff(env, 'VAXPASS_INIT_DATABASE', devIdp),
    integrityCheckBudgetMs: integer(env, 'VAXPASS_DB_CHECK_BUDGET_MS', 10_000, 0, 600_000),
    keysDir: path(env, 'VAXPASS_KEYS', './keys'),
    logLevel,
    devIdp,
    devIdpPort: integer(env, 'VAXPASS_DEV_IDP_PORT', port === 0 || port === 65_535 ? 0 : port + 1, 0, 65_535),
    adminToken,
    adminTokenGenerated,
    oidc: issuer ? { issuer, jwksUrl, audience, personClaim, clientSecret: env.VAXPASS_OIDC_CLIENT_SECRET || null } : null,
    holderSessionSeconds: integer(env, 'VAXPASS_HOLDER_SESSION_SECONDS', 30 * 86_400, 300, 400 * 86_400),
    proofMaxAgeSeconds: integer(env, 'VAXPASS_PROOF_MAX_AGE_SECONDS', 600, 30, 3600),
    publicUrl: url(env, 'VAXPASS_PUBLIC_URL'),
    bundleLifetimeSeconds,
    bundleRefreshSeconds,
    maxBodyBytes: integer(env, 'VAXPASS_MAX_BODY_BYTES', 16 * 1024, 1024, 1024 * 1024),
    holderQuotaPerMinute: integer(env, 'VAXPASS_HOLDER_QUOTA_PER_MINUTE', 60, 1, 1_000_000),
    holderRefreshCacheSeconds: integer(env, 'VAXPASS_HOLDER_REFRESH_CACHE_SECONDS', 1, 0, 300),
    appsDir: path(env, 'VAXPASS_APPS_DIR', './dist/apps'),
    seedDemo: onOff(env, 'VAXPASS_SEED_DEMO', devIdp),
    timeZone,
    admission: admissionLimits(env, devIdp),
    redisUrl: redisUrl(env),
    metricsToken: metricsToken(env),
    metricsPort: env.VAXPASS_METRICS_PORT ? integer(env, 'VAXPASS_METRICS_PORT', 0, 0, 65_535) : null,
    drainDelayMs: integer(env, 'VAXPASS_DRAIN_DELAY_MS', devIdp ? 0 : 5000, 0, 120_000),
    drainTimeoutMs: integer(env, 'VAXPASS_DRAIN_TIMEOUT_MS', 10_000, 100, 600_000),
    entryLog: entryLogPolicy(env, path(env, 'VAXPASS_KEYS', './keys')),
  };
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. 0.0.0.0 and :: are every interface. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export function postgresConfig(env: Env): ServerConfig['postgres'] {
  const url = env.DATABASE_URL;
  if (!url) return null;
  // The URL can hold a password: never echo it.
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(url)) throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL (unset it to use the SQLite file VAXPASS_DB)');
  const schema = env.VAXPASS_PG_SCHEMA || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError('VAXPASS_PG_SCHEMA', `must be a lowercase PostgreSQL schema name, got "${schema}"`);
  return { url, schema, poolSize: integer(env, 'VAXPASS_PG_POOL_SIZE', 10, 1, 1000) };
}

// Defaults from bench/overload on the 2-core reference machine (README "Overload"): a few
// concurrent requests keep both the event loop and the disk busy; more only lengthen queues.
function admissionLimits(env: Env, devIdp: boolean): AdmissionLimits {
  const maxConcurrent = integer(env, 'VAXPASS_MAX_CONCURRENT', 8, 1, 10_000);
  const holderReserve = integer(env, 'VAXPASS_HOLDER_RESERVE', Math.max(1, Math.floor(maxConcurrent / 4)), 0, maxConcurrent - 1);
  return {
    maxConcurrent,
    holderReserve,
    maxQueue: integer(env, 'VAXPASS_MAX_QUEUE', 32, 0, 100_000),
    maxWaitMs: integer(env, 'VAXPASS_MAX_QUEUE_WAIT_MS', 50, 0, 60_000),
    // Off in development: a laptop's (or a shared test machine's) stalls are not overload.
    maxEventLoopLagMs: integer(env, 'VAXPASS_MAX_EVENT_LOOP_LAG_MS', devIdp ? 0 : 30, 0, 60_000),
    // Off until a quiet-machine bench/overload run shows it helps (docs/benchmarks.md "Overload,
    // evening"); CoDel's interval and target (Nichols & Jacobson) are 100 and 5 ms.
    standingQueueAfterMs: integer(env, 'VAXPASS_STANDING_QUEUE_AFTER_MS', 0, 0, 60_000),
    standingQueueWaitMs: integer(env, 'VAXPASS_STANDING_QUEUE_WAIT_MS', 5, 0, 60_000),
    // Percent in the environment, a share here; off until bench/overload shows where to set it.
    maxLoopUtilization: integer(env, 'VAXPASS_MAX_LOOP_UTILIZATION_PERCENT', 0, 0, 100) / 100,
  };
}

function redisUrl(env: Env): string | null {
  const raw = env.VAXPASS_REDIS_URL;
  if (raw === undefined || raw === '') return null;
  if (!/^rediss?:\/\/\S+$/.test(raw)) throw new ConfigError('VAXPASS_REDIS_URL', 'must be a redis:// or rediss:// URL');
  return raw;
}

function metricsToken(env: Env): string | null {
  const raw = env.VAXPASS_METRICS_TOKEN;
  if (raw === undefined || raw === '') return null;
  if (raw.length < 32 || !/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError('VAXPASS_METRICS_TOKEN', 'must be at least 32 printable characters without spaces');
  return raw;
}

/** A config for tests and embedding: defaults without reading the environment. */
export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...loadConfig({ VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent', VAXPASS_ADMIN_TOKEN: 'test-admin-token-0123456789abcdefghijkl', VAXPASS_SEED_DEMO: 'off' }), ...overrides };
}
