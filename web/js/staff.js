// @ts-check
// Moderator and panelist console (/m/<id>/staff). The staff link's secret arrives in the URL
// fragment (#key=...), is exchanged for a session cookie with a POST, and is then removed from
// the address bar. The console keeps every panel up to date from the live stream. This file
// is the page: the session, the live feed, the head (meeting, open/close, on air) and the
// layout; the panels are in staff/ (queue, moderation, settings, room and notice forms, tabs,
// hot keys).

import { el, fill, t, announce, $, langSwitch } from './util.js';
import { client } from './client.js';
import { Feed } from './live.js';
import { authorLine } from './posts.js';
import { connState, refreshConn, topExtra, signInFromLink, runCommand } from './ui.js';
import { meetingInfo } from './meeting-info.js';
import { StreamPanel } from './stream-panel.js';
import { tabs } from './staff/tabs.js';
import { QueuePanel } from './staff/queue.js';
import { ModPanel, postAction } from './staff/moderation.js';
import { roomForm, noticeForm } from './staff/compose.js';
import { shortcuts, shortcutsHelp } from './staff/shortcuts.js';
import { AgendaPanel } from './staff/agenda.js';
import { PollsPanel } from './staff/polls.js';

/**
 * What the console's panels share: the meeting, its live feed, the viewer's role, the people
 * staff have muted or banned (from the staff stream's events), and `run`, which toasts a
 * command's outcome (and rethrows a failure, so a form can keep its text).
 * @typedef {Object} Console
 * @property {string} id the meeting
 * @property {Feed} feed
 * @property {string | null} role moderator or panelist, once the stream said hello
 * @property {Map<string, { name: string, muted_until?: string | null, banned?: boolean }>} people
 * @property {(promise: Promise<any>, okKey?: string) => Promise<any>} run
 */

