// Entry-log records: sealed to the authority key, opened only with it, for the venue they were
// sealed for; the bundle's entryLog section is validated like the rest of the signed bundle.
import { describe, expect, it } from 'vitest';
import { generateAuthorityKey, importAuthorityPrivateKey, openEntry, readEntryLogPolicy, sealEntry, ENTRY_LOG_SUITE } from '../../src/core/entry-log.ts';

describe('entry-log records', () => {
  it('round-trip; the wrong key, a tampered ciphertext or a wrong venue never open and never throw', async () => {
    const a = await generateAuthorityKey();
    const b = await generateAuthorityKey();
    const policy = { retentionDays: 28, authorityKeys: [a.publicKey] };
    const sealed = await sealEntry(policy, { passId: 'ab'.repeat(16), at: 1_800_000_000, venueId: 'cafe' });
    expect(sealed.kid).toBe(a.publicKey.kid);
    const keyA = new Map([[a.publicKey.kid, await importAuthorityPrivateKey(a.privateJwk)]]);
    expect(await openEntry(keyA, 'cafe', sealed)).toEqual({ ok: true, entry: { passId: 'ab'.repeat(16), at: 1_800_000_000, venueId: 'cafe' } });
    // Same plaintext, fresh ephemeral key each time: two seals of one entry do not match.
    expect((await sealEntry(policy, { passId: 'ab'.repeat(16), at: 1_800_000_000, venueId: 'cafe' })).ct).not.toBe(sealed.ct);
    const keyBUnderA = new Map([[a.publicKey.kid, await importAuthorityPrivateKey(b.privateJwk)]]);
    expect((await openEntry(keyBUnderA, 'cafe', sealed)).ok).toBe(false);
    expect(await openEntry(new Map(), 'cafe', sealed)).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
    const flipped = sealed.ct.slice(0, -2) + (sealed.ct.at(-2) === 'A' ? 'B' : 'A') + sealed.ct.at(-1);
    expect((await openEntry(keyA, 'cafe', { ...sealed, ct: flipped })).ok).toBe(false);
    expect((await openEntry(keyA, 'cafe', { ...sealed, enc: '!' })).ok).toBe(false);
    expect((await openEntry(keyA, 'bar', sealed)).ok).toBe(false);
  });

  it('the private JWK names its key id and holds no key usage the issuer could rely on', async () => {
    const { privateJwk, publicKey } = await generateAuthorityKey();
    expect(privateJwk).toMatchObject({ kty: 'OKP', crv: 'X25519', kid: publicKey.kid });
    expect(publicKey.suite).toBe(ENTRY_LOG_SUITE);
  });

  it('validates the policy from the bundle', async () => {
    const { publicKey } = await generateAuthorityKey();
    expect(readEntryLogPolicy({ retentionDays: 28, authorityKeys: [publicKey] })).toEqual({ retentionDays: 28, authorityKeys: [publicKey] });
    for (const bad of [null, {}, { retentionDays: 0, authorityKeys: [publicKey] }, { retentionDays: 28, authorityKeys: [] }, { retentionDays: 28, authorityKeys: [publicKey, publicKey] }, { retentionDays: 28, authorityKeys: [{ ...publicKey, suite: 'other' }] }, { retentionDays: 28, authorityKeys: [{ ...publicKey, publicKey: 'AAAA' }] }]) {
      expect(typeof readEntryLogPolicy(bad)).toBe('string');
    }
  });
});
