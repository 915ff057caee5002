// The same content as an EU Digital COVID Certificate (HCERT), built for size comparison only
// (bench/qr-size.ts). Structure per the eHealth Network HCERT specification and the DCC JSON
// schema 1.3.0:
//  - payload {ver, nam{fn, fnt, gn, gnt}, dob, and one of v[…] / t[…] / r[…]}, CBOR with text keys;
//  - CWT claims {1: iss (country), 4: exp, 6: iat, -260: {1: hcert}};
//  - COSE_Sign1 (tag 18), protected header {1: -7 (ES256), 4: kid (8 bytes)}, empty unprotected
//    header, 64-byte ES256 signature;
//  - zlib (RFC 1950) compression, base45 (RFC 9285), prefix "HC1:".
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { encode } from 'cborg';
import { encodeBase45 } from '../../src/core/base45.ts';
import { formatIsoDate } from '../../src/core/civil-time.ts';
import type { PassContent } from '../../src/core/pass-content.ts';
import { productName } from '../../src/core/vaccine-products.ts';
import { productCodes, SNOMED_COVID19, splitName } from './vaccine-codes.ts';

const COUNTRY = 'KR';
/** Kept as short as vaxpass's own `iss`, so the comparison is about structure, not issuer names. */
export const SHORT_ISSUER = 'KDCA';
const DAY = 86_400;
// ICAO 9303 machine-readable forms for the one Hangul reference name (Revised Romanization).
const MRZ_NAMES: Readonly<Record<string, string>> = { 홍길동: 'HONG<GILDONG' };

const LOINC_NAAT = 'LP6464-4';
const SNOMED_NOT_DETECTED = '260415000';
const SNOMED_DETECTED = '260373001';

export interface DccSigner {
  readonly privateKey: KeyObject;
  readonly kid: Uint8Array;
}

export function createDccSigner(): DccSigner {
  return { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, kid: new Uint8Array(randomBytes(8)) };
}

/** ICAO 9303 transliteration for Latin names: upper case, separators become '<'. */
function mrz(text: string): string {
  return MRZ_NAMES[text] ?? text.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[\s-]+/g, '<');
}

/** A UVCI in the eHN format: URN:UVCI:01:<country>:<unique part>#<check character>. */
function uvci(): string {
  const id = `URN:UVCI:01:${COUNTRY}:${randomBytes(8).toString('hex').toUpperCase()}`;
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ/:';
  // Luhn mod N over the UVCI alphabet (eHN UVCI guidelines, annex 2).
  let factor = 2;
  let sum = 0;
  for (let i = id.length - 1; i >= 0; i--) {
    const code = alphabet.indexOf(id[i]!);
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / alphabet.length) + (addend % alphabet.length);
    sum += addend;
  }
  return `${id}#${alphabet[(alphabet.length - (sum % alphabet.length)) % alphabet.length]}`;
}

function hcert(content: PassContent, issuer: string): Record<string, unknown> | null {
  const { given, family } = splitName(content.name);
  const nam: Record<string, string> = given === null ? { fn: family, fnt: mrz(family) } : { fn: family, fnt: mrz(family), gn: given, gnt: mrz(given) };
  const base = { ver: '1.3.0', nam, dob: formatIsoDate(content.birthDate) };
  switch (content.type) {
    case 'vaccination': {
      // A DCC states only the latest dose: dn of sd.
      const last = content.doses.at(-1)!;
      const codes = productCodes(productName(last.product)!);
      return {
        ...base,
        v: [
          {
            tg: SNOMED_COVID19,
            vp: codes.dccProphylaxis,
            mp: codes.dccMedicinalProduct,
            ma: codes.dccManufacturer,
            dn: content.doses.length,
            sd: content.doses.length,
            dt: formatIsoDate(last.date),
            co: COUNTRY,
            is: issuer,
            ci: uvci(),
          },
        ],
      };
    }
    case 'test':
      return {
        ...base,
        t: [
          {
            tg: SNOMED_COVID19,
            tt: LOINC_NAAT,
            sc: new Date(content.test.sampledAt * 1000).toISOString().replace('.000Z', 'Z'),
            tr: content.test.result === 'negative' ? SNOMED_NOT_DETECTED : SNOMED_DETECTED,
            co: COUNTRY,
            is: issuer,
            ci: uvci(),
          },
        ],
      };
    case 'recovery': {
      const fr = content.recovery.firstPositiveTest;
      // df/du: the recovery validity the demo rules use (day 11 to day 180).
      return { ...base, r: [{ tg: SNOMED_COVID19, fr: formatIsoDate(fr), co: COUNTRY, is: issuer, df: formatIsoDate(fr + 11), du: formatIsoDate(fr + 180), ci: uvci() }] };
    }
    case 'exemption':
      return null; // DCC schema 1.3.0 has no exemption entry.
  }
}

/** The DCC QR text for this content, or null if the DCC schema cannot express it. */
export function euDcc(content: PassContent, issuedAt: number, signer: DccSigner, issuer = SHORT_ISSUER): { text: string } | null {
  const cert = hcert(content, issuer);
  if (!cert) return null;
  const claims = new Map<number, unknown>([
    [1, COUNTRY],
    [4, issuedAt + 365 * DAY],
    [6, issuedAt],
    [-260, new Map([[1, cert]])],
  ]);
  const protectedHeader = encode(new Map<number, unknown>([[1, -7], [4, signer.kid]]));
  const payload = encode(claims);
  const sigStructure = encode(['Signature1', protectedHeader, new Uint8Array(0), payload]);
  const signature = sign('sha256', sigStructure, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  const coseBody = encode([protectedHeader, new Map(), payload, new Uint8Array(signature)]);
  const cose = new Uint8Array(coseBody.length + 1);
  cose[0] = 0xd2; // tag 18: COSE_Sign1
  cose.set(coseBody, 1);
  return { text: `HC1:${encodeBase45(new Uint8Array(deflateSync(cose, { level: 9 })))}` };
}
