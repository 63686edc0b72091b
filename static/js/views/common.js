// Pieces shared by the directory views.

import { h, pageTitle } from '../dom.js';
import { specialtyName, t } from '../i18n.js';
import { api } from '../api.js';

/** code → name in the current language. */
export async function specialtyNames() {
  const list = await api.specialties();
  return new Map(list.map((s) => [s.code, specialtyName(s)]));
}

/** One row of a definition list; an empty value reads "not specified". */
export function item(name, label, value) {
  const empty = value === null || value === undefined || value === '' ||
    (Array.isArray(value) && value.length === 0);
  return h('div', { class: 'item', dataset: { field: name } },
    h('dt', {}, label),
    h('dd', { class: empty ? 'muted' : null }, empty ? t('common.not_specified') : value));
}

export function yesNo(value) {
  return t(value ? 'common.yes' : 'common.no');
}

export function backLink() {
  return h('p', { class: 'back' }, h('a', { href: '#/' }, t('common.back_to_directory')));
}

/** A table that scrolls sideways on a narrow screen and can be scrolled with the keyboard. */
export function scrollTable(labelId, table) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': labelId },
    table);
}

export function practitionerCard(p, names) {
  const specialties = p.specialties.map((s) => names.get(s.code) || s.code).join(', ');
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: `#/practitioners/${encodeURIComponent(p.id)}` }, p.full_name)),
    p.position ? h('p', {}, p.position) : null,
    specialties ? h('p', { class: 'muted' }, specialties) : null,
    h('p', { class: 'muted' }, p.organization_name));
}

/** The signed-in user from the server, or null (and the header forgets them) after a 401. */
export async function signedIn(app) {
  try {
    return await api.me();
  } catch (err) {
    if (err.status !== 401) throw err;
    if (app.user) app.setUser(null);
    return null;
  }
}

/** A page that needs a session: a prompt to sign in and come back here. */
export function signInNeeded(titleKey, messageKey) {
  const next = encodeURIComponent(location.hash || '#/');
  return h('section', { class: 'narrow' },
    pageTitle(t(titleKey)),
    h('p', { role: 'status' }, t(messageKey)),
    h('p', {}, h('a', { href: `#/login?next=${next}`, class: 'button' }, t('nav.login'))));
}
