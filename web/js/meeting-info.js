// @ts-check
// The top of a meeting page, the same on the citizen page and in the staff console: title,
// status and time, video, the countdown before the meeting, the archive and follow-up lines
// after it, the panel, and the description (server-sanitized Markdown).

import { el, t, fmtTime, fmtDateTime, fmtCountdown, safeHtml } from './util.js';
import { videoEmbed } from './video.js';

// The calendar link and the follow-up line live here, not in kit.js and followup.js (the
// organizer's kit card and follow-up tools): the citizen page needs only these two, and it
// has a weight budget (web/tests/scale.test.js).

/** The server's calendar file for a meeting, as a download link. */
export function calendarLink(id) {
  return el('a', { class: 'button secondary', href: `/m/${id}/meeting.ics`, download: '' }, t('kit.add_to_calendar'));
}

/** The follow-up line of a closed meeting: deadline, overdue, done. */
export function followUpLine(m, now = Date.now()) {
  const f = m && m.follow_up;
  if (!f || m.status !== 'closed') return null;
  const c = m.counters || { answered: 0, questions: 0, dismissed: 0 };
  const open = Math.max(0, c.questions - c.answered - (c.dismissed || 0));
  if (f.closed_at || open === 0) return el('p', { class: 'followup-line' }, t('followup.done'));
  const overdue = Date.parse(f.due) < now;
  return el('p', { class: `followup-line${overdue ? ' overdue' : ''}` },
    t(overdue ? 'followup.overdue' : 'followup.due', { date: fmtDateTime(f.due), n: open }));
}


/** The top of a meeting page: title, status and time, video, countdown, description, panel. */
/**
 * @param {import("./client.js").MeetingView} m
 * @param {{ cta?: HTMLElement, noVideo?: boolean }} [opts]
 */
export function meetingInfo(m, opts = {}) {
  const box = el('section', { class: 'info', 'aria-labelledby': 'meeting-title' });
  box.append(el('h1', { id: 'meeting-title' }, m.title));
  const when = m.starts_at ? fmtDateTime(m.starts_at) + (m.ends_at ? `–${fmtTime(m.ends_at)}` : '') : '';
  box.append(el('p', { class: 'when' }, el('span', { class: `status status-${m.status}` }, t(`status.${m.status}`)), when ? ' ' : null, when));
  if (opts.cta) box.append(opts.cta);
  const video = opts.noVideo ? null : videoEmbed(m.video_url);
  if (video) box.append(video);
  if ((m.status === 'scheduled' || m.status === 'draft') && m.starts_at) {
    const cd = el('p', { class: 'countdown' });
    const tick = () => {
      const ms = new Date(m.starts_at).getTime() - Date.now();
      cd.textContent = ms > 0 ? t('meeting.starts_in', { time: fmtCountdown(ms) }) : t('meeting.starting_soon');
    };
    tick();
    const timer = setInterval(() => { if (!cd.isConnected) clearInterval(timer); else tick(); }, 1000);
    box.append(el('div', { class: 'before' }, cd, el('p', null, t(m.status === 'scheduled' ? 'meeting.intake' : 'meeting.draft')), m.status === 'scheduled' ? calendarLink(m.id) : null));
  }
  if (m.status === 'closed') box.append(el('p', { class: 'archive-banner' }, t('meeting.closed_banner'), ' ', el('a', { href: `/m/${m.id}/archive` }, t('archive.open'))));
  if (m.status === 'closed') { const fu = followUpLine(m); if (fu) box.append(fu); }
  const panel = (m.staff || []).filter((s) => s.role === 'panelist' && !s.revoked);
  if (panel.length) {
    box.append(el('p', { class: 'panel' }, el('span', { class: 'label' }, t('meeting.panel')), ' ',
      panel.map((s, i) => [i ? ', ' : '', el('span', { class: 'panelist' }, s.name), s.role_line ? ` (${s.role_line})` : ''])));
  }
  if (m.description_html) {
    const d = el('details', { class: 'description', open: m.status !== 'open' || window.innerWidth > 900 },
      el('summary', null, t('meeting.about')), el('div', { class: 'prose' }));
    // Server-rendered, sanitized Markdown; parsed inertly (see util.safeHtml).
    d.querySelector('.prose').append(safeHtml(m.description_html));
    box.append(d);
  }
  return box;
}

