// @ts-check
// The page chrome every page shares, apart from what it shows: the toast, the connection
// pill in the header (#conn), the header's extra slot (#top-extra), and the sign-in of a page
// opened from a staff or personal link. Pages import it from here, not from one another, so
// no page module depends on another page.

import { el, t, errorText, takeFragment, $ } from './util.js';
import { client } from './client.js';

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

/** A command's outcome as a toast: `okKey`'s text when it succeeded, the error when not (then
 *  rethrown, so a form can keep what was typed). The console's panels and the organizer's
 *  agenda and poll cards run every command through it.
 *  @template T @param {Promise<T>} promise @param {string} [okKey] @returns {Promise<T>} */
export async function runCommand(promise, okKey) {
  try { const r = await promise; if (okKey) toast(t(okKey)); return r; } catch (e) { toast(errorText(e)); throw e; }
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

/**
 * A page opened from a staff or personal link (`#key=...`): trade the secret for a session
 * cookie (POST, so it never reaches a server log or a Referer; takeFragment removes it from
 * the address bar). A link of another meeting goes to that meeting's page. Returns whether the
 * page may go on: false after that redirect, or when the link was refused (said on the page).
 * Without a key there is nothing to trade: the cookie of an earlier visit may still hold.
 * @param {string} id the meeting of this page
 * @param {'staff' | 'mine'} page
 * @param {string} prefix locale prefix of the page's `title` and `link_invalid` strings
 */
export async function signInFromLink(id, page, prefix) {
  const key = takeFragment('key');
  if (!key) return true;
  try {
    const r = await client.linkSession(key);
    if (r.meeting_id !== id) { location.replace(`/m/${r.meeting_id}/${page}`); return false; }
    return true;
  } catch (e) {
    $('#main').replaceChildren(el('h1', null, t(`${prefix}.title`)), el('p', { class: 'error', role: 'alert' }, e.status === 404 ? t(`${prefix}.link_invalid`) : errorText(e)));
    return false;
  }
}
