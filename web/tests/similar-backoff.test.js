// The staff queue's duplicate look-ups under the rate limit (issue 18): `GET .../similar` is
// limited per participant (`--similar-per-minute`, here 6: six at once, then one every 10 s).
// A moderator opens a queue of eight questions, each with a duplicate among the others. The
// first look-ups find theirs; then the server says 429. The queue keeps what it found, says
// once (not per question) that the suggestions pause, sends nothing while Retry-After lasts,
// and later fills in the rest by itself. Through the page only (API calls set the scene);
// axe on the paused and the filled-in state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, createMeeting, staffLink, joinHttp, axe, shot, DESKTOP, PHONE } from './lib.js';

const PER_MINUTE = 6;
const suite = harness({ env: { BORGERMODE_SIMILAR_PER_MINUTE: String(PER_MINUTE) } });
const { open } = suite;

/** Pairs of the same question in other words. */
const PAIRS = [
  ['Hvornår starter byggeriet ved havnen?', 'Hvad er tidsplanen for byggeriet ved havnen?'],
  ['Skal Nørre Skole lukkes?', 'Er det rigtigt at Nørre Skole skal lukke?'],
  ['Hvad kommer det til at koste at parkere på torvet?', 'Skal vi betale for parkering på torvet?'],
  ['Hvornår åbner den nye svømmehal?', 'Hvornår er svømmehallen færdig?'],
];

async function noSeriousAxe(page, what) {
  const v = await axe(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
}

test('the staff queue backs off on 429, keeps what it found and fills in the rest later', async () => {
  const { server } = suite;
  const id = await createMeeting(server, { title: 'Borgermøde med mange spørgsmål' });
  await server.api('POST', `/api/meetings/${id}/open`);
  const ids = [];
  for (const [i, pair] of PAIRS.entries()) {
    for (const [j, body] of pair.entries()) {
      const token = await joinHttp(server, id, `Borger ${i}-${j}`);
      ids.push((await server.api('POST', `/api/meetings/${id}/posts`, { kind: 'question', body }, token)).data.post_id);
    }
  }
  const modLink = await staffLink(server, id, 'moderator', 'Mette Mødeleder', 'Ordstyrer');

  const mod = await open(DESKTOP, modLink);
  /** @type {{ at: number, status: number }[]} */
  const answers = [];
  const started = Date.now();
  mod.on('response', (r) => { if (r.url().includes('/similar?')) answers.push({ at: Date.now() - started, status: r.status() }); });
  await mod.waitForSelector('.console');
  for (const q of ids) await mod.locator(`.q-item[data-id="${q}"]`).waitFor();

  // The limit is reached: one quiet line, and the duplicates found so far stay on the page.
  const note = mod.locator('.dupes-paused:not([hidden])');
  await note.waitFor({ timeout: 20000 });
  assert.match(await note.innerText(), /pause/);
  const shown = mod.locator('.q-dupes:not([hidden])');
  await shown.first().waitFor();
  const early = await shown.count();
  assert.ok(early >= 1 && early < ids.length, `some questions show their duplicates before the pause ends: ${early}`);
  // No error for the questions not yet looked up: no alert with text, no rate-limit message.
  const alerts = (await mod.locator('[role=alert]:visible').allInnerTexts()).filter((x) => x.trim());
  assert.deepEqual(alerts, [], 'no alert shown');
  assert.ok(!(await mod.locator('body').innerText()).includes('Vent lidt'), 'no rate-limit error on the page');
  await noSeriousAxe(mod, 'queue while the duplicate look-ups pause');
  await shot(mod, 'similar-queue-paused-1280');
  // The same state on a phone: the line wraps, nothing overflows, axe stays clean.
  await mod.setViewportSize(PHONE);
  await note.scrollIntoViewIfNeeded();
  assert.ok(await note.isVisible(), 'the pause line is visible at 360 px');
  const o = await mod.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw, `the queue overflows at 360 px: ${o.sw} > ${o.cw}`);
  await noSeriousAxe(mod, 'queue while the duplicate look-ups pause, 360 px');
  await shot(mod, 'similar-queue-paused-360');
  await mod.setViewportSize(DESKTOP);

  // Later every question shows its partner, without anyone touching the page.
  for (const [k, q] of ids.entries()) {
    const partner = ids[k ^ 1];
    await mod.locator(`.q-item[data-id="${q}"] .q-dupes li[data-dupe="${partner}"]`).waitFor({ timeout: 90000 });
  }
  const filled = Date.now() - started;
  await note.waitFor({ state: 'hidden' });
  await noSeriousAxe(mod, 'queue with every duplicate filled in');
  await shot(mod, 'similar-queue-filled-1280');

  // It waited instead of hammering: every refusal was followed by a quiet pause (no request
  // within the first second after a 429), and there were few refusals in all.
  const refused = answers.filter((a) => a.status === 429);
  const ok = answers.filter((a) => a.status === 200);
  console.log(`look-ups: ${ok.length} answered, ${refused.length} refused (429); all ${ids.length} filled in after ${filled} ms`);
  assert.equal(ok.length, ids.length, 'each question was looked up once with success');
  assert.ok(refused.length >= 1, 'the limit was reached');
  // Retry-After is whole seconds, rounded down: a look-up may come a moment early once.
  assert.ok(refused.length <= 2 * (ids.length - PER_MINUTE) + 1, `few refusals: ${refused.length}`);
  for (const r of refused) {
    const next = answers.find((a) => a.at > r.at);
    if (next) assert.ok(next.at - r.at >= 1000, `a request ${next.at - r.at} ms after a 429`);
  }
});
