// The issuer's side of the bundle's revoked-pass encoding (src/core/revoked-pass-set.ts), kept
// up to date one revocation at a time: a revocation inserts its prefix into its first byte's
// block and re-codes that block only, so publishing one more revocation costs O(one block), not
// O(all revocations). The encoded blocks are the same bytes RevokedPassSet.encode() would give.
import { blockKey, encodeRevokedBlock, REVOKED_PREFIX_BYTES, type EncodedRevokedPasses } from '../core/revoked-pass-set.ts';
import { fromHex } from '../core/bytes.ts';

export class RevokedPassBlocks {
  private readonly lows: Uint32Array[] = Array.from({ length: 256 }, () => new Uint32Array(0));
  private readonly encoded = new Map<string, string>();
  private readonly dirty = new Set<number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a revoked pass id (hex); false when its prefix is already listed. */
  add(passIdHex: string): boolean {
    const bytes = fromHex(passIdHex);
    if (!bytes || bytes.length < REVOKED_PREFIX_BYTES) throw new TypeError('a revoked pass id must be hex of at least 5 bytes');
    const b = bytes[0]!;
    const value = ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
    const block = this.lows[b]!;
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (block[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    if (block[lo] === value) return false;
    const next = new Uint32Array(block.length + 1);
    next.set(block.subarray(0, lo));
    next[lo] = value;
    next.set(block.subarray(lo), lo + 1);
    this.lows[b] = next;
    this.dirty.add(b);
    this.count++;
    return true;
  }

  /** The bundle form; re-codes only the blocks changed since the last call. */
  encode(): EncodedRevokedPasses {
    for (const b of this.dirty) this.encoded.set(blockKey(b), encodeRevokedBlock(this.lows[b]!));
    this.dirty.clear();
    const out: Record<string, string> = {};
    for (let b = 0; b < 256; b++) {
      const text = this.encoded.get(blockKey(b));
      if (text !== undefined) out[blockKey(b)] = text;
    }
    return out;
  }

  /** A copy to try a publication on without touching this one. */
  clone(): RevokedPassBlocks {
    const copy = new RevokedPassBlocks();
    for (let b = 0; b < 256; b++) copy.lows[b] = this.lows[b]!;
    for (const [k, v] of this.encoded) copy.encoded.set(k, v);
    for (const b of this.dirty) copy.dirty.add(b);
    copy.count = this.count;
    return copy;
  }
}
