// The after-meeting report in a browser: the 2013 fixture (150 participants, 417 posts) built
// through the API, the organizer opens the printable report page; figures, the SVG chart, no
// CSP violation, no serious axe finding; it takes docs/screenshots/report-2013.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, createMeeting, staffLink, shot, axe, DESKTOP } from './lib.js';

const AGES = [null, 'under_18', '18_29', '30_44', '45_59', '60_74', '75_plus', '45_59'];
const GENDERS = (i) => (i % 5 < 2 ? 'woman' : i % 5 < 4 ? 'man' : null);

async function bearerFrom(res) {
  const cookie = res.headers.get('set-cookie') || '';
  return cookie.match(/bm_[0-9a-f]+=([^;]+)/)[1];
}

async function fixture2013(server) {
  const m = await createMeeting(server, { title: 'Borgermøde fra lænestolen 2013' });
  await server.api('POST', `/api/meetings/${m}/open`);
  const link = await staffLink(server, m, 'panelist', 'Borgmester Ærø', 'Borgmester');
  const key = link.split('#key=')[1];
  const ex = await fetch(`${server.url}/api/staff-session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key }) });
  const panel = await bearerFrom(ex);
  const people = [];
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${server.url}/api/meetings/${m}/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ display_name: `Borger ${i}`, age_band: AGES[i % 8], gender: GENDERS(i) }) });
    assert.equal(res.status, 201);
    people.push(await bearerFrom(res));
  }
  const questions = [];
  const comments = [];
  for (let i = 0; i < 417; i++) {
    const kind = i < 120 ? 'question' : 'comment';
    const parent = i >= 367 ? comments[i - 367] : undefined;
    const { data } = await server.api('POST', `/api/meetings/${m}/posts`, { kind, body: `Indlæg ${i}`, parent }, people[i % 150]);
    (kind === 'question' ? questions : comments).push(data.post_id);
  }
  for (let i = 0; i < 100; i++) {
    if (i < 60) await server.api('POST', `/api/meetings/${m}/questions/${questions[i]}/answer-live`, {}, panel);
    else await server.api('POST', `/api/meetings/${m}/questions/${questions[i]}/answer`, { body: `Svar ${i}` }, panel);
  }
  await server.api('PUT', `/api/meetings/${m}/report-options`, { targets: { under_30_min_pct: 25, women_min_pct: 40 } });
  await server.api('POST', `/api/meetings/${m}/close`);
  return m;
}

test('the report of the 2013 meeting', async () => {
  const server = await startServer({ env: { BORGERMODE_POSTS_PER_MINUTE: '100000', BORGERMODE_JOINS_PER_MINUTE_PER_IP: '100000' } });
  const browser = await launch();
  try {
    const m = await fixture2013(server);
    const page = await newPage(browser, DESKTOP);
    const login = await page.request.post(`${server.url}/api/admin/session`, { data: { token: server.token } });
    assert.ok(login.ok(), `admin session: ${login.status()}`);
    await page.goto(`${server.url}/api/meetings/${m}/report.html?lang=da`);
    const figures = await page.locator('.figures strong').allTextContents();
    assert.equal(figures[0], '150');
    assert.equal(figures[3], '417');
    assert.equal(await page.locator('svg.chart title').first().textContent(), 'Indlæg og seere pr. minut');
    assert.deepEqual(page.errors, []);
    assert.deepEqual((await axe(page)).map((v) => v.id), []);
    await page.setViewportSize({ width: 1000, height: 1600 });
    await shot(page, 'report-2013');
  } finally {
    await browser.close();
    await server.stop();
    server.cleanup();
  }
});
