// @ts-check
// Organizations on the organizer pages: the invite page (/admin/invite#invite=...: the secret
// is taken from the fragment and posted, never sent in a URL), the e-mail + password sign-in
// form, the signed-in organizer's bar (sign out, sign out everywhere) and branding form, and
// the installation admin's list of organizations with "create" and "invite link".
// Loaded on demand: citizens never download it.

import { el, t, errorText, takeFragment, copyText, fmtDateTime, $ } from './util.js';
import { client } from './client.js';
import { field, clearFieldErrors, showApiError } from './forms.js';
import { toast } from './ui.js';

const main = () => $('#main');

/** Show a refusal next to its field when the server names one. */
function fail(err, x, inputs) {
  const form = err.closest('form');
  if (form) clearFieldErrors(form);
  showApiError(x, inputs, err);
}

export async function invitePage() {
  document.title = `${t('org.invite_title')} · borgermode`;
  const secret = takeFragment('invite');
  if (!secret) { main().replaceChildren(el('p', { class: 'error', role: 'alert' }, t('org.invite_missing'))); return; }
  let info;
  try { info = await client.inviteInfo(secret); } catch (x) {
    main().replaceChildren(el('p', { class: 'error', role: 'alert' }, errorText(x)));
    return;
  }
  const name = el('input', { id: 'inv-name', type: 'text', required: true, maxlength: '80', autocomplete: 'name' });
  const email = el('input', { id: 'inv-email', type: 'email', required: true, maxlength: '254', autocomplete: 'email' });
  const password = el('input', { id: 'inv-password', type: 'password', required: true, minlength: '10', autocomplete: 'new-password', 'aria-describedby': 'inv-password-hint' });
  const err = el('p', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'card narrow', novalidate: true },
    el('h1', null, t('org.invite_title')),
    el('p', null, t('org.invite_lead', { name: info.organization_name })),
    el('p', { class: 'hint' }, t('org.invite_expires', { when: fmtDateTime(info.expires_at) })),
    field('inv-name', t('org.f.display_name'), name),
    field('inv-email', t('org.f.email'), email),
    field('inv-password', t('org.f.password'), password, t('org.f.password_hint')),
    el('button', { type: 'submit' }, t('org.invite_submit')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await client.acceptInvite({ invite: secret, display_name: name.value, email: email.value, password: password.value });
      location.href = '/admin';
    } catch (x) { fail(err, x, { display_name: name, email, password }); }
  });
  main().replaceChildren(form);
}

/** E-mail and password: an organizer account of one organization. */
export function passwordForm(onDone) {
  const email = el('input', { id: 'si-email', type: 'email', required: true, autocomplete: 'username' });
  const password = el('input', { id: 'si-password', type: 'password', required: true, autocomplete: 'current-password' });
  const err = el('p', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'card narrow', novalidate: true }, el('h1', null, t('org.signin_title')),
    field('si-email', t('org.f.email'), email), field('si-password', t('org.f.password'), password),
    el('button', { type: 'submit' }, t('admin.signin')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await client.accountSignIn(email.value, password.value); onDone(); } catch (x) {
      err.textContent = x.code === 'invalid_credentials' ? t('org.bad_password') : errorText(x);
    }
  });
  return form;
}

/** Who is signed in, with sign out and sign out everywhere. */
export function accountBar(account) {
  /** @param {() => Promise<unknown>} signOut */
  const out = async (signOut) => { try { await signOut(); } catch (_) { /* signed out anyway */ } location.href = '/admin'; };
  return el('div', { class: 'row wrap' },
    el('span', { class: 'hint' }, t('org.signed_in_as', { name: account.display_name, org: account.organization.name })),
    el('button', { type: 'button', class: 'link-button', onclick: () => out(client.accountSignOut) }, t('admin.signout')),
    el('button', { type: 'button', class: 'link-button danger', onclick: () => out(client.accountSignOutEverywhere) }, t('org.signout_everywhere')));
}

function swatch(color) {
  if (!color) return null;
  const s = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.background = color; // CSSOM: allowed by the CSP, unlike a style attribute
  return s;
}

