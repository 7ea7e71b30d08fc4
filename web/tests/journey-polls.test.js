// Journeys of the agenda and polls through the pages only (issue 16, "Interfaces: Web"): a
// moderator prepares a poll in the console's "Afstemninger" tab, launches it and puts it on
// the big screen; two citizens on phones answer (one with the keyboard, one changes the
// answer), the big screen's bars and the console's results follow live; the moderator closes
// it and the citizens keep their answer and the results. The agenda: the moderator writes it
// in the "Dagsorden" tab and steps through it, a citizen asks under the current item (the
// composer's default), the queue filters by item and moves a question, the citizen stream
// filters by item, the big screen shows the current item. The API only sets the scene
// (meeting, staff link, opening). Every new state: axe (no serious or critical), 360 px and
// 1280 px, no horizontal overflow, screenshots.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, createMeeting, staffLink, joinHttp, axe, shot, shotOf, PHONE, DESKTOP } from './lib.js';

const suite = harness();
const { open } = suite;

const lesser = [];
let axeRuns = 0;
/** axe: no serious or critical violation; the lesser ones are printed after the run. */
async function accessible(page, what) {
  axeRuns += 1;
  const v = await axe(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
  const all = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const x of all.violations) if (x.impact === 'moderate' || x.impact === 'minor') lesser.push(`${what}: ${x.id} (${x.impact})`);
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw, `${what} overflows: ${o.sw} > ${o.cw}`);
}
after(() => console.log(`axe: ${axeRuns} states checked, 0 serious/critical; moderate/minor: ${lesser.length ? [...new Set(lesser)].join(', ') : 'none'}`));

/** A meeting that is open, with a moderator's console open at 1280 px. */
async function scene(title) {
  const { server } = suite;
  const id = await createMeeting(server, { title });
  await server.api('POST', `/api/meetings/${id}/open`);
  const link = await staffLink(server, id, 'moderator', 'Mette Mødeleder');
  const mod = await open(DESKTOP, link);
  await mod.locator('#tab-queue').waitFor();
  return { id, mod };
}

/** A citizen on a phone who joined through the form. */
async function citizen(id, name) {
  const p = await open(PHONE, `${suite.server.url}/m/${id}`);
  await p.locator('#join-name').waitFor();
  await p.fill('#join-name', name);
  await p.click('.join-form button[type=submit]');
  await p.locator('#compose-body').waitFor();
  return p;
}

/** The value shown next to an option's bar ("1 · 50 %"). */
const barValue = (page, scope, option) => page.locator(`${scope} .poll-bars li`, { hasText: option }).locator('.bar-value');

