// The doctor's "Write a record" section of a consultation (art. 36–37): a structured draft, the
// exact document that will be signed, and the signature (NCALayer, else the enrolled WebCrypto key).

import { api } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { signWithNcaLayer, signWithWebCrypto } from '../signing.js';

const KINDS = ['conclusion', 'consultation_note', 'referral', 'prescription'];

function field(id, label, control) {
  return h('p', { class: 'field' }, h('label', { for: id }, label), control);
}

function textarea(id, required = false) {
  return h('textarea', { id, name: id, rows: '3', required });
}

/** A repeatable group of inputs (diagnoses, drugs), each row a list of [name, label] inputs. */
function rows(id, columns, addKey) {
  const list = h('div', { id, class: 'record-rows' });
  const addRow = () => {
    const n = list.children.length;
    const row = h('fieldset', { class: 'record-row' },
      h('legend', {}, String(n + 1)),
      columns.map(([name, label]) => field(`${id}-${n}-${name}`, t(label),
        h('input', { id: `${id}-${n}-${name}`, dataset: { column: name }, type: 'text' }))));
    list.append(row);
  };
  addRow();
  const add = h('button', { type: 'button', class: 'link-button', onclick: addRow }, t(addKey));
  const values = () => [...list.children].map((row) => Object.fromEntries(
    [...row.querySelectorAll('input')].map((i) => [i.dataset.column, i.value.trim()])))
    .filter((r) => Object.values(r).some(Boolean));
  return { el: h('div', {}, list, add), values };
}

/** The inputs of one kind and how to read its content back. */
function formFor(kind) {
  const val = (root, id) => root.querySelector(`#${id}`).value.trim();
  if (kind === 'conclusion') {
    const diagnoses = rows('record-diagnoses', [['icd10', 'record.icd10'], ['text', 'record.diagnosis_text']],
      'record.add_diagnosis');
    const el = h('div', {},
      field('record-findings', t('record.findings'), textarea('record-findings', true)),
      h('h3', {}, t('record.diagnoses')), diagnoses.el,
      field('record-recommendations', t('record.recommendations'), textarea('record-recommendations')));
    return { el, content: () => ({ findings: val(el, 'record-findings'), diagnoses: diagnoses.values(),
      recommendations: val(el, 'record-recommendations') }) };
  }
  if (kind === 'referral') {
    const el = h('div', {},
      field('record-studies', t('record.studies'), textarea('record-studies', true)),
      field('record-reason', t('record.reason'), textarea('record-reason', true)));
    return { el, content: () => ({
      studies: val(el, 'record-studies').split('\n').map((s) => s.trim()).filter(Boolean),
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

export function recordSection(c, me) {
  let record = null;
  let doc = null;
  let form = formFor('conclusion');
  const holder = h('div', { id: 'record-form' }, form.el);
  const status = h('p', { id: 'record-status', role: 'status', class: 'status' });
  const preview = h('div', { id: 'record-preview' });
  const result = h('div', { id: 'record-signature' });
  const say = (text, ok = true) => {
    status.textContent = text;
    status.className = `status ${ok ? 'status--ok' : 'status--error'}`;
    status.dataset.status = ok ? 'ok' : 'error';
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
    let method = 'ncalayer';
    let body;
    try {
      const cms = await signWithNcaLayer(doc.bytes, document.documentElement.lang);
      body = { form: 'cms', signature: cms, sha256: doc.sha256 };
    } catch {
      method = 'webcrypto';
      const raw = await signWithWebCrypto(me.id, doc.bytes);
      body = { form: 'raw_p256', signature: raw.signature, certificate: raw.certificate, sha256: doc.sha256 };
    }
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
  }

  const run = (fn) => async () => {
    try {
      await fn();
    } catch (err) {
      say(errorText(err), false);
    }
  };
  const buttons = h('p', { class: 'actions' },
    h('button', { type: 'button', id: 'record-save', onclick: run(save) }, t('record.save')), ' ',
    h('button', { type: 'button', id: 'record-show', onclick: run(show) }, t('record.show')), ' ',
    h('button', { type: 'button', id: 'record-sign', onclick: run(sign) }, t('record.sign')));
  return h('section', { class: 'panel', id: 'record-editor', 'aria-labelledby': 'record-heading' },
    h('h2', { id: 'record-heading' }, t('record.title')),
    field('record-kind', t('record.kind'), kind),
    holder, buttons, status, preview, result);
}
