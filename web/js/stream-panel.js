// @ts-check
// The live stream as a panel, the same on the citizen page and in the staff console: the
// "answered N of M" counter, the filters, the post list that follows the newest posts (in its
// own scroller on wide screens, in the page on phones) with "N new" when the reader has
// scrolled away, the pause switch, and presence.

import { el, fill, t, reducedMotion } from './util.js';
import { PostList, FILTERS } from './posts.js';
import { agendaOf, itemSelect } from './agenda.js';

/** Counter, filters, the scrolling list with "N new", and the pause switch. */
export class StreamPanel {
  constructor(feed, ctx) {
    this.feed = feed;
    this.follow = true;
    this.paused = false;
    this.newCount = 0;
    this.scrollQueued = false;
    this.counter = el('p', { class: 'counter', id: 'counter' });
    this.filterButtons = FILTERS.map((f) => el('button', { type: 'button', class: 'chip', 'data-filter': f, 'aria-pressed': f === 'all' ? 'true' : 'false', onclick: () => this.setFilter(f) }, t(`filter.${f}`)));
    this.listNode = el('div', { id: 'posts' });
    // Until the first snapshot (reset) the page does not know whether there are posts: it says
    // it is loading them, never "no posts yet".
    this.empty = el('p', { class: 'empty' }, t('stream.loading'));
    // The section is the landmark (labelled by its heading); the scroller is only a focusable
    // list box, so the same name is not announced as two regions (axe landmark-unique).
    this.scroller = el('div', { class: 'scroller', tabindex: '0', role: 'group', 'aria-label': t('stream.list_label') }, this.empty, this.listNode);
    this.newButton = el('button', { type: 'button', class: 'new-posts', hidden: true, onclick: () => this.toBottom(true) });
    this.pauseButton = el('button', { type: 'button', class: 'link-button', 'aria-pressed': 'false', onclick: () => this.setPaused(!this.paused) }, t('stream.pause'));
    this.list = new PostList(this.listNode, {
      ...ctx,
      voted: feed.voted,
      me: () => feed.you,
      onAir: () => (feed.meeting ? feed.meeting.on_air : null),
      onAdded: (node, p) => this.added(node, p),
    });
    const onScroll = () => {
      this.follow = this.nearBottom();
      if (this.follow && !this.paused) this.clearNew();
    };
    this.scroller.addEventListener('scroll', onScroll, { passive: true });
    // On a phone the stream is part of the page (no box scrolling inside the page): the
    // window's scroll position says whether the reader follows the newest posts.
    window.addEventListener('scroll', () => { if (this.pageMode()) onScroll(); }, { passive: true });
    this.scroller.addEventListener('click', (e) => {
      /** @type {HTMLElement | null} */
      const a = /** @type {Element} */ (e.target).closest('[data-jump]');
      if (a) { e.preventDefault(); this.jump(Number(a.dataset.jump)); }
    });
    // The agenda filter: shown once the meeting has an agenda (updateAgenda).
    this.itemSlot = el('div', { class: 'item-filter', hidden: true });
    this.agendaKey = '';
    this.node = el('section', { class: 'stream-panel', 'aria-labelledby': 'stream-h' },
      el('h2', { id: 'stream-h', class: 'visually-hidden' }, t('stream.label')),
      this.counter,
      el('div', { class: 'filters', role: 'group', 'aria-label': t('filter.label') }, this.filterButtons),
      this.itemSlot,
      el('div', { class: 'scroll-wrap' }, this.scroller, this.newButton),
      el('div', { class: 'stream-tools' }, el('span', { class: 'watching', id: 'watching' }), this.pauseButton));
  }

  /** The stream flows in the page (narrow screens, see app.css) instead of scrolling in a box. */
  pageMode() { return getComputedStyle(this.scroller).overflowY === 'visible'; }

