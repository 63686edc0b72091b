// #/councils/{id} — the council room (art. 18–27): what is asked and by whom, the patient's
// agreement when the doctor called the council on their own initiative (art. 20), the doctors
// with how each was chosen and their answer (a consultant accepts or declines with a reason;
// the organisation then assigns another where the rules allow), the way into the video call of a
// real-time council, the documents the council studies (the patient's side and its doctors add
// them), the written opinions of a deferred council
// (art. 19, 26) and the common conclusion with everyone's signature (council-conclusion.js). The
// initiator may invite another consultant while it assembles (council-add.js) and cancel the
// council before it concludes; the patient may refuse to agree, or refuse the council later
// (art. 20), which ends it with its consultation.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { timeEl, zoneLabel } from '../time.js';
import { item, signInNeeded, signedIn, specialtyNames } from './common.js';
import { addMemberSection } from './council-add.js';
import { buttonForm, conclusionParts, textForm } from './council-conclusion.js';
import {
  closed, councilBadge, councilDoctor, councilInitiativeText, councilStatusText, doctorCount,
  memberStatusText, myMember, patientSide, sourceText, zoneOf,
} from './council-labels.js';
import { documentsPanel } from './documents.js';
import { modeText, urgencyText } from './labels.js';

function panel(id, titleKey, attrs, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': id, ...attrs },
    h('h2', { id }, t(titleKey)), ...content);
}

function facts(k, { zone }) {
  const agreement = k.initiative === 'own'
    ? item('patient_agreed_at', t('council.patient_agreement'), k.patient_agreed_at
      ? timeEl(k.patient_agreed_at, zone) : h('span', { class: 'muted' }, t('council.agreement_awaited')))
    : null;
  return h('dl', { class: 'facts' },
    item('status', t('consultation.status'), councilBadge(k.status, councilStatusText(k.status), { id: 'council-state' })),
    item('question', t('council.question'), h('span', { class: 'prewrap' }, k.question)),
    item('patient', t('consultation.patient'), k.patient.full_name),
    item('initiator', t('council.initiator'), [k.initiator.full_name,
      k.initiator.organization ? ` (${k.initiator.organization.name})` : '']),
    item('mode', t('consultation.mode'), modeText(k.mode)),
    item('urgency', t('consultation.urgency'), urgencyText(k.urgency)),
    item('initiative', t('council.initiative'), councilInitiativeText(k.initiative)),
    agreement,
    k.scheduled_at ? item('scheduled_at', t('council.scheduled_at_fact'), timeEl(k.scheduled_at, zone)) : null,
    k.deadline_at ? item('deadline_at', t('council.deadline'), timeEl(k.deadline_at, zone)) : null,
    item('doctors', t('council.doctors'), h('span', { id: 'council-doctor-count' },
      t('council.doctor_count', { n: doctorCount(k), min: 3 }))));
}

/** Art. 20: on the doctor's own initiative the council waits for the patient's agreement. */
function agreementSection(k, redraw) {
  if (k.status !== 'awaiting_agreement' || k.patient_agreed_at) return null;
  if (!patientSide(k)) {
    return h('p', { class: 'notice', id: 'council-awaiting-agreement' }, t('council.awaiting_patient'));
  }
  return panel('council-agreement-heading', 'council.agreement_title', { id: 'council-agreement' },
    h('p', {}, t('council.agreement_text', { doctor: k.initiator.full_name })),
    buttonForm({
      id: 'council-agree-form', buttonId: 'council-agree', labelKey: 'council.agree',
      action: async () => redraw(await api.agreeCouncil(k.id), { key: 'council.agreed_now' }),
    }),
    // Art. 20: the patient may also refuse; the council is then cancelled with the reason given.
    h('details', { class: 'council-refuse-agreement' }, h('summary', {}, t('council.refuse_agreement_open')),
      textForm({
        id: 'council-refuse-agreement-form', textId: 'council-refuse-agreement-reason',
        labelKey: 'council.refuse_agreement_reason', hintKey: 'council.refuse_agreement_hint',
        submitKey: 'council.refuse_agreement', danger: true, emptyCode: 'reason_required',
        action: async (reason) => redraw(await api.cancelCouncil(k.id, reason),
          { key: 'council.refused_agreement_now' }),
      })));
}

/** Statuses in which the initiator may still call the council off. */
const CANCELLABLE = ['awaiting_agreement', 'assembling'];

/** The initiator cancels a council that has not concluded, giving the reason everyone reads. */
function cancelSection(k, redraw) {
  if (k.my_role !== 'initiator' || !CANCELLABLE.includes(k.status)) return null;
  return h('details', { class: 'panel council-cancel', id: 'council-cancel' },
    h('summary', {}, t('council.cancel_open')),
    textForm({
      id: 'council-cancel-form', textId: 'council-cancel-reason', labelKey: 'council.cancel_reason',
      hintKey: 'council.cancel_hint', submitKey: 'council.cancel', danger: true, emptyCode: 'reason_required',
      action: async (reason) => redraw(await api.cancelCouncil(k.id, reason), { key: 'council.cancelled_now' }),
    }));
}

