// @ts-check
// Organizer pages (/admin): sign in with e-mail and password (an organizer account, which sees
// its own organization only) or with the installation admin link (the token travels in the URL
// fragment, is exchanged for a cookie by POST and removed from the address bar), list and
// create meetings, edit and schedule them, open and close, staff links with copy buttons, and
// prepare the evening's agenda and polls (the console's own editors, staff/agenda.js and
// staff/polls.js, over the organizer's staff stream). Organization parts (branding, invites,
// the admin's organization list) are in orgs.js.

import { el, t, errorText, fmtDateTime, takeFragment, copyText, $, langSwitch, setTimeZone, toZonedInput, fromZonedInput } from './util.js';
import { client } from './client.js';
import { toast, topExtra, runCommand } from './ui.js';
import { Feed } from './live.js';
import { settingsForm } from './staff/settings.js';
import { AgendaPanel } from './staff/agenda.js';
import { PollsPanel } from './staff/polls.js';
import { kitCard } from './kit.js';
import { field, clearFieldErrors, showFieldError, showApiError, fieldMessage } from './forms.js';
import { reportCard } from './report.js';

const main = () => $('#main');

/** datetime-local value <-> RFC 3339, as wall time in the installation's zone (util.js). */
const toLocalInput = toZonedInput;
const fromLocalInput = fromZonedInput;

function meetingFields(m) {
  const title = el('input', { id: 'mf-title', type: 'text', required: true, maxlength: '200' });
  const desc = el('textarea', { id: 'mf-desc', rows: '5', maxlength: '20000', 'aria-describedby': 'mf-desc-hint' });
  const starts = el('input', { id: 'mf-starts', type: 'datetime-local' });
  const ends = el('input', { id: 'mf-ends', type: 'datetime-local' });
  const language = el('select', { id: 'mf-lang' }, ['da', 'en'].map((l) => el('option', { value: l }, t(`lang.${l}`))));
  const video = el('input', { id: 'mf-video', type: 'url', maxlength: '2000', 'aria-describedby': 'mf-video-hint' });
  if (m) {
    title.value = m.title; desc.value = m.description || ''; starts.value = toLocalInput(m.starts_at); ends.value = toLocalInput(m.ends_at);
    language.value = m.language; video.value = m.video_url || '';
  }
  const nodes = [
    field('mf-title', t('admin.f.title'), title),
    field('mf-desc', t('admin.f.description'), desc, t('admin.f.description_hint')),
    el('div', { class: 'pair' }, field('mf-starts', t('admin.f.starts'), starts), field('mf-ends', t('admin.f.ends'), ends)),
    field('mf-lang', t('admin.f.language'), language),
    field('mf-video', t('admin.f.video'), video, t('admin.f.video_hint')),
  ];
  const read = () => ({
    title: title.value.trim(), description: desc.value, starts_at: fromLocalInput(starts.value), ends_at: fromLocalInput(ends.value),
    language: language.value, video_url: video.value.trim() || null,
  });
  // Server field names (problem+json `field`) -> the inputs, for field-level errors.
  const inputs = { title, description: desc, starts_at: starts, ends_at: ends, language, video_url: video };
  /** Checks the page can make itself; true when the form may be sent. */
  const check = (form) => {
    clearFieldErrors(form);
    const b = read();
    if (!b.title) { showFieldError(title, t('error.title_empty')); return false; }
    if (b.video_url && !/^https:\/\//i.test(b.video_url)) { showFieldError(video, fieldMessage('video_url')); return false; }
    return true;
  };
  return { nodes, read, title, inputs, check };
}

async function signIn() {
  const orgs = await import('./orgs.js');
  const input = el('input', { id: 'admin-token', type: 'password', required: true, autocomplete: 'off' });
  const err = el('p', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'card narrow', novalidate: true }, el('h2', null, t('admin.signin_title')), el('p', null, t('admin.signin_lead')),
    field('admin-token', t('admin.token'), input), el('button', { type: 'submit' }, t('admin.signin')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let token = input.value.trim();
    const m = token.match(/token=([^&\s]+)/);
    if (m) token = decodeURIComponent(m[1]);
    try { await client.adminSignIn(token); adminPage(); } catch (x) { err.textContent = x.status === 401 ? t('admin.bad_token') : errorText(x); }
  });
  main().replaceChildren(orgs.passwordForm(() => adminPage()), form);
}

