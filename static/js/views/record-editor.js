// The doctor's "Write a record" section of a consultation (art. 36–37): a structured draft, the
// document that will be signed — read as labelled fields, its exact bytes on demand — and the
// signature (NCALayer, else the enrolled WebCrypto key). Used on the consultation's page and in
// the call's side panel, so the doctor writes while the call goes on. An empty required field
// is named by its own label before anything is sent.
// A conclusion's diagnosis codes are looked up in ICD-10 as they are typed (icd10.js), and it may
// carry a referral and a prescription of its own (a deferred request's answer, art. 21).

import { api } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { signDocument } from '../signing.js';
import { icd10Picker } from './icd10.js';
import { zoneFor } from './labels.js';
import { signableDocument } from './record-content.js';

const KINDS = ['conclusion', 'consultation_note', 'referral', 'prescription'];

function field(id, label, control) {
  return h('p', { class: 'field' }, h('label', { for: id }, label), control);
}

function textarea(id, required = false) {
  return h('textarea', { id, name: id, rows: '3', required });
}

/**
 * A repeatable group of inputs (diagnoses, drugs), each row a list of [name, label] inputs with
 * ids `${id}-${n}-${name}`; `onRow(row, n)` hears of each new row. `initial` fills rows from
 * saved values (a council's draft, see council-conclusion.js); without it there is one empty row.
 */
export function rows(id, columns, addKey, onRow = () => {}, initial = []) {
  const list = h('div', { id, class: 'record-rows' });
  const addRow = (values = {}) => {
    const n = list.children.length;
    const row = h('fieldset', { class: 'record-row' },
      h('legend', {}, String(n + 1)),
      columns.map(([name, label]) => field(`${id}-${n}-${name}`, t(label),
        h('input', { id: `${id}-${n}-${name}`, dataset: { column: name }, type: 'text',
          value: values[name] ?? null }))));
    list.append(row);
    onRow(row, n);
  };
  if (initial.length) initial.forEach((values) => addRow(values));
  else addRow();
  const add = h('button', { type: 'button', class: 'link-button', id: `${id}-add`, onclick: () => addRow() },
    t(addKey));
  const values = () => [...list.children].map((row) => Object.fromEntries(
    [...row.querySelectorAll('input')].map((i) => [i.dataset.column, i.value.trim()])))
    .filter((r) => Object.values(r).some(Boolean));
  return { el: h('div', {}, list, add), values };
}

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

/** The first required control left empty, with its label's text. */
function emptyRequired(root) {
  const control = [...root.querySelectorAll('[required]')].find((c) => !c.value.trim());
  if (!control) return null;
  const label = root.querySelector(`label[for="${control.id}"]`);
  return { control, label: label ? label.textContent : control.id };
}

/** The server names a missing field (`findings is required`): its label, where there is one. */
const SERVER_FIELDS = {
  findings: 'record.findings', diagnoses: 'record.diagnoses', 'diagnoses.text': 'record.diagnosis_text',
  text: 'record.text', reason: 'record.reason', studies: 'record.studies', 'items.drug': 'record.drug',
  'items.dose': 'record.dose', 'items.frequency': 'record.frequency', 'items.duration': 'record.duration',
};

function missingText(err) {
  const message = (err && err.message) || '';
  const named = /^([a-z_.]+) is required/.exec(message);
  const key = named ? SERVER_FIELDS[named[1]]
    : /diagnos/.test(message) ? 'record.diagnoses' : /stud/.test(message) ? 'record.studies'
      : /drug/.test(message) ? 'record.drug' : null;
  return key ? t('record.missing', { field: t(key) }) : t('record.missing_any');
}

/** Findings, ICD-10 diagnoses, recommendations, and optionally a referral and a prescription. */
function conclusionForm(val) {
  const icd10 = icd10Picker();
  const withSearch = (row, n) => {
    const code = row.querySelector(`#record-diagnoses-${n}-icd10`);
    code.setAttribute('aria-describedby', 'record-icd10-hint');
    icd10.attach(code, row.querySelector(`#record-diagnoses-${n}-text`));
  };
  const diagnoses = rows('record-diagnoses', [['icd10', 'record.icd10'], ['text', 'record.diagnosis_text']],
    'record.add_diagnosis', withSearch);
  const prescription = rows('record-prescription', [['drug', 'record.drug'], ['dose', 'record.dose'],
    ['frequency', 'record.frequency'], ['duration', 'record.duration']], 'record.add_drug');
  const el = h('div', {},
    field('record-findings', t('record.findings'), textarea('record-findings', true)),
    h('h3', {}, t('record.diagnoses')),
    h('p', { class: 'hint', id: 'record-icd10-hint' }, t('record.icd10_hint')),
    diagnoses.el,
    field('record-recommendations', t('record.recommendations'), textarea('record-recommendations')),
    h('section', { class: 'record-optional', id: 'record-referral', 'aria-labelledby': 'record-referral-heading' },
      h('h3', { id: 'record-referral-heading' }, t('record.referral_optional')),
      field('record-referral-studies', t('record.studies'), textarea('record-referral-studies')),
      field('record-referral-reason', t('record.reason'), textarea('record-referral-reason'))),
    h('section', { class: 'record-optional', id: 'record-prescription-section',
      'aria-labelledby': 'record-prescription-heading' },
    h('h3', { id: 'record-prescription-heading' }, t('record.prescription_optional')), prescription.el));
  return {
    el,
    missing: () => emptyRequired(el) || (diagnoses.values().length ? null
      : { control: el.querySelector('#record-diagnoses-0-icd10'), label: t('record.diagnoses') }),
    content() {
      const content = { findings: val(el, 'record-findings'), diagnoses: diagnoses.values(),
        recommendations: val(el, 'record-recommendations') };
      // Only what was filled in: an empty referral or prescription is no part of the conclusion.
      const studies = lines(val(el, 'record-referral-studies'));
      const reason = val(el, 'record-referral-reason');
      if (studies.length || reason) content.referral = { studies, reason };
      const items = prescription.values();
      if (items.length) content.prescription = { items };
      return content;
    },
  };
}

