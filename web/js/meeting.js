// @ts-check
// The citizen's meeting page (mobile first): title, time, video, join form, the live stream
// with filters and the "answered N of M" counter, the composer, and personal notices.
// The top (meeting-info.js) and the stream (stream-panel.js) are shared with the staff console.

import { el, t, errorText, fmtTime, announce, reducedMotion, $, langSwitch, currentLang, safeHtml } from './util.js';
import { client } from './client.js';
import { Feed } from './live.js';
import { toast, connState, refreshConn, topExtra } from './ui.js';
import { toggleSlot, smallForm } from './forms.js';
import { meetingInfo } from './meeting-info.js';
import { StreamPanel } from './stream-panel.js';
import { agendaView, agendaOf, itemSelect, itemLabel } from './agenda.js';
import { PollCard } from './polls.js';

/** The meeting's privacy notice for the join form: a short text with the organization's
 *  privacy contact, and the full text (the organizer's own, or the default) behind a
 *  disclosure. Every value from the server goes in as text; the organizer's text is sanitized
 *  HTML, rebuilt node by node by safeHtml. */
function privacyNotice(n) {
  const org = n.organization || t('privacy.the_organizer');
  const contact = n.contact_url
    ? el('a', { href: n.contact_url, rel: 'noopener noreferrer', class: 'privacy-contact' }, n.contact)
    : el('span', { class: 'privacy-contact' }, n.contact || org);
  const full = el('div', { class: 'privacy-full' });
  if (n.custom_html) full.append(safeHtml(n.custom_html));
  else {
    for (const key of ['collect', 'why', 'optional', 'public', 'retention', 'erasure']) {
      full.append(el('p', null, t(`privacy.full_${key}`, { org, days: n.retention_days, n: n.retention_days })));
    }
  }
  full.append(el('p', null, t('privacy.contact'), ' ', contact.cloneNode(true)));
  return [
    el('h3', { id: 'privacy-h' }, t('privacy.title')),
    el('p', null, t('privacy.short', { org })),
    el('p', null, t('privacy.contact'), ' ', contact),
    el('details', null, el('summary', null, t('privacy.more')), full),
  ];
}