export async function adminPage() {
  topExtra(langSwitch(() => location.reload()));
  document.title = `${t('admin.title')} · borgermode`;
  const token = takeFragment('token');
  if (token) {
    try { await client.adminSignIn(token); } catch (e) { main().replaceChildren(el('p', { class: 'error', role: 'alert' }, e.status === 401 ? t('admin.bad_token') : errorText(e))); return; }
  }
  const id = new URLSearchParams(location.search).get('m');
  try {
    // An organizer account (null for the installation admin).
    const account = await client.account().catch(() => null);
    if (id) await meetingDetail(id, account); else await meetingList(account);
  } catch (e) {
    if (e.status === 401) signIn();
    else main().replaceChildren(el('p', { class: 'error', role: 'alert' }, errorText(e)));
  }
}

function logoutButton(account) {
  if (account) return null; // the account bar has its own
  return el('button', { type: 'button', class: 'link-button', onclick: async () => { try { await client.adminSignOut(); } catch (_) { /* ignore */ } location.href = '/admin'; } }, t('admin.signout'));
}

async function meetingList(account) {
  const list = await client.meetings();
  if (list.length) setTimeZone(list[0].time_zone);
  const orgs = await import('./orgs.js');
  const fu = await import('./followup.js');
  const f = meetingFields(null);
  const err = el('p', { class: 'form-error', role: 'alert' });
  const create = el('form', { class: 'card', novalidate: true }, el('h2', null, t('admin.create')), f.nodes, el('button', { type: 'submit' }, t('admin.create_submit')), err);
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if (!f.check(create)) return;
    const body = f.read();
    if (!body.video_url) delete body.video_url;
    try { const r = await client.createMeeting(body); location.href = `/admin?m=${r.meeting_id}`; } catch (x) { showApiError(x, f.inputs, err); }
  });
  const rows = list.map((m) => el('tr', null,
    el('td', { 'data-label': t('admin.f.title') }, el('a', { href: `/admin?m=${m.id}` }, m.title)),
    el('td', { 'data-label': t('admin.status') }, el('span', null, el('span', { class: `status status-${m.status}` }, t(`status.${m.status}`)), ' ', fu.listFlag(m))),
    el('td', { 'data-label': t('admin.f.starts') }, m.starts_at ? fmtDateTime(m.starts_at) : '–')));
  main().replaceChildren(
    el('div', { class: 'row spread' }, el('h1', null, account ? account.organization.name : t('admin.title')), account ? orgs.accountBar(account) : logoutButton(null)),
    el('section', { class: 'card', 'aria-labelledby': 'list-h' }, el('h2', { id: 'list-h' }, t('admin.meetings')),
      list.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'stack-table' }, el('thead', null, el('tr', null, el('th', { scope: 'col' }, t('admin.f.title')), el('th', { scope: 'col' }, t('admin.status')), el('th', { scope: 'col' }, t('admin.f.starts')))), el('tbody', null, rows)))
        : el('p', { class: 'empty' }, t('admin.no_meetings'))),
    create,
    account ? orgs.brandingCard(account.organization, () => adminPage()) : await orgs.orgsSection());
}

/** The agenda and polls cards of one meeting, with the stream that keeps them current. Made
 *  once per meeting and kept across the page's redraws (`reload`), so one stream serves it.
 *  @type {{ id: string, feed: Feed, nodes: HTMLElement[] } | null} */
let planning = null;

/**
 * "Dagsorden" and "Afstemninger": the organizer prepares the evening here (drafts, edits,
 * order) with the same editors the moderators have in the console. The organizer's staff
 * stream brings every change, also those made in the console meanwhile, and the results of
 * launched polls. A closed meeting's agenda and polls are the record: the report shows them.
 * @param {string} id @param {import('./client.js').MeetingView} m
 */
function planningCards(id, m) {
  if (planning && (planning.id !== id || m.status === 'closed')) { planning.feed.live.stop(); planning = null; }
  if (m.status === 'closed') return [];
  if (!planning) {
    /** @type {AgendaPanel | null} */
    let agenda = null;
    /** @type {PollsPanel | null} */
    let polls = null;
    const sync = () => { if (agenda) agenda.sync(); if (polls) polls.sync(); };
    const feed = new Feed(id, { reset: sync, meeting: sync, results: (/** @type {number} */ poll) => { if (polls) polls.results(poll); } }, m);
    /** @type {import('./live.js').EditorHost} */
    const host = { id, feed, run: runCommand };
    agenda = new AgendaPanel(host);
    polls = new PollsPanel(host);
    sync();
    feed.start();
    planning = { id, feed, nodes: [
      el('section', { class: 'card', 'aria-labelledby': 'agenda-admin-h' }, el('h2', { id: 'agenda-admin-h' }, t('agenda.title')),
        el('p', { class: 'hint' }, t('admin.agenda_lead')), agenda.node),
      el('section', { class: 'card', 'aria-labelledby': 'polls-admin-h' }, el('h2', { id: 'polls-admin-h' }, t('poll.tab')),
        el('p', { class: 'hint' }, t('admin.polls_lead')), polls.node),
    ] };
  }
  return planning.nodes;
}

