// The evening as its people meet it, through the pages only: clicks, typing and the keyboard
// for every step under test (the HTTP API only sets the scene: the 36 posts of a busy
// meeting). Each step asserts what a person sees, that nothing overflows the screen, and runs
// axe. The WebSocket is refused, swallowed and silently killed by a proxy (netproxy.js) the
// way corporate proxies and municipal Wi-Fi do; the page must carry on over SSE or reconnect
// and lose nothing. Covers issue 13 items 1, 2, 5, 7, 8, 9, 10, 11 (see each step).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, axe, shot, joinHttp, sleep, mintStaffLinks } from './lib.js';
import { startProxy } from './netproxy.js';

const PHONE = { width: 360, height: 740 };
const STAFF = { width: 1280, height: 860 };
let server; let proxy; let browser;
const pages = [];
const s = {};
const moderate = [];
let axeRuns = 0;

before(async () => {
  proxy = await startProxy(0);
  // A 2 s heartbeat: the page pings every 500 ms and calls a line dead after ~2 s.
  server = await startServer({ env: { BORGERMODE_ALLOWED_ORIGINS: proxy.url, BORGERMODE_HEARTBEAT_MS: '2000', BORGERMODE_IDLE_TIMEOUT_MS: '8000' } });
  proxy.state.target = server.port;
  browser = await launch();
});

after(async () => {
  for (const p of pages) assert.deepEqual(p.errors, [], `errors on ${p.url()}`);
  console.log(`axe: ${axeRuns} states checked, 0 serious/critical; moderate/minor: ${moderate.length ? [...new Set(moderate)].join(', ') : 'none'}`);
  // Item 11: the stream's region was announced twice on every live page.
  assert.deepEqual(moderate.filter((m) => m.endsWith('landmark-unique')), [], 'no duplicate landmark labels');
  if (browser) await browser.close();
  if (proxy) await proxy.close();
  if (server) { await server.stop(); server.cleanup(); }
});

async function open(viewport, path) {
  const p = await newPage(browser, viewport);
  pages.push(p);
  if (path) await p.goto(proxy.url + path);
  return p;
}

/** axe: no serious or critical violation; moderate ones are collected and printed. */
async function accessible(page, what) {
  axeRuns += 1;
  const serious = await axe(page);
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`), [], `axe on ${what}`);
  const all = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const v of all.violations) if (v.impact === 'moderate' || v.impact === 'minor') moderate.push(`${what}: ${v.id}`);
}

/** Nothing wider than the screen: the page, and every table inside its own box. */
async function noOverflow(page, what) {
  const r = await page.evaluate(() => {
    const doc = document.scrollingElement;
    const tables = [...document.querySelectorAll('table')].map((t) => ({ w: t.scrollWidth, c: t.parentElement.clientWidth }));
    const wide = [...document.querySelectorAll('body *')].filter((n) => n.getBoundingClientRect().right > doc.clientWidth + 1)
      .slice(0, 4).map((n) => `${n.tagName}.${n.className}#${n.id} ${Math.round(n.getBoundingClientRect().right)}`);
    return { page: doc.scrollWidth - doc.clientWidth, tables: tables.filter((x) => x.w > x.c + 1), wide };
  });
  assert.ok(r.page <= 0, `${what}: page overflows by ${r.page} px: ${r.wide.join(', ')}`);
  assert.deepEqual(r.tables, [], `${what}: a table is wider than its box`);
}

/** Labels a person reads are never split inside a word (the body's overflow-wrap:anywhere is
 *  for long user text): table headers, badges, buttons, and on a phone the column name each
 *  cell of a stacked table shows before its value (td::before, measured against the space the
 *  row leaves it). Returns what is broken. */
