// A person's proof of sign-in for a partner client, from the development OpenID provider's DEV ONLY
// shortcut grant: what a person signing in at that partner would hand it.
import { DEV_PERSON_PROOF_GRANT } from '../../src/idp/dev-openid-provider.ts';

export async function devPersonProof(issuer: string, clientId: string, personId: string): Promise<string> {
  const res = await fetch(`${issuer}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: DEV_PERSON_PROOF_GRANT, client_id: clientId, person_id: personId }) });
  const body = (await res.json()) as { id_token?: string; error?: string };
  if (!body.id_token) throw new Error(`dev person proof: ${res.status} ${body.error}`);
  return body.id_token;
}
