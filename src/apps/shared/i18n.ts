// Korean and English. The default follows navigator.language; the switch is remembered per app.
// Every string a person reads goes through here, including the scanner's failure reasons.
import type { FailureCode } from '../../core/index.ts';

export type Language = 'ko' | 'en';
export const LANGUAGES: readonly Language[] = ['ko', 'en'];

export function defaultLanguage(preferred: string | null, browser: readonly string[]): Language {
  if (preferred === 'ko' || preferred === 'en') return preferred;
  for (const tag of browser) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'ko' || primary === 'en') return primary;
  }
  return 'en';
}

type Messages = Record<string, string>;

export function translator<T extends Messages>(catalog: Record<Language, T>, language: () => Language) {
  return (key: keyof T & string, values: Record<string, string | number> = {}): string => {
    const template = catalog[language()][key] ?? catalog.en[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
  };
}

/** Why a pass was refused, in words for venue staff (and the cannot-verify cases). */
export const FAILURE_REASONS: Record<Language, Record<FailureCode, string>> = {
  en: {
    NOT_A_PASS: 'This code is not a health pass: ask the visitor to open their pass',
    MALFORMED: 'Not a vaxpass code, or the code is damaged',
    UNSUPPORTED_VERSION: 'Pass format not supported by this scanner',
    UNSUPPORTED_ALGORITHM: 'Pass signature type not supported',
    UNKNOWN_KEY: 'Issued by an unknown issuer key',
    KEY_NOT_VALID_AT_ISSUE: 'Issuer key was not valid when the pass was signed',
    KEY_EXPIRED: 'Issuer key has expired',
    KEY_REVOKED: 'Issuer key has been revoked',
    BAD_SIGNATURE: 'Signature is invalid: the pass was altered or forged',
    CERTIFICATE_TYPE_NOT_ALLOWED: 'The issuer may not sign this kind of certificate: refuse entry; the visitor should contact the issuing country',
    NOT_YET_VALID: 'Pass is not valid yet',
    EXPIRED: 'Pass has expired',
    PASS_REVOKED: 'Pass has been revoked',
    RULES_NOT_MET: 'Pass does not meet the current rules',
    BUNDLE_INVALID: 'Trust list is missing or invalid: connect to sync',
    BUNDLE_EXPIRED: 'Trust list has expired: connect to sync',
    BUNDLE_ROLLBACK: 'Received an older trust list: kept the current one',
    IMPLAUSIBLE: 'Pass contents are impossible (e.g. a dose before birth): refer to the issuer',
  },
  ko: {
    NOT_A_PASS: '건강 증명서 코드가 아닙니다: 방문자에게 증명서를 열어 달라고 하세요',
    MALFORMED: 'vaxpass 코드가 아니거나 코드가 손상되었습니다',
    UNSUPPORTED_VERSION: '이 스캐너가 지원하지 않는 증명서 형식입니다',
    UNSUPPORTED_ALGORITHM: '지원하지 않는 서명 방식입니다',
    UNKNOWN_KEY: '알 수 없는 발급 키로 발급되었습니다',
    KEY_NOT_VALID_AT_ISSUE: '발급 당시 유효하지 않은 발급 키입니다',
    KEY_EXPIRED: '발급 키가 만료되었습니다',
    KEY_REVOKED: '발급 키가 폐기되었습니다',
    BAD_SIGNATURE: '서명이 유효하지 않습니다: 변조되었거나 위조된 증명서입니다',
    CERTIFICATE_TYPE_NOT_ALLOWED: '발급 기관이 이 종류의 증명서를 발급할 권한이 없습니다: 입장을 거절하고, 방문자는 발급 국가에 문의해야 합니다',
    NOT_YET_VALID: '아직 유효하지 않은 증명서입니다',
    EXPIRED: '만료된 증명서입니다',
    PASS_REVOKED: '폐기된 증명서입니다',
    RULES_NOT_MET: '현재 기준을 충족하지 않는 증명서입니다',
    BUNDLE_INVALID: '신뢰 목록이 없거나 유효하지 않습니다: 네트워크에 연결해 동기화하세요',
    BUNDLE_EXPIRED: '신뢰 목록이 만료되었습니다: 네트워크에 연결해 동기화하세요',
    BUNDLE_ROLLBACK: '이전 버전의 신뢰 목록을 받아 현재 목록을 유지했습니다',
    IMPLAUSIBLE: '증명서 내용이 불가능합니다(예: 출생 전 접종): 발급 기관에 문의하세요',
  },
};

/** "3 h", "2 d", "5 min" — ages of bundles and saved passes. */
export function formatAge(seconds: number, language: Language): string {
  const s = Math.max(0, Math.round(seconds));
  const [value, unit] = s < 60 ? [s, 's'] : s < 3600 ? [Math.floor(s / 60), 'min'] : s < 172_800 ? [Math.floor(s / 3600), 'h'] : [Math.floor(s / 86_400), 'd'];
  if (language === 'ko') return `${value}${{ s: '초', min: '분', h: '시간', d: '일' }[unit]}`;
  return `${value} ${unit}`;
}
