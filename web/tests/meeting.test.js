// The whole meeting in a real browser: the organizer creates and opens a meeting and makes
// staff links; a citizen, a moderator and a panelist take part in three browser contexts;
// the big screen shows the question on air. Then XSS, accessibility (axe-core, keyboard
// only) and screenshots of every page at phone and desktop width.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, createMeeting, axe, shot, PHONE, DESKTOP, SCREENSHOT_DIR, mintStaffLinks } from './lib.js';

const s = {}; // shared between the steps: meeting id, links, pages

const suite = harness();
const { open } = suite;

const post = (page, text) => page.locator('article.post', { hasText: text });

test('the whole meeting: organizer, citizen, moderator, panelist, big screen', async () => {
  // The organizer signs in with the admin link; the token leaves the address bar.
  const org = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await org.waitForSelector('#mf-title');
  assert.ok(!org.url().includes('token='), 'admin token removed from the URL');
  await org.fill('#mf-title', 'Borgermøde om havnen');
  await org.fill('#mf-desc', 'Planerne for **havnen**. Se [kommunens side](https://www.example.org/havn).');
  await org.click('form.card button[type=submit]');
  await org.waitForURL(/\/admin\?m=/);
  s.id = new URL(org.url()).searchParams.get('m');
  Object.assign(s, await mintStaffLinks(org, [['moderator', 'Mette Mødeleder', 'Kommunikation'], ['panelist', 'Anne Borgmester', 'Borgmester']]));
  assert.match(s.moderator, /\/staff#key=/);
  await org.click('button:has-text("Åbn mødet")');
  await org.waitForSelector('.status-open');
  s.org = org;

  // Three contexts: citizen (phone), moderator and panelist (desktop).
  const cit = await open(PHONE, `${suite.server.url}/m/${s.id}`);
  await cit.fill('#join-name', 'Karen Jensen');
  await cit.selectOption('#join-age', '45_59');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  const send = async (kind, text) => {
    await cit.check(`input[name=kind][value=${kind}]`);
    await cit.fill('#compose-body', text);
    await cit.click('.post-form button[type=submit]');
    await post(cit, text).waitFor();
  };
  await send('question', 'Hvornår starter byggeriet ved havnen?');
  await send('question', 'Hvor skal bilerne holde?');
  await send('comment', 'I er nogle totale idioter allesammen');

  const mod = await open(DESKTOP, s.moderator);
  await mod.waitForSelector('.console');
  assert.ok(!mod.url().includes('key='), 'staff key removed from the URL');
  const pan = await open(DESKTOP, s.panelist);
  await pan.waitForSelector('.console');

  // The moderator hides the abusive comment; the citizen sees the tombstone and the reason.
  const abusive = post(mod, 'totale idioter');
  await abusive.locator('[data-action=hide]').click();
  await abusive.locator('select').selectOption('abusive');
  await abusive.locator('input[type=text]').fill('Hold en god tone, tak.');
  await abusive.locator('.slot button[type=submit]').click();
  const tomb = cit.locator('article.post .tombstone', { hasText: 'krænkende sprog' });
  await tomb.waitFor();
  await cit.locator('#my-notices', { hasText: 'Hold en god tone' }).waitFor();
  assert.equal(await cit.locator('text=I er nogle totale idioter').count(), 1, 'the author still sees their own text');

  // The moderator puts the first question on air.
  const q1m = mod.locator('.q-item', { hasText: 'Hvornår starter byggeriet' });
  await q1m.locator('[data-action=onair]').click();
  await mod.locator('.on-air-box', { hasText: 'Hvornår starter byggeriet' }).waitFor();

  // The panelist answers one question in writing and marks the other answered live.
  const q1 = pan.locator('.q-item', { hasText: 'Hvornår starter byggeriet' });
  await q1.locator('[data-action=claim]').click();
  await q1.locator('[data-action=release]').waitFor();
  await q1.locator('[data-action=answer]').click();
  await q1.locator('textarea').fill('Byggeriet starter i **marts 2027**. Se [tidsplanen](https://www.example.org/tidsplan).');
  await q1.locator('.slot button[type=submit]').click();
  const q2 = pan.locator('.q-item', { hasText: 'Hvor skal bilerne holde' });
  await q2.locator('[data-action=live]').click();
  await q2.locator('input[type=text]').fill('P-huset udvides.');
  await q2.locator('.slot button[type=submit]').click();

  // The citizen sees both answers and "answered 2 of 2".
  await cit.locator('#counter', { hasText: 'Besvaret 2 af 2 spørgsmål' }).waitFor();
  await post(cit, 'Hvornår starter byggeriet').locator('.answer-written', { hasText: 'marts 2027' }).waitFor();
  await post(cit, 'Hvor skal bilerne holde').locator('.answer-live', { hasText: 'P-huset udvides' }).waitFor();
  assert.equal(await post(cit, 'Hvornår starter byggeriet').locator('.answer a[href="https://www.example.org/tidsplan"]').count(), 1);
  await cit.locator('#my-notices', { hasText: 'Dit spørgsmål er besvaret' }).first().waitFor();
  assert.equal(await cit.locator('article.post').count(), 3, 'every post once');

  // Filters switch without a reload.
  await cit.click('[data-filter=questions]');
  assert.equal(await post(cit, 'totale idioter').isVisible(), false);
  await cit.click('[data-filter=answered]');
  assert.equal(await post(cit, 'Hvor skal bilerne').isVisible(), true);
  await cit.click('[data-filter=unanswered]');
  assert.equal(await post(cit, 'Hvor skal bilerne').isVisible(), false);
  await cit.click('[data-filter=all]');

  // The big screen: the question that was on air left the air when it was answered; its
  // answer is among the latest.
  const screen = await open(DESKTOP, `${suite.server.url}/m/${s.id}/screen`);
  await screen.locator('.scr-onair .scr-empty').waitFor();
  assert.equal(await screen.locator('.scr-question').count(), 0);
  await screen.locator('.scr-answered', { hasText: 'marts 2027' }).waitFor();
  const qr = await fetch(`${suite.server.url}/m/${s.id}/qr.svg`);
  assert.equal(qr.status, 200);
  assert.match(await qr.text(), /<svg/);
  const short = await fetch(`${suite.server.url}/j/${s.id.replace(/-/g, '').slice(0, 8)}`, { redirect: 'manual' });
  assert.equal(short.status, 303);
  assert.equal(short.headers.get('location'), `/m/${s.id}`);
  Object.assign(s, { cit, mod, pan, screen });

  // A scheduled meeting, for the page before a meeting (countdown, calendar, question intake).
  s.later = await createMeeting(suite.server, { title: 'Borgermøde om skolestruktur', starts_at: new Date(Date.now() + 3 * 86400e3 + 3600e3).toISOString(), ends_at: new Date(Date.now() + 3 * 86400e3 + 3 * 3600e3).toISOString() });
  await suite.server.api('POST', `/api/meetings/${s.later}/schedule`);
});

test('screenshots of every page at phone and desktop width', async () => {
  // Content for the pictures: a hall question and a pinned notice.
  await s.mod.click('#tab-room');
  await s.mod.fill('#room-body', 'Hvad sker der med de gamle pakhuse?');
  await s.mod.fill('#room-name', 'Poul fra salen');
  await s.mod.click('#panel-room button[type=submit]');
  await s.pan.click('#tab-notice');
  await s.pan.fill('#notice-body', 'Faktatjek: Der bliver ikke bygget på selve badestranden.');
  await s.pan.check('#notice-pin');
  await s.pan.click('#panel-notice button[type=submit]');
  await s.cit.locator('.pinned', { hasText: 'Faktatjek' }).waitFor();
  await s.mod.click('#tab-queue');
  const q = s.mod.locator('.q-item', { hasText: 'gamle pakhuse' });
  await q.locator('[data-action=onair]').click();
  await s.screen.locator('.scr-question', { hasText: 'gamle pakhuse' }).waitFor();
  await s.mod.click('#tab-queue');
  await s.pan.click('#tab-queue');

  const views = [
    ['home', '/'],
    ['admin-signin', null],
    ['admin-meetings', '/admin'],
    ['admin-meeting', `/admin?m=${s.id}`],
    ['citizen-before', `/m/${s.later}`],
    ['citizen-live', `/m/${s.id}`],
    ['moderator', null],
    ['panelist', null],
    ['screen', `/m/${s.id}/screen`],
  ];
  // Staff pages: open each link in a new context of the right size.
  const staffFresh = async (link, vp) => {
    const p = await open(vp, link);
    await p.waitForSelector('.q-item');
    return p;
  };
  for (const [vpName, vp] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const cit = await open(vp);
    const ctxCookie = await s.cit.context().cookies();
    await cit.context().addCookies(ctxCookie);
    const adminCtx = await open(vp);
    await adminCtx.goto(`${suite.server.url}/admin#token=${suite.server.token}`);
    await adminCtx.waitForSelector('table');
    for (const [name, path] of views) {
      let p;
      if (name === 'admin-signin') { p = await open(vp, `${suite.server.url}/admin`); await p.waitForSelector('#admin-token'); }
      else if (name === 'moderator') p = await staffFresh(s.moderator, vp);
      else if (name === 'panelist') p = await staffFresh(s.panelist, vp);
      else if (name.startsWith('admin')) { p = adminCtx; await p.goto(suite.server.url + path); await p.waitForSelector(name === 'admin-meeting' ? '.staff-list' : 'table'); }
      else if (name === 'citizen-live') { p = cit; await p.goto(suite.server.url + path); await p.waitForSelector('article.post .answer'); }
      else { p = await open(vp, suite.server.url + path); await p.waitForSelector(name === 'home' ? 'h1' : name === 'screen' ? '.scr-question' : '.countdown'); }
      await p.waitForTimeout(150);
      await shot(p, `${name}-${vpName}`);
    }
  }
  console.log(`screenshots in ${SCREENSHOT_DIR}`);
});

test('XSS: markup in a name and a post shows as text; no img or script element is added', async () => {
  const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
  const watch = (p) => p.evaluate(() => {
    window.added = [];
    new MutationObserver((list) => {
      for (const m of list) {
        for (const n of m.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (n.matches('img,script,iframe,object,embed')) window.added.push(n.outerHTML);
          for (const x of n.querySelectorAll('img,script,iframe,object,embed')) window.added.push(x.outerHTML);
        }
      }
    }).observe(document, { childList: true, subtree: true });
    return document.querySelectorAll('img,script').length;
  });
  const x = await open(PHONE, `${suite.server.url}/m/${s.id}`);
  await x.waitForSelector('#join-name');
  const counts = [await watch(x), await watch(s.mod), await watch(s.cit), await watch(s.screen)];
  await x.fill('#join-name', '<img src=x onerror=alert(1)>');
  await x.click('.join-form button[type=submit]');
  await x.waitForSelector('#compose-body');
  await x.fill('#compose-body', evil);
  await x.click('.post-form button[type=submit]');
  for (const p of [x, s.mod, s.cit]) {
    const item = p.locator('article.post', { hasText: '<script>window.pwned=2</script>' });
    await item.waitFor();
    assert.equal(await item.locator('.body').textContent(), evil);
    assert.equal(await item.locator('.author').textContent(), '<img src=x onerror=alert(1)>');
  }
  // On air on the big screen too.
  const q = s.mod.locator('.q-item', { hasText: 'window.pwned=2' });
  await q.locator('[data-action=onair]').click();
  await s.screen.locator('.scr-question', { hasText: '<script>window.pwned=2</script>' }).waitFor();
  for (const [i, p] of [x, s.mod, s.cit, s.screen].entries()) {
    assert.deepEqual(await p.evaluate(() => window.added), [], 'no element added from user text');
    assert.equal(await p.evaluate(() => document.querySelectorAll('img,script').length), counts[i]);
    assert.equal(await p.evaluate(() => window.pwned), undefined);
  }
});

test('accessibility: axe-core finds no serious or critical violation; keyboard-only citizen flow', async () => {
  const later = s.later;
  const signin = await open(PHONE, `${suite.server.url}/admin`);
  await signin.waitForSelector('#admin-token');
  const targets = {
    home: await open(PHONE, `${suite.server.url}/`),
    'admin-signin': signin,
    'admin-list': await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`),
    'admin-meeting': s.org,
    'citizen-joined': s.cit,
    'citizen-new': await open(PHONE, `${suite.server.url}/m/${s.id}`),
    'citizen-before': await open(PHONE, `${suite.server.url}/m/${later}`),
    moderator: s.mod,
    panelist: s.pan,
    screen: s.screen,
  };
  await targets.home.waitForSelector('h1');
  await targets['admin-list'].waitForSelector('table');
  await targets['citizen-new'].waitForSelector('article.post');
  await targets['citizen-before'].waitForSelector('.countdown');
  const report = {};
  for (const [name, p] of Object.entries(targets)) {
    const v = await axe(p);
    report[name] = v.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  }
  // The moderator console's other tabs.
  for (const tab of ['pending', 'reported', 'settings', 'room', 'notice']) {
    await s.mod.click(`#tab-${tab}`);
    const v = await axe(s.mod);
    report[`moderator-${tab}`] = v.map((x) => `${x.id} (${x.impact})`);
  }
  await s.mod.click('#tab-queue');
  console.log('axe serious/critical violations per page:', JSON.stringify(report, null, 1));
  for (const [name, v] of Object.entries(report)) assert.deepEqual(v, [], `axe on ${name}`);

  // Keyboard only: join, ask, upvote.
  const k = await open(PHONE, `${suite.server.url}/m/${s.id}`);
  await k.waitForSelector('#join-name');
  const tabTo = async (predicate, max = 80) => {
    for (let i = 0; i < max; i++) {
      await k.keyboard.press('Tab');
      if (await k.evaluate(predicate)) return;
    }
    throw new Error(`not reached by Tab: ${predicate}`);
  };
  await tabTo(() => document.activeElement.id === 'join-name');
  await k.keyboard.type('Tastatur Tove');
  await k.keyboard.press('Enter');
  await k.waitForFunction(() => document.activeElement.id === 'compose-body');
  await k.keyboard.type('Kan man følge med uden mus?');
  await k.keyboard.press('Tab');
  assert.equal(await k.evaluate(() => document.activeElement.type), 'submit');
  await k.keyboard.press('Enter');
  await post(k, 'Kan man følge med uden mus?').waitFor();
  await k.focus('#compose-body');
  await tabTo(() => document.activeElement.classList.contains('vote'), 10).catch(async () => {
    await k.focus('#posts');
    await tabTo(() => document.activeElement.classList.contains('vote'));
  });
  await k.keyboard.press('Space');
  await k.waitForFunction(() => document.activeElement.getAttribute('aria-pressed') === 'true');
  const focusStyle = await k.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(focusStyle, 'none', 'focus is visible');
});

test('after the meeting: the archive view', async () => {
  await suite.server.api('POST', `/api/meetings/${s.id}/close`);
  await s.cit.locator('.archive-banner').waitFor();
  for (const [vpName, vp] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const p = await open(vp, `${suite.server.url}/m/${s.id}`);
    await p.waitForSelector('.archive-banner');
    await p.waitForTimeout(150);
    await shot(p, `citizen-archive-${vpName}`);
  }
});