/** Name, colours, privacy contact and logo of the organizer's own organization. */
export function brandingCard(org, reload) {
  const name = el('input', { id: 'br-name', type: 'text', maxlength: '100', value: org.name });
  const primary = el('input', { id: 'br-primary', type: 'text', maxlength: '7', placeholder: '#0b5cad', value: org.primary_color || '', 'aria-describedby': 'br-primary-hint' });
  const accent = el('input', { id: 'br-accent', type: 'text', maxlength: '7', placeholder: '#c8102e', value: org.accent_color || '' });
  const privacy = el('input', { id: 'br-privacy', type: 'text', maxlength: '300', value: org.privacy_contact || '', 'aria-describedby': 'br-privacy-hint' });
  const logo = el('input', { id: 'br-logo', type: 'file', accept: 'image/png,image/jpeg,image/webp', 'aria-describedby': 'br-logo-hint' });
  const err = el('p', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'small-form', novalidate: true },
    field('br-name', t('org.f.name'), name),
    el('div', { class: 'pair' }, field('br-primary', t('org.f.primary'), primary, t('org.f.primary_hint')), field('br-accent', t('org.f.accent'), accent)),
    field('br-privacy', t('org.f.privacy'), privacy, t('org.f.privacy_hint')),
    field('br-logo', t('org.f.logo'), logo, t('org.f.logo_hint')),
    el('button', { type: 'submit' }, t('admin.save')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await client.editOrganization(org.id, { name: name.value, primary_color: primary.value, accent_color: accent.value, privacy_contact: privacy.value });
      const file = logo.files && logo.files[0];
      if (file) {
        // A refused logo is not about the fields above: its message goes in the form's line.
        try { await client.uploadLogo(org.id, file); } catch (x) { fail(err, x, {}); return; }
      }
      toast(t('admin.saved'));
      reload();
    } catch (x) { fail(err, x, { name, primary_color: primary, accent_color: accent, privacy_contact: privacy }); }
  });
  return el('section', { class: 'card', 'aria-labelledby': 'brand-h' }, el('h2', { id: 'brand-h' }, t('org.branding')),
    el('p', { class: 'hint' }, t('org.branding_lead')), form);
}

/** The installation admin: every organization, a form to add one, invite links. */
export async function orgsSection() {
  const orgs = await client.organizations();
  const newLink = el('div', { class: 'new-link', 'aria-live': 'polite' });
  const rows = orgs.map((o) => el('div', { class: 'org-row' },
    el('span', null, swatch(o.primary_color), ' ', el('strong', null, o.name), o.is_default ? el('span', { class: 'hint' }, ` (${t('org.default')})`) : null),
    el('button', { type: 'button', class: 'secondary', onclick: async () => {
      try {
        const r = await client.createInvite(o.id);
        const copy = el('button', { type: 'button', class: 'secondary', onclick: (e) => copyText(r.link, e.currentTarget) }, t('action.copy'));
        newLink.replaceChildren(el('p', { class: 'warn' }, t('org.invite_once', { name: o.name, when: fmtDateTime(r.expires_at) })),
          el('div', { class: 'row wrap' }, el('code', { class: 'link' }, r.link), copy));
      } catch (x) { toast(errorText(x)); }
    } }, t('org.invite_create'))));
  const name = el('input', { id: 'of-name', type: 'text', required: true, maxlength: '100' });
  const privacy = el('input', { id: 'of-privacy', type: 'text', maxlength: '300', 'aria-describedby': 'of-privacy-hint' });
  const err = el('p', { class: 'form-error', role: 'alert' });
  const section = el('section', { class: 'card', 'aria-labelledby': 'orgs-h' });
  const form = el('form', { class: 'small-form', novalidate: true }, el('h3', null, t('org.create')),
    field('of-name', t('org.f.name'), name), field('of-privacy', t('org.f.privacy'), privacy, t('org.f.privacy_hint')),
    el('button', { type: 'submit' }, t('org.create_submit')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await client.createOrganization({ name: name.value, privacy_contact: privacy.value || null });
      section.replaceWith(await orgsSection());
    } catch (x) { fail(err, x, { name, privacy_contact: privacy }); }
  });
  section.append(el('h2', { id: 'orgs-h' }, t('org.title')), el('p', { class: 'hint' }, t('org.lead')), ...rows, newLink, form);
  return section;
}
