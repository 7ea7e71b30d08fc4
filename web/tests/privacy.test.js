// Data protection in a real browser: the join form shows the meeting's privacy notice (with the
// organization's privacy contact) before the name field, with the full text behind a
// disclosure; the organizer erases a participant from the meeting page (two clicks), and the
// participant's post turns into a tombstone on another viewer's page, live, without the text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, axe, createMeeting, DESKTOP, PHONE } from './lib.js';

const DEFAULT_ORG = '00000000-0000-0000-0000-000000000001';

const suite = harness({ env: { BORGERMODE_RETENTION_DAYS: '90' } });
const { open } = suite;

test('the privacy notice with the contact is on the join form; an erased post becomes a tombstone for other viewers', async () => {
  await suite.server.api('PATCH', `/api/organizations/${DEFAULT_ORG}`, { privacy_contact: 'dpo@havneby.dk' });
  const id = await createMeeting(suite.server);
  await suite.server.api('POST', `/api/meetings/${id}/open`);

  // The citizen sees the notice, with the contact as a mailto link, before the name field.
  const cit = await open(PHONE, `${suite.server.url}/m/${id}`);
  const contact = cit.locator('.privacy-notice .privacy-contact').first();
  await contact.waitFor();
  assert.equal((await contact.textContent()).trim(), 'dpo@havneby.dk');
  assert.equal(await contact.getAttribute('href'), 'mailto:dpo@havneby.dk');
  const before = await cit.evaluate(() => {
    const n = document.querySelector('.privacy-notice');
    const f = document.querySelector('#join-name');
    return !!(n && f && (n.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING));
  });
  assert.ok(before, 'the notice comes before the name field');
  assert.ok(!(await cit.locator('.privacy-full').isVisible()), 'the full text starts folded');
  await cit.click('.privacy-notice summary');
  const full = await cit.locator('.privacy-full').textContent();
  assert.match(full, /90 dage/, 'the retention period');
  assert.match(full, /frivillige/, 'age band and gender are optional');
  assert.match(full, /slettet/, 'how to ask for erasure');
  assert.deepEqual(await axe(cit), []);

  // The citizen joins and posts.
  const secret = 'Hemmelig bemærkning om Æblegade 7';
  await cit.fill('#join-name', 'Sanne Sletmig');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  await cit.fill('#compose-body', secret);
  await cit.click('.post-form button[type=submit]');

  // Another viewer sees it.
  const viewer = await open(PHONE, `${suite.server.url}/m/${id}`);
  await viewer.locator('article.post', { hasText: secret }).waitFor();

  // The organizer erases Sanne from the meeting page (the id as the moderator console shows it).
  const { data } = await suite.server.api('GET', `/api/meetings/${id}/posts`);
  const pid = data.posts.find((p) => p.body === secret).author.participant_id;
  const org = await open(DESKTOP);
  const signedIn = org.waitForResponse((r) => r.url().endsWith('/api/admin/session') && r.status() === 204);
  await org.goto(`${suite.server.url}/admin#token=${suite.server.token}`);
  await signedIn;
  await org.goto(`${suite.server.url}/admin?m=${id}`);
  await org.waitForSelector('#er-id');
  assert.deepEqual(await axe(org), [], 'the data protection card is accessible');
  await org.fill('#er-id', pid);
  await org.click('form:has(#er-id) button[type=submit]');
  // The first click only arms the button.
  assert.match(await org.textContent('form:has(#er-id) button[type=submit]'), /igen/);
  const stillThere = await suite.server.api('GET', `/api/meetings/${id}/posts`);
  assert.ok(stillThere.data.posts.some((p) => p.body === secret), 'nothing erased after one click');
  await org.click('form:has(#er-id) button[type=submit]');
  await org.waitForSelector('#toast.show');

  // The viewer's page shows a tombstone, live, and the text is gone from it.
  await viewer.locator('article.post .tombstone.erased').waitFor();
  assert.ok(!(await viewer.textContent('main')).includes(secret), 'erased text gone from the page');
  assert.ok(!(await viewer.textContent('main')).includes('Sanne Sletmig'), 'erased name gone from the page');
  // And after a reload (snapshot from the server).
  await viewer.reload();
  await viewer.locator('article.post .tombstone.erased').waitFor();
  assert.ok(!(await viewer.textContent('main')).includes(secret));
});
