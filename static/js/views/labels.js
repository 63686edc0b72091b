// Names of a consultation's codes (status, mode, urgency, funding, history events, reasons, what
// a deferred request asks for and why it counts as complete) in the interface language; an
// unknown code shows as it is rather than as a missing key.

import { h } from '../dom.js';
import { formatNumber, has, t } from '../i18n.js';
import { userTimeZone } from '../time.js';

function named(prefix, code) {
  if (code === null || code === undefined) return '';
  return has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code;
}

export const statusText = (code) => named('consultation.status', code);
export const modeText = (code) => named('consultation.mode', code);
export const urgencyText = (code) => named('consultation.urgency', code);
export const initiativeText = (code) => named('consultation.initiative', code);
export const eventText = (code) => named('event', code);
export const reasonText = (code) => named('reason', code);
export const requestKindText = (code) => named('request.kind', code);
export const completionText = (code) => named('deferred.completion', code);

/** What a deferred request may ask for (art. 17). */
export const REQUEST_KINDS = ['consultation', 'interpretation', 'second_opinion'];

/** "Платно — 8 000 ₸" */
export function fundingText(c) {
  const name = named('funding', c.funding);
  return c.price_kzt === null || c.price_kzt === undefined
    ? name
    : t('consultation.funding_price', { funding: name, price: formatNumber(c.price_kzt) });
}

/** A coloured label; data-status lets tests and styles find the state without reading text. */
export function statusBadge(code, attrs = {}) {
  return h('span', { class: `badge badge--${code}`, dataset: { status: code }, ...attrs },
    statusText(code));
}

/** Reasons for cancelling or moving a consultation (art. 15), as <option> pairs. */
export const REASON_CODES = [
  'patient_request', 'doctor_unavailable', 'patient_unwell', 'technical_problem', 'duplicate',
  'other',
];

export function reasonOptions() {
  return REASON_CODES.map((code) => [code, reasonText(code)]);
}

const STAFF = ['doctor', 'org_admin', 'support'];
export const isStaff = (role) => STAFF.includes(role);

/** Patients and representatives see times in their own zone, staff in the organisation's. */
export function zoneFor(me, c) {
  return isStaff(me.role) ? c.time_zone : userTimeZone();
}

/** Whether a consultation can still be cancelled or moved (art. 15). */
export function changeable(c) {
  return c.status === 'awaiting_agreement' || c.status === 'booked';
}

/** Whether a deferred request is still being worked on (not completed, cancelled or declined). */
export function deferredOpen(c) {
  return ['awaiting_agreement', 'booked', 'in_progress'].includes(c.status);
}
