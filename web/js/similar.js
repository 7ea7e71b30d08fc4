// @ts-check
// "Has someone asked this already?" in the browser: while a citizen types a question, up to
// three visible questions of the meeting that ask the same thing, each with its answer state
// and a one-tap "Det vil jeg også vide" (an upvote instead of a second copy of the question;
// posting anyway stays possible). The staff console uses `duplicatesOf` for its queue.
// Loaded on demand (the first keystroke in the composer), so the page's first load does not
// carry it. The server does the matching (GET /api/meetings/{id}/similar).

import { el, t, announce } from './util.js';
import { client } from './client.js';

/** @typedef {import('./client.js').PostView} PostView */

/** Ask from this many words on; fewer say too little to match on. */
export const MIN_WORDS = 3;
/** Wait this long after the last keystroke (ms). */
export const DEBOUNCE_MS = 300;

/** @param {string} text */
export function wordCount(text) { return (text.trim().match(/[\p{L}\p{N}]+/gu) || []).length; }

/** A question's answer state as a short badge. @param {PostView} p */
export function stateBadge(p) {
  const s = (p.question && p.question.state) || 'open';
  return el('span', { class: `badge similar-state s-${s}` }, t(`similar.state.${s}`));
}

/**
 * The suggestion box under the composer's textarea.
 * @param {{ meetingId: string, body: HTMLTextAreaElement, isQuestion: () => boolean,
 *   voted: Set<number>, me: () => (string | null), onVoted: (post: number, votes: number) => void }} o
 * @returns {HTMLElement}
 */
export function suggestionBox(o) {
  const list = el('ul', { class: 'similar-list' });
  const note = el('p', { class: 'similar-done', role: 'status' });
  const box = el('section', { class: 'similar', 'aria-labelledby': 'similar-h', hidden: true },
    el('h3', { id: 'similar-h' }, t('similar.title')), el('p', { class: 'hint' }, t('similar.lead')), list);
  const wrap = el('div', { class: 'similar-slot' }, box, note);
  let timer = 0;
  let asked = '';
  let seq = 0;

  const clear = () => { box.hidden = true; list.replaceChildren(); asked = ''; };

  async function look() {
    const text = o.body.value.trim();
    if (!o.isQuestion() || wordCount(text) < MIN_WORDS) { clear(); return; }
    if (text === asked) return;
    asked = text;
    const mine = ++seq;
    let found;
    try { found = await ask(o.meetingId, text); } catch (x) {
      // A hint, never an obstacle: no error shown; after a 429, ask again once the wait is over.
      asked = '';
      if (x instanceof Paused) { clearTimeout(timer); timer = window.setTimeout(look, x.ms + 50); }
      return;
    }
    if (mine !== seq) return; // a later keystroke asked again
    const qs = (found.questions || []);
    if (!qs.length) { box.hidden = true; list.replaceChildren(); return; }
    list.replaceChildren(...qs.map(item));
    box.hidden = false;
  }

  /** @param {PostView} p */
  function item(p) {
    const own = p.author && p.author.participant_id && p.author.participant_id === o.me();
    const count = el('span', { class: 'vote-count' }, String(p.votes));
    const done = o.voted.has(p.id);
    const btn = el('button', { type: 'button', class: 'me-too secondary', 'data-post': String(p.id), 'aria-pressed': done ? 'true' : 'false', disabled: done || own },
      t(done ? 'similar.me_too_done' : 'similar.me_too'));
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        const r = await client.vote(o.meetingId, p.id, true);
        o.voted.add(p.id);
        o.onVoted(p.id, r.votes);
        count.textContent = String(r.votes);
        btn.textContent = t('similar.me_too_done');
        btn.setAttribute('aria-pressed', 'true');
        // Nothing is posted: the question they were about to write is the one they voted for.
        o.body.value = '';
        o.body.dispatchEvent(new Event('input'));
        note.textContent = t('similar.voted', { n: r.votes });
        announce(t('similar.voted', { n: r.votes }));
      } catch (_) { btn.disabled = false; note.textContent = t('similar.vote_failed'); }
    });
    return el('li', { class: 'similar-item', 'data-post': String(p.id) },
      el('p', { class: 'body' }, p.body || ''),
      el('p', { class: 'meta' }, stateBadge(p), ' ', el('span', { class: 'votes' }, el('span', { 'aria-hidden': 'true' }, '▲ '), count, ' ', t('post.votes_word'))),
      btn);
  }

  o.body.addEventListener('input', () => {
    clearTimeout(timer);
    if (o.body.value.trim()) note.textContent = '';
    if (wordCount(o.body.value) < MIN_WORDS) { clear(); return; }
    timer = window.setTimeout(look, DEBOUNCE_MS);
  });
  return wrap;
}

/** Cache of likely duplicates per question (a question's text never changes). */
const duplicates = new Map();

/** Back-off when the server says 429 (the look-ups are rate-limited per participant): wait
 *  what its Retry-After says, or, without one, a pause that doubles up to `BACKOFF_MAX_MS`.
 *  Until then no look-up goes out: a queue of a hundred questions must not answer a limit
 *  with a hundred more requests. */
export const BACKOFF_MIN_MS = 2000;
export const BACKOFF_MAX_MS = 60000;
let pausedUntil = 0;
let backoff = BACKOFF_MIN_MS;

/** How long look-ups still wait (ms), 0 when they may go out. */
export function pausedFor() { return Math.max(0, pausedUntil - Date.now()); }

/** Thrown (without asking the server) while look-ups wait out a 429. */
export class Paused extends Error {
  /** @param {number} ms */
  constructor(ms) { super('similar look-ups paused'); this.ms = ms; }
}

/** @param {unknown} err @returns {never} */
function noteFailure(err) {
  const e = /** @type {{ status?: number, retryAfter?: number }} */ (err);
  if (e && e.status === 429) {
    const ms = e.retryAfter ? e.retryAfter * 1000 : backoff;
    backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
    pausedUntil = Date.now() + ms;
    throw new Paused(ms);
  }
  throw err;
}

/** Ask the server, unless look-ups are waiting out a 429.
 *  @param {string} meetingId @param {string} text @param {number} [exclude] */
async function ask(meetingId, text, exclude) {
  const wait = pausedFor();
  if (wait) throw new Paused(wait);
  let r;
  try { r = await client.similar(meetingId, text, exclude); } catch (x) { noteFailure(x); }
  backoff = BACKOFF_MIN_MS;
  return r;
}

/**
 * The visible questions most like question `p` (itself left out), from the cache or the server.
 * Throws `Paused` while the look-ups wait out a 429 (the cache still answers).
 * @param {string} meetingId @param {PostView} p @returns {Promise<PostView[]>}
 */
export async function duplicatesOf(meetingId, p) {
  if (duplicates.has(p.id)) return duplicates.get(p.id);
  const r = await ask(meetingId, p.body || '', p.id);
  const qs = r.questions || [];
  duplicates.set(p.id, qs);
  return qs;
}
