// @ts-check
// The announcement kit in the browser: the kit card on the organizer's meeting page (calendar
// file, poster, ready-to-paste texts with copy buttons) and the printable A4 poster page
// (/m/{id}/poster). The texts and local times come from the server (GET /api/meetings/{id}/announcements), made in the
// installation's time zone, so the poster in the library says the same time as the press note.
// Every text from the server goes in as text. The citizen page's "add to calendar" link is
// in meeting-info.js, so this module stays off that page.

import { el, fill, t, errorText, copyText, currentLang, $ } from './util.js';
import { client, isLogoUrl } from './client.js';

const KINDS = ['facebook', 'press', 'radio'];

function whenIn(kit, lang) {
  return (kit.when || []).find((w) => w.language === lang) || (kit.when || [])[0] || { date: '', time: '' };
}

/** The kit card on the organizer's meeting page. */
export function kitCard(id, m) {
  const body = el('div', { class: 'kit-body', 'aria-live': 'polite' });
  const card = el('section', { class: 'card kit', id: 'kit', 'aria-labelledby': 'kit-h' },
    el('h2', { id: 'kit-h' }, t('kit.title')), el('p', { class: 'hint' }, t('kit.lead')), body);
  if (!m.starts_at) {
    body.append(el('p', { class: 'warn' }, t('kit.no_time')));
    return card;
  }
  body.append(el('p', { class: 'hint' }, t('kit.loading')));
  client.announcements(id).then((kit) => {
    const lang = el('select', { id: 'kit-lang' }, ['da', 'en'].map((l) => el('option', { value: l }, t(`lang.${l}`))));
    lang.value = currentLang() === 'en' ? 'en' : (m.language === 'en' ? 'en' : 'da');
    const texts = el('div', { class: 'kit-texts' });
    const show = () => {
      texts.replaceChildren(...KINDS.map((kind) => {
        const item = (kit.texts || []).find((x) => x.kind === kind && x.language === lang.value);
        const area = el('textarea', { id: `kit-${kind}`, readonly: true, rows: kind === 'radio' ? '4' : '10', class: 'kit-text' });
        area.value = item ? item.text : '';
        return el('div', { class: 'kit-item' },
          el('label', { for: `kit-${kind}` }, t(`kit.kind.${kind}`)), area,
          el('button', { type: 'button', class: 'secondary', 'data-kind': kind, onclick: (e) => copyText(area.value, e.currentTarget) }, t('kit.copy')));
      }));
    };
    lang.addEventListener('change', show);
    show();
    // fill(), not replaceChildren(): the DOM would print a null child as the text "null".
    fill(body,
      m.status === 'draft' ? el('p', { class: 'warn' }, t('kit.draft_hint')) : null,
      el('p', { class: 'kit-when' }, whenIn(kit, currentLang()).date, ' · ', whenIn(kit, currentLang()).time, ' ', el('span', { class: 'hint' }, `(${kit.time_zone})`)),
      el('div', { class: 'row wrap' },
        el('a', { class: 'button secondary', href: kit.calendar_url, download: '' }, t('kit.calendar_file')),
        el('a', { class: 'button secondary', href: kit.poster_url, id: 'kit-poster' }, t('kit.poster'))),
      el('h3', null, t('kit.texts')),
      el('div', { class: 'field' }, el('label', { for: 'kit-lang' }, t('kit.language')), lang),
      texts);
  }).catch((e) => body.replaceChildren(el('p', { class: 'error', role: 'alert' }, errorText(e))));
  return card;
}

/** The agenda on the poster: a numbered list with each item's planned local time (nothing
 *  without an agenda). */
function posterAgenda(kit, lang) {
  // An A4 page holds about eight lines; a longer agenda is cut (the link has the rest).
  const items = (kit.agenda || []).slice(0, 8);
  if (!items.length) return null;
  return el('section', { class: 'poster-agenda', 'aria-labelledby': 'poster-agenda-h' },
    el('h2', { id: 'poster-agenda-h' }, t('kit.poster.agenda')),
    el('ol', null, ...items.map((a) => {
      const when = (a.when || []).find((w) => w.language === lang) || (a.when || [])[0];
      return el('li', null, el('span', { class: 'poster-agenda-title' }, a.title), when ? el('span', { class: 'poster-agenda-time' }, ` ${when.time}`) : null);
    })));
}

/** /m/{id}/poster: one A4 page for the library, the town hall and the local paper. */
export async function posterPage(id) {
  document.body.classList.add('poster-mode');
  let kit;
  try {
    kit = await client.announcements(id);
  } catch (e) {
    const msg = e.status === 401 ? t('kit.poster.signin') : errorText(e);
    $('#main').replaceChildren(el('p', { class: 'error', role: 'alert' }, msg), el('p', null, el('a', { href: '/admin' }, t('kit.poster.to_admin'))));
    return;
  }
  const lang = currentLang();
  const when = whenIn(kit, lang);
  document.title = `${kit.title} · ${t('kit.poster')}`;
  const short = kit.short_link.replace(/^https?:\/\//, '');
  const logo = isLogoUrl(kit.logo_url) ? el('img', { class: 'poster-logo', src: kit.logo_url, alt: '' }) : null;
  const poster = el('article', { class: 'poster', 'aria-labelledby': 'poster-title' },
    el('header', { class: 'poster-org' }, logo, el('span', { class: 'poster-org-name' }, kit.organization_name)),
    el('p', { class: 'poster-kicker' }, t('kit.poster.kicker')),
    el('h1', { class: 'poster-title', id: 'poster-title' }, kit.title),
    el('p', { class: 'poster-when' }, el('span', { class: 'poster-date' }, when.date), el('span', { class: 'poster-time' }, t('kit.poster.time', { time: when.time }))),
    posterAgenda(kit, lang),
    el('div', { class: 'poster-join' },
      el('img', { class: 'poster-qr', src: kit.qr_url, alt: t('kit.poster.qr_alt'), width: '256', height: '256' }),
      el('div', { class: 'poster-join-text' },
        el('p', null, t('kit.poster.scan')),
        el('p', { class: 'poster-link' }, short))),
    el('p', { class: 'poster-how' }, t('kit.poster.how')),
    el('p', { class: 'poster-advance' }, t('kit.poster.advance')));
  const tools = el('div', { class: 'row wrap poster-tools' },
    el('button', { type: 'button', onclick: () => window.print() }, t('kit.poster.print')),
    el('a', { class: 'button secondary', href: `/admin?m=${id}` }, t('kit.poster.back')));
  $('#main').replaceChildren(tools, poster);
}