test('a moderator prepares and launches a poll, two phones answer (one changes), the big screen shows the bars, the moderator closes it', async () => {
  const { id, mod } = await scene('Borgermøde om havneplanerne');
  const q = 'Hvilken havneplan foretrækker du?';

  // Prepare a draft in the "Afstemninger" tab.
  await mod.click('#tab-polls');
  await mod.locator('#panel-polls .empty', { hasText: 'Ingen afstemninger' }).waitFor();
  await mod.fill('#pn-q', q);
  await mod.selectOption('#pn-kind', 'single_choice');
  await mod.fill('#pn-options', 'A: parken\nB: boligerne\nC: begge dele');
  await mod.selectOption('#pn-shown', 'live');
  await mod.click('.poll-def button[type=submit]');
  const item = mod.locator('.poll-item', { hasText: q });
  await item.locator('.status', { hasText: 'Kladde' }).waitFor();
  // A draft never reaches the public: the citizen page shows no poll yet.
  const early = await open(PHONE, `${suite.server.url}/m/${id}`);
  await early.locator('#join-name').waitFor();
  assert.equal(await early.locator('.poll-card').count(), 0, 'a draft is not shown to the public');
  // A second draft, a word cloud, then edited into a scale and moved to the top, then deleted.
  await mod.fill('#pn-q', 'Et ord om havnen');
  await mod.selectOption('#pn-kind', 'word_cloud');
  await mod.click('.poll-def button[type=submit]');
  const second = mod.locator('.poll-item', { hasText: 'Et ord om havnen' });
  await second.waitFor();
  await second.locator('[data-action=edit]').click();
  await mod.selectOption('.poll-item .poll-def select[id$=-kind]', 'scale');
  await mod.fill('.poll-item .poll-def input[id$=-low]', 'Meget utilfreds');
  await mod.fill('.poll-item .poll-def input[id$=-high]', 'Meget tilfreds');
  await mod.click('.poll-item .poll-def button[type=submit]');
  await second.locator('.meta', { hasText: 'Skala' }).waitFor();
  await second.locator('[data-action=up]').click();
  await mod.locator('.poll-admin > li:first-child', { hasText: 'Et ord om havnen' }).waitFor();
  await accessible(mod, 'console: two drafts');
  await shot(mod, 'journey-polls-drafts-1280');
  await mod.locator('.poll-item', { hasText: 'Et ord om havnen' }).locator('[data-action=delete]').click();
  await mod.locator('.poll-item', { hasText: 'Et ord om havnen' }).waitFor({ state: 'detached' });

  // Launch, and put it on the big screen.
  await item.locator('[data-action=launch]').click();
  await item.locator('.status', { hasText: 'Afstemning i gang' }).waitFor();
  await item.locator('[data-action=screen]').click();
  await item.locator('.badge.on-screen').waitFor();
  const screen = await open(DESKTOP, `${suite.server.url}/m/${id}/screen`);
  await screen.locator('.scr-poll h2', { hasText: q }).waitFor();
  assert.ok(await screen.locator('.scr-join img').isVisible(), 'the QR code stays on the screen');
  await screen.locator('.scr-poll', { hasText: 'Ingen svar endnu' }).or(screen.locator('.scr-poll .poll-respondents', { hasText: '0 har svaret' })).first().waitFor();

  // The visitor who has not joined sees the open poll on top, and how to take part.
  await early.locator('.poll-card h2', { hasText: q }).waitFor();
  assert.match(await early.locator('.poll-card').textContent(), /Deltag i mødet for at svare/);

  // Two citizens on phones. Ane clicks (touch targets at least 44 px high).
  const ane = await citizen(id, 'Ane');
  const card = ane.locator('.poll-card', { hasText: q });
  await card.waitFor();
  const box = await card.locator('label.poll-option', { hasText: 'A: parken' }).boundingBox();
  assert.ok(box.height >= 44, `option touch target ${box.height} px`);
  await accessible(ane, 'citizen: open poll card');
  await card.scrollIntoViewIfNeeded();
  await shot(ane, 'journey-polls-card-360');
  await card.locator('label.poll-option', { hasText: 'A: parken' }).click();
  await card.locator('button[type=submit]').click();
  await card.locator('.poll-mine', { hasText: 'Dit svar: A: parken' }).waitFor();
  // Live results (the poll shows them while it runs), with her pick marked.
  await barValue(ane, '.poll-card', 'A: parken').filter({ hasText: '1 · 100 %' }).waitFor();
  await card.locator('.poll-bars li.mine', { hasText: 'A: parken' }).waitFor();

  // Bo answers with the keyboard only: to the first option, arrow down to B, Tab, Enter.
  const bo = await citizen(id, 'Bo');
  const boCard = bo.locator('.poll-card', { hasText: q });
  await boCard.locator('input[type=radio]').first().focus();
  await bo.keyboard.press('Space');
  await bo.keyboard.press('ArrowDown');
  assert.ok(await boCard.locator('label.poll-option', { hasText: 'B: boligerne' }).locator('input').isChecked());
  await bo.keyboard.press('Tab');
  assert.equal(await bo.evaluate(() => document.activeElement.textContent), 'Send svar');
  await bo.keyboard.press('Enter');
  await boCard.locator('.poll-mine', { hasText: 'Dit svar: B: boligerne' }).waitFor();
  // Focus stays in the card (on "Skift svar"), and the results are announced politely.
  assert.equal(await bo.evaluate(() => document.activeElement.textContent), 'Skift svar');
  assert.equal(await boCard.locator('[aria-live=polite]').count(), 1);
  await boCard.locator('[aria-live=polite]', { hasText: '2 har svaret' }).waitFor({ timeout: 15000 });
  await accessible(bo, 'citizen: answered');

  // Ane changes her mind: C.
  await card.locator('button', { hasText: 'Skift svar' }).click();
  await card.locator('label.poll-option', { hasText: 'A: parken' }).locator('input').waitFor();
  assert.ok(await card.locator('label.poll-option', { hasText: 'A: parken' }).locator('input').isChecked(), 'the form starts from her answer');
  await card.locator('label.poll-option', { hasText: 'C: begge dele' }).click();
  await accessible(ane, 'citizen: changing the answer');
  await card.locator('button[type=submit]', { hasText: 'Gem nyt svar' }).click();
  await card.locator('.poll-mine', { hasText: 'Dit svar: C: begge dele' }).waitFor();

  // Every screen converges on A 0, B 1, C 1.
  for (const [page, scope] of [[screen, '.scr-poll'], [mod, `#poll-admin-${await item.getAttribute('id').then((x) => x.replace('poll-admin-', ''))}`], [ane, '.poll-card'], [bo, '.poll-card']]) {
    await barValue(page, scope, 'A: parken').filter({ hasText: '0 · 0 %' }).waitFor();
    await barValue(page, scope, 'B: boligerne').filter({ hasText: '1 · 50 %' }).waitFor();
    await barValue(page, scope, 'C: begge dele').filter({ hasText: '1 · 50 %' }).waitFor();
  }
  // The bars are drawn: B's is as long as C's, A's has no width.
  const widths = await screen.$$eval('.scr-poll .bar-fill', (ns) => ns.map((n) => n.getBoundingClientRect().width));
  assert.equal(widths[0], 0);
  assert.ok(widths[1] > 100 && Math.abs(widths[1] - widths[2]) < 1, `bar widths ${widths}`);
  await accessible(screen, 'big screen: poll bars');
  await shot(screen, 'journey-polls-screen-1280');
  await accessible(mod, 'console: live results');
  await shot(mod, 'journey-polls-console-results-1280');
  await shot(ane, 'journey-polls-changed-360');

  // The moderator closes it: the citizens keep their answer and the results, and cannot answer.
  await item.locator('[data-action=close]').click();
  await item.locator('.status', { hasText: 'Lukket' }).waitFor();
  await bo.locator('.closed-polls .poll-card', { hasText: q }).waitFor();
  assert.equal(await bo.locator('.poll-slot .poll-card').count(), 0, 'no open poll on top any more');
  const closed = bo.locator('.closed-polls .poll-card');
  assert.match(await closed.textContent(), /Lukket/);
  assert.match(await closed.textContent(), /Dit svar: B: boligerne/);
  assert.equal(await closed.locator('button', { hasText: 'Skift svar' }).count(), 0, 'no change after close');
  await barValue(bo, '.closed-polls', 'C: begge dele').filter({ hasText: '1 · 50 %' }).waitFor();
  await screen.locator('.scr-poll-status', { hasText: 'Lukket' }).waitFor();
  await accessible(bo, 'citizen: closed poll');
  await closed.scrollIntoViewIfNeeded();
  await shot(bo, 'journey-polls-closed-360');
  await accessible(screen, 'big screen: closed poll');
  // The console on a phone.
  await mod.setViewportSize(PHONE);
  await accessible(mod, 'console at 360 px: closed poll');
  await shot(mod, 'journey-polls-console-360');
  await screen.setViewportSize(PHONE);
  await accessible(screen, 'big screen at 360 px');
});

