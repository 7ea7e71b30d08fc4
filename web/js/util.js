// Helpers shared by every page: DOM building (user text only ever as text), HTTP commands,
// locale strings, times, and the screen-reader announcer. No UI text lives in the code: every
// string comes from /static/locales/<lang>.json through t().

let strings = {};
let lang = 'da';
const LANGS = ['da', 'en'];

export function currentLang() { return lang; }

/** The language to show: the reader's own choice, else the meeting's, else Danish. */
export function pickLang(meetingLang) {
  let stored = null;
  try { stored = localStorage.getItem('bm_lang'); } catch (_) { /* storage blocked */ }
  if (LANGS.includes(stored)) return stored;
  return LANGS.includes(meetingLang) ? meetingLang : 'da';
}

export function rememberLang(l) {
  try { localStorage.setItem('bm_lang', l); } catch (_) { /* storage blocked */ }
}

export async function loadLocale(l) {
  if (!LANGS.includes(l)) l = 'da';
  const res = await fetch(`/static/locales/${l}.json`);
  strings = await res.json();
  lang = l;
  document.documentElement.lang = l;
  return l;
}

let pr = null;
function plural() { if (!pr || pr.lang !== lang) { pr = new Intl.PluralRules(lang); pr.lang = lang; } return pr; }

/** A string from the locale file; {name} placeholders filled from vars; {n} picks plural forms. */
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

export function has(key) { return strings[key] !== undefined; }

/** Build an element. attrs: class, text, on<event>, boolean (true = present), others as attributes. */
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

/** Replace a node's children (same child rules as el: text, nodes, arrays; null skipped). */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** Answer and description HTML is sanitized by the server; parse it inertly and keep an
 *  allowlist anyway (defence in depth), then return a fragment of this document. */
const ALLOWED = new Set(['P', 'BR', 'STRONG', 'EM', 'B', 'I', 'A', 'UL', 'OL', 'LI', 'CODE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR', 'DEL', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD']);
export function safeHtml(html) {
  const doc = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const frag = document.createDocumentFragment();
  const copy = (node, into) => {
    for (const c of node.childNodes) {
      if (c.nodeType === 3) into.append(document.createTextNode(c.data));
      else if (c.nodeType === 1) {
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

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.code = (problem && problem.code) || (status === 0 ? 'network' : 'http');
    this.field = problem && problem.field;
    this.retryAfter = problem && problem.retry_after;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One HTTP command or query. A retried command keeps its Idempotency-Key (a busy or
 *  restarting server, or a lost answer, can never make it happen twice). */
export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['Idempotency-Key'] = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch (_) {
      if (attempt < 3) { await sleep(800 * (attempt + 1)); continue; }
      throw new ApiError(0, null);
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (res.ok) return data;
    const err = new ApiError(res.status, data);
    if (res.status === 503 && attempt < 3) { await sleep(1000 * (err.retryAfter || 1)); continue; }
    throw err;
  }
}

/** A localized sentence for an error (the server's English detail only as a fallback). */
export function errorText(err) {
  if (err && err.code === 'slow_mode' && err.retryAfter) return t('error.slow_mode', { n: err.retryAfter });
  if (err && err.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
  return t('error.generic');
}

// Times are shown in the installation's time zone (the server's `--time-zone`, told by the
// live stream's hello and the meeting's HTTP view), not the device's: a citizen on holiday
// abroad and the poster in the library must agree. Until a page has heard it, the device's
// zone. Danish formats in Danish, British ones in English (24-hour, day before month).
let timeZone;
const fmts = {};
const locale = () => (lang === 'en' ? 'en-GB' : 'da-DK');

/** Use this IANA zone for every time shown from now on (ignored when unknown). */
export function setTimeZone(tz) {
  if (!tz || tz === timeZone) return;
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); } catch (_) { return; }
  timeZone = tz;
  for (const k of Object.keys(fmts)) delete fmts[k];
}

export function getTimeZone() { return timeZone; }

function fmt(kind, opts) {
  const k = `${lang}:${kind}`;
  return fmts[k] || (fmts[k] = new Intl.DateTimeFormat(locale(), { hourCycle: 'h23', timeZone, ...opts }));
}

/** An instant as the value of a datetime-local input, in the installation's zone. */
export function toZonedInput(iso) {
  if (!iso) return '';
  const p = Object.fromEntries(fmt('input', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A datetime-local input's value (wall time in the installation's zone) as RFC 3339 UTC. */
export function fromZonedInput(v) {
  if (!v) return null;
  const [d, tm] = v.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi] = tm.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  // The zone's offset at an instant: its wall clock there minus the instant. Twice, so a
  // time next to a daylight-saving change lands on the right side of it.
  const offset = (ms) => Date.parse(`${toZonedInput(new Date(ms).toISOString())}:00Z`) - Math.floor(ms / 60000) * 60000;
  let t = wall - offset(wall);
  t = wall - offset(t);
  return new Date(t).toISOString();
}

export function fmtTime(iso) {
  if (!iso) return '';
  return fmt('t', { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function fmtDateTime(iso) {
  if (!iso) return '';
  return fmt('dt', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** "2 t 5 min" style countdown text. */
export function fmtCountdown(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400); const h = Math.floor((s % 86400) / 3600); const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t('countdown.days', { n: d, h });
  if (h > 0) return t('countdown.hours', { h, m });
  return t('countdown.minutes', { m, s: s % 60 });
}

let announceTimer = null;
let announceQueue = [];
/** Polite screen-reader message (coalesced: a burst becomes one sentence). */
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

/** Take a secret from the URL fragment (#key=..., #token=...) and remove it from the address bar. */
export function takeFragment(name) {
  const m = location.hash.match(new RegExp(`[#&]${name}=([^&]+)`));
  if (!m) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  try { return decodeURIComponent(m[1]); } catch (_) { return null; }
}

export function reducedMotion() { return window.matchMedia('(prefers-reduced-motion: reduce)').matches; }

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

/** Language switch button for the header. */
export function langSwitch(onChange) {
  const other = lang === 'da' ? 'en' : 'da';
  return el('button', { type: 'button', class: 'link-button', lang: other, onclick: () => { rememberLang(other); onChange(other); } }, t('lang.switch'));
}
