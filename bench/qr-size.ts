// QR size of every reference pass as vaxpass, beside the same content as a SMART Health Card and
// an EU DCC (built in bench/comparison/). QR versions from the qrcode package at levels L, M, Q.
// The issue's target: the 3-dose pass fits version ≤ 10 at M (≤ 9 stretch).
//   npx tsx bench/qr-size.ts
import QRCode, { type QRCodeErrorCorrectionLevel, type QRCodeSegment } from 'qrcode';
import { REFERENCE_PASSES } from '../src/demo/reference-passes.ts';
import { createFixture } from './support/fixture.ts';
import { table } from './support/measure.ts';
import { REFERENCE_ISSUED_AT } from '../src/demo/reference-passes.ts';
import { createDccSigner, euDcc } from './comparison/eu-dcc.ts';
import { createShcSigner, smartHealthCard } from './comparison/smart-health-card.ts';

const LEVELS: readonly QRCodeErrorCorrectionLevel[] = ['L', 'M', 'Q'];
const TARGET_PASS = 'vaccination-3-doses-latin-name';
const TARGET_VERSION = 10;

interface Encoded {
  readonly chars: number;
  readonly versions: readonly number[];
}

function encoded(data: string | QRCodeSegment[], chars: number): Encoded {
  return { chars, versions: LEVELS.map((level) => QRCode.create(data, { errorCorrectionLevel: level }).version) };
}

const cell = (e: Encoded | null): string[] => (e === null ? ['n/a', '', '', ''] : [String(e.chars), ...e.versions.map((v) => `V${v}`)]);

async function main(): Promise<void> {
  const fixture = await createFixture();
  const shcSigner = createShcSigner();
  const dccSigner = createDccSigner();
  const rows: string[][] = [];
  let target: { vaxpass: Encoded; shc: Encoded | null; dcc: Encoded | null } | null = null;
  for (const reference of REFERENCE_PASSES) {
    const text = fixture.passes.find((p) => p.id === reference.id)!.text;
    const vaxpass = encoded(text, text.length);
    const shcCard = smartHealthCard(reference.content, REFERENCE_ISSUED_AT, shcSigner);
    const shc = shcCard && encoded(shcCard.segments, shcCard.text.length);
    const dccCert = euDcc(reference.content, REFERENCE_ISSUED_AT, dccSigner);
    const dcc = dccCert && encoded(dccCert.text, dccCert.text.length);
    if (reference.id === TARGET_PASS) target = { vaxpass, shc, dcc };
    rows.push([reference.id, ...cell(vaxpass), ...cell(shc), ...cell(dcc)]);
  }
  console.log(`\nQR size per reference pass — ${new Date().toISOString()} (chars = QR text length; V = QR version at error correction L / M / Q)\n`);
  console.log(
    table(
      ['pass', 'vaxpass', 'L', 'M', 'Q', 'SHC', 'L', 'M', 'Q', 'EU DCC', 'L', 'M', 'Q'],
      rows,
    ),
  );
  // The same 3-dose content with the fields real issuers commonly add (placeholders, not real data).
  const reference = REFERENCE_PASSES.find((p) => p.id === TARGET_PASS)!;
  const shcTypical = smartHealthCard(reference.content, REFERENCE_ISSUED_AT, shcSigner, { lotNumber: 'FK5618', performer: 'Seoul Metropolitan Vaccination Centre' })!;
  const dccTypical = euDcc(reference.content, REFERENCE_ISSUED_AT, dccSigner, 'Korea Disease Control and Prevention Agency')!;
  const typical = [
    ['SMART Health Card + lotNumber and performer per dose', ...cell(encoded(shcTypical.segments, shcTypical.text.length))],
    ['EU DCC with the issuing authority\'s full name in "is"', ...cell(encoded(dccTypical.text, dccTypical.text.length))],
  ];
  console.log(`\n${TARGET_PASS} as commonly issued (fields vaxpass does not carry):\n`);
  console.log(table(['variant', 'chars', 'L', 'M', 'Q'], typical));
  if (target) {
    const m = (e: Encoded | null): string => (e ? `V${e.versions[1]}` : 'n/a');
    const ok = target.vaxpass.versions[1]! <= TARGET_VERSION;
    console.log(`\n${TARGET_PASS} at level M: vaxpass ${m(target.vaxpass)} (target ≤ V${TARGET_VERSION}: ${ok ? 'met' : 'MISSED'}), SMART Health Card ${m(target.shc)}, EU DCC ${m(target.dcc)}`);
  }
  console.log('n/a: the format has no way to carry this pass type (SHC and DCC 1.3.0 have no exemption). SHC recovery = a positive lab result.');
  console.log('vaxpass and DCC QR texts are alphanumeric mode; SHC is "shc:/" in byte mode plus digits in numeric mode.');
}

await main();
