import { describe, expect, it } from 'vitest';
import { countryName, formatLine } from '../../src/apps/shared/pass-format-label.ts';

describe('pass format line', () => {
  it('names the format and the issuing country in the reader\'s language', () => {
    expect(formatLine({ format: 'eu-dcc', country: 'AT' }, 'en')).toBe('EU Digital COVID Certificate · Austria');
    expect(formatLine({ format: 'nzcp', country: 'NZ' }, 'ko')).toBe('뉴질랜드 COVID 패스 · 뉴질랜드');
    expect(formatLine({ format: 'shc' }, 'en')).toBe('SMART Health Card');
    expect(formatLine({ format: 'vaxpass', country: 'KR' }, 'en')).toBe('vaxpass · South Korea');
  });
  it('is empty when no format was recognised, and shows only a two-letter country code, never free text', () => {
    expect(formatLine({}, 'en')).toBe('');
    expect(countryName('VALID', 'en')).toBeNull();
    expect(formatLine({ format: 'eu-dcc', country: 'VALID ✓' }, 'en')).toBe('EU Digital COVID Certificate');
    expect(countryName('xx', 'en')).toBe('XX');
  });
});
