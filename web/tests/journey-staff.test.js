// Journeys of the organizer and the staff through the pages only (issue 13, items 3, 4, 6 and
// the archive and video parts of 11): the organizer creates a meeting and mints staff links
// with and without the optional title, and sees field-level errors (next to the field, tied to
// it, gone after the next success); a moderator records a live answer for the panelist who gave
// it, and the citizen page, the big screen, the archive and the report credit that panelist;
// every time a person reads is in the installation's zone (Europe/Copenhagen) on a device set
// to New York, in Danish and British formats; the archive of a big meeting is threaded and
// paged; a video that cannot play says so. API calls only set the scene.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, createMeeting, staffLink, axe, shot, sleep, PHONE, DESKTOP } from './lib.js';

// A device in another zone than the installation: the pages must not use the device's.
const NEW_YORK = { context: { timezoneId: 'America/New_York' } };

// Many posts from one citizen set the archive's scene quickly.
const suite = harness({ env: { BORGERMODE_POSTS_PER_MINUTE: '1000' } }, NEW_YORK);
const { open } = suite;

/** axe: no serious or critical violation; moderate and minor ones are listed after the run. */
const lesser = [];
let axeRuns = 0;
async function noSeriousAxe(page, what) {
  axeRuns += 1;
  const v = await axe(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
  const all = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const x of all.violations) if (x.impact === 'moderate' || x.impact === 'minor') lesser.push(`${what}: ${x.id} (${x.impact})`);
}
after(() => {
  console.log(`axe: ${axeRuns} states checked, 0 serious/critical; moderate/minor: ${lesser.length ? [...new Set(lesser)].join(', ') : 'none'}`);
  // Item 11: no landmark is announced twice under one name (the archive's two page navigations).
  assert.deepEqual(lesser.filter((x) => /landmark-unique/.test(x)), [], 'no duplicate landmark labels');
});

async function noOverflow(page, what) {
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw, `${what} overflows: ${o.sw} > ${o.cw}`);
}

/** Copenhagen wall time of an instant, in December (CET = UTC+1), written out by hand so the
 *  test does not repeat the page's own formatting: "HH<sep>MM". */
function cetClock(iso, sep) {
  const d = new Date(Date.parse(iso) + 3600 * 1000);
  return `${String(d.getUTCHours()).padStart(2, '0')}${sep}${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** The field error tied to an input: its text, and that aria ties are in place. */
async function fieldError(page, inputSel) {
  const input = page.locator(inputSel);
  await page.waitForFunction((sel) => document.querySelector(sel).getAttribute('aria-invalid') === 'true', inputSel);
  const ids = (await input.getAttribute('aria-describedby')).split(/\s+/);
  const errId = ids.find((x) => x.endsWith('-error'));
  assert.ok(errId, `no error id in aria-describedby of ${inputSel}: ${ids}`);
  const err = page.locator(`#${errId}`);
  assert.ok(await err.isVisible(), `error of ${inputSel} not visible`);
  return (await err.textContent()).trim();
}

