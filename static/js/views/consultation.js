// #/consultations/{id} — one consultation: details, its slot (real-time) or its legal deadline
// and time left (deferred, art. 8, 9, 13),
// its history, and what can still be done with it (art. 15: cancel or move with a reason); for a
// real-time one also the way into its video call, the doctor's invitations and telephone record
// (art. 33.2) and the call's materials; for a deferred request (art. 13, 17, 21) its documents,
// the consultant's actions and the conclusion (see deferred.js and documents.js); for the
// consultation's own doctor, the way to call a council on the patient (council-new.js).

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime, formatTime, timeEl, timeLeftText, zoneLabel } from '../time.js';
import { agreeSection, cancelSection, rescheduleSection } from './consultation-actions.js';
import { callFacts, guestsSection, joinSection, joinable, phoneSection } from './consultation-call.js';
import {
  declineSection, deferredSection, requestDocumentsSection, roleIn, takeSection,
} from './deferred.js';
import { documentsPanel } from './documents.js';
import { materialsSection } from './materials.js';
import { recordSection } from './record-editor.js';
import { item, signInNeeded, signedIn, specialtyNames } from './common.js';
import {
  changeable, deferredOpen, eventText, fundingText, initiativeText, modeText, reasonText,
  statusBadge, urgencyText, zoneFor,
} from './labels.js';

function slotText(c, zone) {
  if (!c.slot_start) return null;
  const local = [timeEl(c.slot_start, zone), '–', timeEl(c.slot_end, zone, formatTime)];
  if (zone === c.time_zone) return h('span', {}, ...local, ` (${zone})`);
  return h('span', {}, ...local, ` (${t('booking.your_time')})`, h('br'),
    h('span', { class: 'muted' }, timeEl(c.slot_start, c.time_zone), ` (${c.time_zone})`));
}

function timeLeft(c) {
  if (!c.deadline_at) return null;
  const overdue = c.breached_at || c.time_left_seconds < 0;
  return h('span', { class: overdue ? 'overdue' : null, id: 'consultation-time-left' },
    timeLeftText(c.time_left_seconds));
}

function eventDetails(e, zone) {
  const d = e.details || {};
  const parts = [];
  if (d.from && d.to) {
    parts.push(h('span', {}, timeEl(d.from, zone), ' → ', timeEl(d.to, zone)));
  }
  if (d.reason_code) parts.push(h('span', {}, reasonText(d.reason_code)));
  if (d.reason_text) parts.push(h('q', {}, d.reason_text));
  // A deferred request's events: the consultant's note asking for documents, a refusal's reason,
  // an attached document's name.
  for (const text of [d.note, d.reason]) if (typeof text === 'string' && text) parts.push(h('q', {}, text));
  if (typeof d.name === 'string' && d.name) parts.push(h('span', {}, d.name));
  return parts.length ? h('p', { class: 'muted' }, ...parts.flatMap((p, i) => (i ? [' · ', p] : [p]))) : null;
}

function history(c, zone) {
  const events = c.history || [];
  if (!events.length) return h('p', { class: 'muted' }, t('common.none_found'));
  return h('ol', { id: 'history', class: 'history' }, events.map((e) => h('li', { dataset: { kind: e.kind } },
    h('p', {}, timeEl(e.at, zone), ' — ', h('strong', {}, eventText(e.kind))),
    eventDetails(e, zone))));
}

