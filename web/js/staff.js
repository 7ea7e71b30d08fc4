// Moderator and panelist console (/m/<id>/staff). The staff link's secret arrives in the URL
// fragment (#key=...), is exchanged for a session cookie with a POST, and is then removed from
// the address bar. The console keeps every panel up to date from the live stream.

import { el, fill, t, api, errorText, fmtTime, takeFragment, announce, $, langSwitch } from './util.js';
import { Feed } from './live.js';
import { authorLine, answerBlock, replaceActions } from './posts.js';
import { StreamPanel, meetingInfo, connState, refreshConn, toast, topExtra, toggleSlot, smallForm } from './meeting.js';
import { assignedTo, assigneeLine, assignForm, snippetPicker } from './followup.js';

const HIDE_REASONS = ['abusive', 'off_topic', 'personal_data', 'spam', 'duplicate', 'other'];

/** A list of keyed items kept in the DOM: new items created, changed ones updated in place,
 *  order fixed by moving nodes (not while the user is working inside the list). */
class KeyedList {
  constructor(node, create, update) {
    this.node = node; this.create = create; this.update = update;
    this.nodes = new Map(); this.items = new Map();
    this.pendingOrder = null;
    this.ids = [];
    node.addEventListener('focusout', () => setTimeout(() => { if (this.pendingOrder && !node.contains(document.activeElement)) this.order(this.pendingOrder); }, 0));
  }

  sync(items) {
    const keep = new Set();
    for (const it of items) {
      keep.add(it.id);
      const node = this.nodes.get(it.id);
      if (!node) this.nodes.set(it.id, this.create(it));
      else if (this.items.get(it.id) !== it || node.dataset.v !== String(it.votes)) this.update(node, it);
      this.nodes.get(it.id).dataset.v = String(it.votes);
      this.items.set(it.id, it);
    }
    // When the item being worked on leaves the list (answered, hidden, approved ...), keyboard
    // focus goes to the item that takes its place (else the one before), not to the page top.
    let lostAt = -1;
    for (const [id, node] of this.nodes) {
      if (keep.has(id)) continue;
      if (node.contains(document.activeElement)) lostAt = this.ids.indexOf(id);
      node.remove(); this.nodes.delete(id); this.items.delete(id);
    }
    const ids = items.map((i) => i.id);
    if (lostAt >= 0) {
      const old = this.ids.slice(lostAt + 1).find((x) => this.nodes.has(x));
      const prev = this.ids.slice(0, lostAt).reverse().find((x) => this.nodes.has(x));
      const target = this.nodes.get(old !== undefined ? old : prev);
      this.ids = ids;
      this.order(ids);
      if (target) target.focus(); else if (this.onEmpty) this.onEmpty();
      return;
    }
    this.ids = ids;
    if (this.node.contains(document.activeElement)) {
      for (const id of ids) { const n = this.nodes.get(id); if (!n.isConnected) this.node.append(n); }
      this.pendingOrder = ids;
    } else this.order(ids);
  }

  order(ids) {
    this.pendingOrder = null;
    let ref = this.node.firstChild;
    for (const id of ids) {
      const n = this.nodes.get(id);
      if (!n) continue;
      if (n === ref) ref = ref.nextSibling; else this.node.insertBefore(n, ref);
    }
  }
}

function tabs(defs) {
  const bar = el('div', { class: 'tabs', role: 'tablist' });
  const panels = [];
  const buttons = defs.map((d, i) => {
    const b = el('button', { type: 'button', role: 'tab', id: `tab-${d.id}`, 'aria-controls': `panel-${d.id}`, 'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1', onclick: () => select(i) },
      d.label, d.badge ? el('span', { class: 'tab-badge', id: `badge-${d.id}` }) : null);
    const p = el('div', { role: 'tabpanel', id: `panel-${d.id}`, 'aria-labelledby': `tab-${d.id}`, class: 'tabpanel', hidden: i !== 0 }, d.node);
    panels.push(p);
    return b;
  });
  function select(i, focus = true) {
    buttons.forEach((b, j) => { b.setAttribute('aria-selected', i === j ? 'true' : 'false'); b.tabIndex = i === j ? 0 : -1; panels[j].hidden = i !== j; });
    if (focus) buttons[i].focus();
  }
  bar.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowRight') { e.preventDefault(); select((i + 1) % buttons.length); }
    if (e.key === 'ArrowLeft') { e.preventDefault(); select((i - 1 + buttons.length) % buttons.length); }
  });
  bar.append(...buttons);
  return { node: el('div', { class: 'tabbed' }, bar, ...panels), select };
}

