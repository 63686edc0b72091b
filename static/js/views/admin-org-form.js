// The organisation's disclosure data (art. 34) and internal rules (art. 8) as a form: the
// operator fills it to register an organisation, its administrator to keep it current. The price
// list has a page of its own; whatever the form does not show is sent back as it was loaded.

import { h } from '../dom.js';
import { formatNumber, locale, specialtyName, t } from '../i18n.js';
import { field, statusLine } from '../forms.js';
import { readTranslated, textLanguageSwitch, translatedField, valuesOf } from './admin-common.js';

/** Kazakhstan's zones first; any other IANA zone can be typed. */
const ZONES = ['Asia/Almaty', 'Asia/Aqtobe', 'Asia/Aqtau', 'Asia/Atyrau', 'Asia/Oral', 'Asia/Qostanay',
  'Asia/Qyzylorda'];
const KINDS = ['realtime', 'deferred', 'council', 'monitoring'];
const LINES = ['name', 'address'];
const PROCEDURES = ['payment_procedure', 'consent_procedure', 'anonymous_consultation',
  'identification_procedure', 'conclusion_procedure', 'document_requirements', 'offer_acceptance'];
/** Fields of the answer that are no input of an update. */
const READ_ONLY = ['id', 'offer', 'practitioners'];
const MB = 1024 * 1024;

/** A new organisation's starting values: the Rules' bounds, Almaty's zone, free of charge. */
export const EMPTY_ORGANIZATION = {
  name: '', address: '', phone: '', email: '', licence_number: '', licensed_profiles: [],
  service_kinds: ['realtime', 'deferred'], gobmp: false, osms: false, time_zone: 'Asia/Almaty',
  consultation_minutes: 30, urgent_deadline_hours: 6, planned_deadline_hours: 72, paid: false,
  price_list: [], translations: {},
};

/** The organisation as an update's body: read-only fields dropped, price lines without titles. */
export function editableBody(org) {
  const body = structuredClone(org);
  for (const key of READ_ONLY) delete body[key];
  body.price_list = (body.price_list || []).map(({ title, ...line }) => line);
  return body;
}

function checkboxes(id, legendKey, options, chosen) {
  return h('fieldset', { class: 'choices', id },
    h('legend', {}, t(legendKey)),
    h('ul', { class: 'choice-list choice-list--columns' }, options.map(([value, text]) => {
      const inputId = `${id}-${value}`;
      return h('li', { class: 'choice' },
        h('input', { type: 'checkbox', id: inputId, value, checked: chosen.includes(value) }),
        h('label', { for: inputId }, text));
    })));
}

function checked(form, id) {
  return [...form.querySelectorAll(`#${id} input:checked`)].map((i) => i.value);
}

function flag(id, labelKey, value) {
  return h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id, name: id, checked: value }),
    h('label', { for: id }, t(labelKey)));
}

function numberField(id, labelKey, value, min, max, hintKey) {
  const f = field(id, labelKey, { type: 'number', min, max, step: '1', required: true, inputmode: 'numeric' }, hintKey);
  f.querySelector('input').value = value ?? '';
  return f;
}

function textInput(id, labelKey, value, attrs = {}) {
  const f = field(id, labelKey, { type: 'text', ...attrs });
  f.querySelector('input').value = value || '';
  return f;
}

/**
 * The form. `onSubmit(body)` gets the whole organisation body (a promise); the caller shows the
 * outcome in the returned form's status line `#org-form-status`.
 */
