// @ts-check
// Routing and follow-up in the consoles: who a question is routed to, the panelist's own queue
// ("assigned to me"), the routing form, prepared answers for the answer box, and the follow-up
// deadline (staff, organizer, and on the closed meeting's public page). Kept apart from
// staff.js / admin.js so those only carry small hooks.

import { el, t, errorText, fmtDateTime } from './util.js';
import { client } from './client.js';

/** Whether a question is routed to this participant (the panelist's own queue). */
export function assignedTo(p, you) {
  const a = p.question && p.question.assignee;
  return !!(a && you && a.kind === 'panelist' && a.participant_id === you.participant_id);
}

/** "Routed to: <panelist or department>" for a queue item (staff see the assignee). */
export function assigneeLine(q) {
  const a = q && q.assignee;
  if (!a) return null;
  return el('p', { class: 'state-line assignee' },
    t(a.kind === 'panelist' ? 'followup.assigned_panelist' : 'followup.assigned_department', { name: a.name }));
}

/** Departments already used in this meeting, offered as suggestions. */
function departments(feed) {
  const names = new Set();
  for (const p of feed.posts.values()) {
    const a = p.question && p.question.assignee;
    if (a && a.kind === 'department') names.add(a.name);
  }
  return [...names].sort();
}

/** The routing form: a panelist of the meeting, or a department by name (free text). */
export function assignForm(meetingId, q, feed, close, run) {
  const panelists = ((feed.meeting && feed.meeting.staff) || []).filter((s) => s.role === 'panelist' && !s.revoked);
  const current = q.question.assignee;
  const who = el('select', { id: `assign-who-${q.id}` },
    el('option', { value: '' }, t('followup.choose')),
    panelists.map((s) => el('option', { value: s.participant_id, selected: !!(current && current.participant_id === s.participant_id) }, s.role_line ? `${s.name} (${s.role_line})` : s.name)));
  const listId = `assign-depts-${q.id}`;
  const dept = el('input', { id: `assign-dept-${q.id}`, type: 'text', maxlength: '80', list: listId, autocomplete: 'off' });
  if (current && current.kind === 'department') dept.value = current.name;
  const err = el('p', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'small-form assign-form', novalidate: true },
    el('label', { for: who.id }, t('followup.to_panelist')), who,
    el('label', { for: dept.id }, t('followup.to_department')), dept,
    el('datalist', { id: listId }, departments(feed).map((d) => el('option', { value: d }))),
    el('div', { class: 'row wrap' },
      el('button', { type: 'submit' }, t('followup.assign')),
      current ? el('button', { type: 'button', class: 'secondary', onclick: async () => {
        try { await run(client.unassign(meetingId, q.id), 'followup.unassigned_ok'); close(); } catch (x) { err.textContent = errorText(x); }
      } }, t('followup.unassign')) : null,
      el('button', { type: 'button', class: 'link-button', onclick: close }, t('action.cancel'))),
    err);
  form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = dept.value.trim() ? { department: dept.value.trim() } : who.value ? { panelist: who.value } : null;
    if (!body) { err.textContent = t('followup.choose_one'); who.focus(); return; }
    try { await run(client.assign(meetingId, q.id, body), 'followup.assigned_ok'); close(); } catch (x) { err.textContent = errorText(x); }
  });
  return form;
}

let snippetsCache = null;

/** Prepared answers of the meeting's organization, loaded once per page. */
function snippets(meetingId) {
  if (!snippetsCache) snippetsCache = client.meetingAnswers(meetingId).catch(() => []);
  return snippetsCache;
}

/** A picker that inserts a prepared answer into the answer box (`fieldId`), to be edited
 *  before sending. Renders nothing when the organization has none. */
export function snippetPicker(meetingId, fieldId) {
  const box = el('div', { class: 'snippet-picker' });
  snippets(meetingId).then((list) => {
    if (!list.length) return;
    const sel = el('select', { id: `${fieldId}-snippet` }, el('option', { value: '' }, t('followup.snippet_choose')),
      list.map((s) => el('option', { value: s.id }, s.title)));
    const insert = el('button', { type: 'button', class: 'secondary', onclick: () => {
      const s = list.find((x) => x.id === sel.value);
      const field = /** @type {HTMLTextAreaElement | null} */ (document.getElementById(fieldId));
      if (!s || !field) return;
      field.value = field.value.trim() ? `${field.value.trim()}\n\n${s.body}` : s.body;
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.focus();
    } }, t('followup.snippet_insert'));
    box.replaceChildren(el('label', { for: sel.id }, t('followup.snippet_label')), el('div', { class: 'row wrap' }, sel, insert));
  });
  return box;
}

/** Organizer's meeting list: a flag when the follow-up is overdue. */
export function listFlag(summary) {
  if (summary.follow_up_overdue) return el('span', { class: 'badge overdue' }, t('followup.overdue_flag', { n: summary.unanswered }));
  if (summary.follow_up_due && summary.unanswered) return el('span', { class: 'badge' }, t('followup.open_flag', { n: summary.unanswered }));
  return null;
}

