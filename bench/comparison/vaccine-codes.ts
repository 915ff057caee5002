// Codes the comparison formats use for the products in the reference passes (bench/qr-size.ts).
//  - cvx: CDC CVX codes, the code system SMART Health Cards use for vaccines.
//  - DCC: EU eHealth Network value sets for the Digital COVID Certificate (vaccine-medicinal-product,
//    vaccine-mah-manf, vaccine-prophylaxis).
export interface ProductCodes {
  readonly cvx: string;
  readonly dccMedicinalProduct: string;
  readonly dccManufacturer: string;
  readonly dccProphylaxis: string;
}

export const PRODUCT_CODES: Readonly<Record<string, ProductCodes>> = {
  'Pfizer-BioNTech Comirnaty': { cvx: '208', dccMedicinalProduct: 'EU/1/20/1528', dccManufacturer: 'ORG-100030215', dccProphylaxis: '1119349007' },
  'Moderna Spikevax': { cvx: '207', dccMedicinalProduct: 'EU/1/20/1507', dccManufacturer: 'ORG-100031184', dccProphylaxis: '1119349007' },
  'AstraZeneca Vaxzevria': { cvx: '210', dccMedicinalProduct: 'EU/1/21/1529', dccManufacturer: 'ORG-100001699', dccProphylaxis: 'J07BX03' },
  'Janssen Jcovden': { cvx: '212', dccMedicinalProduct: 'EU/1/20/1525', dccManufacturer: 'ORG-100001417', dccProphylaxis: 'J07BX03' },
  'Novavax Nuvaxovid': { cvx: '211', dccMedicinalProduct: 'EU/1/21/1618', dccManufacturer: 'ORG-100032020', dccProphylaxis: '1119305005' },
};

export function productCodes(name: string): ProductCodes {
  const codes = PRODUCT_CODES[name];
  if (!codes) throw new Error(`no comparison codes for product ${name}`);
  return codes;
}

/** SNOMED CT 840539006: COVID-19 (the disease targeted), used by the DCC "tg" field. */
export const SNOMED_COVID19 = '840539006';

/** Splits a reference name into given and family parts the way a registry form would: first word given, rest family. */
export function splitName(name: string): { given: string | null; family: string } {
  const space = name.indexOf(' ');
  return space < 0 ? { given: null, family: name } : { given: name.slice(0, space), family: name.slice(space + 1) };
}
