// The after-meeting report in a browser: the 2013 meeting as `--demo-2013` seeds it (150
// participants, 417 posts over two hours, with presence samples). A citizen reads the public
// archive from the closed meeting's page (tombstones, no moderator names); the organizer sets
// the targets in the organizer page and opens the printable report: figures, the SVG chart,
// print CSS, no CSP violation, no serious axe finding. Takes docs/screenshots/report-2013.png.
// A second meeting with an agenda and polls (set up through the API): the report page shows
// the agenda and poll sections with their bars and breakdowns, the archive lists the agenda,
// filters the questions by item and shows the closed polls' results; axe on both, on a phone
// and a desktop. Takes report-polls.png and archive-agenda.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launch, newPage, axe, sleep, DESKTOP, SCREENSHOT_DIR } from './lib.js';

/** The meeting `--demo-2013` seeded (its id from the printed report link). */
async function seeded2013(server) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const m = server.log().match(/report: +http:\/\/[^/]+\/api\/meetings\/([0-9a-f-]+)\/report\.html/);
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`no 2013 meeting seeded:\n${server.log()}`);
    await sleep(100);
  }
}

test('the report of the 2013 meeting', async () => {
  const server = await startServer({ env: { BORGERMODE_DEMO_2013: 'true' } });
  const browser = await launch();
  try {
    const m = await seeded2013(server);
    // A citizen finds the archive from the closed meeting's page: tombstones, no hidden text,
    // no moderator names.
    const citizen = await newPage(browser);
    await citizen.goto(`${server.url}/m/${m}`);
    await citizen.locator('.archive-banner a').click();
    await citizen.waitForURL(/\/archive$/);
    // The archive is paged by threads; walking every page finds all 417 posts and 4 tombstones.
    let tombstones = 0; let posts = 0;
    for (let page = 1; ; page++) {
      tombstones += await citizen.locator('.tombstone').count();
      posts += await citizen.locator('article.post').count();
      const next = citizen.locator('nav.pages a[rel=next]').first();
      if (!(await next.count())) break;
      await next.click();
      await citizen.waitForURL(new RegExp(`page=${page + 1}`));
    }
    assert.equal(tombstones, 4);
    assert.equal(posts, 417);
    assert.doesNotMatch(await citizen.content(), /Webredaktøren/);
    assert.deepEqual(citizen.errors, []);
    assert.deepEqual((await axe(citizen)).map((v) => v.id), []);

    // The organizer sets the targets and names the moderators in the organizer page.
    const page = await newPage(browser, DESKTOP);
    const login = await page.request.post(`${server.url}/api/admin/session`, { data: { token: server.token } });
    assert.ok(login.ok(), `admin session: ${login.status()}`);
    await page.goto(`${server.url}/admin?m=${m}`);
    await page.locator('#report-h').waitFor();
    await page.waitForFunction(() => document.querySelector('#target-under30').value === '25');
    await page.fill('#target-under30', '30');
    await page.fill('#target-women', '50');
    await page.check('#show-moderators');
    await page.locator('#report-h ~ form button[type=submit]').click();
    const deadline = Date.now() + 10000;
    for (;;) {
      const o = await (await page.request.get(`${server.url}/api/meetings/${m}/report-options`)).json();
      if (o.targets.women_min_pct === 50 && o.show_moderators) { assert.equal(o.targets.under_30_min_pct, 30); break; }
      assert.ok(Date.now() < deadline, `options not saved: ${JSON.stringify(o)}`);
      await sleep(100);
    }
    await citizen.reload();
    assert.match(await citizen.content(), /Webredaktøren/);

    await page.locator('#report-link').click();
    await page.waitForURL(/report\.html/);
    assert.match(await page.locator('#report').textContent(), /≥ 50 %/);
    const figures = await page.locator('.figures strong').allTextContents();
    assert.equal(figures[0], '150');
    assert.equal(figures[1], '220');
    assert.equal(figures[3], '417');
    assert.equal(await page.locator('svg.chart rect').count(), 121);
    assert.equal(await page.locator('svg.chart title').first().textContent(), 'Indlæg og seere pr. minut');
    // Issue 18: the topics of the 120 questions ("Hvad sker der med havnen og bussen?"), the
    // small words left out.
    const topics = await page.locator('ul.topics li').allInnerTexts();
    assert.ok(topics.includes('havnen (120)') && topics.includes('bussen (120)'), topics.join(' / '));
    assert.ok(!topics.some((x) => /^(hvad|der|med|og) /.test(x)), topics.join(' / '));
    assert.deepEqual(page.errors, []);
    assert.deepEqual((await axe(page)).map((v) => v.id), []);
    // Printing drops the links.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.actions').isVisible(), false);
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await page.locator('.actions').isVisible(), true);
    await page.setViewportSize({ width: 1000, height: 1200 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'report-2013.png'), fullPage: true });
  } finally {
    await browser.close();
    await server.stop();
    server.cleanup();
  }
});

