// Every question answered, in a real browser: the moderator routes a question to a panelist,
// the panelist finds it under "assigned to me", the meeting closes, the panelist answers in the
// follow-up with a prepared answer (edited before sending), the citizen opens their personal
// "my questions" link in a fresh browser context and sees the answer, and the public counter
// still says "answered N of M" on the closed meeting's page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, createMeeting, staffLink, axe, shot, PHONE, DESKTOP } from './lib.js';

const suite = harness();
const { open } = suite;

const post = (page, text) => page.locator('article.post', { hasText: text });

test('route, follow up with a prepared answer, reach the asker on another device', async () => {
  const id = await createMeeting(suite.server, { title: 'Borgermøde om affald' });
  await suite.server.api('POST', `/api/meetings/${id}/open`);
  const moderator = await staffLink(suite.server, id, 'moderator', 'Mette Mødeleder', 'Kommunikation');
  const panelist = await staffLink(suite.server, id, 'panelist', 'Ida Holm', 'Teknik og Miljø');
  const { data: list } = await suite.server.api('GET', '/api/meetings');
  const org = list.find((m) => m.id === id).organization_id;
  await suite.server.api('POST', `/api/organizations/${org}/answers`, { title: 'Storskrald', body: 'Bestil afhentning på [kommunens selvbetjening](https://www.example.org/storskrald).' });

  // The citizen joins, keeps the personal link, and asks two questions.
  const cit = await open(PHONE, `${suite.server.url}/m/${id}`);
  await cit.fill('#join-name', 'Karen Jensen');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  const link = (await cit.locator('#mine-link').textContent()).trim();
  assert.match(link, new RegExp(`/m/${id}/mine#key=[A-Za-z0-9_-]{20,}`));
  for (const text of ['Hvordan kommer jeg af med en gammel sofa?', 'Hvornår tømmes glascontaineren?']) {
    await cit.check('input[name=kind][value=question]');
    await cit.fill('#compose-body', text);
    await cit.click('.post-form button[type=submit]');
    await post(cit, text).waitFor();
  }

  // The moderator routes the sofa question to the panelist.
  const mod = await open(DESKTOP, moderator);
  await mod.waitForSelector('.console');
  const qm = mod.locator('.q-item', { hasText: 'gammel sofa' });
  await qm.locator('[data-action=assign]').click();
  await qm.locator('select[id^=assign-who-]').selectOption({ label: 'Ida Holm (Teknik og Miljø)' });
  await qm.locator('.assign-form button[type=submit]').click();
  await qm.locator('.assignee', { hasText: 'Sendt til Ida Holm' }).waitFor();

  // The panelist sees it, and only it, under "assigned to me".
  const pan = await open(DESKTOP, panelist);
  await pan.waitForSelector('.console');
  await pan.click('[data-view=assigned]');
  const qp = pan.locator('.q-item', { hasText: 'gammel sofa' });
  await qp.waitFor();
  assert.equal(await pan.locator('.q-item', { hasText: 'glascontaineren' }).isVisible(), false);

  // The meeting closes; the follow-up deadline shows; new posts are refused.
  await suite.server.api('POST', `/api/meetings/${id}/close`);
  await pan.locator('.followup-line', { hasText: 'Opfølgning' }).waitFor();
  await cit.locator('.composer-note').waitFor();

  // The panelist answers in the follow-up with the prepared answer, edited before sending.
  await qp.locator('[data-action=answer]').click();
  await qp.locator('.snippet-picker select').selectOption({ label: 'Storskrald' });
  await qp.locator('.snippet-picker button').click();
  const box = qp.locator('textarea');
  assert.match(await box.inputValue(), /kommunens selvbetjening/);
  await box.fill(`${await box.inputValue()}\n\nVenlig hilsen Ida`);
  await qp.locator('.slot button[type=submit]').click();
  await pan.locator('.q-item', { hasText: 'gammel sofa' }).waitFor({ state: 'detached' });

  // A fresh browser context (another device): the personal link restores the session and
  // shows the answer given after the meeting; the key leaves the address bar.
  const phone = await open(PHONE, link);
  await phone.waitForSelector('.mine-list');
  assert.ok(!phone.url().includes('key='), 'personal key removed from the URL');
  const item = phone.locator('.mine-item', { hasText: 'gammel sofa' });
  await item.locator('.answer-written', { hasText: 'Venlig hilsen Ida' }).waitFor();
  assert.equal(await item.locator('.answer a[href="https://www.example.org/storskrald"]').count(), 1);
  await phone.locator('.mine-item', { hasText: 'glascontaineren' }).locator('.state-line', { hasText: 'Venter på svar' }).waitFor();
  await phone.locator('#mine-counter', { hasText: 'Besvaret 1 af 2 spørgsmål' }).waitFor();
  // No SMTP configured on this server: the e-mail field is not offered.
  assert.equal(await phone.locator('#mine-email').count(), 0);
  assert.ok(!(await phone.locator('#main').innerText()).includes('null'), 'no stray "null" on the page');
  assert.deepEqual((await axe(phone)).map((v) => v.id), []);
  await shot(phone, 'mine-phone');

  // The public page of the closed meeting keeps the counter and the follow-up line.
  const pub = await open(PHONE, `${suite.server.url}/m/${id}`);
  await pub.locator('#counter', { hasText: 'Besvaret 1 af 2 spørgsmål' }).waitFor();
  await pub.locator('.followup-line', { hasText: 'åbne spørgsmål' }).waitFor();
  await post(pub, 'gammel sofa').locator('.answer-written', { hasText: 'Venlig hilsen Ida' }).waitFor();
  assert.equal(await pub.locator('.assignee').count(), 0, 'routing is staff-only');

  // The organizer: the meeting list flags the open follow-up; the meeting page has the figures
  // per panelist, the prepared-answer library, and closes the follow-up.
  const orgPage = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await orgPage.locator('tr', { hasText: 'Borgermøde om affald' }).locator('.badge', { hasText: 'Opfølgning: 1 åbne' }).waitFor();
  await orgPage.goto(`${suite.server.url}/admin?m=${id}`);
  const card = orgPage.locator('section:has(#fu-h)');
  await card.locator('tr', { hasText: 'Ida Holm' }).waitFor();
  assert.deepEqual(await card.locator('tr', { hasText: 'Ida Holm' }).locator('td').allInnerTexts().then((c) => c.slice(1, 4)), ['1', '1', '0']);
  await orgPage.locator('.snippet-list', { hasText: 'Storskrald' }).waitFor();
  assert.deepEqual((await axe(orgPage)).map((v) => v.id), []);
  await card.locator('button', { hasText: 'Afslut opfølgningen' }).click();
  await orgPage.locator('section:has(#fu-h) .followup-line', { hasText: 'afsluttet' }).waitFor();
});
