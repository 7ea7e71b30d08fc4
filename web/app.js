// Minimal borgermode page (the full web client replaces it): join, post, follow the live
// stream, and the staff/admin link exchanges. User text is only ever inserted as text.
const main = document.getElementById('main');
const conn = document.getElementById('conn');
const announcer = document.getElementById('announcer');

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
}

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (method !== 'GET') headers['Idempotency-Key'] = crypto.randomUUID();
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(data && data.detail ? `${data.detail} (${data.code})` : res.statusText);
  return data;
}

function showError(target, err) { target.replaceChildren(el('p', { class: 'error', role: 'alert' }, err.message)); }

async function adminPage() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { await api('POST', '/api/admin/session', { token: decodeURIComponent(m[1]) }); history.replaceState(null, '', '/admin'); }
  const out = el('div');
  const title = el('input', { id: 'title', required: '' });
  const form = el('form', { onsubmit: async (e) => {
    e.preventDefault();
    try { const r = await api('POST', '/api/meetings', { title: title.value }); location.href = `/m/${r.meeting_id}`; } catch (err) { showError(out, err); }
  } }, el('label', { for: 'title' }, 'Title of the new meeting'), title, el('button', {}, 'Create meeting'));
  main.replaceChildren(el('h1', {}, 'Organizer'), form, out);
  try {
    const list = await api('GET', '/api/meetings');
    main.append(el('ul', {}, ...list.map((m) => el('li', {}, el('a', { href: `/m/${m.id}` }, m.title), ` (${m.status})`))));
  } catch (err) { showError(out, err); }
}

function renderPost(p, posts) {
  const box = el('article', { class: p.parent ? 'post reply' : 'post', id: `post-${p.id}` });
  const author = el('span', {}, p.author.name || (p.source === 'room' ? 'Fra salen' : ''));
  const meta = el('div', { class: 'meta' }, author, ' ');
  if (p.author.verified) meta.append(el('span', { class: 'badge' }, `✓ ${p.author.role_line || p.author.role}`), ' ');
  meta.append(`${p.kind} #${p.id} · ▲ ${p.votes}`);
  box.append(meta);
  if (p.status === 'hidden' && !p.body) box.append(el('p', { class: 'tombstone' }, `hidden by a moderator: ${p.hidden_reason}`));
  else if (p.body) box.append(el('p', {}, p.body));
  if (p.question && p.question.answer) {
    const a = el('div', { class: 'answer' }, el('div', { class: 'meta' }, `answered ${p.question.answer.mode} by ${p.question.answer.by.name}`));
    if (p.question.answer.note) a.append(el('p', {}, p.question.answer.note));
    // Written answers arrive as server-sanitized HTML; parse it inertly, then move the nodes.
    if (p.question.answer.html) a.append(...new DOMParser().parseFromString(p.question.answer.html, 'text/html').body.childNodes);
    box.append(a);
  } else if (p.question) box.append(el('div', { class: 'meta' }, `question: ${p.question.state}${p.question.dismissed_reason ? ` (${p.question.dismissed_reason})` : ''}`));
  return box;
}

async function meetingPage(id) {
  const staffKey = location.hash.match(/key=([^&]+)/);
  if (staffKey) { await api('POST', '/api/staff-session', { key: decodeURIComponent(staffKey[1]) }); history.replaceState(null, '', `/m/${id}`); }
  const state = { seq: 0, posts: new Map(), meeting: null };
  const head = el('div'); const counters = el('p', { class: 'counter' }); const list = el('section', { 'aria-label': 'Comments and questions' });
  const out = el('div');
  const name = el('input', { id: 'name', maxlength: '40', required: '' });
  const joinForm = el('form', { onsubmit: async (e) => { e.preventDefault(); try { await api('POST', `/api/meetings/${id}/join`, { display_name: name.value }); joinForm.hidden = true; postForm.hidden = false; } catch (err) { showError(out, err); } } },
    el('label', { for: 'name' }, 'Your display name'), name, el('button', {}, 'Join'));
  const body = el('textarea', { id: 'body', rows: '3', required: '' });
  const kind = el('select', { id: 'kind' }, el('option', { value: 'question' }, 'Question'), el('option', { value: 'comment' }, 'Comment'));
  const postForm = el('form', { hidden: '', onsubmit: async (e) => { e.preventDefault(); try { await api('POST', `/api/meetings/${id}/posts`, { kind: kind.value, body: body.value }); body.value = ''; out.replaceChildren(); } catch (err) { showError(out, err); } } },
    el('label', { for: 'body' }, 'Your question or comment'), body, kind, el('button', {}, 'Send'));
  main.replaceChildren(head, counters, joinForm, postForm, out, list);
  try { await api('GET', `/api/meetings/${id}/me`); joinForm.hidden = true; postForm.hidden = false; } catch (_) { /* not joined yet */ }

  function redraw() {
    const m = state.meeting;
    if (m) {
      head.replaceChildren(el('h1', {}, m.title), el('p', { class: 'meta' }, `${m.status}${m.starts_at ? ' · ' + new Date(m.starts_at).toLocaleString() : ''}`));
      counters.textContent = `Answered ${m.counters.answered} of ${m.counters.questions} questions · dismissed ${m.counters.dismissed}`;
    }
    list.replaceChildren(...[...state.posts.values()].sort((a, b) => (a.parent || a.id) - (b.parent || b.id) || a.id - b.id).filter((p) => p.status === 'visible' || p.status === 'hidden').map((p) => renderPost(p, state.posts)));
  }
  function onFrame(f) {
    if (f.t === 'snapshot') { state.seq = f.seq; state.meeting = f.meeting; state.posts = new Map(f.posts.map((p) => [p.id, p])); }
    else if (f.t === 'event') {
      if (f.seq <= state.seq) return;
      state.seq = f.seq;
      for (const p of f.posts || []) state.posts.set(p.id, p);
      if (f.meeting) state.meeting = f.meeting;
      if (f.counters && state.meeting) state.meeting.counters = f.counters;
      if (f.type === 'question_answered') announcer.textContent = 'A question was answered';
    } else if (f.t === 'votes') { for (const [id, n] of f.counts) { const p = state.posts.get(id); if (p) p.votes = n; } }
    else if (f.t === 'notice') announcer.textContent = `Notice: ${f.kind}`;
    redraw();
  }
  let delay = 500;
  function connect() {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/api/meetings/${id}/live${state.seq ? `?since=${state.seq}` : ''}`);
    ws.onopen = () => { conn.textContent = 'live'; delay = 500; };
    ws.onmessage = (m) => onFrame(JSON.parse(m.data));
    ws.onclose = () => { conn.textContent = 'reconnecting…'; setTimeout(connect, delay); delay = Math.min(delay * 2, 10000); };
  }
  connect();
}

const path = location.pathname;
const m = path.match(/^\/m\/([0-9a-f-]{36})/);
if (path === '/admin') adminPage().catch((e) => showError(main, e));
else if (m) meetingPage(m[1]).catch((e) => showError(main, e));
else main.replaceChildren(el('h1', {}, 'borgermode'), el('p', {}, 'Live digital town meetings. Open the link to a meeting you were given, or the organizer admin link.'));
