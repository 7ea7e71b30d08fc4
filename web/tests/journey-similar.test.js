// "Has someone asked this already?" through the pages (issue 18): a citizen types a question
// that was asked already (in other words, misspelt), sees it under the composer with its
// answer state, taps "Det vil jeg også vide": the vote lands (the count on the question in the
// stream goes up) and nothing is posted. A moderator opens "Mulige dubletter" in the queue and
// merges a suggested duplicate with one click. The big screen names the meeting's topics.
// axe on every state; screenshots at 360 and 1280 px. API calls only set the scene (the
// meeting and the questions already asked).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, createMeeting, staffLink, joinHttp, axe, shot, PHONE, DESKTOP } from './lib.js';

const suite = harness();
const { open } = suite;

const ASKED = 'Hvad er tidsplanen for byggeriet ved havnen?';
const DUPLICATE = 'Hvornår starter byggeriet på havnen?';
const OTHER = 'Hvornår åbner den nye svømmehal?';
const TYPED = 'hvornaar starter bygeriet ved havn';

async function noSeriousAxe(page, what) {
  const v = await axe(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
}

async function noOverflow(page, what) {
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw, `${what} overflows: ${o.sw} > ${o.cw}`);
}

const post = (page, text) => page.locator('article.post', { hasText: text });

