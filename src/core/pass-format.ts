// Which pass format a scanned text is, from its prefix alone. A scanner sees every kind of QR code
// (menus, payments, Wi-Fi); only these prefixes are health passes, and anything else is answered
// NOT_A_PASS so staff do not turn a person away for opening the wrong code.
import type { PassFormat } from './verification-result.ts';

// Case-insensitive, and a URL-encoded colon counts: a reader that lower-cased or URL-encoded a
// real pass has damaged a pass (MALFORMED), not shown some other code.
const PREFIXES: ReadonlyArray<readonly [RegExp, PassFormat]> = [
  [/^VP\d{1,3}(:|%3A)/i, 'vaxpass'],
  [/^HC\d:/, 'eu-dcc'],
  [/^shc:\//, 'shc'],
  [/^NZCP:\//, 'nzcp'],
];

/** Empty text is not recognised here; the verifier answers it MALFORMED before asking. */
export function recognizeFormat(text: string): PassFormat | null {
  for (const [prefix, format] of PREFIXES) if (prefix.test(text)) return format;
  return null;
}
