// Entry point: pick the page from the path, load the locale, and hand over to that page's
// module (loaded on demand, so a citizen's phone never downloads the consoles).

import { el, t, loadLocale, pickLang, api, $ } from './util.js';

const path = location.pathname.replace(/\/+$/, '') || '/';
const m = path.match(/^\/m\/([0-9a-fA-F-]{36})(?:\/(staff|screen))?$/);

async function meetingLang(id) {
  try { const meeting = await api('GET', `/api/meetings/${id}`); return meeting.language; } catch (_) { return null; }
}

export function setConn(text, cls) {
  const c = $('#conn');
  if (!c) return;
  c.textContent = text;
  c.className = `conn ${cls || ''}`;
}

async function home() {
  await loadLocale(pickLang(null));
  document.title = t('app.name');
  $('#main').replaceChildren(
    el('h1', null, t('home.title')),
    el('p', { class: 'lead' }, t('home.lead')),
    el('p', null, t('home.how')),
    el('p', null, el('a', { href: '/admin' }, t('home.organizer'))));
}

async function start() {
  const skip = $('#skip');
  if (m) {
    const id = m[1].toLowerCase();
    // The language comes with the meeting; read it only when the reader has not chosen one.
    let stored = null;
    try { stored = localStorage.getItem('bm_lang'); } catch (_) { /* blocked */ }
    await loadLocale(pickLang(stored ? null : await meetingLang(id)));
    if (skip) skip.textContent = t('app.skip');
    if (m[2] === 'staff') (await import('./staff.js')).staffPage(id);
    else if (m[2] === 'screen') (await import('./screen.js')).screenPage(id);
    else (await import('./meeting.js')).citizenPage(id);
  } else if (path === '/admin') {
    await loadLocale(pickLang(null));
    if (skip) skip.textContent = t('app.skip');
    (await import('./admin.js')).adminPage();
  } else {
    await home();
    if (skip) skip.textContent = t('app.skip');
  }
}

start().catch((e) => {
  $('#main').replaceChildren(el('p', { class: 'error', role: 'alert' }, String(e && e.message ? e.message : e)));
});
