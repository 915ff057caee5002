// SMART Health Card QR text: "shc:/" then two digits per JWS character (character code − 45),
// optionally split over several QR codes as "shc:/i/n/…" (deprecated since SHC 1.3, still read).

/** More chunks than any card needs (the spec's own multi-QR example has 3); more is an attack. */
export const MAX_SHC_CHUNKS = 10;

export type ShcTextResult = { readonly ok: true; readonly jws: string } | { readonly ok: false; readonly message: string };

/** Digits → JWS compact text. The highest allowed value 77 is 'z'; anything above is not a JWS character. */
export function decodeShcDigits(digits: string): string | null {
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9]+$/.test(digits)) return null;
  let out = '';
  for (let i = 0; i < digits.length; i += 2) {
    const value = (digits.charCodeAt(i) - 48) * 10 + (digits.charCodeAt(i + 1) - 48);
    if (value > 77) return null;
    out += String.fromCharCode(value + 45);
  }
  return out;
}

const SINGLE = /^shc:\/([0-9]+)$/;
const CHUNK = /^shc:\/([0-9]{1,3})\/([0-9]{1,3})\/([0-9]+)$/;

/** One text or the chunks of one card in any order: the JWS, or why not. */
export function shcTextsToJws(texts: readonly string[]): ShcTextResult {
  const no = (message: string): ShcTextResult => ({ ok: false, message });
  if (texts.length === 1) {
    const single = SINGLE.exec(texts[0]!);
    if (single) {
      const jws = decodeShcDigits(single[1]!);
      return jws === null ? no('SMART Health Card digits are not a JWS') : { ok: true, jws };
    }
  }
  if (texts.length > MAX_SHC_CHUNKS) return no(`a card has at most ${MAX_SHC_CHUNKS} QR codes`);
  const parts: string[] = [];
  let total: number | null = null;
  for (const text of texts) {
    const chunk = CHUNK.exec(text);
    if (!chunk) return no(texts.length === 1 ? 'not a SMART Health Card text' : 'one of the codes is not a SMART Health Card chunk');
    const index = Number(chunk[1]);
    const count = Number(chunk[2]);
    if (count < 2 || count > MAX_SHC_CHUNKS) return no(`chunk count ${count} is not between 2 and ${MAX_SHC_CHUNKS}`);
    if (total !== null && count !== total) return no('the chunks disagree on how many codes the card has');
    total = count;
    if (index < 1 || index > count) return no(`chunk ${index} of ${count} is out of range`);
    if (parts[index - 1] !== undefined) return no(`chunk ${index} of ${count} was given twice`);
    const jwsPart = decodeShcDigits(chunk[3]!);
    if (jwsPart === null) return no(`chunk ${index} of ${count} digits are not a JWS`);
    parts[index - 1] = jwsPart;
  }
  if (total === null || texts.length !== total) return no(`scan all ${total ?? '?'} codes of this card (got ${texts.length})`);
  return { ok: true, jws: parts.join('') };
}
