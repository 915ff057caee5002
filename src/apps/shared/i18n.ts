// Korean and English. The default follows navigator.language; the switch is remembered per app.
// Every string a person reads goes through here; the failure reasons have their own table
// (failure-reasons.ts).
export type Language = 'ko' | 'en';
export const LANGUAGES: readonly Language[] = ['ko', 'en'];

export function defaultLanguage(preferred: string | null, browser: readonly string[]): Language {
  if (preferred === 'ko' || preferred === 'en') return preferred;
  for (const tag of browser) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'ko' || primary === 'en') return primary;
  }
  return 'en';
}

type Messages = Record<string, string>;

export function translator<T extends Messages>(catalog: Record<Language, T>, language: () => Language) {
  return (key: keyof T & string, values: Record<string, string | number> = {}): string => {
    const template = catalog[language()][key] ?? catalog.en[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
  };
}

/** "3 h", "2 d", "5 min" — ages of bundles and saved passes. */
export function formatAge(seconds: number, language: Language): string {
  const s = Math.max(0, Math.round(seconds));
  const [value, unit] = s < 60 ? [s, 's'] : s < 3600 ? [Math.floor(s / 60), 'min'] : s < 172_800 ? [Math.floor(s / 3600), 'h'] : [Math.floor(s / 86_400), 'd'];
  if (language === 'ko') return `${value}${{ s: '초', min: '분', h: '시간', d: '일' }[unit]}`;
  return `${value} ${unit}`;
}
