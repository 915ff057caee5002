// Ed25519 through WebCrypto (Chromium, Firefox, Safari 17+, Node's globalThis.crypto).
import { toHex } from '../bytes.ts';
import type { Ed25519Backend } from './ed25519-backend.ts';
import { createWebCryptoForeignBackend } from './webcrypto-foreign-backend.ts';

const ALGORITHM = { name: 'Ed25519' } as const;

export function createWebCryptoBackend(subtle: SubtleCrypto = globalThis.crypto.subtle): Ed25519Backend {
  // Importing a key costs more than a verification; a bundle holds few issuer keys, so keep them.
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyFor = (publicKey: Uint8Array): Promise<CryptoKey> => {
    const id = toHex(publicKey);
    let key = keys.get(id);
    if (!key) {
      key = subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, ALGORITHM, false, ['verify']);
      keys.set(id, key);
    }
    return key;
  };
  return {
    name: 'webcrypto',
    foreign: createWebCryptoForeignBackend(subtle),
    async verify(signature, message, publicKey) {
      return subtle.verify(ALGORITHM, await keyFor(publicKey), signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
    },
  };
}

/** Whether this runtime's WebCrypto can verify Ed25519 (probed with RFC 8032 §7.1 TEST 1). */
export async function webCryptoHasEd25519(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<boolean> {
  if (!subtle) return false;
  try {
    const pk = Uint8Array.from(atob('11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='), (c) => c.charCodeAt(0));
    const key = await subtle.importKey('raw', pk, ALGORITHM, false, ['verify']);
    const sig = Uint8Array.from(
      atob('5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw=='),
      (c) => c.charCodeAt(0),
    );
    return await subtle.verify(ALGORITHM, key, sig, new Uint8Array(0));
  } catch {
    return false;
  }
}
