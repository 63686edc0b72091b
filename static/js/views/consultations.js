// #/consultations — the patient's (or representative's) bookings and requests, newest first; a
// doctor sees the ones assigned to them, organisation staff the organisation's. Those who may send
// a deferred request (art. 17) find the way to the form here too.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { t } from '../i18n.js';
import { timeEl, zoneLabel } from '../time.js';
import { signInNeeded, signedIn } from './common.js';
import { card as councilCard } from './councils.js';
import { moreButton } from './more.js';
import {
  fundingText, isStaff, modeText, requestKindText, statusBadge, urgencyText, zoneFor,
} from './labels.js';

const SENDERS = ['patient', 'representative', 'doctor'];
const PATIENT_SIDE = ['patient', 'representative'];

/**
 * When (art. 9): the slot for a real-time consultation; for a deferred request the filing time,
 * and its deadline once the clock runs.
 */
export function whenText(c, zone) {
  if (c.slot_start) return timeEl(c.slot_start, zone);
  return h('span', {}, t('consultation.requested_on'), ' ', timeEl(c.requested_at, zone),
    c.deadline_at ? [' · ', t('consultation.deadline'), ': ', timeEl(c.deadline_at, zone)] : null);
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
  // The patient's side sees a council as one thing: its own card, linking to its page (the
  // consultation it works in is not listed again).
  const patientSide = PATIENT_SIDE.includes(me.role);
  const [first, councilList] = await Promise.all([
    api.consultationsPage(),
    patientSide ? api.councils() : Promise.resolve([]),
  ]);
  const list = first.items;
  const cards = h('ul', { id: 'consultations', class: 'cards', 'aria-labelledby': 'consultations-title' },
    list.map((c) => card(c, me)));
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
    list.length ? cards : h('div', { id: 'consultations' },
        h('p', { class: 'empty' }, t('consultations.empty')),
        h('p', {}, h('a', { href: '#/' }, t('consultations.find_doctor')))),
    moreButton('consultations-more', first.next, api.consultationsPage,
      (c) => cards.append(card(c, me))),
    councilList.length ? councilsSection(councilList, me) : null);
}

/** The councils on the patient's case, each a card of its own. */
function councilsSection(list, me) {
  const zone = zoneFor(me, {});
  return h('section', { class: 'consultation-councils', 'aria-labelledby': 'consultation-councils-title' },
    h('h2', { id: 'consultation-councils-title' }, t('consultations.councils_title')),
    h('p', { class: 'hint' }, t('consultations.councils_intro')),
    h('ul', { id: 'consultation-councils', class: 'cards' }, list.map((k) => councilCard(k, me, zone, true))));
}