function linkRow(label, url, extra) {
  const b = el('button', { type: 'button', class: 'secondary', onclick: (e) => copyText(url, e.currentTarget) }, t('action.copy'));
  return el('div', { class: 'link-row' }, el('p', { class: 'label' }, label), el('div', { class: 'row wrap' }, el('code', { class: 'link' }, url), b, extra || null));
}

async function meetingDetail(id, account) {
  const m = await client.meeting(id);
  setTimeZone(m.time_zone);
  const base = location.origin;
  const reload = () => meetingDetail(id, account).catch((e) => toast(errorText(e)));
  const run = async (p, ok) => { try { await p; toast(t(ok || 'admin.saved')); reload(); } catch (x) { toast(errorText(x)); } };

  const f = meetingFields(m);
  const err = el('p', { class: 'form-error', role: 'alert' });
  const edit = el('form', { class: 'card', novalidate: true }, el('h2', null, t('admin.edit')), f.nodes, el('button', { type: 'submit' }, t('admin.save')), err);
  edit.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if (!f.check(edit)) return;
    const body = f.read();
    try { await client.editMeeting(id, body); toast(t('admin.saved')); reload(); } catch (x) { showApiError(x, f.inputs, err); }
  });

  const life = el('div', { class: 'row wrap' });
  if (m.status === 'draft') life.append(el('button', { type: 'button', class: 'secondary', onclick: () => run(client.scheduleMeeting(id)) }, t('admin.schedule')));
  if (m.status === 'draft' || m.status === 'scheduled') life.append(el('button', { type: 'button', onclick: () => run(client.openMeeting(id)) }, t('admin.open')));
  if (m.status !== 'closed') {
    const close = el('button', { type: 'button', class: 'danger' }, t('admin.close'));
    let armed = false;
    close.addEventListener('click', () => { if (!armed) { armed = true; close.textContent = t('staff.close_confirm'); return; } run(client.closeMeeting(id)); });
    life.append(close);
  }

  const short = `${base}/j/${id.replace(/-/g, '').slice(0, 8)}`;
  const links = el('section', { class: 'card', 'aria-labelledby': 'links-h' }, el('h2', { id: 'links-h' }, t('admin.links')),
    linkRow(t('admin.link_public'), `${base}/m/${id}`, el('a', { href: `/m/${id}`, class: 'button secondary' }, t('admin.open_page'))),
    linkRow(t('admin.link_short'), short),
    linkRow(t('admin.link_screen'), `${base}/m/${id}/screen`, el('a', { href: `/m/${id}/screen`, class: 'button secondary' }, t('admin.open_page'))),
    el('figure', { class: 'qr-small' }, el('img', { src: `/m/${id}/qr.svg`, alt: t('screen.qr_alt'), width: '160', height: '160' }), el('figcaption', null, el('a', { href: `/m/${id}/qr.svg`, download: 'borgermode-qr.svg' }, t('admin.qr_download')))));

  const staffItems = (staff) => (staff || []).map((s) => el('li', { class: s.revoked ? 'revoked' : '' },
    el('span', null, s.name, s.role_line ? ` (${s.role_line})` : '', ' · ', t(`role.${s.role}`)), ' ',
    s.revoked ? el('span', { class: 'hint' }, t('admin.revoked')) : el('button', { type: 'button', class: 'link-button danger', onclick: () => run(client.revokeStaff(id, s.participant_id), 'admin.revoked_ok') }, t('admin.revoke'))));
  const staffList = el('ul', { class: 'staff-list' }, staffItems(m.staff));
  const newLink = el('div', { class: 'new-link', 'aria-live': 'polite' });
  const sRole = el('select', { id: 'sf-role' }, el('option', { value: 'moderator' }, t('role.moderator')), el('option', { value: 'panelist' }, t('role.panelist')));
  const sName = el('input', { id: 'sf-name', type: 'text', required: true, maxlength: '40' });
  const sLine = el('input', { id: 'sf-line', type: 'text', maxlength: '80', 'aria-describedby': 'sf-line-hint' });
  const sErr = el('p', { class: 'form-error', role: 'alert' });
  const staffForm = el('form', { class: 'small-form', novalidate: true }, el('h3', null, t('admin.staff_new')),
    el('div', { class: 'pair' }, field('sf-role', t('admin.staff_role'), sRole), field('sf-name', t('admin.staff_name'), sName)),
    field('sf-line', t('admin.staff_line'), sLine, t('admin.staff_line_hint')),
    el('button', { type: 'submit' }, t('admin.staff_create')), sErr);
  staffForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(staffForm); sErr.textContent = '';
    if (!sName.value.trim()) { showFieldError(sName, t('error.name_empty')); return; }
    try {
      const line = sLine.value.trim();
      const r = await client.createStaffLink(id, { role: sRole.value, name: sName.value.trim(), ...(line ? { role_line: line } : {}) });
      const refreshed = await client.meeting(id);
      staffList.replaceChildren(...staffItems(refreshed.staff));
      newLink.replaceChildren(el('p', { class: 'warn' }, t('admin.staff_once', { name: sName.value.trim() })), linkRow(t(`role.${sRole.value}`), r.link));
      staffForm.reset();
      sRole.focus();
    } catch (x) { showApiError(x, { display_name: sName, name: sName, role_line: sLine, role: sRole }, sErr); }
  });

  const fu = await import('./followup.js');
  const followUp = await fu.organizerCard(id, reload);
  const snippets = m.organization ? await fu.snippetsCard(m.organization.organization_id) : null;
  // Data protection: the meeting's own privacy notice, and erasure of one citizen on request.
  const privacy = await client.privacyNotice(id);
  const pText = el('textarea', { id: 'pv-notice', rows: '6', maxlength: '10000', 'aria-describedby': 'pv-notice-hint' });
  pText.value = privacy.custom_markdown || '';
  const pErr = el('p', { class: 'form-error', role: 'alert' });
  const pForm = el('form', { class: 'small-form', novalidate: true },
    field('pv-notice', t('admin.privacy_notice'), pText, t('admin.privacy_notice_hint', { n: privacy.retention_days })),
    el('button', { type: 'submit' }, t('admin.save')), pErr);
  pForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(pForm);
    try { await client.setPrivacyNotice(id, pText.value.trim() || null); toast(t('admin.saved')); } catch (x) { showApiError(x, { notice: pText }, pErr); }
  });
  const eId = el('input', { id: 'er-id', type: 'text', maxlength: '36', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'er-id-hint' });
  const eErr = el('p', { class: 'form-error', role: 'alert' });
  const eBtn = el('button', { type: 'submit', class: 'danger' }, t('admin.erase'));
  let eArmed = false;
  const eForm = el('form', { class: 'small-form', novalidate: true }, el('h3', null, t('admin.erase_title')),
    field('er-id', t('admin.erase_id'), eId, t('admin.erase_hint')), eBtn, eErr);
  eId.addEventListener('input', () => { eArmed = false; eBtn.textContent = t('admin.erase'); });
  eForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const pid = eId.value.trim().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(pid)) { eErr.textContent = t('admin.erase_bad_id'); eId.focus(); return; }
    // Erasure cannot be undone: the first click arms the button, the second erases.
    if (!eArmed) { eArmed = true; eBtn.textContent = t('admin.erase_confirm'); eErr.textContent = ''; return; }
    eArmed = false; eBtn.textContent = t('admin.erase');
    try { await client.erase(id, pid); toast(t('admin.erased_ok')); eForm.reset(); } catch (x) { eErr.textContent = errorText(x); }
  });
  const dataCard = el('section', { class: 'card', 'aria-labelledby': 'privacy-admin-h' }, el('h2', { id: 'privacy-admin-h' }, t('admin.privacy')),
    el('p', { class: 'hint' }, t('admin.privacy_lead', { n: privacy.retention_days })), pForm, eForm);

  main().replaceChildren(
    el('p', null, el('a', { href: '/admin' }, t('admin.back'))),
    el('div', { class: 'row spread' }, el('h1', null, m.title), logoutButton(account)),
    el('p', { class: 'when' }, el('span', { class: `status status-${m.status}` }, t(`status.${m.status}`)), m.starts_at ? ` ${fmtDateTime(m.starts_at)}` : ''),
    life,
    el('div', { class: 'admin-grid' },
      el('div', null, links, kitCard(id, m), followUp, el('section', { class: 'card', 'aria-labelledby': 'staff-h' }, el('h2', { id: 'staff-h' }, t('admin.staff')), el('p', { class: 'hint' }, t('admin.staff_lead')), staffList, newLink, staffForm)),
      el('div', null, edit, el('section', { class: 'card', 'aria-labelledby': 'settings-h' }, el('h2', { id: 'settings-h' }, t('settings.title')), settingsForm(id, () => m)), snippets, reportCard(id, m.status, toast), dataCard)),
    el('div', { class: 'admin-grid plan-grid' }, planningCards(id, m)));
  document.title = `${m.title} · ${t('admin.title')}`;
}
