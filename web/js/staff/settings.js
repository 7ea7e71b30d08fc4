// @ts-check
// The meeting's settings switches (pre-moderation, slow mode, auto-hold, keywords, report
// threshold, post length): in the moderator console's settings tab and on the organizer's
// meeting page. Each change is sent at once.

import { el, t, errorText } from '../util.js';
import { client } from '../client.js';
import { toast } from '../ui.js';

const SLOW_MODES = [0, 10, 30, 60, 120, 300];

/** @param {string} meetingId @param {() => import('../client.js').MeetingView} getMeeting */
export function settingsForm(meetingId, getMeeting) {
  const m = getMeeting();
  const s = m.settings;
  const err = el('p', { class: 'form-error', role: 'alert' });
  /** @param {Partial<import('../client.js').MeetingSettings>} body @param {string} [okKey] */
  const patch = async (body, okKey) => {
    err.textContent = '';
    try { await client.changeSettings(meetingId, body); toast(t(okKey || 'settings.saved')); } catch (x) { err.textContent = errorText(x); }
  };
  /** @param {string} id @param {string} key @param {boolean} value */
  const check = (id, key, value) => el('div', { class: 'switch' },
    el('input', { type: 'checkbox', id, role: 'switch', checked: !!value, onchange: (/** @type {Event} */ e) => patch({ [key]: /** @type {HTMLInputElement} */ (e.target).checked }) }),
    el('label', { for: id }, t(`settings.${key}`)));
  const slow = el('select', { id: 'set-slow', onchange: (/** @type {Event} */ e) => patch({ slow_mode_secs: Number(/** @type {HTMLSelectElement} */ (e.target).value) }) },
    SLOW_MODES.map((n) => el('option', { value: n, selected: s.slow_mode_secs === n }, n ? t('settings.seconds', { n }) : t('settings.off'))));
  if (!SLOW_MODES.includes(s.slow_mode_secs)) slow.prepend(el('option', { value: s.slow_mode_secs, selected: true }, t('settings.seconds', { n: s.slow_mode_secs })));
  const kw = el('textarea', { id: 'set-keywords', rows: '3' });
  kw.value = (s.keywords || []).join('\n');
  const threshold = el('input', { id: 'set-threshold', type: 'number', min: '1', max: '1000', value: s.report_threshold || 3 });
  const maxChars = el('input', { id: 'set-max', type: 'number', min: '1', max: '20000', value: s.max_body_chars });
  return el('div', { class: 'settings' },
    check('set-premod', 'premoderation', s.premoderation),
    el('div', { class: 'field' }, el('label', { for: 'set-slow' }, t('settings.slow_mode_secs')), slow),
    s.auto_hold_reports !== undefined ? check('set-autohold', 'auto_hold_reports', s.auto_hold_reports) : null,
    el('form', { class: 'small-form', onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      /** @type {Partial<import('../client.js').MeetingSettings>} */
      const body = { keywords: kw.value.split(/[\n,]/).map((x) => x.trim()).filter(Boolean), max_body_chars: Number(maxChars.value) };
      if (s.report_threshold !== undefined) body.report_threshold = Number(threshold.value);
      patch(body);
    } },
    el('label', { for: 'set-keywords' }, t('settings.keywords')), el('p', { class: 'hint' }, t('settings.keywords_hint')), kw,
    s.report_threshold !== undefined ? [el('label', { for: 'set-threshold' }, t('settings.report_threshold')), threshold] : null,
    el('label', { for: 'set-max' }, t('settings.max_body_chars')), maxChars,
    el('div', { class: 'row' }, el('button', { type: 'submit' }, t('settings.save')))),
    err);
}
