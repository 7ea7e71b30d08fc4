// Resume: the server restarts mid-meeting; open pages reconnect by themselves (no reload),
// catch up from their last seq, and show every post exactly once.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, createMeeting, joinHttp, staffLink, PHONE, DESKTOP } from './lib.js';

let server;
let browser;
after(async () => {
  if (browser) await browser.close();
  if (server) { await server.stop(); server.cleanup(); }
});

async function ids(page) {
  return page.evaluate(() => [...document.querySelectorAll('article.post')].map((a) => Number(a.dataset.id)));
}

test('pages resume after a server restart without duplicates or a reload', async () => {
  server = await startServer();
  browser = await launch();
  const id = await createMeeting(server);
  await server.api('POST', `/api/meetings/${id}/open`);
  const mod = await staffLink(server, id, 'moderator', 'Mette', 'Kommunikation');
  const bo = await joinHttp(server, id, 'Bo');

  const viewer = await newPage(browser, PHONE);
  await viewer.goto(`${server.url}/m/${id}`);
  const cit = await newPage(browser, PHONE);
  await cit.goto(`${server.url}/m/${id}`);
  await cit.fill('#join-name', 'Karen');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  const staff = await newPage(browser, DESKTOP);
  await staff.goto(mod);
  await staff.waitForSelector('.console');
  const pages = [viewer, cit, staff];

  await cit.fill('#compose-body', 'Spørgsmål før genstart');
  await cit.click('.post-form button[type=submit]');
  for (let i = 1; i <= 3; i++) await server.api('POST', `/api/meetings/${id}/posts`, { kind: 'comment', body: `Før genstart ${i}` }, bo);
  for (const p of pages) await p.locator('article.post', { hasText: 'Før genstart 3' }).waitFor();
  for (const p of pages) await p.evaluate(() => { window.notReloaded = true; });

  // Restart: the pages get a reconnect frame, see the connection drop, and come back.
  const restarting = server.restart();
  await viewer.locator('#conn.bad, #conn.busy').waitFor({ timeout: 10000 });
  server = await restarting;
  const q = (await server.api('POST', `/api/meetings/${id}/posts`, { kind: 'question', body: 'Efter genstart 1' }, bo)).data.post_id;
  await server.api('POST', `/api/meetings/${id}/posts`, { kind: 'comment', body: 'Efter genstart 2' }, bo);
  // (Not Bo: nobody may upvote their own question.)
  const carl = await joinHttp(server, id, 'Carl');
  await server.api('PUT', `/api/meetings/${id}/posts/${q}/vote`, { up: true }, carl);

  for (const p of pages) {
    await p.locator('article.post', { hasText: 'Efter genstart 2' }).waitFor({ timeout: 20000 });
    await p.locator('#conn.ok').waitFor({ timeout: 20000 });
    assert.equal(await p.evaluate(() => window.notReloaded), true, 'resumed without a reload');
    const seen = await ids(p);
    assert.equal(seen.length, 6, `six posts on ${p.url()}: ${seen}`);
    assert.equal(new Set(seen).size, seen.length, 'no post twice');
    await p.waitForFunction((pid) => (document.querySelector(`#p-${pid} .vote-count`) || {}).textContent === '1', q, { timeout: 5000 });
  }
  // The citizen's composer still works after the restart (same session).
  await cit.fill('#compose-body', 'Skrevet efter genstart');
  await cit.click('.post-form button[type=submit]');
  for (const p of pages) await p.locator('article.post', { hasText: 'Skrevet efter genstart' }).waitFor();
  // The citizen's page has handled the command's answer too (the composer is emptied after
  // it), so nothing is still in flight when the errors are read and the browser closes.
  await cit.waitForFunction(() => document.querySelector('#compose-body').value === '' && !document.querySelector('.post-form button[type=submit]').disabled);
  for (const p of pages) {
    const seen = await ids(p);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    assert.deepEqual(p.errors, []);
  }
});