/** Join over HTTP with an age band and gender; the session token for bearer use. */
async function joinAs(server, meeting, name, age, gender) {
  const res = await fetch(`${server.url}/api/meetings/${meeting}/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ display_name: name, age_band: age, gender }) });
  if (!res.ok) throw new Error(`join: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') || '').match(/bm_[0-9a-f]+=([^;]+)/)[1];
}

test('the report and the archive of a meeting with an agenda and polls', async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const { data: created } = await server.api('POST', '/api/meetings', { title: 'Havneplanen 2027', description: 'Om havnen.', language: 'da', starts_at: '2027-01-14T18:00:00Z' });
    const m = created.meeting_id;
    const item = async (title, planned) => (await server.api('POST', `/api/meetings/${m}/agenda`, { title, description: title === 'Havneplanen' ? 'De tre **forslag**.' : '', planned_start: planned })).data.seq;
    const harbour = await item('Havneplanen', '2027-01-14T18:10:00Z');
    const schools = await item('Skolerne', null);
    await server.api('POST', `/api/meetings/${m}/open`);
    const people = [];
    for (let i = 0; i < 7; i++) people.push([await joinAs(server, m, `Kvinde ${i}`, '30_44', 'woman'), 0]);
    for (let i = 0; i < 5; i++) people.push([await joinAs(server, m, `Mand ${i}`, '60_74', 'man'), 1]);
    const ask = async (tok, body, agenda_item) => (await server.api('POST', `/api/meetings/${m}/posts`, { kind: 'question', body, parent: null, agenda_item }, tok)).data.post_id;
    await ask(people[0][0], 'Hvor høje bliver husene ved kajen?', harbour);
    await ask(people[1][0], 'Hvornår åbner den nye skole?', schools);
    await ask(people[2][0], 'Hvad koster det hele?', null);
    const poll = async (definition) => {
      const id = (await server.api('POST', `/api/meetings/${m}/polls`, definition)).data.seq;
      await server.api('POST', `/api/meetings/${m}/polls/${id}/launch`);
      return id;
    };
    const plan = await poll({ question: 'Hvilket forslag foretrækker du?', kind: { type: 'single_choice', options: ['A: parken', 'B: boligerne'] }, results: 'after_close', agenda_item: harbour });
    const scale = await poll({ question: 'Hvor tilfreds er du med mødet?', kind: { type: 'scale', max: 5, low_label: 'slet ikke', high_label: 'meget' }, results: 'live', agenda_item: null });
    const words = await poll({ question: 'Havnen med ét ord?', kind: { type: 'word_cloud' }, results: 'live', agenda_item: null });
    const secret = await poll({ question: 'Kun for personalet', kind: { type: 'single_choice', options: ['Ja', 'Nej'] }, results: 'staff_only', agenda_item: null });
    for (const [i, [tok, pick]] of people.entries()) {
      await server.api('PUT', `/api/meetings/${m}/polls/${plan}/answer`, { kind: 'choice', picks: [pick] }, tok);
      await server.api('PUT', `/api/meetings/${m}/polls/${scale}/answer`, { kind: 'scale', value: 3 + (i % 3) }, tok);
      await server.api('PUT', `/api/meetings/${m}/polls/${secret}/answer`, { kind: 'choice', picks: [0] }, tok);
      if (i < 4) await server.api('PUT', `/api/meetings/${m}/polls/${words}/answer`, { kind: 'words', words: [i % 2 ? 'havnebad' : 'grønt'] }, tok);
    }
    for (const id of [plan, scale, words, secret]) await server.api('POST', `/api/meetings/${m}/polls/${id}/close`);
    await server.api('POST', `/api/meetings/${m}/close`);

    // The report page: the agenda table, a section per poll with bars, the breakdowns.
    const org = await newPage(browser, DESKTOP);
    const login = await org.request.post(`${server.url}/api/admin/session`, { data: { token: server.token } });
    assert.ok(login.ok(), `admin session: ${login.status()}`);
    await org.goto(`${server.url}/api/meetings/${m}/report.html`);
    const agendaRows = await org.locator('#h-agenda ~ table tbody tr th').allTextContents();
    assert.deepEqual(agendaRows, ['Havneplanen', 'Skolerne', 'Uden punkt']);
    assert.equal(await org.locator('#report article.poll').count(), 4, 'staff see every poll');
    const planCard = org.locator(`#poll${plan}`);
    assert.match(await planCard.locator('.meta').textContent(), /12 har svaret/);
    assert.deepEqual(await planCard.locator('table.poll tbody td:nth-child(2)').allTextContents(), ['7', '5']);
    assert.equal(await planCard.locator('svg.bar rect').count(), 2);
    // By age: 30-44 (7 women, all A) shown; 60-74 (5) is hidden with the empty groups, as in
    // the report's own tables (one hidden group never stands alone).
    const rows = await planCard.locator('table.breakdown').first().locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows.find((r) => r[0] === '30–44'), ['30–44', '7', '7', '0']);
    assert.deepEqual(rows.find((r) => r[0] === '60–74'), ['60–74', 'under 5 / skjult', '–', '–']);
    assert.deepEqual(org.errors, []);
    assert.deepEqual((await axe(org)).map((v) => v.id), []);
    await org.screenshot({ path: path.join(SCREENSHOT_DIR, 'report-polls.png'), fullPage: true });
    // On a phone the agenda table and the breakdowns fit the page (their column heads once
    // pushed it to 415 px at 360).
    await org.setViewportSize({ width: 360, height: 780 });
    const phoneWidth = await org.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    assert.ok(phoneWidth.sw <= phoneWidth.cw, `report at 360 px: ${phoneWidth.sw} > ${phoneWidth.cw}`);
    assert.deepEqual((await axe(org)).map((v) => v.id), []);

    // The archive on a phone: the agenda with links, the closed polls' public results only,
    // and the questions of one item.
    const citizen = await newPage(browser);
    await citizen.goto(`${server.url}/m/${m}/archive`);
    assert.deepEqual(await citizen.locator('ol.agenda > li > a').allTextContents(), ['Havneplanen', 'Skolerne']);
    assert.match(await citizen.locator('ol.agenda .description').first().innerHTML(), /<strong>forslag<\/strong>/);
    const polls = await citizen.locator('#h-polls ~ article.poll h3').allTextContents();
    assert.deepEqual(polls, ['Hvilket forslag foretrækker du?', 'Hvor tilfreds er du med mødet?', 'Havnen med ét ord?']);
    assert.doesNotMatch(await citizen.content(), /Kun for personalet/);
    assert.deepEqual((await axe(citizen)).map((v) => v.id), []);
    const noScroll = await citizen.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(noScroll, 'no horizontal overflow on a phone');
    await citizen.locator('ol.agenda > li > a', { hasText: 'Havneplanen' }).click();
    await citizen.waitForURL(new RegExp(`item=${harbour}`));
    const bodies = await citizen.locator('article.post > p:not(.meta)').allTextContents();
    assert.deepEqual(bodies, ['Hvor høje bliver husene ved kajen?']);
    assert.equal(await citizen.locator('ol.agenda > li > a[aria-current=true]').textContent(), 'Havneplanen');
    assert.deepEqual((await axe(citizen)).map((v) => v.id), []);
    await citizen.screenshot({ path: path.join(SCREENSHOT_DIR, 'archive-agenda.png'), fullPage: true });
    await citizen.locator('nav.agenda-filter a', { hasText: 'Uden punkt' }).click();
    await citizen.waitForURL(/item=none/);
    assert.deepEqual(await citizen.locator('article.post > p:not(.meta)').allTextContents(), ['Hvad koster det hele?']);
    // Search: a misspelt word finds its thread; a word nobody used says so, with a way back.
    await citizen.locator('.search-result, nav.agenda-filter a', { hasText: /Alle punkter|Vis alle/ }).first().click();
    await citizen.waitForURL((u) => !/item=/.test(u.search));
    await citizen.locator('#archive-q').fill('skollen');
    await citizen.keyboard.press('Enter');
    await citizen.waitForURL(/q=skollen/);
    assert.deepEqual(await citizen.locator('article.post > p:not(.meta)').allTextContents(), ['Hvornår åbner den nye skole?']);
    assert.match(await citizen.locator('.search-result').textContent(), /»skollen«: 1/);
    assert.equal(await citizen.locator('#archive-q').inputValue(), 'skollen', 'the search stays in the field');
    assert.deepEqual((await axe(citizen)).map((v) => v.id), []);
    assert.ok(await citizen.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'search: no horizontal overflow');
    await citizen.screenshot({ path: path.join(SCREENSHOT_DIR, 'archive-search.png'), fullPage: true });
    await citizen.locator('#archive-q').fill('cykelsti');
    await citizen.locator('form.archive-search button').click();
    await citizen.waitForURL(/q=cykelsti/);
    assert.match(await citizen.locator('.search-result').textContent(), /Ingen tråde med »cykelsti«/);
    assert.equal(await citizen.locator('article.post').count(), 0);
    await citizen.locator('.search-result a').click();
    await citizen.waitForURL((u) => !/q=/.test(u.search));
    assert.equal(await citizen.locator('article.post').count(), 3);
    assert.deepEqual(citizen.errors, []);
  } finally {
    await browser.close();
    await server.stop();
    server.cleanup();
  }
});
