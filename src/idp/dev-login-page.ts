// DEV ONLY: the development OpenID provider's sign-in page. Loud on purpose: it lets anyone sign
// in as any demo person with one click, so nobody can mistake it for a real identity provider.
export interface DevAccount {
  readonly personId: string;
  readonly name: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function devLoginPage(action: string, clientId: string, accounts: readonly DevAccount[]): string {
  const buttons = accounts
    .map((a) => `<li><button name="person_id" value="${escape(a.personId)}">${escape(a.name)} <small>${escape(a.personId)}</small></button></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>DEV ONLY sign-in</title>
<style>
body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#fff7d6}
.banner{background:#b00020;color:#fff;font-weight:700;padding:1rem;text-align:center;font-size:1.2rem}
main{max-width:32rem;margin:1rem auto;padding:0 1rem}
ul{list-style:none;padding:0}li{margin:.5rem 0}
button{width:100%;padding:.9rem;font-size:1rem;text-align:left;border:2px solid #333;border-radius:.5rem;background:#fff;cursor:pointer}
small{color:#555;float:right}
</style></head>
<body><div class="banner" role="alert">DEV ONLY: development identity provider. Anyone can sign in as anyone. Never use in production.</div>
<main><h1>Sign in as a demo person</h1><p>Signing in to <b>${escape(clientId)}</b>. Pick a person:</p>
<form method="post" action="${escape(action)}"><ul>
${buttons}
</ul></form></main></body></html>`;
}
