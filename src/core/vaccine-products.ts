// Compact product codes used inside passes. Names are the products given in Korea; the rules in
// the trust bundle decide which codes are accepted and how many doses make a primary series.

export const VACCINE_PRODUCTS = [
  { code: 1, name: 'Pfizer-BioNTech Comirnaty' },
  { code: 2, name: 'Moderna Spikevax' },
  { code: 3, name: 'AstraZeneca Vaxzevria' },
  { code: 4, name: 'Janssen Jcovden' },
  { code: 5, name: 'Novavax Nuvaxovid' },
] as const;

export type VaccineProductCode = (typeof VACCINE_PRODUCTS)[number]['code'];

export function productCodeByName(name: string): VaccineProductCode | null {
  return VACCINE_PRODUCTS.find((p) => p.name === name)?.code ?? null;
}

export function productName(code: number): string | null {
  return VACCINE_PRODUCTS.find((p) => p.code === code)?.name ?? null;
}
