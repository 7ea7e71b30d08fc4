// @ts-check
// Polls as every page shows them: the results (CSS bars for choices and scales, a word list
// sized by count for word clouds, the newest open answers), drawn without a charting library;
// the citizen's poll card (the answer form per kind, large touch targets, the own answer shown
// and changeable until the poll closes, the results as the poll's visibility allows, a polite
// spoken summary); and the one-line description of an answer. The staff console (staff/polls.js)
// and the big screen (screen.js) draw results with the same function.

import { el, t, has, announce, errorText } from './util.js';
import { client } from './client.js';

/** @typedef {import('./client.js').PollView} PollView */
/** @typedef {import('./client.js').PollResults} PollResults */
/** @typedef {import('./client.js').PollAnswer} PollAnswer */

/** The labels the counts are for: the options, or 1..max of a scale; null for words and texts.
 *  @param {PollView} poll @returns {string[] | null} */
export function slots(poll) {
  const k = poll.kind;
  if (k.type === 'single_choice' || k.type === 'multiple_choice') return k.options || [];
  if (k.type === 'scale') return Array.from({ length: k.max || 5 }, (_, i) => String(i + 1));
  return null;
}

/** Percent, rounded, of `n` in `total` (0 when nobody answered). @param {number} n @param {number} total */
const pct = (n, total) => (total ? Math.round((n * 100) / total) : 0);

/** The mean of a scale's counts (values 1..max), one decimal, as the page's language writes it.
 *  @param {number[]} counts */