test('item 3: staff links with and without a title; field-level errors that name the field and clear on success', async () => {
  const org = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await org.locator('#mf-title').waitFor();
  // A new organization with a privacy contact the server refuses: the message is at the field.
  await org.fill('#of-name', 'Ærø Kommune');
  await org.fill('#of-privacy', 'ftp://privat.example.org');
  await org.click('.small-form:has(#of-name) button[type=submit]');
  assert.match(await fieldError(org, '#of-privacy'), /e-mailadresse|https:\/\//);
  // A meeting with an http:// video: refused at input, next to the video field, saying why.
  await org.fill('#mf-title', 'Borgermøde om skolen');
  await org.fill('#mf-video', 'http://video.example.org/live.m3u8');
  await org.click('form.card:has(#mf-title) button[type=submit]');
  assert.match(await fieldError(org, '#mf-video'), /https:\/\//);
  assert.equal(await org.evaluate(() => document.activeElement.id), 'mf-video');
  await noSeriousAxe(org, 'create form with a field error');
  await shot(org, 'journey-staff-video-error-1280');
  // An address the server refuses (a space in it): the server's problem+json names the field.
  await org.fill('#mf-video', 'https://video.example.org/my live.m3u8');
  await org.click('form.card:has(#mf-title) button[type=submit]');
  assert.match(await fieldError(org, '#mf-video'), /https:\/\//);
  assert.equal(await org.locator('form.card:has(#mf-title) > .form-error:not(.field-error)').first().textContent(), '', 'no generic error as well');
  // Fixed: created, and the page moves on to the meeting.
  await org.fill('#mf-video', 'https://video.example.org/live.mp4');
  await org.click('form.card:has(#mf-title) button[type=submit]');
  await org.waitForURL(/\/admin\?m=/);
  const id = new URL(org.url()).searchParams.get('m');

  // A staff name the server refuses (a bidirectional override character): the error sits next
  // to the name field, not as "Det lykkedes ikke".
  await org.locator('#sf-name').waitFor();
  await org.selectOption('#sf-role', 'panelist');
  await org.fill('#sf-name', 'Søren\u202eÆrø');
  await org.click('.small-form:has(#sf-name) button[type=submit]');
  const nameErr = await fieldError(org, '#sf-name');
  assert.match(nameErr, /navn/i);
  assert.doesNotMatch(await org.locator('.small-form:has(#sf-name)').textContent(), /Det lykkedes ikke/);
  await noSeriousAxe(org, 'staff form with a field error');
  await shot(org, 'journey-staff-name-error-1280');

  // Fixed, with the optional title left empty: the link is made, the stale error is gone.
  await org.fill('#sf-name', 'Søren Ærø');
  await org.fill('#sf-line', '');
  await org.click('.small-form:has(#sf-name) button[type=submit]');
  await org.locator('.new-link .link-row code').waitFor();
  assert.match(await org.locator('.new-link .link-row code').textContent(), new RegExp(`/m/${id}/staff#key=`));
  assert.equal(await org.locator('#sf-name-error').count(), 0, 'stale field error still shown');
  assert.equal(await org.locator('#sf-name').getAttribute('aria-invalid'), null);
  assert.equal(await org.locator('.small-form:has(#sf-name) .form-error').first().textContent(), '');
  assert.match(await org.locator('.staff-list').textContent(), /Søren Ærø · Panel/);
  // And one with a title.
  await org.selectOption('#sf-role', 'moderator');
  await org.fill('#sf-name', 'Mette Mødeleder');
  await org.fill('#sf-line', 'Kommunikation');
  await org.click('.small-form:has(#sf-name) button[type=submit]');
  await org.locator('.staff-list li', { hasText: 'Mette Mødeleder (Kommunikation)' }).waitFor();
  await noSeriousAxe(org, 'meeting page after two links');
  await org.setViewportSize(PHONE);
  await noOverflow(org, 'admin meeting page at 360 px');
  await shot(org, 'journey-staff-links-360');
});

test('item 4: a moderator records a live answer for the panelist who gave it; every page credits the panelist', async () => {
  const id = await createMeeting(suite.server, { title: 'Borgermøde om havnebadet' });
  await suite.server.api('POST', `/api/meetings/${id}/open`);
  const modLink = await staffLink(suite.server, id, 'moderator', 'Mette Mødeleder', 'Kommunikation');
  const sorenLink = await staffLink(suite.server, id, 'panelist', 'Søren Ærø', 'Borgmester');
  await staffLink(suite.server, id, 'panelist', 'Ida Holm', 'Kultur og Fritid');

  const cit = await open(PHONE, `${suite.server.url}/m/${id}`);
  await cit.fill('#join-name', 'Karen Jensen');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  for (const text of ['Hvornår åbner havnebadet?', 'Kommer der livreddere?']) {
    await cit.check('input[name=kind][value=question]');
    await cit.fill('#compose-body', text);
    await cit.click('.post-form button[type=submit]');
    await cit.locator('article.post', { hasText: text }).waitFor();
  }
  const screen = await open({ width: 1280, height: 720 }, `${suite.server.url}/m/${id}/screen`);

  // Søren claims the lifeguard question in his console.
  const soren = await open(DESKTOP, sorenLink);
  const qs = soren.locator('.q-item', { hasText: 'livreddere' });
  await qs.locator('[data-action=claim]').click();
  await qs.locator('.state-line', { hasText: 'Søren Ærø' }).waitFor();

  // The moderator at the desk: "answered live" on the bath question, keyboard only. Nobody has
  // claimed it and she is no panelist, so she must pick who answered: Ida.
  const mod = await open(DESKTOP, modLink);
  await mod.waitForSelector('.console');
  const qm = mod.locator('.q-item', { hasText: 'havnebadet' });
  await qm.focus();
  await mod.keyboard.press('l');
  const who = qm.locator('select[id^=live-who-]');
  await who.waitFor();
  assert.equal(await who.inputValue(), '', 'no panelist preselected for an unclaimed question');
  const options = await who.locator('option').allTextContents();
  assert.equal(options[0], 'Vælg et panelmedlem');
  assert.deepEqual(options.slice(1).sort(), ['Ida Holm (Kultur og Fritid)', 'Søren Ærø (Borgmester)'], 'panelists only, not the moderator');
  await noSeriousAxe(mod, 'live answer form');
  await shot(mod, 'journey-staff-live-who-1280');
  // Sending without a choice says so at the field.
  await qm.locator('.small-form button[type=submit]').click();
  await qm.locator('.form-error', { hasText: 'Vælg en af mødets paneldeltagere' }).waitFor();
  await who.focus();
  await who.selectOption({ label: 'Ida Holm (Kultur og Fritid)' });
  await qm.locator('input[id^=live-]').first().focus();
  await mod.keyboard.type('Svaret i salen');
  await mod.keyboard.press('Enter');
  // The open queue drops the answered question.
  await qm.waitFor({ state: 'detached' });

  // The lifeguard question is claimed by Søren: his name is preselected.
  const ql = mod.locator('.q-item', { hasText: 'livreddere' });
  await ql.locator('[data-action=live]').click();
  const who2 = ql.locator('select[id^=live-who-]');
  await who2.waitFor();
  assert.equal(await who2.locator('option:checked').textContent(), 'Søren Ærø (Borgmester)');
  await ql.locator('.small-form button[type=submit]').click();

  // The citizen page, the big screen: Ida and Søren, never the moderator.
  const bath = cit.locator('article.post', { hasText: 'havnebadet' });
  await bath.locator('.answer-head', { hasText: 'Besvaret live af Ida Holm' }).waitFor();
  assert.match(await bath.locator('.answer-head').textContent(), /Kultur og Fritid/);
  await cit.locator('article.post', { hasText: 'livreddere' }).locator('.answer-head', { hasText: 'Besvaret live af Søren Ærø' }).waitFor();
  assert.doesNotMatch(await cit.locator('#main').textContent(), /Besvaret live af Mette/);
  await noSeriousAxe(cit, 'citizen page with live answers');
  await shot(cit, 'journey-staff-live-credit-360');
  await screen.locator('.scr-by', { hasText: 'Ida Holm' }).waitFor();
  await screen.locator('.scr-by', { hasText: 'Søren Ærø' }).waitFor();
  assert.doesNotMatch(await screen.locator('.scr-answered').textContent(), /Mette/);
  await noSeriousAxe(screen, 'big screen');

  // Closed: the archive and the report say the same.
  await suite.server.api('POST', `/api/meetings/${id}/close`);
  const arch = await open(PHONE, `${suite.server.url}/m/${id}/archive`);
  const answers = await arch.locator('.answer .meta').allTextContents();
  assert.ok(answers.some((a) => /Besvaret live · Ida Holm/.test(a)), answers.join(' | '));
  assert.ok(answers.some((a) => /Besvaret live · Søren Ærø/.test(a)), answers.join(' | '));
  assert.ok(!answers.some((a) => /Mette/.test(a)), answers.join(' | '));
  await noSeriousAxe(arch, 'archive');

  const rep = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await rep.locator('#list-h').waitFor();
  await rep.goto(`${suite.server.url}/admin?m=${id}`);
  await rep.locator('#report-link').click();
  await rep.waitForURL(/report\.html/);
  const report = await rep.locator('#report').textContent();
  assert.match(report, /Ida Holm/);
  assert.match(report, /Søren Ærø/);
  assert.doesNotMatch(report, /Mette Mødeleder/, 'a moderator in the per-panelist table');
  await noSeriousAxe(rep, 'report page');
});

test('item 6: times in the installation zone and local formats on a New York device, Danish and English', async () => {
  const id = await createMeeting(suite.server, { title: 'Borgermøde om cykelstier' });
  await suite.server.api('POST', `/api/meetings/${id}/open`);
  // The organizer enters the start as wall time in Copenhagen, from a New York laptop.
  const org = await open(DESKTOP, `${suite.server.url}/admin#token=${suite.server.token}`);
  await org.locator('#list-h').waitFor();
  await org.goto(`${suite.server.url}/admin?m=${id}`);
  await org.locator('#mf-starts').waitFor();
  await org.fill('#mf-starts', '2026-12-10T19:00');
  await org.fill('#mf-ends', '2026-12-10T21:00');
  await org.click('form.card:has(#mf-starts) button[type=submit]');
  let m;
  for (const deadline = Date.now() + 10000; ;) {
    m = (await suite.server.api('GET', `/api/meetings/${id}`)).data;
    if (m.starts_at) break;
    assert.ok(Date.now() < deadline, 'start not saved');
    await sleep(100);
  }
  assert.equal(new Date(m.starts_at).toISOString(), '2026-12-10T18:00:00.000Z', '19:00 in Copenhagen is 18:00 UTC in December');
  await org.reload();
  await org.locator('#mf-starts').waitFor();
  assert.equal(await org.inputValue('#mf-starts'), '2026-12-10T19:00');

  // A citizen on a New York phone posts; the time under the post is Copenhagen's.
  const cit = await open(PHONE, `${suite.server.url}/m/${id}`);
  await cit.fill('#join-name', 'Ole Olsen');
  await cit.click('.join-form button[type=submit]');
  await cit.waitForSelector('#compose-body');
  await cit.fill('#compose-body', 'Hvornår kommer cykelstien til Vestby?');
  await cit.click('.post-form button[type=submit]');
  const post = cit.locator('article.post', { hasText: 'Vestby' });
  await post.waitFor();
  const created = await post.locator('time').getAttribute('datetime');
  assert.equal(await post.locator('time').textContent(), cetClock(created, '.'), `Danish time of ${created}`);
  // The meeting's start, in words: 19.00, not New York's 13.00 or UTC's 18.00.
  assert.match(await cit.locator('.info .when').textContent(), /19\.00/);
  assert.doesNotMatch(await cit.locator('.info .when').textContent(), /13\.00|18\.00/);
  await noSeriousAxe(cit, 'citizen page, Danish');

  // The same page in English: British, 24-hour.
  await cit.locator('#top-extra button[lang=en]').click();
  await cit.waitForFunction(() => document.documentElement.lang === 'en');
  const postEn = cit.locator('article.post', { hasText: 'Vestby' });
  await postEn.waitFor();
  assert.equal(await postEn.locator('time').textContent(), cetClock(created, ':'));
  const when = await cit.locator('.info .when').textContent();
  assert.match(when, /10 December 2026/);
  assert.match(when, /19:00/);
  assert.doesNotMatch(when, /PM|AM|December 10/);
  // One question: "of 1 question", not "of 1 questions".
  assert.match(await cit.locator('#counter').innerText(), /Answered 0 of 1 question\b/);
  await noSeriousAxe(cit, 'citizen page, English');
  await shot(cit, 'journey-staff-times-en-360');

  // Closed: the archive and the report, in both languages.
  await suite.server.api('POST', `/api/meetings/${id}/close`);
  const arch = await open(PHONE, `${suite.server.url}/m/${id}/archive`);
  assert.equal(await arch.locator('article.post', { hasText: 'Vestby' }).locator('time').first().textContent(), cetClock(created, '.'));
  assert.doesNotMatch(await arch.locator('#archive > .meta').first().textContent(), /UTC/);
  await noSeriousAxe(arch, 'archive, Danish');
  await arch.goto(`${suite.server.url}/m/${id}/archive?lang=en`);
  assert.equal(await arch.locator('article.post', { hasText: 'Vestby' }).locator('time').first().textContent(), cetClock(created, ':'));
  assert.match(await arch.locator('#archive > .meta').first().textContent(), /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);

  await org.goto(`${suite.server.url}/api/meetings/${id}/report.html`);
  const meta = await org.locator('#report > .meta').textContent();
  assert.doesNotMatch(meta, /UTC/);
  const avg = (await org.locator('.figures li').nth(2).locator('strong').textContent()).trim();
  assert.match(avg, /^\d+,\d$/, `Danish decimal comma in "${avg}"`);
  await noSeriousAxe(org, 'report, Danish');
  await org.goto(`${suite.server.url}/api/meetings/${id}/report.html?lang=en`);
  assert.match((await org.locator('.figures li').nth(2).locator('strong').textContent()).trim(), /^\d+\.\d$/);
});

test('item 11: a big archive is threaded and paged; replies stay with their post', async () => {
  const id = await createMeeting(suite.server, { title: 'Borgermøde med mange indlæg' });
  await suite.server.api('POST', `/api/meetings/${id}/open`);
  const res = await fetch(`${suite.server.url}/api/meetings/${id}/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ display_name: 'Flittig Borger' }) });
  const token = (res.headers.get('set-cookie') || '').match(/bm_[0-9a-f]+=([^;]+)/)[1];
  // 120 top-level comments, and five replies to the third one, posted after all of them (so a
  // flat list would put them 117 posts away from their parent).
  const ids = [];
  for (let i = 0; i < 120; i++) {
    const { data } = await suite.server.api('POST', `/api/meetings/${id}/posts`, { kind: 'comment', body: `Kommentar nummer ${i}` }, token);
    ids.push(data.post_id);
  }
  for (let i = 0; i < 5; i++) await suite.server.api('POST', `/api/meetings/${id}/posts`, { kind: 'comment', body: `Svar ${i} til nummer 2`, parent: ids[2] }, token);
  await suite.server.api('POST', `/api/meetings/${id}/close`);

  const arch = await open(PHONE, `${suite.server.url}/m/${id}/archive`);
  const parent = arch.locator(`article#p${ids[2]}`);
  // The replies are inside their post, folded behind "5 svar"; opening shows them.
  const details = parent.locator('details.replies');
  assert.equal(await details.locator('summary').textContent(), '5 svar');
  assert.equal(await details.getAttribute('open'), null);
  await details.locator('summary').focus();
  await arch.keyboard.press('Enter');
  await parent.locator('article.reply', { hasText: 'Svar 4 til nummer 2' }).waitFor();
  assert.equal(await parent.locator('article.reply').count(), 5);
  // Page 1 of 3 (50 threads a page), and a phone can scroll it.
  assert.equal(await arch.locator('#archive section > article.post').count(), 50);
  assert.match(await arch.locator('nav.pages').first().textContent(), /Side 1 af 3/);
  const height = await arch.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 15000, `archive page 1 is ${height} px tall`);
  await noOverflow(arch, 'archive at 360 px');
  await noSeriousAxe(arch, 'archive page 1');
  await shot(arch, 'journey-staff-archive-360');
  // To the last page with the keyboard: the rest, and the moderation log.
  await arch.locator('nav.pages a[rel=next]').first().focus();
  await arch.keyboard.press('Enter');
  await arch.waitForURL(/page=2/);
  await arch.locator('nav.pages a[rel=next]').first().click();
  await arch.waitForURL(/page=3/);
  assert.equal(await arch.locator('#archive section > article.post').count(), 20);
  await arch.locator('#h-log').waitFor();
  assert.match(await arch.locator('nav.pages').first().textContent(), /Side 3 af 3/);
  await noSeriousAxe(arch, 'archive last page');
});

test('item 11: an HLS or MP4 video that cannot play says so and offers the link, instead of 0:00', async () => {
  // An MP4 address that answers 404 (this server has no such file) and an HLS stream.
  const mp4 = await createMeeting(suite.server, { title: 'Møde med video', video_url: `https://127.0.0.1:${suite.server.port}/static/none.mp4` });
  await suite.server.api('POST', `/api/meetings/${mp4}/open`);
  const hls = await createMeeting(suite.server, { title: 'Møde med stream', video_url: `https://127.0.0.1:${suite.server.port}/live/stream.m3u8` });
  await suite.server.api('POST', `/api/meetings/${hls}/open`);
  for (const [id, what] of [[mp4, 'mp4'], [hls, 'hls']]) {
    const p = await open(PHONE, `${suite.server.url}/m/${id}`);
    const problem = p.locator('.video-problem');
    await problem.waitFor({ timeout: 15000 });
    assert.match(await problem.textContent(), /Videoen kunne ikke indlæses|kan ikke afspille videostrømmen/, what);
    assert.match(await problem.locator('a').getAttribute('href'), /^https:\/\//);
    assert.equal(await p.locator('video').count(), 0, `${what}: a dead player is still shown`);
    await noSeriousAxe(p, `video problem (${what})`);
    if (what === 'mp4') await shot(p, 'journey-staff-video-problem-360');
  }
});
