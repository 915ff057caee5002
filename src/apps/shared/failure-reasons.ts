// Why a scan was not "valid", in words for the people at the door. Each code has two parts:
// `what` happened (short; the holder app shows it on the pass too) and what to do `next`, said so
// that staff can repeat it to the visitor. Where the scanner rather than the pass is at fault, `next`
// says so: a visitor must not be blamed for an out-of-date trust list or scanner.
import type { FailureCode } from '../../core/index.ts';
import type { Language } from './i18n.ts';

/**
 * The EU DCC certificate-type code arrives with the foreign-format verification; listing it here
 * already keeps the table complete the moment the core starts returning it.
 */
export type ReasonCode = FailureCode | 'CERTIFICATE_TYPE_NOT_ALLOWED';

export interface FailureReason {
  readonly what: string;
  readonly next: string;
}

const en: Record<ReasonCode, FailureReason> = {
  NOT_A_PASS: {
    what: 'This code is not a health pass',
    next: 'Ask the visitor to open their vaccination or test pass (not a menu, payment or other code) and scan again.',
  },
  MALFORMED: {
    what: 'The code is damaged or incomplete',
    next: 'Ask the visitor to turn up the screen brightness and show the pass again. If it keeps failing, they should download the pass again.',
  },
  UNSUPPORTED_VERSION: {
    what: 'Update the scanner: this pass is a newer version than it reads',
    next: 'The visitor did nothing wrong. Update the scanner app, or check the pass on an up-to-date scanner.',
  },
  UNSUPPORTED_ALGORITHM: {
    what: 'Pass signature type not supported',
    next: 'Not accepted here. The visitor should download a new pass from the issuer.',
  },
  UNKNOWN_KEY: {
    what: 'Issued by an unknown issuer key',
    next: 'Sync the trust list and scan again. If it is still refused, the visitor needs a pass from a recognised issuer.',
  },
  KEY_NOT_VALID_AT_ISSUE: {
    what: 'Issuer key was not valid when the pass was signed',
    next: 'Not accepted. The visitor should download a new pass from the issuer.',
  },
  KEY_EXPIRED: {
    what: 'Issuer key has expired',
    next: 'Not accepted. The visitor should download a new pass from the issuer.',
  },
  KEY_REVOKED: {
    what: 'Issuer key has been revoked',
    next: 'Not accepted. The visitor should download a new pass from the issuer.',
  },
  BAD_SIGNATURE: {
    what: 'Signature is invalid: the pass was altered or forged',
    next: 'Do not admit on this code. The visitor must show the original pass from the issuer or the holder app.',
  },
  NOT_YET_VALID: {
    what: 'Pass is not valid yet',
    next: 'The visitor can use it from its start date. If that has passed, check the date and time of this device.',
  },
  EXPIRED: {
    what: 'Pass has expired',
    next: 'The visitor needs an up-to-date pass (after a booster, a new test or a renewal). Refreshing it in the holder app may be enough.',
  },
  PASS_REVOKED: {
    what: 'Pass has been revoked',
    next: 'Not accepted. The visitor should contact the issuer of the pass.',
  },
  RULES_NOT_MET: {
    what: 'Pass does not meet the current rules',
    next: 'Not accepted today (for example too few doses, or the last one too long ago). The holder app shows what is accepted.',
  },
  BUNDLE_INVALID: {
    what: 'Trust list is missing or invalid: connect to sync',
    next: 'The visitor did nothing wrong. Connect this scanner to the network, let it sync, then scan again.',
  },
  BUNDLE_EXPIRED: {
    what: 'Trust list has expired: connect to sync',
    next: 'The visitor did nothing wrong. Connect this scanner to the network, let it sync, then scan again.',
  },
  BUNDLE_ROLLBACK: {
    what: 'Received an older trust list: kept the current one',
    next: 'The visitor did nothing wrong. Sync again; if it repeats, tell whoever runs the scanners.',
  },
  IMPLAUSIBLE: {
    what: 'Pass contents are impossible (e.g. a dose before birth): refer to the issuer',
    next: 'Not accepted. The visitor should ask the issuer to correct the record and then download the pass again.',
  },
  CERTIFICATE_TYPE_NOT_ALLOWED: {
    what: "The issuer's certificate may not sign this kind of pass",
    next: 'Not accepted. The visitor should ask the issuer for a correctly issued pass.',
  },
};