export function scaleMean(counts) {
  let sum = 0; let n = 0;
  counts.forEach((c, i) => { sum += c * (i + 1); n += c; });
  return n ? (sum / n).toLocaleString(t('poll.number_locale'), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : null;
}

/** A sentence for screen readers: how many answered and what leads.
 *  @param {PollView} poll @param {PollResults} r */
export function resultsSummary(poll, r) {
  const parts = [t('poll.respondents', { n: r.respondents })];
  const labels = slots(poll);
  const counts = r.counts || [];
  if (poll.kind.type === 'scale') {
    const mean = scaleMean(counts);
    if (mean) parts.push(t('poll.mean', { mean, max: poll.kind.max || 5 }));
  } else if (labels && counts.length && r.respondents) {
    const top = counts.indexOf(Math.max(...counts));
    parts.push(t('poll.leading', { option: labels[top], pct: pct(counts[top], r.respondents) }));
  } else if (r.words && r.words.length) {
    parts.push(t('poll.top_words', { words: r.words.slice(0, 3).map((w) => w.word).join(', ') }));
  }
  return parts.join(' ');
}

/**
 * The results of one poll. Bars are CSS widths set through the CSSOM (the CSP forbids style
 * attributes, not the CSSOM). `big`: the big screen's sizes.
 * @param {PollView} poll @param {PollResults | null | undefined} r @param {{ big?: boolean, mine?: PollAnswer | null }} [opts]
 */
export function resultsView(poll, r, opts = {}) {
  const box = el('div', { class: `poll-results${opts.big ? ' big' : ''}` });
  if (!r) { box.append(el('p', { class: 'hint' }, t('poll.no_results_yet'))); return box; }
  box.append(el('p', { class: 'poll-respondents' }, t('poll.respondents', { n: r.respondents })));
  const labels = slots(poll);
  if (labels) {
    const counts = r.counts || [];
    // Shares of the respondents (multiple choice adds up to more than 100 %); the longest bar
    // is the largest count, so a small poll is still readable.
    const most = Math.max(1, ...counts);
    const picked = new Set(opts.mine && opts.mine.kind === 'choice' ? opts.mine.picks : opts.mine && opts.mine.kind === 'scale' ? [opts.mine.value - 1] : []);
    // A scale's labels are numbers: label, bar and count share one line, so ten steps fit a
    // big screen of 720 px and a phone without a long scroll.
    const list = el('ol', { class: poll.kind.type === 'scale' ? 'poll-bars scale' : 'poll-bars' });
    labels.forEach((label, i) => {
      const n = counts[i] || 0;
      const fill = el('span', { class: 'bar-fill' });
      fill.style.width = `${(n * 100) / most}%`;
      list.append(el('li', { class: picked.has(i) ? 'mine' : null },
        el('span', { class: 'bar-label' }, label, picked.has(i) ? el('span', { class: 'bar-mine' }, ` · ${t('poll.your_pick')}`) : null),
        el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
        el('span', { class: 'bar-value' }, t('poll.count_pct', { n, pct: pct(n, r.respondents) }))));
    });
    box.append(list);
    if (poll.kind.type === 'scale') {
      const mean = scaleMean(counts);
      box.append(el('p', { class: 'scale-ends' }, el('span', null, `1 = ${poll.kind.low_label || ''}`), el('span', null, `${poll.kind.max} = ${poll.kind.high_label || ''}`)));
      if (mean) box.append(el('p', { class: 'poll-mean' }, t('poll.mean', { mean, max: poll.kind.max || 5 })));
    }
  } else if (poll.kind.type === 'word_cloud') {
    const words = r.words || [];
    const most = Math.max(1, ...words.map((w) => w.count));
    // Five sizes by share of the most given word; the count is in the text for screen readers.
    box.append(words.length ? el('ul', { class: 'cloud', 'aria-label': t('poll.cloud_label') }, words.map(({ word: w, count: n }) =>
      el('li', { class: `w${1 + Math.round((4 * n) / most)}` }, w, el('span', { class: 'cloud-n' }, ` ${n}`))))
      : el('p', { class: 'hint' }, t('poll.no_words')));
  } else {
    const texts = r.texts || [];
    box.append(texts.length ? el('ul', { class: 'poll-texts' }, texts.map((x) => el('li', null, x))) : el('p', { class: 'hint' }, t('poll.no_texts')));
  }
  return box;
}

/** An answer in words ("B: boligerne", "4 af 5", "grøn havn, cykler").
 *  @param {PollView} poll @param {PollAnswer} a */
export function answerText(poll, a) {
  if (a.kind === 'choice') { const o = poll.kind.options || []; return a.picks.map((i) => o[i]).join(', '); }
  if (a.kind === 'scale') return t('poll.scale_value', { value: a.value, max: poll.kind.max || 5 });
  if (a.kind === 'words') return a.words.join(', ');
  return a.text;
}

/** Whether the results may be shown to the public now. @param {PollView} p */
export const resultsVisible = (p) => p.results_public;

/**
 * The citizen's card for one launched poll: the question, the answer form while it is open
 * (with the own answer filled in, to change), and the results when the public may see them.
 * `canAnswer()` says whether this viewer may answer (joined, not muted or banned).
 */
export class PollCard {
  /**
   * @param {string} meetingId @param {PollView} poll
   * @param {{ answers: Map<number, PollAnswer>, results: Map<number, PollResults> }} feed
   * @param {{ canAnswer: () => boolean, joinHint: () => HTMLElement | null }} opts
   */
  constructor(meetingId, poll, feed, opts) {
    this.id = meetingId;
    this.poll = poll;
    this.feed = feed;
    this.opts = opts;
    this.editing = false;
    /** @type {string | null} what the form on show was built for (see render) */
    this.formKey = null;
    this.summaryAt = 0;
    this.summaryTimer = undefined;
    const hid = `poll-${poll.id}-q`;
    this.formSlot = el('div', { class: 'poll-form-slot' });
    this.resultsSlot = el('div', { class: 'poll-results-slot' });
    // Spoken politely, at most every few seconds: a live poll changes four times a second.
    this.live = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.head = el('p', { class: 'poll-status' });
    this.node = el('section', { class: 'poll-card', id: `poll-${poll.id}`, 'aria-labelledby': hid },
      this.head, el('h2', { id: hid, class: 'poll-question' }, poll.question), this.formSlot, this.resultsSlot, this.live);
    this.render();
  }

  /** @param {PollView} poll */
  update(poll) {
    const was = this.poll.status;
    this.poll = poll;
    if (was === 'open' && poll.status === 'closed') { this.editing = false; announce(t('poll.closed_announce', { q: poll.question })); }
    this.render();
  }

  render() {
    const p = this.poll;
    const mine = this.feed.answers.get(p.id) || null;
    this.head.replaceChildren(el('span', { class: `status poll-${p.status}` }, t(`poll.status.${p.status}`)), ' ', t(`poll.kind.${p.kind.type}`));
    const focusIn = this.formSlot.contains(document.activeElement);
    if (p.status === 'open' && (!mine || this.editing)) {
      // A redraw for something else (the stream's hello, another poll's change) keeps the form
      // and what is being typed or ticked in it; it is rebuilt only when it would differ.
      const hint = this.opts.canAnswer() ? null : this.opts.joinHint() || el('p', { class: 'hint' }, t('poll.join_first'));
      const key = JSON.stringify([hint && hint.textContent, p.kind, mine]);
      if (key !== this.formKey || !this.formSlot.firstChild) {
        this.formKey = key;
        this.formSlot.replaceChildren(hint || this.form(mine));
      }
      this.renderResults();
      return;
    }
    this.formKey = null;
    if (mine) {
      this.formSlot.replaceChildren(el('div', { class: 'poll-mine' },
        el('p', null, el('strong', null, t('poll.your_answer')), ' ', answerText(p, mine)),
        p.status === 'open' ? el('button', { type: 'button', class: 'secondary big-touch', onclick: () => { this.editing = true; this.render(); const f = /** @type {HTMLElement | null} */ (this.formSlot.querySelector('input, textarea')); if (f) f.focus(); } }, t('poll.change')) : null));
      if (focusIn) { const b = /** @type {HTMLElement | null} */ (this.formSlot.querySelector('button')); (b || this.node).focus(); }
    } else this.formSlot.replaceChildren(p.status === 'closed' ? el('p', { class: 'hint' }, t('poll.closed_no_answer')) : null);
    this.renderResults();
  }

  renderResults() {
    const p = this.poll;
    const r = this.feed.results.get(p.id);
    if (!resultsVisible(p)) {
      this.resultsSlot.replaceChildren(el('p', { class: 'hint' }, t(p.results_shown === 'after_close' ? 'poll.results_after_close' : 'poll.results_staff_only')));
      return;
    }
    this.resultsSlot.replaceChildren(el('h3', { class: 'poll-results-h' }, t('poll.results')), resultsView(p, r, { mine: this.feed.answers.get(p.id) }));
    if (r) this.speak(resultsSummary(p, r));
  }

  /** @param {string} text */
  speak(text) {
    clearTimeout(this.summaryTimer);
    const wait = Math.max(0, this.summaryAt + 8000 - Date.now());
    this.summaryTimer = setTimeout(() => { this.summaryAt = Date.now(); if (this.live.textContent !== text) this.live.textContent = text; }, wait);
  }

  /** The answer form of this poll's kind, filled with the own answer when changing it.
   *  @param {PollAnswer | null} mine */
  form(mine) {
    const p = this.poll;
    const k = p.kind;
    const pid = `poll-${p.id}`;
    const err = el('p', { class: 'form-error', role: 'alert', id: `${pid}-err` });
    const btn = el('button', { type: 'submit', class: 'big-touch' }, t(mine ? 'poll.send_change' : 'poll.send'));
    /** @type {() => PollAnswer | null} */
    let read;
    let body;
    if (k.type === 'single_choice' || k.type === 'multiple_choice' || k.type === 'scale') {
      const multi = k.type === 'multiple_choice';
      const labels = slots(p) || [];
      const chosen = new Set(mine && mine.kind === 'choice' ? mine.picks : mine && mine.kind === 'scale' ? [mine.value - 1] : []);
      const inputs = labels.map((label, i) => el('input', { type: multi ? 'checkbox' : 'radio', name: `${pid}-pick`, id: `${pid}-o${i}`, value: String(i), checked: chosen.has(i) }));
      body = el('fieldset', { class: `poll-options${k.type === 'scale' ? ' scale' : ''}` },
        el('legend', { class: k.type === 'scale' ? null : 'visually-hidden' }, k.type === 'scale' ? t('poll.scale_legend', { low: k.low_label || '1', high: k.high_label || String(k.max) }) : p.question),
        multi ? el('p', { class: 'hint' }, t('poll.pick_up_to', { n: k.max_picks || 1 })) : null,
        labels.map((label, i) => el('label', { class: 'poll-option', for: `${pid}-o${i}` }, inputs[i], el('span', null, label))));
      if (multi) {
        // More ticks than allowed cannot be made: the rest are disabled until one is unticked.
        const limit = () => { const n = inputs.filter((x) => x.checked).length; for (const x of inputs) x.disabled = !x.checked && n >= (k.max_picks || 1); };
        for (const x of inputs) x.addEventListener('change', limit);
        limit();
      }
      read = () => {
        const picks = inputs.filter((x) => x.checked).map((x) => Number(x.value));
        if (!picks.length) return null;
        return k.type === 'scale' ? { kind: 'scale', value: picks[0] + 1 } : { kind: 'choice', picks };
      };
    } else if (k.type === 'word_cloud') {
      const have = mine && mine.kind === 'words' ? mine.words : [];
      const inputs = [0, 1, 2].map((i) => el('input', { type: 'text', id: `${pid}-w${i}`, maxlength: '30', autocomplete: 'off', value: have[i] || null, 'aria-label': t('poll.word_n', { n: i + 1 }) }));
      body = el('fieldset', { class: 'poll-words' }, el('legend', null, t('poll.words_legend')), inputs);
      read = () => { const words = inputs.map((x) => x.value.trim()).filter(Boolean); return words.length ? { kind: 'words', words } : null; };
    } else {
      const ta = el('textarea', { id: `${pid}-text`, rows: '3', maxlength: '280' });
      if (mine && mine.kind === 'text') ta.value = mine.text;
      body = el('div', null, el('label', { for: ta.id }, t('poll.text_label')), ta);
      read = () => { const text = ta.value.trim(); return text ? { kind: 'text', text } : null; };
    }
    const form = el('form', { class: 'poll-form', novalidate: true }, body,
      el('div', { class: 'row wrap' }, btn, mine ? el('button', { type: 'button', class: 'link-button', onclick: () => { this.editing = false; this.render(); } }, t('action.cancel')) : null), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const answer = read();
      if (!answer) { err.textContent = t('poll.answer_empty'); return; }
      btn.disabled = true; err.textContent = '';
      try {
        const r = await client.answerPoll(this.id, p.id, answer);
        this.feed.answers.set(p.id, r.answer);
        if (r.results) this.feed.results.set(p.id, r.results);
        this.editing = false;
        this.render();
        const b = /** @type {HTMLElement | null} */ (this.formSlot.querySelector('button'));
        if (b) b.focus();
        announce(r.held_reason ? t('poll.answer_held') : t('poll.answer_saved'));
      } catch (x) {
        btn.disabled = false;
        err.textContent = x && has(`poll.error.${x.code}`) ? t(`poll.error.${x.code}`) : errorText(x);
      }
    });
    return form;
  }
}
