// @ts-check
// Moderation in the console: the pending and reported lists (with approve, reject, hide and
// the person box: mute, ban, the participant id for an erasure request), the people muted or
// banned, and what staff do to a post in the stream itself (approve, restore, on air, reject,
// hide, reply).

import { el, fill, t, fmtTime, $ } from '../util.js';
import { client } from '../client.js';
import { smallForm, toggleSlot } from '../forms.js';
import { authorLine, replaceActions } from '../posts.js';
import { settingsForm } from './settings.js';
import { KeyedList, itemSlot, listItem } from './keyed-list.js';
import { actionButton } from './queue.js';

/** @typedef {import('../client.js').PostView} PostView */
/** @typedef {import('../staff.js').Console} Console */

const HIDE_REASONS = ['abusive', 'off_topic', 'personal_data', 'spam', 'duplicate', 'other'];

/** Pending posts (pre-moderation, keywords, reports), reported posts, settings. */
export class ModPanel {
  /** @param {Console} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.pendingList = el('ol', { class: 'mod-list', 'aria-label': t('mod.pending') });
    this.reportedList = el('ol', { class: 'mod-list', 'aria-label': t('mod.reported') });
    this.pendingEmpty = el('p', { class: 'empty', tabindex: '-1' }, t('mod.pending_empty'));
    this.reportedEmpty = el('p', { class: 'empty', tabindex: '-1' }, t('mod.reported_empty'));
    /** @type {KeyedList<PostView>} */
    this.pending = new KeyedList(this.pendingList, (p) => this.create(p), (n, p) => this.update(n, p));
    /** @type {KeyedList<PostView>} */
    this.reported = new KeyedList(this.reportedList, (p) => this.create(p), (n, p) => this.update(n, p));
    this.pending.onEmpty = () => { this.pendingEmpty.hidden = false; this.pendingEmpty.focus(); };
    this.reported.onEmpty = () => { this.reportedEmpty.hidden = false; this.reportedEmpty.focus(); };
    this.pendingNode = el('div', null, el('p', { class: 'hint' }, t('mod.pending_hint')), this.pendingEmpty, this.pendingList);
    this.reportedNode = el('div', null, this.reportedEmpty, this.reportedList);
    this.settingsNode = el('div');
    this.renderSettings();
  }

  renderSettings() {
    const { id, feed } = this.ctx;
    if (!feed.meeting || this.settingsNode.contains(document.activeElement)) return;
    fill(this.settingsNode, settingsForm(id, () => feed.meeting), this.peopleNode());
  }

  peopleNode() {
    const { id, run, people } = this.ctx;
    const rows = [...people.entries()].filter(([, v]) => v.banned || (v.muted_until && new Date(v.muted_until) > new Date()));
    if (!rows.length) return null;
    return el('section', null, el('h3', null, t('mod.people')), el('ul', null, rows.map(([pid, v]) => el('li', null, v.name, ' ',
      v.banned ? t('mod.is_banned') : t('mod.is_muted', { time: fmtTime(v.muted_until) }), ' ',
      el('button', { type: 'button', class: 'link-button', onclick: () => run(client.moderateParticipant(id, pid, v.banned ? 'unban' : 'unmute'), 'mod.done') }, v.banned ? t('mod.unban') : t('mod.unmute'))))));
  }

  sync() {
    const pend = []; const rep = [];
    for (const p of this.ctx.feed.posts.values()) {
      if (p.status === 'pending') pend.push(p);
      else if (p.status === 'visible' && p.reports > 0) rep.push(p);
    }
    this.pending.sync(pend);
    this.reported.sync(rep.sort((a, b) => b.reports - a.reports || a.id - b.id));
    this.pendingEmpty.hidden = pend.length > 0;
    this.reportedEmpty.hidden = rep.length > 0;
    const pb = $('#badge-pending'); if (pb) pb.textContent = pend.length ? ` ${pend.length}` : '';
    const rb = $('#badge-reported'); if (rb) rb.textContent = rep.length ? ` ${rep.length}` : '';
  }

  /** @param {PostView} p */
  create(p) {
    const node = listItem('mod-item', p.id);
    this.update(node, p);
    return node;
  }

  /** @param {HTMLElement} node @param {PostView} p */
  update(node, p) {
    const ctx = this.ctx;
    const { id, feed, run } = ctx;
    node.setAttribute('aria-label', (p.body || '').slice(0, 80));
    const parent = p.parent && feed.posts.get(p.parent);
    node.querySelector(':scope > .q-main').replaceWith(el('div', { class: 'q-main' },
      el('p', { class: 'meta' }, authorLine(p.author, p.source), el('span', { class: 'kind' }, t(`kind.${p.kind}`)), el('time', { datetime: p.created_at }, fmtTime(p.created_at))),
      parent ? el('p', { class: 'hint' }, t('mod.reply_to', { body: (parent.body || '').slice(0, 60) })) : null,
      el('p', { class: 'body' }, p.body || ''),
      p.status === 'pending' ? el('p', { class: 'state-line warn' }, t(`held.${p.held_reason || 'premoderation'}`)) : null,
      p.reports ? el('p', { class: 'state-line warn' }, t('post.reports', { n: p.reports })) : null));
    const b = actionButton;
    const a = el('div', { class: 'actions' });
    /** @param {HTMLElement} btn @param {(close: () => void) => HTMLElement} build */
    const slotForm = (btn, build) => itemSlot(node, btn, build);
    if (p.status === 'pending') {
      a.append(b('approve', t('mod.approve'), () => run(client.approve(id, p.id), 'mod.done')),
        b('reject', t('mod.reject'), (btn) => slotForm(btn, (close) => rejectForm(ctx, p, `mreject-${p.id}`, close)), 'danger'));
    }
    a.append(b('hide', t('mod.hide'), (btn) => slotForm(btn, (close) => hideForm(ctx, p, close)), p.status === 'pending' ? 'link-button' : 'danger'));
    if (p.author.participant_id && !p.author.verified) a.append(b('person', t('mod.person', { name: p.author.name }), (btn) => slotForm(btn, (close) => personBox(ctx, p, close)), 'link-button'));
    replaceActions(node, a);
  }
}

