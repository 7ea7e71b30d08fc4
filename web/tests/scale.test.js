// Scale in the browser: a meeting with 5,000 posts loads and stays usable (a new post
// appears, the filters switch). Prints the script time per new post (Performance API; the
// budget is one 16 ms frame, reported, not gated) and asserts that the citizen page's
// transferred size (gzip, every asset, no video) is within 100 KB.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startServer, launch, newPage, createMeeting, joinHttp, PHONE, sleep } from './lib.js';

const POSTS = Number(process.env.SCALE_POSTS || 5000);
let server;
let browser;
after(async () => {
  if (browser) await browser.close();
  if (server) { await server.stop(); server.cleanup(); }
});

test(`a meeting with ${POSTS} posts loads, stays usable, and the page is within 100 KB`, async () => {
  // The database in memory-backed /dev/shm when there is one: this test measures the page.
  if (!process.env.BM_TMP && existsSync('/dev/shm')) process.env.BM_TMP = '/dev/shm';
  server = await startServer({ env: { BORGERMODE_POSTS_PER_MINUTE: '1000000' } });
  browser = await launch();
  const id = await createMeeting(server);
  await server.api('POST', `/api/meetings/${id}/open`);
  const people = [];
  for (let i = 0; i < 20; i++) people.push(await joinHttp(server, id, `Borger ${i + 1}`));
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < POSTS) {
      const i = next++;
      const kind = i % 5 === 0 ? 'question' : 'comment';
      await server.api('POST', `/api/meetings/${id}/posts`, { kind, body: `Indlæg nummer ${i + 1}: ${'lidt tekst om havnen og planerne '.repeat(1 + (i % 4))}` }, people[i % people.length]);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  console.log(`created ${POSTS} posts in ${Date.now() - t0} ms`);

  const page = await newPage(browser, PHONE);
  const client = await page.context().newCDPSession(page);
  await client.send('Network.enable');
  let transferred = 0;
  const sizes = {};
  // Requests the page has started and not finished: the weight is read once none is left.
  const open = new Set();
  let settle = null;
  const done = (id) => { open.delete(id); if (!open.size && settle) settle(); };
  client.on('Network.requestWillBeSent', (e) => { open.add(e.requestId); });
  client.on('Network.loadingFailed', (e) => done(e.requestId));
  client.on('Network.loadingFinished', (e) => { transferred += e.encodedDataLength; sizes[e.requestId] = e.encodedDataLength; done(e.requestId); });
  /** Resolves when every request started so far has finished (loaded or failed). */
  const settled = () => new Promise((r) => { if (!open.size) r(); else settle = r; });
  const urls = {};
  client.on('Network.responseReceived', (e) => { urls[e.requestId] = `${e.response.url.replace(server.url, '')} (${e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || 'identity'})`; });
  const l0 = Date.now();
  await page.goto(`${server.url}/m/${id}`);
  await page.waitForFunction((n) => document.querySelectorAll('article.post').length === n, POSTS, { timeout: 60000 });
  const loadMs = Date.now() - l0;
  // Every post is on screen, so the page has asked for all it needs (the join form's privacy
  // notice is fetched when the form is drawn, before the snapshot's posts): wait for those
  // requests to finish, not for a while.
  await settled();
  const list = Object.entries(sizes).map(([rid, n]) => `${urls[rid] || rid}: ${n} B`);
  console.log(`citizen page with ${POSTS} posts rendered in ${loadMs} ms; transferred (HTTP, compressed, headers included):\n  ${list.join('\n  ')}\n  total ${(transferred / 1024).toFixed(1)} KB`);
  assert.ok(transferred <= 100 * 1024, `page weight ${transferred} B > 100 KB`);
  assert.ok(list.every((x) => !/\.(js|css|json)/.test(x) || /gzip/.test(x)), 'assets are gzip-compressed');

  // New posts while 5,000 are on screen: script time per post.
  await page.evaluate(() => { window.bmFrameTimes = []; });
  const who = people[0];
  for (let i = 0; i < 30; i++) {
    await server.api('POST', `/api/meetings/${id}/posts`, { kind: i % 2 ? 'comment' : 'question', body: `Nyt indlæg ${i + 1}` }, who);
    await sleep(40);
  }
  await page.locator('article.post', { hasText: 'Nyt indlæg 30' }).waitFor();
  const times = (await page.evaluate(() => window.bmFrameTimes)).sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  const max = times[times.length - 1];
  console.log(`script time per new post (${times.length} event frames): median ${med.toFixed(2)} ms, max ${max.toFixed(2)} ms (budget: one 16 ms frame)`);
  assert.equal(await page.locator('article.post').count(), POSTS + 30);

  // Filters switch.
  const f0 = await page.evaluate(() => performance.now());
  await page.click('[data-filter=questions]');
  const comment = page.locator('article.post', { hasText: 'Nyt indlæg 30' });
  assert.equal(await comment.isVisible(), false);
  assert.equal(await page.locator('article.post', { hasText: 'Nyt indlæg 29' }).isVisible(), true);
  const f1 = await page.evaluate(() => performance.now());
  console.log(`filter switch with ${POSTS + 30} posts: ${(f1 - f0).toFixed(0)} ms`);
  await page.click('[data-filter=all]');
  assert.equal(await comment.isVisible(), true);
  assert.deepEqual(page.errors, []);
});
