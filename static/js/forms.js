// Form helpers: labelled fields, the status line (#form-status) and keeping typed values when
// the language changes and the view is drawn again.

import { h } from './dom.js';
import { errorText, t } from './i18n.js';

/**
 * Which input an API error code is about, so it can be marked invalid and focused. A code used by
 * several forms names each form's input; the first one present in the form is marked.
 */
const FIELD_OF_ERROR = {
  invalid_full_name: 'full_name',
  invalid_iin: 'iin',
  iin_taken: 'iin',
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
  wrong_password: ['current-password', 'email-password'],
  email_unchanged: 'email',
  missing_field: ['booking-reason', 'request-question', 'break-glass-reason'],
  question_required: 'council-question',
  funding_not_offered: ['booking-funding', 'request-funding'],
  unknown_price_item: ['booking-funding', 'request-funding'],
  patient_required: ['booking-patient', 'request-patient', 'request-patient-id', 'council-patient-id'],
  not_a_patient: ['request-patient-id', 'council-patient-id'],
  patient_not_found: ['council-patient-id', 'break-glass-patient'],
  scheduled_at_required: 'council-scheduled-at',
  scheduled_at_past: 'council-scheduled-at',
  organization_required: 'request-organization',
  study_profile_required: 'request-study-profile',
  licence_profile_missing: 'request-study-profile',
  unknown_specialty: ['request-specialty', 'council-add-specialty'],
  specialty_required: 'council-add-specialty',
  no_consultant_available: 'council-add-specialty',
  consultant_required: 'council-add-consultant',
  unknown_practitioner: 'council-add-consultant',
  duplicate_consultant: 'council-add-consultant',
  initiator_not_consultant: 'council-add-consultant',
  invalid_code: 'consent-code',
  reason_too_short: 'break-glass-reason',
  reason_required: ['cancel-reason-text', 'decline-reason', 'council-decline-reason', 'council-refuse-reason',
    'council-cancel-reason', 'council-refuse-agreement-reason'],
  opinion_required: 'council-opinion-text',
  note_required: 'request-documents-note',
  invalid_reason_code: 'cancel-reason-code',
  user_not_found: 'guest-email',
  guest_must_be_doctor: 'guest-email',
  already_invited: 'guest-email',
  invalid_minutes: 'phone-minutes',
};

/** A labelled input; a hint, if any, is announced with it. */
export function field(id, labelKey, attrs = {}, hintKey = null) {
  const hintId = hintKey ? `${id}-hint` : null;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey ? h('p', { class: 'hint', id: hintId }, t(hintKey)) : null,
    h('input', { id, name: id, 'aria-describedby': hintId, ...attrs }));
}

/** The status line of a form; a page with several forms gives the others their own id. */
/** A labelled <select>; options are [value, text] pairs. */
export function selectField(id, labelKey, options, attrs = {}, hintKey = null) {
  const hintId = hintKey ? `${id}-hint` : null;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey ? h('p', { class: 'hint', id: hintId }, t(hintKey)) : null,
    h('select', { id, name: id, 'aria-describedby': hintId, ...attrs },
      options.map(([value, text]) => h('option', { value }, text))));
}

/** A labelled <textarea>. */
export function textareaField(id, labelKey, attrs = {}, hintKey = null) {
  const hintId = hintKey ? `${id}-hint` : null;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey ? h('p', { class: 'hint', id: hintId }, t(hintKey)) : null,
    h('textarea', { id, name: id, rows: '4', 'aria-describedby': hintId, ...attrs }));
}

export function statusLine(id = 'form-status') {
  return h('p', { id, class: 'status', role: 'status', 'aria-live': 'polite' });
}

/** Empties a status line and unmarks the fields an earlier error pointed at. */
export function resetStatus(status, form) {
  status.textContent = '';
  status.className = 'status';
  delete status.dataset.errorCode;
  delete status.dataset.status;
  status.lastShown = null;
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const described = (input.getAttribute('aria-describedby') || '')
      .split(' ').filter((x) => x && x !== status.id);
    if (described.length) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }
}

export function showError(status, form, err, { focus = true } = {}) {
  resetStatus(status, form);
  status.textContent = errorText(err);
  status.className = 'status status--error';
  status.dataset.errorCode = err.code || 'unknown';
  status.lastShown = { error: err };
  const input = [FIELD_OF_ERROR[err.code] || []].flat()
    .map((id) => form.querySelector(`#${id}`)).find(Boolean);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const described = input.getAttribute('aria-describedby');
    input.setAttribute('aria-describedby', described ? `${described} ${status.id}` : status.id);
    if (focus) input.focus();
  }
}

export function showOk(status, form, key, vars = {}) {
  resetStatus(status, form);
  status.textContent = t(key, vars);
  status.className = 'status status--ok';
  status.dataset.status = 'ok';
  status.lastShown = { ok: key, vars };
}

/** Disables the submit button while a request runs, so a double click sends one request. */
export async function busy(form, action) {
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** What the user typed and the last status, to carry over a re-render in another language. */
export function captureForms(root) {
  const values = {};
  // A chosen file cannot be put back by script (browsers forbid it), so file inputs are skipped.
  const fields = 'form input[id]:not([type=file]), form select[id], form textarea[id]';
  for (const el of root.querySelectorAll(fields)) {
    values[el.id] = el.value;
  }
  const status = root.querySelector('#form-status');
  return { values, shown: status ? status.lastShown : null };
}

export function restoreForms(root, snapshot) {
  for (const [id, value] of Object.entries(snapshot.values)) {
    const el = root.querySelector(`#${id}`);
    if (!el || el.value === value) continue;
    el.value = value;
    // A choice other parts depend on (the patient a consent is for) is announced as changed.
    if (el.tagName === 'SELECT') el.dispatchEvent(new Event('change'));
  }
  const status = root.querySelector('#form-status');
  const form = status && (status.closest('form') || status.closest('main').querySelector('form'));
  if (!status || !form || !snapshot.shown) return;
  if (snapshot.shown.error) showError(status, form, snapshot.shown.error, { focus: false });
  else showOk(status, form, snapshot.shown.ok, snapshot.shown.vars);
}