test('a word cloud and a multiple choice: words folded into one, at most two ticks, the big screen shows the cloud', async () => {
  const { server } = suite;
  const { id, mod } = await scene('Borgermøde med ordsky');
  const { data: cloud } = await server.api('POST', `/api/meetings/${id}/polls`, { question: 'Ét ord om havnen?', kind: { type: 'word_cloud' }, results: 'live' });
  const { data: multi } = await server.api('POST', `/api/meetings/${id}/polls`, { question: 'Hvad skal prioriteres?', kind: { type: 'multiple_choice', options: ['Grønt', 'Boliger', 'Havnebad'], max_picks: 2 }, results: 'live' });
  // And a 1-10 scale: its ten answer boxes once made a 360 px phone page 553 px wide.
  const { data: scale } = await server.api('POST', `/api/meetings/${id}/polls`, { question: 'Hvor tilfreds er du med planen?', kind: { type: 'scale', max: 10, low_label: 'slet ikke', high_label: 'meget tilfreds' }, results: 'live' });
  for (const p of [cloud, multi, scale]) await server.api('POST', `/api/meetings/${id}/polls/${p.seq}/launch`);
  // The moderator puts the cloud on the big screen from the console.
  await mod.click('#tab-polls');
  const item = mod.locator(`#poll-admin-${cloud.seq}`);
  await item.locator('[data-action=screen]').click();
  await item.locator('.badge.on-screen').waitFor();
  const screen = await open(DESKTOP, `${suite.server.url}/m/${id}/screen`);
  await screen.locator('.scr-poll h2', { hasText: 'Ét ord om havnen?' }).waitFor();

  const ane = await citizen(id, 'Ane');
  const bo = await citizen(id, 'Bo');
  const words = (page) => page.locator('.poll-card', { hasText: 'Ét ord om havnen?' });
  await ane.fill(`#poll-${cloud.seq}-w0`, 'Havnebad');
  await ane.fill(`#poll-${cloud.seq}-w1`, 'grønt');
  await words(ane).locator('button[type=submit]').click();
  await words(ane).locator('.poll-mine', { hasText: 'havnebad, grønt' }).waitFor();
  await bo.fill(`#poll-${cloud.seq}-w0`, '  havnebad! ');
  await bo.keyboard.press('Enter');
  // "Havnebad" and "havnebad!" are one word, given twice.
  for (const page of [bo, screen]) {
    await page.locator('.cloud li', { hasText: 'havnebad' }).locator('.cloud-n', { hasText: '2' }).waitFor();
    await page.locator('.cloud li', { hasText: 'grønt' }).locator('.cloud-n', { hasText: '1' }).waitFor();
  }
  await bo.locator(`#poll-${scale.seq}-o9`).waitFor();
  await accessible(bo, 'citizen: word cloud answered, a 1-10 scale open');
  await accessible(screen, 'big screen: word cloud');
  await shot(screen, 'journey-polls-cloud-screen-1280');

  // Multiple choice: after two ticks the third is disabled; the answer is the two.
  const card = ane.locator('.poll-card', { hasText: 'Hvad skal prioriteres?' });
  await card.locator('label', { hasText: 'Grønt' }).click();
  await card.locator('label', { hasText: 'Havnebad' }).click();
  assert.equal(await card.locator('input[value="1"]').isDisabled(), true, 'a third tick cannot be made');
  await card.locator('button[type=submit]').click();
  await card.locator('.poll-mine', { hasText: 'Grønt' }).waitFor();
  assert.match(await card.locator('.poll-mine').textContent(), /Havnebad/);
  await card.locator('.poll-bars li', { hasText: 'Havnebad' }).locator('.bar-value', { hasText: /^1\b/ }).waitFor();
  await accessible(ane, 'citizen: multiple choice answered');
  await shot(ane, 'journey-polls-multi-360');
});

