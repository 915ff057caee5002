// The same content as a SMART Health Card, built for size comparison only (bench/qr-size.ts).
// Structure per the SMART Health Cards framework (spec.smarthealth.cards, 2021–2022 versions):
//  - JWS compact serialisation, header {"zip":"DEF","alg":"ES256","kid":<JWK thumbprint>};
//  - payload = JWT claims {iss, nbf, vc:{type, credentialSubject:{fhirVersion, fhirBundle}}},
//    minified JSON, compressed with raw DEFLATE (RFC 1951), signed with ES256 (P-256, 64-byte r||s);
//  - FHIR R4 Bundle "collection" with Patient and Immunization / Observation resources minimised
//    as the spec asks: fullUrl "resource:N", references "resource:N", no id, meta, text, display;
//  - QR text "shc:/" + two digits per JWS character (ord(c) − 45), in a byte-mode segment for
//    "shc:/" and a numeric-mode segment for the digits.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { QRCodeSegment } from 'qrcode';
import { formatIsoDate } from '../../src/core/civil-time.ts';
import type { PassContent } from '../../src/core/pass-content.ts';
import { productName } from '../../src/core/vaccine-products.ts';
import { productCodes, splitName } from './vaccine-codes.ts';

export const SHC_ISSUER = 'https://issuer.example.kr';

const LOINC_SARS_COV_2_PCR = '94500-6'; // SARS-CoV-2 RNA, respiratory specimen, NAA with probe detection
const SNOMED_NEGATIVE = '260385009';
const SNOMED_POSITIVE = '10828004';

export interface ShcSigner {
  readonly privateKey: KeyObject;
  readonly kid: string;
}

export function createShcSigner(): ShcSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order.
  const thumbprint = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  return { privateKey, kid: thumbprint };
}

type Resource = Record<string, unknown>;

function patient(content: PassContent): Resource {
  const { given, family } = splitName(content.name);
  return { resourceType: 'Patient', name: [given === null ? { family } : { family, given: [given] }], birthDate: formatIsoDate(content.birthDate) };
}

function labResult(effective: string, positive: boolean): Resource {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: LOINC_SARS_COV_2_PCR }] },
    subject: { reference: 'resource:0' },
    effectiveDateTime: effective,
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: positive ? SNOMED_POSITIVE : SNOMED_NEGATIVE }] },
  };
}

/** FHIR resources for the facts, or null when SHC has no way to carry them (exemptions). */
/** Fields SHC issuers commonly add that vaxpass does not carry (for the "as commonly issued" comparison). */
export interface ShcExtras {
  readonly lotNumber: string;
  readonly performer: string;
}

function factResources(content: PassContent, extras: ShcExtras | null): { resources: Resource[]; types: string[] } | null {
  switch (content.type) {
    case 'vaccination':
      return {
        types: ['https://smarthealth.cards#immunization'],
        resources: content.doses.map((dose) => ({
          resourceType: 'Immunization',
          status: 'completed',
          vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: productCodes(productName(dose.product)!).cvx }] },
          patient: { reference: 'resource:0' },
          occurrenceDateTime: formatIsoDate(dose.date),
          ...(extras ? { performer: [{ actor: { display: extras.performer } }], lotNumber: extras.lotNumber } : {}),
        })),
      };
    case 'test':
      return { types: ['https://smarthealth.cards#laboratory'], resources: [labResult(new Date(content.test.sampledAt * 1000).toISOString().replace('.000Z', 'Z'), content.test.result === 'positive')] };
    case 'recovery':
      // SHC has no recovery credential; the first positive test is the nearest fact it can carry.
      return { types: ['https://smarthealth.cards#laboratory'], resources: [labResult(formatIsoDate(content.recovery.firstPositiveTest), true)] };
    case 'exemption':
      return null;
  }
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** The SMART Health Card for this content: its JWS and QR segments, or null if SHC cannot express it. */
export function smartHealthCard(
  content: PassContent,
  issuedAt: number,
  signer: ShcSigner,
  extras: ShcExtras | null = null,
): { jws: string; segments: QRCodeSegment[]; text: string } | null {
  const facts = factResources(content, extras);
  if (!facts) return null;
  const payload = {
    iss: SHC_ISSUER,
    nbf: issuedAt,
    vc: {
      type: ['https://smarthealth.cards#health-card', ...facts.types, 'https://smarthealth.cards#covid19'],
      credentialSubject: {
        fhirVersion: '4.0.1',
        fhirBundle: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: [patient(content), ...facts.resources].map((resource, i) => ({ fullUrl: `resource:${i}`, resource })),
        },
      },
    },
  };
  const header = b64url(JSON.stringify({ zip: 'DEF', alg: 'ES256', kid: signer.kid }));
  const body = b64url(deflateRawSync(Buffer.from(JSON.stringify(payload)), { level: 9 }));
  const signature = sign('sha256', Buffer.from(`${header}.${body}`), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  const jws = `${header}.${body}.${b64url(signature)}`;
  let digits = '';
  for (let i = 0; i < jws.length; i++) digits += String(jws.charCodeAt(i) - 45).padStart(2, '0');
  return { jws, segments: [{ data: Buffer.from('shc:/'), mode: 'byte' }, { data: digits, mode: 'numeric' }], text: `shc:/${digits}` };
}
