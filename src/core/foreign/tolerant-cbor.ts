// CBOR as the EU DCC and NZ COVID Pass issuers write it. Unlike the strict decoder for vaxpass's
// own passes (../cbor.ts), this one must accept what real issuers emit: tags (18 COSE_Sign1,
// 61 CWT, date tags inside the certificate), floats, indefinite lengths and non-minimal heads.
// It still bounds what hostile input can cost: nesting depth and item count are checked by a scan
// over the item heads before cborg builds anything, and trailing bytes are refused.
import { decode } from 'cborg';

export const MAX_CBOR_DEPTH = 16;
export const MAX_CBOR_ITEMS = 4096;

/** A tagged item, kept so that the COSE layer can see tags 18 and 61. */
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

// cborg looks tag decoders up by number; this answers for every tag.
const EVERY_TAG = new Proxy([] as unknown[], {
  get(target, property) {
    if (typeof property === 'string' && /^[0-9]+$/.test(property)) {
      const tag = Number(property);
      // cborg hands the tag decoder a function that decodes the tagged item.
      return (decodeContent: () => unknown) => new CborTag(tag, decodeContent());
    }
    return Reflect.get(target, property);
  },
});

const OPTIONS = {
  strict: false,
  rejectDuplicateMapKeys: true,
  allowIndefinite: true,
  allowUndefined: true,
  allowBigInt: true,
  useMaps: true,
  tags: EVERY_TAG,
} as const;

/** Null when the bytes are not exactly one CBOR item within the depth and item limits. */
export function decodeTolerantCbor(bytes: Uint8Array, maxDepth = MAX_CBOR_DEPTH): unknown {
  if (!withinLimits(bytes, maxDepth)) return null;
  try {
    return decode(bytes, OPTIONS as unknown as Parameters<typeof decode>[1]);
  } catch {
    return null;
  }
}

/**
 * Walks item heads keeping a stack of open containers (remaining children, or -1 for indefinite
 * length). Returns false on too deep or too many items, truncation or reserved heads; the decode
 * afterwards refuses everything else that is wrong.
 */
function withinLimits(bytes: Uint8Array, maxDepth: number): boolean {
  const open: number[] = [];
  let pos = 0;
  let items = 0;
  let pendingTags = 0;
  const closeFinished = (): void => {
    while (open.length > 0 && open[open.length - 1] === 0) open.pop();
  };
  do {
    if (pos >= bytes.length) return false;
    const initial = bytes[pos]!;
    const major = initial >> 5;
    const minor = initial & 31;
    pos++;
    if (initial === 0xff) {
      if (open.length === 0 || open[open.length - 1] !== -1) return false;
      open.pop();
      countChild(open);
      closeFinished();
      continue;
    }
    if (++items > MAX_CBOR_ITEMS) return false;
    let argument = 0;
    if (minor < 24) argument = minor;
    else if (minor <= 27) {
      const size = 1 << (minor - 24);
      if (pos + size > bytes.length) return false;
      for (let i = 0; i < size; i++) argument = argument * 256 + bytes[pos + i]!;
      pos += size;
    } else if (minor === 31 && major >= 2 && major <= 5) argument = -1;
    else if (minor !== 31 || major !== 7) return false;
    if (major === 6) {
      // A tag wraps the next item: it adds a level, as a container of one would.
      if (++pendingTags + open.length > maxDepth) return false;
      continue;
    }
    const depth = open.length + pendingTags;
    pendingTags = 0;
    if ((major === 2 || major === 3) && argument === -1) {
      // Indefinite-length strings hold definite chunks; treat as a container.
      if (depth + 1 > maxDepth) return false;
      countChild(open);
      open.push(-1);
      continue;
    }
    if (major === 2 || major === 3) {
      if (argument > bytes.length - pos) return false;
      pos += argument;
      countChild(open);
      closeFinished();
      continue;
    }
    if (major === 4 || major === 5) {
      if (depth + 1 > maxDepth) return false;
      const children = argument === -1 ? -1 : major === 5 ? argument * 2 : argument;
      if (children > MAX_CBOR_ITEMS) return false;
      countChild(open);
      if (children !== 0) open.push(children);
      closeFinished();
      continue;
    }
    countChild(open);
    closeFinished();
  } while (open.length > 0 || pendingTags > 0);
  return pos === bytes.length;
}

function countChild(open: number[]): void {
  const top = open.length - 1;
  if (top >= 0 && open[top]! > 0) open[top]!--;
}
