// The doctor's "Write a record" section of a consultation (art. 36–37): a structured draft, the
// exact document that will be signed, and the signature (NCALayer, else the enrolled WebCrypto key).
// A conclusion's diagnosis codes are looked up in ICD-10 as they are typed (icd10.js), and it may
// carry a referral and a prescription of its own (a deferred request's answer, art. 21).

import { api } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { signDocument } from '../signing.js';
import { icd10Picker } from './icd10.js';

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
    return { el, content: () => ({
      studies: lines(val(el, 'record-studies')),
      reason: val(el, 'record-reason') }) };
  }
  if (kind === 'prescription') {
    const items = rows('record-items', [['drug', 'record.drug'], ['dose', 'record.dose'],
      ['frequency', 'record.frequency'], ['duration', 'record.duration']], 'record.add_drug');
    return { el: items.el, content: () => ({ items: items.values() }) };
  }
  const el = field('record-text', t('record.text'), textarea('record-text', true));
  return { el, content: () => ({ text: val(el, 'record-text') }) };
}

/** `onSigned(section)` runs once a record is signed (a deferred request may be complete now). */
export function recordSection(c, me, { onSigned = null } = {}) {
  let record = null;
  let doc = null;
  let form = formFor('conclusion');
  const holder = h('div', { id: 'record-form' }, form.el);
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

  async function save() {
    const content = form.content();
    record = record
      ? await api.updateRecord(record.id, content)
      : await api.createRecord(c.patient.id, { kind: kind.value, consultation_id: c.id, content });
    kind.disabled = true;
    doc = null;
    preview.replaceChildren();
    say(t('record.saved'));
  }

  async function show() {
    if (!record) await save();
    doc = await api.recordDocument(record.id);
    preview.replaceChildren(
      h('p', {}, t('record.document_intro')),
      h('pre', { id: 'record-document', class: 'document' }, doc.text),
      h('p', {}, 'SHA-256: ', h('code', { id: 'record-sha256' }, doc.sha256)));
  }

  async function sign() {
    if (!doc) await show();
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
      say(errorText(err), false, err.code || 'unknown');
    }
  };
  const buttons = h('p', { class: 'actions' },
    h('button', { type: 'button', id: 'record-save', onclick: run(save) }, t('record.save')), ' ',
    h('button', { type: 'button', id: 'record-show', onclick: run(show) }, t('record.show')), ' ',
    h('button', { type: 'button', id: 'record-sign', onclick: run(sign) }, t('record.sign')));
  const section = h('section', { class: 'panel', id: 'record-editor', 'aria-labelledby': 'record-heading' },
    h('h2', { id: 'record-heading' }, t('record.title')),
    field('record-kind', t('record.kind'), kind),
    holder, buttons, status, preview, result);
  return section;
}
