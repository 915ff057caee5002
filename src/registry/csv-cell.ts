// One CSV cell as the project writes it (RFC 4180 quoting), made safe to open in a spreadsheet: a
// cell that starts with = + - @, a tab or a carriage return would run as a formula (CSV
// injection), so it gets a leading apostrophe, which spreadsheets show as text. The registry
// import never accepts such a value back: names refuse those characters and dates are digits.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvRow(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}\n`;
}
