// @ts-check
// Helpers shared by every page: DOM building (user text only ever as text), locale strings,
// times, and the screen-reader announcer (HTTP calls are in client.js). No UI text lives in
// the code: every string comes from /static/locales/<lang>.json through t().

/** @type {Record<string, string | Record<string, string>>} */
let strings = {};
let lang = 'da';
const LANGS = ['da', 'en'];

export function currentLang() { return lang; }

/** The language to show: the reader's own choice, else the meeting's, else Danish.
 *  @param {string | null | undefined} meetingLang @returns {string} */
export function pickLang(meetingLang) {
  let stored = null;
  try { stored = localStorage.getItem('bm_lang'); } catch (_) { /* storage blocked */ }
  if (LANGS.includes(stored)) return stored;
  return LANGS.includes(meetingLang) ? meetingLang : 'da';
}

/** @param {string} l */
export function rememberLang(l) {
  try { localStorage.setItem('bm_lang', l); } catch (_) { /* storage blocked */ }
}

/** @param {string} l @returns {Promise<string>} the language loaded */
export async function loadLocale(l) {
  if (!LANGS.includes(l)) l = 'da';
  const res = await fetch(`/static/locales/${l}.json`);
  strings = await res.json();
  lang = l;
  document.documentElement.lang = l;
  return l;
}

/** @type {{ rules: Intl.PluralRules, lang: string } | null} */
let pr = null;
function plural() { if (!pr || pr.lang !== lang) pr = { rules: new Intl.PluralRules(lang), lang }; return pr.rules; }

/** A string from the locale file; {name} placeholders filled from vars; {n} picks plural forms.
 *  @param {string} key @param {Record<string, unknown>} [vars] @returns {string} */
export function t(key, vars) {
  let s = strings[key];
  if (s === undefined) return key;
  if (typeof s === 'object') {
    const n = vars && typeof vars.n === 'number' ? vars.n : 0;
    s = s[plural().select(n)] ?? s.other;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  return s;
}

/** @param {string} key */
export function has(key) { return strings[key] !== undefined; }

/** What el() and fill() take as children: text, nodes, nested arrays; null and false skipped.
 *  @typedef {Node | string | number | boolean | null | undefined | any[]} Child */

/** Build an element. attrs: class, text, on<event>, boolean (true = present), others as attributes.
 *  @template {keyof HTMLElementTagNameMap} K
 *  @param {K} tag @param {Record<string, any> | null} [attrs] @param {...Child} children
 *  @returns {HTMLElementTagNameMap[K]} */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
  }
  append(e, children);
  return e;
}

/** Replace a node's children (same child rules as el: text, nodes, arrays; null skipped).
 *  @template {Element} E @param {E} node @param {...Child} children @returns {E} */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** @param {ParentNode} parent @param {Child[]} children */
function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** The first element matching `sel` (an HTMLElement: the pages query their own markup).
 *  @param {string} sel @param {ParentNode} [root] @returns {HTMLElement | null} */
export const $ = (sel, root = document) => root.querySelector(sel);

/** Answer and description HTML is sanitized by the server; parse it inertly and keep an
 *  allowlist anyway (defence in depth), then return a fragment of this document. */