const ko: Record<ReasonCode, FailureReason> = {
  NOT_A_PASS: {
    what: '건강 증명서 코드가 아닙니다',
    next: '방문자에게 메뉴·결제 등 다른 코드가 아닌 접종 또는 검사 증명서를 열어 달라고 한 뒤 다시 스캔하세요.',
  },
  MALFORMED: {
    what: '코드가 손상되었거나 일부만 읽혔습니다',
    next: '방문자에게 화면 밝기를 높여 증명서를 다시 보여 달라고 하세요. 계속 실패하면 증명서를 다시 내려받아야 합니다.',
  },
  UNSUPPORTED_VERSION: {
    what: '스캐너를 업데이트하세요: 이 스캐너가 읽지 못하는 새 버전의 증명서입니다',
    next: '방문자의 잘못이 아닙니다. 스캐너 앱을 업데이트하거나 최신 스캐너로 확인하세요.',
  },
  UNSUPPORTED_ALGORITHM: {
    what: '지원하지 않는 서명 방식입니다',
    next: '인정되지 않습니다. 방문자는 발급 기관에서 증명서를 새로 내려받아야 합니다.',
  },
  UNKNOWN_KEY: {
    what: '알 수 없는 발급 키로 발급되었습니다',
    next: '신뢰 목록을 동기화한 뒤 다시 스캔하세요. 그래도 거부되면 인정된 발급 기관의 증명서가 필요합니다.',
  },
  KEY_NOT_VALID_AT_ISSUE: {
    what: '발급 당시 유효하지 않은 발급 키입니다',
    next: '인정되지 않습니다. 방문자는 발급 기관에서 증명서를 새로 내려받아야 합니다.',
  },
  KEY_EXPIRED: {
    what: '발급 키가 만료되었습니다',
    next: '인정되지 않습니다. 방문자는 발급 기관에서 증명서를 새로 내려받아야 합니다.',
  },
  KEY_REVOKED: {
    what: '발급 키가 폐기되었습니다',
    next: '인정되지 않습니다. 방문자는 발급 기관에서 증명서를 새로 내려받아야 합니다.',
  },
  BAD_SIGNATURE: {
    what: '서명이 유효하지 않습니다: 변조되었거나 위조된 증명서입니다',
    next: '이 코드로는 입장할 수 없습니다. 방문자는 발급 기관이나 증명서 앱의 원본 증명서를 보여 주어야 합니다.',
  },
  NOT_YET_VALID: {
    what: '아직 유효하지 않은 증명서입니다',
    next: '방문자는 시작일부터 사용할 수 있습니다. 시작일이 지났다면 이 기기의 날짜와 시간을 확인하세요.',
  },
  EXPIRED: {
    what: '만료된 증명서입니다',
    next: '방문자에게 최신 증명서가 필요합니다(추가 접종, 새 검사, 갱신 후). 증명서 앱에서 새로 고치면 될 수도 있습니다.',
  },
  PASS_REVOKED: {
    what: '폐기된 증명서입니다',
    next: '인정되지 않습니다. 방문자는 증명서 발급 기관에 문의해야 합니다.',
  },
  RULES_NOT_MET: {
    what: '현재 기준을 충족하지 않는 증명서입니다',
    next: '오늘은 인정되지 않습니다(예: 접종 횟수 부족, 마지막 접종 후 기간 경과). 증명서 앱에서 인정 여부를 볼 수 있습니다.',
  },
  BUNDLE_INVALID: {
    what: '신뢰 목록이 없거나 유효하지 않습니다: 네트워크에 연결해 동기화하세요',
    next: '방문자의 잘못이 아닙니다. 이 스캐너를 네트워크에 연결해 동기화한 뒤 다시 스캔하세요.',
  },
  BUNDLE_EXPIRED: {
    what: '신뢰 목록이 만료되었습니다: 네트워크에 연결해 동기화하세요',
    next: '방문자의 잘못이 아닙니다. 이 스캐너를 네트워크에 연결해 동기화한 뒤 다시 스캔하세요.',
  },
  BUNDLE_ROLLBACK: {
    what: '이전 버전의 신뢰 목록을 받아 현재 목록을 유지했습니다',
    next: '방문자의 잘못이 아닙니다. 다시 동기화하고, 반복되면 스캐너 관리자에게 알리세요.',
  },
  IMPLAUSIBLE: {
    what: '증명서 내용이 불가능합니다(예: 출생 전 접종): 발급 기관에 문의하세요',
    next: '인정되지 않습니다. 방문자는 발급 기관에 기록 수정을 요청한 뒤 증명서를 다시 내려받아야 합니다.',
  },
  CERTIFICATE_TYPE_NOT_ALLOWED: {
    what: '발급 기관의 인증서로는 이 종류의 증명서를 발급할 수 없습니다',
    next: '인정되지 않습니다. 방문자는 발급 기관에 올바르게 발급된 증명서를 요청해야 합니다.',
  },
};

export const FAILURE_REASONS: Record<Language, Record<ReasonCode, FailureReason>> = { en, ko };