function facts(c, zone, names) {
  const deferred = c.mode === 'deferred';
  return h('dl', { class: 'facts' },
    item('status', t('consultation.status'), statusBadge(c.status, { id: 'consultation-status' })),
    item('mode', t('consultation.mode'), modeText(c.mode)),
    item('urgency', t('consultation.urgency'), urgencyText(c.urgency)),
    item('initiative', t('consultation.initiative'), initiativeText(c.initiative)),
    item('practitioner', t('consultation.doctor'),
      c.practitioner ? h('a', { href: `#/practitioners/${encodeURIComponent(c.practitioner.id)}` },
        c.practitioner.full_name) : t('consultation.no_doctor_yet')),
    item('patient', t('consultation.patient'), c.patient.full_name),
    item('organization', t('consultation.organization'),
      h('a', { href: `#/organizations/${encodeURIComponent(c.organization_id)}` }, c.organization_name)),
    c.slot_start ? item('slot', t('consultation.slot'), slotText(c, zone)) : null,
    c.specialty ? item('specialty', t('consultation.specialty'), names.get(c.specialty) || c.specialty) : null,
    item('reason', t(deferred ? 'deferred.question' : 'consultation.reason'), c.reason),
    item('funding', t('consultation.funding'), fundingText(c)),
    item('requested_at', t('consultation.requested_at'), timeEl(c.requested_at, zone)),
    deferred ? item('clock_started_at', t('consultation.clock_started_at'),
      c.clock_started_at ? timeEl(c.clock_started_at, zone) : t('consultation.clock_not_started')) : null,
    // Art. 9: a real-time consultation is due at its slot (above); a deferred one by its
    // deadline. An urgent real-time one's deadline only bounds its slot (art. 8).
    deferred && c.deadline_at
      ? item('deadline_at', t('consultation.deadline'), timeEl(c.deadline_at, zone)) : null,
    deferred && c.deadline_at && deferredOpen(c)
      ? item('time_left', t('consultation.time_left'), timeLeft(c)) : null,
    c.breached_at ? item('breached_at', t('consultation.breached_at'),
      h('span', { class: 'overdue' }, formatDateTime(c.breached_at, zone))) : null,
    c.cancelled_at ? item('cancelled_at', t('consultation.cancelled_at'), timeEl(c.cancelled_at, zone)) : null,
    c.completed_at ? item('completed_at', t('consultation.completed_at'), timeEl(c.completed_at, zone)) : null,
    callFacts(c, zone));
}

/** A deferred request's panels, by who is looking (see deferred.js). */
function deferredParts(c, me, names, zone, redraw, editor) {
  const who = roleIn(c, me);
  const open = deferredOpen(c);
  const paused = Boolean(c.deferred && c.deferred.paused);
  const parts = [deferredSection(c, me, names, zone)];
  if (who.mayTake) parts.push(takeSection(c, redraw));
  parts.push(documentsPanel(c, zone, {
    canUpload: who.sender && open,
    canComplete: who.sender && open && (!c.clock_started_at || paused),
    redraw,
  }));
  if (who.consultant && open) {
    // Asking for more stops a running clock; while it stands there is nothing to stop.
    if (c.clock_started_at && !paused) parts.push(requestDocumentsSection(c, redraw));
    parts.push(declineSection(c, redraw));
  }
  // The consultant writes and signs the conclusion; signing it completes the request (art. 21).
  if (editor) parts.push(editor);
  else if (who.consultant && open) parts.push(recordSection(c, me, { onSigned: editorSigned(c, redraw) }));
  if (who.sender && changeable(c)) parts.push(cancelSection(c, redraw));
  // A consultant who finds the case needs more than one opinion calls a council (art. 18).
  if (who.consultant) parts.push(councilLink(c));
  return parts;
}

/** The way to a council on this consultation's patient, for its own doctor (#/councils/new). */
function councilLink(c) {
  return h('p', {}, h('a', { id: 'council-for-patient',
    href: `#/councils/new?patient=${encodeURIComponent(c.patient.id)}` }, t('council.for_patient')));
}

/** After a signature the request may be complete: draw it again, keeping the signed editor. */
function editorSigned(c, redraw) {
  return async (editor) => {
    const next = await api.consultation(c.id);
    if (next.status !== c.status) redraw(next, 'deferred.completed_now', editor);
  };
}