/** The inputs of one kind and how to read its content back. */
function formFor(kind) {
  const val = (root, id) => root.querySelector(`#${id}`).value.trim();
  if (kind === 'conclusion') return conclusionForm(val);
  if (kind === 'referral') {
    const el = h('div', {},
      field('record-studies', t('record.studies'), textarea('record-studies', true)),
      field('record-reason', t('record.reason'), textarea('record-reason', true)));
    return { el, missing: () => emptyRequired(el), content: () => ({
      studies: lines(val(el, 'record-studies')),
      reason: val(el, 'record-reason') }) };
  }
  if (kind === 'prescription') {
    const items = rows('record-items', [['drug', 'record.drug'], ['dose', 'record.dose'],
      ['frequency', 'record.frequency'], ['duration', 'record.duration']], 'record.add_drug');
    return { el: items.el, content: () => ({ items: items.values() }),
      missing: () => (items.values().length ? null
        : { control: items.el.querySelector('#record-items-0-drug'), label: t('record.drug') }) };
  }
  const el = field('record-text', t('record.text'), textarea('record-text', true));
  return { el, missing: () => emptyRequired(el), content: () => ({ text: val(el, 'record-text') }) };
}

/** `onSigned(section)` runs once a record is signed (a deferred request may be complete now). */
export function recordSection(c, me, { onSigned = null } = {}) {
  let record = null;
  let doc = null;
  let form = formFor('conclusion');
  const holder = h('div', { id: 'record-form' }, form.el);
  // An edit after "show" makes the shown document stale: signing then saves and shows anew.
  holder.addEventListener('input', () => {
    doc = null;
  });
  const status = h('p', { id: 'record-status', role: 'status', class: 'status' });
  const preview = h('div', { id: 'record-preview' });
  const result = h('div', { id: 'record-signature' });
  const say = (text, ok = true, code = null) => {
    status.textContent = text;
    status.className = `status ${ok ? 'status--ok' : 'status--error'}`;
    status.dataset.status = ok ? 'ok' : 'error';
    if (code) status.dataset.errorCode = code;
    else delete status.dataset.errorCode;
  };
  const kind = h('select', {
    id: 'record-kind',
    onchange: () => {
      if (record) return;
      form = formFor(kind.value);
      holder.replaceChildren(form.el);
    },
  }, KINDS.map((k) => h('option', { value: k }, t(`record.kind.${k}`))));

  /** Stops at the first empty required field, marked and focused, named in the status line. */
  function complete() {
    for (const c of holder.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
    const gap = form.missing();
    if (!gap) return true;
    if (gap.control) {
      gap.control.setAttribute('aria-invalid', 'true');
      gap.control.focus();
    }
    say(t('record.missing', { field: gap.label }), false, 'missing_field');
    return false;
  }

  async function save() {
    if (!complete()) return false;
    const content = form.content();
    record = record
      ? await api.updateRecord(record.id, content)
      : await api.createRecord(c.patient.id, { kind: kind.value, consultation_id: c.id, content });
    kind.disabled = true;
    doc = null;
    preview.replaceChildren();
    say(t('record.saved'));
    return true;
  }

  /** A draft changed since it was shown is saved again first: what is shown is what is signed. */
  async function show() {
    if (!(await save())) return false;
    doc = await api.recordDocument(record.id);
    // In the zone the rest of the consultation's page uses.
    preview.replaceChildren(signableDocument(doc, zoneFor(me, c)));
    return true;
  }

  async function sign() {
    if (!doc && !(await show())) return;
    const { method, body } = await signDocument(me.id, doc);
    record = await api.signRecord(record.id, body);
    const s = record.signature || {};
    result.replaceChildren(h('dl', { class: 'facts', dataset: { method } },
      h('dt', {}, t('record.method')), h('dd', { id: 'record-method' }, t(`record.method.${method}`)),
      h('dt', {}, t('record.signer')), h('dd', {}, `${s.signer_name} (${t('record.iin')} ${s.signer_iin})`),
      h('dt', {}, t('record.certificate')),
      h('dd', { id: 'record-certificate' }, s.certificate_subject, h('br'),
        `${t('record.serial')} ${s.certificate_serial}`, h('br'), `${t('record.issuer')} ${s.certificate_issuer}`)));
    for (const b of buttons.querySelectorAll('button')) b.disabled = true;
    say(t('record.signed'));
    status.dataset.record = 'signed';
    // The signature stands whatever happens next; a failed refresh only leaves the page as it is.
    if (onSigned) onSigned(section).catch(() => {});
  }

  const run = (fn) => async () => {
    try {
      await fn();
    } catch (err) {
      say(err.code === 'missing_field' ? missingText(err) : errorText(err), false, err.code || 'unknown');
    }
  };
  const buttons = h('p', { class: 'actions' },
    h('button', { type: 'button', id: 'record-save', class: 'button button--secondary', onclick: run(save) },
      t('record.save')),
    h('button', { type: 'button', id: 'record-show', class: 'button button--secondary', onclick: run(show) },
      t('record.show')),
    h('button', { type: 'button', id: 'record-sign', class: 'button', onclick: run(sign) }, t('record.sign')));
  const section = h('section', { class: 'panel', id: 'record-editor', 'aria-labelledby': 'record-heading' },
    h('h2', { id: 'record-heading' }, t('record.title')),
    field('record-kind', t('record.kind'), kind),
    holder, buttons, status, preview, result);
  return section;
}
