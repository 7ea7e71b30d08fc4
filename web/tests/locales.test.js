// The Danish and English strings (web/locales) say the same things: every key of one file is
// in the other, nested keys (plural forms) included, and each string has the same
// {placeholders} as its counterpart. A key missing in one language shows as the raw key on
// the page (t() falls back to it); a placeholder missing shows nothing where a name or a
// number belongs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './lib.js';

const load = (lang) => JSON.parse(readFileSync(path.join(REPO, 'web/locales', `${lang}.json`), 'utf8'));

/** Every leaf of a locale object as [dotted key, string] (plural forms are nested objects). */
function leaves(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]));
}

const placeholders = (s) => [...new Set(String(s).match(/\{\w+\}/g) || [])].sort();

/** What differs between two locales: keys only in one, placeholders that do not match, and
 *  leaves that are not strings. Empty when they agree. */
export function differences(a, b, names = ['a', 'b']) {
  const la = new Map(leaves(a));
  const lb = new Map(leaves(b));
  const out = [];
  for (const k of la.keys()) if (!lb.has(k)) out.push(`${k}: missing in ${names[1]}`);
  for (const k of lb.keys()) if (!la.has(k)) out.push(`${k}: missing in ${names[0]}`);
  for (const [k, v] of la) {
    if (typeof v !== 'string') out.push(`${k}: not a string in ${names[0]}`);
    if (!lb.has(k)) continue;
    if (typeof lb.get(k) !== 'string') out.push(`${k}: not a string in ${names[1]}`);
    const pa = placeholders(v).join(' ');
    const pb = placeholders(lb.get(k)).join(' ');
    if (pa !== pb) out.push(`${k}: placeholders ${names[0]} [${pa}] ${names[1]} [${pb}]`);
  }
  return out;
}

test('the parity check notices a missing key, a missing plural form and a missing placeholder', () => {
  const da = { 'a.b': 'Hej {name}', 'c.n': { one: '{n} ting', other: '{n} ting' }, d: 'x' };
  assert.deepEqual(differences(da, structuredClone(da)), []);
  assert.deepEqual(differences(da, { 'a.b': 'Hi {name}', 'c.n': { one: '{n} thing', other: '{n} things' } }), ['d: missing in b']);
  assert.deepEqual(differences({ 'c.n': { other: '{n}' } }, { 'c.n': { one: 'one', other: '{n}' } }), ['c.n.one: missing in a']);
  assert.deepEqual(differences({ k: 'Hej {name}' }, { k: 'Hi' }), ['k: placeholders a [{name}] b []']);
});

test('da.json and en.json have the same keys and the same placeholders', () => {
  const da = load('da');
  const en = load('en');
  assert.ok(leaves(da).length > 100, 'the Danish strings were read');
  assert.deepEqual(differences(da, en, ['da.json', 'en.json']), []);
});
