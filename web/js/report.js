// @ts-check
// After the meeting, for the organizer: links to the printable report (rendered by the server so
// it prints and files without JavaScript), its CSV/JSON, the records exports and the public
// archive, and the form for the participation targets the report measures against.

import { el, t, errorText, currentLang } from './util.js';
import { client, reportLinks } from './client.js';

export function reportCard(id, status, toast) {
  const lang = currentLang();
  const files = reportLinks(id, lang);
  const links = el('ul', { class: 'report-links' },
    el('li', null, el('a', { href: files.html, id: 'report-link' }, t('report.open'))),
    el('li', null, el('a', { href: files.csv, download: '' }, t('report.download_csv'))),
    el('li', null, el('a', { href: files.ndjson, download: '' }, t('report.export_ndjson'))),
    el('li', null, el('a', { href: files.exportCsv, download: '' }, t('report.export_csv'))),
    status === 'closed' ? el('li', null, el('a', { href: `/m/${id}/archive?lang=${lang}` }, t('archive.open'))) : null);

  const under30 = el('input', { id: 'target-under30', type: 'number', min: '0', max: '100', inputmode: 'numeric' });
  const women = el('input', { id: 'target-women', type: 'number', min: '0', max: '100', inputmode: 'numeric' });
  const showMods = el('input', { id: 'show-moderators', type: 'checkbox' });
  const err = el('p', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'stack', novalidate: true },
    el('label', { for: 'target-under30' }, t('report.under_30_target')), under30,
    el('label', { for: 'target-women' }, t('report.women_target')), women,
    el('label', { class: 'check' }, showMods, ' ', t('report.show_moderators')),
    el('button', { type: 'submit' }, t('report.save')), err);
  const num = (input) => (input.value.trim() === '' ? null : Number(input.value));
  client.reportOptions(id).then((o) => {
    under30.value = o.targets.under_30_min_pct ?? '';
    women.value = o.targets.women_min_pct ?? '';
    showMods.checked = !!o.show_moderators;
  }).catch((e) => { err.textContent = errorText(e); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      await client.setReportOptions(id, { targets: { under_30_min_pct: num(under30), women_min_pct: num(women) }, show_moderators: showMods.checked });
      toast(t('admin.saved'));
    } catch (x) { err.textContent = errorText(x); }
  });
  return el('section', { class: 'card', 'aria-labelledby': 'report-h' },
    el('h2', { id: 'report-h' }, t('report.title')), links,
    el('h3', null, t('report.options')), form);
}
