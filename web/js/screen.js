// @ts-check
// Big-screen view for the hall of a hybrid meeting (/m/<id>/screen): the question now on air,
// the latest answered questions, the counters, and a QR code and short link to join.
// The screen is small (one question, three answers), so it is redrawn on each change.

import { el, fill, t, $, safeHtml } from './util.js';
import { Feed } from './live.js';
import { connState, refreshConn } from './ui.js';

export function screenPage(id) {
  document.body.classList.add('screen-mode');
  const main = $('#main');
  const short = `${location.host}/j/${id.replace(/-/g, '').slice(0, 8)}`;
  const onAir = el('section', { class: 'scr-onair', 'aria-labelledby': 'scr-onair-h' });
  const answered = el('section', { class: 'scr-answered', 'aria-labelledby': 'scr-answered-h' });
  const counters = el('p', { class: 'scr-counters' });
  const title = el('h1', { class: 'scr-title' });
  const join = el('aside', { class: 'scr-join', 'aria-label': t('screen.join') },
    el('img', { src: `/m/${id}/qr.svg`, alt: t('screen.qr_alt'), width: '240', height: '240' }),
    el('p', { class: 'scr-join-text' }, t('screen.join')),
    el('p', { class: 'scr-link' }, short));
  main.replaceChildren(el('div', { class: 'screen' }, title, el('div', { class: 'scr-grid' }, el('div', { class: 'scr-main' }, onAir, answered), el('div', { class: 'scr-side' }, join, counters))));

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

  const feed = new Feed(id, {
    reset: draw, post: draw, remove: draw, meeting: (m, old) => { if (!old || old.status !== m.status) refreshConn(m); draw(); }, counters: draw, presence: draw, state: (n, i) => connState(n, i, feed.meeting),
  });
  feed.start();
}
