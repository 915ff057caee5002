// The reminder behind HOLDER_ANSWER_FORMAT (src/server/session/holder-answer-etag.ts): stored
// holder ETags are confirmed without rebuilding the answer, so a change to the answer for the same
// data must come with a new format, or holders keep the old answer. This test pins what the demo
// people's answers look like at the fixture's fixed clock (everything but the parts that differ by
// run: pass ids, key ids, the signed QR text, whose own format is versioned in docs/pass-format.md).
// When it fails: if the answer changed on purpose, raise HOLDER_ANSWER_FORMAT and record the new
// fingerprint beside it here.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { insertHolderSession, sessionIdHash } from '../../src/db/queries/holder-sessions.ts';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { HOLDER_ANSWER_FORMAT } from '../../src/server/session/holder-answer-etag.ts';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

/** The answer fingerprint of each format since the ETag carried it. */
const FINGERPRINTS: Record<number, string> = {
  2: 'etJnY-KfzVgi9qA4GFVaiU1dqZ_snjkUyW8WJMoUh5A',
};

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

function withoutRunParts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRunParts);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ['passId', 'kid', 'text'].includes(k) ? `<${k}>` : withoutRunParts(v)]));
}

it('the holder answer for the same data is what this answer format pinned', async () => {
  const now = Math.floor(f.clock.now().getTime() / 1000);
  const answers: Record<string, unknown> = {};
  for (const { personId } of DEMO_PEOPLE) {
    const cookie = randomBytes(32).toString('base64url');
    await f.db.transaction((tx) => insertHolderSession(tx, { idHash: sessionIdHash(cookie), personId, csrfToken: 'csrf', pkceVerifier: null, state: null, nonce: null, createdAt: now, expiresAt: now + 3600 }));
    const res = await f.app.request('/api/v1/holder/passes', { headers: { Cookie: `vaxpass_session=${cookie}` } });
    answers[personId] = { status: res.status, body: withoutRunParts(await res.json()) };
  }
  const fingerprint = createHash('sha256').update(JSON.stringify(answers)).digest('base64url');
  expect({ format: HOLDER_ANSWER_FORMAT, fingerprint }).toEqual({ format: HOLDER_ANSWER_FORMAT, fingerprint: FINGERPRINTS[HOLDER_ANSWER_FORMAT] });
});
