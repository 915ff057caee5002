// Reads a byte stream whole, up to a cap. Untrusted input (a request body, decompressed pass data)
// must not grow memory without bound: past the cap the stream is cancelled at once, so what is held
// is at most one chunk beyond the cap.
import { concatBytes } from './bytes.ts';

/** The stream's bytes, or null when they would exceed `cap` (the stream is then cancelled). */
export async function readBounded(stream: ReadableStream<Uint8Array>, cap: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}
