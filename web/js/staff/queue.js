// @ts-check
// The facilitator queue in the console: open / mine / assigned / answered / all, sorted by
// votes or age, with each question's actions (claim, release, answer in writing or live,
// route, on air, dismiss, merge). Panelists and moderators see the same list; what they may
// do differs by role.

import { el, t, fmtTime, errorText, $ } from '../util.js';
import { client } from '../client.js';
import { smallForm } from '../forms.js';
import { authorLine, answerBlock, replaceActions } from '../posts.js';
import { assignedTo, assigneeLine, assignForm, snippetPicker } from '../followup.js';
import { KeyedList, itemSlot, listItem } from './keyed-list.js';
import { agendaOf, itemSelect, itemLabel } from '../agenda.js';
import { duplicatesOf, Paused } from '../similar.js';

/** @typedef {import('../client.js').PostView} PostView */

const VIEWS = ['open', 'dupes', 'mine', 'assigned', 'answered', 'all'];
/** Open questions whose duplicates the "possible duplicates" view looks up (the most voted). */
const DUPES_LOOKUP = 40;

/** An action button of a console item. @param {string} action @param {string} label
 *  @param {(btn: HTMLElement) => unknown} fn @param {string} [cls] */
export const actionButton = (action, label, fn, cls) => el('button', { type: 'button', class: cls || 'secondary', 'data-action': action, onclick: (/** @type {MouseEvent} */ e) => fn(/** @type {HTMLElement} */ (e.currentTarget)) }, label);

