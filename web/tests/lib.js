// Test helpers: start the real borgermode binary on a free port with its own temporary
// SQLite database, drive Debian's Chromium with playwright-core, call the HTTP API.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.BORGERMODE_BIN || path.join(REPO, 'target/debug/borgermode');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS ? path.join(REPO, 'docs/screenshots') : path.join(tmpdir(), 'borgermode-screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 860 };

/** Start the server. Restart with the same dir and port to keep the data. */
export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(path.join(process.env.BM_TMP || tmpdir(), 'bm-web-'));
  const token = opts.token || randomBytes(16).toString('base64url');
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:${path.join(dir, 'db')}`,
    BORGERMODE_ADMIN_TOKEN: token,
    BORGERMODE_BIND: `127.0.0.1:${opts.port || 0}`,
    BORGERMODE_RECONNECT_HINT_MS: '300',
    RUST_LOG: process.env.RUST_LOG || 'warn',
    ...(opts.env || {}),
  };
  delete env.BORGERMODE_PUBLIC_URL;
  delete env.REDIS_URL;
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30000);
    const onData = (d) => {
      log += d.toString();
      const m = log.match(/running at (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => { log += d.toString(); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
  });
  proc.removeAllListeners('exit');
  const port = Number(new URL(url).port);
  const server = {
    url, port, dir, token, proc,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
      await done; clearTimeout(t);
    },
    async restart() {
      await server.stop();
      return startServer({ dir, token, port, env: opts.env });
    },
    cleanup() { try { rmSync(dir, { recursive: true, force: true }); } catch (_) { /* ignore */ } },
    /** HTTP as the organizer (bearer admin token) or with another bearer token. */
    async api(method, p, body, bearer = token) {
      const headers = { Authorization: `Bearer ${bearer}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      const data = text ? JSON.parse(text) : null;
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
      return { data, res };
    },
  };
  return server;
}

/** Join as a citizen over HTTP; returns the session token (for bearer use). */
export async function joinHttp(server, meeting, name) {
  const res = await fetch(`${server.url}/api/meetings/${meeting}/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ display_name: name }) });
  if (!res.ok) throw new Error(`join: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') || '';
  return cookie.match(/bm_[0-9a-f]+=([^;]+)/)[1];
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A page that fails the test on any uncaught error or CSP violation. */
export async function newPage(browser, viewport = PHONE, opts = {}) {
  const context = await browser.newContext({ viewport, locale: opts.locale || 'da-DK', reducedMotion: 'reduce', ...(opts.context || {}) });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|WebSocket connection|ERR_CONNECTION_REFUSED/.test(m.text())) page.errors.push(`console: ${m.text()}`); });
  return page;
}

/**
 * One server and one browser for a test file: started before its first test, stopped after
 * its last. Every page opened with `open` must end without an uncaught error or CSP
 * violation (checked after the tests). Call it at the top of the file.
 * serverOpts: as for startServer; pageOpts: the default options of `open`'s pages.
 */
export function harness(serverOpts = {}, pageOpts = {}) {
  const suite = { server: null, browser: null, pages: [] };
  before(async () => {
    suite.server = await startServer(serverOpts);
    suite.browser = await launch();
  });
  after(async () => {
    for (const p of suite.pages) assert.deepEqual(p.errors, [], `errors on ${p.url()}`);
    if (suite.browser) await suite.browser.close();
    if (suite.server) { await suite.server.stop(); suite.server.cleanup(); }
  });
  /** A new page (own context) of this size, at `url` when given. */
  suite.open = async (viewport, url, opts = pageOpts) => {
    const p = await newPage(suite.browser, viewport, opts);
    suite.pages.push(p);
    if (url) await p.goto(url);
    return p;
  };
  return suite;
}

export async function createMeeting(server, fields = {}) {
  const { data } = await server.api('POST', '/api/meetings', { title: 'Borgermøde om havnen', description: 'Planerne for **havnen**. Se [kommunens side](https://www.example.org/havn).', language: 'da', ...fields });
  return data.meeting_id;
}

export async function staffLink(server, meeting, role, name, roleLine) {
  const { data } = await server.api('POST', `/api/meetings/${meeting}/staff`, { role, name, role_line: roleLine || null });
  return data.link;
}

/** On the organizer's meeting page: make staff links through the form, as a person does.
 *  entries: [role, name, title ('' leaves the optional title empty)]; returns {role: link}. */
export async function mintStaffLinks(org, entries) {
  const links = {};
  for (const [role, name, line] of entries) {
    await org.selectOption('#sf-role', role);
    await org.fill('#sf-name', name);
    await org.fill('#sf-line', line);
    await org.click('.small-form:has(#sf-name) button[type=submit]');
    await org.waitForSelector(`.new-link:has-text("${name}") code.link`);
    links[role] = await org.locator('.new-link code.link').textContent();
  }
  return links;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** A screenshot of one part of a page (a card far down a long page), by locator; the sticky
 *  header and the toast, which would lie over the part while it is captured, are left out. */
export async function shotOf(locator, name) {
  // Through the CSSOM: the page's CSP refuses injected style sheets (Playwright's `style`).
  const set = (v) => locator.page().evaluate((on) => {
    for (const [sel, prop, val] of [['.top', 'position', 'static'], ['#toast', 'visibility', 'hidden']]) {
      const n = document.querySelector(sel);
      if (n) n.style.setProperty(prop, on ? val : '');
    }
  }, v);
  await set(true);
  try { await locator.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) }); } finally { await set(false); }
}

let axeSource = null;
/** axe-core in the page (evaluated over the DevTools protocol, so the CSP stays strict). */
export async function axe(page) {
  if (!axeSource) {
    const { readFileSync } = await import('node:fs');
    axeSource = readFileSync(path.join(REPO, 'web/tests/node_modules/axe-core/axe.min.js'), 'utf8');
  }
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
