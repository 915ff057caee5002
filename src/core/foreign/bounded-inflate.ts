// Decompression of untrusted input with a hard output cap. A few hundred bytes of DEFLATE can
// expand to gigabytes; the platform's DecompressionStream (Web API, in Node and every browser)
// is read chunk by chunk and cancelled as soon as the output passes the cap, so a bomb costs at
// most one chunk beyond the cap in memory and time. No inflate code of our own.
import { readBounded } from '../bounded-read.ts';

export type InflateFormat = 'deflate' | 'deflate-raw';

/** Far above any real pass (SHC: a few KiB of FHIR JSON; EU DCC: under 2 KiB of CBOR). */
export const MAX_INFLATED_BYTES = 64 * 1024;

export type InflateResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly message: string };

/** zlib (RFC 1950) with 'deflate', raw DEFLATE (RFC 1951) with 'deflate-raw'. Never throws. */
export async function boundedInflate(input: Uint8Array, format: InflateFormat, cap = MAX_INFLATED_BYTES): Promise<InflateResult> {
  try {
    const bytes = await readBounded(new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format)), cap);
    return bytes ? { ok: true, bytes } : { ok: false, message: `decompressed data is larger than ${cap} bytes` };
  } catch {
    return { ok: false, message: format === 'deflate' ? 'data is not valid zlib' : 'data is not valid DEFLATE' };
  }
}
