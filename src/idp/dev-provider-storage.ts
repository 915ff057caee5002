// DEV ONLY: where the development OpenID provider keeps its state. Sign-in sessions, codes and
// grants live in memory (a restart asks the tester to pick a person again, which is two clicks);
// clients are looked up on each use, so a partner created through the admin API while the issuer
// runs can at once ask for a person proof with its client id.
import type { Adapter, AdapterPayload } from 'oidc-provider';

export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

export function devProviderStorage(findClient: ClientLookup): new (model: string) => Adapter {
  const entries = new Map<string, { payload: AdapterPayload; until: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.until < Date.now()) entries.delete(key);
    return entries.get(key)?.payload;
  };
  return class DevStorage implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      entries.set(this.key(id), { payload, until: Date.now() + (expiresIn || 3600) * 1000 });
    }
    async find(id: string) {
      return this.model === 'Client' ? findClient(id) : live(this.key(id));
    }
    async findByUid(uid: string) {
      for (const [key, { payload }] of entries) if (key.startsWith(`${this.model}:`) && payload.uid === uid) return live(key);
      return undefined;
    }
    async findByUserCode(userCode: string) {
      for (const [key, { payload }] of entries) if (key.startsWith(`${this.model}:`) && payload.userCode === userCode) return live(key);
      return undefined;
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      entries.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, { payload }] of entries) if (payload.grantId === grantId) entries.delete(key);
    }
  };
}
