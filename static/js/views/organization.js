// #/organizations/{id} — everything art. 34 of the Rules requires an organisation to disclose.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { formatInstant, formatNumber, plural, t } from '../i18n.js';
import { managesOrganization } from './admin-common.js';
import { backLink, item, practitionerCard, scrollTable, specialtyNames, yesNo } from './common.js';

function section(id, titleKey, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': id },
    h('h2', { id }, t(titleKey)), ...content);
}

function priceList(o) {
  if (!o.price_list.length) return t(o.paid ? 'org.price_list_empty' : 'org.free_of_charge');
  return scrollTable('price-caption', h('table', { class: 'table' },
    h('caption', { id: 'price-caption', class: 'visually-hidden' }, t('org.price_list')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('org.price_service')),
      h('th', { scope: 'col', class: 'num' }, t('org.price_kzt')))),
    h('tbody', {}, o.price_list.map((p) => h('tr', {},
      h('td', {}, p.title || p.service),
      h('td', { class: 'num' }, formatNumber(p.price_kzt)))))));
}

function offer(o) {
  if (!o.offer) return h('p', { class: 'muted' }, t('org.offer_none'));
  return h('div', {},
    h('dl', { class: 'facts' },
      item('offer_version', t('org.offer_version'), String(o.offer.version)),
      item('offer_published', t('org.offer_published'),
        `${formatInstant(o.offer.published_at, o.time_zone)} (${o.time_zone})`),
      item('offer_sha256', t('org.offer_sha256'), h('code', { class: 'hash' }, o.offer.sha256))),
    h('details', { class: 'offer' },
      h('summary', {}, t('org.offer_text')),
      h('div', { class: 'offer-body' }, o.offer.body)));
}

export async function render({ params }, app) {
  const [o, names] = await Promise.all([api.organization(params[0]), specialtyNames()]);
  const list = (items) => (items.length ? h('ul', { class: 'inline-list' },
    items.map((x) => h('li', {}, x))) : '');
  const practitioners = o.practitioners.length
    ? h('ul', { class: 'cards', id: 'org-practitioners' },
      o.practitioners.map((p) => practitionerCard(p, names)))
    : h('p', { class: 'muted' }, t('common.none_found'));

  return h('article', { class: 'organization', id: 'organization' },
    backLink(),
    pageTitle(o.name),
    h('p', { class: 'lead' }, t('org.disclosure_note')),
    managesOrganization(app.user, o.id)
      ? h('p', {}, h('a', { class: 'button button--secondary', id: 'org-admin-link',
        href: `#/organizations/${encodeURIComponent(o.id)}/admin` }, t('admin.open'))) : null,
    section('org-contacts', 'org.section.contacts', h('dl', { class: 'facts' },
      item('name', t('org.name'), o.name),
      item('address', t('org.address'), o.address),
      item('phone', t('org.phone'), o.phone && h('a', { href: `tel:${o.phone.replace(/\s/g, '')}` }, o.phone)),
      item('email', t('org.email'), o.email && h('a', { href: `mailto:${o.email}` }, o.email)),
      item('licence_number', t('org.licence_number'), o.licence_number),
      item('licensed_profiles', t('org.licensed_profiles'),
        list(o.licensed_profiles.map((c) => names.get(c) || c))),
      item('service_kinds', t('org.service_kinds'),
        list(o.service_kinds.map((k) => t(`service_kind.${k}`)))),
      item('gobmp', t('org.gobmp'), yesNo(o.gobmp)),
      item('osms', t('org.osms'), yesNo(o.osms)),
      item('time_zone', t('org.time_zone'), o.time_zone))),
    section('org-rules', 'org.section.rules', h('dl', { class: 'facts' },
      item('consultation_minutes', t('org.consultation_minutes'),
        plural('unit.minutes', o.consultation_minutes)),
      item('urgent_deadline_hours', t('org.urgent_deadline'),
        plural('unit.hours', o.urgent_deadline_hours)),
      item('planned_deadline_hours', t('org.planned_deadline'),
        plural('unit.hours', o.planned_deadline_hours)))),
    section('org-terms', 'org.section.terms', h('dl', { class: 'facts' },
      item('paid', t('org.terms'), t(o.paid ? 'directory.paid' : 'directory.free')),
      item('price_list', t('org.price_list'), priceList(o)),
      item('payment_procedure', t('org.payment_procedure'), o.payment_procedure),
      item('consent_procedure', t('org.consent_procedure'), o.consent_procedure),
      item('anonymous_consultation', t('org.anonymous_consultation'), o.anonymous_consultation),
      item('identification_procedure', t('org.identification_procedure'),
        o.identification_procedure),
      item('conclusion_procedure', t('org.conclusion_procedure'), o.conclusion_procedure),
      item('document_requirements', t('org.document_requirements'), o.document_requirements),
      item('offer_acceptance', t('org.offer_acceptance'), o.offer_acceptance))),
    section('org-offer', 'org.section.offer', offer(o)),
    section('org-staff', 'org.section.practitioners', practitioners));
}