async function brokenWords(page) {
  return page.evaluate(() => {
    const out = [];
    const visible = (n) => n.getClientRects().length > 0 && getComputedStyle(n).visibility !== 'hidden';
    for (const n of document.querySelectorAll('th, .status, .badge, button, label, .tab-badge')) {
      if (!visible(n)) continue;
      const walker = document.createTreeWalker(n, NodeFilter.SHOW_TEXT);
      for (let tn = walker.nextNode(); tn; tn = walker.nextNode()) {
        for (const m of tn.data.matchAll(/\S+/g)) {
          const r = document.createRange();
          r.setStart(tn, m.index); r.setEnd(tn, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].filter((b) => b.width > 0).map((b) => Math.round(b.top)));
          if (tops.size > 1) out.push(`${n.tagName.toLowerCase()}: ${m[0]}`);
        }
      }
    }
    const canvas = document.createElement('canvas').getContext('2d');
    for (const td of document.querySelectorAll('td[data-label]')) {
      const cs = getComputedStyle(td, '::before');
      if (!visible(td) || cs.content === 'none' || cs.display === 'none') continue;
      canvas.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const need = canvas.measureText(td.dataset.label).width;
      const r = document.createRange();
      r.selectNodeContents(td);
      const value = [...r.getClientRects()].filter((b) => b.width > 0);
      if (!value.length) continue;
      const tcs = getComputedStyle(td);
      const room = Math.min(...value.map((b) => b.left)) - td.getBoundingClientRect().left - parseFloat(tcs.paddingLeft) - parseFloat(tcs.columnGap || '0');
      if (room + 1 < need) out.push(`td label: ${td.dataset.label} (${Math.round(room)} of ${Math.round(need)} px)`);
    }
    return out;
  });
}

/** Whether the element is fully on screen (polled briefly: the info box is re-rendered when
 *  the snapshot replaces the meeting read over HTTP). */
const inViewport = async (loc, vp) => {
  for (let i = 0; i < 20; i++) {
    const b = await loc.boundingBox().catch(() => null);
    if (b) return b.y >= 0 && b.y + b.height <= vp.height && b.x >= 0 && b.x + b.width <= vp.width;
    await sleep(100);
  }
  return false;
};
const post = (page, text) => page.locator('article.post', { hasText: text });
/** Press Tab (Shift+Tab when `back`) until the focus is on what `sel` matches. */
async function tabTo(page, sel, back = false) {
  for (let i = 0; i < 40; i++) {
    if (await page.evaluate((x) => !!document.activeElement && document.activeElement.matches(x), sel)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${sel} not reached with the keyboard`);
}
/** Another console tab with the keyboard only: back to the tab bar, then the arrow keys. */
async function consoleTab(page, id) {
  await tabTo(page, '[role=tab][aria-selected=true]', true);
  for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement.id)) !== `tab-${id}`; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), `tab-${id}`);
  assert.equal(await page.locator(`#panel-${id}`).isVisible(), true);
}
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { tag: a.tagName, cls: a.className, text: (a.textContent || '').slice(0, 200), id: a.id };
});

test('the organizer prepares the meeting from the admin link (kit without "null", settings)', async () => {
  const org = await open(STAFF, `/admin#token=${server.token}`);
  await org.waitForSelector('#mf-title');
  await org.fill('#mf-title', 'Borgermøde om havnen');
  await org.fill('#mf-desc', 'Planerne for havnen.');
  const starts = new Date(Date.now() + 2 * 3600e3);
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  await org.fill('#mf-starts', local(starts));
  await org.click('form.card button[type=submit]');
  await org.waitForURL(/\/admin\?m=/);
  s.id = new URL(org.url()).searchParams.get('m');
  // Staff links, one with the optional title left empty (item 3).
  Object.assign(s, await mintStaffLinks(org, [['moderator', 'Mette Mødeleder', 'Kommunikation'], ['panelist', 'Anne Borgmester', '']]));
  assert.equal(await org.locator('.small-form:has(#sf-name) .form-error:visible').count(), 0, 'no stale error after success');
  // Item 7: the kit card says no "null" (draft, planned, live; closed in the last test).
  await org.locator('#kit .kit-when').waitFor();
  assert.doesNotMatch(await org.locator('#kit').innerText(), /\bnull\b/);
  // Planned first (open for questions), then opened: the organizer's two buttons.
  await org.click('button:has-text("Planlæg")');
  await org.locator('.status-scheduled').first().waitFor();
  await org.locator('#kit .kit-when').waitFor();
  assert.doesNotMatch(await org.locator('#kit').innerText(), /\bnull\b/, 'kit card of a planned meeting');
  // Item 9: a planned meeting's page does not say "Live" once it is connected; it does once
  // the meeting opens.
  const early = await open(PHONE, `/m/${s.id}`);
  await early.locator('#join-name').waitFor();
  await early.locator('.stream-panel .empty', { hasText: /Ingen/ }).waitFor();
  await early.waitForFunction(() => !document.querySelector('#conn.busy, #conn.bad'));
  assert.doesNotMatch(await early.locator('#conn').innerText(), /Live/, 'no "Live" before the meeting');
  await org.click('button:has-text("Åbn mødet")');
  await org.locator('.status-open').first().waitFor();
  await early.locator('#conn', { hasText: 'Live' }).waitFor();
  await org.locator('#kit .kit-when').waitFor();
  assert.doesNotMatch(await org.locator('#kit').innerText(), /\bnull\b/, 'kit card of a live meeting');
  s.org = org;
  await accessible(org, 'admin meeting');
  await shot(org, 'journey-admin-meeting-desktop');

  // Item 2: the moderator's settings tab is filled on load and works from the console.
  const mod = await open(STAFF);
  await mod.goto(s.moderator.replace(server.url, proxy.url));
  await mod.waitForSelector('.console');
  await mod.click('#tab-settings');
  const premod = mod.locator('#panel-settings #set-premod');
  await premod.waitFor({ timeout: 5000 });
  assert.equal(await premod.isChecked(), false);
  assert.ok(await mod.locator('#panel-settings #set-slow').isVisible());
  assert.ok(await mod.locator('#panel-settings #set-keywords').isVisible());
  await mod.selectOption('#panel-settings #set-slow', '10');
  await mod.locator('#toast', { hasText: /gemt/i }).waitFor();
  await mod.selectOption('#panel-settings #set-slow', '0');
  await accessible(mod, 'moderator settings');
  await shot(mod, 'journey-moderator-settings-desktop');
  s.mod = mod;
});