test('a citizen votes for the question that exists instead of asking it again; a moderator merges a duplicate', async () => {
  const { server } = suite;
  const id = await createMeeting(server, { title: 'Borgermøde om havnen' });
  await server.api('POST', `/api/meetings/${id}/open`);
  const nabo = await joinHttp(server, id, 'Nabo');
  const nabo2 = await joinHttp(server, id, 'Genbo');
  const ask = async (token, body) => (await server.api('POST', `/api/meetings/${id}/posts`, { kind: 'question', body }, token)).data.post_id;
  const asked = await ask(nabo, ASKED);
  await ask(nabo, OTHER);
  const duplicate = await ask(nabo2, DUPLICATE);
  const modLink = await staffLink(server, id, 'moderator', 'Mette Mødeleder', 'Ordstyrer');

  // The citizen joins on the page and starts typing the same question in other words.
  const cit = await open(PHONE, `${server.url}/m/${id}`);
  await cit.locator('#join-name').waitFor();
  await cit.fill('#join-name', 'Karen');
  await cit.keyboard.press('Enter');
  await cit.locator('#compose-body').waitFor();
  await post(cit, ASKED).waitFor();
  await cit.click('#compose-body');
  await cit.keyboard.type('hvornaar starter');
  // Two words say too little: no suggestions yet.
  assert.equal(await cit.locator('.similar:not([hidden])').count(), 0, 'no suggestions from two words');
  await cit.keyboard.type(' bygeriet ved havn');
  const box = cit.locator('.similar:not([hidden])');
  const suggestion = box.locator('.similar-item', { hasText: ASKED });
  await suggestion.waitFor();
  assert.equal(await cit.locator('#compose-body').inputValue(), TYPED);
  const items = await box.locator('.similar-item .body').allInnerTexts();
  assert.ok(items.length >= 1 && items.length <= 3, `1 to 3 suggestions: ${items.join(' / ')}`);
  assert.ok(!items.includes(OTHER), 'the swimming bath question is not the same question');
  assert.equal((await suggestion.locator('.similar-state').innerText()).trim(), 'Ubesvaret');
  assert.equal((await suggestion.locator('.vote-count').innerText()).trim(), '0');
  await noOverflow(cit, 'composer with suggestions at 360 px');
  await noSeriousAxe(cit, 'composer with suggestions');
  await shot(cit, 'similar-suggestions-360');

  // "Det vil jeg også vide": the vote lands, the question they typed is not sent.
  const before = (await server.api('GET', `/api/meetings/${id}/posts`)).data.posts.length;
  await suggestion.getByRole('button', { name: 'Det vil jeg også vide' }).click();
  await cit.locator('.similar-done', { hasText: 'Din stemme er talt' }).waitFor();
  await post(cit, ASKED).locator(':scope > .actions .vote-count', { hasText: '1' }).waitFor();
  assert.equal(await post(cit, ASKED).locator(':scope > .actions .vote').getAttribute('aria-pressed'), 'true');
  assert.equal(await cit.locator('#compose-body').inputValue(), '', 'the composer is emptied');
  assert.equal(await post(cit, 'bygeriet').count(), 0, 'nothing was posted');
  const after = (await server.api('GET', `/api/meetings/${id}/posts`)).data.posts;
  assert.equal(after.length, before, 'no new post');
  assert.equal(after.find((p) => p.id === asked).votes, 1);
  await noSeriousAxe(cit, 'after "me too"');
  await shot(cit, 'similar-voted-360');

  // Posting anyway stays possible: typing again shows the suggestion, already voted for.
  await cit.setViewportSize(DESKTOP);
  await cit.click('#compose-body');
  await cit.keyboard.type('Hvornår starter byggeriet ved havnen helt præcist?');
  const again = cit.locator('.similar:not([hidden]) .similar-item', { hasText: ASKED });
  await again.waitFor();
  assert.equal(await again.locator('.me-too').getAttribute('aria-pressed'), 'true');
  assert.equal(await again.locator('.me-too').isDisabled(), true);
  await noSeriousAxe(cit, 'composer with suggestions at 1280 px');
  await shot(cit, 'similar-suggestions-1280');
  await cit.keyboard.press('Control+Enter');
  await post(cit, 'helt præcist').waitFor();

  // The big screen: the words the questions share, inflections folded ("byggeriet" for every
  // form), small words ("hvornår", "ved") left out.
  const screen = await open({ width: 1280, height: 720 }, `${server.url}/m/${id}/screen`);
  const cloud = screen.locator('.scr-topics:not([hidden]) .scr-topic-list li');
  await cloud.first().waitFor();
  const words = (await cloud.allInnerTexts()).map((w) => w.split(/\s*\(/)[0].trim());
  assert.equal(words[0], 'byggeriet', words.join(' / '));
  assert.ok(words.includes('havnen'), words.join(' / '));
  assert.ok(!words.some((w) => ['hvornår', 'ved', 'er', 'den'].includes(w)), words.join(' / '));
  await noSeriousAxe(screen, 'big screen with topics');
  await shot(screen, 'similar-screen-topics-1280');

  // The moderator: "Mulige dubletter" lists the question with its likely duplicate; one click
  // merges the duplicate into it (the existing merge command).
  const mod = await open(DESKTOP, modLink);
  await mod.waitForSelector('.console');
  const item = mod.locator(`.q-item[data-id="${asked}"]`);
  await item.waitFor();
  await mod.click('button[data-view=dupes]');
  const dupe = item.locator(`.q-dupes li[data-dupe="${duplicate}"]`);
  await dupe.waitFor();
  await mod.locator('.q-item .q-main > .body', { hasText: OTHER }).waitFor({ state: 'detached' });
  assert.equal(await mod.locator('.q-item .q-main > .body', { hasText: OTHER }).count(), 0, 'a question without duplicates is not in the filter');
  await noSeriousAxe(mod, 'queue: possible duplicates');
  await shot(mod, 'similar-queue-dupes-1280');
  await dupe.getByRole('button', { name: `Slå #${duplicate} ind i denne` }).click();
  await mod.locator(`.q-item[data-id="${duplicate}"]`).waitFor({ state: 'detached' });
  await dupe.waitFor({ state: 'detached' });
  const merged = (await server.api('GET', `/api/meetings/${id}/posts`)).data.posts.find((p) => p.id === duplicate);
  assert.equal(merged.question.state, 'merged');
  assert.equal(merged.question.merged_into, asked);
  // The citizen's stream shows the merge too.
  await cit.locator(`#p-${duplicate}`).filter({ hasText: 'Samme spørgsmål som' }).waitFor();
  // Back to all open questions: the merged duplicate is gone from the queue.
  await mod.click('button[data-view=open]');
  await item.waitFor();
  assert.equal(await mod.locator(`.q-item[data-id="${duplicate}"]`).count(), 0);
  await mod.setViewportSize(PHONE);
  await item.scrollIntoViewIfNeeded();
  await noOverflow(mod, 'queue at 360 px');
  await noSeriousAxe(mod, 'queue after the merge at 360 px');
  await shot(mod, 'similar-queue-merged-360');
});