/**
 * Art. 20: the patient's side may refuse a council it agreed to (or asked for) until it
 * concludes; it is cancelled with its consultation and every doctor is told.
 */
function withdrawSection(k, redraw) {
  if (!patientSide(k) || k.status !== 'assembling') return null;
  return h('details', { class: 'panel council-cancel', id: 'council-withdraw' },
    h('summary', {}, t('council.withdraw_open')),
    textForm({
      id: 'council-withdraw-form', textId: 'council-withdraw-reason', labelKey: 'council.refuse_agreement_reason',
      hintKey: 'council.withdraw_hint', submitKey: 'council.refuse_agreement', danger: true, emptyCode: 'reason_required',
      action: async (reason) => redraw(await api.cancelCouncil(k.id, reason), { key: 'council.refused_agreement_now' }),
    }));
}

/** A cancelled council says so, with the reason given by the initiator or the patient. */
function cancelledNote(k) {
  if (k.status !== 'cancelled') return null;
  return h('p', { class: 'notice', id: 'council-cancelled' }, t('council.cancelled_note'),
    k.cancel_reason ? [' ', t('council.cancel_reason_was'), ' ', h('q', { class: 'cancel-reason' }, k.cancel_reason)]
      : null);
}

function memberItem(m, me, names) {
  const mine = m.user.id === me.id;
  return h('li', {
    class: mine ? 'council-member council-member--me' : 'council-member',
    dataset: { memberId: m.id, status: m.status, source: m.source, userId: m.user.id },
  },
  h('p', {}, h('strong', {}, m.user.full_name), mine ? ` (${t('council.you')})` : '', ' ',
    councilBadge(m.status, memberStatusText(m.status))),
  h('p', { class: 'muted' }, [m.specialty ? names.get(m.specialty) || m.specialty : null,
    m.organization ? m.organization.name : null].filter(Boolean).join(' · ')),
  h('p', { class: 'tags' }, h('span', { class: 'tag', dataset: { source: m.source } }, sourceText(m.source))),
  m.status === 'declined' && m.decline_reason
    ? h('p', {}, t('council.decline_reason_was'), ' ', h('q', { class: 'decline-reason' }, m.decline_reason)) : null);
}

/** A consultant's answer to the invitation: accept, or decline with a reason the others read. */
function answerPart(k, me, redraw) {
  const mine = myMember(k, me);
  if (!mine || mine.status !== 'invited' || closed(k)) return null;
  return h('div', { id: 'council-answer', class: 'council-answer' },
    h('h3', {}, t('council.answer_title')),
    buttonForm({
      id: 'council-accept-form', buttonId: 'council-accept', labelKey: 'council.accept',
      hintKey: 'council.accept_hint',
      action: async () => redraw(await api.acceptCouncil(k.id), { key: 'council.accepted_now' }),
    }),
    h('details', { class: 'council-decline' }, h('summary', {}, t('council.decline_open')),
      textForm({
        id: 'council-decline-form', textId: 'council-decline-reason', labelKey: 'council.decline_reason',
        hintKey: 'council.decline_hint', submitKey: 'council.decline', danger: true, emptyCode: 'reason_required',
        action: async (reason) => redraw(await api.declineCouncil(k.id, reason), { key: 'council.declined_now' }),
      })));
}

function membersSection(k, ctx, redraw) {
  const members = k.members || [];
  return panel('council-members-heading', 'council.members_title', { id: 'council-members-section' },
    h('p', { class: 'hint' }, t('council.members_hint')),
    members.length
      ? h('ul', { id: 'council-members', class: 'council-members' }, members.map((m) => memberItem(m, ctx.me, ctx.names)))
      : h('p', { class: 'muted', id: 'council-members' }, t('council.no_members')),
    answerPart(k, ctx.me, redraw),
    addMemberSection(k, ctx, redraw));
}

/** A real-time council meets in its consultation's video call. */
function joinSection(k, ctx) {
  if (k.mode !== 'realtime' || !k.consultation_id || closed(k)) return null;
  if (!councilDoctor(k, ctx.me) && !patientSide(k)) return null;
  return panel('council-call-heading', 'council.call_title', { id: 'council-call' },
    k.scheduled_at ? h('p', {}, t('council.call_at'), ' ', h('strong', {}, timeEl(k.scheduled_at, ctx.zone))) : null,
    h('p', {}, h('a', { id: 'council-join', class: 'button',
      href: `#/consultations/${encodeURIComponent(k.consultation_id)}/call` }, t('call.join_link'))));
}