/** A median answer time in whole minutes; under one minute says so ("0 min." read as "never"
 *  beside the report's "8 s"). @param {number | null | undefined} secs */
function medianText(secs) {
  if (secs == null) return '–';
  return secs < 60 ? t('followup.under_minute') : t('followup.minutes', { n: Math.round(secs / 60) });
}

/** Organizer's meeting page: follow-up figures per panelist and the "close follow-up" button. */
export async function organizerCard(meetingId, onDone) {
  let f;
  try { f = await client.followUp(meetingId); } catch (_) { return null; }
  // Each cell carries its column's name: on a phone the table is read row by row (app.css).
  const cols = ['name', 'assigned', 'answered', 'open', 'median'];
  const cell = (i, v) => el('td', { 'data-label': t(`followup.col.${cols[i]}`) }, v);
  const rows = f.panelists.map((p) => el('tr', null,
    cell(0, p.name), cell(1, String(p.assigned)), cell(2, String(p.answered)), cell(3, String(p.open)),
    cell(4, medianText(p.median_answer_secs))));
  const card = el('section', { class: 'card', 'aria-labelledby': 'fu-h' }, el('h2', { id: 'fu-h' }, t('followup.title')));
  if (f.due) {
    card.append(el('p', { class: f.overdue ? 'followup-line overdue' : 'followup-line' },
      f.follow_up_closed_at ? t('followup.closed') : t(f.overdue ? 'followup.overdue' : 'followup.due', { date: fmtDateTime(f.due), n: f.unanswered.length })));
  }
  card.append(el('p', null, t('counter.answered', { a: f.counters.answered, n: f.counters.questions })));
  // Every open question, routed or not: the per-panelist "open" column alone said 0 while
  // twenty unrouted questions were overdue.
  const open = Math.max(0, f.counters.questions - f.counters.answered - (f.counters.dismissed || 0));
  card.append(el('p', { class: open ? 'followup-open warn' : 'followup-open' }, t('followup.open_total', { n: open })));
  if (rows.length) {
    card.append(el('div', { class: 'table-wrap' }, el('table', { class: 'stack-table' },
      el('thead', null, el('tr', null, ['name', 'assigned', 'answered', 'open', 'median'].map((k) => el('th', { scope: 'col' }, t(`followup.col.${k}`))))),
      el('tbody', null, rows))));
  }
  if (f.departments.length) {
    card.append(el('ul', { class: 'dept-list' }, f.departments.map((d) => el('li', null, t('followup.dept_line', { name: d.name, open: d.open, n: d.assigned })))));
  }
  if (f.status === 'closed' && !f.follow_up_closed_at) {
    const err = el('p', { class: 'form-error', role: 'alert' });
    card.append(el('button', { type: 'button', class: 'secondary', onclick: async () => {
      try { await client.closeFollowUp(meetingId); onDone(); } catch (x) { err.textContent = errorText(x); }
    } }, t('followup.close')), err);
  }
  return card;
}

/** Organizer: the organization's library of prepared answers (create, edit, delete). */
export async function snippetsCard(orgId) {
  const card = el('section', { class: 'card', 'aria-labelledby': 'snip-h' });
  async function render() {
    let list = [];
    try { list = await client.answers(orgId); } catch (_) { /* shown as empty */ }
    const title = el('input', { id: 'snip-title', type: 'text', maxlength: '120', required: true });
    const body = el('textarea', { id: 'snip-body', rows: '4', maxlength: '5000', required: true });
    const err = el('p', { class: 'form-error', role: 'alert' });
    let editing = null;
    const submit = el('button', { type: 'submit' }, t('followup.snippet_save'));
    const form = el('form', { class: 'small-form', novalidate: true },
      el('label', { for: 'snip-title' }, t('followup.snippet_title')), title,
      el('label', { for: 'snip-body' }, t('followup.snippet_body')), el('p', { class: 'hint' }, t('followup.snippet_hint')), body,
      submit, err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!title.value.trim() || !body.value.trim()) { err.textContent = t('error.empty'); return; }
      try {
        const payload = { title: title.value.trim(), body: body.value.trim() };
        if (editing) await client.editAnswer(orgId, editing, payload); else await client.createAnswer(orgId, payload);
        render();
      } catch (x) { err.textContent = errorText(x); }
    });
    const items = list.map((s) => el('li', null,
      el('strong', null, s.title), ' ',
      el('button', { type: 'button', class: 'link-button', onclick: () => { editing = s.id; title.value = s.title; body.value = s.body; title.focus(); } }, t('followup.snippet_edit')), ' ',
      el('button', { type: 'button', class: 'link-button danger', onclick: async () => { try { await client.deleteAnswer(orgId, s.id); render(); } catch (x) { err.textContent = errorText(x); } } }, t('followup.snippet_delete'))));
    card.replaceChildren(el('h2', { id: 'snip-h' }, t('followup.snippets')), el('p', { class: 'hint' }, t('followup.snippets_lead')),
      items.length ? el('ul', { class: 'snippet-list' }, items) : el('p', { class: 'empty' }, t('followup.snippets_empty')), form);
  }
  await render();
  return card;
}
