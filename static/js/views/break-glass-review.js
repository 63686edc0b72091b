// #/break-glass/review — an organisation's administrators review the times its doctors broke the
// glass: who opened whose chart, when, until when, and the reason they stated. The mail that
// tells the administrators of a grant links here: the reason can describe the patient's
// condition, so it stays out of mail. Each view is in the patients' access logs.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { t } from '../i18n.js';
import { timeEl, zoneLabel } from '../time.js';
import { signInNeeded, signedIn } from './common.js';
import { zoneOf } from './council-labels.js';

function grantCard(g, zone) {
  const state = g.active ? 'active' : 'expired';
  return h('li', { class: 'card break-glass-grant', dataset: { grantId: g.id, state } },
    h('h3', {}, g.doctor.full_name, ' → ', g.patient.full_name),
    h('p', { class: 'tags' },
      h('span', { class: `badge badge--${g.active ? 'alert' : 'cancelled'}`, dataset: { status: state } },
        t(`break_glass.review_${state}`))),
    h('dl', { class: 'facts' },
      h('div', { class: 'item' }, h('dt', {}, t('break_glass.review_doctor')), h('dd', {}, g.doctor.full_name)),
      h('div', { class: 'item' }, h('dt', {}, t('break_glass.review_patient')), h('dd', {}, g.patient.full_name)),
      h('div', { class: 'item' }, h('dt', {}, t('break_glass.review_when')),
        h('dd', {}, timeEl(g.opened_at, zone), ' ', t('break_glass.review_until'), ' ', timeEl(g.expires_at, zone))),
      h('div', { class: 'item' }, h('dt', {}, t('break_glass.review_reason')),
        h('dd', {}, h('q', { class: 'prewrap break-glass-reason' }, g.reason)))));
}

export async function render(_route, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('break_glass.review_title', 'break_glass.review_need_login');
  const title = pageTitle(t('break_glass.review_title'), { id: 'break-glass-review-title' });
  if (me.role !== 'org_admin' || !me.organization_id) {
    return h('section', { class: 'narrow' }, title,
      h('p', { role: 'status', id: 'break-glass-review' }, t('break_glass.review_only_admins')));
  }
  const [grants, zone] = await Promise.all([api.breakGlassReview(me.organization_id), zoneOf(me)]);
  return h('section', { class: 'break-glass-review' },
    title,
    h('p', { class: 'lead' }, t('break_glass.review_intro')),
    h('p', { class: 'muted' }, t('consultation.zone_note', { zone: zoneLabel(zone) })),
    grants.length
      ? h('ul', { id: 'break-glass-review', class: 'cards', 'aria-labelledby': 'break-glass-review-title' },
        grants.map((g) => grantCard(g, zone)))
      : h('p', { id: 'break-glass-review', class: 'empty' }, t('break_glass.review_empty')));
}
