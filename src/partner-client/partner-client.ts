// A small typed client for the partner API that follows the client contract (docs/api.md
// "Client contract"): one Idempotency-Key per pass request, reused on every retry; retries only
// for answers that say "later" (503, 429, 502, 504, network errors); exponential backoff with full
// jitter, never sooner than Retry-After; and a retry budget, so when the issuer is shedding load a
// fleet of clients adds at most ~10 % retries on top of its own traffic instead of multiplying it.
// Web APIs only (fetch, crypto.randomUUID), so it runs in Node 20, Deno or a browser.

export interface PartnerPassRequest {
  readonly personId?: string;
  readonly name?: string;
  readonly birthDate?: string;
  readonly type?: 'vaccination' | 'test' | 'recovery' | 'exemption';
}

export interface IssuedPartnerPass {
  readonly passId: string;
  readonly text: string;
  readonly [field: string]: unknown;
}

export type IssueResult =
  | { readonly ok: true; readonly status: number; readonly pass: IssuedPartnerPass; readonly replayed: boolean; readonly attempts: number; readonly idempotencyKey: string }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly detail: string; readonly retryAfterSeconds: number | null; readonly attempts: number; readonly idempotencyKey: string };

export interface PartnerClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly fetch?: typeof fetch;
  /** Attempts per request, the first included (default 4). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Retries allowed per successful first attempt (default 0.1), banked up to `retryBudgetCap`. */
  readonly retryRatio?: number;
  readonly retryBudgetCap?: number;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

export class PartnerClient {
  private budget: number;
  private readonly o: Required<Omit<PartnerClientOptions, 'fetch'>> & { fetch: typeof fetch };

  constructor(options: PartnerClientOptions) {
    this.o = {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 5000,
      retryRatio: 0.1,
      retryBudgetCap: 10,
      timeoutMs: 10_000,
      random: Math.random,
      sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)),
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    };
    this.budget = this.o.retryBudgetCap;
  }

  /** Retries still in the budget (for monitoring). */
  get retryBudget(): number {
    return this.budget;
  }

  /** Issues one pass. Pass the same idempotencyKey to resume a request whose outcome you did not see. */
  async issuePass(request: PartnerPassRequest, idempotencyKey: string = crypto.randomUUID()): Promise<IssueResult> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request, idempotencyKey);
      if (attempt === 1) this.budget = Math.min(this.o.retryBudgetCap, this.budget + this.o.retryRatio);
      if ('pass' in outcome) return { ok: true, status: outcome.status, pass: outcome.pass, replayed: outcome.replayed, attempts: attempt, idempotencyKey };
      const retryable = outcome.status === 0 || RETRYABLE.has(outcome.status);
      if (!retryable || attempt >= this.o.maxAttempts || this.budget < 1) return { ok: false, ...outcome, attempts: attempt, idempotencyKey };
      this.budget -= 1;
      await this.o.sleep(this.delayMs(attempt, outcome.retryAfterSeconds));
    }
  }

  /** Full jitter over an exponential ceiling, and never before Retry-After. */
  delayMs(attempt: number, retryAfterSeconds: number | null): number {
    const ceiling = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
    const jitter = this.o.random() * ceiling;
    return retryAfterSeconds === null ? jitter : retryAfterSeconds * 1000 + jitter;
  }

  private async attempt(request: PartnerPassRequest, idempotencyKey: string): Promise<{ status: number; pass: IssuedPartnerPass; replayed: boolean } | { status: number; code: string; detail: string; retryAfterSeconds: number | null }> {
    let res: Response;
    try {
      res = await this.o.fetch(`${this.o.baseUrl}/api/v1/partner/passes`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.o.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (error) {
      return { status: 0, code: 'NETWORK_ERROR', detail: error instanceof Error ? error.name : 'fetch failed', retryAfterSeconds: null };
    }
    const retryAfter = res.headers.get('retry-after');
    const retryAfterSeconds = retryAfter !== null && /^\d{1,6}$/.test(retryAfter) ? Number(retryAfter) : null;
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 200 || res.status === 201) return { status: res.status, pass: body as IssuedPartnerPass, replayed: res.headers.get('idempotent-replayed') === 'true' };
    const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
    return { status: res.status, code: typeof problem.code === 'string' ? problem.code : `HTTP_${res.status}`, detail: typeof problem.detail === 'string' ? problem.detail : '', retryAfterSeconds };
  }
}
