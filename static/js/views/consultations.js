// #/consultations — the patient's (or representative's) bookings and requests, newest first; a
// doctor sees the ones assigned to them, organisation staff the organisation's. Those who may send
// a deferred request (art. 17) find the way to the form here too.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { t } from '../i18n.js';
import { timeEl, zoneLabel } from '../time.js';
import { signInNeeded, signedIn } from './common.js';
import {
  fundingText, isStaff, modeText, requestKindText, statusBadge, urgencyText, zoneFor,
} from './labels.js';

const SENDERS = ['patient', 'representative', 'doctor'];

/** When: the slot for a real-time consultation, the filing time for a deferred request. */
export function whenText(c, zone) {
  return c.slot_start
    ? timeEl(c.slot_start, zone)
    : h('span', {}, t('consultation.requested_on'), ' ', timeEl(c.requested_at, zone));
}

function card(c, me) {
  const zone = zoneFor(me, c);
  const href = `#/consultations/${encodeURIComponent(c.id)}`;
  const showPatient = me.role !== 'patient';
  return h('li', { class: 'card consultation-card', dataset: { id: c.id, status: c.status } },
    h('h3', {}, h('a', { href }, whenText(c, zone))),
    h('p', {}, c.practitioner ? c.practitioner.full_name : t('consultation.no_doctor_yet'),
      ' · ', c.organization_name),
    showPatient ? h('p', { class: 'muted' }, t('consultation.patient'), ': ', c.patient.full_name) : null,
    h('p', { class: 'tags' },
      statusBadge(c.status),
      h('span', { class: 'tag' }, modeText(c.mode)),
      c.deferred ? h('span', { class: 'tag', dataset: { kind: c.deferred.kind } },
        requestKindText(c.deferred.kind)) : null,
      h('span', { class: 'tag' }, urgencyText(c.urgency)),
      h('span', { class: 'tag' }, fundingText(c))));
}

export async function render(_route, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('consultations.title', 'consultations.need_login');
  const list = await api.consultations();
  const zoneNote = isStaff(me.role)
    ? t('consultations.org_zone_note')
    : t('booking.zone_note', { zone: zoneLabel(zoneFor(me, {})) });

  const newRequest = SENDERS.includes(me.role)
    ? h('p', { id: 'new-request' }, h('a', { href: '#/requests/new', id: 'new-request-link', class: 'button' },
      t('request.new_link')), ' ', h('span', { class: 'hint' }, t('request.new_link_hint')))
    : null;

  return h('section', { class: 'consultations' },
    pageTitle(t('consultations.title'), { id: 'consultations-title' }),
    h('p', { class: 'lead', id: 'consultations-zone' }, zoneNote),
    newRequest,
    list.length
      ? h('ul', { id: 'consultations', class: 'cards', 'aria-labelledby': 'consultations-title' },
        list.map((c) => card(c, me)))
      : h('div', { id: 'consultations' },
        h('p', { class: 'empty' }, t('consultations.empty')),
        h('p', {}, h('a', { href: '#/' }, t('consultations.find_doctor')))));
}