export class QueuePanel {
  /** @param {import('../staff.js').Console} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.view = 'open';
    this.sort = 'votes';
    const viewButtons = VIEWS.map((v) => el('button', { type: 'button', class: 'chip', 'data-view': v, 'aria-pressed': v === this.view ? 'true' : 'false', onclick: () => {
      this.view = v; viewButtons.forEach((b) => b.setAttribute('aria-pressed', b.dataset.view === v ? 'true' : 'false')); this.sync();
      if (v === 'dupes') this.lookUpOpen();
    } }, t(`queue.view.${v}`)));
    const sortSel = el('select', { id: 'queue-sort', onchange: (/** @type {Event} */ e) => { this.sort = /** @type {HTMLSelectElement} */ (e.target).value; this.sync(); } },
      el('option', { value: 'votes' }, t('queue.sort.votes')), el('option', { value: 'age' }, t('queue.sort.age')));
    /** @type {number | null} only questions filed under this agenda item */
    this.item = null;
    /** Question -> its likely duplicates, once looked up (`similar.js` caches the answers).
     *  @type {Map<number, PostView[]>} */
    this.dupes = new Map();
    /** @type {Set<number>} */
    this.asking = new Set();
    /** @type {Promise<void>} */
    this.chain = Promise.resolve();
    /** The retry after a 429 (one timer for the whole queue, not one per question). */
    this.retry = 0;
    /** One quiet line while the look-ups wait, instead of an error per question. */
    this.dupesNote = el('p', { class: 'hint dupes-paused', role: 'status', hidden: true });
    this.itemSlot = el('div', { class: 'item-filter', hidden: true });
    this.agendaKey = '';
    this.listNode = el('ol', { class: 'queue', 'aria-label': t('queue.title') });
    this.empty = el('p', { class: 'empty', tabindex: '-1' }, t('queue.empty'));
    /** @type {KeyedList<PostView>} */
    this.list = new KeyedList(this.listNode, (q) => this.create(q), (n, q) => this.update(n, q));
    this.list.onEmpty = () => { this.empty.hidden = false; this.empty.focus(); };
    this.node = el('div', { class: 'queue-panel' },
      el('div', { class: 'row wrap' }, el('div', { class: 'filters', role: 'group', 'aria-label': t('queue.view.label') }, viewButtons),
        el('label', { for: 'queue-sort', class: 'inline' }, t('queue.sort.label')), sortSel),
      this.itemSlot, this.dupesNote, this.empty, this.listNode);
  }

  items() {
    const { feed } = this.ctx;
    const me = feed.you && feed.you.name;
    const out = [];
    for (const p of feed.posts.values()) {
      if (p.kind !== 'question' || p.status !== 'visible' || !p.question) continue;
      const s = p.question.state;
      if ((this.view === 'open' || this.view === 'dupes') && s !== 'open' && s !== 'claimed') continue;
      if (this.view === 'dupes' && !this.liveDupes(p).length) continue;
      if (this.view === 'mine' && !(s === 'claimed' && p.question.claimed_by === me)) continue;
      if (this.view === 'assigned' && !((s === 'open' || s === 'claimed') && assignedTo(p, feed.you))) continue;
      if (this.view === 'answered' && s !== 'answered') continue;
      if (this.view === 'all' && s === 'merged') continue;
      if (this.item !== null && p.agenda_item !== this.item) continue;
      out.push(p);
    }
    if (this.sort === 'votes') out.sort((a, b) => b.votes - a.votes || a.id - b.id); else out.sort((a, b) => a.id - b.id);
    return out;
  }

  /** The duplicates of `q` still worth showing: visible questions not merged away.
   *  @param {PostView} q @returns {PostView[]} */
  liveDupes(q) {
    const { feed } = this.ctx;
    return (this.dupes.get(q.id) || []).map((d) => feed.posts.get(d.id)).filter((d) => d && d.status === 'visible' && d.question && d.question.state !== 'merged');
  }

  /** Look up the duplicates of `q` once; draw them in its item when they arrive.
   *  @param {PostView} q @returns {Promise<void>} */
  lookUp(q) {
    if (this.dupes.has(q.id) || this.asking.has(q.id) || !q.body) return Promise.resolve();
    this.asking.add(q.id);
    // One look-up at a time: a long queue must not fire hundreds at once (they are rate-limited).
    this.chain = this.chain.then(() => this.fetchDupes(q)).finally(() => this.asking.delete(q.id));
    return this.chain;
  }

  /** @param {PostView} q */
  async fetchDupes(q) {
    try { this.dupes.set(q.id, await duplicatesOf(this.ctx.id, q)); } catch (x) {
      // A hint: try again on the next update, or, after a 429, once its wait is over.
      if (x instanceof Paused) this.retryLater(x.ms);
      return;
    }
    this.dupesNote.hidden = true;
    const node = this.list.nodes.get(q.id);
    if (node) this.drawDupes(node, q);
    if (this.view === 'dupes') this.sync();
  }

  /** After a 429: say so once, keep what was found, and look up the rest when the wait is over.
   *  @param {number} ms */
  retryLater(ms) {
    this.dupesNote.textContent = t('queue.dupes_paused');
    this.dupesNote.hidden = false;
    if (this.retry) return;
    this.retry = window.setTimeout(() => {
      this.retry = 0;
      for (const q of this.list.nodes.keys()) {
        const p = this.ctx.feed.posts.get(q);
        if (p && p.question && (p.question.state === 'open' || p.question.state === 'claimed')) this.lookUp(p);
      }
      if (this.view === 'dupes') this.lookUpOpen();
    }, ms + 50);
  }

  /** @param {HTMLElement} node @param {PostView} q */
  drawDupes(node, q) {
    const slot = /** @type {HTMLElement | null} */ (node.querySelector('.q-dupes'));
    if (!slot) return;
    const dupes = this.liveDupes(q);
    slot.hidden = !dupes.length;
    if (!dupes.length) { slot.replaceChildren(); return; }
    const { id, run, role } = this.ctx;
    slot.replaceChildren(el('p', { class: 'dupes-h' }, el('strong', null, t('queue.dupes'))),
      el('ul', null, dupes.map((d) => el('li', { 'data-dupe': String(d.id) },
        el('span', { class: 'ref' }, `#${d.id}`), el('span', { class: 'dupe-body' }, d.body || ''), el('span', { class: 'votes' }, t('queue.votes', { n: d.votes })),
        role === 'moderator' ? actionButton('merge-dupe', t('queue.merge_here', { n: d.id }), () => run(client.merge(id, d.id, q.id), 'mod.done'), 'link-button') : null))));
  }

  /** Selecting "possible duplicates" looks up the most voted open questions. */
  lookUpOpen() {
    const open = [...this.ctx.feed.posts.values()].filter((p) => p.kind === 'question' && p.status === 'visible' && p.question && (p.question.state === 'open' || p.question.state === 'claimed'));
    open.sort((a, b) => b.votes - a.votes || a.id - b.id);
    for (const p of open.slice(0, DUPES_LOOKUP)) this.lookUp(p);
  }

  /** The agenda item filter (shown once the meeting has an agenda). */
  syncAgenda() {
    const m = this.ctx.feed.meeting;
    const key = JSON.stringify([agendaOf(m).map((x) => [x.id, x.title]), m && m.current_agenda_item]);
    if (key === this.agendaKey) return;
    this.agendaKey = key;
    if (!agendaOf(m).some((x) => x.id === this.item)) this.item = null;
    if (!agendaOf(m).length) { this.itemSlot.hidden = true; this.itemSlot.replaceChildren(); return; }
    const sel = itemSelect('queue-item', m, this.item, t('agenda.filter_all'));
    sel.addEventListener('change', () => { this.item = sel.value ? Number(sel.value) : null; this.sync(); });
    this.itemSlot.replaceChildren(el('label', { for: 'queue-item', class: 'inline' }, t('agenda.filter_label')), sel);
    this.itemSlot.hidden = false;
  }

  sync() {
    this.syncAgenda();
    const items = this.items();
    this.list.sync(items);
    this.empty.hidden = items.length > 0;
    let open = 0;
    for (const p of this.ctx.feed.posts.values()) if (p.kind === 'question' && p.status === 'visible' && p.question && (p.question.state === 'open' || p.question.state === 'claimed')) open += 1;
    const badge = $('#badge-queue');
    if (badge) badge.textContent = open ? ` ${open}` : '';
  }

  /** @param {PostView} q */
  create(q) {
    const node = listItem('q-item', q.id);
    this.update(node, q);
    return node;
  }

  /** @param {HTMLElement} node @param {PostView} q */
  update(node, q) {
    const { id, feed, run, role } = this.ctx;
    const st = q.question.state;
    node.className = `q-item q-${st}${feed.meeting && feed.meeting.on_air === q.id ? ' on-air' : ''}`;
    node.setAttribute('aria-label', t('queue.item_label', { n: q.votes, body: (q.body || '').slice(0, 80) }));
    const main = el('div', { class: 'q-main' },
      el('p', { class: 'meta' }, authorLine(q.author, q.source), el('span', { class: 'votes' }, t('queue.votes', { n: q.votes })), el('time', { datetime: q.created_at }, fmtTime(q.created_at)), el('span', { class: 'ref' }, `#${q.id}`)),
      el('p', { class: 'body' }, q.body || ''),
      st === 'claimed' ? el('p', { class: 'state-line' }, t('question.claimed', { name: q.question.claimed_by || '' })) : null,
      assigneeLine(q.question),
      q.agenda_item && feed.meeting ? el('p', { class: 'item-line' }, t('agenda.filed_under', { item: itemLabel(feed.meeting, q.agenda_item) })) : null,
      feed.meeting && feed.meeting.on_air === q.id ? el('p', { class: 'on-air-flag' }, t('question.on_air')) : null,
      st === 'answered' && q.question.answer ? answerBlock(q.question) : null,
      st === 'open' || st === 'claimed' ? el('div', { class: 'q-dupes', hidden: true }) : null);
    node.querySelector(':scope > .q-main').replaceWith(main);
    if (st === 'open' || st === 'claimed') { this.drawDupes(node, q); this.lookUp(q); }
    const a = el('div', { class: 'actions' });
    const b = actionButton;
    /** @param {HTMLElement} btn @param {(close: () => void) => HTMLElement} build */
    const slotForm = (btn, build) => itemSlot(node, btn, build);
    const mine = st === 'claimed' && q.question.claimed_by === feed.you.name;
    if (st === 'open') a.append(b('claim', t('queue.claim'), () => run(client.claim(id, q.id))));
    if (st === 'claimed' && (mine || role === 'moderator')) a.append(b('release', t('queue.release'), () => run(client.release(id, q.id))));
    if (st === 'open' || (st === 'claimed' && (mine || role === 'moderator'))) {
      a.append(b('answer', t('queue.answer'), (btn) => slotForm(btn, (close) => smallForm({ id: `answer-${q.id}`, label: t('queue.answer_label'), multiline: true, required: true, maxlength: 5000, submit: t('queue.answer_send'), onclose: close,
        extra: el('div', null, el('p', { class: 'hint' }, t('queue.answer_hint')), snippetPicker(id, `answer-${q.id}`)),
        onsubmit: async (body) => { await run(client.answer(id, q.id, body), 'queue.answered_ok'); close(); } }))),
      b('live', t('queue.answer_live'), (btn) => slotForm(btn, (close) => {
        const who = liveWho(this.ctx, q);
        return smallForm({ id: `live-${q.id}`, label: t('queue.live_note'), maxlength: 500, submit: t('queue.live_send'), onclose: close, extra: who,
          onsubmit: async (note) => {
            const sel = who && who.querySelector('select');
            if (sel && !sel.value) { sel.focus(); throw Object.assign(new Error('panelist'), { code: 'field.panelist' }); }
            const body = { ...(note ? { note } : {}), ...(sel ? { panelist: sel.value } : {}) };
            await run(client.answerLive(id, q.id, body), 'queue.answered_ok'); close();
          } });
      })));
    }
    if (st === 'open' || st === 'claimed') {
      if (role === 'moderator') a.append(b('assign', t('followup.assign'), (btn) => slotForm(btn, (close) => assignForm(id, q, feed, close, run)), 'link-button'));
      else if (!assignedTo(q, feed.you)) a.append(b('take', t('followup.take'), () => run(client.assign(id, q.id, { panelist: feed.you.participant_id }), 'followup.assigned_ok'), 'link-button'));
    }
    if (role === 'moderator' && (st === 'open' || st === 'claimed')) {
      a.append(b('onair', feed.meeting && feed.meeting.on_air === q.id ? t('mod.off_air') : t('mod.on_air'), () => run(client.setOnAir(id, feed.meeting.on_air === q.id ? null : q.id))),
        b('dismiss', t('queue.dismiss'), (btn) => slotForm(btn, (close) => smallForm({ id: `dismiss-${q.id}`, label: t('queue.dismiss_reason'), required: true, maxlength: 500, submit: t('queue.dismiss'), onclose: close,
          onsubmit: async (reason) => { await run(client.dismiss(id, q.id, reason), 'mod.done'); close(); } })), 'link-button danger'),
        b('merge', t('queue.merge'), (btn) => slotForm(btn, (close) => mergeForm(this.ctx, q, close)), 'link-button'));
    }
    if (agendaOf(feed.meeting).length) a.append(b('file', t('agenda.move'), (btn) => slotForm(btn, (close) => fileForm(this.ctx, q, close)), 'link-button'));
    replaceActions(node, a);
  }
}