test('an open answer under pre-moderation: held, let through by the moderator, then shown to all', async () => {
  const { server } = suite;
  const { id, mod } = await scene('Borgermøde med åbne svar');
  await server.api('PATCH', `/api/meetings/${id}/settings`, { premoderation: true });
  const { data } = await server.api('POST', `/api/meetings/${id}/polls`, { question: 'Hvad skal havnen bruges til?', kind: { type: 'open_answer' }, results: 'live' });
  await server.api('POST', `/api/meetings/${id}/polls/${data.seq}/launch`);
  const ane = await citizen(id, 'Ane');
  const card = ane.locator('.poll-card', { hasText: 'Hvad skal havnen bruges til?' });
  await ane.fill(`#poll-${data.seq}-text`, 'Mere grønt og en badeplads');
  await card.locator('button[type=submit]').click();
  await card.locator('.poll-mine', { hasText: 'Mere grønt og en badeplads' }).waitFor();
  await ane.locator('#announcer', { hasText: 'moderator' }).waitFor();
  assert.equal(await card.locator('.poll-texts li').count(), 0, 'a held answer is not listed');
  await mod.click('#tab-polls');
  const item = mod.locator(`#poll-admin-${data.seq}`);
  await item.locator('summary', { hasText: 'Moderér svarene' }).click();
  const row = item.locator('.answer-mod li', { hasText: 'Mere grønt og en badeplads' });
  await row.locator('[data-action=answer-approve]').waitFor();
  await accessible(mod, 'console: a held open answer');
  await shot(mod, 'journey-polls-open-answer-held-1280');
  await row.locator('[data-action=answer-approve]').click();
  await row.locator('.meta', { hasText: 'Vises' }).waitFor();
  await card.locator('.poll-texts li', { hasText: 'Mere grønt og en badeplads' }).waitFor();
  await accessible(ane, 'citizen: open answer shown');
});

