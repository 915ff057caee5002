// ES256 / PS256 through WebCrypto: every browser and Node's globalThis.crypto have both.
import type { ForeignAlgorithm, ForeignSignatureBackend, PublicJwk } from './foreign-signature-backend.ts';

const IMPORT: Record<ForeignAlgorithm, EcKeyImportParams | RsaHashedImportParams> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
};
const VERIFY: Record<ForeignAlgorithm, EcdsaParams | RsaPssParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
};

export function createWebCryptoForeignBackend(subtle: SubtleCrypto = globalThis.crypto.subtle): ForeignSignatureBackend {
  // A bundle holds a few hundred foreign keys at most; importing one costs more than a verification.
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyFor = (algorithm: ForeignAlgorithm, key: PublicJwk): Promise<CryptoKey> => {
    const id = `${algorithm}:${key.kty === 'EC' ? `${key.crv}.${key.x}.${key.y}` : `${key.n}.${key.e}`}`;
    let imported = keys.get(id);
    if (!imported) {
      const jwk: JsonWebKey = key.kty === 'EC' ? { kty: 'EC', crv: key.crv, x: key.x, y: key.y } : { kty: 'RSA', n: key.n, e: key.e };
      imported = subtle.importKey('jwk', jwk, IMPORT[algorithm], false, ['verify']);
      keys.set(id, imported);
      imported.catch(() => keys.delete(id));
    }
    return imported;
  };
  return {
    name: 'webcrypto',
    async verify(algorithm, signature, message, key) {
      try {
        return await subtle.verify(VERIFY[algorithm], await keyFor(algorithm, key), signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
      } catch {
        return false;
      }
    },
  };
}
