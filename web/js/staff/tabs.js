// @ts-check
// The console's tabs (queue, pending, reported, settings, room, notice): an ARIA tablist
// with arrow keys, and a badge per tab for the count of items waiting.

import { el } from '../util.js';

/**
 * @typedef {Object} TabDef
 * @property {string} id tab-<id>, panel-<id>, badge-<id>
 * @property {string} label
 * @property {HTMLElement} node the panel's content
 * @property {boolean} [badge]
 */

/** @param {TabDef[]} defs */
export function tabs(defs) {
  const bar = el('div', { class: 'tabs', role: 'tablist' });
  /** @type {HTMLElement[]} */
  const panels = [];
  const buttons = defs.map((d, i) => {
    const b = el('button', { type: 'button', role: 'tab', id: `tab-${d.id}`, 'aria-controls': `panel-${d.id}`, 'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1', onclick: () => select(i) },
      d.label, d.badge ? el('span', { class: 'tab-badge', id: `badge-${d.id}` }) : null);
    const p = el('div', { role: 'tabpanel', id: `panel-${d.id}`, 'aria-labelledby': `tab-${d.id}`, class: 'tabpanel', hidden: i !== 0 }, d.node);
    panels.push(p);
    return b;
  });
  /** @param {number} i @param {boolean} [focus] */
  function select(i, focus = true) {
    buttons.forEach((b, j) => { b.setAttribute('aria-selected', i === j ? 'true' : 'false'); b.tabIndex = i === j ? 0 : -1; panels[j].hidden = i !== j; });
    if (focus) buttons[i].focus();
  }
  bar.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (i < 0) return;
    if (e.key === 'ArrowRight') { e.preventDefault(); select((i + 1) % buttons.length); }
    if (e.key === 'ArrowLeft') { e.preventDefault(); select((i - 1 + buttons.length) % buttons.length); }
  });
  bar.append(...buttons);
  return { node: el('div', { class: 'tabbed' }, bar, ...panels), select };
}
