// Every way a scan can fail has words for staff and visitor, in both languages: what happened, and
// what to do next. A code without them would show an empty line on the scanner.
import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../src/apps/shared/failure-reasons.ts';
import { LANGUAGES } from '../../src/apps/shared/i18n.ts';
import { FAILURE_CODES, verdictOf } from '../../src/core/index.ts';

/** Codes the table may hold before the core returns them (the foreign formats' certificate type). */
const ANNOUNCED = ['CERTIFICATE_TYPE_NOT_ALLOWED'];
const HANGUL = /[\uac00-\ud7a3]/;

describe('failure reasons', () => {
  it('has what happened and what to do next for every failure code, in English and Korean', () => {
    for (const language of LANGUAGES) {
      for (const code of FAILURE_CODES) {
        const reason = FAILURE_REASONS[language][code];
        expect(reason?.what.trim().length, `${language} ${code} what`).toBeGreaterThan(5);
        expect(reason?.next.trim().length, `${language} ${code} next`).toBeGreaterThan(10);
        // Korean text really is Korean, English is not an untranslated Korean copy.
        expect(HANGUL.test(reason!.what + reason!.next), `${language} ${code} script`).toBe(language === 'ko');
      }
      const extra = Object.keys(FAILURE_REASONS[language]).filter((code) => !(FAILURE_CODES as readonly string[]).includes(code));
      expect(extra.every((code) => ANNOUNCED.includes(code))).toBe(true);
    }
  });

  it('never blames the visitor when the scanner cannot decide, and says to update for a newer version', () => {
    for (const code of FAILURE_CODES.filter((c) => verdictOf({ ok: false, code: c }) === 'cannot-verify')) {
      expect(FAILURE_REASONS.en[code].next).toMatch(/^The visitor did nothing wrong\./);
      expect(FAILURE_REASONS.ko[code].next).toMatch(/^방문자의 잘못이 아닙니다\./);
    }
    expect(FAILURE_REASONS.en.UNSUPPORTED_VERSION.what).toMatch(/^Update the scanner/);
    expect(FAILURE_REASONS.ko.UNSUPPORTED_VERSION.what).toMatch(/^스캐너를 업데이트하세요/);
  });

  it('tells staff to ask for the pass when the code is not one', () => {
    expect(FAILURE_REASONS.en.NOT_A_PASS.next).toMatch(/Ask the visitor to open their vaccination or test pass/);
    expect(FAILURE_REASONS.ko.NOT_A_PASS.next).toMatch(/증명서를 열어 달라고/);
  });

  it('gives distinct advice for distinct situations', () => {
    for (const language of LANGUAGES) {
      const whats = FAILURE_CODES.map((code) => FAILURE_REASONS[language][code].what);
      expect(new Set(whats).size).toBe(whats.length);
    }
  });
});
