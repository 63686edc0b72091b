// A council's common conclusion (art. 27): the draft any of its doctors edits (findings, ICD-10
// diagnoses found as they are typed, recommendations), the initiator's freeze that fixes the exact
// document, that document and its SHA-256, each participant's signature with NCALayer or the
// enrolled WebCrypto key (signing.js, as for a record) or refusal with a reason (dissent), and the
// table of who signed with which certificate. Editing a frozen text makes a new version that
// everyone signs again, so the page asks first.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, statusLine, textareaField } from '../forms.js';
import { errorText, t } from '../i18n.js';
import { signDocument } from '../signing.js';
import { timeEl } from '../time.js';
import { scrollTable } from './common.js';
import {
  closed, conclusionStatusText, councilBadge, councilDoctor, mySignature, patientSide, signatureStatusText,
} from './council-labels.js';
import { icd10Picker } from './icd10.js';
import { rows } from './record-editor.js';

/** Statuses in which a conclusion is a fixed document awaiting signatures. */
const SIGNING = ['frozen', 'dissent'];

/** A form with one required text and a submit button, sent to `action` (deferred.js's pattern). */
export function textForm({ id, textId, labelKey, hintKey, submitKey, danger, emptyCode, value, action }) {
  const status = statusLine(`${id}-status`);
  const form = h('form', { id, class: 'form', novalidate: true },
    textareaField(textId, labelKey, { required: true, maxlength: '4000' }, hintKey),
    h('button', { type: 'submit', class: danger ? 'button button--danger' : 'button', id: `${id.replace(/-form$/, '')}-submit` },
      t(submitKey)),
    status);
  const input = form.querySelector(`#${textId}`);
  if (value) input.value = value;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) {
      showError(status, form, { code: emptyCode });
      return;
    }
    await busy(form, async () => {
      try {
        await action(text);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

/** A form that is one button (freeze, sign, accept, agree): `busy` keeps it to one request. */
export function buttonForm({ id, buttonId, labelKey, hintKey, action, secondary = false }) {
  const status = statusLine(`${buttonId}-status`);
  const form = h('form', { id, class: 'form', novalidate: true },
    hintKey ? h('p', { class: 'hint' }, t(hintKey)) : null,
    h('button', { type: 'submit', class: secondary ? 'button button--secondary' : 'button', id: buttonId },
      t(labelKey)),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(form, async () => {
      try {
        await action();
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

/** Answered signatures (signed or refused) that an edit of the frozen text would void. */
const answered = (conclusion) => (conclusion.signatures || [])
  .filter((s) => s.status === 'signed' || s.status === 'refused').length;

function editor(k, redraw) {
  const conclusion = k.conclusion;
  const content = (conclusion && conclusion.content) || {};
  const icd10 = icd10Picker();
  const withSearch = (row, n) => {
    const code = row.querySelector(`#council-diagnoses-${n}-icd10`);
    code.setAttribute('aria-describedby', 'council-icd10-hint');
    icd10.attach(code, row.querySelector(`#council-diagnoses-${n}-text`));
  };
  const diagnoses = rows('council-diagnoses', [['icd10', 'record.icd10'], ['text', 'record.diagnosis_text']],
    'record.add_diagnosis', withSearch, content.diagnoses || []);
  const status = statusLine('council-conclusion-status');
  const frozen = Boolean(conclusion && SIGNING.includes(conclusion.status));
  const voided = frozen ? answered(conclusion) : 0;
  const yes = h('button', { type: 'button', class: 'button button--danger', id: 'council-edit-confirm-yes' },
    t('council.edit_confirm_yes'));
  const no = h('button', { type: 'button', class: 'button button--secondary', id: 'council-edit-confirm-no' },
    t('council.edit_confirm_no'));
  const confirmBox = h('div', { id: 'council-edit-confirm', class: 'end-confirm', role: 'group', hidden: true,
    'aria-labelledby': 'council-edit-confirm-text', dataset: { voided: String(voided) } },
  h('p', { id: 'council-edit-confirm-text' }, t('council.edit_confirm')),
  h('p', {}, t('council.edit_confirm_voided', { n: voided })),
  h('p', { class: 'actions' }, yes, no));
  const form = h('form', { id: 'council-conclusion-form', class: 'form', novalidate: true },
    textareaField('council-findings', 'record.findings', { required: true, maxlength: '8000' }),
    h('h3', {}, t('record.diagnoses')),
    h('p', { class: 'hint', id: 'council-icd10-hint' }, t('record.icd10_hint')),
    diagnoses.el,
    textareaField('council-recommendations', 'record.recommendations', { maxlength: '8000' }),
    confirmBox,
    h('button', { type: 'submit', class: 'button', id: 'council-conclusion-save' },
      t(frozen ? 'council.save_new_version' : 'council.save_draft')),
    status);
  const $ = (sel) => form.querySelector(sel);
  $('#council-findings').value = content.findings || '';
  $('#council-recommendations').value = content.recommendations || '';

  const read = () => ({
    findings: $('#council-findings').value.trim(),
    diagnoses: diagnoses.values(),
    recommendations: $('#council-recommendations').value.trim(),
  });
  const save = () => busy(form, async () => {
    try {
      redraw(await api.saveCouncilConclusion(k.id, read()), { key: frozen ? 'council.new_version_now' : 'council.saved_now' });
    } catch (err) {
      showError(status, form, err);
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // Art. 27: a changed text is a new document; the signatures already given do not carry over.
    if (frozen && confirmBox.hidden) {
      confirmBox.hidden = false;
      yes.focus();
      return;
    }
    await save();
  });
  yes.addEventListener('click', () => {
    confirmBox.hidden = true;
    save();
  });
  no.addEventListener('click', () => {
    confirmBox.hidden = true;
    $('#council-conclusion-save').focus();
  });
  return form;
}

/** The exact bytes everyone signs, loaded once per drawing; `ready` is the promise of them. */
function documentSection(k, me, redraw) {
  const conclusion = k.conclusion;
  const text = h('pre', { id: 'council-document', class: 'document', tabindex: '0',
    'aria-labelledby': 'council-document-heading' }, t('common.loading'));
  const sha = h('code', { id: 'council-sha256' }, conclusion.sha256 || '');
  const ready = api.councilDocument(k.id);
  ready.then((doc) => {
    text.textContent = doc.text;
    if (doc.sha256) sha.textContent = doc.sha256;
    text.dataset.loaded = 'true';
  }, (err) => {
    text.textContent = errorText(err);
    text.dataset.errorCode = err.code || 'unknown';
  });
  // Keep an unhandled rejection out of the console; the text above already says what failed.
  ready.catch(() => {});

  const mine = mySignature(k, me);
  const mayAnswer = mine && mine.status === 'awaited' && SIGNING.includes(conclusion.status) && !closed(k);
  const sign = mayAnswer ? buttonForm({
    id: 'council-sign-form', buttonId: 'council-sign', labelKey: 'council.sign', hintKey: 'council.sign_hint',
    async action() {
      const doc = await ready;
      const { method, body } = await signDocument(me.id, doc);
      try {
        redraw(await api.signCouncil(k.id, body), { key: 'council.signed_now', method });
      } catch (err) {
        if (err.code !== 'document_changed') throw err;
        // Someone changed the text meanwhile: show the new version and say why nothing was signed.
        redraw(await api.council(k.id), { error: err });
      }
    },
  }) : null;
  const refuse = mayAnswer ? textForm({
    id: 'council-refuse-form', textId: 'council-refuse-reason', labelKey: 'council.refuse_reason',
    hintKey: 'council.refuse_hint', submitKey: 'council.refuse', danger: true, emptyCode: 'reason_required',
    action: async (reason) => redraw(await api.refuseCouncil(k.id, reason), { key: 'council.refused_now' }),
  }) : null;
  return h('section', { class: 'panel', id: 'council-document-section', 'aria-labelledby': 'council-document-heading' },
    h('h2', { id: 'council-document-heading' }, t('council.document_title', { version: conclusion.version })),
    h('p', {}, t('record.document_intro')),
    text,
    h('p', { class: 'hash' }, 'SHA-256: ', sha),
    sign,
    refuse ? h('details', { class: 'council-refuse' }, h('summary', {}, t('council.refuse_open')), refuse) : null);
}

function certificate(c, zone) {
  if (!c) return null;
  return [c.subject, h('br'), `${t('record.serial')} `, h('code', { class: 'cert-serial' }, c.serial), h('br'),
    `${t('record.issuer')} ${c.issuer}`,
    c.not_after ? [h('br'), t('council.valid_until'), ' ', timeEl(c.not_after, zone)] : null];
}

function signatureTable(conclusion, zone) {
  const th = (key) => h('th', { scope: 'col' }, t(key));
  const td = (key, ...content) => h('td', { dataset: { label: t(key) } }, ...content);
  return scrollTable('council-signatures-caption', h('table', { class: 'table table--stack', id: 'council-signatures' },
    h('caption', { id: 'council-signatures-caption' }, t('council.signatures_caption', { version: conclusion.version })),
    h('thead', {}, h('tr', {}, th('council.signer'), th('council.signature_status'), th('council.signed_at'),
      th('council.signature_details'))),
    h('tbody', {}, (conclusion.signatures || []).map((s) => h('tr', { dataset: { userId: s.user.id, status: s.status } },
      td('council.signer', h('strong', {}, s.user.full_name)),
      td('council.signature_status', councilBadge(s.status, signatureStatusText(s.status))),
      td('council.signed_at', s.signed_at ? timeEl(s.signed_at, zone) : '—'),
      td('council.signature_details', s.status === 'refused'
        ? [t('council.refusal_reason'), ' ', h('q', { class: 'refusal-reason' }, s.refusal_reason || '')]
        : certificate(s.certificate, zone) || '—'))))));
}

/** Where the patient keeps the final conclusion: their health passport, at this council. */
function passportLink(k, me) {
  const q = new URLSearchParams({ council: k.id });
  if (me.role === 'representative') q.set('patient', k.patient.id);
  return h('a', { href: `#/health-passport?${q}`, id: 'council-passport-link', class: 'button' },
    t('council.open_in_passport'));
}

/** Every part of the conclusion the viewer may see or act on, in page order. */
export function conclusionParts(k, { me, zone }, redraw) {
  const conclusion = k.conclusion;
  const isFinal = k.status === 'final' || (conclusion && conclusion.status === 'final');
  const editable = councilDoctor(k, me) && !closed(k) && !isFinal && k.status !== 'awaiting_agreement';
  const head = conclusion
    ? h('p', {}, t('council.version', { n: conclusion.version }), ' ',
      councilBadge(conclusion.status, conclusionStatusText(conclusion.status), { id: 'council-conclusion-state' }),
      conclusion.frozen_at ? [' · ', t('council.frozen_at'), ' ', timeEl(conclusion.frozen_at, zone)] : null)
    : h('p', { class: 'muted', id: 'council-conclusion-none' }, t('council.no_conclusion'));
  const freeze = k.my_role === 'initiator' && conclusion && conclusion.status === 'draft' && !closed(k)
    ? buttonForm({
      id: 'council-freeze-form', buttonId: 'council-freeze', labelKey: 'council.freeze',
      hintKey: 'council.freeze_hint', secondary: true,
      action: async () => redraw(await api.freezeCouncilConclusion(k.id), { key: 'council.frozen_now' }),
    })
    : null;
  const parts = [h('section', {
    class: 'panel', id: 'council-conclusion', 'aria-labelledby': 'council-conclusion-heading',
    dataset: conclusion ? { version: String(conclusion.version), status: conclusion.status } : {},
  },
  h('h2', { id: 'council-conclusion-heading' }, t('council.conclusion_title')),
  head,
  conclusion && conclusion.status === 'dissent'
    ? h('p', { class: 'notice', id: 'council-dissent' }, t('council.dissent_note')) : null,
  // Signatures an edit of a frozen text voided (art. 27): they do not carry over to this version.
  conclusion && conclusion.voided_signatures > 0
    ? h('p', { class: 'hint', id: 'council-voided', dataset: { voided: String(conclusion.voided_signatures) } },
      t('council.voided_signatures', { n: conclusion.voided_signatures })) : null,
  editable ? editor(k, redraw) : null,
  freeze)];
  if (isFinal) {
    parts.push(h('div', { class: 'status status--ok council-final', id: 'council-final', role: 'status' },
      h('p', {}, t('council.final_note'), conclusion && conclusion.final_at
        ? [' ', timeEl(conclusion.final_at, zone)] : null),
      patientSide(k) ? h('p', {}, passportLink(k, me)) : null));
  }
  if (conclusion && conclusion.sha256) parts.push(documentSection(k, me, redraw));
  if (conclusion && (conclusion.signatures || []).length) {
    parts.push(h('section', { class: 'panel', id: 'council-signatures-section',
      'aria-labelledby': 'council-signatures-heading' },
    h('h2', { id: 'council-signatures-heading' }, t('council.signatures_title')),
    signatureTable(conclusion, zone)));
  }
  return parts;
}
