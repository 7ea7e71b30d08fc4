// @ts-check
// What the console itself posts: a question from the hall typed in by the moderator (room
// question, with the asker's name if given), and a notice from staff, optionally pinned above
// the stream (and the button to unpin it).

import { el, t } from '../util.js';
import { client } from '../client.js';
import { smallForm } from '../forms.js';

/** @param {import('../staff.js').Console} ctx */
export function roomForm({ id, run }) {
  const name = el('input', { id: 'room-name', type: 'text', maxlength: '40', autocomplete: 'off' });
  return smallForm({ id: 'room-body', label: t('room.body'), multiline: true, required: true, submit: t('room.send'),
    extra: el('div', null, el('label', { for: 'room-name' }, t('room.name')), name),
    onsubmit: async (body, form) => {
      await run(client.roomQuestion(id, body, name.value.trim() || null), 'room.sent');
      form.reset();
    } });
}

/** @param {import('../staff.js').Console} ctx */
export function noticeForm({ id, run }) {
  const pin = el('input', { type: 'checkbox', id: 'notice-pin' });
  const unpin = el('button', { type: 'button', class: 'link-button', onclick: () => run(client.unpinNotice(id), 'mod.done') }, t('notice_form.unpin'));
  return el('div', null, el('p', { class: 'hint' }, t('notice_form.hint')), smallForm({ id: 'notice-body', label: t('notice_form.body'), multiline: true, required: true, maxlength: 5000, submit: t('notice_form.send'),
    extra: el('div', { class: 'switch' }, pin, el('label', { for: 'notice-pin' }, t('notice_form.pin'))),
    onsubmit: async (body, form) => {
      await run(client.postNotice(id, body, pin.checked), 'notice_form.sent');
      form.reset();
    } }), unpin);
}
