// Messages between the page (worker-qr-decoder.ts) and the decoder thread (qr-decode-worker.ts).
export type DecodeRequest =
  | { readonly kind: 'init'; readonly preferred: 'zxing-wasm' | 'jsqr' }
  /** `pixels`: the RGBA bytes of one frame, transferred to the worker. */
  | { readonly kind: 'decode'; readonly id: number; readonly width: number; readonly height: number; readonly pixels: ArrayBuffer };

export type DecodeReply =
  | { readonly kind: 'ready'; readonly name: 'zxing-wasm' | 'jsqr' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'decoded'; readonly id: number; readonly text: string | null };
