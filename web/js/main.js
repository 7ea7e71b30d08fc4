// @ts-check
// Entry point: pick the page from the path, load the locale, and hand over to that page's
// module (loaded on demand, so a citizen's phone never downloads the consoles). Nothing
// imports this module: it is only the page's script.

import { el, t, loadLocale, pickLang, $ } from './util.js';
import { client, isLogoUrl } from './client.js';

const path = location.pathname.replace(/\/+$/, '') || '/';
const m = path.match(/^\/m\/([0-9a-fA-F-]{36})(?:\/(staff|screen|poster|mine))?$/);

/** @param {string} id */
async function fetchMeeting(id) {
  try { return await client.meeting(id); } catch (_) { return null; }
}

const HEX = /^#[0-9a-f]{6}$/i;
/** A darker shade of #rrggbb (hover states keep their contrast). @param {string} hex */
function darker(hex) {
  /** @param {number} i */
  const n = (i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * 0.8).toString(16).padStart(2, '0');
  return `#${n(1)}${n(3)}${n(5)}`;
}

/** The meeting's organization on its pages: name and logo in the header, colours as CSS
 *  custom properties (set through CSSOM, which the CSP allows), privacy link in the footer.
 *  Every text goes in as text; URLs are checked again here (the server validated them).
 *  @param {{ name: string, primary_color?: string, accent_color?: string, logo_url?: string, privacy_url?: string } | null} o */
function brand(o) {
  if (!o) return;
  const root = document.documentElement.style;
  if (HEX.test(o.primary_color || '')) { root.setProperty('--brand', o.primary_color); root.setProperty('--brand-dark', darker(o.primary_color)); }
  if (HEX.test(o.accent_color || '')) root.setProperty('--accent', o.accent_color);
  const logo = isLogoUrl(o.logo_url) ? el('img', { class: 'brand-logo', src: o.logo_url, alt: '' }) : null;
  const b = $('.brand');
  if (b) b.replaceChildren(...[logo, el('span', null, o.name)].filter(Boolean));
  const foot = $('#foot');
  if (foot && /^(https:|mailto:)/i.test(o.privacy_url || '')) {
    foot.replaceChildren(el('a', { href: o.privacy_url, rel: 'noopener noreferrer' }, t('org.privacy', { name: o.name })));
  }
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
    // The language comes with the meeting (unless the reader has chosen one), and so does the
    // organization's branding.
    const meeting = await fetchMeeting(id);
    await loadLocale(pickLang(meeting && meeting.language));
    if (meeting) brand(meeting.organization);
    if (skip) skip.textContent = t('app.skip');
    if (m[2] === 'staff') (await import('./staff.js')).staffPage(id);
    else if (m[2] === 'screen') (await import('./screen.js')).screenPage(id, meeting);
    else if (m[2] === 'poster') (await import('./kit.js')).posterPage(id);
    else if (m[2] === 'mine') (await import('./mine.js')).minePage(id);
    else (await import('./meeting.js')).citizenPage(id, meeting);
  } else if (path === '/admin/invite') {
    await loadLocale(pickLang(null));
    if (skip) skip.textContent = t('app.skip');
    (await import('./orgs.js')).invitePage();
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
