// A tiny element builder: the apps are small enough that a framework would outweigh them.
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | ((event: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function apiUrl(path: string): string {
  // The issuer serves the apps and the API from one origin; a static deployment can point elsewhere at build time.
  const base = (import.meta.env.VAXPASS_API_ORIGIN as string | undefined) ?? location.origin;
  return new URL(path, base).toString();
}