/** @param {string} id */
export async function staffPage(id) {
  const main = $('#main');
  topExtra(langSwitch(() => location.reload()));
  if (!(await signInFromLink(id, 'staff', 'staff'))) return;

  const page = el('div', { class: 'console' });
  main.replaceChildren(el('p', { class: 'loading' }, t('app.loading')));
  /** @type {StreamPanel | null} */
  let stream = null;
  /** @type {QueuePanel | null} */
  let queue = null;
  /** @type {ModPanel | null} */
  let mod = null;
  /** @type {AgendaPanel | null} */
  let agenda = null;
  /** @type {PollsPanel | null} */
  let polls = null;
  let syncQueued = false;
  const scheduleSync = () => {
    if (syncQueued) return;
    syncQueued = true;
    requestAnimationFrame(() => { syncQueued = false; if (queue) queue.sync(); if (mod) mod.sync(); if (agenda) agenda.sync(); if (polls) polls.sync(); });
  };

  const feed = new Feed(id, {
    hello: (f) => {
      if (f.audience !== 'staff' || !f.you) {
        feed.live.stop();
        main.replaceChildren(el('h1', null, t('staff.title')), el('p', { class: 'error', role: 'alert' }, t('staff.not_signed_in')), el('p', null, el('a', { href: `/m/${id}` }, t('staff.to_public'))));
        return;
      }
      if (!ctx.role) build(f.you.role);
    },
    // The settings tab is built before the snapshot (hello comes first): fill it now, or it
    // stays empty until somebody changes a setting.
    reset: (posts) => { renderHead(); stream.reset(posts); scheduleSync(); if (mod) mod.renderSettings(); },
    post: (p, old, live) => {
      stream.list.upsert(p, live);
      stream.empty.hidden = stream.list.nodes.size > 0;
      scheduleSync();
      if (live && p.status === 'pending' && (!old || old.status !== 'pending') && ctx.role === 'moderator') announce(t('announce.pending'));
    },
    remove: (pid) => { stream.list.remove(pid); scheduleSync(); },
    meeting: (m, old) => {
      renderHead();
      if (!old || old.status !== m.status) refreshConn(m);
      if (queue) queue.list.items.clear();
      if (old && old.on_air !== m.on_air) stream.list.setOnAir(old.on_air, m.on_air);
      stream.updateCounter();
      stream.updateAgenda();
      scheduleSync();
      if (mod && (!old || JSON.stringify(old.settings) !== JSON.stringify(m.settings))) mod.renderSettings();
    },
    counters: () => stream.updateCounter(),
    votes: (counts) => { for (const [pid, n] of counts) stream.list.setVotes(pid, n); scheduleSync(); },
    presence: (n) => stream.presence(n),
    results: (poll) => { if (polls) polls.results(poll); },
    event: (f) => {
      if (f.participant) { ctx.people.set(f.participant.participant_id, f.participant); scheduleSync(); }
    },
    state: (name, info) => connState(name, info, feed.meeting),
  });

  const run = runCommand;

  /** @type {Console} */
  const ctx = { id, feed, role: null, people: new Map(), run };

  const headSlot = el('div', { class: 'console-head' });
  const onAirSlot = el('div', { class: 'on-air-slot', 'aria-live': 'polite' });

  function renderHead() {
    const m = feed.meeting;
    if (!m) return;
    const { role } = ctx;
    document.title = `${t(`role.${role}`)} · ${m.title}`;
    const info = meetingInfo(m, { noVideo: true });
    const actions = el('div', { class: 'row wrap' },
      el('a', { href: `/m/${id}`, class: 'button secondary' }, t('staff.public_page')),
      el('a', { href: `/m/${id}/screen`, class: 'button secondary' }, t('staff.screen')));
    if (role === 'moderator') {
      if (m.status === 'draft' || m.status === 'scheduled') actions.append(el('button', { type: 'button', onclick: () => run(client.openMeeting(id), 'staff.opened') }, t('staff.open_meeting')));
      if (m.status !== 'closed') actions.append(confirmButton(t('staff.close_meeting'), t('staff.close_confirm'), () => run(client.closeMeeting(id), 'staff.closed')));
    }
    info.append(actions);
    headSlot.replaceChildren(info);
    const p = m.on_air && feed.posts.get(m.on_air);
    fill(onAirSlot, el('section', { class: 'on-air-box', 'aria-labelledby': 'on-air-h' },
      el('h2', { id: 'on-air-h' }, t('question.on_air')),
      p ? [el('p', { class: 'meta' }, authorLine(p.author, p.source)), el('p', { class: 'body big' }, p.body || ''),
        role === 'moderator' ? el('button', { type: 'button', class: 'secondary', onclick: () => run(client.setOnAir(id, null)) }, t('mod.off_air')) : null]
        : el('p', { class: 'hint' }, t('staff.nothing_on_air'))));
  }

  /** @param {string} r the viewer's role */
  function build(r) {
    ctx.role = r;
    stream = new StreamPanel(feed, {
      staff: true,
      moderator: r === 'moderator',
      canVote: () => false,
      canReply: () => !!(feed.meeting && feed.meeting.status === 'open'),
      onAction: (action, p, data) => postAction(ctx, stream.list, action, p, data),
    });
    queue = new QueuePanel(ctx);
    /** @type {import('./staff/tabs.js').TabDef[]} */
    const defs = [{ id: 'queue', label: t('queue.title'), node: queue.node, badge: true }];
    if (r === 'moderator') {
      mod = new ModPanel(ctx);
      defs.push({ id: 'pending', label: t('mod.pending'), node: mod.pendingNode, badge: true },
        { id: 'reported', label: t('mod.reported'), node: mod.reportedNode, badge: true },
        { id: 'polls', label: t('poll.tab'), node: (polls = new PollsPanel(ctx)).node },
        { id: 'agenda', label: t('agenda.title'), node: (agenda = new AgendaPanel(ctx)).node },
        { id: 'settings', label: t('settings.title'), node: mod.settingsNode },
        { id: 'room', label: t('room.title'), node: roomForm(ctx) });
    }
    defs.push({ id: 'notice', label: t('notice_form.title'), node: noticeForm(ctx) });
    const tabbed = tabs(defs);
    page.replaceChildren(
      el('div', { class: 'console-side' }, headSlot, onAirSlot, tabbed.node, shortcutsHelp()),
      el('div', { class: 'stream-col' }, stream.node));
    main.replaceChildren(el('p', { class: 'role-line' }, t('staff.signed_in_as', { name: feed.you.name, role: t(`role.${r}`) })), page);
    document.addEventListener('keydown', shortcuts);
  }

  /** A button that asks for a second click within five seconds (closing the meeting).
   *  @param {string} label @param {string} confirmLabel @param {() => Promise<unknown>} action */
  function confirmButton(label, confirmLabel, action) {
    const b = el('button', { type: 'button', class: 'danger' }, label);
    let armed = false;
    b.addEventListener('click', async () => {
      if (!armed) { armed = true; b.textContent = confirmLabel; setTimeout(() => { armed = false; if (b.isConnected) b.textContent = label; }, 5000); return; }
      armed = false;
      try { await action(); } catch (_) { /* shown */ }
    });
    return b;
  }

  feed.start();
}