test('citizens on 360 px phones: what, when and how to take part on the first screen', async () => {
  // A busy meeting: 36 posts before our citizens arrive (scene).
  await server.api('POST', `/api/meetings/${s.id}/open`).catch(() => {});
  for (let i = 0; i < 6; i++) {
    const tok = await joinHttp(server, s.id, `Nabo ${i + 1}`);
    for (let j = 0; j < 6; j++) {
      const res = await fetch(`${server.url}/api/meetings/${s.id}/posts`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tok}` }, body: JSON.stringify({ kind: j % 2 ? 'comment' : 'question', body: `Nabo ${i + 1} spørger om havnen, punkt ${j + 1}` }) });
      assert.equal(res.status, 201, await res.text());
    }
  }
  s.citizens = [];
  for (const name of ['Karen', 'Ali', 'Sofie', 'Jens', 'Mia']) {
    const p = await open(PHONE, `/m/${s.id}`);
    const t0 = Date.now();
    await p.locator('h1#meeting-title').waitFor();
    const cta = p.locator('#cta');
    await cta.waitFor();
    // Item 5: title, time and the call to action without scrolling.
    assert.ok(await inViewport(p.locator('h1#meeting-title'), PHONE), `title on the first screen (${name}: ${JSON.stringify(await p.locator('h1#meeting-title').boundingBox())}, scrollY ${await p.evaluate(() => scrollY)})`);
    assert.ok(await inViewport(p.locator('.info .when'), PHONE), 'time on the first screen');
    assert.ok(await inViewport(cta, PHONE), 'call to action on the first screen');
    assert.match(await cta.innerText(), /Stil et spørgsmål/);
    if (name === 'Karen') { console.log(`first screen ready in ${Date.now() - t0} ms`); await shot(p, 'journey-citizen-first-screen-phone'); }
    assert.equal(await p.evaluate(() => document.scrollingElement.scrollTop), 0);
    if (name === 'Karen') {
      // What the meeting is about is folded on a phone; it must look like something to open.
      const about = p.locator('.info details.description > summary');
      assert.ok(await about.evaluate((n) => getComputedStyle(n).display === 'list-item' || !['none', 'normal'].includes(getComputedStyle(n, '::before').content)), '"Om mødet" shows a disclosure marker');
      await about.click();
      await p.locator('.info .description .prose', { hasText: 'Planerne for havnen' }).waitFor();
      await about.click();
    }
    await cta.click();
    assert.equal((await focused(p)).id, 'join-name', 'the call to action leads to the name field');
    // Item 11: one way to say "no answer" to the gender question.
    const genders = await p.locator('#join-gender option').allInnerTexts();
    assert.equal(genders.filter((g) => /oplyse|svare/i.test(g)).length, 1, genders.join(' / '));
    // Item 11: what is kept, and for how long, is said at join; no "anonymous" promise.
    // The retention comes from the privacy notice, fetched beside the meeting: wait for it
    // rather than read the placeholder sentence a slow machine still shows.
    const why = p.locator('#join-why');
    await why.filter({ hasText: /180 dage/ }).waitFor({ timeout: 10000 }).catch(() => {});
    assert.match(await why.innerText(), /180 dage/);
    assert.doesNotMatch(await p.locator('.join-form').innerText(), /anonymt/);
    await p.keyboard.type(name);
    await p.keyboard.press('Enter');
    await p.locator('#compose-body').waitFor();
    await noOverflow(p, `citizen ${name}`);
    s.citizens.push(p);
  }
  const [karen, ali, sofie] = s.citizens;
  // Item 9: the participant count follows the joins, not just the posts (nobody posted since
  // Karen joined: 6 neighbours and our 5 citizens).
  await karen.waitForFunction(() => /\b11 deltagere\b/.test(document.getElementById('counter')?.textContent || ''), null, { timeout: 10000 })
    .catch(async () => assert.fail(`counter on Karen's page: ${await karen.locator('#counter').textContent()}`));
  await accessible(karen, 'citizen joined');
  // The personal link is reachable but folded.
  assert.equal(await karen.locator('details.mine-link').count(), 1);
  assert.equal(await karen.locator('#mine-link').isVisible(), false);
  await shot(karen, 'journey-citizen-joined-phone');

  // The 36 posts that were there before they joined can be voted on and replied to.
  const older = post(karen, 'Nabo 1 spørger om havnen, punkt 1');
  assert.equal(await older.locator(':scope > .actions .vote').count(), 1, 'vote on a post from before joining');
  assert.equal(await older.locator(':scope > .actions [data-action=reply]').count(), 1);
  // Karen asks; Ali upvotes; Karen has no upvote button on her own question (item 11).
  await karen.fill('#compose-body', 'Hvornår starter byggeriet ved havnen?');
  await karen.keyboard.press('Control+Enter');
  await post(karen, 'Hvornår starter byggeriet').waitFor();
  assert.equal(await post(karen, 'Hvornår starter byggeriet').locator('.vote').count(), 0, 'no upvote on your own question');
  await post(ali, 'Hvornår starter byggeriet').locator('.vote').click();
  await post(ali, 'Hvornår starter byggeriet').locator('.vote[aria-pressed=true] .vote-count', { hasText: '1' }).waitFor();
  // Item 11: a returning citizen sees their vote pressed, and a click does not undo it unasked.
  await ali.reload();
  const vote = post(ali, 'Hvornår starter byggeriet').locator('.vote');
  await vote.waitFor().catch(async (e) => {
    // What the reloaded page showed instead, so an intermittent failure says why.
    const seen = await ali.evaluate(() => ({
      conn: document.getElementById('conn')?.textContent,
      composer: document.getElementById('composer')?.innerText?.slice(0, 200),
      posts: document.querySelectorAll('article.post').length,
      question: [...document.querySelectorAll('article.post')].find((n) => /Hvornår starter byggeriet/.test(n.textContent))?.outerHTML?.slice(0, 600),
    }));
    console.log(`after the reload: ${JSON.stringify(seen)}; page errors: ${ali.errors.join(' | ')}`);
    throw e;
  });
  await ali.locator('.vote[aria-pressed=true]').first().waitFor({ timeout: 5000 });
  assert.equal(await vote.getAttribute('aria-pressed'), 'true', 'vote shown pressed after a reload');
  // Sofie replies.
  await post(sofie, 'Hvornår starter byggeriet').locator('[data-action=reply]').click();
  await sofie.keyboard.type('Det vil jeg også gerne vide.');
  await sofie.keyboard.press('Control+Enter');
  await post(karen, 'Hvornår starter byggeriet').locator('.replies', { hasText: 'også gerne vide' }).waitFor();
  await accessible(karen, 'citizen with question');
  await noOverflow(karen, 'citizen with question');
  // Item 5: on a phone the stream is part of the page (one scroll), not a box scrolling inside it.
  const inner = await karen.locator('.stream-panel .scroller').evaluate((n) => n.scrollHeight - n.clientHeight);
  assert.ok(inner <= 1, `the stream scrolls inside the page by ${inner} px`);
  await shot(karen, 'journey-citizen-live-phone');
  // The same page on a wide screen: the meeting and the composer beside the stream.
  await karen.setViewportSize(STAFF);
  await noOverflow(karen, 'citizen at 1280 px');
  await accessible(karen, 'citizen at 1280 px');
  await shot(karen, 'journey-citizen-live-desktop');
  await karen.setViewportSize(PHONE);
});

test('moderator and panelist work the queue with the keyboard; the big screen follows', async () => {
  const mod = s.mod;
  const pan = await open(STAFF);
  await pan.goto(s.panelist.replace(server.url, proxy.url));
  await pan.waitForSelector('.q-item');
  const screens = [];
  for (const vp of [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }]) {
    const scr = await open(vp, `/m/${s.id}/screen`);
    await scr.locator('.scr-title').waitFor();
    screens.push([scr, vp]);
  }
  // The moderator focuses the top question (j) and puts it on air (o), keys only.
  await consoleTab(mod, 'queue');
  await mod.keyboard.press('j');
  const first = await focused(mod);
  assert.match(first.cls, /q-item/);
  assert.match(first.text, /Hvornår starter byggeriet/, 'the most voted question is first');
  await mod.keyboard.press('o');
  for (const [scr] of screens) await scr.locator('.scr-question', { hasText: 'Hvornår starter byggeriet' }).waitFor();
  assert.match((await focused(mod)).text, /Hvornår starter byggeriet/, 'focus stays on the item after an action');
  for (const [scr, vp] of screens) {
    await noOverflow(scr, `big screen ${vp.width}x${vp.height}`);
    const vert = await scr.evaluate(() => document.scrollingElement.scrollHeight - document.scrollingElement.clientHeight);
    assert.ok(vert <= 0, `big screen ${vp.width}x${vp.height} is ${vert} px too tall`);
    const link = scr.locator('.scr-link');
    const lines = await link.evaluate((n) => Math.round(n.getBoundingClientRect().height / parseFloat(getComputedStyle(n).lineHeight)));
    assert.equal(lines, 1, 'the short link is on one line');
    await accessible(scr, `big screen ${vp.width}`);
    await shot(scr, `journey-screen-${vp.width}x${vp.height}`);
  }

  // The panelist answers it in writing with the keyboard: j, w, type, Ctrl+Enter.
  await pan.keyboard.press('j');
  assert.match((await focused(pan)).text, /Hvornår starter byggeriet/);
  await pan.keyboard.press('w');
  assert.equal((await focused(pan)).tag, 'TEXTAREA');
  await pan.keyboard.type('Byggeriet starter i marts 2027.');
  await pan.keyboard.press('Control+Enter');
  await post(s.citizens[0], 'Hvornår starter byggeriet').locator('.answer', { hasText: 'marts 2027' }).waitFor();
  // Item 8: focus moves to the next question in the queue, not to the top of the page.
  await pan.waitForFunction(() => document.activeElement && document.activeElement.classList.contains('q-item'));
  assert.doesNotMatch((await focused(pan)).text, /Hvornår starter byggeriet/);
  // Item 9: the answered question is no longer "on screen" anywhere.
  for (const [scr] of screens) await scr.locator('.scr-empty').first().waitFor();
  await post(s.citizens[0], 'Hvornår starter byggeriet').locator('.answer').waitFor();
  assert.equal(await post(s.citizens[0], 'Hvornår starter byggeriet').locator('.on-air-flag').count(), 0);
  assert.equal(await mod.locator('.on-air-box .body').count(), 0);

  // Pre-moderation from the console (keyboard: focus the switch, Space), then approve with "a".
  await consoleTab(mod, 'settings');
  await tabTo(mod, '#set-premod');
  await mod.keyboard.press('Space');
  await mod.locator('#toast', { hasText: /gemt/i }).waitFor();
  const jens = s.citizens[3];
  await jens.fill('#compose-body', 'Kommer der flere p-pladser?');
  await jens.keyboard.press('Control+Enter');
  await consoleTab(mod, 'pending');
  await mod.locator('#panel-pending .mod-item', { hasText: 'flere p-pladser' }).waitFor();
  await mod.keyboard.press('j');
  await mod.keyboard.press('a');
  await post(s.citizens[0], 'flere p-pladser').waitFor();
  // Item 5: Jens was told "held", then "approved": the newest notice replaces the older one.
  await jens.locator('#my-notices .notice', { hasText: 'godkendt og vises nu' }).waitFor();
  assert.equal(await jens.locator('#my-notices .notice').count(), 1, 'notices do not pile up above the composer');
  await mod.waitForFunction(() => document.activeElement && document.activeElement.closest('#panel-pending'));
  assert.match((await focused(mod)).text, /Ingen|tom|venter/i, 'focus on the empty-list message after the last item');
  // Pre-moderation off again (the switch, Space).
  await consoleTab(mod, 'settings');
  await tabTo(mod, '#set-premod');
  await mod.keyboard.press('Space');
  await mod.locator('#toast', { hasText: /gemt/i }).waitFor();
  assert.equal(await mod.locator('#set-premod').isChecked(), false);

  // Hide and restore in the stream, keys only: Tab to the stream, j/k to the post, h to hide,
  // u to restore; the focus stays on the post.
  const target = post(mod, 'Nabo 2 spørger om havnen, punkt 2');
  await tabTo(mod, '.scroller');
  for (let i = 0; i < 80 && !(await mod.evaluate(() => /punkt 2\b/.test(document.activeElement?.closest('article.post')?.querySelector('.body')?.textContent || '') && /Nabo 2 /.test(document.activeElement?.closest('article.post')?.textContent || ''))); i++) {
    await mod.keyboard.press('j');
  }
  assert.match((await focused(mod)).text, /Nabo 2 spørger om havnen, punkt 2/, 'j reaches the post');
  await mod.keyboard.press('h');
  assert.equal((await focused(mod)).tag, 'INPUT', 'the hide form takes the focus');
  await mod.keyboard.type('Hold dig til emnet');
  await mod.keyboard.press('Enter');
  await target.locator('[data-action=restore]').waitFor();
  const hiddenId = await target.getAttribute('data-id');
  // The focus is on that post (or inside it), so "u" acts on it. (A "k" here would move to
  // the post above: it made this test fail now and then.)
  const focusOnTarget = (pid) => mod.waitForFunction((id) => document.activeElement?.closest('article.post')?.getAttribute('data-id') === id, pid, { timeout: 10000 });
  await focusOnTarget(hiddenId);
  await s.citizens[0].locator(`#p-${hiddenId} .tombstone`).waitFor(); // the public sees a tombstone
  await mod.keyboard.press('u');
  await target.locator('[data-action=hide]').waitFor();
  await focusOnTarget(hiddenId);

  // Item 8: a ban asks for a reason and a confirmation.
  const mia = s.citizens[4];
  await mia.fill('#compose-body', 'Spam spam spam');
  await mia.keyboard.press('Control+Enter');
  await post(mod, 'Spam spam').locator('[data-action=person]').click();
  await mod.locator('.person-box [data-action=ban]').click();
  const confirm = mod.locator('.ban-confirm');
  await confirm.waitFor();
  await confirm.locator('button[type=submit]').click();
  await confirm.locator('.form-error', { hasText: 'begrundelse' }).waitFor();
  assert.equal(await mia.locator('.composer-note.warn').count(), 0, 'not banned without a reason');
  await confirm.locator('select').selectOption('spam');
  await confirm.locator('button[type=submit]').click();
  await mia.locator('.composer-note.warn').waitFor();
  await accessible(mod, 'moderator console');
  await accessible(pan, 'panelist console');
  await shot(mod, 'journey-moderator-desktop');
  // A moderator on a phone (the hall's spare one): the console fits and its labels are whole.
  await mod.setViewportSize(PHONE);
  await mod.click('#tab-queue');
  await noOverflow(mod, 'moderator console at 360 px');
  assert.deepEqual(await brokenWords(mod), [], 'moderator console at 360 px');
  await accessible(mod, 'moderator console at 360 px');
  await shot(mod, 'journey-moderator-phone');
  await mod.setViewportSize(STAFF);
  s.pan = pan;
});

test('WebSocket refused, hung and silently dead: the page carries on and loses nothing', async () => {
  for (const mode of ['refuse', 'hang']) {
    proxy.setMode(mode);
    const sseBefore = proxy.state.sse;
    const p = await open(PHONE, `/m/${s.id}`);
    const t0 = Date.now();
    await p.locator('h1#meeting-title').waitFor();
    await p.locator('#join-name').waitFor();
    await p.locator('article.post', { hasText: 'Nabo 6 spørger om havnen, punkt 6' }).waitFor({ timeout: 15000 });
    console.log(`WebSocket ${mode}: posts shown after ${Date.now() - t0} ms (over SSE)`);
    assert.ok(proxy.state.sse > sseBefore, 'fell back to the SSE stream');
    assert.equal(await p.locator('.empty:visible', { hasText: 'Ingen indlæg' }).count(), 0);
    await p.fill('#join-name', `Gæst ${mode}`);
    await p.click('.join-form button[type=submit]');
    await p.locator('#compose-body').waitFor();
    await p.fill('#compose-body', `Et spørgsmål bag en proxy (${mode})`);
    await p.click('.post-form button[type=submit]');
    await post(p, `bag en proxy (${mode})`).waitFor();
    await post(s.citizens[0], `bag en proxy (${mode})`).waitFor();
    await p.locator('#conn', { hasText: 'Live' }).waitFor();
    await accessible(p, `citizen on SSE (${mode})`);
    if (mode === 'refuse') await shot(p, 'journey-citizen-sse-phone');
  }
  proxy.setMode('pass');
  const p = await open(PHONE, `/m/${s.id}`);
  await p.locator('#conn', { hasText: 'Live' }).waitFor();
  await p.locator('article.post', { hasText: 'Nabo 6 spørger om havnen, punkt 6' }).waitFor();
  proxy.killSilently();
  const t0 = Date.now();
  const tok = await joinHttp(server, s.id, 'Sen gæst');
  for (const body of ['Skrevet mens linjen var død 1', 'Skrevet mens linjen var død 2']) {
    const res = await fetch(`${server.url}/api/meetings/${s.id}/posts`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tok}` }, body: JSON.stringify({ kind: 'comment', body }) });
    assert.equal(res.status, 201);
  }
  await p.waitForFunction(() => !/Live/.test(document.getElementById('conn').textContent), null, { timeout: 15000 });
  const detected = Date.now() - t0;
  await post(p, 'linjen var død 2').waitFor({ timeout: 20000 });
  await p.locator('#conn', { hasText: 'Live' }).waitFor();
  console.log(`silent drop: "Live" gone after ${detected} ms (heartbeat 2000 ms), caught up after ${Date.now() - t0} ms`);
  assert.equal(await post(p, 'linjen var død 1').count(), 1, 'nothing lost, nothing twice');
  assert.equal(await post(p, 'linjen var død 2').count(), 1);

  // The same on SSE, behind a proxy that refuses WebSockets: the server's heartbeat comment is
  // the sign of life there, so a stream that goes quiet is dropped after about two heartbeats.
  proxy.setMode('refuse');
  const q = await open(PHONE, `/m/${s.id}`);
  await post(q, 'linjen var død 2').waitFor({ timeout: 15000 });
  await q.locator('#conn', { hasText: 'Live' }).waitFor();
  // The page stays on SSE now; other pages may upgrade again.
  proxy.setMode('pass');
  const streamsBefore = proxy.state.sse;
  proxy.killSilently('sse');
  const t1 = Date.now();
  for (const body of ['Skrevet mens strømmen var død 1', 'Skrevet mens strømmen var død 2']) {
    const res = await fetch(`${server.url}/api/meetings/${s.id}/posts`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tok}` }, body: JSON.stringify({ kind: 'comment', body }) });
    assert.equal(res.status, 201);
  }
  await q.waitForFunction(() => !/Live/.test(document.getElementById('conn').textContent), null, { timeout: 15000 });
  const detectedSse = Date.now() - t1;
  await post(q, 'strømmen var død 2').waitFor({ timeout: 20000 });
  await q.locator('#conn', { hasText: 'Live' }).waitFor();
  console.log(`silent SSE drop: "Live" gone after ${detectedSse} ms (heartbeat 2000 ms), caught up after ${Date.now() - t1} ms`);
  assert.ok(proxy.state.sse > streamsBefore, 'caught up on a new SSE stream');
  assert.equal(await post(q, 'strømmen var død 1').count(), 1, 'nothing lost, nothing twice (SSE)');
  assert.equal(await post(q, 'strømmen var død 2').count(), 1);
  await accessible(q, 'citizen on SSE after a silent drop');
});