/** Reject a held post, with an optional reason for its author.
 *  @param {Console} ctx @param {PostView} p @param {string} fieldId @param {() => void} close */
function rejectForm({ id, run }, p, fieldId, close) {
  return smallForm({ id: fieldId, label: t('mod.reject_reason'), maxlength: 500, submit: t('mod.reject'), onclose: close,
    onsubmit: async (reason) => { await run(client.reject(id, p.id, reason), 'mod.done'); close(); } });
}

/** @param {Console} ctx @param {PostView} p @param {() => void} close */
function hideForm({ id, run }, p, close) {
  const reason = el('select', { id: `hide-reason-${p.id}` }, HIDE_REASONS.map((r) => el('option', { value: r }, t(`hide_reason.${r}`))));
  return smallForm({
    id: `hide-note-${p.id}`, label: t('mod.hide_note'), maxlength: 500, submit: t('mod.hide'), onclose: close,
    extra: el('div', null, el('label', { for: `hide-reason-${p.id}` }, t('mod.hide_reason')), reason),
    onsubmit: async (note) => { await run(client.hide(id, p.id, reason.value, note || null), 'mod.hidden_ok'); close(); },
  });
}

/** Mute, unmute, ban or unban the author of a post; the participant id for an erasure.
 *  @param {Console} ctx @param {PostView} p @param {() => void} close */
