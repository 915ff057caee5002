// What a pass says, as the issuer fills it in and the verifier reads it back.
// Only the minimum: who (name, birth date) and the facts the rules need. Dates are civil days
// (days since 1970-01-01 in the issuing country's calendar); instants are unix seconds.
import type { CivilDay } from './civil-time.ts';
import type { PassType } from './verification-result.ts';

export type TestKind = 'PCR' | 'RAT';
export type TestOutcome = 'negative' | 'positive';

export interface Dose {
  readonly product: number;
  readonly date: CivilDay;
}

export type PassFacts =
  | { readonly type: 'vaccination'; readonly doses: readonly Dose[] }
  | { readonly type: 'test'; readonly test: { readonly kind: TestKind; readonly sampledAt: number; readonly result: TestOutcome } }
  | { readonly type: 'recovery'; readonly recovery: { readonly firstPositiveTest: CivilDay } }
  | { readonly type: 'exemption'; readonly exemption: { readonly validFrom: CivilDay; readonly validUntil: CivilDay } };

export type PassContent = {
  readonly name: string;
  readonly birthDate: CivilDay;
  /** Reserved for a later live-presentation mode: the holder device's Ed25519 public key (32 bytes). */
  readonly deviceKey?: Uint8Array;
} & PassFacts;

/** CWT claims (RFC 8392 §3.1) the issuer sets; never taken from a client. */
export interface PassClaims {
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** Pass id: 8 to 16 random bytes. */
  readonly cti: Uint8Array;
}

export interface Pass extends PassClaims {
  readonly content: PassContent;
}

export const PASS_TYPES: readonly PassType[] = ['vaccination', 'test', 'recovery', 'exemption'];

export const LIMITS = {
  nameMaxCodePoints: 80,
  issMaxLength: 32,
  ctiMinBytes: 8,
  ctiMaxBytes: 16,
  maxDoses: 10,
  /** 1870-01-01 .. 2149-06-06 keeps every birth date in a 3-byte CBOR integer. */
  minCivilDay: -36_525,
  maxCivilDay: 65_535,
  deviceKeyBytes: 32,
} as const;

// A name is shown on the scanner next to the verdict, so it must never be able to look like one
// ("Kim⏎VALID", "✅ VALID - Kim"). The rule is a whitelist: letters, combining marks, the ASCII
// space and the punctuation real names use (hyphen, apostrophes, full stop, comma, middle dots).
// Everything else — digits, symbols and emoji, other spaces, line and paragraph separators,
// control, format, private-use and unassigned code points — is refused (docs/pass-format.md §4).
const INVISIBLE_OR_SEPARATOR = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}]/u;
const NAME_CHARACTERS = /^[\p{L}\p{M} \-'.,\u2019\u00B7\u30FB]+$/u;
/** Words of the scanner's verdicts (English and Korean, docs/apps.md): never a whole word of a name. */
const VERDICT_WORDS: ReadonlySet<string> = new Set(['valid', 'invalid', 'not', 'cannot', 'verify', 'verified', '유효', '무효', '유효하지', '않음', '확인', '불가']);

/** Why a name cannot go on a pass, or null when it can. The name must already be NFC. */
export function nameProblem(name: string): string | null {
  if (name.length === 0 || name.trim() !== name) return 'name is empty or has leading/trailing spaces';
  if (name.normalize('NFC') !== name) return 'name is not in Unicode NFC';
  // A string never has more code points than UTF-16 units, so only long strings need counting.
  if (name.length > LIMITS.nameMaxCodePoints && [...name].length > LIMITS.nameMaxCodePoints) {
    return `name is longer than ${LIMITS.nameMaxCodePoints} characters`;
  }
  if (INVISIBLE_OR_SEPARATOR.test(name)) return 'name contains control, format, line/paragraph separator or unassigned characters';
  if (!NAME_CHARACTERS.test(name)) return 'name may contain only letters, combining marks, spaces and the punctuation - \' ’ . , ·';
  if (name.includes('  ')) return 'name has consecutive spaces';
  for (const word of name.toLowerCase().split(/[ \-'.,\u2019\u00B7\u30FB]+/u)) {
    if (VERDICT_WORDS.has(word)) return 'name contains a word the scanner uses for its verdict';
  }
  return null;
}
