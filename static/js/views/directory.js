// #/ — organisations and doctors, filtered by specialty (kept in the hash: #/?specialty=code).

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, locale, specialtyName, t } from '../i18n.js';
import { practitionerCard, specialtyNames } from './common.js';

function organizationCard(o) {
  const kinds = o.service_kinds.map((k) => t(`service_kind.${k}`)).join(' · ');
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: `#/organizations/${encodeURIComponent(o.id)}` }, o.name)),
    h('p', {}, o.address),
    h('p', { class: 'muted' }, kinds),
    h('p', { class: 'tags' },
      h('span', { class: 'tag' }, t(o.paid ? 'directory.paid' : 'directory.free')),
      o.gobmp ? h('span', { class: 'tag' }, t('directory.gobmp')) : null,
      o.osms ? h('span', { class: 'tag' }, t('directory.osms')) : null));
}

function fill(list, items, toCard) {
  list.replaceChildren(...(items.length
    ? items.map(toCard)
    : [h('li', { class: 'empty' }, t('common.none_found'))]));
}

export async function render({ query }) {
  const specialties = [...await api.specialties()]
    .sort((a, b) => specialtyName(a).localeCompare(specialtyName(b), locale()));
  const names = await specialtyNames();
  const wanted = query.get('specialty') || '';
  const filter = h('select', { id: 'specialty-filter', name: 'specialty' },
    h('option', { value: '' }, t('directory.all_specialties')),
    specialties.map((s) => h('option', { value: s.code }, specialtyName(s))));
  filter.value = names.has(wanted) ? wanted : '';

  const orgList = h('ul', { id: 'organizations', class: 'cards', 'aria-labelledby': 'orgs-heading' });
  const pracList = h('ul', { id: 'practitioners', class: 'cards', 'aria-labelledby': 'pracs-heading' });
  const problem = h('p', { class: 'status status--error', role: 'alert', hidden: true });
  // Announces the new counts when the filter changes.
  const summary = h('p', { class: 'muted', id: 'directory-summary', role: 'status' });

  let seq = 0;
  async function load(code) {
    const mine = ++seq;
    for (const list of [orgList, pracList]) list.setAttribute('aria-busy', 'true');
    try {
      const [orgs, pracs] = await Promise.all([api.organizations(code), api.practitioners(code)]);
      if (mine !== seq) return;
      fill(orgList, orgs, organizationCard);
      fill(pracList, pracs, (p) => practitionerCard(p, names));
      summary.textContent = t('directory.summary', { orgs: orgs.length, pracs: pracs.length });
      problem.hidden = true;
    } catch (err) {
      if (mine !== seq) return;
      problem.textContent = errorText(err);
      problem.hidden = false;
    }
    // Tests and scripts wait on this to know the lists match the filter.
    for (const list of [orgList, pracList]) {
      list.removeAttribute('aria-busy');
      list.dataset.specialty = code;
    }
  }

  filter.addEventListener('change', () => {
    const code = filter.value;
    history.replaceState(null, '', code ? `#/?specialty=${encodeURIComponent(code)}` : '#/');
    load(code);
  });
  await load(filter.value);

  return h('section', { class: 'directory' },
    pageTitle(t('directory.title'), { id: 'directory-title' }),
    h('p', { class: 'lead' }, t('directory.intro')),
    h('div', { class: 'field filter' },
      h('label', { for: 'specialty-filter' }, t('directory.filter')), filter),
    summary,
    problem,
    h('div', { class: 'columns' },
      h('section', {}, h('h2', { id: 'orgs-heading' }, t('directory.organizations')), orgList),
      h('section', {}, h('h2', { id: 'pracs-heading' }, t('directory.practitioners')), pracList)));
}
