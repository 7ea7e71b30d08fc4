// Many municipalities on one installation, in a real browser: the installation admin creates an
// organization and an invite link; the invitee accepts it (name, e-mail, password), lands on
// their organization's page, creates a meeting, signs out and in again with e-mail and
// password, brands the organization, and citizens see that branding (escaped) on the meeting
// page. "Sign out everywhere" ends the other browser's session too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, axe, shot, DESKTOP, PHONE } from './lib.js';

const suite = harness();
const { open } = suite;

const EVIL = 'Ærø <img src=x id=injected> Kommune';
const PASSWORD = 'et-langt-kodeord-2024';

test('admin invites, organizer accepts, signs in and creates a meeting; citizens see the branding', async () => {
  // The installation admin creates the organization and an invite link.
  const admin = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await admin.waitForSelector('#of-name');
  await admin.fill('#of-name', EVIL);
  await admin.fill('#of-privacy', 'dpo@aeroe.dk');
  await admin.click('form:has(#of-name) button[type=submit]');
  const row = admin.locator('.org-row', { hasText: 'Ærø' });
  await row.waitFor();
  assert.equal(await admin.locator('#injected').count(), 0, 'the name is text, not HTML');
  await row.locator('button').click();
  const link = (await admin.locator('.new-link code.link').textContent()).trim();
  assert.match(link, /\/admin\/invite#invite=[\w-]{22}$/);

  // The invitee accepts: the secret leaves the address bar, the page names the organization.
  const org = await open(DESKTOP, link);
  await org.waitForSelector('#inv-email');
  assert.ok(!org.url().includes('invite='), 'invite secret removed from the URL');
  assert.ok((await org.textContent('main')).includes(EVIL), 'organization named as text');
  await org.fill('#inv-name', 'Ida Arrangør');
  await org.fill('#inv-email', 'ida@aeroe.dk');
  await org.fill('#inv-password', 'kort');
  await org.click('form button[type=submit]');
  await org.waitForSelector('#inv-password[aria-invalid=true]');
  await org.fill('#inv-password', PASSWORD);
  await org.click('form button[type=submit]');
  await org.waitForURL(/\/admin$/);
  await org.waitForSelector('#mf-title');
  assert.equal((await org.textContent('main h1')).trim(), EVIL);
  assert.deepEqual(await axe(org), []);

  // A second use of the same link is refused.
  const again = await open(DESKTOP, link);
  await again.waitForSelector('main .error');
  assert.match(await again.textContent('main .error'), /allerede brugt/);

  // The organizer creates a meeting.
  await org.fill('#mf-title', 'Borgermøde om færgen');
  await org.click('form.card:has(#mf-title) button[type=submit]');
  await org.waitForURL(/\/admin\?m=/);
  const meeting = new URL(org.url()).searchParams.get('m');
  await org.click('button:has-text("Åbn mødet")');
  await org.waitForSelector('.status-open');

  // Sign out, then in again with e-mail and password.
  await org.goto(`${suite.server.url}/admin`);
  await org.click('button:has-text("Log ud")');
  await org.waitForSelector('#si-email');
  await org.fill('#si-email', 'ida@aeroe.dk');
  await org.fill('#si-password', 'forkert-kodeord');
  await org.click('form:has(#si-email) button[type=submit]');
  await org.waitForSelector('form:has(#si-email) .form-error:has-text("Forkert")');
  await org.fill('#si-password', PASSWORD);
  await org.click('form:has(#si-email) button[type=submit]');
  await org.waitForSelector(`a[href="/admin?m=${meeting}"]`);

  // Branding: colours, then the citizens' page shows it.
  await org.fill('#br-primary', '#ffee00');
  await org.click('form:has(#br-primary) button[type=submit]');
  await org.waitForSelector('#br-primary[aria-invalid=true]');
  await org.fill('#br-primary', '#7a1f3d');
  await org.fill('#br-accent', '#c8102e');
  await org.click('form:has(#br-primary) button[type=submit]');
  await org.waitForSelector('#toast.show');

  const cit = await open(PHONE, `${suite.server.url}/m/${meeting}`);
  await cit.waitForSelector('#join-name');
  await cit.waitForFunction(() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim() === '#7a1f3d');
  assert.equal((await cit.textContent('.brand')).trim(), EVIL);
  assert.equal(await cit.locator('#injected').count(), 0);
  assert.equal(await cit.getAttribute('#foot a', 'href'), 'mailto:dpo@aeroe.dk');
  const button = await cit.$eval('.join-form button[type=submit]', (b) => getComputedStyle(b).backgroundColor);
  assert.equal(button, 'rgb(122, 31, 61)');
  await shot(cit, 'org-branded-citizen-phone');

  // Sign out everywhere from a second browser: the first one is signed out as well.
  const other = await open(DESKTOP, `${suite.server.url}/admin`);
  await other.waitForSelector('#si-email');
  await other.fill('#si-email', 'ida@aeroe.dk');
  await other.fill('#si-password', PASSWORD);
  await other.click('form:has(#si-email) button[type=submit]');
  await other.waitForSelector('#mf-title');
  await other.click('button:has-text("Log ud alle steder")');
  await other.waitForSelector('#si-email');
  await org.reload();
  await org.waitForSelector('#si-email');

  // The admin still sees every meeting, this one included.
  await admin.goto(`${suite.server.url}/admin`);
  await admin.waitForSelector(`a[href="/admin?m=${meeting}"]`);
});
