// A throw-away NZ COVID Pass issuer (did:web, P-256 key, COSE_Sign1 tag 18 over a CWT, base32),
// for tests that must not depend on the shared interop vectors: the trust file in the shape
// `vaxpass bundle build --nzcp-trust` reads, and passes signed with times relative to the caller's.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { encodeCbor, type CborValue } from '../../src/core/cbor.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

export interface NzcpIssuerFixture {
  readonly did: string;
  readonly trustFile: { trustedIssuers: string[]; didDocuments: Record<string, unknown> };
  pass(times: { nbf: number; exp: number }, holder?: { givenName: string; familyName: string; dob: string }): string;
}

export function createNzcpIssuer(did = 'did:web:nzcp.test.example'): NzcpIssuerFixture {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const keyId = `${did}#key-1`;
  return {
    did,
    trustFile: {
      trustedIssuers: [did],
      didDocuments: { [did]: { id: did, verificationMethod: [{ id: keyId, controller: did, type: 'JsonWebKey2020', publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } }], assertionMethod: [keyId] } },
    },
    pass({ nbf, exp }, holder = { givenName: 'Test', familyName: 'Traveller', dob: '1980-02-29' }) {
      const protectedHeader = encodeCbor(new Map<CborValue, CborValue>([[1, -7], [4, new TextEncoder().encode('key-1')]]));
      const vc = new Map<CborValue, CborValue>([
        ['@context', ['https://www.w3.org/2018/credentials/v1', 'https://nzcp.covid19.health.nz/contexts/v1']],
        ['version', '1.0.0'],
        ['type', ['VerifiableCredential', 'PublicCovidPass']],
        ['credentialSubject', new Map<CborValue, CborValue>(Object.entries(holder))],
      ]);
      const payload = encodeCbor(new Map<CborValue, CborValue>([[1, did], [5, nbf], [4, exp], [7, new Uint8Array(randomBytes(16))], ['vc', vc]]));
      const toSign = encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload]);
      const signature = new Uint8Array(sign('sha256', toSign, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      const cose = encodeCbor([protectedHeader, new Map(), payload, signature]);
      const tagged = new Uint8Array(cose.length + 1);
      tagged[0] = 0xd2; // CBOR tag 18, COSE_Sign1
      tagged.set(cose, 1);
      return `NZCP:/1/${encodeBase32(tagged)}`;
    },
  };
}