test('the agenda: written and stepped in the console, a question asked under the current item, the queue and the stream filter and move by item, the big screen shows the item', async () => {
  const { id, mod } = await scene('Borgermøde med dagsorden');
  await mod.click('#tab-agenda');
  await mod.locator('#panel-agenda .empty', { hasText: 'ingen dagsorden' }).waitFor();
  for (const title of ['Velkomst', 'Havnen', 'Trafik']) {
    await mod.fill('#ag-new-title', title);
    await mod.click('.agenda-form button[type=submit]');
    await mod.locator('.agenda-edit li', { hasText: title }).waitFor();
  }
  // Trafik before Havnen, then Havnen is current.
  await mod.locator('.agenda-edit li', { hasText: 'Trafik' }).locator('[data-focus^=up]').click();
  await mod.locator('.agenda-edit li:nth-child(2)', { hasText: 'Trafik' }).waitFor();
  await mod.locator('.agenda-edit li', { hasText: 'Havnen' }).locator('button', { hasText: 'Gør til aktuelt punkt' }).click();
  await mod.locator('.agenda-edit li[aria-current=true]', { hasText: 'Havnen' }).waitFor();
  await accessible(mod, 'console: agenda with a current item');
  await shot(mod, 'journey-agenda-console-1280');

  // The citizen sees the agenda with the current item marked, and asks under it by default.
  const ane = await citizen(id, 'Ane');
  await ane.locator('.agenda li[aria-current=true]', { hasText: 'Havnen' }).waitFor();
  assert.match(await ane.locator('.agenda li[aria-current=true]').textContent(), /Nu/);
  assert.equal(await ane.locator('#compose-item option:checked').textContent(), '3. Havnen (Nu)');
  await ane.fill('#compose-body', 'Hvornår begynder byggeriet ved havnen?');
  await ane.click('.post-form button[type=submit]');
  await ane.locator('article.post', { hasText: 'byggeriet ved havnen' }).waitFor();
  // And one under another item, picked in the composer.
  await ane.selectOption('#compose-item', { label: '2. Trafik' });
  await ane.fill('#compose-body', 'Kommer der en cykelsti?');
  await ane.click('.post-form button[type=submit]');
  await ane.locator('article.post', { hasText: 'cykelsti' }).waitFor();
  await accessible(ane, 'citizen: agenda and item picker');
  await shot(ane, 'journey-agenda-citizen-360');

  // The stream filters by item.
  await ane.selectOption('#stream-item', { label: '2. Trafik' });
  await ane.locator('article.post', { hasText: 'byggeriet ved havnen' }).waitFor({ state: 'hidden' });
  assert.ok(await ane.locator('article.post', { hasText: 'cykelsti' }).isVisible());
  await ane.selectOption('#stream-item', '');
  await ane.locator('article.post', { hasText: 'byggeriet ved havnen' }).waitFor();

  // The queue: filter by item, and move the harbour question to Trafik.
  await mod.click('#tab-queue');
  const harbour = mod.locator('.q-item', { hasText: 'byggeriet ved havnen' });
  await harbour.locator('.item-line', { hasText: 'Under 3. Havnen' }).waitFor();
  await mod.selectOption('#queue-item', { label: '2. Trafik' });
  await harbour.waitFor({ state: 'detached' });
  await mod.locator('.q-item', { hasText: 'cykelsti' }).waitFor();
  await mod.selectOption('#queue-item', '');
  await harbour.locator('[data-action=file]').click();
  await mod.selectOption(`.q-item select[id^=file-]`, { label: '2. Trafik' });
  await accessible(mod, 'console: moving a question');
  await mod.click('.q-item .small-form button[type=submit]');
  await harbour.locator('.item-line', { hasText: 'Under 2. Trafik' }).waitFor();
  await ane.selectOption('#stream-item', { label: '2. Trafik' });
  assert.ok(await ane.locator('article.post', { hasText: 'byggeriet ved havnen' }).isVisible(), 'the moved question is under Trafik for the citizen');

  // Step on: Trafik is current; the citizen page, the composer and the big screen follow.
  const screen = await open(DESKTOP, `${suite.server.url}/m/${id}/screen`);
  await screen.locator('.scr-item', { hasText: 'Nu: 3. Havnen' }).waitFor();
  await mod.click('#tab-agenda');
  await mod.locator('.agenda-edit li', { hasText: 'Trafik' }).locator('button', { hasText: 'Gør til aktuelt punkt' }).click();
  await screen.locator('.scr-item', { hasText: 'Nu: 2. Trafik' }).waitFor();
  await ane.locator('.agenda li[aria-current=true]', { hasText: 'Trafik' }).waitFor();
  await accessible(screen, 'big screen: current item');
  await shot(screen, 'journey-agenda-screen-1280');
  await ane.setViewportSize(DESKTOP);
  await accessible(ane, 'citizen at 1280 px: agenda');
  await shot(ane, 'journey-agenda-citizen-1280');
});

