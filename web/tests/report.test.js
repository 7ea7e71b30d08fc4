// The after-meeting report in a browser: the 2013 meeting as `--demo-2013` seeds it (150
// participants, 417 posts over two hours, with presence samples), the organizer opens the
// printable report page; figures, the SVG chart, no
// CSP violation, no serious axe finding; it takes docs/screenshots/report-2013.png.

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
    const page = await newPage(browser, DESKTOP);
    const login = await page.request.post(`${server.url}/api/admin/session`, { data: { token: server.token } });
    assert.ok(login.ok(), `admin session: ${login.status()}`);
    await page.goto(`${server.url}/api/meetings/${m}/report.html?lang=da`);
    const figures = await page.locator('.figures strong').allTextContents();
    assert.equal(figures[0], '150');
    assert.equal(figures[1], '220');
    assert.equal(figures[3], '417');
    assert.equal(await page.locator('svg.chart rect').count(), 121);
    assert.equal(await page.locator('svg.chart title').first().textContent(), 'Indlæg og seere pr. minut');
    assert.deepEqual(page.errors, []);
    assert.deepEqual((await axe(page)).map((v) => v.id), []);
    await page.setViewportSize({ width: 1000, height: 1200 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'report-2013.png'), fullPage: true });
  } finally {
    await browser.close();
    await server.stop();
    server.cleanup();
  }
});
