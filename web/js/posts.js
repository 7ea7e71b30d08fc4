// @ts-check
// The stream of comments and questions, rendered incrementally: one element per post, kept
// in id order, updated in place when a frame changes that post (a vote only touches its
// counter). Filters are CSS classes on the list, so switching them re-renders nothing.

import { el, t, fmtTime, safeHtml } from './util.js';

export const FILTERS = ['all', 'questions', 'unanswered', 'answered'];

/** Insert node into parent keeping children ordered by numeric data-id (fast path: append). */
function insertOrdered(parent, node, id, ids) {
  if (!ids.length || ids[ids.length - 1] < id) { ids.push(id); parent.append(node); return; }
  let lo = 0; let hi = ids.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (ids[mid] < id) lo = mid + 1; else hi = mid; }
  const before = parent.querySelector(`:scope > [data-id="${ids[lo]}"]`);
  ids.splice(lo, 0, id);
  parent.insertBefore(node, before);
}

function removeId(ids, id) {
  const i = ids.indexOf(id);
  if (i >= 0) ids.splice(i, 1);
}

export function authorLine(a, source) {
  const parts = [el('span', { class: 'author' }, a.name || (source === 'room' ? t('post.from_room_anonymous') : t('post.anonymous')))];
  if (a.verified) parts.push(el('span', { class: 'badge verified', title: t('post.verified_title') }, '✓ ', a.role_line || t(`role.${a.role}`)));
  if (source === 'room') parts.push(el('span', { class: 'badge room' }, t('post.from_room')));
  return parts;
}

/** The official answer under a question. */
export function answerBlock(q) {
  const a = q.answer;
  const head = el('p', { class: 'answer-head' },
    el('strong', null, t(a.mode === 'live' ? 'answer.live_by' : 'answer.written_by', { name: a.by.name })),
    a.by.role_line ? el('span', { class: 'badge verified' }, '✓ ', a.by.role_line) : null,
    el('time', { datetime: a.at }, fmtTime(a.at)));
  const box = el('div', { class: `answer answer-${a.mode}` }, head);
  if (a.html) box.append(el('div', { class: 'answer-body' }, safeHtml(a.html)));
  if (a.note) box.append(el('p', { class: 'answer-note' }, a.note));
  return box;
}

const COUNTERPART = { hide: 'restore', restore: 'hide', approve: 'hide' };

/** Replace an item's action bar (a post, a queue or moderation item) and keep keyboard focus
 *  on the item: on the same action if it is still there, else its counterpart (hide becomes
 *  restore), else the item itself. Without this, every action dropped focus to the page top. */
export function replaceActions(node, fresh) {
  const old = node.querySelector(':scope > .actions');
  const active = /** @type {HTMLElement} */ (document.activeElement);
  const had = old && old.contains(active) ? active.dataset.action || '' : null;
  old.replaceWith(fresh);
  if (had === null) return;
  const b = (had && fresh.querySelector(`[data-action="${had}"]`)) || (COUNTERPART[had] && fresh.querySelector(`[data-action="${COUNTERPART[had]}"]`));
  (b || node).focus({ preventScroll: true });
}

