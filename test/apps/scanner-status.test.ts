import { describe, expect, it } from 'vitest';
import { bundleWarnings } from '../../src/apps/scanner/bundle-health.ts';
import { defaultLanguage, formatAge } from '../../src/apps/shared/i18n.ts';

const bundle = { issuedAt: 1_000_000, expiresAt: 1_000_000 + 7 * 86_400, clockSkewSeconds: 300 };

describe('scanner bundle warnings', () => {
  it('is quiet for a fresh bundle and a good clock', () => {
    expect(bundleWarnings(bundle, bundle.issuedAt + 3600, 2)).toEqual([]);
  });
  it('warns when the bundle is more than 24 h old, and when it has expired', () => {
    expect(bundleWarnings(bundle, bundle.issuedAt + 25 * 3600, null)).toEqual([{ kind: 'stale', ageSeconds: 25 * 3600 }]);
    expect(bundleWarnings(bundle, bundle.expiresAt, null)).toEqual([{ kind: 'expired' }]);
  });
  it('warns when the device clock is earlier than the bundle, or far from the server', () => {
    expect(bundleWarnings(bundle, bundle.issuedAt - 301, null)).toEqual([{ kind: 'clock-behind' }]);
    expect(bundleWarnings(bundle, bundle.issuedAt - 299, null)).toEqual([]);
    expect(bundleWarnings(null, 5, -3600)).toEqual([{ kind: 'clock-skew', offsetSeconds: -3600 }]);
  });
});

describe('app languages', () => {
  it('defaults from the browser languages, a saved choice winning', () => {
    expect(defaultLanguage(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(defaultLanguage(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(defaultLanguage(null, ['ja-JP'])).toBe('en');
    expect(defaultLanguage('ko', ['en-US'])).toBe('ko');
  });
  it('formats ages', () => {
    expect([formatAge(42, 'en'), formatAge(3600 * 30, 'en'), formatAge(86_400 * 3, 'ko')]).toEqual(['42 s', '30 h', '3일']);
  });
});
