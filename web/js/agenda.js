// @ts-check
// The meeting's agenda as the pages show it: the ordered list with the current item marked
// (citizen page, staff console), the item's title for a post or poll, and the select that
// picks an item (the composer, the stream's and the queue's filters, moving a question).

import { el, t, fmtTime, safeHtml } from './util.js';

/** @typedef {import('./client.js').MeetingView} MeetingView */

/** The agenda's items, in order. @param {MeetingView | null | undefined} m */
export const agendaOf = (m) => (m && m.agenda) || [];

/** "2. Trafik" for an item id, or '' when it is unknown. @param {MeetingView | null | undefined} m @param {number | null | undefined} item */
export function itemLabel(m, item) {
  const items = agendaOf(m);
  const i = items.findIndex((x) => x.id === item);
  return i < 0 ? '' : `${i + 1}. ${items[i].title}`;
}

/**
 * A select of the agenda's items. `none`: the label of the empty first option (null: no such
 * option). The value is an item id as a string, '' for none.
 * @param {string} id @param {MeetingView} m @param {number | null | undefined} selected @param {string | null} none
 */
export function itemSelect(id, m, selected, none) {
  return el('select', { id },
    none === null ? null : el('option', { value: '' }, none),
    agendaOf(m).map((x, i) => el('option', { value: String(x.id), selected: x.id === selected }, `${i + 1}. ${x.title}${x.id === m.current_agenda_item ? ` (${t('agenda.now')})` : ''}`)));
}

/** The agenda for reading: an ordered list, the current item marked (aria-current), each
 *  item's planned time and description. Null without an agenda. @param {MeetingView} m */
export function agendaView(m) {
  const items = agendaOf(m);
  if (!items.length) return null;
  return el('section', { class: 'agenda', 'aria-labelledby': 'agenda-h' },
    el('h2', { id: 'agenda-h' }, t('agenda.title')),
    el('ol', { class: 'agenda-list' }, items.map((x) => {
      const now = x.id === m.current_agenda_item;
      return el('li', { class: now ? 'current' : null, 'aria-current': now ? 'true' : null },
        el('span', { class: 'agenda-title' }, x.title),
        now ? el('span', { class: 'badge now' }, t('agenda.now')) : null,
        x.planned_start ? el('time', { class: 'agenda-time', datetime: x.planned_start }, ` ${fmtTime(x.planned_start)}`) : null,
        x.description_html ? el('div', { class: 'prose agenda-desc' }, safeHtml(x.description_html)) : null);
    })));
}
