// @ts-check
// The page chrome every page shares, apart from what it shows: the toast, the connection
// pill in the header (#conn) and the header's extra slot (#top-extra). Pages import it from
// here, not from one another, so no page module depends on another page.

import { t, $ } from './util.js';

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/** A short message over the page (role=alert), gone after six seconds.
 *  @param {string} msg */
export function toast(msg) {
  const box = $('#toast');
  if (!box) return;
  box.textContent = msg;
  box.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.classList.remove('show'); box.textContent = ''; }, 6000);
}

/** The pill's text and look (`ok`, `busy`, `bad`, or none).
 *  @param {string} text @param {string} [cls] */
export function setConn(text, cls) {
  const c = $('#conn');
  if (!c) return;
  c.textContent = text;
  c.className = `conn ${cls || ''}`;
}

/** @typedef {'connecting' | 'catching_up' | 'live' | 'waiting' | 'failed'} ConnName */
/** @typedef {{ status: string }} HasStatus */

/** Connection state in the header (a status region: changes are read out politely).
 *  @type {[ConnName, any]} */
let lastConn = ['connecting', null];

/** Say the connection state again after the meeting changed (opened, closed).
 *  @param {HasStatus | null} meeting */
export function refreshConn(meeting) { connState(lastConn[0], lastConn[1], meeting); }

/** @param {ConnName} name @param {any} info `{ms}` while waiting @param {HasStatus | null} meeting */
export function connState(name, info, meeting) {
  lastConn = [name, info];
  // "● Live" reads as "the meeting is live": say it only for an open meeting. Before and after
  // the meeting a working connection needs no word; trouble is always shown.
  if (name === 'live') { if (!meeting || meeting.status === 'open') setConn(t('conn.live'), 'ok'); else setConn('', ''); }
  else if (name === 'connecting') setConn(t('conn.connecting'), 'busy');
  else if (name === 'catching_up') setConn(t('conn.catching_up'), 'busy');
  else if (name === 'waiting') setConn(t('conn.waiting', { n: Math.max(1, Math.round(info.ms / 1000)) }), 'bad');
  else if (name === 'failed') setConn(t('conn.failed'), 'bad');
}

/** Put nodes into the header's extra slot (the language switch).
 *  @param {...Node} nodes */
export function topExtra(...nodes) {
  const slot = $('#top-extra');
  if (slot) slot.replaceChildren(...nodes);
}
