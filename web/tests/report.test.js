// The after-meeting report in a browser: the 2013 meeting as `--demo-2013` seeds it (150
// participants, 417 posts over two hours, with presence samples). A citizen reads the public
// archive from the closed meeting's page (tombstones, no moderator names); the organizer sets
// the targets in the organizer page and opens the printable report: figures, the SVG chart,
// print CSS, no CSP violation, no serious axe finding. Takes docs/screenshots/report-2013.png.

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
