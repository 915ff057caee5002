import { describe, expect, it } from 'vitest';
import { detectRootChange, ROOT_CHANGE_MESSAGES } from '../../src/apps/shared/trust-root-change.ts';

describe('trust root change', () => {
  it('is no change when the issuer publishes the pinned root, or cannot be asked', () => {
    expect(detectRootChange('old', 'old', false)).toBeNull();
    expect(detectRootChange('old', null, true)).toBeNull();
  });
  it('is a development change (forgettable) for a root pinned from the server', () => {
    expect(detectRootChange('old', 'new', false)).toBe('dev');
  });
  it('is a build change (never adopted) for a root baked into the app', () => {
    expect(detectRootChange('old', 'new', true)).toBe('build');
  });
  it('says so in Korean and English', () => {
    for (const language of ['ko', 'en'] as const) {
      expect(Object.keys(ROOT_CHANGE_MESSAGES[language]).sort()).toEqual(['build', 'dev', 'forget']);
      for (const text of Object.values(ROOT_CHANGE_MESSAGES[language])) expect(text.length).toBeGreaterThan(5);
    }
    expect(ROOT_CHANGE_MESSAGES.en.build).toMatch(/new app build/);
    expect(ROOT_CHANGE_MESSAGES.en.dev).toMatch(/recreated/);
  });
});
