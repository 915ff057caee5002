// Turns a pass's QR code into a video file Chromium plays as its camera
// (--use-file-for-fake-video-capture). Frames are composed with pngjs, encoded by Debian's ffmpeg
// as Y4M (raw YUV 4:2:0, which Chromium reads without a decoder).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { FFMPEG_PATH } from './browser.ts';

export interface FrameOptions {
  readonly width?: number;
  readonly height?: number;
  /** Side of the QR code in pixels (quiet zone included). */
  readonly size?: number;
  /** Rotation in degrees. */
  readonly rotate?: number;
  /** Standard deviation of added grey noise (0–255 scale). */
  readonly noise?: number;
  /** Grey level of the background around the code (a table, a hand). */
  readonly background?: number;
}

/** One camera frame (RGBA) with the pass QR drawn into it. Deterministic (seeded noise). */
export function qrFrame(text: string, options: FrameOptions = {}): PNG {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const size = options.size ?? 360;
  const angle = ((options.rotate ?? 0) * Math.PI) / 180;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size + 8; // 4-module quiet zone each side
  const png = new PNG({ width, height });
  const cx = width / 2;
  const cy = height / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Inverse-rotate the pixel into code coordinates.
      const dx = x - cx;
      const dy = y - cy;
      const u = (cos * dx + sin * dy) / size + 0.5;
      const v = (-sin * dx + cos * dy) / size + 0.5;
      let value = options.background ?? 128;
      if (u >= 0 && u < 1 && v >= 0 && v < 1) {
        const col = Math.floor(u * modules) - 4;
        const row = Math.floor(v * modules) - 4;
        const dark = col >= 0 && row >= 0 && col < qr.modules.size && row < qr.modules.size && qr.modules.get(row, col);
        value = dark ? 20 : 235;
      }
      if (options.noise) value += gaussian() * options.noise;
      const i = (y * width + x) * 4;
      const clamped = Math.max(0, Math.min(255, Math.round(value)));
      png.data[i] = clamped;
      png.data[i + 1] = clamped;
      png.data[i + 2] = clamped;
      png.data[i + 3] = 255;
    }
  }
  return png;
}

export function blankFrame(width = 640, height = 480, grey = 128): PNG {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = png.data[i + 1] = png.data[i + 2] = grey;
    png.data[i + 3] = 255;
  }
  return png;
}

/**
 * Writes a Y4M video from frames: each frame shown `seconds[i]` seconds at `fps`.
 * Chromium loops the file, so a blank lead-in makes the code "appear" once per loop.
 */
export function writeCameraVideo(dir: string, name: string, frames: readonly PNG[], seconds: readonly number[], fps = 15): string {
  const list: string[] = [];
  frames.forEach((frame, i) => {
    const png = join(dir, `${name}-${i}.png`);
    writeFileSync(png, PNG.sync.write(frame));
    list.push(`file '${png}'`, `duration ${seconds[i] ?? 1}`);
  });
  list.push(`file '${join(dir, `${name}-${frames.length - 1}.png`)}'`);
  const concat = join(dir, `${name}.txt`);
  writeFileSync(concat, `${list.join('\n')}\n`);
  const out = join(dir, `${name}.y4m`);
  execFileSync(FFMPEG_PATH, ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', concat, '-vf', `fps=${fps},format=yuv420p`, '-f', 'yuv4mpegpipe', out]);
  return out;
}
