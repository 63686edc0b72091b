// What can be done with an open consultation: cancel or move it with a reason (art. 15). Each
// section calls `redraw(updatedConsultation, messageKey)` after the server accepted the change.
// A deferred request's documents and their completeness (art. 13) are in documents.js.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, selectField, showError, statusLine, textareaField } from '../forms.js';
import { errorText, t } from '../i18n.js';
import { timeEl } from '../time.js';
import { reasonOptions } from './labels.js';
import { slotPicker } from './slots.js';

function panel(id, titleKey, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': id },
    h('h2', { id }, t(titleKey)), ...content);
}

/** The patient's side agrees to a booking staff made for them (art. 12). */
export function agreeSection(c, redraw) {
  const status = statusLine('agree-status');
  const form = h('form', { id: 'agree-form', class: 'form', novalidate: true },
    h('p', {}, t('change.agree_note')),
    h('button', { type: 'submit', class: 'button', id: 'agree-submit' }, t('change.agree_submit')),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(form, async () => {
      try {
        redraw(await api.agree(c.id), 'change.agreed_now');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return panel('agree-heading', 'change.agree_title', form);
}

export function cancelSection(c, redraw) {
  const status = statusLine();
  const form = h('form', { id: 'cancel-form', class: 'form', novalidate: true },
    h('p', { class: 'hint' }, t('change.cancel_note')),
    selectField('cancel-reason-code', 'change.reason_code', reasonOptions()),
    textareaField('cancel-reason-text', 'change.reason_text', { required: true, maxlength: '1000' },
      'change.reason_text_hint'),
    h('button', { type: 'submit', class: 'button button--danger', id: 'cancel-submit' },
      t('change.cancel_submit')),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      reason_code: form.querySelector('#cancel-reason-code').value,
      reason_text: form.querySelector('#cancel-reason-text').value.trim(),
    };
    if (!body.reason_text) {
      showError(status, form, { code: 'reason_required' });
      return;
    }
    await busy(form, async () => {
      try {
        redraw(await api.cancel(c.id, body), 'change.cancelled_now');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return panel('cancel-heading', 'change.cancel_title', form);
}

export function rescheduleSection(c, zone, redraw) {
  const status = statusLine('reschedule-status');
  const host = h('div', { class: 'reschedule-slots' });
  const summary = h('p', { id: 'reschedule-summary', class: 'slot-summary' }, t('change.pick_slot'));
  let chosen = null;
  const form = h('form', { id: 'reschedule-form', class: 'form', novalidate: true },
    summary,
    selectField('reschedule-reason-code', 'change.reason_code', reasonOptions()),
    textareaField('reschedule-reason-text', 'change.reason_text', { required: true, maxlength: '1000' }),
    h('button', { type: 'submit', class: 'button', id: 'reschedule-submit' }, t('change.reschedule_submit')),
    status);
  const details = h('details', { class: 'reschedule', id: 'reschedule' },
    h('summary', {}, t('change.reschedule_open')),
    h('p', { class: 'hint' }, t('change.reschedule_note')),
    h('h3', { id: 'reschedule-slots-heading' }, t('booking.free_slots')),
    host, form);

  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    host.replaceChildren(h('p', { class: 'loading' }, t('common.loading')));
    try {
      const list = await api.slots(c.practitioner.id);
      const slots = list.length ? list[0].slots : [];
      host.replaceChildren(slotPicker(slots, zone, {
        id: 'reschedule-slots',
        labelId: 'reschedule-slots-heading',
        onPick(slot) {
          chosen = slot;
          summary.replaceChildren(h('strong', {}, t('booking.chosen')), ' ', timeEl(slot.start, zone));
        },
      }));
    } catch (err) {
      loaded = false;
      host.replaceChildren(h('p', { class: 'status status--error', role: 'alert' }, errorText(err)));
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!chosen) {
      showError(status, form, { code: 'slot_required' });
      return;
    }
    const body = {
      slot_start: chosen.start,
      reason_code: form.querySelector('#reschedule-reason-code').value,
      reason_text: form.querySelector('#reschedule-reason-text').value.trim(),
    };
    if (!body.reason_text) {
      showError(status, form, { code: 'reason_required' });
      form.querySelector('#reschedule-reason-text').focus();
      return;
    }
    await busy(form, async () => {
      try {
        redraw(await api.reschedule(c.id, body), 'change.rescheduled_now');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return panel('reschedule-heading', 'change.reschedule_title', details);
}
