// @ts-check
// Forms as every page builds them. Field-level errors: a message next to the field it is
// about, tied to it with aria-describedby and aria-invalid, instead of one generic sentence
// under the form. The server names the offending field in its problem+json (`field`); the
// page maps that name to its input. Every submit clears what the last one showed, so a stale
// error never survives a success. And the small pieces the pages share: a labelled field,
// the one-field form (reply, report, reasons), and the slot under a post it opens in.

import { el, t, has, errorText } from './util.js';

/** A label, an optional hint (id `<id>-hint`, for the input's aria-describedby) and the input.
 *  @param {string} id @param {string} label @param {HTMLElement} input @param {string} [hint] */
export function field(id, label, input, hint) {
  return el('div', { class: 'field' }, el('label', { for: id }, label), hint ? el('p', { class: 'hint', id: `${id}-hint` }, hint) : null, input);
}

/** Remove every field error shown in `form` (and its aria ties). @param {HTMLElement} form */
export function clearFieldErrors(form) {
  for (const p of form.querySelectorAll('.field-error')) {
    const input = form.querySelector(`[aria-describedby~="${p.id}"]`);
    if (input) {
      const rest = input.getAttribute('aria-describedby').split(/\s+/).filter((x) => x && x !== p.id);
      if (rest.length) input.setAttribute('aria-describedby', rest.join(' ')); else input.removeAttribute('aria-describedby');
      input.removeAttribute('aria-invalid');
    }
    p.remove();
  }
}

/** Show `message` under `input` and move the focus there.
 *  @param {HTMLElement} input @param {string} message */
export function showFieldError(input, message) {
  const id = `${input.id}-error`;
  let p = document.getElementById(id);
  if (!p) {
    p = el('p', { class: 'form-error field-error', id });
    input.after(p);
  }
  p.textContent = message;
  const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
  if (!ids.includes(id)) input.setAttribute('aria-describedby', [...ids, id].join(' '));
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

/** The sentence for a field problem: `error.field.<name>` when the locale has one.
 *  @param {string} name @param {{ code?: string } | null} [err] */
export function fieldMessage(name, err) {
  return has(`error.field.${name}`) ? t(`error.field.${name}`) : errorText(err);
}

/** Put an API error next to its field when the server named one this form has (`inputs`:
 *  server field name -> input); otherwise into `fallback` (the form's own error line).
 *  Returns whether it found the field.
 *  @param {{ code?: string, field?: string } | null} err @param {Record<string, HTMLElement>} inputs
 *  @param {HTMLElement | null} fallback */
export function showApiError(err, inputs, fallback) {
  const input = err && err.field && inputs[err.field];
  if (input) {
    showFieldError(input, fieldMessage(err.field, err));
    if (fallback) fallback.textContent = '';
    return true;
  }
  if (fallback) fallback.textContent = errorText(err);
  return false;
}

/** An inline form under a post (reply, report, ...): toggled by its button; one at a time.
 *  @param {import('./posts.js').PostList} list @param {{ id: number }} p @param {HTMLElement} button
 *  @param {(close: () => void) => HTMLElement} build */
export function toggleSlot(list, p, button, build) {
  const slot = list.slot(p.id);
  if (!slot) return;
  const open = slot.firstChild && slot.dataset.for === button.dataset.action;
  slot.replaceChildren();
  list.root.querySelectorAll('[aria-expanded="true"]').forEach((b) => { if (slot.parentNode.contains(b)) b.setAttribute('aria-expanded', 'false'); });
  if (open) { delete slot.dataset.for; button.focus(); return; }
  const close = () => {
    const had = slot.contains(document.activeElement);
    slot.replaceChildren(); delete slot.dataset.for; button.setAttribute('aria-expanded', 'false');
    if (button.isConnected) button.focus();
    else if (had) { const n = list.nodes.get(p.id); if (n) n.focus({ preventScroll: true }); } // the post changed meanwhile
  };
  const form = build(close);
  slot.dataset.for = button.dataset.action;
  slot.append(form);
  button.setAttribute('aria-expanded', 'true');
  /** @type {HTMLElement | null} */
  const first = form.querySelector('textarea, input, select');
  if (first) first.focus();
}

/**
 * @typedef {Object} SmallFormOptions
 * @property {string} id the field's id
 * @property {string} label
 * @property {boolean} [multiline] a text area instead of a line
 * @property {boolean} [required]
 * @property {number | string} [maxlength]
 * @property {string} submit the button's text
 * @property {(value: string, form: HTMLFormElement) => Promise<void>} onsubmit its error shows in the form
 * @property {() => void} [onclose] with it: a cancel button, and Escape
 * @property {HTMLElement | null} [extra] more inputs below the field
 * @property {string} [value]
 */

/** A one-field form: label, textarea/input, submit, error line. @param {SmallFormOptions} opts */
export function smallForm({ id, label, multiline, required, maxlength, submit, onsubmit, onclose, extra, value }) {
  const input = multiline
    ? el('textarea', { id, rows: '2', required, maxlength })
    : el('input', { id, type: 'text', required, maxlength, autocomplete: 'off' });
  if (value) input.value = value;
  const err = el('p', { class: 'form-error', role: 'alert' });
  const btn = el('button', { type: 'submit' }, submit);
  const form = el('form', { class: 'small-form', novalidate: true },
    el('label', { for: id }, label), input, extra || null,
    el('div', { class: 'row' }, btn, onclose ? el('button', { type: 'button', class: 'link-button', onclick: onclose }, t('action.cancel')) : null), err);
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && onclose) { e.preventDefault(); onclose(); }
    // Ctrl+Enter (Cmd+Enter) sends from a text area, as in the composer.
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target === input) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (required && !input.value.trim()) { err.textContent = t('error.empty'); input.focus(); return; }
    // A disabled button drops keyboard focus to the page top: keep it in the form (on the
    // input) while the command runs, so the list can move it on to the next item.
    if (document.activeElement === btn) input.focus({ preventScroll: true });
    btn.disabled = true; err.textContent = '';
    try { await onsubmit(input.value.trim(), form); } catch (x) { err.textContent = errorText(x); } finally { btn.disabled = false; }
  });
  return form;
}