export function organizationForm(org, specialties, { submitKey, onSubmit }) {
  const form = h('form', { class: 'form admin-form', id: 'org-form', novalidate: true });
  const status = statusLine('form-status');
  const profiles = [...specialties]
    .sort((a, b) => specialtyName(a).localeCompare(specialtyName(b), locale()))
    .map((s) => [s.code, specialtyName(s)]);
  const zoneList = h('datalist', { id: 'org-zones' }, ZONES.map((z) => h('option', { value: z })));
  const limit = numberField('org-max-file-mb', 'admin.org.max_file_mb',
    org.max_file_bytes ? Math.floor(org.max_file_bytes / MB) : '', 1, 100000, 'admin.org.max_file_hint');
  if (!org.max_file_bytes) limit.hidden = true;

  form.append(
    textLanguageSwitch(form, 'org'),
    h('section', { class: 'panel', 'aria-labelledby': 'org-form-contacts' },
      h('h2', { id: 'org-form-contacts' }, t('org.section.contacts')),
      ...LINES.flatMap((name) => translatedField(`org-${name}`, `org.${name}`, valuesOf(org, name),
        { required: true, maxlength: name === 'name' ? 300 : 500 })),
      textInput('org-phone', 'org.phone', org.phone, { required: true, autocomplete: 'tel', maxlength: 50 }),
      textInput('org-email', 'org.email', org.email, { required: true, type: 'email', autocomplete: 'email' }),
      textInput('org-licence-number', 'org.licence_number', org.licence_number, { required: true, maxlength: 100 }),
      checkboxes('org-profiles', 'org.licensed_profiles', profiles, org.licensed_profiles || []),
      checkboxes('org-kinds', 'org.service_kinds', KINDS.map((k) => [k, t(`service_kind.${k}`)]),
        org.service_kinds || []),
      flag('org-gobmp', 'org.gobmp', org.gobmp),
      flag('org-osms', 'org.osms', org.osms),
      textInput('org-time-zone', 'org.time_zone', org.time_zone, { required: true, list: 'org-zones' }),
      zoneList),
    h('section', { class: 'panel', 'aria-labelledby': 'org-form-rules' },
      h('h2', { id: 'org-form-rules' }, t('org.section.rules')),
      numberField('org-consultation-minutes', 'admin.org.consultation_minutes', org.consultation_minutes, 5, 240),
      numberField('org-urgent-hours', 'admin.org.urgent_hours', org.urgent_deadline_hours, 3, 24, 'admin.org.urgent_hint'),
      numberField('org-planned-hours', 'admin.org.planned_hours', org.planned_deadline_hours, 1, 720),
      limit),
    h('section', { class: 'panel', 'aria-labelledby': 'org-form-terms' },
      h('h2', { id: 'org-form-terms' }, t('org.section.terms')),
      ...PROCEDURES.flatMap((name) => translatedField(`org-${name.replace(/_/g, '-')}`, `org.${name}`,
        valuesOf(org, name), { multiline: true, maxlength: 5000 }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', id: 'org-save' }, t(submitKey))),
    status);
  if (org.max_file_bytes) {
    limit.querySelector('.hint').textContent = t('admin.org.max_file_hint', {
      mb: formatNumber(Math.floor(org.max_file_bytes / MB)),
    });
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const num = (id) => Number(form.querySelector(`#${id}`).value);
    const body = editableBody(org);
    readTranslated(form, 'org', [...LINES, ...PROCEDURES], body);
    Object.assign(body, {
      phone: form.querySelector('#org-phone').value,
      email: form.querySelector('#org-email').value,
      licence_number: form.querySelector('#org-licence-number').value,
      licensed_profiles: checked(form, 'org-profiles'),
      service_kinds: checked(form, 'org-kinds'),
      gobmp: form.querySelector('#org-gobmp').checked,
      osms: form.querySelector('#org-osms').checked,
      time_zone: form.querySelector('#org-time-zone').value.trim(),
      consultation_minutes: num('org-consultation-minutes'),
      urgent_deadline_hours: num('org-urgent-hours'),
      planned_deadline_hours: num('org-planned-hours'),
    });
    if (org.max_file_bytes) {
      const mb = num('org-max-file-mb');
      // Unchanged, the exact stored limit goes back, not its value rounded to megabytes.
      body.max_file_bytes = mb === Math.floor(org.max_file_bytes / MB) ? org.max_file_bytes : mb * MB;
    }
    onSubmit(body, form, status);
  });
  return form;
}
