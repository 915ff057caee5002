// Finds a QR code in a camera frame. zxing-wasm (ZXing C++) is the main decoder: it copes with
// rotation, blur and small codes. Its .wasm is part of this build (no CDN): Vite copies it into
// the output and locateFile points zxing at that URL. jsQR, pure JS, is the fallback where
// WebAssembly is unavailable or the wasm fails to load. Both run in the decoder worker
// (qr-decode-worker.ts), and on the page only where no worker starts (worker-qr-decoder.ts).
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

export interface QrDecoder {
  readonly name: 'zxing-wasm' | 'jsqr';
  decode(image: ImageData): Promise<string | null>;
}

async function createZxingDecoder(): Promise<QrDecoder> {
  const zxing = await import('zxing-wasm/reader');
  await zxing.prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path) },
    fireImmediately: true,
  });
  return {
    name: 'zxing-wasm',
    async decode(image) {
      const results = await zxing.readBarcodes(image, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
      const hit = results.find((r) => r.isValid);
      return hit ? hit.text : null;
    },
  };
}

async function createJsqrDecoder(): Promise<QrDecoder> {
  // jsQR is CommonJS: depending on the interop, the function is the default export or its .default.
  type JsQR = (typeof import('jsqr'))['default'];
  const imported = (await import('jsqr')).default as unknown as JsQR | { default: JsQR };
  const jsQR = typeof imported === 'function' ? imported : imported.default;
  return {
    name: 'jsqr',
    async decode(image) {
      return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
    },
  };
}

export async function createQrDecoder(preferred: 'zxing-wasm' | 'jsqr' = 'zxing-wasm'): Promise<QrDecoder> {
  if (preferred === 'zxing-wasm' && typeof WebAssembly === 'object') {
    try {
      return await createZxingDecoder();
    } catch {
      // fall through to the pure-JS decoder
    }
  }
  return createJsqrDecoder();
}
