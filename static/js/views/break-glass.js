// A doctor's way into a chart: within a care relationship the passport opens as it is; without
// one the doctor may break the glass — state the reason, get a grant that runs out, and know
// that the patient sees it in their access log and the administrators are told (art. 35, 40).

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, field, showError, statusLine, textareaField } from '../forms.js';
import { t } from '../i18n.js';
import { timeEl } from '../time.js';

/** The form; `patient` is known when the doctor came from a link, else they type the IIN. */
export function breakGlassForm(patient, zone, app) {
  const status = statusLine('break-glass-status');
  const form = h('form', { id: 'break-glass-form', class: 'form', novalidate: true },
    patient ? null : field('break-glass-patient', 'break_glass.patient', {
      required: true, inputmode: 'numeric', maxlength: '64', autocomplete: 'off',
    }, 'break_glass.patient_hint'),
    textareaField('break-glass-reason', 'break_glass.reason', { required: true, maxlength: '1000' },
      'break_glass.reason_hint'),
    h('button', { type: 'submit', class: 'button button--danger', id: 'break-glass-submit' },
      t('break_glass.submit')),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const who = patient || form.querySelector('#break-glass-patient').value.trim();
    const reason = form.querySelector('#break-glass-reason').value.trim();
    await busy(form, async () => {
      try {
        const grant = await api.breakGlass({ patient: who, reason });
        app.go(`#/health-passport?patient=${encodeURIComponent(grant.patient.id)}&until=${encodeURIComponent(grant.expires_at)}`);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return h('section', { class: 'panel panel--alert', 'aria-labelledby': 'break-glass-heading' },
    h('h2', { id: 'break-glass-heading' }, t('break_glass.title')),
    h('p', {}, t('break_glass.intro')),
    form);
}

/** The notice on a chart opened by breaking the glass, with the time it closes. */
export function openedByGlass(until, zone) {
  return h('p', { class: 'notice notice--alert', id: 'break-glass-notice', role: 'status' },
    t('break_glass.open_until'), ' ', timeEl(until, zone));
}
