// #/councils — "My councils" (art. 18–27): the councils the signed-in person started, was invited
// to as a consultant, or that examine them (or the patient they represent), newest first. A
// council waiting for the patient's agreement (art. 20) or for the viewer's answer says so.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { t } from '../i18n.js';
import { timeEl, zoneLabel } from '../time.js';
import { signInNeeded, signedIn } from './common.js';
import {
  closed, councilBadge, councilStatusText, myMember, mySignature, patientSide, zoneOf,
} from './council-labels.js';
import { modeText, urgencyText } from './labels.js';

/** What the viewer is expected to do next, if anything. */
function todo(k, me) {
  if (patientSide(k) && k.status === 'awaiting_agreement' && !k.patient_agreed_at) {
    return 'council.todo.agree';
  }
  if (closed(k)) return null;
  const mine = myMember(k, me);
  if (mine && mine.status === 'invited') return 'council.todo.answer';
  const sig = mySignature(k, me);
  if (sig && sig.status === 'awaited' && k.conclusion && ['frozen', 'dissent'].includes(k.conclusion.status)) {
    return 'council.todo.sign';
  }
  return null;
}

/**
 * A council's card. The consultations page shows the patient's councils with it too, `tagged`
 * as councils among the consultations.
 */
export function card(k, me, zone, tagged = false) {
  const href = `#/councils/${encodeURIComponent(k.id)}`;
  const next = todo(k, me);
  const when = k.mode === 'realtime' && k.scheduled_at ? timeEl(k.scheduled_at, zone)
    : k.deadline_at ? [t('council.deadline'), ': ', timeEl(k.deadline_at, zone)] : null;
  return h('li', { class: 'card council-card', dataset: { councilId: k.id, status: k.status } },
    h('h3', {}, tagged ? [h('span', { class: 'tag council-tag' }, t('consultations.council_tag')), ' '] : null,
      h('a', { href }, k.question)),
    when ? h('p', {}, when) : null,
    me.role === 'patient' ? null
      : h('p', { class: 'muted' }, t('consultation.patient'), ': ', k.patient.full_name),
    h('p', { class: 'muted' }, t('council.initiator'), ': ', k.initiator.full_name,
      k.initiator.organization ? ` (${k.initiator.organization.name})` : ''),
    h('p', { class: 'tags' },
      councilBadge(k.status, councilStatusText(k.status)),
      h('span', { class: 'tag' }, modeText(k.mode)),
      h('span', { class: 'tag' }, urgencyText(k.urgency)),
      next ? h('span', { class: 'tag tag--todo', dataset: { todo: next.split('.').pop() } }, t(next)) : null));
}

export async function render(_route, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('council.list_title', 'council.need_login');
  const [list, zone] = await Promise.all([api.councils(), zoneOf(me)]);
  const newLink = me.role === 'doctor'
    ? h('p', { id: 'new-council' },
      h('a', { href: '#/councils/new', id: 'new-council-link', class: 'button' }, t('council.new_link')),
      ' ', h('span', { class: 'hint' }, t('council.new_link_hint')))
    : null;
  return h('section', { class: 'councils' },
    pageTitle(t('council.list_title'), { id: 'councils-title' }),
    h('p', { class: 'lead' }, t('council.list_intro')),
    h('p', { class: 'muted', id: 'councils-zone' }, t('consultation.zone_note', { zone: zoneLabel(zone) })),
    newLink,
    list.length
      ? h('ul', { id: 'councils', class: 'cards', 'aria-labelledby': 'councils-title' },
        list.map((k) => card(k, me, zone)))
      : h('div', { id: 'councils' }, h('p', { class: 'empty' }, t('council.list_empty'))));
}
