// A deferred request on its consultation's page (Rules art. 13, 17, 21): what is asked and by
// whom, whether the clock stands because the consultant asked for more documents, a refusal's
// reason, how it was completed and where the signed conclusion is; and the consultant's own
// actions: take the request from the queue, ask for more documents, or decline it.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, statusLine, textareaField } from '../forms.js';
import { t } from '../i18n.js';
import { timeEl } from '../time.js';
import { item } from './common.js';
import { completionText, deferredOpen, requestKindText } from './labels.js';

const PATIENT_SIDE = ['patient', 'representative'];
/** Staff who file and complete a request on the patient's behalf (art. 12). */
const HELPERS = ['org_admin', 'support'];

function panel(id, titleKey, attrs, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': id, ...attrs },
    h('h2', { id }, t(titleKey)), ...content);
}

/**
 * Who the viewer is to this request: its consultant, the sending side (the patient, their
 * representative, the treating doctor who asked, or the organisation's staff helping them), or
 * a doctor who may take it.
 */
export function roleIn(c, me) {
  const d = c.deferred || {};
  const consultant = c.my_call_role === 'doctor';
  const sender = !consultant && (PATIENT_SIDE.includes(c.my_call_role) ||
    PATIENT_SIDE.includes(me.role) || HELPERS.includes(me.role) ||
    Boolean(d.requester && d.requester.id === me.id));
  return {
    consultant,
    sender,
    // A doctor of the receiving organisation; the server checks the organisation and specialty.
    mayTake: me.role === 'doctor' && !sender && !c.practitioner && deferredOpen(c),
  };
}

/** Where the patient reads the signed conclusion: their health passport, at that record. */
function conclusionLink(c, me) {
  const q = new URLSearchParams({ record: c.deferred.conclusion_id });
  if (me.role === 'representative') q.set('patient', c.patient.id);
  return h('a', { href: `#/health-passport?${q}`, id: 'conclusion-link', class: 'button' },
    t('deferred.open_conclusion'));
}

/** The request's own facts and state: section #deferred. */
export function deferredSection(c, me, names, zone) {
  const d = c.deferred || {};
  const requester = d.requester ? [d.requester.full_name,
    d.requester_organization ? ` (${d.requester_organization.name})` : ''] : null;
  const reasons = d.completion_reasons || [];
  const state = d.decline_reason ? 'declined' : d.paused ? 'paused' : c.status;
  const notes = [];
  if (d.paused) {
    notes.push(h('div', { class: 'notice', id: 'deferred-paused' },
      h('p', {}, h('strong', {}, t('deferred.paused')),
        d.paused_at ? [' ', t('deferred.paused_since'), ' ', timeEl(d.paused_at, zone)] : null),
      d.documents_note ? h('p', {}, t('deferred.consultant_asks'), ' ',
        h('q', { id: 'documents-note' }, d.documents_note)) : null));
  } else if (d.documents_note) {
    // The consultant's last request stays readable after the documents came in.
    notes.push(h('p', { class: 'muted' }, t('deferred.last_request'), ' ',
      h('q', { id: 'documents-note' }, d.documents_note)));
  }
  if (d.decline_reason) {
    notes.push(h('div', { class: 'status status--error', id: 'deferred-declined' },
      h('p', {}, h('strong', {}, t('deferred.declined')), ' ',
        h('q', { id: 'deferred-decline-reason' }, d.decline_reason))));
  }
  if (d.conclusion_id) {
    notes.push(h('div', { class: 'status status--ok', id: 'deferred-conclusion' },
      h('p', {}, t('deferred.conclusion_signed')),
      PATIENT_SIDE.includes(me.role) ? h('p', {}, conclusionLink(c, me)) : null));
  }
  return panel('deferred-heading', 'deferred.title', { id: 'deferred', dataset: { state } },
    h('dl', { class: 'facts' },
      item('request_kind', t('deferred.kind'), h('span', { id: 'deferred-kind', dataset: { kind: d.kind || '' } },
        requestKindText(d.kind))),
      d.study_profile ? item('study_profile', t('deferred.study_profile'),
        names.get(d.study_profile) || d.study_profile) : null,
      item('requester', t('deferred.requester'), requester),
      reasons.length ? item('completion', t('deferred.completion'),
        h('ul', { id: 'completion-reasons', class: 'inline-list' },
          reasons.map((r) => h('li', { dataset: { reason: r } }, completionText(r))))) : null,
      d.completed_at ? item('deferred_completed_at', t('consultation.completed_at'),
        timeEl(d.completed_at, zone)) : null),
    notes);
}

/** "Take": the request becomes this consultant's; the deadline keeps running (art. 13). */
export function takeSection(c, redraw) {
  const status = statusLine('take-status');
  const form = h('form', { id: 'take-form', class: 'form', novalidate: true },
    h('p', { class: 'hint' }, t('deferred.take_hint')),
    h('button', { type: 'submit', class: 'button', id: 'take-request' }, t('deferred.take')),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(form, async () => {
      try {
        const taken = await api.take(c.id);
        // Whoever took it successfully is now its consultant, whatever the answer leaves out.
        redraw({ ...taken, my_call_role: taken.my_call_role || 'doctor' }, 'deferred.taken_now');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return panel('take-heading', 'deferred.take_title', { id: 'take-section' }, form);
}

/** A form with one required text, sent to `action`; the result draws the page again. */
function textForm({ id, textId, labelKey, hintKey, submitKey, danger, emptyCode, action, doneKey, redraw }) {
  const status = statusLine(`${id}-status`);
  const form = h('form', { id, class: 'form', novalidate: true },
    textareaField(textId, labelKey, { required: true, maxlength: '2000' }, hintKey),
    h('button', { type: 'submit', class: danger ? 'button button--danger' : 'button', id: `${id}-submit` },
      t(submitKey)),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = form.querySelector(`#${textId}`).value.trim();
    if (!text) {
      showError(status, form, { code: emptyCode });
      return;
    }
    await busy(form, async () => {
      try {
        redraw(await action(text), doneKey);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

/** Ask the sender for more documents: the clock stands until they mark them complete again. */
export function requestDocumentsSection(c, redraw) {
  return panel('request-documents-heading', 'deferred.ask_title', { id: 'request-documents-section' },
    textForm({
      id: 'request-documents-form', textId: 'request-documents-note', labelKey: 'deferred.ask_note',
      hintKey: 'deferred.ask_hint', submitKey: 'deferred.ask_submit', emptyCode: 'note_required',
      action: (note) => api.requestDocuments(c.id, note), doneKey: 'deferred.asked_now', redraw,
    }));
}

/** Decline with a reason the sender reads (e.g. outside the organisation's licence). */
export function declineSection(c, redraw) {
  return panel('decline-heading', 'deferred.decline_title', { id: 'decline-section' },
    textForm({
      id: 'decline-form', textId: 'decline-reason', labelKey: 'deferred.decline_reason',
      hintKey: 'deferred.decline_hint', submitKey: 'deferred.decline_submit', danger: true,
      emptyCode: 'reason_required', action: (reason) => api.decline(c.id, reason),
      doneKey: 'deferred.declined_now', redraw,
    }));
}
