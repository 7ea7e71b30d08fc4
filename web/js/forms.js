// Field-level errors for forms: a message next to the field it is about, tied to it with
// aria-describedby and aria-invalid, instead of one generic sentence under the form. The server
// names the offending field in its problem+json (`field`); the page maps that name to its
// input. Every submit clears what the last one showed, so a stale error never survives a
// success.

import { el, t, has, errorText } from './util.js';

/** Remove every field error shown in `form` (and its aria ties). */
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

/** Show `message` under `input` and move the focus there. */
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

/** The sentence for a field problem: `error.field.<name>` when the locale has one. */
export function fieldMessage(field, err) {
  return has(`error.field.${field}`) ? t(`error.field.${field}`) : errorText(err);
}

/** Put an API error next to its field when the server named one this form has (`inputs`:
 *  server field name -> input); otherwise into `fallback` (the form's own error line).
 *  Returns whether it found the field. */
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