/** Settings switches (moderator console and organizer page). */
export function settingsForm(meetingId, getMeeting) {
  const m = getMeeting();
  const s = m.settings;
  const err = el('p', { class: 'form-error', role: 'alert' });
  const patch = async (body, okKey) => {
    err.textContent = '';
    try { await api('PATCH', `/api/meetings/${meetingId}/settings`, body); toast(t(okKey || 'settings.saved')); } catch (x) { err.textContent = errorText(x); }
  };
  const check = (id, key, value) => el('div', { class: 'switch' },
    el('input', { type: 'checkbox', id, role: 'switch', checked: !!value, onchange: (e) => patch({ [key]: e.target.checked }) }),
    el('label', { for: id }, t(`settings.${key}`)));
  const slow = el('select', { id: 'set-slow', onchange: (e) => patch({ slow_mode_secs: Number(e.target.value) }) },
    [0, 10, 30, 60, 120, 300].map((n) => el('option', { value: n, selected: s.slow_mode_secs === n }, n ? t('settings.seconds', { n }) : t('settings.off'))));
  if (![0, 10, 30, 60, 120, 300].includes(s.slow_mode_secs)) slow.prepend(el('option', { value: s.slow_mode_secs, selected: true }, t('settings.seconds', { n: s.slow_mode_secs })));
  const kw = el('textarea', { id: 'set-keywords', rows: '3' });
  kw.value = (s.keywords || []).join('\n');
  const threshold = el('input', { id: 'set-threshold', type: 'number', min: '1', max: '1000', value: s.report_threshold || 3 });
  const maxChars = el('input', { id: 'set-max', type: 'number', min: '1', max: '20000', value: s.max_body_chars });
  return el('div', { class: 'settings' },
    check('set-premod', 'premoderation', s.premoderation),
    el('div', { class: 'field' }, el('label', { for: 'set-slow' }, t('settings.slow_mode_secs')), slow),
    s.auto_hold_reports !== undefined ? check('set-autohold', 'auto_hold_reports', s.auto_hold_reports) : null,
    el('form', { class: 'small-form', onsubmit: (e) => {
      e.preventDefault();
      const body = { keywords: kw.value.split(/[\n,]/).map((x) => x.trim()).filter(Boolean), max_body_chars: Number(maxChars.value) };
      if (s.report_threshold !== undefined) body.report_threshold = Number(threshold.value);
      patch(body);
    } },
    el('label', { for: 'set-keywords' }, t('settings.keywords')), el('p', { class: 'hint' }, t('settings.keywords_hint')), kw,
    s.report_threshold !== undefined ? [el('label', { for: 'set-threshold' }, t('settings.report_threshold')), threshold] : null,
    el('label', { for: 'set-max' }, t('settings.max_body_chars')), maxChars,
    el('div', { class: 'row' }, el('button', { type: 'submit' }, t('settings.save')))),
    err);
}

