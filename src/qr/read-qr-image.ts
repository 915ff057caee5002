// Reads the text of a QR code in a PNG image (pngjs decodes the pixels, jsQR finds and decodes
// the code). Used by `vaxpass verify --image` and tests; camera scanning lives in the scanner app.
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is a CommonJS bundle; depending on the loader its default import is the function or the namespace.
const jsQR: typeof jsQRModule.default =
  typeof jsQRModule.default === 'function' ? jsQRModule.default : (jsQRModule as unknown as typeof jsQRModule.default);

/** Decoding a huge image would take seconds of CPU; a scanned or rendered pass is far smaller. */
export const MAX_IMAGE_PIXELS = 25_000_000;

export type ReadQrResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width × height from the IHDR chunk (PNG spec §11.2.2), read before inflating anything. */
function declaredPixels(bytes: Uint8Array): number | null {
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return view.getUint32(16) * view.getUint32(20);
}

export function readQrPng(bytes: Uint8Array): ReadQrResult {
  const pixels = declaredPixels(bytes);
  if (pixels === null) return { ok: false, message: 'not a PNG image' };
  if (pixels > MAX_IMAGE_PIXELS) return { ok: false, message: `image is larger than ${MAX_IMAGE_PIXELS} pixels` };
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (error) {
    return { ok: false, message: `not a readable PNG image (${error instanceof Error ? error.message : String(error)})` };
  }
  // pngjs always yields 8-bit RGBA, which is what jsQR expects.
  const rgba = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const code = jsQR(rgba, png.width, png.height, { inversionAttempts: 'attemptBoth' });
  if (!code) return { ok: false, message: 'no QR code found in the image' };
  return { ok: true, text: code.data };
}