function personBox({ id, run, people }, p, close) {
  const pid = p.author.participant_id;
  const who = people.get(pid) || { name: '' };
  /** @param {string} label @param {import('../client.js').ParticipantAction} action @param {object} [body] @param {string} [cls] */
  const b = (label, action, body, cls) => el('button', { type: 'button', class: cls || 'secondary', onclick: async () => { try { await run(client.moderateParticipant(id, pid, action, body), 'mod.done'); close(); } catch (_) { /* shown */ } } }, label);
  const box = el('div', { class: 'person-box', role: 'group', 'aria-label': t('mod.person', { name: p.author.name }) },
    el('p', null, t('mod.person_lead', { name: p.author.name })),
    // The organizer erases a participant by this id when they ask for it (GDPR).
    el('p', { class: 'hint' }, t('mod.person_id'), ' ', el('code', { class: 'participant-id' }, pid)),
    el('div', { class: 'row wrap' },
      b(t('mod.mute', { n: 10 }), 'mute', { minutes: 10 }), b(t('mod.mute', { n: 60 }), 'mute', { minutes: 60 }),
      who.muted_until ? b(t('mod.unmute'), 'unmute') : null,
      who.banned ? b(t('mod.unban'), 'unban') : el('button', { type: 'button', class: 'danger', 'data-action': 'ban', onclick: (/** @type {MouseEvent} */ e) => confirmBan(/** @type {HTMLElement} */ (e.currentTarget)) }, t('mod.ban')),
      el('button', { type: 'button', class: 'link-button', onclick: close }, t('action.cancel'))));
  /** A ban throws a person out of the meeting: ask for the reason and a second click.
   *  @param {HTMLElement} button */
  function confirmBan(button) {
    const sel = el('select', { id: `ban-reason-${p.id}`, required: true }, el('option', { value: '' }, t('mod.ban_reason_pick')), HIDE_REASONS.map((r) => el('option', { value: r }, t(`hide_reason.${r}`))));
    const err = el('p', { class: 'form-error', role: 'alert' });
    const form = el('form', { class: 'small-form ban-confirm', novalidate: true },
      el('p', null, el('strong', null, t('mod.ban_confirm_lead', { name: p.author.name }))),
      el('label', { for: sel.id }, t('mod.ban_reason')), sel,
      el('div', { class: 'row wrap' }, el('button', { type: 'submit', class: 'danger' }, t('mod.ban_confirm')),
        el('button', { type: 'button', class: 'link-button', onclick: () => { form.replaceWith(button); button.focus(); } }, t('action.cancel'))), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!sel.value) { err.textContent = t('mod.ban_reason_missing'); sel.setAttribute('aria-invalid', 'true'); sel.focus(); return; }
      try { await run(client.moderateParticipant(id, pid, 'ban', { reason: sel.value }), 'mod.done'); close(); } catch (_) { /* shown */ }
    });
    button.replaceWith(form);
    sel.focus();
  }
  return box;
}

/** What staff do to a post in the stream (the post list's action buttons).
 *  @param {Console} ctx @param {import('../posts.js').PostList} list
 *  @param {string} action @param {PostView} p @param {{ button: HTMLElement }} data */
export async function postAction(ctx, list, action, p, data) {
  const { id, feed, run } = ctx;
  try {
    if (action === 'approve') await run(client.approve(id, p.id), 'mod.done');
    else if (action === 'restore') await run(client.restore(id, p.id), 'mod.done');
    else if (action === 'onair') await run(client.setOnAir(id, feed.meeting.on_air === p.id ? null : p.id));
    else if (action === 'reject') toggleSlot(list, p, data.button, (close) => rejectForm(ctx, p, `reject-${p.id}`, close));
    else if (action === 'hide') toggleSlot(list, p, data.button, (close) => hideForm(ctx, p, close));
    else if (action === 'person') toggleSlot(list, p, data.button, (close) => personBox(ctx, p, close));
    else if (action === 'reply') {
      toggleSlot(list, p, data.button, (close) => smallForm({ id: `reply-${p.id}`, label: t('compose.reply_label', { name: p.author.name }), multiline: true, required: true, submit: t('compose.send_reply'), onclose: close,
        onsubmit: async (body) => { await run(client.createPost(id, { kind: 'comment', body, parent: p.id })); close(); } }));
    }
  } catch (_) { /* shown by run */ }
}
