// @ts-check
// The poll editor: prepare polls of every kind as drafts, edit, reorder and delete them,
// launch (once the meeting is open), close, publish results, and put one on the big screen.
// One implementation for two pages: the console's tab "Afstemninger" (moderators) and the
// organizer's meeting page (admin.js), where a communication officer prepares the evening.
// Staff see every poll's results live (the staff stream carries them all); the open answers
// of an open-answer poll are listed with their moderation state, and held or hidden ones can
// be let through or hidden, like posts.

import { el, t, errorText } from '../util.js';
import { client } from '../client.js';
import { itemSelect, itemLabel } from '../agenda.js';
import { resultsView, answerText } from '../polls.js';

/** @typedef {import('../client.js').PollView} PollView */
/** @typedef {import('../client.js').PollDefinition} PollDefinition */

const KINDS = ['single_choice', 'multiple_choice', 'scale', 'word_cloud', 'open_answer'];
const SHOWN = ['live', 'after_close', 'staff_only'];

export class PollsPanel {
  /** @param {import('../live.js').EditorHost} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.key = '';
    /** @type {number | null} the draft being edited */
    this.editing = null;
    /** @type {Map<number, HTMLElement>} poll id -> its results box */
    this.resultSlots = new Map();
    this.list = el('ol', { class: 'poll-admin', 'aria-label': t('poll.tab') });
    this.empty = el('p', { class: 'empty' }, t('poll.none'));
    this.newSlot = el('div', { class: 'poll-new' });
    this.node = el('div', { class: 'polls-panel' }, this.empty, this.list, el('h3', null, t('poll.new')), this.newSlot);
  }

  /** The draft form: question, kind and its settings, when results are shown, the agenda item.
   *  @param {PollView | null} poll @param {(def: PollDefinition) => Promise<unknown>} save @param {() => void} [cancel] */
  form(poll, save, cancel) {
    const m = this.ctx.feed.meeting;
    const pre = poll ? `pe-${poll.id}` : 'pn';
    /** @type {import('../client.js').PollKind} */
    const k = poll ? poll.kind : { type: 'single_choice' };
    const question = el('input', { id: `${pre}-q`, type: 'text', maxlength: '300', required: true, autocomplete: 'off', value: poll ? poll.question : null });
    const kind = el('select', { id: `${pre}-kind` }, KINDS.map((x) => el('option', { value: x, selected: x === k.type }, t(`poll.kind.${x}`))));
    const options = el('textarea', { id: `${pre}-options`, rows: '4', 'aria-describedby': `${pre}-options-hint` });
    options.value = (k.options || []).join('\n');
    const maxPicks = el('input', { id: `${pre}-max-picks`, type: 'number', min: '1', max: '10', value: String(k.max_picks || 2) });
    const scaleMax = el('select', { id: `${pre}-scale-max` }, [5, 10].map((n) => el('option', { value: String(n), selected: (k.max || 5) === n }, `1–${n}`)));
    const low = el('input', { id: `${pre}-low`, type: 'text', maxlength: '40', value: k.low_label || null });
    const high = el('input', { id: `${pre}-high`, type: 'text', maxlength: '40', value: k.high_label || null });
    const shown = el('select', { id: `${pre}-shown` }, SHOWN.map((x) => el('option', { value: x, selected: x === (poll ? poll.results_shown : 'live') }, t(`poll.shown.${x}`))));
    const item = m && m.agenda && m.agenda.length ? itemSelect(`${pre}-item`, m, poll ? poll.agenda_item : m.current_agenda_item, t('agenda.no_item')) : null;
    const choiceBox = el('div', { class: 'kind-fields' },
      el('label', { for: options.id }, t('poll.options')), el('p', { class: 'hint', id: `${pre}-options-hint` }, t('poll.options_hint')), options,
      el('div', { class: 'multi-only' }, el('label', { for: maxPicks.id }, t('poll.max_picks')), maxPicks));
    const scaleBox = el('div', { class: 'kind-fields' },
      el('label', { for: scaleMax.id }, t('poll.scale_max')), scaleMax,
      el('label', { for: low.id }, t('poll.low_label')), low, el('label', { for: high.id }, t('poll.high_label')), high);
    const showFields = () => {
      const v = kind.value;
      choiceBox.hidden = v !== 'single_choice' && v !== 'multiple_choice';
      /** @type {HTMLElement} */ (choiceBox.querySelector('.multi-only')).hidden = v !== 'multiple_choice';
      scaleBox.hidden = v !== 'scale';
    };
    kind.addEventListener('change', showFields);
    showFields();
    const err = el('p', { class: 'form-error', role: 'alert' });
    const form = el('form', { class: 'small-form poll-def', novalidate: true },
      el('label', { for: question.id }, t('poll.question')), question,
      el('label', { for: kind.id }, t('poll.kind_label')), kind, choiceBox, scaleBox,
      el('label', { for: shown.id }, t('poll.shown_label')), shown,
      item ? [el('label', { for: item.id }, t('agenda.item')), item] : null,
      el('div', { class: 'row' }, el('button', { type: 'submit' }, t(poll ? 'poll.save' : 'poll.create')), cancel ? el('button', { type: 'button', class: 'link-button', onclick: cancel }, t('action.cancel')) : null), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.textContent = '';
      if (!question.value.trim()) { err.textContent = t('error.empty'); question.focus(); return; }
      const v = kind.value;
      /** @type {import('../client.js').PollKind} */
      let pk = { type: /** @type {any} */ (v) };
      if (v === 'single_choice' || v === 'multiple_choice') {
        const opts = options.value.split('\n').map((x) => x.trim()).filter(Boolean);
        pk = v === 'single_choice' ? { type: v, options: opts } : { type: v, options: opts, max_picks: Number(maxPicks.value) || 1 };
      } else if (v === 'scale') pk = { type: v, max: Number(scaleMax.value), low_label: low.value.trim(), high_label: high.value.trim() };
      /** @type {PollDefinition} */
      const def = { question: question.value.trim(), kind: pk, results: /** @type {any} */ (shown.value), agenda_item: item && item.value ? Number(item.value) : null };
      try {
        await save(def);
        if (!poll) { form.reset(); showFields(); question.focus(); }
      } catch (x) { err.textContent = errorText(x); }
    });
    return form;
  }

  sync() {
    const m = this.ctx.feed.meeting;
    if (!m) return;
    if (!this.newSlot.firstChild || this.newSlot.dataset.agenda !== JSON.stringify(m.agenda || [])) {
      // Rebuilt only when the agenda (its select) changes, so typing is not lost.
      if (!this.newSlot.contains(document.activeElement)) {
        this.newSlot.dataset.agenda = JSON.stringify(m.agenda || []);
        this.newSlot.replaceChildren(this.form(null, (def) => this.ctx.run(client.createPoll(this.ctx.id, def), 'poll.created')));
      }
    }
    const polls = m.polls || [];
    const key = JSON.stringify([polls, m.poll_on_screen, this.editing, m.agenda, m.status]);
    if (key === this.key) return;
    this.key = key;
    const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    this.empty.hidden = polls.length > 0;
    this.resultSlots.clear();
    this.list.replaceChildren(...polls.map((p, i) => this.item(p, i, polls.length)));
    if (focused) { const f = /** @type {HTMLElement | null} */ (this.list.querySelector(`[data-focus="${focused}"]:not([disabled])`)); if (f) f.focus(); }
    for (const p of polls) this.results(p.id);
  }

  /** @param {PollView} p @param {number} i @param {number} n */
  item(p, i, n) {
    const { id, run, feed } = this.ctx;
    const m = feed.meeting;
    const onScreen = m.poll_on_screen === p.id;
    /** @param {string} action @param {string} label @param {() => unknown} fn @param {string} [cls] @param {boolean} [disabled] */
    const b = (action, label, fn, cls, disabled) => el('button', { type: 'button', class: cls || 'secondary', 'data-focus': `${action}-${p.id}`, 'data-action': action, disabled, onclick: fn }, label);
    const li = el('li', { class: `poll-item poll-${p.status}`, id: `poll-admin-${p.id}` },
      el('p', { class: 'meta' }, el('span', { class: `status poll-${p.status}` }, t(`poll.status.${p.status}`)), ' ', t(`poll.kind.${p.kind.type}`), ' · ', t(`poll.shown.${p.results_shown}`),
        p.agenda_item ? ` · ${itemLabel(m, p.agenda_item)}` : null, onScreen ? el('span', { class: 'badge on-screen' }, t('poll.on_screen')) : null),
      el('p', { class: 'body' }, p.question));
    if (this.editing === p.id) {
      li.append(this.form(p, async (def) => { await run(client.editPoll(id, p.id, def), 'poll.saved'); this.editing = null; this.sync(); }, () => { this.editing = null; this.sync(); }));
      return li;
    }
    const a = el('div', { class: 'actions' });
    if (p.status === 'draft') {
      // A poll runs while the meeting is open: before that a draft says so instead of offering
      // a button that can only fail.
      a.append(m.status === 'open' ? b('launch', t('poll.launch'), () => run(client.launchPoll(id, p.id), 'poll.launched'), 'launch') : el('span', { class: 'hint' }, t('poll.launch_when_open')),
        b('edit', t('poll.edit'), () => { this.editing = p.id; this.sync(); const f = /** @type {HTMLElement | null} */ (this.list.querySelector(`#pe-${p.id}-q`)); if (f) f.focus(); }, 'link-button'),
        b('up', t('agenda.up'), () => run(client.movePoll(id, p.id, i - 1)), 'link-button', i === 0),
        b('down', t('agenda.down'), () => run(client.movePoll(id, p.id, i + 1)), 'link-button', i === n - 1),
        b('delete', t('poll.delete'), () => run(client.deletePoll(id, p.id), 'poll.deleted'), 'link-button danger'));
    } else {
      if (p.status === 'open') a.append(b('close', t('poll.close'), () => run(client.closePoll(id, p.id), 'poll.closed_ok'), 'danger'));
      a.append(b('screen', onScreen ? t('poll.off_screen') : t('poll.show_on_screen'), () => run(client.setPollOnScreen(id, onScreen ? null : p.id))));
      if (!p.results_public) a.append(b('publish', t('poll.publish'), () => run(client.publishPoll(id, p.id), 'poll.published')));
      else if (p.results_shown === 'staff_only' || p.status === 'closed') a.append(el('span', { class: 'hint' }, t('poll.results_are_public')));
      li.append(el('div', { class: 'poll-results-slot' }));
    }
    li.append(a);
    if (p.kind.type === 'open_answer' && p.status !== 'draft') {
      const box = el('div', { class: 'poll-moderation' });
      li.append(el('details', { class: 'poll-answers', ontoggle: (/** @type {Event} */ e) => { if (/** @type {HTMLDetailsElement} */ (e.target).open) this.loadAnswers(p, box); } },
        el('summary', null, t('poll.moderate_answers')), box));
    }
    return li;
  }

  /** Draw a poll's latest results (from the staff stream's poll_results frames). @param {number} pollId */
  results(pollId) {
    const m = this.ctx.feed.meeting;
    const p = m && (m.polls || []).find((x) => x.id === pollId);
    const li = this.list.querySelector(`#poll-admin-${pollId}`);
    const slot = li && li.querySelector('.poll-results-slot');
    if (!p || !slot) return;
    slot.replaceChildren(resultsView(p, this.ctx.feed.results.get(pollId)));
    const mod = li.querySelector('details.poll-answers[open] .poll-moderation');
    if (mod && !mod.contains(document.activeElement)) this.loadAnswers(p, /** @type {HTMLElement} */ (mod));
  }

  /** The open answers with their moderation state, held ones first.
   *  @param {PollView} p @param {HTMLElement} box */
  async loadAnswers(p, box) {
    const { id, run } = this.ctx;
    let rows;
    try { rows = await client.pollAnswers(id, p.id); } catch (x) { box.replaceChildren(el('p', { class: 'form-error' }, errorText(x))); return; }
    rows.sort((a, b) => Number(!!b.held_reason) - Number(!!a.held_reason) || Date.parse(b.answered_at) - Date.parse(a.answered_at));
    box.replaceChildren(rows.length ? el('ul', { class: 'answer-mod' }, rows.map((r) => {
      const state = r.hidden ? t('poll.answer_hidden') : r.held_reason ? t(`held.${r.held_reason}`) : t('poll.answer_shown');
      /** @param {'approve' | 'hide' | 'restore'} action @param {string} label @param {string} [cls] */
      const act = (action, label, cls) => el('button', { type: 'button', class: cls || 'secondary', 'data-action': `answer-${action}`, onclick: async () => { try { await run(client.moderatePollAnswer(id, p.id, r.answer_id, action), 'mod.done'); } catch (_) { return; } this.loadAnswers(p, box); } }, label);
      return el('li', { class: r.held_reason && !r.hidden ? 'held' : r.hidden ? 'hidden-answer' : null },
        el('p', { class: 'body' }, answerText(p, r.answer)), el('p', { class: 'meta' }, state),
        el('div', { class: 'actions' },
          r.held_reason && !r.hidden ? act('approve', t('mod.approve')) : null,
          !r.hidden ? act('hide', t('poll.hide_answer'), 'link-button danger') : act('restore', t('mod.restore'))));
    })) : el('p', { class: 'hint' }, t('poll.no_texts')));
  }
}
