// #/organizations/{id}/admin — the administrator's starting page: what is set up and what is
// missing (offer, price list, doctors without a schedule), with the way to each page.

import { api } from '../api.js';
import { h } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { adminFrame, adminHash, requireManager } from './admin-common.js';

function check(id, done, key, vars, href, linkKey) {
  return h('li', { class: `admin-check admin-check--${done ? 'done' : 'todo'}`, id, dataset: { done: String(done) } },
    h('span', { class: 'admin-check-mark', 'aria-hidden': 'true' }, done ? '✓' : '!'),
    h('span', {}, t(key, vars), ' ', h('a', { href }, t(linkKey))));
}

export async function render({ params }, app) {
  const orgId = params[0];
  const { me, page } = await requireManager(app, orgId, 'admin.home.title');
  if (page) return page;
  const [org, staff] = await Promise.all([api.organizationForEdit(orgId), api.staff(orgId)]);
  const active = staff.filter((u) => !u.deactivated_at);
  const doctors = active.filter((u) => u.practitioner_id);
  const scheduled = new Set(org.practitioners.filter((p) => p.schedule.weekly.length).map((p) => p.id));
  const unscheduled = doctors.filter((d) => !scheduled.has(d.practitioner_id));
  const translated = Object.keys(org.translations || {}).length > 0;
  const checks = h('ul', { class: 'admin-checks', id: 'admin-checks' },
    check('check-offer', Boolean(org.offer), org.offer ? 'admin.home.offer_ok' : 'admin.home.offer_missing',
      { version: org.offer ? org.offer.version : '' }, adminHash(orgId, '/offer'), 'admin.tab.offer'),
    check('check-prices', !org.paid || org.price_list.length > 0,
      org.paid ? 'admin.home.prices_paid' : 'admin.home.prices_free', { n: formatNumber(org.price_list.length) },
      adminHash(orgId, '/prices'), 'admin.tab.prices'),
    check('check-texts', translated, translated ? 'admin.home.texts_ok' : 'admin.home.texts_missing', {},
      adminHash(orgId, '/details'), 'admin.tab.details'),
    check('check-schedules', unscheduled.length === 0, 'admin.home.schedules',
      { n: formatNumber(doctors.length), missing: formatNumber(unscheduled.length) },
      adminHash(orgId, '/staff'), 'admin.tab.staff'));
  const doctorList = doctors.length
    ? h('ul', { class: 'cards', id: 'admin-doctors' }, doctors.map((d) => h('li', { class: 'card' },
      h('h3', {}, h('a', { href: `#/practitioners/${encodeURIComponent(d.practitioner_id)}/admin` }, d.full_name)),
      h('p', { class: 'muted' }, scheduled.has(d.practitioner_id)
        ? t('admin.home.has_schedule') : t('admin.home.no_schedule')),
      d.invitation_pending ? h('p', { class: 'muted' }, t('admin.staff.state.invited')) : null)))
    : h('p', { class: 'empty' }, t('admin.home.no_doctors'));
  return adminFrame(org, me, '', t('admin.home.title'),
    h('p', { class: 'lead' }, t('admin.home.intro', { name: org.name })),
    h('section', { class: 'panel', 'aria-labelledby': 'admin-checks-heading' },
      h('h2', { id: 'admin-checks-heading' }, t('admin.home.checks')), checks),
    h('section', { class: 'panel', 'aria-labelledby': 'admin-doctors-heading' },
      h('h2', { id: 'admin-doctors-heading' }, t('admin.home.doctors')),
      h('p', { class: 'hint' }, t('admin.home.doctors_hint')), doctorList),
    // Break-the-glass grants and their reasons, which the administrators' mail links to.
    h('p', {}, h('a', { href: '#/break-glass/review', id: 'admin-break-glass-review' }, t('break_glass.review_link'))));
}
