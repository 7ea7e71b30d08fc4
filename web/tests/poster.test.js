// The announcement kit in a real browser: a citizen on the page before the meeting gets the
// server's calendar file and is invited to ask in advance; their question is in the
// moderator's queue once the meeting opens. The organizer page shows the ready-to-paste texts
// in local time, and the A4 poster shows title, QR code and short link and prints as exactly
// one A4 page (Chromium's own PDF output, checked for its page count and size).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, axe, shot, createMeeting, staffLink, DESKTOP, PHONE } from './lib.js';

const s = {};

const suite = harness();
const { open } = suite;

const TITLE = 'Borgermøde om cykelstier & trafik i Ærøskøbing';
const QUESTION = 'Hvornår bliver cykelstien langs Vestergade færdig?';

test('before the meeting: calendar file and a question asked in advance', async () => {
  // The organization's name goes on the poster and into the texts.
  const { data: orgs } = await suite.server.api('GET', '/api/organizations');
  await suite.server.api('PATCH', `/api/organizations/${orgs[0].id}`, { name: 'Ærø Kommune' });
  // 18:00 UTC on a January evening is 19.00 in Copenhagen.
  s.id = await createMeeting(suite.server, { title: TITLE, starts_at: '2030-01-15T18:00:00Z', ends_at: '2030-01-15T19:30:00Z' });
  await suite.server.api('POST', `/api/meetings/${s.id}/schedule`);
  // The agenda goes into the calendar file, the texts and the poster.
  for (const [title, planned] of [['Velkomst', '2030-01-15T18:00:00Z'], ['Cykelstien langs Vestergade', '2030-01-15T18:10:00Z'], ['Eventuelt', null]]) {
    await suite.server.api('POST', `/api/meetings/${s.id}/agenda`, { title, description: '', planned_start: planned });
  }

  const cit = await open(PHONE, `${suite.server.url}/m/${s.id}`);
  const cal = cit.locator(`.before a[href="/m/${s.id}/meeting.ics"]`);
  await cal.waitFor();
  const ics = await fetch(`${suite.server.url}/m/${s.id}/meeting.ics`);
  assert.equal(ics.status, 200);
  assert.equal(ics.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const icsText = await ics.text();
  assert.match(icsText, /^BEGIN:VCALENDAR\r\n[\s\S]*DTSTART:20300115T180000Z\r\n/);
  assert.match(icsText.replace(/\r\n /g, ''), /DESCRIPTION:[^\r]*Dagsorden:\\n1\. Velkomst \(kl\. 19\.00\)\\n2\. Cykelstien langs Vestergade \(kl\. 19\.10\)\\n3\. Eventuelt\\n/);
  // The page invites questions before the meeting.
  assert.match(await cit.textContent('.before'), /allerede nu/);
  await cit.fill('#join-name', 'Dorte Borger');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  await cit.fill('#compose-body', QUESTION);
  await cit.click('.post-form button[type=submit]');
  await cit.locator('.post', { hasText: QUESTION }).first().waitFor();
});

test('the organizer page has the texts in local time, with copy buttons', async () => {
  const admin = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await admin.waitForSelector('h1');
  await admin.goto(`${suite.server.url}/admin?m=${s.id}`);
  await admin.waitForSelector('#kit-facebook');
  const fb = await admin.inputValue('#kit-facebook');
  assert.ok(fb.includes(TITLE), 'title as plain text');
  assert.ok(fb.startsWith('Ærø Kommune inviterer'), fb);
  assert.ok(fb.includes('kl. 19.00–20.30'), fb);
  assert.ok(fb.includes(`${suite.server.url}/m/${s.id}`), fb);
  assert.ok(!fb.includes('&lt;'), fb);
  assert.ok(fb.includes('Dagsorden:\n1. Velkomst (kl. 19.00)\n2. Cykelstien langs Vestergade (kl. 19.10)\n3. Eventuelt'), fb);
  const radio = await admin.inputValue('#kit-radio');
  assert.ok(radio.includes('klokken 19.00'), radio);
  assert.ok(radio.includes('På dagsordenen: Velkomst, Cykelstien langs Vestergade og Eventuelt.'), radio);
  await admin.selectOption('#kit-lang', 'en');
  assert.ok((await admin.inputValue('#kit-press')).includes('Tuesday 15 January 2030, 19:00–20:30'));
  assert.deepEqual(await axe(admin), []);
  s.admin = admin;
});

test('the poster shows title, QR code and short link, and prints as one A4 page', async () => {
  const admin = s.admin;
  await admin.click('#kit-poster');
  await admin.waitForSelector('.poster');
  assert.equal((await admin.textContent('.poster-title')).trim(), TITLE);
  assert.equal((await admin.textContent('.poster-org')).trim(), 'Ærø Kommune');
  assert.ok(await admin.isVisible('.poster-title'));
  assert.ok((await admin.textContent('.poster-when')).includes('kl. 19.00–20.30'));
  const short = `${new URL(suite.server.url).host}/j/${s.id.replace(/-/g, '').slice(0, 8)}`;
  assert.equal((await admin.textContent('.poster-link')).trim(), short);
  assert.ok(await admin.isVisible('.poster-link'));
  await admin.waitForFunction(() => { const q = document.querySelector('.poster-qr'); return q && q.complete && q.naturalWidth > 0; });
  assert.ok(await admin.isVisible('.poster-qr'));
  assert.ok((await admin.textContent('.poster-advance')).length > 10);
  const agenda = await admin.locator('.poster-agenda li').evaluateAll((lis) => lis.map((li) => li.textContent));
  assert.deepEqual(agenda, ['Velkomst 19.00', 'Cykelstien langs Vestergade 19.10', 'Eventuelt']);
  // The agenda does not push the QR code out of the page.
  const inside = await admin.evaluate(() => {
    const p = document.querySelector('.poster').getBoundingClientRect();
    const q = document.querySelector('.poster-qr').getBoundingClientRect();
    return q.bottom <= p.bottom && q.top >= p.top;
  });
  assert.ok(inside, 'QR code inside the poster');
  assert.deepEqual(await axe(admin), []);
  await admin.setViewportSize({ width: 900, height: 1330 });
  await shot(admin, 'poster');

  const pdf = Buffer.from(await admin.pdf({ format: 'A4', printBackground: true })).toString('latin1');
  const pageObjects = pdf.match(/\/Type\s*\/Page(?!s)/g) || [];
  assert.equal(pageObjects.length, 1, 'exactly one page');
  const box = pdf.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
  assert.ok(box, 'a MediaBox');
  // A4 is 595.28 x 841.89 points.
  assert.ok(Math.abs(Number(box[1]) - 595.28) < 2 && Math.abs(Number(box[2]) - 841.89) < 2, `A4, got ${box[1]} x ${box[2]}`);
});

test('the question asked in advance is in the queue when the meeting opens', async () => {
  await suite.server.api('POST', `/api/meetings/${s.id}/open`);
  const mod = await open(DESKTOP, await staffLink(suite.server, s.id, 'moderator', 'Mette Moderator', 'Moderator'));
  await mod.waitForSelector('.console');
  await mod.locator('.q-item', { hasText: QUESTION }).waitFor();
});