/** Move a question to another agenda item (or to none).
 *  @param {import('../staff.js').Console} ctx @param {PostView} q @param {() => void} close */
function fileForm({ id, feed, run }, q, close) {
  const sel = itemSelect(`file-${q.id}`, feed.meeting, q.agenda_item, t('agenda.no_item'));
  const err = el('p', { class: 'form-error', role: 'alert' });
  return el('form', { class: 'small-form', onsubmit: async (/** @type {Event} */ e) => {
    e.preventDefault();
    try { await run(client.filePost(id, q.id, sel.value ? Number(sel.value) : null), 'agenda.moved'); close(); } catch (x) { err.textContent = errorText(x); }
  } }, el('label', { for: sel.id }, t('agenda.move_to')), sel,
  el('div', { class: 'row' }, el('button', { type: 'submit' }, t('agenda.move')), el('button', { type: 'button', class: 'link-button', onclick: close }, t('action.cancel'))), err);
}

/** Merge a duplicate into another public question.
 *  @param {import('../staff.js').Console} ctx @param {PostView} q @param {() => void} close */
function mergeForm({ id, feed, run }, q, close) {
  const targets = [...feed.posts.values()].filter((p) => p.id !== q.id && p.kind === 'question' && p.status === 'visible' && p.question && p.question.state !== 'merged');
  const sel = el('select', { id: `merge-${q.id}` }, targets.map((p) => el('option', { value: p.id }, `#${p.id} ${(p.body || '').slice(0, 60)}`)));
  const err = el('p', { class: 'form-error', role: 'alert' });
  return el('form', { class: 'small-form', onsubmit: async (/** @type {Event} */ e) => {
    e.preventDefault();
    try { await run(client.merge(id, q.id, Number(sel.value)), 'mod.done'); close(); } catch (x) { err.textContent = errorText(x); }
  } }, el('label', { for: `merge-${q.id}` }, t('queue.merge_into')), sel,
  el('div', { class: 'row' }, el('button', { type: 'submit' }, t('queue.merge')), el('button', { type: 'button', class: 'link-button', onclick: close }, t('action.cancel'))), err);
}

/** "Who answered?" for a live answer: the meeting's active panelists, preselected with the
 *  claimer if a panelist, else the panelist the question is routed to, else the one
 *  pressing if a panelist, else the only panelist. Null without panelists.
 *  @param {import('../staff.js').Console} ctx @param {PostView} q */
function liveWho({ feed }, q) {
  const panel = ((feed.meeting && feed.meeting.staff) || []).filter((s) => s.role === 'panelist' && !s.revoked);
  if (!panel.length) return null;
  const claimer = q.question.state === 'claimed' && panel.find((s) => s.name === q.question.claimed_by);
  const a = q.question.assignee;
  const routed = a && a.kind === 'panelist' && panel.find((s) => s.participant_id === a.participant_id);
  const me = panel.find((s) => s.participant_id === feed.you.participant_id);
  const pick = claimer || routed || me || (panel.length === 1 ? panel[0] : null);
  const sel = el('select', { id: `live-who-${q.id}` }, pick ? null : el('option', { value: '' }, t('followup.choose')),
    panel.map((s) => el('option', { value: s.participant_id, selected: pick === s }, s.role_line ? `${s.name} (${s.role_line})` : s.name)));
  return el('div', null, el('label', { for: sel.id }, t('queue.live_who')), sel);
}
