// A newcomer who resets the demo recreates every key: the device still pins the old root, so every
// new bundle fails its chain check and every new pass looks invalid. When a fetched bundle is not
// certified by the pinned root, the apps ask the issuer which root it publishes; a different one
// means the root changed, which the apps say plainly instead of a bare "Sync failed".
// The app never adopts the published root by itself: in a production build the root is baked in and
// only a new build may change it; a development device can forget its pinned root (the person acts).
import { h } from './dom.ts';
import type { Language } from './i18n.ts';

/** `dev`: root pinned from this server, forgettable; `build`: root baked into the app build. */
export type RootChange = 'dev' | 'build';

export function detectRootChange(pinned: string, published: string | null, baked: boolean): RootChange | null {
  if (published === null || published === pinned) return null;
  return baked ? 'build' : 'dev';
}

export const ROOT_CHANGE_MESSAGES: Record<Language, Record<RootChange | 'forget', string>> = {
  en: {
    dev: "The issuer's trust root changed (keys were recreated). This device's trust list is from the old root, so new passes cannot be checked. Forget the old root to trust the new one.",
    build: "The issuer's trust root changed. This app trusts only the root it was built with; a root change needs a new app build. Passes are checked against the saved trust list.",
    forget: 'Forget the old root and reload',
  },
  ko: {
    dev: '발급 기관의 신뢰 루트가 바뀌었습니다(키가 다시 만들어짐). 이 기기의 신뢰 목록은 이전 루트의 것이라 새 증명서를 확인할 수 없습니다. 이전 루트를 지우고 새 루트를 신뢰하세요.',
    build: '발급 기관의 신뢰 루트가 바뀌었습니다. 이 앱은 빌드에 포함된 루트만 신뢰하므로 루트를 바꾸려면 새 앱 빌드가 필요합니다. 증명서는 저장된 신뢰 목록으로 확인합니다.',
    forget: '이전 루트를 지우고 다시 불러오기',
  },
};

/** Fills (or hides) the app's root-change notice; the redraw is skipped when nothing changed, so readers hear it once. */
export function paintRootChange(element: HTMLElement, change: RootChange | null, language: Language, forget: () => void): void {
  const key = change ? `${change}|${language}` : '';
  if (element.dataset.shown === key) return;
  element.dataset.shown = key;
  element.hidden = change === null;
  if (!change) return element.replaceChildren();
  const text = ROOT_CHANGE_MESSAGES[language];
  element.dataset.kind = change;
  const notice = h('p', {}, text[change]);
  if (change === 'build') return element.replaceChildren(notice);
  element.replaceChildren(notice, h('button', { type: 'button', id: 'forget-root', onclick: forget }, text.forget));
}
