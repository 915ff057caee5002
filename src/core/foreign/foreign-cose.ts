// COSE_Sign1 (RFC 9052) as EU DCC and NZ COVID Pass issuers write it, and the CWT inside.
// EU DCC is seen tagged 18, untagged, and as CWT tag 61 wrapping tag 18; NZCP is always tag 18.
// Decision on header placement (docs/pass-format.md §11): alg and kid are read from the protected
// header first and fall back to the unprotected header. The hcert spec puts alg in the protected
// header, but real certificates (the EU checklist's CO20) carry both unprotected, and the
// signature still binds the payload: moving alg cannot make a forged payload verify, because
// ES256 and PS256 keys are never interchangeable (keyFitsAlgorithm).
import { encodeCbor, type CborValue } from '../cbor.ts';
import type { ForeignAlgorithm } from '../crypto/foreign-signature-backend.ts';
import { CborTag, decodeTolerantCbor } from './tolerant-cbor.ts';

const TAG_COSE_SIGN1 = 18;
const TAG_CWT = 61;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const ALGORITHMS = new Map<number, ForeignAlgorithm>([
  [-7, 'ES256'],
  [-37, 'PS256'],
]);

export interface ForeignCose {
  readonly algorithm: ForeignAlgorithm | null;
  /** The COSE algorithm number as found, for messages. */
  readonly algorithmId: unknown;
  readonly kid: Uint8Array | null;
  /** Whether alg/kid came from the protected header (NZCP requires both there). */
  readonly algProtected: boolean;
  readonly kidProtected: boolean;
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly claims: Map<unknown, unknown>;
}

export type ForeignCoseResult = { readonly ok: true; readonly value: ForeignCose } | { readonly ok: false; readonly message: string };

export interface CoseLayout {
  /** Which outer tags are acceptable: NZCP requires exactly tag 18. */
  readonly requireTag18: boolean;
}

export function parseForeignCose(bytes: Uint8Array, layout: CoseLayout): ForeignCoseResult {
  const no = (message: string): ForeignCoseResult => ({ ok: false, message });
  let item = decodeTolerantCbor(bytes);
  if (item === null) return no('data is not CBOR, or is nested too deeply');
  if (item instanceof CborTag && item.tag === TAG_CWT && !layout.requireTag18) item = item.value;
  if (item instanceof CborTag) {
    if (item.tag !== TAG_COSE_SIGN1) return no(`CBOR tag ${item.tag} is not COSE_Sign1 (18)`);
    item = item.value;
  } else if (layout.requireTag18) {
    return no('COSE_Sign1 is not tagged 18');
  }
  if (!Array.isArray(item) || item.length !== 4) return no('not a COSE_Sign1 array of four items');
  const [protectedBytes, unprotected, payload, signature] = item as unknown[];
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return no('COSE_Sign1 items have the wrong types');
  }
  const header = protectedBytes.length === 0 ? new Map() : decodeTolerantCbor(protectedBytes);
  if (!(header instanceof Map)) return no('protected header is not a CBOR map');
  const algProtected = header.has(HEADER_ALG);
  const algorithmId: unknown = algProtected ? header.get(HEADER_ALG) : unprotected.get(HEADER_ALG);
  const kidProtected = header.has(HEADER_KID);
  const kid: unknown = kidProtected ? header.get(HEADER_KID) : unprotected.get(HEADER_KID);
  if (kid !== undefined && !(kid instanceof Uint8Array)) return no('kid is not a byte string');
  const claims = decodeTolerantCbor(payload);
  if (claims instanceof CborTag || !(claims instanceof Map)) return no('payload is not a CWT claims map');
  return {
    ok: true,
    value: {
      algorithm: typeof algorithmId === 'number' ? (ALGORITHMS.get(algorithmId) ?? null) : null,
      algorithmId,
      kid: kid ?? null,
      algProtected,
      kidProtected,
      // Sig_structure = ["Signature1", body_protected, external_aad = h'', payload] (RFC 9052 §4.4).
      signedBytes: encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload] as CborValue[]),
      signature,
      claims,
    },
  };
}

/** A CWT time claim (RFC 8392: NumericDate, may be a float); null when absent or not a number. */
export function numericDate(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  if (typeof value === 'bigint') return null;
  if (value instanceof CborTag && value.tag === 1) return numericDate(value.value);
  return null;
}
