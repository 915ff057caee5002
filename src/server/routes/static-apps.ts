// Serves the built web apps (dist/apps/holder, dist/apps/scanner) when they exist. Paths are
// resolved inside the app directory only; hashed assets are cached forever, pages revalidated.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { appPageHeaders } from '../app-page-headers.ts';
import { ApiError } from '../problem.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export function staticApps(appsDir: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const name of ['holder', 'scanner'] as const) {
    const root = resolve(appsDir, name);
    app.get(`/${name}`, (c) => c.redirect(`/${name}/`, 308));
    app.get(`/${name}/*`, (c) => {
      let relative: string;
      try {
        relative = decodeURIComponent(new URL(c.req.url).pathname.slice(name.length + 2));
      } catch {
        throw new ApiError('NOT_FOUND', 'no such file');
      }
      if (relative.includes('\0')) throw new ApiError('NOT_FOUND', 'no such file');
      let file = resolve(root, relative);
      if (file !== root && !file.startsWith(root + sep)) throw new ApiError('NOT_FOUND', 'no such file');
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file) || !statSync(file).isFile()) {
        if (!existsSync(root)) throw new ApiError('NOT_FOUND', `the ${name} app is not built; run npm run build:apps`);
        throw new ApiError('NOT_FOUND', 'no such file');
      }
      const immutable = file.startsWith(join(root, 'assets') + sep);
      return c.body(readFileSync(file), 200, {
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...appPageHeaders(name),
      });
    });
  }
  return app;
}