export async function citizenPage(id, initial) {
  const main = $('#main');
  const page = el('div', { class: 'meeting-page' });
  const infoSlot = el('div', { class: 'info-slot' });
  const pinnedSlot = el('div', { class: 'pinned-slot' });
  // Open polls on top (right under the title); closed ones with public results further down.
  const pollSlot = el('div', { class: 'poll-slot' });
  const closedPolls = el('div', { class: 'closed-polls' });
  const agendaSlot = el('div', { class: 'agenda-slot' });
  // The current agenda item near the top (on a phone the whole agenda is further down).
  const nowItem = el('p', { class: 'now-item', hidden: true });
  /** @type {Map<number, PollCard>} */
  const cards = new Map();
  const notices = el('div', { id: 'my-notices', class: 'my-notices', role: 'status', 'aria-live': 'polite' });
  const composer = el('div', { class: 'composer', id: 'composer', tabindex: '-1' });
  const mineSlot = el('div', { class: 'mine-slot' });
  // The one obvious way to take part, right under the title and time on the first screen:
  // it leads to the join form (or, once joined, the question field).
  const cta = el('button', { type: 'button', class: 'cta', id: 'cta', onclick: () => {
    // Before the stream's hello (it may take a few seconds behind a blocked WebSocket) the
    // composer can still be empty: draw it now rather than let the click do nothing.
    if (!composer.querySelector('#join-name, #compose-body')) renderComposer(true);
    /** @type {HTMLElement | null} */
    const field = composer.querySelector('#join-name, #compose-body');
    composer.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
    if (field) field.focus({ preventScroll: true });
  } });
  let composerMode = null;
  let stream = null;
  main.replaceChildren(page);
  topExtra(langSwitch(() => location.reload()));

  const feed = new Feed(id, {
    hello: () => { renderComposer(); for (const c of cards.values()) c.render(); },
    reset: (posts) => {
      renderInfo();
      stream.reset(posts);
      renderPinned();
      renderComposer();
      renderAgenda();
      renderPolls();
    },
    results: (poll) => { const c = cards.get(poll); if (c) c.renderResults(); },
    // Polls read over HTTP before the stream's first snapshot (live.js, Feed).
    polls: () => renderPolls(),
    post: (p, old, live) => {
      stream.list.upsert(p, live);
      stream.empty.hidden = stream.list.nodes.size > 0;
      if (p.id === (feed.meeting && feed.meeting.pinned_notice)) renderPinned();
      if (live && p.question && p.question.state === 'answered' && (!old || !old.question || old.question.state !== 'answered')) {
        announce(t('announce.answered', { q: (p.body || '').slice(0, 90) }));
      }
    },
    remove: (pid) => stream.list.remove(pid),
    meeting: (m, old) => {
      if (!old || old.title !== m.title || old.status !== m.status || old.description_html !== m.description_html || old.video_url !== m.video_url || old.starts_at !== m.starts_at || JSON.stringify(old.staff) !== JSON.stringify(m.staff)) renderInfo();
      if (old && old.on_air !== m.on_air) stream.list.setOnAir(old.on_air, m.on_air);
      if (!old || old.status !== m.status) refreshConn(m);
      if (!old || old.pinned_notice !== m.pinned_notice) renderPinned();
      stream.updateCounter();
      stream.updateAgenda();
      renderComposer();
      if (!old || JSON.stringify([old.agenda, old.current_agenda_item]) !== JSON.stringify([m.agenda, m.current_agenda_item])) { renderAgenda(); updateItemPicker(); }
      renderPolls();
    },
    counters: () => stream.updateCounter(),
    votes: (counts) => { for (const [pid, n] of counts) stream.list.setVotes(pid, n); },
    presence: (n) => stream.presence(n),
    notice: (f) => showNotice(f),
    state: (name, info) => connState(name, info, feed.meeting),
  }, initial || null);

  const canAct = () => !!(feed.you && !feed.you.banned && feed.meeting && feed.meeting.status !== 'closed' && feed.meeting.status !== 'draft');
  stream = new StreamPanel(feed, {
    staff: false,
    moderator: false,
    canVote: canAct,
    canReply: () => canAct() && feed.meeting.status === 'open',
    onAction: (action, p, data) => act(action, p, data),
  });
  // Phone order: what and when, how to take part, then the stream. Wide screens: the same
  // left column beside the stream.
  page.append(el('div', { class: 'side' }, infoSlot, nowItem, pollSlot, pinnedSlot, notices, composer, mineSlot, agendaSlot, closedPolls), el('div', { class: 'stream-col' }, stream.node));

  function renderAgenda() {
    const v = feed.meeting && agendaView(feed.meeting);
    if (v) agendaSlot.replaceChildren(v); else agendaSlot.replaceChildren();
    const now = feed.meeting && itemLabel(feed.meeting, feed.meeting.current_agenda_item);
    nowItem.hidden = !now;
    nowItem.replaceChildren(...(now ? [el('span', { class: 'label' }, t('agenda.now_line')), ' ', el('strong', null, now)] : []));
  }

  const canAnswer = () => !!(feed.you && feed.you.role === 'citizen' && !feed.you.banned && !(feed.you.muted_until && new Date(feed.you.muted_until) > new Date()));
  const joinHint = () => {
    if (feed.you) return el('p', { class: 'hint' }, t(feed.you.banned ? 'compose.banned' : feed.you.role !== 'citizen' ? 'poll.staff_cannot' : 'poll.muted'));
    return el('p', { class: 'hint' }, t('poll.join_first'), ' ', el('button', { type: 'button', class: 'link-button', onclick: () => cta.click() }, t('cta.join')));
  };

  /** One card per launched poll: the open ones on top, the closed ones whose results are
   *  public (or that this citizen answered) under "Afsluttede afstemninger". */
  function renderPolls() {
    const polls = (feed.meeting && feed.meeting.polls) || [];
    const seen = new Set();
    const open = [];
    const closed = [];
    for (const p of polls) {
      if (p.status === 'draft') continue;
      if (p.status === 'closed' && !p.results_public && !feed.answers.has(p.id)) continue;
      seen.add(p.id);
      let c = cards.get(p.id);
      if (!c) { c = new PollCard(id, p, feed, { canAnswer, joinHint }); cards.set(p.id, c); } else if (JSON.stringify(c.poll) !== JSON.stringify(p)) c.update(p);
      (p.status === 'open' ? open : closed).push(c.node);
    }
    for (const k of [...cards.keys()]) if (!seen.has(k)) cards.delete(k);
    const same = (box, nodes) => box.children.length === nodes.length && nodes.every((n, i) => box.children[i] === n);
    if (!same(pollSlot, open)) pollSlot.replaceChildren(...open);
    const list = closedPolls.querySelector('.closed-list');
    if (!closed.length) closedPolls.replaceChildren();
    else if (!list || !same(list, closed)) {
      closedPolls.replaceChildren(el('section', { 'aria-labelledby': 'closed-polls-h' }, el('h2', { id: 'closed-polls-h' }, t('poll.closed_title')), el('div', { class: 'closed-list' }, ...closed)));
    }
  }

  /** The composer's "under which agenda item" choice follows the current item until the
   *  citizen picks one. */
  let pickedItem = false;
  function updateItemPicker() {
    const slot = composer.querySelector('.item-pick');
    if (!slot) return;
    const sel = /** @type {HTMLSelectElement | null} */ (slot.querySelector('select'));
    const m = feed.meeting;
    if (!agendaOf(m).length) { slot.replaceChildren(); return; }
    const value = pickedItem && sel && agendaOf(m).some((x) => String(x.id) === sel.value) ? Number(sel.value) : m.current_agenda_item;
    // Without a choice the server files a question under the current item: "no item" is only
    // offered when there is no current one.
    const fresh = itemSelect('compose-item', m, value, m.current_agenda_item ? null : t('agenda.no_item'));
    fresh.addEventListener('change', () => { pickedItem = true; });
    const had = sel && document.activeElement === sel;
    slot.replaceChildren(el('label', { for: 'compose-item' }, t('agenda.ask_under')), fresh);
    if (had) fresh.focus();
  }

  function renderInfo() {
    if (!feed.meeting) return;
    document.title = `${feed.meeting.title} · borgermode`;
    infoSlot.replaceChildren(meetingInfo(feed.meeting, { cta }));
    renderCta();
  }

  function renderCta() {
    const md = mode();
    const key = { join: feed.meeting && feed.meeting.status === 'scheduled' ? 'cta.ask_before' : 'cta.join', ask: 'cta.ask_before', post: 'cta.ask' }[md];
    cta.hidden = !key;
    // On a wide screen the question field stands right below once joined: no second button.
    cta.classList.toggle('joined', md === 'post' || md === 'ask');
    if (key) cta.textContent = t(key);
  }

  function renderPinned() {
    const m = feed.meeting;
    const p = m && m.pinned_notice && feed.posts.get(m.pinned_notice);
    if (!p || p.status !== 'visible') { pinnedSlot.replaceChildren(); return; }
    pinnedSlot.replaceChildren(el('aside', { class: 'pinned', 'aria-label': t('meeting.pinned') },
      el('p', { class: 'meta' }, el('strong', null, t('meeting.pinned')), ' · ', p.author.name, p.author.role_line ? ` (${p.author.role_line})` : ''),
      el('p', { class: 'body' }, p.body)));
  }

  async function act(action, p, data) {
    try {
      if (action === 'vote') {
        const up = !feed.voted.has(p.id);
        if (up) feed.voted.add(p.id); else feed.voted.delete(p.id);
        stream.list.setVoted(p.id, up);
        try {
          const r = await client.vote(id, p.id, up);
          stream.list.setVotes(p.id, r.votes);
        } catch (e) {
          if (up) feed.voted.delete(p.id); else feed.voted.add(p.id);
          stream.list.setVoted(p.id, !up);
          throw e;
        }
      } else if (action === 'reply') {
        toggleSlot(stream.list, p, data.button, (close) => smallForm({
          id: `reply-${p.id}`, label: t('compose.reply_label', { name: p.author.name || '' }), multiline: true, required: true,
          maxlength: feed.meeting.settings.max_body_chars, submit: t('compose.send_reply'), onclose: close,
          onsubmit: async (body) => {
            const r = await client.createPost(id, { kind: 'comment', body, parent: p.id });
            close();
            if (r && r.status === 'pending') toast(t('compose.held'));
          },
        }));
      } else if (action === 'report') {
        toggleSlot(stream.list, p, data.button, (close) => smallForm({
          id: `report-${p.id}`, label: t('report.label'), maxlength: 500, submit: t('report.send'), onclose: close,
          onsubmit: async (reason) => {
            await client.reportPost(id, p.id, reason);
            close();
            toast(t('report.thanks'));
          },
        }));
      }
    } catch (e) { toast(errorText(e)); }
  }

  function showNotice(f) {
    const p = f.post;
    let text;
    if (f.kind === 'muted') text = t('notice.muted', { time: fmtTime(f.muted_until) });
    else if (f.kind === 'banned') text = t('notice.banned');
    else if (f.kind === 'question_dismissed') text = t('notice.question_dismissed', { reason: (p.question && p.question.dismissed_reason) || '' });
    else if (f.kind === 'post_hidden') text = t('notice.post_hidden', { reason: t(`hide_reason.${p.hidden_reason || 'other'}`) }) + (p.moderation_note ? ` ${t('post.moderation_note', { note: p.moderation_note })}` : '');
    else if (f.kind === 'post_rejected') text = t('notice.post_rejected') + (p.moderation_note ? ` ${t('post.moderation_note', { note: p.moderation_note })}` : '');
    else if (f.kind === 'post_held') text = t(`notice.post_held.${p.held_reason || 'premoderation'}`);
    else text = t(`notice.${f.kind}`);
    const item = el('div', { class: `notice notice-${f.kind}` }, el('p', null, text));
    const row = el('div', { class: 'row' });
    if (p && stream.list.nodes.has(p.id)) row.append(el('button', { type: 'button', class: 'link-button', onclick: () => stream.jump(p.id) }, t('notice.show')));
    row.append(el('button', { type: 'button', class: 'link-button', 'aria-label': t('notice.dismiss_label'), onclick: () => item.remove() }, t('notice.dismiss')));
    item.append(row);
    // One notice at a time (the newest): a pile of them pushed the composer off the phone's screen.
    notices.replaceChildren(item);
    if (f.kind === 'muted' || f.kind === 'banned') renderComposer(true);
  }

  function mode() {
    const m = feed.meeting;
    if (!m) return 'loading';
    if (m.status === 'closed') return 'closed';
    if (m.status === 'draft') return 'draft';
    if (!feed.you) return feed.audience === 'staff' ? 'staff' : 'join';
    if (feed.you.banned) return 'banned';
    if (feed.you.role !== 'citizen') return 'staff';
    if (feed.you.muted_until && new Date(feed.you.muted_until) > new Date()) return 'muted';
    return m.status === 'scheduled' ? 'ask' : 'post';
  }

  function renderComposer(force) {
    const md = mode();
    if (md === composerMode && !force) return;
    if (md === composerMode && force && (md === 'post' || md === 'ask') && composer.querySelector('textarea') && composer.querySelector('textarea').value) return;
    const typed = composer.querySelector('textarea');
    const keep = typed ? typed.value : '';
    composerMode = md;
    renderCta();
    if (md === 'loading') { composer.replaceChildren(); return; }
    if (md === 'closed') { composer.replaceChildren(el('p', { class: 'composer-note' }, t('compose.closed'))); return; }
    if (md === 'draft') { composer.replaceChildren(el('p', { class: 'composer-note' }, t('compose.draft'))); return; }
    if (md === 'banned') { composer.replaceChildren(el('p', { class: 'composer-note warn' }, t('compose.banned'))); return; }
    if (md === 'staff') { composer.replaceChildren(el('p', { class: 'composer-note' }, el('a', { href: `/m/${id}/staff` }, t('compose.to_console')))); return; }
    if (md === 'muted') {
      composer.replaceChildren(el('p', { class: 'composer-note warn' }, t('notice.muted', { time: fmtTime(feed.you.muted_until) })));
      const ms = new Date(feed.you.muted_until).getTime() - Date.now();
      setTimeout(() => renderComposer(true), Math.min(ms + 500, 2 ** 31 - 1));
      return;
    }
    if (md === 'join') { composer.replaceChildren(joinForm()); return; }
    const hadFocus = composer.contains(document.activeElement);
    composer.replaceChildren(postForm(md === 'ask'));
    updateItemPicker();
    const ta = composer.querySelector('textarea');
    if (keep) { ta.value = keep; ta.dispatchEvent(new Event('input')); }
    if (hadFocus) ta.focus();
  }

  function joinForm() {
    const name = el('input', { id: 'join-name', type: 'text', required: true, maxlength: '40', autocomplete: 'nickname' });
    const options = (key, values) => [el('option', { value: '' }, t('join.no_answer')), ...values.map((v) => el('option', { value: v }, t(`${key}.${v}`)))];
    const age = el('select', { id: 'join-age' }, options('age', ['under_18', '18_29', '30_44', '45_59', '60_74', '75_plus']));
    // "Vil ikke oplyse" (the empty first option) is the only way not to answer: a second,
    // differently worded one ("Ønsker ikke at svare") only confused.
    const gender = el('select', { id: 'join-gender' }, options('gender', ['woman', 'man', 'other']));
    const err = el('p', { class: 'form-error', role: 'alert' });
    const btn = el('button', { type: 'submit' }, t('join.submit'));
    const notice = el('section', { class: 'privacy-notice', 'aria-labelledby': 'privacy-h' });
    const why = el('p', { class: 'hint', id: 'join-why' }, t('join.why'));
    client.privacyNotice(id).then((n) => {
      notice.replaceChildren(...privacyNotice(n));
      // Say what is kept and for how long: "anonymous" alone would contradict the per-person
      // retention the privacy notice describes.
      if (n.retention_days) why.textContent = t('join.why_days', { days: n.retention_days, n: n.retention_days });
    }).catch(() => notice.remove());
    const form = el('form', { class: 'join-form', novalidate: true },
      el('h2', null, t('join.title')),
      el('p', { class: 'hint' }, t(feed.meeting.status === 'scheduled' ? 'join.lead_before' : 'join.lead')),
      // What is kept and why comes before the first field it is about (GDPR art. 13).
      notice,
      el('label', { for: 'join-name' }, t('join.name')), name,
      el('fieldset', { class: 'optional' }, el('legend', null, t('join.optional')),
        why,
        el('div', { class: 'pair tight' },
          el('div', null, el('label', { for: 'join-age' }, t('join.age')), age),
          el('div', null, el('label', { for: 'join-gender' }, t('join.gender')), gender))),
      btn, err);
    age.setAttribute('aria-describedby', 'join-why');
    gender.setAttribute('aria-describedby', 'join-why');
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!name.value.trim()) { err.textContent = t('error.name_empty'); name.focus(); return; }
      btn.disabled = true; err.textContent = '';
      try {
        const r = await client.join(id, { display_name: name.value.trim(), age_band: age.value || null, gender: gender.value || null });
        feed.you = r.you;
        for (const v of r.you.voted || []) feed.voted.add(v);
        // The posts already on screen were drawn for a visitor: now they can be voted on and
        // replied to (and one's own, from an earlier visit, cannot be upvoted).
        stream.list.refreshActions();
        // An open poll's card offers its form now, without waiting for the stream's hello.
        for (const c of cards.values()) c.render();
        // Reconnect (resuming) so that personal notices reach this page.
        feed.live.restart();
        renderComposer(true);
        const ta = composer.querySelector('textarea');
        if (ta) ta.focus();
        announce(t('join.done', { name: r.you.name }));
        if (r.my_questions_link) import('./mine.js').then((mine) => mineSlot.replaceChildren(mine.linkBox(r.my_questions_link)));
      } catch (x) { err.textContent = errorText(x); btn.disabled = false; name.focus(); }
    });
    return form;
  }

  function postForm(questionsOnly) {
    const max = feed.meeting.settings.max_body_chars;
    let kind = 'question';
    const body = el('textarea', { id: 'compose-body', rows: '3', maxlength: String(max), required: true, 'aria-describedby': 'compose-count' });
    const count = el('span', { id: 'compose-count', class: 'count' }, t('compose.count', { n: 0, max }));
    const label = el('label', { for: 'compose-body' }, t(questionsOnly ? 'compose.label_before' : 'compose.label_question'));
    const err = el('p', { class: 'form-error', role: 'alert' });
    const btn = el('button', { type: 'submit' }, t('compose.send_question'));
    const radio = (v) => el('label', { class: 'seg' }, el('input', { type: 'radio', name: 'kind', value: v, checked: v === kind, onchange: () => {
      kind = v; label.textContent = t(`compose.label_${v}`); btn.textContent = t(`compose.send_${v}`);
      body.dispatchEvent(new Event('input')); // the suggestions are for questions only
      /** @type {HTMLElement} */ (form.querySelector('.item-pick')).hidden = v !== 'question';
    } }), el('span', null, t(`kind.${v}`)));
    body.addEventListener('input', () => { count.textContent = t('compose.count', { n: body.value.length, max }); });
    // "Has someone asked this already?": the suggestions load with the first keystroke.
    const similarSlot = el('div', { class: 'similar-host' });
    const loadSimilar = () => {
      body.removeEventListener('input', loadSimilar);
      import('./similar.js').then((mod) => {
        similarSlot.replaceChildren(mod.suggestionBox({
          meetingId: id, body, voted: feed.voted,
          isQuestion: () => questionsOnly || kind === 'question',
          me: () => (feed.you ? feed.you.participant_id : null),
          onVoted: (post, votes) => { stream.list.setVoted(post, true); stream.list.setVotes(post, votes); },
        }));
        body.dispatchEvent(new Event('input'));
      }).catch(() => {});
    };
    body.addEventListener('input', loadSimilar);
    body.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
    const form = el('form', { class: 'post-form', novalidate: true },
      el('p', { class: 'as' }, t('compose.as', { name: feed.you.name })),
      questionsOnly ? null : el('fieldset', { class: 'segmented' }, el('legend', { class: 'visually-hidden' }, t('compose.kind')), radio('question'), radio('comment')),
      label, body, similarSlot, el('div', { class: 'item-pick' }), el('div', { class: 'row' }, btn, count), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = body.value.trim();
      if (!text) { err.textContent = t('error.empty'); body.focus(); return; }
      btn.disabled = true; err.textContent = '';
      try {
        const k = questionsOnly ? 'question' : kind;
        const sel = /** @type {HTMLSelectElement | null} */ (form.querySelector('#compose-item'));
        /** @type {{ kind: string, body: string, agenda_item?: number | null }} */
        const req = { kind: k, body: text };
        // A question goes under the item chosen (none chosen: the server files it under the current one).
        if (k === 'question' && sel && sel.value) req.agenda_item = Number(sel.value);
        const r = await client.createPost(id, req);
        body.value = '';
        count.textContent = t('compose.count', { n: 0, max });
        stream.toBottom(false);
        if (r && r.status === 'pending') toast(t('compose.held'));
      } catch (x) { err.textContent = errorText(x); } finally { btn.disabled = false; }
    });
    return form;
  }

  // The meeting read over HTTP shows at once: title, time and the way to take part do not wait
  // for the live stream (which may need a few seconds to fall back from a blocked WebSocket).
  if (feed.meeting) {
    renderInfo();
    stream.updateCounter();
    setTimeout(() => { if (composerMode === null || composerMode === 'loading') renderComposer(); }, 1500);
  }
  if (currentLang()) feed.start();
}
