// The headers the web apps are served with, shared by the issuer and the browser tests' stand-in
// server, so the Chromium tests run the apps under exactly the policy production sends.
export type AppName = 'holder' | 'scanner';

// Scripts, styles, wasm, images and same-origin fetches from the app's own origin; nothing inline
// and nothing from elsewhere. 'wasm-unsafe-eval' lets the QR decoder compile its wasm.
const APP_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Powerful features off everywhere; the camera only for the scanner, on its own origin.
const DENIED_FEATURES = ['geolocation', 'microphone', 'payment', 'usb', 'serial', 'bluetooth', 'hid', 'midi', 'display-capture'];

export function permissionsPolicy(camera: boolean): string {
  return [`camera=${camera ? '(self)' : '()'}`, ...DENIED_FEATURES.map((f) => `${f}=()`)].join(', ');
}

// The server-rendered pages (/docs, the landing page) run no script at all; their one inline
// style is allowed by its hash, never by 'unsafe-inline'. Otherwise the apps' policy.
export function renderedPageHeaders(inlineStyleHashes: string[]): Record<string, string> {
  const styleSources = inlineStyleHashes.map((hash) => ` 'sha256-${hash}'`).join('');
  const csp = APP_CSP.replace("script-src 'self' 'wasm-unsafe-eval'", "script-src 'none'").replace("style-src 'self'", `style-src 'self'${styleSources}`);
  return { 'Content-Security-Policy': csp, 'Permissions-Policy': permissionsPolicy(false) };
}

export function appPageHeaders(app: AppName): Record<string, string> {
  return { 'Content-Security-Policy': APP_CSP, 'Permissions-Policy': permissionsPolicy(app === 'scanner') };
}
