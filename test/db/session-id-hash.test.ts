// The session cookie's id is stored only as its SHA-256 (holder_sessions.id_hash): the one-shot
// hash must give the very hex a Hash object gave, or every session stored before would stop
// matching its cookie.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sessionIdHash } from '../../src/db/queries/holder-sessions.ts';

describe('sessionIdHash', () => {
  it('is the lowercase hex SHA-256 of the UTF-8 cookie id, as stored before', () => {
    for (const id of [randomBytes(32).toString('base64url'), '', 'ünïcödé-ид-🙂']) {
      expect(sessionIdHash(id)).toBe(createHash('sha256').update(id, 'utf8').digest('hex'));
    }
    expect(sessionIdHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
