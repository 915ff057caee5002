// A fetch for the overload generator's PartnerClient over node:http instead of undici. The
// generator must offer 10 × C from one core; profiled (docs/benchmarks.md "Overload"), undici's
// fetch with its web streams was the largest share of the generator's CPU, and a generator that
// cannot keep up measures itself, not the issuer. Only what PartnerClient uses is supported: a
// string body, plain-object headers, an AbortSignal; the answer is read whole.
import { Agent, request } from 'node:http';

export function nodeHttpFetch(agent: Agent = new Agent({ keepAlive: true, maxSockets: Infinity })): typeof fetch {
  return ((input: string | URL, init: RequestInit = {}) =>
    new Promise<Response>((ok, fail) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return fail(signal.reason);
      const req = request(input, { method: init.method ?? 'GET', headers: init.headers as Record<string, string> | undefined, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          signal?.removeEventListener('abort', abort);
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
          ok(new Response(res.statusCode === 204 || res.statusCode === 304 ? null : Buffer.concat(chunks), { status: res.statusCode!, headers }));
        });
        res.on('error', fail);
      });
      const abort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', abort, { once: true });
      req.on('error', (error) => (signal?.removeEventListener('abort', abort), fail(error)));
      req.end(typeof init.body === 'string' ? init.body : undefined);
    })) as typeof fetch;
}
