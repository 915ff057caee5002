// The QR decoder's own thread. A failed jsQR pass over a 960 px frame takes 100–500 ms, and even
// zxing-wasm takes a few: on the page's thread that stalls the video and every tap. Here it only
// delays the next decode. Protocol (qr-decode-messages.ts): one `init`, then `decode` requests
// whose pixel buffers are transferred, not copied; each is answered with the text or null.
import { createQrDecoder, type QrDecoder } from './qr-decoder.ts';
import type { DecodeReply, DecodeRequest } from './qr-decode-messages.ts';

let decoder: Promise<QrDecoder> | null = null;
const scope = self as unknown as { onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null; postMessage(reply: DecodeReply): void };

scope.onmessage = (event) => {
  const request = event.data;
  if (request.kind === 'init') {
    decoder = createQrDecoder(request.preferred);
    decoder.then(
      (d) => scope.postMessage({ kind: 'ready', name: d.name }),
      () => scope.postMessage({ kind: 'failed' }),
    );
    return;
  }
  void (async () => {
    let text: string | null = null;
    try {
      const d = await decoder!;
      text = await d.decode(new ImageData(new Uint8ClampedArray(request.pixels), request.width, request.height));
    } catch {
      // A frame the decoder chokes on is a frame without a code.
    }
    scope.postMessage({ kind: 'decoded', id: request.id, text });
  })();
};
