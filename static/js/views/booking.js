// The "Book" section of a doctor's page (Rules art. 12, 14, 33): free slots week by week up to
// the booking horizon, in the patient's time zone, then a form with the informed consent step
// (the organisation's offer, accepted by click or by an e-mailed code) and the booking itself.
// ?week=<n> and ?slot=<UTC start> keep the week and the chosen slot across a change of language.

import { api } from '../api.js';
import { h } from '../dom.js';
import {
  busy, resetStatus, selectField, showError, showOk, statusLine, textareaField,
} from '../forms.js';
import { errorText, formatNumber, t } from '../i18n.js';
import { formatDateTime, timeEl, userTimeZone, zoneLabel } from '../time.js';
import { consentBlock } from './consent.js';
import { inWeek, weekOpen, weekPager, weekWindow } from './slot-weeks.js';
import { clearPicked, slotPicker } from './slots.js';

const BOOKERS = ['patient', 'representative'];

/** [value, text] pairs of the funding the organisation offers (art. 41–43); VMI always. */
export function fundingOptions(org) {
  const options = [];
  if (org.gobmp) options.push(['gobmp', t('funding.gobmp')]);
  if (org.osms) options.push(['osms', t('funding.osms')]);
  if (org.paid) {
    org.price_list.forEach((item, i) => options.push([`paid:${i}`,
      t('booking.funding_paid_item', { service: item.service, price: formatNumber(item.price_kzt) })]));
  }
  options.push(['vmi', t('funding.vmi')]);
  return options;
}

function signInPrompt() {
  const next = encodeURIComponent(location.hash || '#/');
  return h('p', { id: 'booking-sign-in' }, t('booking.sign_in_first'), ' ',
    h('a', { href: `#/login?next=${next}`, class: 'button' }, t('nav.login')), ' ',
    h('a', { href: '#/register' }, t('nav.register')));
}

function section(...content) {
  return h('section', { class: 'panel booking', id: 'booking', 'aria-labelledby': 'booking-heading' },
    h('h2', { id: 'booking-heading' }, t('booking.title')), ...content);
}

/** Week n's free slots and the booking horizon the API reports. */
async function loadWeek(practitionerId, n, zone) {
  const range = weekWindow(n, zone);
  const list = await api.slots(practitionerId, range.from, range.to);
  const found = list[0] || { slots: [], bookable_until: null };
  return { slots: inWeek(found.slots, range), horizon: found.bookable_until };
}

/**
 * The section; `me` is null for a visitor who has not signed in. `slots` are the free slots the
 * page loaded for the days ahead, `bookableUntil` the horizon that came with them.
 */