/** The page for one state of the consultation; a change draws it again with a message on top. */
function page(c, me, names, flash = null, editor = null) {
  const zone = zoneFor(me, c);
  const article = h('article', { class: 'consultation', id: 'consultation', dataset: { status: c.status } });
  const redraw = (next, key, keep = null) => {
    // Only the detail view names the caller's part; an action's answer leaves it out, unchanged.
    const fresh = page({ ...next, my_call_role: next.my_call_role ?? c.my_call_role }, me, names, key, keep);
    article.replaceWith(fresh);
    const note = fresh.querySelector('#consultation-flash');
    if (note) note.focus();
  };
  const title = c.practitioner
    ? t('consultation.title_with', { doctor: c.practitioner.full_name })
    : t('consultation.title');
  article.append(...[
    h('p', { class: 'back' }, h('a', { href: '#/consultations' }, t('consultations.back'))),
    pageTitle(title),
    flash ? h('p', {
      id: 'consultation-flash', class: 'status status--ok', role: 'status', tabindex: '-1',
      dataset: { status: 'ok' },
    }, t(flash)) : null,
    h('p', { class: 'lead' }, t('consultation.zone_note', { zone: zoneLabel(zone) })),
    h('section', { class: 'panel', 'aria-label': t('consultation.details') }, facts(c, zone, names)),
    // A council's consultation is agreed to and moved as the council (one thing to the patient).
    c.council_id ? h('p', { class: 'notice', id: 'consultation-council' }, t('consultation.part_of_council'), ' ',
      h('a', { href: `#/councils/${encodeURIComponent(c.council_id)}`, id: 'consultation-council-link' },
        t('consultation.open_council'))) : null,
  ].filter(Boolean));
  // A booking staff made waits for the patient's side to agree before its doctor reaches the
  // patient's records (art. 12, 35).
  if (!c.patient_agreed_at && changeable(c) && !c.council_id && ['patient', 'representative'].includes(me.role)) {
    article.append(agreeSection(c, redraw));
  }
  if (c.mode === 'deferred') {
    article.append(...deferredParts(c, me, names, zone, redraw, editor));
  } else {
    if (joinable(c)) article.append(joinSection(c, zone));
    // Only the consultation's own doctor invites others and records a telephone consultation.
    if (c.mode === 'realtime' && c.my_call_role === 'doctor') {
      article.append(guestsSection(c, zone));
      if (joinable(c)) article.append(phoneSection(c, redraw));
      // The treating doctor may ask another organisation for a deferred opinion on this patient,
      // or call a council of three or more doctors (art. 18).
      article.append(h('p', {}, h('a', { id: 'request-for-patient',
        href: `#/requests/new?patient=${encodeURIComponent(c.patient.id)}` }, t('request.for_patient'))),
      councilLink(c));
    }
    // Guests of the call take part in the call only; support and administrators see the
    // booking, never its files (the access policy, art. 35).
    const guest = ['guest_doctor', 'interpreter', 'relative'].includes(c.my_call_role);
    const staff = me.role === 'support' || me.role === 'org_admin';
    if (changeable(c) && !guest) {
      if (c.mode === 'realtime' && c.practitioner && !c.council_id) article.append(rescheduleSection(c, zone, redraw));
      article.append(cancelSection(c, redraw));
    }
    // The consultation's doctor writes and signs records; the server checks the link (art. 35).
    if (me.role === 'doctor' && c.my_call_role === 'doctor') {
      article.append(h('p', {}, h('a', { id: 'chart-of-patient',
        href: `#/health-passport?patient=${encodeURIComponent(c.patient.id)}` }, t('break_glass.open_chart'))));
      article.append(recordSection(c, me));
    }
    if (!guest && !staff) article.append(materialsSection(c, zone));
  }
  article.append(h('section', { class: 'panel', 'aria-labelledby': 'history-heading' },
    h('h2', { id: 'history-heading' }, t('consultation.history')), history(c, zone)));
  return article;
}

export async function render({ params, query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('consultation.title', 'consultations.need_login');
  const [c, names] = await Promise.all([api.consultation(params[0]), specialtyNames()]);
  // Arriving from the new-request form (#/requests/new), which sends here with ?created=1; the
  // marker leaves the address so a reload does not announce the request again.
  const created = Boolean(query.get('created'));
  if (created) window.history.replaceState(null, '', `#/consultations/${encodeURIComponent(c.id)}`);
  return page(c, me, names, created ? 'request.created' : null);
}
