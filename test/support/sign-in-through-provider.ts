// The holder sign-in as a browser does it, without a browser: follow the issuer's redirect to the
// provider (code + PKCE), pick the demo person on the DEV ONLY page, follow the redirects back to
// the issuer's callback. Returns the issuer's session cookie ("name=value"). One cookie jar for
// both servers, as a browser keeps cookies per host (ports share them).
export async function signInThroughProvider(issuerUrl: string, personId: string): Promise<string> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { Cookie: cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  let res = await send(`${issuerUrl}/api/v1/holder/session/login`);
  for (let hops = 0; hops < 10; hops++) {
    const location = res.headers.get('location');
    if (res.status === 200 && res.url.includes('/interaction/')) {
      const action = /action="([^"]+)"/.exec(await res.text())![1]!;
      res = await send(new URL(action, res.url).href, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ person_id: personId }).toString() });
      continue;
    }
    if (!location) break;
    const next = new URL(location, res.url || issuerUrl).href;
    if (next.startsWith(`${issuerUrl}/holder/`)) break;
    res = await send(next);
    if (res.status === 200) Object.defineProperty(res, 'url', { value: next });
  }
  const session = jar.get('vaxpass_session');
  if (!session) throw new Error(`sign-in did not end with a session (last status ${res.status})`);
  return `vaxpass_session=${session}`;
}
