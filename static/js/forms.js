// Form helpers: labelled fields, the status line (#form-status) and keeping typed values when
// the language changes and the view is drawn again.

import { h } from './dom.js';
import { errorText, t } from './i18n.js';

/** Which input an API error code is about, so it can be marked invalid and focused. */
const FIELD_OF_ERROR = {
  invalid_full_name: 'full_name',
  invalid_iin: 'iin',
  iin_taken: 'iin',
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
};

/** A labelled input; a hint, if any, is announced with it. */
export function field(id, labelKey, attrs = {}, hintKey = null) {
  const hintId = hintKey ? `${id}-hint` : null;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey ? h('p', { class: 'hint', id: hintId }, t(hintKey)) : null,
    h('input', { id, name: id, 'aria-describedby': hintId, ...attrs }));
}

export function statusLine() {
  return h('p', { id: 'form-status', class: 'status', role: 'status', 'aria-live': 'polite' });
}

function resetStatus(status, form) {
  status.textContent = '';
  status.className = 'status';
  delete status.dataset.errorCode;
  delete status.dataset.status;
  status.lastShown = null;
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const described = (input.getAttribute('aria-describedby') || '')
      .split(' ').filter((x) => x && x !== 'form-status');
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
  const input = form.querySelector(`#${FIELD_OF_ERROR[err.code] || '__none'}`);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const described = input.getAttribute('aria-describedby');
    input.setAttribute('aria-describedby', described ? `${described} form-status` : 'form-status');
    if (focus) input.focus();
  }
}

export function showOk(status, form, key) {
  resetStatus(status, form);
  status.textContent = t(key);
  status.className = 'status status--ok';
  status.dataset.status = 'ok';
  status.lastShown = { ok: key };
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
  for (const el of root.querySelectorAll('form input[id], form select[id], form textarea[id]')) {
    values[el.id] = el.value;
  }
  const status = root.querySelector('#form-status');
  return { values, shown: status ? status.lastShown : null };
}

export function restoreForms(root, snapshot) {
  for (const [id, value] of Object.entries(snapshot.values)) {
    const el = root.querySelector(`#${id}`);
    if (el) el.value = value;
  }
  const status = root.querySelector('#form-status');
  const form = status && status.closest('main').querySelector('form');
  if (!status || !form || !snapshot.shown) return;
  if (snapshot.shown.error) showError(status, form, snapshot.shown.error, { focus: false });
  else showOk(status, form, snapshot.shown.ok);
}