export async function bookingSection({
  practitioner: p, org, me, slots: firstSlots, slotsError, bookableUntil = null, query,
}) {
  if (!me) return section(signInPrompt());
  if (!BOOKERS.includes(me.role)) return section(h('p', { class: 'muted' }, t('booking.patients_only')));

  const zone = userTimeZone();
  const patients = me.role === 'representative' ? me.represented_patients : [];
  if (me.role === 'representative' && !patients.length) {
    return section(h('p', { class: 'muted' }, t('booking.no_represented')));
  }
  let horizon = bookableUntil;
  let week = Math.max(0, Number.parseInt(query.get('week') || '0', 10) || 0);
  if (!weekOpen(week, zone, horizon)) week = 0;
  let slots = inWeek(firstSlots, weekWindow(0, zone));
  let weekError = null;
  if (week > 0 && !slotsError) {
    try {
      ({ slots, horizon } = await loadWeek(p.id, week, zone));
    } catch (err) {
      weekError = errorText(err);
    }
  }
  let selected = slots.find((s) => s.start === query.get('slot')) || null;
  let consentValid = false;

  const status = statusLine();
  const summary = h('p', { id: 'booking-slot-summary', class: 'slot-summary' });
  const done = h('p', { id: 'booking-done', hidden: true });
  const consentHost = h('div', { id: 'consent-host' });
  const patientField = patients.length
    ? selectField('booking-patient', 'booking.patient', patients.map((x) => [x.id, x.full_name]))
    : null;
  const fields = h('div', { class: 'form booking-fields' },
    h('p', { class: 'fixed-mode' }, h('strong', {}, t('booking.mode')), ' ',
      t('consultation.mode.realtime')),
    patientField,
    selectField('booking-urgency', 'booking.urgency', [
      ['planned', t('consultation.urgency.planned')],
      ['urgent', t('consultation.urgency.urgent')],
    ], {}, null),
    h('p', { class: 'hint', id: 'booking-urgency-hint' },
      t('booking.urgency_hint', { hours: org.urgent_deadline_hours })),
    textareaField('booking-reason', 'booking.reason',
      { required: true, maxlength: '2000' }, 'booking.reason_hint'),
    selectField('booking-funding', 'booking.funding', fundingOptions(org), {}, 'booking.funding_hint'),
    consentHost,
    h('button', { type: 'submit', class: 'button', id: 'booking-submit' }, t('booking.submit')));
  fields.querySelector('#booking-urgency').setAttribute('aria-describedby', 'booking-urgency-hint');

  const form = h('form', {
    id: 'booking-form', class: 'form booking-form', novalidate: true, hidden: !selected,
    'aria-labelledby': 'booking-form-heading',
  },
  h('h3', { id: 'booking-form-heading', tabindex: '-1' }, t('booking.form_title')),
  summary, fields, status, done);

  const patientId = () => (patientField ? form.querySelector('#booking-patient').value : undefined);

  let consentSeq = 0;
  async function refreshConsent() {
    const mine = ++consentSeq;
    const block = await consentBlock({
      org, patientId: patientId(), form,
      onChange(valid) { consentValid = valid; },
    });
    // The patient may have been changed again while this one loaded.
    if (mine !== consentSeq) return;
    consentValid = block.valid;
    consentHost.replaceChildren(block.element);
  }

  function describeSlot() {
    if (!selected) {
      summary.textContent = '';
      return;
    }
    // replaceChildren, unlike h(), would print a null as "null": only nodes and strings go in.
    const parts = [h('strong', {}, t('booking.chosen')), ' ',
      timeEl(selected.start, zone), ` (${t('booking.your_time')})`];
    if (zone !== org.time_zone) {
      parts.push(h('span', { class: 'muted' }, ' · ',
        timeEl(selected.start, org.time_zone), ` (${t('booking.org_time', { tz: org.time_zone })})`));
    }
    summary.replaceChildren(...parts);
  }

  /** The address keeps the week and the chosen slot, so a change of language keeps them. */
  function remember() {
    const q = new URLSearchParams();
    if (week) q.set('week', String(week));
    if (selected) q.set('slot', selected.start);
    const tail = q.toString();
    history.replaceState(null, '', `#/practitioners/${encodeURIComponent(p.id)}${tail ? `?${tail}` : ''}`);
  }

  function pick(slot) {
    selected = slot;
    remember();
    resetStatus(status, form);
    form.hidden = false;
    fields.hidden = false;
    done.hidden = true;
    describeSlot();
    form.querySelector('#booking-form-heading').focus();
  }

  const drawPicker = (list) => slotPicker(list, zone, {
    id: 'slots', labelId: 'slots-heading', selected: selected && selected.start, onPick: pick,
  });
  let picker = weekError
    ? h('p', { id: 'slots', class: 'status status--error', role: 'alert' }, weekError)
    : drawPicker(slots);

  function showSlots(list) {
    const next = drawPicker(list);
    picker.replaceWith(next);
    picker = next;
  }

  let weekSeq = 0;
  /** Shows week n; the chosen slot stays chosen while the patient looks at other weeks. */
  async function goToWeek(n) {
    if (!weekOpen(n, zone, horizon)) return;
    const mine = ++weekSeq;
    picker.setAttribute('aria-busy', 'true');
    let found;
    try {
      found = await loadWeek(p.id, n, zone);
    } catch (err) {
      if (mine !== weekSeq) return;
      const failed = h('p', { id: 'slots', class: 'status status--error', role: 'alert' }, errorText(err));
      picker.replaceWith(failed);
      picker = failed;
      return;
    }
    // A later click overtook this one while it loaded.
    if (mine !== weekSeq) return;
    week = n;
    horizon = found.horizon || horizon;
    pager.update(week, horizon);
    showSlots(found.slots);
    remember();
  }
  const pager = weekPager(zone, goToWeek);
  pager.update(week, horizon);

  /** The current week again, after a booking or a refusal that changed what is free. */
  async function reloadSlots() {
    let found;
    try {
      found = await loadWeek(p.id, week, zone);
    } catch {
      return;
    }
    if (selected && !found.slots.some((s) => s.start === selected.start)) selected = null;
    showSlots(found.slots);
  }

  if (patientField) {
    form.querySelector('#booking-patient').addEventListener('change', () => refreshConsent());
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!selected) return;
    const reason = form.querySelector('#booking-reason').value.trim();
    const fundingValue = form.querySelector('#booking-funding').value;
    const [funding, priceIndex] = fundingValue.split(':');
    if (!reason) {
      showError(status, form, { code: 'missing_field' });
      return;
    }
    if (!consentValid) {
      showError(status, form, { code: 'consent_required' }, { focus: false });
      const accept = form.querySelector('#consent-accept');
      if (accept) accept.focus();
      return;
    }
    const body = {
      mode: 'realtime',
      urgency: form.querySelector('#booking-urgency').value,
      practitioner_id: p.id,
      slot_start: selected.start,
      reason,
      funding,
      price_service: priceIndex === undefined ? undefined : org.price_list[Number(priceIndex)].service,
      patient_id: patientId(),
    };
    await busy(form, async () => {
      try {
        const c = await api.book(body);
        showOk(status, form, 'booking.success', { time: formatDateTime(c.slot_start, zone) });
        done.replaceChildren(h('a', { href: `#/consultations/${encodeURIComponent(c.id)}`, id: 'booking-open' },
          t('booking.open_consultation')), ' · ', h('a', { href: '#/consultations' }, t('nav.consultations')));
        done.hidden = false;
        fields.hidden = true;
        form.querySelector('#booking-reason').value = '';
        selected = null;
        summary.textContent = '';
        clearPicked(picker);
        remember();
        await reloadSlots();
      } catch (err) {
        showError(status, form, err);
        if (['slot_taken', 'not_a_slot', 'slot_in_past'].includes(err.code)) await reloadSlots();
        if (['consent_required', 'offer_changed'].includes(err.code)) await refreshConsent();
      }
    });
  });

  describeSlot();
  const result = section(
    h('p', { class: 'hint zones', id: 'booking-zones' },
      t('booking.zone_note', { zone: zoneLabel(zone) }), ' ',
      t('booking.org_zone_note', { zone: zoneLabel(org.time_zone) })),
    h('h3', { id: 'slots-heading' }, t('booking.free_slots')),
    slotsError ? h('p', { class: 'status status--error', role: 'alert' }, slotsError)
      : [pager.element, picker],
    form);
  // The consent state is per patient; it loads with the page and again when the patient changes.
  try {
    await refreshConsent();
  } catch (err) {
    consentHost.replaceChildren(h('p', { class: 'status status--error', role: 'alert' }, errorText(err)));
  }
  return result;
}
