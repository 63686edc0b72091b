// A medical record's content and its signable document, for people: labelled fields instead of
// JSON. The health passport shows signed records with it; the record editor shows the document
// about to be signed with it, the exact bytes one click away (what is signed is those bytes).

import { h } from '../dom.js';
import { has, t } from '../i18n.js';
import { timeEl } from '../time.js';
import { item } from './common.js';

export function kindText(kind) {
  return has(`record.kind.${kind}`) ? t(`record.kind.${kind}`) : kind;
}

const studiesList = (studies) => h('ul', {}, (studies || []).map((s) => h('li', {}, s)));

const drugList = (items) => h('ul', {}, (items || []).map((i) =>
  h('li', {}, h('strong', {}, i.drug), ` — ${[i.dose, i.frequency, i.duration].filter(Boolean).join(', ')}`)));

/** The content of one kind of record as a definition list (a note as its text). */
export function recordContent(kind, c) {
  if (kind === 'conclusion') {
    // A conclusion may carry its own referral and prescription (a deferred request's answer).
    return h('dl', { class: 'facts' },
      item('findings', t('record.findings'), c.findings ? h('span', { class: 'prewrap' }, c.findings) : null),
      item('diagnoses', t('record.diagnoses'), h('ul', { class: 'diagnoses' },
        (c.diagnoses || []).map((d) => h('li', {}, h('code', { class: 'icd10' }, d.icd10), ' — ', d.text)))),
      item('recommendations', t('record.recommendations'),
        c.recommendations ? h('span', { class: 'prewrap' }, c.recommendations) : null),
      c.referral ? item('referral', t('record.kind.referral'), [studiesList(c.referral.studies),
        c.referral.reason ? h('p', {}, t('record.reason'), ': ', c.referral.reason) : null]) : null,
      c.prescription ? item('prescription', t('record.kind.prescription'), drugList(c.prescription.items)) : null);
  }
  if (kind === 'referral') {
    return h('dl', { class: 'facts' },
      item('studies', t('record.studies'), studiesList(c.studies)),
      item('reason', t('record.reason'), c.reason));
  }
  if (kind === 'prescription') return drugList(c.items);
  return h('p', { class: 'prewrap' }, c.text);
}

const person = (p) => (p ? `${p.full_name}${p.iin ? ` (${t('record.iin')} ${p.iin})` : ''}` : null);

/**
 * The document to sign (`doc` as api.recordDocument returns it: text and SHA-256), read: who,
 * for whom, what, then the exact text in a <details>, wrapped inside the panel.
 */
export function signableDocument(doc, zone) {
  let d = null;
  try {
    d = JSON.parse(doc.text);
  } catch {
    // Not JSON: only the exact text can be shown.
  }
  const readable = d && typeof d === 'object'
    ? h('div', { id: 'record-document', class: 'signable' },
      h('dl', { class: 'facts' },
        item('kind', t('record.kind'), [kindText(d.kind), d.version > 1 ? ` · ${t('passport.version', { n: d.version })}` : '']),
        item('patient', t('consultation.patient'), person(d.patient)),
        item('author', t('passport.author'), person(d.author)),
        item('organization', t('passport.organization'), d.organization && d.organization.name),
        item('created_at', t('record.created_at'), d.created_at ? timeEl(d.created_at, zone) : null),
        (d.materials || []).length ? item('materials', t('record.materials'),
          h('ul', {}, d.materials.map((m) => h('li', {}, m.name)))) : null),
      h('h3', {}, kindText(d.kind)),
      recordContent(d.kind, d.content || {}))
    : null;
  return h('div', { class: 'signable-wrap' },
    h('p', {}, t('record.document_intro')),
    readable,
    h('details', { class: 'signable-exact', open: readable ? null : true },
      h('summary', {}, t('record.document_exact')),
      h('pre', { id: 'record-document-exact', class: 'signable-text' }, doc.text)),
    h('p', { class: 'hash' }, 'SHA-256: ', h('code', { id: 'record-sha256' }, doc.sha256)));
}
