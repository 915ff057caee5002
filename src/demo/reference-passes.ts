// Demo content: the project's reference passes (../shared/reference/passes.json, copied here as
// reference-passes.json). Every size and speed figure uses them, so figures stay comparable.
import { parseIsoDate } from '../core/civil-time.ts';
import type { PassContent } from '../core/pass-content.ts';
import { productCodeByName } from '../core/vaccine-products.ts';
import reference from './reference-passes.json' with { type: 'json' };

export interface ReferencePass {
  readonly id: string;
  readonly content: PassContent;
}

export const REFERENCE_ISSUED_AT = Math.floor(Date.parse(reference.issuedAt) / 1000);
export const REFERENCE_TIME_ZONE = reference.timeZone;

function day(text: string): number {
  const d = parseIsoDate(text);
  if (d === null) throw new TypeError(`reference date ${text} is invalid`);
  return d;
}

type RawPass = (typeof reference.passes)[number] & {
  doses?: { product: string; date: string }[];
  test?: { kind: string; sampledAt: string; result: string };
  recovery?: { firstPositiveTest: string };
  exemption?: { validFrom: string; validUntil: string };
};

function toContent(p: RawPass): PassContent {
  const base = { name: p.name.normalize('NFC'), birthDate: day(p.birthDate) };
  switch (p.type) {
    case 'vaccination':
      return {
        ...base,
        type: 'vaccination',
        doses: (p.doses ?? []).map((d) => {
          const product = productCodeByName(d.product);
          if (product === null) throw new TypeError(`unknown product ${d.product}`);
          return { product, date: day(d.date) };
        }),
      };
    case 'test':
      return {
        ...base,
        type: 'test',
        test: { kind: p.test!.kind as 'PCR', sampledAt: Math.floor(Date.parse(p.test!.sampledAt) / 1000), result: p.test!.result as 'negative' },
      };
    case 'recovery':
      return { ...base, type: 'recovery', recovery: { firstPositiveTest: day(p.recovery!.firstPositiveTest) } };
    case 'exemption':
      return { ...base, type: 'exemption', exemption: { validFrom: day(p.exemption!.validFrom), validUntil: day(p.exemption!.validUntil) } };
    default:
      throw new TypeError(`unknown reference pass type ${p.type}`);
  }
}

export const REFERENCE_PASSES: readonly ReferencePass[] = (reference.passes as RawPass[]).map((p) => ({ id: p.id, content: toContent(p) }));

export function referencePass(id: string): ReferencePass | undefined {
  return REFERENCE_PASSES.find((p) => p.id === id);
}