test('the organizer prepares the agenda and polls from the admin page before the meeting; the moderator console shows them', async () => {
  const { server } = suite;
  // The scene: a meeting that has not started, and a moderator's link for later.
  const id = await createMeeting(server, { title: 'Borgermøde om havnens fremtid' });
  const link = await staffLink(server, id, 'moderator', 'Mette Mødeleder');

  // The communication officer signs in with the organizer link and opens the meeting.
  const org = await open(DESKTOP, `${server.url}/admin#token=${server.token}`);
  await org.locator('#list-h').waitFor();
  await org.click(`a[href="/admin?m=${id}"]`);
  const agendaCard = org.locator('section:has(> #agenda-admin-h)');
  const pollsCard = org.locator('section:has(> #polls-admin-h)');
  await agendaCard.locator('.empty', { hasText: 'ingen dagsorden' }).waitFor();
  await pollsCard.locator('.empty', { hasText: 'Ingen afstemninger' }).waitFor();
  /** Every new state: axe and no overflow at 1280 px and at 360 px. */
  const check = async (what) => {
    await accessible(org, `admin: ${what}`);
    await org.setViewportSize(PHONE);
    await accessible(org, `admin at 360 px: ${what}`);
    await org.setViewportSize(DESKTOP);
  };
  await check('empty agenda and polls');

  // Three agenda items, one with a description, one with a planned start.
  const items = agendaCard.locator('.agenda-edit > li');
  for (const [title, desc, when] of [['Velkomst', '', ''], ['Havnen', 'De tre **planer** for havnen.', '2026-12-10T19:30'], ['Trafik', '', '']]) {
    await org.fill('#ag-new-title', title);
    await org.fill('#ag-new-desc', desc);
    await org.fill('#ag-new-when', when);
    await agendaCard.locator('.agenda-form button[type=submit]').click();
    await agendaCard.locator('.agenda-edit li', { hasText: title }).waitFor();
  }
  assert.deepEqual(await items.locator('.agenda-line > strong').allTextContents(), ['Velkomst', 'Havnen', 'Trafik']);
  assert.match(await items.nth(1).textContent(), /19\.30/, 'the planned start is shown (Danish time)');
  assert.equal(await items.nth(1).locator('.agenda-desc strong').textContent(), 'planer', 'the description as citizens will read it');
  assert.equal(await org.evaluate(() => document.activeElement && document.activeElement.id), 'ag-new-title', 'the title field is ready for the next item');
  await check('three agenda items');

  // Reorder with the keyboard: Trafik up, before Havnen.
  await items.nth(2).locator('button', { hasText: 'Flyt op' }).focus();
  await org.keyboard.press('Enter');
  await agendaCard.locator('.agenda-edit > li:nth-child(2)', { hasText: 'Trafik' }).waitFor();
  assert.deepEqual(await items.locator('.agenda-line > strong').allTextContents(), ['Velkomst', 'Trafik', 'Havnen']);
  // Edit the first item's title.
  await items.nth(0).locator('button', { hasText: 'Redigér' }).click();
  const editTitle = items.nth(0).locator('input[id$=-title]');
  assert.equal(await editTitle.evaluate((n) => n === document.activeElement), true, 'the edit form takes the focus');
  await editTitle.fill('Velkomst og præsentation');
  await check('editing an agenda item');
  await items.nth(0).locator('button[type=submit]', { hasText: 'Gem punktet' }).click();
  await items.nth(0).locator('strong', { hasText: 'Velkomst og præsentation' }).waitFor();

  // Two poll drafts: a single choice under "Havnen", a word cloud; the cloud moved up; a third
  // one made by mistake and deleted.
  const polls = pollsCard.locator('.poll-admin > li');
  await org.fill('#pn-q', 'Hvilken havneplan foretrækker du?');
  await org.selectOption('#pn-kind', 'single_choice');
  await org.fill('#pn-options', 'A: parken\nB: boligerne');
  await org.selectOption('#pn-item', { label: '3. Havnen' });
  await org.selectOption('#pn-shown', 'after_close');
  await pollsCard.locator('.poll-def button[type=submit]').click();
  await polls.filter({ hasText: 'Hvilken havneplan' }).waitFor();
  for (const q of ['Ét ord om havnen?', 'Prøve']) {
    await org.fill('#pn-q', q);
    await org.selectOption('#pn-kind', 'word_cloud');
    await pollsCard.locator('.poll-def button[type=submit]').click();
    await polls.filter({ hasText: q }).waitFor();
  }
  const harbour = polls.filter({ hasText: 'Hvilken havneplan' });
  assert.match(await harbour.locator('.meta').textContent(), /Kladde.*Vælg én.*Resultat vises efter lukning.*3\. Havnen/);
  // Before the meeting a draft says when it can be launched instead of offering a button that fails.
  assert.equal(await pollsCard.locator('[data-action=launch]').count(), 0, 'no launch button before the meeting is open');
  assert.match(await harbour.locator('.actions').textContent(), /Kan startes, når mødet er åbent/);
  await check('three poll drafts');
  await polls.filter({ hasText: 'Prøve' }).locator('[data-action=delete]').click();
  await polls.filter({ hasText: 'Prøve' }).waitFor({ state: 'detached' });
  await polls.filter({ hasText: 'Ét ord om havnen?' }).locator('[data-action=up]').click();
  await pollsCard.locator('.poll-admin > li:first-child', { hasText: 'Ét ord om havnen?' }).waitFor();
  // Edit the harbour poll: a third option.
  await harbour.locator('[data-action=edit]').click();
  await harbour.locator('textarea[id$=-options]').fill('A: parken\nB: boligerne\nC: begge dele');
  await check('editing a poll draft');
  await harbour.locator('button[type=submit]', { hasText: 'Gem kladden' }).click();
  await harbour.locator('textarea[id$=-options]').waitFor({ state: 'detached' });
  await check('agenda and polls prepared');
  await shotOf(org.locator('.plan-grid'), 'journey-admin-plan-1280');
  await org.setViewportSize(PHONE);
  await shotOf(pollsCard, 'journey-admin-polls-360');
  await shotOf(agendaCard, 'journey-admin-agenda-360');
  await org.setViewportSize(DESKTOP);

  // The moderator's console shows what the organizer prepared, in the organizer's order.
  const mod = await open(DESKTOP, link);
  await mod.locator('#tab-agenda').click();
  assert.deepEqual(await mod.locator('#panel-agenda .agenda-edit > li .agenda-line > strong').allTextContents(), ['Velkomst og præsentation', 'Trafik', 'Havnen']);
  await mod.click('#tab-polls');
  assert.deepEqual(await mod.locator('#panel-polls .poll-admin > li .body').allTextContents(), ['Ét ord om havnen?', 'Hvilken havneplan foretrækker du?']);
  const modHarbour = mod.locator('#panel-polls .poll-item', { hasText: 'Hvilken havneplan' });
  assert.match(await modHarbour.locator('.meta').textContent(), /3\. Havnen/);
  await modHarbour.locator('[data-action=edit]').click();
  assert.equal(await modHarbour.locator('textarea[id$=-options]').inputValue(), 'A: parken\nB: boligerne\nC: begge dele');
  await modHarbour.locator('button', { hasText: 'Annullér' }).click();
  await accessible(mod, 'console: what the organizer prepared');

  // The organizer opens the meeting from the same page: the drafts can now be launched here,
  // and a change the moderator makes in the console reaches the organizer's page live.
  await org.click('button:text-is("Åbn mødet")');
  await harbour.locator('[data-action=launch]').waitFor();
  await harbour.locator('[data-action=launch]').click();
  await harbour.locator('.status', { hasText: 'Afstemning i gang' }).waitFor();
  await modHarbour.locator('.status', { hasText: 'Afstemning i gang' }).waitFor();
  await mod.click('#tab-agenda');
  await mod.locator('#panel-agenda .agenda-edit li', { hasText: 'Havnen' }).locator('button', { hasText: 'Gør til aktuelt punkt' }).click();
  await agendaCard.locator('.agenda-edit li[aria-current=true]', { hasText: 'Havnen' }).waitFor();
  await check('the meeting open, a poll launched');
});

