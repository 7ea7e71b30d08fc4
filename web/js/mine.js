// @ts-check
// "My questions" (/m/<id>/mine): a citizen's way back after the meeting. The personal link's
// secret arrives in the URL fragment (#key=...), is exchanged for a session cookie with a POST
// (like a staff link, so it never reaches a server log or a Referer) and removed from the
// address bar. The page lists the citizen's questions with their answers (also those written
// after the meeting) and, when the installation sends mail, takes an e-mail address to be told.

import { el, t, errorText, copyText, $, langSwitch } from './util.js';
import { client } from './client.js';
import { answerBlock } from './posts.js';
import { topExtra, toast, signInFromLink } from './ui.js';
import { followUpLine } from './meeting-info.js';

/** Shown after joining, below the composer and folded: the personal link to come back with,
 *  on any device. Reachable and explained, but not a raw URL in the way of the phone view. */
export function linkBox(link) {
  const copy = el('button', { type: 'button', class: 'secondary', onclick: (e) => copyText(link, e.currentTarget) }, t('action.copy'));
  return el('details', { class: 'mine-link' },
    el('summary', { id: 'mine-link-h' }, t('mine.link_title')),
    el('p', { class: 'hint' }, t('mine.link_lead')),
    el('div', { class: 'row wrap' }, el('a', { href: link, class: 'button secondary', id: 'mine-open' }, t('mine.link_open')), copy),
    el('p', { class: 'hint' }, el('code', { class: 'link', id: 'mine-link' }, link)));
}

function stateText(p) {
  const q = p.question;
  if (!q) return '';
  if (p.status === 'pending') return t('mine.state.pending');
  if (p.status === 'rejected' || p.status === 'hidden') return t('mine.state.removed');
  return t(`mine.state.${q.state}`);
}

function notifyForm(id, status, reload) {
  if (!status.available) return null;
  const err = el('p', { class: 'form-error', role: 'alert' });
  if (status.email_on_file) {
    return el('div', { class: 'notify' },
      el('p', null, t('mine.notify_on')),
      el('button', { type: 'button', class: 'link-button', onclick: async () => {
        try { await client.stopNotifying(id); reload(); } catch (x) { err.textContent = errorText(x); }
      } }, t('mine.notify_stop')), err);
  }
  const email = el('input', { id: 'mine-email', type: 'email', autocomplete: 'email', maxlength: '254', required: true, 'aria-describedby': 'mine-email-hint' });
  const form = el('form', { class: 'small-form notify', novalidate: true },
    el('label', { for: 'mine-email' }, t('mine.notify_label')),
    el('p', { class: 'hint', id: 'mine-email-hint' }, t('mine.notify_hint')), email,
    el('button', { type: 'submit' }, t('mine.notify_submit')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!email.value.trim()) { err.textContent = t('error.empty'); email.focus(); return; }
    try { await client.notifyMe(id, email.value.trim()); toast(t('mine.notify_saved')); reload(); } catch (x) { err.textContent = errorText(x); }
  });
  return form;
}

export async function minePage(id) {
  const main = $('#main');
  topExtra(langSwitch(() => location.reload()));
  if (!(await signInFromLink(id, 'mine', 'mine'))) return;
  const reload = () => minePage(id).catch((e) => toast(errorText(e)));
  let v;
  try { v = await client.myQuestions(id); } catch (e) {
    main.replaceChildren(el('h1', null, t('mine.title')), el('p', { class: 'error', role: 'alert' }, e.status === 401 ? t('mine.not_signed_in') : errorText(e)),
      el('p', null, el('a', { href: `/m/${id}` }, t('mine.to_meeting'))));
    return;
  }
  const m = v.meeting;
  document.title = `${t('mine.title')} · ${m.title}`;
  const merged = new Map(v.merged_into.map((p) => [p.id, p]));
  const items = v.questions.map((p) => {
    const target = p.question && p.question.merged_into ? merged.get(p.question.merged_into) : null;
    const answered = p.question && p.question.state === 'answered' ? p.question : target && target.question && target.question.state === 'answered' ? target.question : null;
    return el('li', { class: 'mine-item', 'data-id': p.id },
      el('p', { class: 'body' }, p.body || ''),
      el('p', { class: 'state-line' }, stateText(p)),
      target ? el('p', { class: 'hint' }, t('mine.merged', { body: (target.body || '').slice(0, 120) })) : null,
      answered && answered.answer ? answerBlock(answered) : null);
  });
  const c = m.counters;
  main.replaceChildren(...[
    el('h1', null, t('mine.title')),
    el('p', { class: 'lead' }, m.title),
    el('p', { class: 'counter', id: 'mine-counter' }, el('strong', null, t('counter.answered', { a: c.answered, n: c.questions }))),
    followUpLine(m),
    items.length ? el('ol', { class: 'mine-list', 'aria-label': t('mine.title') }, items) : el('p', { class: 'empty' }, t('mine.none')),
    notifyForm(id, v.notify, reload),
    el('p', null, el('a', { href: `/m/${id}` }, t('mine.to_meeting'))),
  ].filter(Boolean));
}