/** Art. 19, 26: in a deferred council each consultant writes an opinion before the conclusion. */
function opinionsSection(k, ctx, redraw) {
  const given = (k.members || []).filter((m) => m.opinion);
  const mine = myMember(k, ctx.me);
  if (k.mode !== 'deferred' && !given.length) return null;
  const mayWrite = k.mode === 'deferred' && mine && mine.status === 'accepted' && !closed(k);
  return panel('council-opinions-heading', 'council.opinions_title', { id: 'council-opinions-section' },
    given.length
      ? h('ul', { id: 'council-opinions', class: 'council-opinions' }, given.map((m) => h('li', {
        dataset: { memberId: m.id, userId: m.user.id } },
      h('p', {}, h('strong', {}, m.user.full_name),
        m.specialty ? ` · ${ctx.names.get(m.specialty) || m.specialty}` : '',
        m.opinion_at ? [' · ', timeEl(m.opinion_at, ctx.zone)] : null),
      h('p', { class: 'prewrap opinion-text' }, m.opinion))))
      : h('ul', { id: 'council-opinions', class: 'council-opinions' },
        h('li', { class: 'muted', id: 'council-opinions-empty' }, t('council.no_opinions'))),
    mayWrite ? textForm({
      id: 'council-opinion-form', textId: 'council-opinion-text', labelKey: 'council.opinion_text',
      hintKey: 'council.opinion_hint', submitKey: mine.opinion ? 'council.opinion_update' : 'council.opinion_submit',
      emptyCode: 'opinion_required', value: mine.opinion,
      action: async (text) => redraw(await api.councilOpinion(k.id, text), { key: 'council.opinion_saved' }),
    }) : null);
}

/** The documents the council studies (art. 19), kept on its consultation: the patient's side
 *  and the council's doctors read them and, until the council is over, add more (documents.js). */
function documentsPart(k, ctx) {
  if (!k.consultation_id || !(councilDoctor(k, ctx.me) || patientSide(k))) return null;
  return documentsPanel({ id: k.consultation_id }, ctx.zone,
    { canUpload: !closed(k), canComplete: false, redraw() {} });
}

/** The message on top after an action: done (ok) or why not (an error with its code). */
function flashLine(flash) {
  if (!flash) return null;
  if (flash.error) {
    return h('p', { id: 'council-flash', class: 'status status--error', role: 'alert', tabindex: '-1',
      dataset: { errorCode: flash.error.code || 'unknown' } }, errorText(flash.error));
  }
  // A signature names its method (NCALayer or the browser's key) in the text and in data-method.
  const dataset = flash.method ? { status: 'ok', method: flash.method } : { status: 'ok' };
  const method = flash.method ? t(`record.method.${flash.method}`) : '';
  return h('p', { id: 'council-flash', class: 'status status--ok', role: 'status', tabindex: '-1', dataset },
    t(flash.key, { method }));
}

/** The room for one state of the council; each action's answer draws it again. */
function page(k, ctx, flash = null) {
  const article = h('article', { class: 'council', id: 'council',
    dataset: { status: k.status, mode: k.mode, myRole: k.my_role || 'none' } });
  const redraw = (next, note = null) => {
    const fresh = page(next, ctx, note);
    article.replaceWith(fresh);
    const line = fresh.querySelector('#council-flash');
    if (line) line.focus();
  };
  const refresh = h('button', { type: 'button', class: 'button button--secondary', id: 'council-refresh',
    onclick: async () => {
      refresh.disabled = true;
      try {
        redraw(await api.council(k.id));
      } catch (err) {
        redraw(k, { error: err });
      }
    } }, t('council.refresh'));
  article.append(...[
    h('p', { class: 'back' }, h('a', { href: '#/councils' }, t('council.back'))),
    pageTitle(t('council.title')),
    flashLine(flash),
    h('p', { class: 'lead council-lead' }, t('consultation.zone_note', { zone: zoneLabel(ctx.zone) }), ' ', refresh),
    cancelledNote(k),
    h('section', { class: 'panel', 'aria-label': t('council.details') }, facts(k, ctx)),
    agreementSection(k, redraw),
    membersSection(k, ctx, redraw),
    joinSection(k, ctx),
    documentsPart(k, ctx),
    opinionsSection(k, ctx, redraw),
    ...conclusionParts(k, ctx, redraw),
    cancelSection(k, redraw),
    withdrawSection(k, redraw),
  ].filter(Boolean));
  return article;
}

export async function render({ params, query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('council.title', 'council.need_login');
  const [k, names, zone] = await Promise.all([api.council(params[0]), specialtyNames(), zoneOf(me)]);
  // Arriving from the new-council form with ?created=1; the marker leaves the address so that a
  // reload does not announce the council again.
  const created = Boolean(query.get('created'));
  if (created) window.history.replaceState(null, '', `#/councils/${encodeURIComponent(k.id)}`);
  return page(k, { me, names, zone }, created ? { key: 'council.created' } : null);
}