test('no live stream gets through: the citizen page and the big screen read the open poll, its results and the own answer over HTTP', async () => {
  const { server } = suite;
  const id = await createMeeting(server, { title: 'Borgermøde bag en streng firewall' });
  await server.api('POST', `/api/meetings/${id}/open`);
  const q = 'Skal havnebadet være åbent om vinteren?';
  const { data } = await server.api('POST', `/api/meetings/${id}/polls`, { question: q, kind: { type: 'single_choice', options: ['Ja', 'Nej'] }, results: 'live' });
  await server.api('POST', `/api/meetings/${id}/polls/${data.seq}/launch`);
  await server.api('PUT', `/api/meetings/${id}/polls/on-screen`, { poll: data.seq });
  const tok = await joinHttp(server, id, 'Nabo');
  await server.api('PUT', `/api/meetings/${id}/polls/${data.seq}/answer`, { kind: 'choice', picks: [0] }, tok);

  // Ane joins and answers while the stream works.
  const ane = await citizen(id, 'Ane');
  const card = ane.locator('.poll-card', { hasText: q });
  await card.locator('label.poll-option', { hasText: 'Nej' }).click();
  await card.locator('button[type=submit]').click();
  await card.locator('.poll-mine', { hasText: 'Dit svar: Nej' }).waitFor();

  // Then her network refuses every stream: the WebSocket says nothing, the SSE stream fails.
  /** @param {import('playwright-core').Page} page */
  const cutStreams = async (page) => {
    const tries = { ws: 0, sse: 0 };
    await page.context().routeWebSocket(/\/api\/meetings\/[^/]+\/live/, () => { tries.ws += 1; });
    await page.context().route(/\/api\/meetings\/[^/]+\/events/, (r) => { tries.sse += 1; return r.abort(); });
    return tries;
  };
  const aneTries = await cutStreams(ane);
  await ane.reload();
  // The open poll on top, with the results and her own answer, though no frame ever came.
  await card.locator('.poll-mine', { hasText: 'Dit svar: Nej' }).waitFor();
  await barValue(ane, '.poll-card', 'Ja').filter({ hasText: '1 · 50 %' }).waitFor();
  await barValue(ane, '.poll-card', 'Nej').filter({ hasText: '1 · 50 %' }).waitFor();
  assert.ok(aneTries.ws >= 1, 'the page did try the WebSocket');
  await accessible(ane, 'citizen without a stream: open poll read over HTTP');

  // A newcomer behind the same network sees the poll at once, joins and answers.
  const bo = await open(PHONE);
  await cutStreams(bo);
  await bo.goto(`${server.url}/m/${id}`);
  const boCard = bo.locator('.poll-card', { hasText: q });
  await barValue(bo, '.poll-card', 'Nej').filter({ hasText: '1 · 50 %' }).waitFor();
  assert.match(await boCard.textContent(), /Deltag i mødet for at svare/);
  await bo.fill('#join-name', 'Bo');
  await bo.click('.join-form button[type=submit]');
  // Joined: the card offers its form without waiting for the stream's hello.
  await boCard.locator('label.poll-option', { hasText: 'Ja' }).click();
  await boCard.locator('button[type=submit]').click();
  await boCard.locator('.poll-mine', { hasText: 'Dit svar: Ja' }).waitFor();
  await barValue(bo, '.poll-card', 'Ja').filter({ hasText: '2 · 67 %' }).waitFor();
  await accessible(bo, 'citizen without a stream: joined and answered');

  // The big screen behind that network: the poll on screen, with its bars.
  const screen = await open(DESKTOP);
  await cutStreams(screen);
  await screen.goto(`${server.url}/m/${id}/screen`);
  await screen.locator('.scr-poll h2', { hasText: q }).waitFor();
  await barValue(screen, '.scr-poll', 'Ja').filter({ hasText: /^\d · \d+ %$/ }).waitFor();
  await accessible(screen, 'big screen without a stream: poll read over HTTP');
});

