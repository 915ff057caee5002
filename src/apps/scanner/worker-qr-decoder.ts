// The page's handle on the decoder thread (qr-decode-worker.ts). At most one frame is in flight:
// while the worker is busy, `decode` answers null at once and the frame is dropped, so frames
// never queue up behind a slow decode and the verdict always comes from a recent frame.
import type { DecodeReply, DecodeRequest } from './qr-decode-messages.ts';
import { createQrDecoder, type QrDecoder } from './qr-decoder.ts';

export interface FrameDecoder extends QrDecoder {
  /** Where the decoding runs: 'worker', or 'page' where no worker could start. */
  readonly thread: 'worker' | 'page';
  /** True while a frame is being decoded (the camera loop skips frames meanwhile). */
  readonly busy: boolean;
}

const START_TIMEOUT_MS = 20_000;

function startWorker(preferred: 'zxing-wasm' | 'jsqr'): Promise<FrameDecoder> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./qr-decode-worker.ts', import.meta.url), { type: 'module', name: 'qr-decoder' });
    const send = (request: DecodeRequest, transfer: Transferable[] = []) => worker.postMessage(request, transfer);
    let nextId = 1;
    let pending: { id: number; resolve(text: string | null): void } | null = null;
    let dead = false;
    // A worker that never answers (a blocked script) must not keep the scanner from starting.
    const startTimer = setTimeout(() => fail(), START_TIMEOUT_MS);
    const fail = () => {
      dead = true;
      clearTimeout(startTimer);
      worker.terminate();
      pending?.resolve(null);
      pending = null;
      reject(new Error('the QR decoder worker did not start'));
    };
    worker.onerror = fail;
    worker.onmessage = (event: MessageEvent<DecodeReply>) => {
      const reply = event.data;
      if (reply.kind === 'failed') return fail();
      if (reply.kind === 'decoded') {
        if (pending?.id === reply.id) {
          const done = pending;
          pending = null;
          done.resolve(reply.text);
        }
        return;
      }
      clearTimeout(startTimer);
      resolve({
        name: reply.name,
        thread: 'worker',
        get busy() {
          return pending !== null;
        },
        decode(image) {
          if (pending || dead) return Promise.resolve(null);
          const id = nextId++;
          return new Promise((done) => {
            pending = { id, resolve: done };
            // Transfer the frame's bytes: no copy, and the page no longer holds them.
            send({ kind: 'decode', id, width: image.width, height: image.height, pixels: image.data.buffer as ArrayBuffer }, [image.data.buffer as ArrayBuffer]);
          });
        },
      });
    };
    send({ kind: 'init', preferred });
  });
}

/**
 * A decoder on its own thread; where workers are missing or refuse to start, the same decoders on
 * the page. `onPage` forces the page (the benchmark's baseline, ?decodeOn=page).
 */
export async function createFrameDecoder(preferred: 'zxing-wasm' | 'jsqr', options: { onPage?: boolean } = {}): Promise<FrameDecoder> {
  if (typeof Worker === 'function' && !options.onPage) {
    try {
      return await startWorker(preferred);
    } catch {
      // fall back to decoding on the page
    }
  }
  const decoder = await createQrDecoder(preferred);
  let busy = false;
  return {
    name: decoder.name,
    thread: 'page',
    get busy() {
      return busy;
    },
    async decode(image) {
      busy = true;
      try {
        return await decoder.decode(image);
      } finally {
        busy = false;
      }
    },
  };
}