test('the pill says "Live" only while the meeting is live; close, report and archive fit a phone', async () => {
  const org = s.org;
  await org.reload();
  await org.click('button:has-text("Afslut mødet")');
  await org.click('button:has-text("Bekræft")');
  await org.locator('.status-closed').first().waitFor();
  const cit = s.citizens[0];
  await cit.locator('.info .status-closed').waitFor();
  await cit.waitForFunction(() => !/Live/.test(document.getElementById('conn').textContent));
  // Follow-up card: open questions are counted (item 9).
  await org.reload();
  const fu = org.locator('.card', { hasText: 'Opfølgning' }).first();
  await fu.waitFor();
  assert.doesNotMatch(await fu.innerText(), /Åbne\s*0\b/);
  const waiting = (await fu.innerText()).match(/(\d+) spørgsmål venter stadig på svar/);
  assert.ok(waiting && Number(waiting[1]) > 0, `the card counts the open questions: ${await fu.innerText()}`);
  assert.deepEqual(await brokenWords(org), [], 'organizer page at 1280 px after the meeting');
  // Item 7: no "null" in the kit card of a closed meeting either.
  await org.locator('#kit').waitFor();
  assert.doesNotMatch(await org.locator('#kit').innerText(), /\bnull\b/, 'kit card of a closed meeting');
  // Report and archive, reached by clicking, at 320 and 360 px.
  const small = await open({ width: 360, height: 740 });
  await small.context().addCookies(await org.context().cookies());
  await small.goto(`${proxy.url}/admin?m=${s.id}`);
  const reportLink = small.locator('#report-link');
  await reportLink.waitFor();
  const box = await reportLink.boundingBox();
  assert.ok(box.height >= 24, `report link is ${box.height} px tall`);
  await noOverflow(small, 'admin meeting 360');
  await accessible(small, 'admin meeting 360');
  await shot(small, 'journey-admin-meeting-phone');
  // Item 10: the follow-up table, read row by row on a phone, names each column in whole words.
  const fuSmall = small.locator('.card', { hasText: 'Opfølgning' }).first();
  await fuSmall.locator('table').waitFor();
  assert.deepEqual(await brokenWords(small), [], 'follow-up table at 360 px');
  // Anne answered within seconds: not "0 min." (which reads as "never").
  assert.doesNotMatch(await fuSmall.locator('table').innerText(), /\b0 min/);
  await fuSmall.scrollIntoViewIfNeeded();
  await shot(small, 'journey-admin-followup-phone');
  await small.goto(`${proxy.url}/admin`);
  await small.locator('table').waitFor();
  const badgeLines = await small.locator('table .status').evaluateAll((ns) => ns.map((n) => n.getClientRects().length === 1 && n.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(n).lineHeight)));
  assert.ok(badgeLines.every(Boolean), 'status badges on one line at 360 px');
  // Item 10: "Stat us", "Start er": the column names of the stacked rows in whole words.
  assert.deepEqual(await brokenWords(small), [], 'admin list at 360 px');
  await noOverflow(small, 'admin list 360');
  await shot(small, 'journey-admin-list-phone');
  // Exports, by clicking their links on the organizer page.
  await small.goto(`${proxy.url}/admin?m=${s.id}`);
  for (const [label, check] of [['NDJSON', (t) => t.split('\n').filter(Boolean).every((l) => JSON.parse(l).seq > 0)], ['indlæg (CSV)', (t) => /Hvornår starter byggeriet/.test(t)], ['Hent CSV', (t) => t.length > 0]]) {
    const [dl] = await Promise.all([small.waitForEvent('download'), small.locator('.report-links a', { hasText: label }).click()]);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(await dl.path(), 'utf8');
    assert.ok(check(text), `export ${label}`);
  }
  for (const width of [320, 360, 1280]) {
    await small.setViewportSize({ width, height: 740 });
    await small.goto(`${proxy.url}/admin?m=${s.id}`);
    await small.locator('#report-link').click();
    await small.locator('h1').waitFor();
    await noOverflow(small, `report ${width}`);
    await accessible(small, `report ${width}`);
    await shot(small, `journey-report-${width}`);
    await small.goto(`${proxy.url}/m/${s.id}`);
    await small.locator('.archive-banner a').click();
    await small.locator('h1').waitFor();
    await noOverflow(small, `archive ${width}`);
    await accessible(small, `archive ${width}`);
    await shot(small, `journey-archive-${width}`);
  }
});