export async function staffPage(id) {
  const main = $('#main');
  topExtra(langSwitch(() => location.reload()));
  const key = takeFragment('key');
  if (key) {
    try {
      const r = await api('POST', '/api/staff-session', { key });
      if (r.meeting_id !== id) { location.replace(`/m/${r.meeting_id}/staff`); return; }
    } catch (e) {
      main.replaceChildren(el('h1', null, t('staff.title')), el('p', { class: 'error', role: 'alert' }, e.status === 404 ? t('staff.link_invalid') : errorText(e)));
      return;
    }
  }

  const page = el('div', { class: 'console' });
  main.replaceChildren(el('p', { class: 'loading' }, t('app.loading')));
  let role = null;
  let stream = null;
  let queue = null;
  let mod = null;
  const people = new Map(); // participant id -> {name, muted_until, banned}
  let syncQueued = false;
  const scheduleSync = () => {
    if (syncQueued) return;
    syncQueued = true;
    requestAnimationFrame(() => { syncQueued = false; if (queue) queue.sync(); if (mod) mod.sync(); });
  };

  const feed = new Feed(id, {
    hello: (f) => {
      if (f.audience !== 'staff' || !f.you) {
        feed.live.stop();
        main.replaceChildren(el('h1', null, t('staff.title')), el('p', { class: 'error', role: 'alert' }, t('staff.not_signed_in')), el('p', null, el('a', { href: `/m/${id}` }, t('staff.to_public'))));
        return;
      }
      if (!role) build(f.you.role);
    },
    // The settings tab is built before the snapshot (hello comes first): fill it now, or it
    // stays empty until somebody changes a setting.
    reset: (posts) => { renderHead(); stream.reset(posts); scheduleSync(); if (mod) mod.renderSettings(); },
    post: (p, old, live) => {
      stream.list.upsert(p, live);
      stream.empty.hidden = stream.list.nodes.size > 0;
      scheduleSync();
      if (live && p.status === 'pending' && (!old || old.status !== 'pending') && role === 'moderator') announce(t('announce.pending'));
    },
    remove: (pid) => { stream.list.remove(pid); scheduleSync(); },
    meeting: (m, old) => {
      renderHead();
      if (!old || old.status !== m.status) refreshConn(m);
      if (queue) queue.list.items.clear();
      if (old && old.on_air !== m.on_air) stream.list.setOnAir(old.on_air, m.on_air);
      stream.updateCounter();
      scheduleSync();
      if (mod && (!old || JSON.stringify(old.settings) !== JSON.stringify(m.settings))) mod.renderSettings();
    },
    counters: () => stream.updateCounter(),
    votes: (counts) => { for (const [pid, n] of counts) stream.list.setVotes(pid, n); scheduleSync(); },
    presence: (n) => stream.presence(n),
    event: (f) => {
      if (f.participant) { people.set(f.participant.participant_id, f.participant); scheduleSync(); }
    },
    state: (name, info) => connState(name, info, feed.meeting),
  });

  const headSlot = el('div', { class: 'console-head' });
  const onAirSlot = el('div', { class: 'on-air-slot', 'aria-live': 'polite' });

  function renderHead() {
    const m = feed.meeting;
    if (!m) return;
    document.title = `${t(`role.${role}`)} · ${m.title}`;
    const info = meetingInfo(m, { noVideo: true });
    const actions = el('div', { class: 'row wrap' },
      el('a', { href: `/m/${id}`, class: 'button secondary' }, t('staff.public_page')),
      el('a', { href: `/m/${id}/screen`, class: 'button secondary' }, t('staff.screen')));
    if (role === 'moderator') {
      if (m.status === 'draft' || m.status === 'scheduled') actions.append(el('button', { type: 'button', onclick: () => run(api('POST', `/api/meetings/${id}/open`), 'staff.opened') }, t('staff.open_meeting')));
      if (m.status !== 'closed') actions.append(confirmButton(t('staff.close_meeting'), t('staff.close_confirm'), () => run(api('POST', `/api/meetings/${id}/close`), 'staff.closed')));
    }
    info.append(actions);
    headSlot.replaceChildren(info);
    const p = m.on_air && feed.posts.get(m.on_air);
    fill(onAirSlot, el('section', { class: 'on-air-box', 'aria-labelledby': 'on-air-h' },
      el('h2', { id: 'on-air-h' }, t('question.on_air')),
      p ? [el('p', { class: 'meta' }, authorLine(p.author, p.source)), el('p', { class: 'body big' }, p.body || ''),
        role === 'moderator' ? el('button', { type: 'button', class: 'secondary', onclick: () => run(api('PUT', `/api/meetings/${id}/on-air`, { post: null })) }, t('mod.off_air')) : null]
        : el('p', { class: 'hint' }, t('staff.nothing_on_air'))));
  }

  async function run(promise, okKey) {
    try { const r = await promise; if (okKey) toast(t(okKey)); return r; } catch (e) { toast(errorText(e)); throw e; }
  }

  function build(r) {
    role = r;
    stream = new StreamPanel(feed, {
      staff: true,
      moderator: role === 'moderator',
      canVote: () => false,
      canReply: () => !!(feed.meeting && feed.meeting.status === 'open'),
      onAction: (action, p, data) => postAction(action, p, data),
    });
    queue = new QueuePanel();
    const defs = [{ id: 'queue', label: t('queue.title'), node: queue.node, badge: true }];
    if (role === 'moderator') {
      mod = new ModPanel();
      defs.push({ id: 'pending', label: t('mod.pending'), node: mod.pendingNode, badge: true },
        { id: 'reported', label: t('mod.reported'), node: mod.reportedNode, badge: true },
        { id: 'settings', label: t('settings.title'), node: mod.settingsNode },
        { id: 'room', label: t('room.title'), node: roomForm() });
    }
    defs.push({ id: 'notice', label: t('notice_form.title'), node: noticeForm() });
    const tabbed = tabs(defs);
    page.replaceChildren(
      el('div', { class: 'console-side' }, headSlot, onAirSlot, tabbed.node, shortcutsHelp()),
      el('div', { class: 'stream-col' }, stream.node));
    main.replaceChildren(el('p', { class: 'role-line' }, t('staff.signed_in_as', { name: feed.you.name, role: t(`role.${role}`) })), page);
    document.addEventListener('keydown', shortcuts);
  }

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

  function hideForm(p, close) {
    const reason = el('select', { id: `hide-reason-${p.id}` }, HIDE_REASONS.map((r) => el('option', { value: r }, t(`hide_reason.${r}`))));
    return smallForm({
      id: `hide-note-${p.id}`, label: t('mod.hide_note'), maxlength: 500, submit: t('mod.hide'), onclose: close,
      extra: el('div', null, el('label', { for: `hide-reason-${p.id}` }, t('mod.hide_reason')), reason),
      onsubmit: async (note) => { await run(api('POST', `/api/meetings/${id}/posts/${p.id}/hide`, { reason: reason.value, note: note || null }), 'mod.hidden_ok'); close(); },
    });
  }

  function personBox(p, close) {
    const pid = p.author.participant_id;
    const who = people.get(pid) || {};
    const b = (label, path, body, cls) => el('button', { type: 'button', class: cls || 'secondary', onclick: async () => { try { await run(api('POST', `/api/meetings/${id}/participants/${pid}/${path}`, body), 'mod.done'); close(); } catch (_) { /* shown */ } } }, label);
    const box = el('div', { class: 'person-box', role: 'group', 'aria-label': t('mod.person', { name: p.author.name }) },
      el('p', null, t('mod.person_lead', { name: p.author.name })),
      // The organizer erases a participant by this id when they ask for it (GDPR).
      el('p', { class: 'hint' }, t('mod.person_id'), ' ', el('code', { class: 'participant-id' }, pid)),
      el('div', { class: 'row wrap' },
        b(t('mod.mute', { n: 10 }), 'mute', { minutes: 10 }), b(t('mod.mute', { n: 60 }), 'mute', { minutes: 60 }),
        who.muted_until ? b(t('mod.unmute'), 'unmute') : null,
        who.banned ? b(t('mod.unban'), 'unban') : el('button', { type: 'button', class: 'danger', 'data-action': 'ban', onclick: (e) => confirmBan(e.currentTarget) }, t('mod.ban')),
        el('button', { type: 'button', class: 'link-button', onclick: close }, t('action.cancel'))));
    /** A ban throws a person out of the meeting: ask for the reason and a second click. */
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
        try { await run(api('POST', `/api/meetings/${id}/participants/${pid}/ban`, { reason: sel.value }), 'mod.done'); close(); } catch (_) { /* shown */ }
      });
      button.replaceWith(form);
      sel.focus();
    }
    return box;
  }

  async function postAction(action, p, data) {
    const list = stream.list;
    try {
      if (action === 'approve') await run(api('POST', `/api/meetings/${id}/posts/${p.id}/approve`), 'mod.done');
      else if (action === 'restore') await run(api('POST', `/api/meetings/${id}/posts/${p.id}/restore`), 'mod.done');
      else if (action === 'onair') await run(api('PUT', `/api/meetings/${id}/on-air`, { post: feed.meeting.on_air === p.id ? null : p.id }));
      else if (action === 'reject') {
        toggleSlot(list, p, data.button, (close) => smallForm({ id: `reject-${p.id}`, label: t('mod.reject_reason'), maxlength: 500, submit: t('mod.reject'), onclose: close,
          onsubmit: async (reason) => { await run(api('POST', `/api/meetings/${id}/posts/${p.id}/reject`, reason ? { reason } : {}), 'mod.done'); close(); } }));
      } else if (action === 'hide') toggleSlot(list, p, data.button, (close) => hideForm(p, close));
      else if (action === 'person') toggleSlot(list, p, data.button, (close) => personBox(p, close));
      else if (action === 'reply') {
        toggleSlot(list, p, data.button, (close) => smallForm({ id: `reply-${p.id}`, label: t('compose.reply_label', { name: p.author.name }), multiline: true, required: true, submit: t('compose.send_reply'), onclose: close,
          onsubmit: async (body) => { await run(api('POST', `/api/meetings/${id}/posts`, { kind: 'comment', body, parent: p.id })); close(); } }));
      }
    } catch (_) { /* shown by run */ }
  }

  /** The facilitator queue: open / mine / answered / all; sort by votes or age. */
  class QueuePanel {
    constructor() {
      this.view = 'open';
      this.sort = 'votes';
      const viewButtons = ['open', 'mine', 'assigned', 'answered', 'all'].map((v) => el('button', { type: 'button', class: 'chip', 'data-view': v, 'aria-pressed': v === this.view ? 'true' : 'false', onclick: () => {
        this.view = v; viewButtons.forEach((b) => b.setAttribute('aria-pressed', b.dataset.view === v ? 'true' : 'false')); this.sync();
      } }, t(`queue.view.${v}`)));
      const sortSel = el('select', { id: 'queue-sort', onchange: (e) => { this.sort = e.target.value; this.sync(); } },
        el('option', { value: 'votes' }, t('queue.sort.votes')), el('option', { value: 'age' }, t('queue.sort.age')));
      this.listNode = el('ol', { class: 'queue', 'aria-label': t('queue.title') });
      this.empty = el('p', { class: 'empty', tabindex: '-1' }, t('queue.empty'));
      this.list = new KeyedList(this.listNode, (q) => this.create(q), (n, q) => this.update(n, q));
      this.list.onEmpty = () => { this.empty.hidden = false; this.empty.focus(); };
      this.node = el('div', { class: 'queue-panel' },
        el('div', { class: 'row wrap' }, el('div', { class: 'filters', role: 'group', 'aria-label': t('queue.view.label') }, viewButtons),
          el('label', { for: 'queue-sort', class: 'inline' }, t('queue.sort.label')), sortSel),
        this.empty, this.listNode);
    }

    items() {
      const me = feed.you && feed.you.name;
      const out = [];
      for (const p of feed.posts.values()) {
        if (p.kind !== 'question' || p.status !== 'visible' || !p.question) continue;
        const s = p.question.state;
        if (this.view === 'open' && s !== 'open' && s !== 'claimed') continue;
        if (this.view === 'mine' && !(s === 'claimed' && p.question.claimed_by === me)) continue;
        if (this.view === 'assigned' && !((s === 'open' || s === 'claimed') && assignedTo(p, feed.you))) continue;
        if (this.view === 'answered' && s !== 'answered') continue;
        if (this.view === 'all' && s === 'merged') continue;
        out.push(p);
      }
      if (this.sort === 'votes') out.sort((a, b) => b.votes - a.votes || a.id - b.id); else out.sort((a, b) => a.id - b.id);
      return out;
    }

    sync() {
      const items = this.items();
      this.list.sync(items);
      this.empty.hidden = items.length > 0;
      let open = 0;
      for (const p of feed.posts.values()) if (p.kind === 'question' && p.status === 'visible' && p.question && (p.question.state === 'open' || p.question.state === 'claimed')) open += 1;
      const badge = $('#badge-queue');
      if (badge) badge.textContent = open ? ` ${open}` : '';
    }

    create(q) {
      const node = el('li', { class: 'q-item', tabindex: '0', 'data-id': q.id });
      node.append(el('div', { class: 'q-main' }), el('div', { class: 'actions' }), el('div', { class: 'slot' }));
      this.update(node, q);
      return node;
    }

    update(node, q) {
      const st = q.question.state;
      node.className = `q-item q-${st}${feed.meeting && feed.meeting.on_air === q.id ? ' on-air' : ''}`;
      node.setAttribute('aria-label', t('queue.item_label', { n: q.votes, body: (q.body || '').slice(0, 80) }));
      const main = el('div', { class: 'q-main' },
        el('p', { class: 'meta' }, authorLine(q.author, q.source), el('span', { class: 'votes' }, t('queue.votes', { n: q.votes })), el('time', { datetime: q.created_at }, fmtTime(q.created_at)), el('span', { class: 'ref' }, `#${q.id}`)),
        el('p', { class: 'body' }, q.body || ''),
        st === 'claimed' ? el('p', { class: 'state-line' }, t('question.claimed', { name: q.question.claimed_by || '' })) : null,
        assigneeLine(q.question),
        feed.meeting && feed.meeting.on_air === q.id ? el('p', { class: 'on-air-flag' }, t('question.on_air')) : null,
        st === 'answered' && q.question.answer ? answerBlock(q.question) : null);
      node.querySelector(':scope > .q-main').replaceWith(main);
      const a = el('div', { class: 'actions' });
      const b = (action, label, fn, cls) => el('button', { type: 'button', class: cls || 'secondary', 'data-action': action, onclick: (e) => fn(e.currentTarget) }, label);
      const mine = st === 'claimed' && q.question.claimed_by === feed.you.name;
      if (st === 'open') a.append(b('claim', t('queue.claim'), () => run(api('POST', `/api/meetings/${id}/questions/${q.id}/claim`))));
      if (st === 'claimed' && (mine || role === 'moderator')) a.append(b('release', t('queue.release'), () => run(api('POST', `/api/meetings/${id}/questions/${q.id}/release`))));
      if (st === 'open' || (st === 'claimed' && (mine || role === 'moderator'))) {
        a.append(b('answer', t('queue.answer'), (btn) => this.slotForm(node, btn, (close) => smallForm({ id: `answer-${q.id}`, label: t('queue.answer_label'), multiline: true, required: true, maxlength: 5000, submit: t('queue.answer_send'), onclose: close,
          extra: el('div', null, el('p', { class: 'hint' }, t('queue.answer_hint')), snippetPicker(id, `answer-${q.id}`)),
          onsubmit: async (body) => { await run(api('POST', `/api/meetings/${id}/questions/${q.id}/answer`, { body }), 'queue.answered_ok'); close(); } }))),
        b('live', t('queue.answer_live'), (btn) => this.slotForm(node, btn, (close) => {
          const who = liveWho(q);
          return smallForm({ id: `live-${q.id}`, label: t('queue.live_note'), maxlength: 500, submit: t('queue.live_send'), onclose: close, extra: who,
            onsubmit: async (note) => {
              const sel = who && who.querySelector('select');
              if (sel && !sel.value) { sel.focus(); throw Object.assign(new Error('panelist'), { code: 'field.panelist' }); }
              const body = { ...(note ? { note } : {}), ...(sel ? { panelist: sel.value } : {}) };
              await run(api('POST', `/api/meetings/${id}/questions/${q.id}/answer-live`, body), 'queue.answered_ok'); close();
            } });
        })));
      }
      if (st === 'open' || st === 'claimed') {
        if (role === 'moderator') a.append(b('assign', t('followup.assign'), (btn) => this.slotForm(node, btn, (close) => assignForm(id, q, feed, close, run)), 'link-button'));
        else if (!assignedTo(q, feed.you)) a.append(b('take', t('followup.take'), () => run(api('POST', `/api/meetings/${id}/questions/${q.id}/assign`, { panelist: feed.you.participant_id }), 'followup.assigned_ok'), 'link-button'));
      }
      if (role === 'moderator' && (st === 'open' || st === 'claimed')) {
        a.append(b('onair', feed.meeting && feed.meeting.on_air === q.id ? t('mod.off_air') : t('mod.on_air'), () => run(api('PUT', `/api/meetings/${id}/on-air`, { post: feed.meeting.on_air === q.id ? null : q.id }))),
          b('dismiss', t('queue.dismiss'), (btn) => this.slotForm(node, btn, (close) => smallForm({ id: `dismiss-${q.id}`, label: t('queue.dismiss_reason'), required: true, maxlength: 500, submit: t('queue.dismiss'), onclose: close,
            onsubmit: async (reason) => { await run(api('POST', `/api/meetings/${id}/questions/${q.id}/dismiss`, { reason }), 'mod.done'); close(); } })), 'link-button danger'),
          b('merge', t('queue.merge'), (btn) => this.slotForm(node, btn, (close) => this.mergeForm(q, close)), 'link-button'));
      }
      replaceActions(node, a);
    }

    slotForm(node, btn, build) {
      const slot = node.querySelector(':scope > .slot');
      const same = slot.dataset.for === btn.dataset.action && slot.firstChild;
      slot.replaceChildren(); delete slot.dataset.for;
      if (same) return;
      const close = () => { slot.replaceChildren(); delete slot.dataset.for; node.focus(); };
      const f = build(close);
      slot.dataset.for = btn.dataset.action;
      slot.append(f);
      const first = f.querySelector('textarea, input, select');
      if (first) first.focus();
    }

    mergeForm(q, close) {
      const targets = [...feed.posts.values()].filter((p) => p.id !== q.id && p.kind === 'question' && p.status === 'visible' && p.question && p.question.state !== 'merged');
      const sel = el('select', { id: `merge-${q.id}` }, targets.map((p) => el('option', { value: p.id }, `#${p.id} ${(p.body || '').slice(0, 60)}`)));
      const err = el('p', { class: 'form-error', role: 'alert' });
      return el('form', { class: 'small-form', onsubmit: async (e) => {
        e.preventDefault();
        try { await run(api('POST', `/api/meetings/${id}/questions/${q.id}/merge`, { into: Number(sel.value) }), 'mod.done'); close(); } catch (x) { err.textContent = errorText(x); }
      } }, el('label', { for: `merge-${q.id}` }, t('queue.merge_into')), sel,
      el('div', { class: 'row' }, el('button', { type: 'submit' }, t('queue.merge')), el('button', { type: 'button', class: 'link-button', onclick: close }, t('action.cancel'))), err);
    }
  }

  /** "Who answered?" for a live answer: the meeting's active panelists, preselected with the
   *  claimer if a panelist, else the panelist the question is routed to, else the one
   *  pressing if a panelist, else the only panelist. Null without panelists. */
  function liveWho(q) {
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

  /** Pending posts (pre-moderation, keywords, reports), reported posts, settings. */
  class ModPanel {
    constructor() {
      this.pendingList = el('ol', { class: 'mod-list', 'aria-label': t('mod.pending') });
      this.reportedList = el('ol', { class: 'mod-list', 'aria-label': t('mod.reported') });
      this.pendingEmpty = el('p', { class: 'empty', tabindex: '-1' }, t('mod.pending_empty'));
      this.reportedEmpty = el('p', { class: 'empty', tabindex: '-1' }, t('mod.reported_empty'));
      this.pending = new KeyedList(this.pendingList, (p) => this.create(p), (n, p) => this.update(n, p));
      this.reported = new KeyedList(this.reportedList, (p) => this.create(p), (n, p) => this.update(n, p));
      this.pending.onEmpty = () => { this.pendingEmpty.hidden = false; this.pendingEmpty.focus(); };
      this.reported.onEmpty = () => { this.reportedEmpty.hidden = false; this.reportedEmpty.focus(); };
      this.pendingNode = el('div', null, el('p', { class: 'hint' }, t('mod.pending_hint')), this.pendingEmpty, this.pendingList);
      this.reportedNode = el('div', null, this.reportedEmpty, this.reportedList);
      this.settingsNode = el('div');
      this.renderSettings();
    }

    renderSettings() {
      if (!feed.meeting || this.settingsNode.contains(document.activeElement)) return;
      fill(this.settingsNode, settingsForm(id, () => feed.meeting), this.peopleNode());
    }

    peopleNode() {
      const rows = [...people.entries()].filter(([, v]) => v.banned || (v.muted_until && new Date(v.muted_until) > new Date()));
      if (!rows.length) return null;
      return el('section', null, el('h3', null, t('mod.people')), el('ul', null, rows.map(([pid, v]) => el('li', null, v.name, ' ',
        v.banned ? t('mod.is_banned') : t('mod.is_muted', { time: fmtTime(v.muted_until) }), ' ',
        el('button', { type: 'button', class: 'link-button', onclick: () => run(api('POST', `/api/meetings/${id}/participants/${pid}/${v.banned ? 'unban' : 'unmute'}`), 'mod.done') }, v.banned ? t('mod.unban') : t('mod.unmute'))))));
    }

    sync() {
      const pend = []; const rep = [];
      for (const p of feed.posts.values()) {
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

    create(p) {
      const node = el('li', { class: 'mod-item', tabindex: '0', 'data-id': p.id });
      node.append(el('div', { class: 'q-main' }), el('div', { class: 'actions' }), el('div', { class: 'slot' }));
      this.update(node, p);
      return node;
    }

    update(node, p) {
      node.setAttribute('aria-label', (p.body || '').slice(0, 80));
      const parent = p.parent && feed.posts.get(p.parent);
      node.querySelector(':scope > .q-main').replaceWith(el('div', { class: 'q-main' },
        el('p', { class: 'meta' }, authorLine(p.author, p.source), el('span', { class: 'kind' }, t(`kind.${p.kind}`)), el('time', { datetime: p.created_at }, fmtTime(p.created_at))),
        parent ? el('p', { class: 'hint' }, t('mod.reply_to', { body: (parent.body || '').slice(0, 60) })) : null,
        el('p', { class: 'body' }, p.body || ''),
        p.status === 'pending' ? el('p', { class: 'state-line warn' }, t(`held.${p.held_reason || 'premoderation'}`)) : null,
        p.reports ? el('p', { class: 'state-line warn' }, t('post.reports', { n: p.reports })) : null));
      const b = (action, label, fn, cls) => el('button', { type: 'button', class: cls || 'secondary', 'data-action': action, onclick: (e) => fn(e.currentTarget) }, label);
      const a = el('div', { class: 'actions' });
      const slotForm = (btn, build) => queue.slotForm(node, btn, build);
      if (p.status === 'pending') {
        a.append(b('approve', t('mod.approve'), () => run(api('POST', `/api/meetings/${id}/posts/${p.id}/approve`), 'mod.done')),
          b('reject', t('mod.reject'), (btn) => slotForm(btn, (close) => smallForm({ id: `mreject-${p.id}`, label: t('mod.reject_reason'), maxlength: 500, submit: t('mod.reject'), onclose: close,
            onsubmit: async (reason) => { await run(api('POST', `/api/meetings/${id}/posts/${p.id}/reject`, reason ? { reason } : {}), 'mod.done'); close(); } })), 'danger'));
      }
      a.append(b('hide', t('mod.hide'), (btn) => slotForm(btn, (close) => hideForm(p, close)), p.status === 'pending' ? 'link-button' : 'danger'));
      if (p.author.participant_id && !p.author.verified) a.append(b('person', t('mod.person', { name: p.author.name }), (btn) => slotForm(btn, (close) => personBox(p, close)), 'link-button'));
      replaceActions(node, a);
    }
  }

  function roomForm() {
    const name = el('input', { id: 'room-name', type: 'text', maxlength: '40', autocomplete: 'off' });
    return smallForm({ id: 'room-body', label: t('room.body'), multiline: true, required: true, submit: t('room.send'),
      extra: el('div', null, el('label', { for: 'room-name' }, t('room.name')), name),
      onsubmit: async (body, form) => {
        await run(api('POST', `/api/meetings/${id}/room-questions`, { body, name: name.value.trim() || null }), 'room.sent');
        form.reset();
      } });
  }

  function noticeForm() {
    const pin = el('input', { type: 'checkbox', id: 'notice-pin' });
    const unpin = el('button', { type: 'button', class: 'link-button', onclick: () => run(api('DELETE', `/api/meetings/${id}/notices/pin`), 'mod.done') }, t('notice_form.unpin'));
    return el('div', null, el('p', { class: 'hint' }, t('notice_form.hint')), smallForm({ id: 'notice-body', label: t('notice_form.body'), multiline: true, required: true, maxlength: 5000, submit: t('notice_form.send'),
      extra: el('div', { class: 'switch' }, pin, el('label', { for: 'notice-pin' }, t('notice_form.pin'))),
      onsubmit: async (body, form) => {
        await run(api('POST', `/api/meetings/${id}/notices`, { body, pin: pin.checked }), 'notice_form.sent');
        form.reset();
      } }), unpin);
  }

  function shortcutsHelp() {
    return el('details', { class: 'shortcuts' }, el('summary', null, t('keys.title')),
      el('dl', null, ['next', 'claim', 'answer', 'live', 'release', 'onair', 'approve', 'reject', 'hide'].map((k) => [el('dt', null, el('kbd', null, t(`keys.${k}.key`))), el('dd', null, t(`keys.${k}.what`))])));
  }

  /** Hot keys act on the focused queue or moderation item (never while typing). */
  function shortcuts(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = document.activeElement && document.activeElement.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    const item = document.activeElement && document.activeElement.closest && document.activeElement.closest('.q-item, .mod-item');
    const k = e.key.toLowerCase();
    if (k === 'j' || k === 'k') {
      const all = [...document.querySelectorAll('.tabpanel:not([hidden]) .q-item, .tabpanel:not([hidden]) .mod-item')];
      if (!all.length) return;
      const i = item ? all.indexOf(item) : -1;
      const next = all[Math.max(0, Math.min(all.length - 1, k === 'j' ? i + 1 : i - 1))];
      e.preventDefault(); next.focus(); return;
    }
    if (!item) return;
    const map = { c: 'claim', w: 'answer', l: 'live', r: 'release', o: 'onair', a: 'approve', x: 'reject', h: 'hide' };
    const action = map[k];
    const btn = action && item.querySelector(`:scope > .actions [data-action="${action}"]`);
    if (btn) { e.preventDefault(); btn.click(); }
  }

  feed.start();
}
