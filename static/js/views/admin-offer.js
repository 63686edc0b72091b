// #/organizations/{id}/admin/offer — the public offer (art. 34.3): publish a new version (the
// earlier ones stay, since acceptances name them) and see who accepted, refused or revoked which
// version (art. 33.1). Acceptances are for the organisation's own administrators only.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, showOk, statusLine, textareaField } from '../forms.js';
import { errorText, formatInstant, formatNumber, t } from '../i18n.js';
import { adminFrame, requireManager } from './admin-common.js';
import { item, scrollTable } from './common.js';

const LIMIT = 20;

function current(org) {
  if (!org.offer) return h('p', { class: 'muted', id: 'offer-current' }, t('org.offer_none'));
  return h('dl', { class: 'facts', id: 'offer-current' },
    item('offer_version', t('org.offer_version'), String(org.offer.version)),
    item('offer_published', t('org.offer_published'), formatInstant(org.offer.published_at, org.time_zone)),
    item('offer_sha256', t('org.offer_sha256'), h('code', { class: 'hash' }, org.offer.sha256)));
}

function publishForm(org, onPublished) {
  const status = statusLine('form-status');
  const text = textareaField('offer-body', 'admin.offer.text', { required: true, rows: '12', maxlength: 100000 },
    'admin.offer.text_hint');
  const area = text.querySelector('textarea');
  area.value = org.offer ? org.offer.body : '';
  const form = h('form', { class: 'form', id: 'offer-form', novalidate: true }, text,
    h('button', { type: 'submit', class: 'button', id: 'offer-publish' }, t('admin.offer.publish')), status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(form, async () => {
      try {
        const offer = await api.publishOffer(org.id, { body: area.value });
        showOk(status, form, 'admin.offer.published', { version: offer.version });
        onPublished(offer);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

const who = (a) => (a.on_behalf
  ? t('admin.offer.on_behalf', { actor: a.actor.full_name }) : t('admin.offer.themself'));

function actsTable(page, zone) {
  if (!page.acts.length) return h('p', { class: 'empty' }, t('admin.offer.no_acts'));
  const cell = (key, ...content) => h('td', { dataset: { label: t(key) } }, h('div', {}, ...content));
  return scrollTable('acts-caption', h('table', { class: 'table table--stack', id: 'offer-acts' },
    h('caption', { id: 'acts-caption' }, t('admin.offer.acts_caption', { tz: zone })),
    h('thead', {}, h('tr', {}, ['admin.offer.when', 'admin.offer.patient', 'admin.offer.act',
      'org.offer_version', 'admin.offer.by', 'admin.offer.method']
      .map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, page.acts.map((a) => h('tr', { dataset: { act: a.act, latest: String(a.latest) } },
      cell('admin.offer.when', h('time', { datetime: a.at }, formatInstant(a.at, zone))),
      cell('admin.offer.patient', a.patient.full_name),
      cell('admin.offer.act', h('span', { class: `badge badge--${a.act === 'accept' ? 'booked' : 'cancelled'}` },
        t(`admin.offer.act.${a.act}`)), a.latest ? null : h('span', { class: 'muted' }, ` ${t('admin.offer.superseded')}`)),
      cell('org.offer_version', a.offer_version === null ? '—' : String(a.offer_version)),
      cell('admin.offer.by', who(a)),
      cell('admin.offer.method', a.method ? t(`admin.offer.method.${a.method}`) : '—'))))));
}

/** Acceptances with a version filter and pages; redrawn in place. */
function acceptances(org) {
  const box = h('div', { id: 'offer-acceptances', 'aria-live': 'polite' });
  const versions = h('select', { id: 'offer-version-filter', name: 'offer-version-filter' });
  const summary = h('ul', { class: 'inline-list', id: 'offer-versions' });
  let pageNo = 1;
  async function load() {
    box.setAttribute('aria-busy', 'true');
    try {
      const page = await api.offerAcceptances(org.id, { version: versions.value, page: pageNo, limit: LIMIT });
      const chosen = versions.value;
      versions.replaceChildren(h('option', { value: '' }, t('admin.offer.all_versions')),
        ...page.versions.map((v) => h('option', { value: String(v.version) },
          t('admin.offer.version_n', { version: v.version }))));
      versions.value = chosen;
      summary.replaceChildren(...page.versions.map((v) => h('li', { dataset: { version: String(v.version) } },
        t('admin.offer.standing', { version: v.version, n: formatNumber(v.accepted_now) }))));
      const pages = Math.max(1, Math.ceil(page.total / page.limit));
      const pager = h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'button button--secondary', disabled: pageNo <= 1,
          onclick: () => { pageNo -= 1; load(); } }, t('admin.previous')),
        h('span', {}, t('admin.page_of', { page: pageNo, pages })),
        h('button', { type: 'button', class: 'button button--secondary', disabled: pageNo >= pages,
          onclick: () => { pageNo += 1; load(); } }, t('admin.next')));
      box.replaceChildren(actsTable(page, org.time_zone), ...(pages > 1 ? [pager] : []));
      box.dataset.total = String(page.total);
    } catch (err) {
      box.replaceChildren(h('p', { class: 'status status--error', role: 'alert' }, errorText(err)));
    }
    box.removeAttribute('aria-busy');
  }
  versions.addEventListener('change', () => {
    pageNo = 1;
    load();
  });
  load();
  return h('div', {},
    summary,
    h('div', { class: 'field filter' }, h('label', { for: 'offer-version-filter' }, t('admin.offer.filter')), versions),
    box);
}

export async function render({ params }, app) {
  const orgId = params[0];
  const { me, page } = await requireManager(app, orgId, 'admin.offer.title');
  if (page) return page;
  const org = await api.organizationForEdit(orgId);
  const currentBox = h('div', {}, current(org));
  const own = me.role === 'org_admin';
  return adminFrame(org, me, '/offer', t('admin.offer.title'),
    h('section', { class: 'panel', 'aria-labelledby': 'offer-current-heading' },
      h('h2', { id: 'offer-current-heading' }, t('admin.offer.current')), currentBox),
    h('section', { class: 'panel', 'aria-labelledby': 'offer-new-heading' },
      h('h2', { id: 'offer-new-heading' }, t('admin.offer.new')),
      h('p', { class: 'hint' }, t('admin.offer.new_hint')),
      publishForm(org, (offer) => {
        org.offer = offer;
        currentBox.replaceChildren(current(org));
      })),
    h('section', { class: 'panel', 'aria-labelledby': 'offer-acts-heading' },
      h('h2', { id: 'offer-acts-heading' }, t('admin.offer.acts')),
      own ? acceptances(org) : h('p', { class: 'muted' }, t('admin.offer.acts_admins_only'))));
}
