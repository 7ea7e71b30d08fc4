// @ts-check
// The agenda editor: add items (title, Markdown description, planned start), edit, move up
// and down, remove, and set the current item (the one new questions are filed under and the
// big screen shows). One implementation for two pages: the console's tab "Dagsorden"
// (moderators) and the organizer's meeting page (admin.js), which prepares the evening before
// it starts. Redrawn from the meeting view whenever the agenda changes; every change is a
// command, the staff stream brings the result.

import { el, t, fromZonedInput, toZonedInput, fmtTime, safeHtml } from '../util.js';
import { client } from '../client.js';
import { agendaOf } from '../agenda.js';

/** @typedef {import('../client.js').AgendaItemView} AgendaItemView */

export class AgendaPanel {
  /** @param {import('../live.js').EditorHost} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.key = '';
    /** @type {number | null} the item being edited */
    this.editing = null;
    this.list = el('ol', { class: 'agenda-edit', 'aria-label': t('agenda.title') });
    this.empty = el('p', { class: 'empty' }, t('agenda.empty'));
    this.node = el('div', { class: 'agenda-panel' }, this.empty, this.list,
      el('h3', null, t('agenda.add')), this.itemForm(null, (body) => ctx.run(client.addAgendaItem(ctx.id, body), 'agenda.added')));
  }

  /** The add / edit form. @param {AgendaItemView | null} item @param {(body: import('../client.js').AgendaItemRequest) => Promise<unknown>} save @param {() => void} [cancel] */
  itemForm(item, save, cancel) {
    const pre = item ? `ag-${item.id}` : 'ag-new';
    const title = el('input', { id: `${pre}-title`, type: 'text', maxlength: '200', required: true, autocomplete: 'off', value: item ? item.title : null });
    const desc = el('textarea', { id: `${pre}-desc`, rows: '2', maxlength: '2000' });
    if (item) desc.value = item.description;
    const when = el('input', { id: `${pre}-when`, type: 'datetime-local', value: item && item.planned_start ? toZonedInput(item.planned_start) : null });
    const err = el('p', { class: 'form-error', role: 'alert' });
    const form = el('form', { class: 'small-form agenda-form', novalidate: true },
      el('label', { for: title.id }, t('agenda.item_title')), title,
      el('label', { for: desc.id }, t('agenda.item_desc')), desc,
      el('label', { for: when.id }, t('agenda.item_when')), when,
      el('div', { class: 'row' }, el('button', { type: 'submit' }, t(item ? 'agenda.save' : 'agenda.add_button')), cancel ? el('button', { type: 'button', class: 'link-button', onclick: cancel }, t('action.cancel')) : null), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!title.value.trim()) { err.textContent = t('error.empty'); title.focus(); return; }
      err.textContent = '';
      try {
        await save({ title: title.value.trim(), description: desc.value.trim(), planned_start: fromZonedInput(when.value) });
        if (!item) { form.reset(); title.focus(); }
      } catch (_) { /* toasted */ }
    });
    return form;
  }

  sync() {
    const m = this.ctx.feed.meeting;
    if (!m) return;
    const items = agendaOf(m);
    const key = JSON.stringify([items, m.current_agenda_item, this.editing, m.status]);
    if (key === this.key) return;
    this.key = key;
    const focusAction = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    const { id, run } = this.ctx;
    this.empty.hidden = items.length > 0;
    this.list.replaceChildren(...items.map((x, i) => {
      const now = x.id === m.current_agenda_item;
      /** @param {string} action @param {string} label @param {() => unknown} fn @param {string} [cls] @param {boolean} [disabled] */
      const b = (action, label, fn, cls, disabled) => el('button', { type: 'button', class: cls || 'secondary', 'data-focus': `${action}-${x.id}`, disabled, onclick: fn }, label);
      const li = el('li', { class: now ? 'current' : null, 'aria-current': now ? 'true' : null },
        el('p', { class: 'agenda-line' }, el('strong', null, x.title), now ? el('span', { class: 'badge now' }, t('agenda.now')) : null,
          x.planned_start ? el('span', { class: 'meta' }, ` ${fmtTime(x.planned_start)}`) : null),
        // The description as citizens will read it, so the editor sees what the Markdown made.
        x.description_html && this.editing !== x.id ? el('div', { class: 'prose agenda-desc' }, safeHtml(x.description_html)) : null);
      if (this.editing === x.id) {
        li.append(this.itemForm(x, async (body) => { await run(client.editAgendaItem(id, x.id, body), 'agenda.saved'); this.editing = null; this.sync(); }, () => { this.editing = null; this.sync(); }));
      } else {
        li.append(el('div', { class: 'actions' },
          now ? b('current', t('agenda.unset_current'), () => run(client.setCurrentAgendaItem(id, null)))
            // The main action while the meeting runs; before it, one choice among the others.
            : b('current', t('agenda.set_current'), () => run(client.setCurrentAgendaItem(id, x.id), 'agenda.current_set'), m.status === 'open' ? 'primary' : 'secondary'),
          b('up', t('agenda.up'), () => run(client.moveAgendaItem(id, x.id, i - 1)), 'link-button', i === 0),
          b('down', t('agenda.down'), () => run(client.moveAgendaItem(id, x.id, i + 1)), 'link-button', i === items.length - 1),
          b('edit', t('agenda.edit'), () => { this.editing = x.id; this.sync(); const f = /** @type {HTMLElement | null} */ (this.list.querySelector(`#ag-${x.id}-title`)); if (f) f.focus(); }, 'link-button'),
          b('remove', t('agenda.remove'), () => run(client.removeAgendaItem(id, x.id), 'agenda.removed'), 'link-button danger')));
      }
      return li;
    }));
    if (focusAction) { const f = /** @type {HTMLElement | null} */ (this.list.querySelector(`[data-focus="${focusAction}"]:not([disabled])`)); if (f) f.focus(); }
  }
}
