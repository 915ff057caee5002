// Revoked passes as a bundle carries them: the first 40 bits (5 bytes) of each revoked pass id
// (cti), sorted and Rice-coded. Pass ids are 64 random bits, which no coding can shrink; a 40-bit
// prefix is exact because the issuer never signs two passes with the same prefix (a unique index
// on the prefix in issued_passes; issuance draws again on a collision), and a pass from anyone
// else fails its signature before revocation is looked at. See docs/pass-format.md §6.2.
//
// Layout: prefixes are grouped by their first byte into up to 256 blocks, so an issuer that adds
// one revocation re-codes one block instead of the whole set. A block is base64url of:
//   byte 0: Rice parameter k (0..31); then the entry count as an unsigned LEB128 (≥ 1);
//   then, per entry, the gap to the previous entry's remaining 32 bits (the first entry's value
//   itself; later gaps minus one, as entries strictly increase) as the quotient gap >>> k in unary
//   (that many 1 bits and a 0) and the low k bits, most significant bit first;
//   zero bits to the next byte boundary, and nothing after.
// A scanner decodes the blocks once per bundle into 256 sorted Uint32Arrays and looks a pass up by
// binary search within its first byte's block. Applying a delta merges only the blocks the delta
// touches and shares every other block with the held set, so it costs O(delta), not O(set).
import { fromBase64Url, fromHex, toBase64Url } from './bytes.ts';

export const REVOKED_PREFIX_BYTES = 5;
/** The encoded set: block key (two lower-case hex digits, the prefixes' first byte) → base64url block. Empty blocks are left out. */
export type EncodedRevokedPasses = Readonly<Record<string, string>>;

const BLOCK_KEY = /^[0-9a-f]{2}$/;
const NO_ENTRIES = new Uint32Array(0);
const ALL_BLOCKS: readonly number[] = Array.from({ length: 256 }, (_, b) => b);

/** A decoded, immutable set of revoked 40-bit pass id prefixes. */
export class RevokedPassSet {
  /** `blocks[b]`: the sorted, distinct last 32 bits of the prefixes whose first byte is b. Blocks are never written after construction, so sets share them. */
  private constructor(
    private readonly blocks: readonly Uint32Array[],
    readonly size: number,
  ) {}

  static readonly EMPTY = new RevokedPassSet(new Array<Uint32Array>(256).fill(NO_ENTRIES), 0);

  /** From sorted low halves per block (index = first byte). Checks nothing: callers pass sorted, duplicate-free blocks they no longer write to. */
  static fromBlocks(blocks: readonly (Uint32Array | undefined)[]): RevokedPassSet {
    const own: Uint32Array[] = new Array(256);
    let size = 0;
    for (let b = 0; b < 256; b++) {
      own[b] = blocks[b] ?? NO_ENTRIES;
      size += own[b]!.length;
    }
    return new RevokedPassSet(own, size);
  }

  /** From pass ids (hex, at least 5 bytes); prefixes shared by several ids count once. */
  static fromPassIds(ids: Iterable<string>): RevokedPassSet {
    const perBlock: number[][] = Array.from({ length: 256 }, () => []);
    for (const id of ids) {
      const bytes = fromHex(id);
      if (!bytes || bytes.length < REVOKED_PREFIX_BYTES) throw new TypeError('a revoked pass id must be hex of at least 5 bytes');
      perBlock[bytes[0]!]!.push(low32(bytes));
    }
    return RevokedPassSet.fromBlocks(perBlock.map((xs) => (xs.length ? uniqueSorted(xs) : undefined)));
  }

  /** The sorted low halves of one block (shared, not a copy: do not write to it). */
  block(firstByte: number): Uint32Array {
    return this.blocks[firstByte]!;
  }

  /** The first bytes of the blocks that hold at least one entry, ascending. */
  firstBytes(): number[] {
    const out: number[] = [];
    for (let b = 0; b < 256; b++) if (this.blocks[b]!.length > 0) out.push(b);
    return out;
  }