export class PostList {
  /**
   * ctx: { staff: bool, moderator: bool, me(): YouView|null, voted: Set, canPost(): bool,
   *        canReply(): bool, canVote(): bool, onAction(action, post, data) -> Promise,
   *        onAdded(node, post) (live additions), onAir(): id|null }
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.posts = new Map();
    this.nodes = new Map();
    this.ids = [];
    this.replyIds = new Map(); // parent id -> ordered reply ids
    this.orphans = new Map(); // parent id -> [reply posts] waiting for the parent
    this.filter = 'all';
    /** @type {number | null} only the top-level posts filed under this agenda item */
    this.itemFilter = null;
    root.classList.add('post-list', 'f-all');
  }

  /** Show only the posts filed under an agenda item (null: all). @param {number | null} item */
  setItemFilter(item) {
    this.itemFilter = item;
    for (const [id, node] of this.nodes) { const p = this.posts.get(id); if (p && !p.parent) node.className = this.classes(p); }
  }

  setFilter(f) {
    this.root.classList.remove(`f-${this.filter}`);
    this.filter = f;
    this.root.classList.add(`f-${f}`);
  }

  mine(p) {
    const me = this.ctx.me();
    return !!(me && p.author && p.author.participant_id === me.participant_id);
  }

  /** Replace everything (a snapshot). Built in a fragment: one layout for thousands of posts. */
  reset(posts) {
    this.posts.clear(); this.nodes.clear(); this.ids = []; this.replyIds.clear(); this.orphans.clear();
    const frag = document.createDocumentFragment();
    for (const p of posts) {
      if (!this.visibleTo(p)) continue;
      this.posts.set(p.id, p);
      const node = this.build(p);
      this.nodes.set(p.id, node);
      if (p.parent) {
        const parent = this.nodes.get(p.parent);
        if (parent) this.attachReply(parent, node, p);
        else this.orphan(p);
      } else { this.ids.push(p.id); frag.append(node); }
    }
    this.root.replaceChildren(frag);
  }

  visibleTo(p) {
    if (this.ctx.staff || this.mine(p)) return true;
    return p.status === 'visible' || p.status === 'hidden';
  }

  orphan(p) {
    const list = this.orphans.get(p.parent) || [];
    list.push(p);
    this.orphans.set(p.parent, list);
    this.nodes.delete(p.id);
  }

  attachReply(parentNode, node, p) {
    const box = parentNode.querySelector(':scope > .replies');
    let ids = this.replyIds.get(p.parent);
    if (!ids) { ids = []; this.replyIds.set(p.parent, ids); }
    insertOrdered(box, node, p.id, ids);
  }

  /** Apply a post as it is now. live: it arrived on the live stream (may scroll/announce). */
  upsert(p, live) {
    const old = this.posts.get(p.id);
    if (!this.visibleTo(p)) { if (old) this.remove(p.id); return; }
    this.posts.set(p.id, p);
    const node = this.nodes.get(p.id);
    if (node) { this.refresh(node, p, old); return; }
    const fresh = this.build(p);
    this.nodes.set(p.id, fresh);
    if (p.parent) {
      const parent = this.nodes.get(p.parent);
      if (!parent) { this.orphan(p); return; }
      this.attachReply(parent, fresh, p);
    } else {
      insertOrdered(this.root, fresh, p.id, this.ids);
      const waiting = this.orphans.get(p.id);
      if (waiting) { this.orphans.delete(p.id); for (const r of waiting) this.upsert(r, false); }
    }
    if (live && this.ctx.onAdded) this.ctx.onAdded(fresh, p);
  }

  remove(id) {
    const p = this.posts.get(id);
    const node = this.nodes.get(id);
    this.posts.delete(id); this.nodes.delete(id);
    if (!node) return;
    if (p && p.parent) { const ids = this.replyIds.get(p.parent); if (ids) removeId(ids, id); } else removeId(this.ids, id);
    node.remove();
  }

  setVotes(id, n) {
    const p = this.posts.get(id);
    if (!p) return;
    p.votes = n; // often the same object the feed already updated: always refresh the DOM
    const node = this.nodes.get(id);
    const c = node && node.querySelector(':scope > .actions .vote-count');
    if (c) { if (c.textContent !== String(n)) c.textContent = String(n); } else if (node && n) node.querySelector(':scope > .actions').replaceWith(this.actions(p));
  }

  /** Rebuild every post's buttons (after joining: what this viewer may do has changed). */
  refreshActions() {
    for (const [id, node] of this.nodes) {
      const p = this.posts.get(id);
      const bar = node.querySelector(':scope > .actions');
      if (p && bar) bar.replaceWith(this.actions(p));
      if (p) node.className = this.classes(p);
    }
  }

  setVoted(id, on) {
    const node = this.nodes.get(id);
    const b = node && node.querySelector(':scope > .actions .vote');
    if (b) b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }

  setOnAir(prev, next) {
    for (const id of [prev, next]) {
      const node = id && this.nodes.get(id);
      if (node) this.refresh(node, this.posts.get(id), null);
    }
  }

  /** Re-render the parts of one post that change; keep its replies and any open form. */
  refresh(node, p, old) {
    node.className = this.classes(p);
    const inside = node.contains(document.activeElement) && document.activeElement !== node;
    node.querySelector(':scope > .post-main').replaceWith(this.main(p));
    replaceActions(node, this.actions(p));
    if (old && old.status !== p.status) {
      const slot = node.querySelector(':scope > .slot');
      if (slot) slot.replaceChildren();
    }
    // Focus was in the form that just closed: keep the keyboard on this post.
    if (inside && !node.contains(document.activeElement)) node.focus({ preventScroll: true });
  }

  classes(p) {
    const c = ['post', `k-${p.kind}`, `s-${p.status}`];
    if (p.parent) c.push('reply');
    if (p.question) c.push(`q-${p.question.state}`);
    if (p.author && p.author.verified) c.push('is-verified');
    if (this.mine(p)) c.push('mine');
    if (this.ctx.onAir && this.ctx.onAir() === p.id) c.push('on-air');
    if (this.itemFilter !== null && !p.parent && p.agenda_item !== this.itemFilter) c.push('item-out');
    return c.join(' ');
  }

  build(p) {
    return el('article', { class: this.classes(p), id: `p-${p.id}`, 'data-id': p.id, tabindex: '-1', 'aria-label': t(`post.aria.${p.kind}`, { name: p.author.name || t('post.anonymous') }) },
      this.main(p), this.actions(p), el('div', { class: 'slot' }), p.parent ? null : el('div', { class: 'replies' }));
  }

  main(p) {
    const box = el('div', { class: 'post-main' });
    const meta = el('p', { class: 'meta' }, authorLine(p.author, p.source),
      p.kind !== 'comment' ? el('span', { class: `kind kind-${p.kind}` }, t(`kind.${p.kind}`)) : null,
      el('time', { datetime: p.created_at }, fmtTime(p.created_at)));
    box.append(meta);
    if (this.ctx.onAir && this.ctx.onAir() === p.id) box.append(el('p', { class: 'on-air-flag' }, t('question.on_air')));
    if (p.erased) {
      box.append(el('p', { class: 'tombstone erased' }, t('post.erased')));
    } else if (p.status === 'hidden') {
      box.append(el('p', { class: 'tombstone' }, t('post.hidden', { reason: t(`hide_reason.${p.hidden_reason || 'other'}`) })));
      if (p.body) box.append(el('p', { class: 'body hidden-body' }, p.body));
    } else if (p.body !== null && p.body !== undefined) {
      box.append(el('p', { class: 'body' }, p.body));
    }
    if (p.status === 'pending') box.append(el('p', { class: 'state-line warn' }, t(`held.${p.held_reason || 'premoderation'}`)));
    if (p.status === 'rejected') box.append(el('p', { class: 'state-line warn' }, t('post.rejected')));
    if (p.moderation_note) box.append(el('p', { class: 'mod-note' }, t('post.moderation_note', { note: p.moderation_note })));
    if (this.ctx.staff && p.reports) box.append(el('p', { class: 'state-line warn' }, t('post.reports', { n: p.reports })));
    const q = p.question;
    if (q) {
      if (q.state === 'answered' && q.answer) box.append(answerBlock(q));
      else if (q.state === 'claimed') box.append(el('p', { class: 'state-line' }, t('question.claimed', { name: q.claimed_by || '' })));
      else if (q.state === 'dismissed') box.append(el('p', { class: 'state-line dismissed' }, t('question.dismissed', { reason: q.dismissed_reason || '' })));
      else if (q.state === 'merged') box.append(el('p', { class: 'state-line' }, t('question.merged_into'), ' ', el('a', { href: `#p-${q.merged_into}`, 'data-jump': q.merged_into }, `#${q.merged_into}`)));
      else if (q.state === 'open') box.append(el('p', { class: 'state-line open' }, t('question.open')));
      if (q.merged_from && q.merged_from.length) box.append(el('p', { class: 'state-line' }, t('question.merged_from', { n: q.merged_from.length })));
    }
    return box;
  }

  actions(p) {
    const bar = el('div', { class: 'actions' });
    const ctx = this.ctx;
    if (p.status !== 'visible') {
      if (ctx.moderator) this.modActions(bar, p);
      return bar;
    }
    const merged = p.question && p.question.state === 'merged';
    if (!merged && ctx.canVote() && !this.mine(p)) {
      bar.append(el('button', { type: 'button', class: 'vote', 'data-action': 'vote', 'aria-pressed': ctx.voted.has(p.id) ? 'true' : 'false', onclick: () => ctx.onAction('vote', p) },
        el('span', { 'aria-hidden': 'true' }, '▲ '), el('span', { class: 'visually-hidden' }, `${t('action.upvote')}: `), el('span', { class: 'vote-count' }, String(p.votes)),
        el('span', { class: 'visually-hidden' }, ` ${t('post.votes_word')}`)));
    } else if (p.votes) {
      bar.append(el('span', { class: 'vote-static' }, el('span', { 'aria-hidden': 'true' }, '▲ '), el('span', { class: 'vote-count' }, String(p.votes)), el('span', { class: 'visually-hidden' }, ` ${t('post.votes_word')}`)));
    }
    if (!p.parent && p.kind !== 'notice' && ctx.canReply()) bar.append(el('button', { type: 'button', class: 'link-button', 'data-action': 'reply', 'aria-expanded': 'false', onclick: (e) => ctx.onAction('reply', p, { button: e.currentTarget }) }, t('action.reply')));
    if (!this.mine(p) && !p.author.verified && ctx.canVote() && !ctx.staff) bar.append(el('button', { type: 'button', class: 'link-button subtle', 'data-action': 'report', 'aria-expanded': 'false', onclick: (e) => ctx.onAction('report', p, { button: e.currentTarget }) }, t('action.report')));
    if (ctx.moderator) this.modActions(bar, p);
    return bar;
  }

  modActions(bar, p) {
    const act = (action, label, cls) => el('button', { type: 'button', class: `link-button ${cls || ''}`, 'data-action': action, onclick: (e) => this.ctx.onAction(action, p, { button: e.currentTarget }) }, label);
    if (p.status === 'pending') bar.append(act('approve', t('mod.approve')), act('reject', t('mod.reject'), 'danger'));
    if (p.status === 'visible' || p.status === 'pending') bar.append(act('hide', t('mod.hide'), 'danger'));
    if (p.status === 'hidden') bar.append(act('restore', t('mod.restore')));
    if (p.question && (p.question.state === 'open' || p.question.state === 'claimed') && p.status === 'visible') {
      bar.append(act('onair', this.ctx.onAir && this.ctx.onAir() === p.id ? t('mod.off_air') : t('mod.on_air')));
    }
    if (p.author.participant_id && !p.author.verified && p.source !== 'room') bar.append(act('person', t('mod.person', { name: p.author.name })));
  }

  /** The form slot under a post (reply, report, hide ...), one form at a time. */
  slot(id) {
    const node = this.nodes.get(id);
    return node && node.querySelector(':scope > .slot');
  }

  focusPost(id) {
    const node = this.nodes.get(id);
    if (!node) return false;
    node.scrollIntoView({ block: 'center' });
    node.focus({ preventScroll: true });
    return true;
  }
}
