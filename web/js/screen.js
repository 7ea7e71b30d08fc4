// @ts-check
// Big-screen view for the hall of a hybrid meeting (/m/<id>/screen): the question now on air,
// the latest answered questions, the counters, and a QR code and short link to join.
// The screen is small (one question, three answers), so it is redrawn on each change. The
// current agenda item stands under the title; a poll staff put on the screen takes the
// place of the latest answers, with its live bars or word cloud (polls.js, no chart library).
// Under the answers, the meeting's topics: the words its questions share most (the server
// folds inflections and drops small words, GET .../topics), asked again after new questions.

import { el, fill, t, $, safeHtml } from './util.js';
import { client } from './client.js';
import { Feed } from './live.js';
import { connState, refreshConn } from './ui.js';
import { itemLabel } from './agenda.js';
import { resultsView, slots } from './polls.js';

/** @param {string} id @param {import('./client.js').MeetingView | null} [initial] the meeting as read over HTTP */
export function screenPage(id, initial = null) {
  document.body.classList.add('screen-mode');
  const main = $('#main');
  const short = `${location.host}/j/${id.replace(/-/g, '').slice(0, 8)}`;
  const onAir = el('section', { class: 'scr-onair', 'aria-labelledby': 'scr-onair-h' });
  const answered = el('section', { class: 'scr-answered', 'aria-labelledby': 'scr-answered-h' });
  const counters = el('p', { class: 'scr-counters' });
  const topicsBox = el('section', { class: 'scr-topics', 'aria-labelledby': 'scr-topics-h', hidden: true });
  const title = el('h1', { class: 'scr-title' });
  const item = el('p', { class: 'scr-item' });
  const pollBox = el('section', { class: 'scr-poll', 'aria-labelledby': 'scr-poll-h', hidden: true });
  const join = el('aside', { class: 'scr-join', 'aria-label': t('screen.join') },
    el('img', { src: `/m/${id}/qr.svg`, alt: t('screen.qr_alt'), width: '240', height: '240' }),
    el('p', { class: 'scr-join-text' }, t('screen.join')),
    el('p', { class: 'scr-link' }, short));
  main.replaceChildren(el('div', { class: 'screen' }, title, item, el('div', { class: 'scr-grid' }, el('div', { class: 'scr-main' }, pollBox, onAir, answered, topicsBox), el('div', { class: 'scr-side' }, join, counters))));

  // Topics: asked at start and at most every 10 s while questions arrive.
  let topicsTimer = 0;
  const drawTopics = async () => {
    topicsTimer = 0;
    let r;
    try { r = await client.topics(id); } catch (_) { return; } // the cloud is a nicety
    const top = r.topics || [];
    topicsBox.hidden = !top.length;
    const max = Math.max(1, ...top.map((x) => x.questions));
    fill(topicsBox, el('h2', { id: 'scr-topics-h' }, t('screen.topics')),
      el('ul', { class: 'scr-topic-list' }, top.map((x) => el('li', { class: `topic t${Math.min(5, Math.max(1, Math.ceil((x.questions * 5) / max)))}` }, x.word,
        el('span', { class: 'visually-hidden' }, ` (${t('screen.topic_questions', { n: x.questions })})`)))));
  };
  const topicsLater = () => { if (!topicsTimer) topicsTimer = window.setTimeout(drawTopics, 10000); };
  drawTopics();

  let queued = false;
  const draw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; render(); });
  };

  function render() {
    const m = feed.meeting;
    if (!m) return;
    document.title = `${m.title} · ${t('screen.title')}`;
    title.textContent = m.title;
    const now = itemLabel(m, m.current_agenda_item);
    item.textContent = now ? t('screen.now_item', { item: now }) : '';
    item.hidden = !now;
    const poll = m.poll_on_screen ? (m.polls || []).find((x) => x.id === m.poll_on_screen) : null;
    pollBox.hidden = !poll;
    answered.hidden = !!poll;
    // A poll on the screen with no question on air: the poll has the screen to itself.
    onAir.hidden = !!poll && !(m.on_air && feed.posts.get(m.on_air));
    if (poll) {
      const r = feed.results.get(poll.id);
      const labels = slots(poll);
      fill(pollBox, el('p', { class: 'scr-poll-status' }, t(`poll.status.${poll.status}`), poll.status === 'open' ? [' · ', t('screen.answer_on_phone')] : null),
        el('h2', { id: 'scr-poll-h', class: 'scr-poll-q' }, poll.question),
        poll.results_public ? resultsView(poll, r, { big: true })
          : [labels && poll.kind.type !== 'scale' ? el('ol', { class: 'scr-options' }, labels.map((x) => el('li', null, x))) : null,
            el('p', { class: 'scr-empty' }, t(poll.results_shown === 'after_close' ? 'poll.results_after_close' : 'poll.results_staff_only'))]);
    }
    const p = m.on_air && feed.posts.get(m.on_air);
    fill(onAir, el('h2', { id: 'scr-onair-h' }, t('question.on_air')),
      p ? el('blockquote', { class: 'scr-question' }, el('p', null, p.body || ''), el('footer', null, p.author.name || t(p.source === 'room' ? 'post.from_room_anonymous' : 'post.anonymous')))
        : el('p', { class: 'scr-empty' }, t(m.status === 'closed' ? 'screen.closed' : 'screen.ask')));
    const done = [...feed.posts.values()].filter((q) => q.question && q.question.state === 'answered' && q.question.answer && q.status === 'visible')
      .sort((a, b) => Date.parse(b.question.answer.at) - Date.parse(a.question.answer.at)).slice(0, 3);
    fill(answered, el('h2', { id: 'scr-answered-h' }, t('screen.latest_answers')),
      done.length ? el('ol', null, done.map((q) => {
        const a = q.question.answer;
        return el('li', null, el('p', { class: 'scr-q' }, q.body || ''),
          el('div', { class: 'scr-a' }, el('p', { class: 'scr-by' }, t(a.mode === 'live' ? 'answer.live_by' : 'answer.written_by', { name: a.by.name })),
            a.html ? el('div', { class: 'scr-a-body' }, safeHtml(a.html)) : null, a.note ? el('p', null, a.note) : null));
      })) : el('p', { class: 'scr-empty' }, t('screen.no_answers')));
    const c = m.counters;
    fill(counters, el('span', { class: 'big' }, t('counter.answered', { a: c.answered, n: c.questions })), el('br'),
      t('counter.participants', { n: c.participants }), feed.watching ? [' · ', t('stream.watching', { n: feed.watching + 1 })] : null);
  }

  // Drawn from the meeting read over HTTP at once (with the polls and results read over HTTP
  // if a poll runs, live.js), then from the stream.
  const feed = new Feed(id, {
    reset: draw, post: (p) => { draw(); if (p && p.kind === 'question') topicsLater(); }, results: draw, polls: draw, remove: draw, meeting: (m, old) => { if (!old || old.status !== m.status) refreshConn(m); draw(); }, counters: draw, presence: draw, state: (n, i) => connState(n, i, feed.meeting),
  }, initial);
  draw();
  feed.start();
}
