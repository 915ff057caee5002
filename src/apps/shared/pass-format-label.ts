// How the apps name a pass format and its issuing country. Staff compare this line with what the
// visitor says they carry ("my EU certificate"), so formats get their public names, and countries
// the browser's own localised name (Intl.DisplayNames) rather than a bare ISO code.
import type { PassFormat } from '../../core/index.ts';
import type { Language } from './i18n.ts';

const FORMAT_NAMES: Record<Language, Record<PassFormat, string>> = {
  en: { vaxpass: 'vaxpass', 'eu-dcc': 'EU Digital COVID Certificate', shc: 'SMART Health Card', nzcp: 'NZ COVID Pass' },
  ko: { vaxpass: 'vaxpass', 'eu-dcc': 'EU 디지털 코로나19 증명서', shc: 'SMART Health Card', nzcp: '뉴질랜드 COVID 패스' },
};

export function formatName(format: PassFormat, language: Language): string {
  return FORMAT_NAMES[language][format];
}

/**
 * "Austria" / "오스트리아" for "AT". Only a two-letter code is shown: the field can come from a
 * foreign pass, and free text there must never reach the screen (it could read "VALID").
 */
export function countryName(country: string, language: Language): string | null {
  if (!/^[A-Za-z]{2}$/.test(country)) return null;
  const code = country.toUpperCase();
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** "EU Digital COVID Certificate · Austria", or just the format when the country is not known. */
export function formatLine(result: { readonly format?: PassFormat; readonly country?: string }, language: Language): string {
  if (result.format === undefined) return '';
  const name = formatName(result.format, language);
  const country = result.country === undefined ? null : countryName(result.country, language);
  return country === null ? name : `${name} · ${country}`;
}
