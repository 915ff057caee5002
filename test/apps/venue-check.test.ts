// The holder app's venue line comes from the core's verify against the signed bundle, exactly as a
// scanner decides: a pass inside its own expiry but outside the rules' window is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { useProcessTimeZone } from '../support/process-time-zone.ts';
import { acceptedUntil, venueStanding } from '../../src/apps/holder/venue-check.ts';
import { civilDayAt, formatIsoDate } from '../../src/core/civil-time.ts';
import { openBundle, type TrustedBundle } from '../../src/core/trust-bundle.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { boosterContent, createTrustFixture, singleDoseContent, type TrustFixture } from '../support/trust-fixture.ts';

const DAY = 86_400;
const janssen = (doseDaysAgo: number, now: number) => singleDoseContent('Kim Min-jun', '1990-11-30', doseDaysAgo, now);

describe('holder venue check', () => {
  let fixture: TrustFixture;
  let bundle: TrustedBundle;
  let now: Date;

  beforeAll(async () => {
    fixture = await createTrustFixture();
    now = new Date(fixture.now * 1000);
    const opened = await openBundle(await fixture.bundle(), { root: fixture.rootPublicKey, now, backend: createNodeCryptoBackend() });
    if (!opened.ok) throw new Error(opened.message);
    bundle = opened.bundle;
  });
  useProcessTimeZone('Asia/Seoul');

  it('shows the last accepted day for day windows (they end at the start of a civil day) and the hour for tests', () => {
    // A window ending at the start of 21 May in Seoul is last accepted on 20 May.
    expect(acceptedUntil(Date.parse('2026-05-20T15:00:00Z') / 1000, 'vaccination')).toBe('2026-05-20');
    expect(acceptedUntil(Date.parse('2026-11-29T20:00:00Z') / 1000, 'test')).toBe('2026-11-30 05:00');
  });

  it('accepts a booster until the pass expires, and a recent primary series until its window closes', async () => {
    const booster = await fixture.sign(boosterContent());
    await expect(venueStanding(booster.text, bundle, now)).resolves.toEqual({ kind: 'accepted', until: acceptedUntil(booster.exp, 'vaccination') });
    const recent = await fixture.sign(janssen(100, fixture.now));
    // Dose day D: accepted on days D+14 .. D+193, so the last day is 93 days from today.
    const lastDay = formatIsoDate(civilDayAt(fixture.now, 'Asia/Seoul') + 93);
    await expect(venueStanding(recent.text, bundle, now)).resolves.toEqual({ kind: 'accepted', until: lastDay });
  });

  it('refuses what a scanner refuses: a primary series past its 180 days (pass not yet expired), a revoked pass', async () => {
    const old = await fixture.sign(janssen(300, fixture.now), { exp: fixture.now + 365 * DAY });
    await expect(venueStanding(old.text, bundle, now)).resolves.toEqual({ kind: 'refused', code: 'RULES_NOT_MET' });
    const revoked = await fixture.sign(boosterContent());
    const opened = await openBundle(await fixture.bundle({ version: 2, revokedPasses: [revoked.passId] }), { root: fixture.rootPublicKey, now, backend: createNodeCryptoBackend() });
    if (!opened.ok) throw new Error(opened.message);
    await expect(venueStanding(revoked.text, opened.bundle, now)).resolves.toEqual({ kind: 'refused', code: 'PASS_REVOKED' });
  });

  it('cannot tell without a bundle or with an expired one, and says so instead of refusing', async () => {
    const booster = await fixture.sign(boosterContent());
    await expect(venueStanding(booster.text, null, now)).resolves.toEqual({ kind: 'unavailable' });
    await expect(venueStanding(booster.text, bundle, new Date((bundle.expiresAt + 60) * 1000))).resolves.toEqual({ kind: 'unavailable' });
  });

  it('neither refuses a newer pass version (update the app) nor a saved item that is no pass at all', async () => {
    const booster = await fixture.sign(boosterContent());
    await expect(venueStanding(booster.text.replace(/^VP1:/, 'VP2:'), bundle, now)).resolves.toEqual({ kind: 'app-outdated' });
    await expect(venueStanding('https://menu.example/today', bundle, now)).resolves.toEqual({ kind: 'not-a-pass' });
    // A damaged pass is still a pass, and venues refuse it.
    await expect(venueStanding(booster.text.slice(0, -4), bundle, now)).resolves.toMatchObject({ kind: 'refused' });
  });
});