  nearBottom() {
    if (this.pageMode()) return this.scroller.getBoundingClientRect().bottom - window.innerHeight < 80;
    const s = this.scroller; return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  toBottom(focusLast) {
    if (this.pageMode()) {
      // In the page only on request, or while the reader follows the end (never from the top
      // of the page: that reader is reading the title and the way to take part).
      const last = this.listNode.lastElementChild;
      if (last && (focusLast || (this.follow && window.scrollY > 0))) last.scrollIntoView({ block: 'end' });
    } else this.scroller.scrollTop = this.scroller.scrollHeight;
    this.follow = true;
    this.clearNew();
    if (focusLast) {
      if (this.paused) this.setPaused(false);
      this.scroller.focus({ preventScroll: true });
    }
  }

  clearNew() { this.newCount = 0; this.newButton.hidden = true; }

  setPaused(p) {
    this.paused = p;
    this.pauseButton.setAttribute('aria-pressed', p ? 'true' : 'false');
    this.pauseButton.textContent = t(p ? 'stream.resume' : 'stream.pause');
    if (!p && this.follow) this.toBottom(false);
  }

  added(node, p) {
    this.empty.hidden = true;
    if (this.follow && !this.paused) {
      if (!this.scrollQueued) {
        this.scrollQueued = true;
        requestAnimationFrame(() => { this.scrollQueued = false; if (this.follow && !this.paused) this.toBottom(false); });
      }
      return;
    }
    if (node.offsetParent === null && !p.parent) return; // filtered out
    this.newCount += 1;
    this.newButton.textContent = t('stream.new', { n: this.newCount });
    this.newButton.hidden = false;
  }

  setFilter(f) {
    this.list.setFilter(f);
    for (const b of this.filterButtons) b.setAttribute('aria-pressed', b.dataset.filter === f ? 'true' : 'false');
    if (this.follow) this.toBottom(false);
  }

  jump(id) {
    if (!this.list.nodes.has(id)) return;
    const node = this.list.nodes.get(id);
    if (node.offsetParent === null) this.setFilter('all');
    this.follow = false;
    this.list.focusPost(id);
    node.classList.add('flash');
    setTimeout(() => node.classList.remove('flash'), reducedMotion() ? 0 : 1600);
  }

  reset(posts) {
    this.list.reset(posts);
    this.updateAgenda();
    this.empty.textContent = t('stream.empty');
    this.empty.hidden = this.list.nodes.size > 0;
    this.updateCounter();
    const m = this.feed.meeting;
    if (m && m.status === 'closed' && this.list.filter === 'all') this.setFilter('questions');
    if (m && m.status === 'closed') { this.scroller.scrollTop = 0; this.follow = false; } else if (this.pageMode()) this.follow = this.nearBottom(); else this.toBottom(false);
  }

  /** The "agenda item" filter, redrawn when the agenda changes (the choice is kept while its
   *  item exists). */
  updateAgenda() {
    const m = this.feed.meeting;
    const items = agendaOf(m);
    const key = JSON.stringify([items.map((x) => [x.id, x.title]), m && m.current_agenda_item]);
    if (key === this.agendaKey) return;
    this.agendaKey = key;
    if (!items.length) { this.itemSlot.hidden = true; this.itemSlot.replaceChildren(); if (this.list.itemFilter !== null) this.list.setItemFilter(null); return; }
    const keep = items.some((x) => x.id === this.list.itemFilter) ? this.list.itemFilter : null;
    if (keep !== this.list.itemFilter) this.list.setItemFilter(keep);
    const sel = itemSelect('stream-item', m, keep, t('agenda.filter_all'));
    sel.addEventListener('change', () => { this.list.setItemFilter(sel.value ? Number(sel.value) : null); if (this.follow) this.toBottom(false); });
    this.itemSlot.replaceChildren(el('label', { for: 'stream-item', class: 'inline' }, t('agenda.filter_label')), sel);
    this.itemSlot.hidden = false;
  }

  updateCounter() {
    const m = this.feed.meeting;
    if (!m) return;
    const c = m.counters;
    fill(this.counter,
      el('strong', null, t('counter.answered', { a: c.answered, n: c.questions })),
      c.dismissed ? el('span', null, ' · ', t('counter.dismissed', { n: c.dismissed })) : null,
      el('span', { class: 'counter-more' }, ' · ', t('counter.comments', { n: c.comments }), ' · ', t('counter.participants', { n: c.participants })));
  }

  presence(n) {
    const w = this.node.querySelector('#watching');
    if (w) w.textContent = n ? t('stream.watching', { n: n + 1 }) : '';
  }
}

