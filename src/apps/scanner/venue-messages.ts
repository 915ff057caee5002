import type { Language } from '../shared/i18n.ts';

const en = {
  venueMode: 'Venue entry log',
  venueOff: 'Off. A venue that must keep an entry log enrols once with the code from the issuer.',
  enrolLabel: 'Enrolment code',
  enrol: 'Enrol',
  enrolling: 'Enrolling…',
  enrolFailed: 'Enrolment failed: {reason}',
  enrolOffline: 'Enrolment needs the network once.',
  noPolicy: 'The trust list has no entry-log key yet: sync first.',
  venueOn: 'Recording entries for {name}. Records are encrypted for the health authority at once.',
  venuePaused: 'Enrolled as {name}; not recording.',
  record: 'Record entries',
  pending: '{count} records waiting to upload',
  allUploaded: 'All records uploaded',
  uploading: 'Uploading…',
  offlineUpload: 'Offline: records are kept and uploaded when online',
  waitingUpload: 'Upload failed; retrying',
  reEnrol: 'The venue credential is no longer valid: enrol again with a new code (records are kept)',
  nearFull: 'Entry log almost full ({count} of {max}): connect to the network to upload',
  full: 'Entry log full: new entries are NOT recorded until the device uploads',
};

const ko: typeof en = {
  venueMode: '출입 명부',
  venueOff: '꺼짐. 출입 명부를 작성해야 하는 시설은 발급기관의 코드로 한 번 등록합니다.',
  enrolLabel: '등록 코드',
  enrol: '등록',
  enrolling: '등록 중…',
  enrolFailed: '등록 실패: {reason}',
  enrolOffline: '등록에는 한 번 네트워크 연결이 필요합니다.',
  noPolicy: '신뢰 목록에 출입 명부 키가 아직 없습니다: 먼저 동기화하세요.',
  venueOn: '{name}의 출입을 기록 중. 기록은 즉시 방역당국만 열 수 있게 암호화됩니다.',
  venuePaused: '{name}(으)로 등록됨. 기록하지 않음.',
  record: '출입 기록',
  pending: '업로드 대기 중인 기록 {count}건',
  allUploaded: '모든 기록 업로드 완료',
  uploading: '업로드 중…',
  offlineUpload: '오프라인: 기록은 보관되고 연결되면 업로드됩니다',
  waitingUpload: '업로드 실패, 다시 시도합니다',
  reEnrol: '시설 인증 정보가 더 이상 유효하지 않습니다: 새 코드로 다시 등록하세요 (기록은 보관됨)',
  nearFull: '출입 명부가 거의 찼습니다 ({count}/{max}): 네트워크에 연결해 업로드하세요',
  full: '출입 명부가 가득 찼습니다: 업로드할 때까지 새 출입은 기록되지 않습니다',
};

export const VENUE_MESSAGES: Record<Language, typeof en> = { en, ko };
