// Request bodies (src/server/request-body.ts): over a real port they are read from the node:http
// request, in-process (app.request) from the Fetch Request. Both must give the same answers: the
// size limit with and without Content-Length, chunked bodies, invalid UTF-8, a client that leaves
// halfway — and a refusal must never leave a pass behind.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { createServerFixture, listen, newIdempotencyKey, type ServerFixture } from './support/server-fixture.ts';

const LIMIT = 2048;
let f: ServerFixture;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  f = await createServerFixture({ maxBodyBytes: LIMIT });
  server = await listen(f.app);
});
afterAll(async () => {
  await server.close();
  await f.cleanup();
});

interface Sent {
  readonly status: number;
  readonly body: string;
}

/** A raw POST to the partner API: the chunks are written one by one, with Content-Length only when given. */
function rawPost(chunks: readonly (string | Buffer)[], options: { contentLength?: number; abortAfterChunks?: boolean } = {}): Promise<Sent> {
  const { port } = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: '/api/v1/partner/passes',
      headers: {
        Authorization: `Bearer ${f.partnerA.apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': newIdempotencyKey(),
        ...(options.contentLength === undefined ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(options.contentLength) }),
      },
    });
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => ok({ status: res.statusCode!, body }));
    });
    req.on('error', (error) => (options.abortAfterChunks ? ok({ status: 0, body: '' }) : fail(error)));
    req.flushHeaders();
    const write = async () => {
      for (const chunk of chunks) {
        req.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (options.abortAfterChunks) {
        req.destroy();
        ok({ status: 0, body: '' });
      } else if (options.contentLength === undefined || chunks.length > 0) req.end();
    };
    void write();
  });
}

const codeOf = (sent: Sent) => (JSON.parse(sent.body) as { code: string }).code;

describe('request bodies over a real port', () => {
  it('a body in several chunks (no Content-Length) is read whole and issues', async () => {
    const sent = await rawPost(['{"person', 'Id":"demo', '-0001"}']);
    expect(sent.status).toBe(201);
    expect(JSON.parse(sent.body)).toMatchObject({ type: 'vaccination' });
  });

  it('a declared Content-Length past the limit is refused before the body is sent', async () => {
    const before = await countIssuedPasses(f.db);
    // Headers only: the answer must come without a byte of the body.
    const sent = await rawPost([], { contentLength: LIMIT + 1 });
    expect(sent.status).toBe(413);
    expect(codeOf(sent)).toBe('PAYLOAD_TOO_LARGE');
    expect(await countIssuedPasses(f.db)).toBe(before);
  });

  it('a chunked body that grows past the limit is refused, and nothing is issued', async () => {
    const before = await countIssuedPasses(f.db);
    const sent = await rawPost(['{"personId":"demo-0001","name":"', 'x'.repeat(LIMIT), '"}']);
    expect(sent.status).toBe(413);
    expect(codeOf(sent)).toBe('PAYLOAD_TOO_LARGE');
    expect(await countIssuedPasses(f.db)).toBe(before);
  });

  it('invalid UTF-8 is INVALID_JSON, as in-process', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x70, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
    const sent = await rawPost([bytes], { contentLength: bytes.length });
    expect(sent.status).toBe(400);
    expect(codeOf(sent)).toBe('INVALID_JSON');
    const inProcess = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: bytes });
    expect(inProcess.status).toBe(400);
    expect(((await inProcess.json()) as { code: string }).code).toBe('INVALID_JSON');
  });

  it('a client that leaves halfway through its body gets nothing issued, and the server keeps serving', async () => {
    const before = await countIssuedPasses(f.db);
    await rawPost(['{"personId":"de'], { contentLength: 40, abortAfterChunks: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(await countIssuedPasses(f.db)).toBe(before);
    const next = await rawPost(['{"personId":"demo-0002"}']);
    expect(next.status).toBe(201);
  });

  it('the same limit holds in-process, with and without Content-Length', async () => {
    const big = JSON.stringify({ personId: 'demo-0001', name: 'x'.repeat(LIMIT) });
    const declared = await f.partnerIssue(null, { raw: big });
    expect(declared.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big.slice(0, 1000)));
        controller.enqueue(new TextEncoder().encode(big.slice(1000)));
        controller.close();
      },
    });
    const streamed = await f.app.request('/api/v1/partner/passes', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });
});
