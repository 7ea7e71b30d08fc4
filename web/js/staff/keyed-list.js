// @ts-check
// The console's lists (queue, pending, reported): keyed items kept in the DOM, and the slot
// under an item where its forms open. Keyboard work happens inside them, so they never move
// the node that has focus and hand focus on when the worked-on item leaves.

import { el } from '../util.js';

/**
 * A list of keyed items kept in the DOM: new items created, changed ones updated in place,
 * order fixed by moving nodes (not while the user is working inside the list).
 * @template {{ id: number, votes: number }} T
 */
export class KeyedList {
  /**
   * @param {HTMLElement} node
   * @param {(item: T) => HTMLElement} create
   * @param {(node: HTMLElement, item: T) => void} update
   */
  constructor(node, create, update) {
    this.node = node; this.create = create; this.update = update;
    /** @type {Map<number, HTMLElement>} */
    this.nodes = new Map();
    /** @type {Map<number, T>} */
    this.items = new Map();
    /** @type {number[] | null} */
    this.pendingOrder = null;
    /** @type {number[]} */
    this.ids = [];
    /** Called when the item that had focus left and no other is there to take it.
     *  @type {(() => void) | null} */
    this.onEmpty = null;
    node.addEventListener('focusout', () => setTimeout(() => { if (this.pendingOrder && !node.contains(document.activeElement)) this.order(this.pendingOrder); }, 0));
  }

  /** @param {T[]} items */
  sync(items) {
    const keep = new Set();
    for (const it of items) {
      keep.add(it.id);
      const node = this.nodes.get(it.id);
      if (!node) this.nodes.set(it.id, this.create(it));
      else if (this.items.get(it.id) !== it || node.dataset.v !== String(it.votes)) this.update(node, it);
      this.nodes.get(it.id).dataset.v = String(it.votes);
      this.items.set(it.id, it);
    }
    // When the item being worked on leaves the list (answered, hidden, approved ...), keyboard
    // focus goes to the item that takes its place (else the one before), not to the page top.
    let lostAt = -1;
    for (const [id, node] of this.nodes) {
      if (keep.has(id)) continue;
      if (node.contains(document.activeElement)) lostAt = this.ids.indexOf(id);
      node.remove(); this.nodes.delete(id); this.items.delete(id);
    }
    const ids = items.map((i) => i.id);
    if (lostAt >= 0) {
      const old = this.ids.slice(lostAt + 1).find((x) => this.nodes.has(x));
      const prev = this.ids.slice(0, lostAt).reverse().find((x) => this.nodes.has(x));
      const target = this.nodes.get(old !== undefined ? old : prev);
      this.ids = ids;
      this.order(ids);
      if (target) target.focus(); else if (this.onEmpty) this.onEmpty();
      return;
    }
    this.ids = ids;
    if (this.node.contains(document.activeElement)) {
      for (const id of ids) { const n = this.nodes.get(id); if (!n.isConnected) this.node.append(n); }
      this.pendingOrder = ids;
    } else this.order(ids);
  }

  /** @param {number[]} ids */
  order(ids) {
    this.pendingOrder = null;
    let ref = this.node.firstChild;
    for (const id of ids) {
      const n = this.nodes.get(id);
      if (!n) continue;
      if (n === ref) ref = ref.nextSibling; else this.node.insertBefore(n, ref);
    }
  }
}

/** An empty item of a console list (focusable, its main part, action bar and slot), for the
 *  list's update to fill. @param {string} cls @param {number} id */
export function listItem(cls, id) {
  const node = el('li', { class: cls, tabindex: '0', 'data-id': id });
  node.append(el('div', { class: 'q-main' }), el('div', { class: 'actions' }), el('div', { class: 'slot' }));
  return node;
}

/**
 * Open the form `build` makes in the item's slot (toggled by the same button; one at a time).
 * Closing it gives focus back to the item.
 * @param {HTMLElement} node the item
 * @param {HTMLElement} btn the button that opens it (its data-action names the form)
 * @param {(close: () => void) => HTMLElement} build
 */
export function itemSlot(node, btn, build) {
  /** @type {HTMLElement} */
  const slot = node.querySelector(':scope > .slot');
  const same = slot.dataset.for === btn.dataset.action && slot.firstChild;
  slot.replaceChildren(); delete slot.dataset.for;
  if (same) return;
  const close = () => { slot.replaceChildren(); delete slot.dataset.for; node.focus(); };
  const f = build(close);
  slot.dataset.for = btn.dataset.action;
  slot.append(f);
  /** @type {HTMLElement | null} */
  const first = f.querySelector('textarea, input, select');
  if (first) first.focus();
}