  /** Whether a pass id (its cti bytes, or its hex) has a revoked prefix. */
  has(passId: Uint8Array | string): boolean {
    const bytes = typeof passId === 'string' ? fromHex(passId) : passId;
    if (!bytes || bytes.length < REVOKED_PREFIX_BYTES) return false;
    const target = low32(bytes);
    const block = this.blocks[bytes[0]!]!;
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = block[mid]!;
      if (v === target) return true;
      if (v < target) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  /** This set plus another's entries: only the blocks where `other` has entries are merged; the rest are this set's own. */
  union(other: RevokedPassSet): RevokedPassSet {
    if (other.size === 0) return this;
    if (this.size === 0) return other;
    const blocks = this.blocks.slice();
    let size = this.size;
    for (let b = 0; b < 256; b++) {
      if (other.blocks[b]!.length === 0) continue;
      blocks[b] = mergeSorted(this.blocks[b]!, other.blocks[b]!);
      size += blocks[b]!.length - this.blocks[b]!.length;
    }
    return new RevokedPassSet(blocks, size);
  }

  equals(other: RevokedPassSet): boolean {
    if (this.size !== other.size) return false;
    for (let b = 0; b < 256; b++) {
      const mine = this.blocks[b]!;
      const theirs = other.blocks[b]!;
      if (mine === theirs) continue;
      if (mine.length !== theirs.length) return false;
      for (let i = 0; i < mine.length; i++) if (mine[i] !== theirs[i]) return false;
    }
    return true;
  }

  /**
   * The bundle form: every non-empty block, or only the blocks with these first bytes (the empty
   * ones among them left out). Deterministic: the same entries always give the same block text.
   */
  encode(firstBytes: Iterable<number> = ALL_BLOCKS): EncodedRevokedPasses {
    const out: Record<string, string> = {};
    for (const b of firstBytes) {
      const block = this.blocks[b]!;
      if (block.length > 0) out[blockKey(b)] = encodeRevokedBlock(block);
    }
    return out;
  }
}

export function blockKey(firstByte: number): string {
  return firstByte.toString(16).padStart(2, '0');
}

function low32(bytes: Uint8Array): number {
  return ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
}

function uniqueSorted(values: number[]): Uint32Array {
  const sorted = Uint32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

function mergeSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Uint32Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  return out.slice(0, n);
}

/** Rice parameter for `count` roughly uniform values in 2^32: about log2 of the mean gap × ln 2. */
function riceParameter(count: number): number {
  return Math.max(0, Math.min(31, Math.floor(Math.log2((2 ** 32 / count) * Math.LN2))));
}

/** Codes one block's sorted, strictly increasing low halves. */
export function encodeRevokedBlock(lows: Uint32Array): string {
  const k = riceParameter(lows.length);
  let bits = 0;
  for (let i = 0, prev = -1; i < lows.length; prev = lows[i]!, i++) bits += Math.floor((lows[i]! - prev - 1) / 2 ** k) + 1 + k;
  const header: number[] = [k];
  for (let n = lows.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      header.push(n);
      break;
    }
    header.push((n % 128) | 128);
  }
  const out = new Uint8Array(header.length + Math.ceil(bits / 8));
  out.set(header);
  let pos = header.length * 8;
  const put = (value: number, width: number): void => {
    for (let i = width - 1; i >= 0; i--, pos++) if ((value >>> i) & 1) out[pos >>> 3]! |= 0x80 >>> (pos & 7);
  };
  for (let i = 0, prev = -1; i < lows.length; prev = lows[i]!, i++) {
    const gap = lows[i]! - prev - 1;
    const q = Math.floor(gap / 2 ** k);
    for (let j = 0; j < q; j++, pos++) out[pos >>> 3]! |= 0x80 >>> (pos & 7);
    pos++; // the terminating 0
    if (k > 0) put(gap % 2 ** k, k);
  }
  return toBase64Url(out);
}

/** Decodes one block, strictly (canonical padding, increasing values, nothing left over). */
export function decodeRevokedBlock(text: string): Uint32Array | string {
  const bytes = typeof text === 'string' ? fromBase64Url(text) : null;
  if (!bytes || bytes.length < 2) return 'block is not base64url of a Rice-coded block';
  const k = bytes[0]!;
  if (k > 31) return 'block Rice parameter is above 31';
  let count = 0;
  let offset = 1;
  for (let shift = 0; ; shift += 7) {
    if (offset >= bytes.length || shift > 28) return 'block count is cut off or too large';
    const byte = bytes[offset++]!;
    count += (byte & 127) * 2 ** shift;
    if (byte < 128) break;
  }
  // Each entry takes at least k + 1 bits, so a count the data cannot hold is refused before allocating.
  const totalBits = (bytes.length - offset) * 8;
  if (count === 0 || count * (k + 1) > totalBits) return 'block count does not match its data';
  const lows = new Uint32Array(count);
  let pos = offset * 8;
  let prev = -1;
  const end = offset * 8 + totalBits;
  const bit = (): number => (bytes[pos >>> 3]! >>> (7 - (pos++ & 7))) & 1;
  for (let i = 0; i < count; i++) {
    let q = 0;
    for (;;) {
      if (pos >= end) return 'block data is cut off';
      if (bit() === 0) break;
      q++;
    }
    if (pos + k > end) return 'block data is cut off';
    let r = 0;
    for (let j = 0; j < k; j++) r = r * 2 + bit();
    const value = prev + 1 + q * 2 ** k + r;
    if (value > 0xffffffff) return 'block value is beyond 32 bits';
    lows[i] = value;
    prev = value;
  }
  if (end - pos >= 8) return 'block has bytes after its last entry';
  while (pos < end) if (bit() !== 0) return 'block padding is not zero';
  return lows;
}

/** Decodes a bundle's (or delta's) revoked passes. A string is what is wrong. */
export function decodeRevokedPasses(v: unknown): RevokedPassSet | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'revokedPassPrefixes is not an object of blocks';
  const blocks: (Uint32Array | undefined)[] = new Array(256);
  for (const [key, text] of Object.entries(v as Record<string, unknown>)) {
    if (!BLOCK_KEY.test(key)) return `revokedPassPrefixes block key ${JSON.stringify(key.slice(0, 8))} is not two lower-case hex digits`;
    const block = decodeRevokedBlock(text as string);
    if (typeof block === 'string') return `revokedPassPrefixes block ${key}: ${block}`;
    blocks[parseInt(key, 16)] = block;
  }
  return RevokedPassSet.fromBlocks(blocks);
}