test('what a citizen is typing in a poll survives a redraw of the card (results published meanwhile)', async () => {
  const { server } = suite;
  const id = await createMeeting(server, { title: 'Borgermøde med åbent svar' });
  await server.api('POST', `/api/meetings/${id}/open`);
  const q = 'Hvad mangler i planen?';
  const { data } = await server.api('POST', `/api/meetings/${id}/polls`, { question: q, kind: { type: 'open_answer' }, results: 'after_close' });
  await server.api('POST', `/api/meetings/${id}/polls/${data.seq}/launch`);
  const ane = await citizen(id, 'Ane');
  const card = ane.locator('.poll-card', { hasText: q });
  await ane.fill(`#poll-${data.seq}-text`, 'Flere træer langs kajen');
  await card.locator('.hint', { hasText: 'Resultatet vises, når afstemningen er lukket' }).waitFor();
  // The moderator publishes the results while she types: the card redraws with them.
  await server.api('POST', `/api/meetings/${id}/polls/${data.seq}/publish`);
  await card.locator('.poll-results-h', { hasText: 'Resultat' }).waitFor();
  assert.equal(await ane.inputValue(`#poll-${data.seq}-text`), 'Flere træer langs kajen', 'the text being typed is kept');
  await card.locator('button[type=submit]').click();
  await card.locator('.poll-mine', { hasText: 'Flere træer langs kajen' }).waitFor();
  await accessible(ane, 'citizen: answer sent after a redraw');
});