const ALLOWED = new Set(['P', 'BR', 'STRONG', 'EM', 'B', 'I', 'A', 'UL', 'OL', 'LI', 'CODE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR', 'DEL', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD']);
/** @param {string | null | undefined} html @returns {DocumentFragment} */
export function safeHtml(html) {
  const doc = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const frag = document.createDocumentFragment();
  /** @param {Node} node @param {ParentNode} into */
  const copy = (node, into) => {
    for (const n of node.childNodes) {
      if (n.nodeType === 3) into.append(document.createTextNode(/** @type {Text} */ (n).data));
      else if (n.nodeType === 1) {
        const c = /** @type {Element} */ (n);
        if (!ALLOWED.has(c.tagName)) { copy(c, into); continue; }
        const e = document.createElement(c.tagName);
        if (c.tagName === 'A') {
          const href = c.getAttribute('href') || '';
          if (/^(https?:|mailto:)/i.test(href)) e.setAttribute('href', href);
          e.setAttribute('rel', 'noopener noreferrer nofollow');
          e.setAttribute('target', '_blank');
        }
        copy(c, e);
        into.append(e);
      }
    }
  };
  copy(doc.body, frag);
  return frag;
}

/** A localized sentence for an error (the server's English detail only as a fallback).
 *  @param {{ code?: string, retryAfter?: number } | null | undefined} err */
export function errorText(err) {
  if (err && err.code === 'slow_mode' && err.retryAfter) return t('error.slow_mode', { n: err.retryAfter });
  if (err && err.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
  return t('error.generic');
}

// Times are shown in the installation's time zone (the server's `--time-zone`, told by the
// live stream's hello and the meeting's HTTP view), not the device's: a citizen on holiday
// abroad and the poster in the library must agree. Until a page has heard it, the device's
// zone. Danish formats in Danish, British ones in English (24-hour, day before month).
/** @type {string | undefined} */
let timeZone;
/** @type {Record<string, Intl.DateTimeFormat>} */
const fmts = {};
const locale = () => (lang === 'en' ? 'en-GB' : 'da-DK');

/** Use this IANA zone for every time shown from now on (ignored when unknown).
 *  @param {string | null | undefined} tz */
export function setTimeZone(tz) {
  if (!tz || tz === timeZone) return;
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); } catch (_) { return; }
  timeZone = tz;
  for (const k of Object.keys(fmts)) delete fmts[k];
}

export function getTimeZone() { return timeZone; }

/** @param {string} kind @param {Intl.DateTimeFormatOptions} opts */
function fmt(kind, opts) {
  const k = `${lang}:${kind}`;
  return fmts[k] || (fmts[k] = new Intl.DateTimeFormat(locale(), { hourCycle: 'h23', timeZone, ...opts }));
}

/** An instant as the value of a datetime-local input, in the installation's zone.
 *  @param {string | null | undefined} iso */
export function toZonedInput(iso) {
  if (!iso) return '';
  const p = Object.fromEntries(fmt('input', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A datetime-local input's value (wall time in the installation's zone) as RFC 3339 UTC.
 *  @param {string} v */
export function fromZonedInput(v) {
  if (!v) return null;
  const [d, tm] = v.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi] = tm.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  // The zone's offset at an instant: its wall clock there minus the instant. Twice, so a
  // time next to a daylight-saving change lands on the right side of it.
  /** @param {number} ms */
  const offset = (ms) => Date.parse(`${toZonedInput(new Date(ms).toISOString())}:00Z`) - Math.floor(ms / 60000) * 60000;
  let t = wall - offset(wall);
  t = wall - offset(t);
  return new Date(t).toISOString();
}

/** @param {string | null | undefined} iso */
export function fmtTime(iso) {
  if (!iso) return '';
  return fmt('t', { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** @param {string | null | undefined} iso */
export function fmtDateTime(iso) {
  if (!iso) return '';
  return fmt('dt', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** "2 t 5 min" style countdown text. @param {number} ms */
export function fmtCountdown(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400); const h = Math.floor((s % 86400) / 3600); const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t('countdown.days', { n: d, h });
  if (h > 0) return t('countdown.hours', { h, m });
  return t('countdown.minutes', { m, s: s % 60 });
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let announceTimer;
/** @type {string[]} */
let announceQueue = [];
/** Polite screen-reader message (coalesced: a burst becomes one sentence). @param {string} text */
export function announce(text) {
  announceQueue.push(text);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const node = document.getElementById('announcer');
    if (!node) return;
    const msg = announceQueue.length > 2 ? t('announce.many', { n: announceQueue.length }) : announceQueue.join(' ');
    announceQueue = [];
    node.textContent = '';
    setTimeout(() => { node.textContent = msg; }, 30);
  }, 400);
}

/** Take a secret from the URL fragment (#key=..., #token=...) and remove it from the address bar.
 *  @param {string} name @returns {string | null} */
export function takeFragment(name) {
  const m = location.hash.match(new RegExp(`[#&]${name}=([^&]+)`));
  if (!m) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  try { return decodeURIComponent(m[1]); } catch (_) { return null; }
}

export function reducedMotion() { return window.matchMedia('(prefers-reduced-motion: reduce)').matches; }

/** Copy to the clipboard (a hidden text area where the Clipboard API is refused), say so on
 *  the button for a moment and to screen readers.
 *  @param {string} text @param {HTMLElement | null} [button] */
export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    const ta = el('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
    ta.value = text; document.body.append(ta); ta.select();
    try { document.execCommand('copy'); } catch (_e) { /* nothing else to try */ }
    ta.remove();
  }
  if (button) {
    const old = button.textContent;
    button.textContent = t('action.copied');
    setTimeout(() => { button.textContent = old; }, 1500);
  }
  announce(t('action.copied'));
}

/** Language switch button for the header. @param {(lang: string) => void} onChange */
export function langSwitch(onChange) {
  const other = lang === 'da' ? 'en' : 'da';
  return el('button', { type: 'button', class: 'link-button', lang: other, onclick: () => { rememberLang(other); onChange(other); } }, t('lang.switch'));
}
