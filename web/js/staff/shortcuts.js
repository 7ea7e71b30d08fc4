// @ts-check
// The console's hot keys: j/k move between the items of the open tab (or, with the focus in
// the stream, between its posts), letters press the focused item's buttons (claim, answer,
// live, release, on air, approve, reject, hide, restore); never while typing. And the help
// that lists them. A moderator reaches every post with Tab (to the stream) and j/k.

import { el, t } from '../util.js';

const KEYS = ['next', 'claim', 'answer', 'live', 'release', 'onair', 'approve', 'reject', 'hide', 'restore'];
/** key -> the data-action of the button it presses */
const ACTIONS = { c: 'claim', w: 'answer', l: 'live', r: 'release', o: 'onair', a: 'approve', x: 'reject', h: 'hide', u: 'restore' };

export function shortcutsHelp() {
  return el('details', { class: 'shortcuts' }, el('summary', null, t('keys.title')),
    el('dl', null, KEYS.map((k) => [el('dt', null, el('kbd', null, t(`keys.${k}.key`))), el('dd', null, t(`keys.${k}.what`))])));
}

/** Hot keys act on the focused queue or moderation item (never while typing).
 *  @param {KeyboardEvent} e */
export function shortcuts(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const tag = active && active.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
  const item = active && active.closest && active.closest('.q-item, .mod-item, article.post');
  const stream = active && active.closest && active.closest('.scroller');
  const k = e.key.toLowerCase();
  if (k === 'j' || k === 'k') {
    const sel = stream ? 'article.post' : '.tabpanel:not([hidden]) .q-item, .tabpanel:not([hidden]) .mod-item';
    /** @type {HTMLElement[]} */
    const all = [...(stream || document).querySelectorAll(sel)].map((n) => /** @type {HTMLElement} */ (n));
    if (!all.length) return;
    const i = item ? all.indexOf(/** @type {HTMLElement} */ (item)) : -1;
    const next = all[Math.max(0, Math.min(all.length - 1, k === 'j' ? i + 1 : i - 1))];
    e.preventDefault(); next.focus(); return;
  }
  if (!item) return;
  const action = ACTIONS[k];
  if (!action) return;
  /** @type {HTMLElement | null | undefined} */
  const btn = item.matches('article.post')
    // A post's own buttons, not those of a reply inside it.
    ? /** @type {HTMLElement[]} */ ([...item.querySelectorAll(`[data-action="${action}"]`)]).find((b) => b.closest('article.post') === item)
    : item.querySelector(`:scope > .actions [data-action="${action}"]`);
  if (btn) { e.preventDefault(); btn.click(); }
}
