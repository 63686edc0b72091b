// #/practitioners/{id} — a doctor's profile, weekly schedule (organisation's local time) and the
// booking section (free slots in the patient's own time zone). ?slot=<UTC start> keeps a chosen
// slot across a change of language.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, formatDate, plural, t } from '../i18n.js';
import { bookingSection } from './booking.js';
import { backLink, item, scrollTable, specialtyNames } from './common.js';

function weekly(p) {
  const rows = [...p.schedule.weekly]
    .sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  if (!rows.length) return h('p', { class: 'muted' }, t('prac.no_schedule'));
  return scrollTable('schedule-caption', h('table', { class: 'table', id: 'schedule' },
    h('caption', { id: 'schedule-caption' }, t('prac.schedule_note', { tz: p.time_zone })),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('prac.weekday')),
      h('th', { scope: 'col' }, t('prac.from')),
      h('th', { scope: 'col' }, t('prac.to')))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('th', { scope: 'row' }, t(`weekday.${r.weekday}`)),
      h('td', {}, h('time', {}, r.start)),
      h('td', {}, h('time', {}, r.end)))))));
}

function daysOff(p) {
  const days = [...p.schedule.days_off].sort((a, b) => a.date.localeCompare(b.date));
  if (!days.length) return h('p', { class: 'muted' }, t('prac.no_days_off'));
  return h('ul', { class: 'days-off', id: 'days-off' }, days.map((d) => h('li', {},
    h('time', { datetime: d.date }, formatDate(d.date)),
    d.reason ? ` — ${d.reason}` : '')));
}

/** Who is signed in, or null; other failures still show the page. */
async function whoAmI() {
  try {
    return await api.me();
  } catch {
    return null;
  }
}

async function freeSlots(id) {
  try {
    const list = await api.slots(id);
    return list.length
      ? { slots: list[0].slots, bookableUntil: list[0].bookable_until, slotsError: null }
      : { slots: [], slotsError: null };
  } catch (err) {
    return { slots: [], slotsError: errorText(err) };
  }
}

export async function render({ params, query }, app) {
  const [p, names, me, free] = await Promise.all([
    api.practitioner(params[0]), specialtyNames(), whoAmI(), freeSlots(params[0])]);
  if (!me && app.user) app.setUser(null);
  const org = await api.organization(p.organization_id);
  const booking = await bookingSection({ practitioner: p, org, me, query, ...free });
  const specialties = p.specialties.length ? h('ul', { class: 'inline-list' },
    p.specialties.map((s) => h('li', {}, `${names.get(s.code) || s.code} — `,
      t('prac.experience', { years: plural('unit.years', s.experience_years) })))) : '';

  return h('article', { class: 'practitioner', id: 'practitioner' },
    backLink(),
    pageTitle(p.full_name),
    h('section', { class: 'panel' }, h('dl', { class: 'facts' },
      item('position', t('prac.position'), p.position),
      item('organization', t('prac.organization'),
        h('a', { href: `#/organizations/${encodeURIComponent(p.organization_id)}` },
          p.organization_name)),
      item('specialties', t('prac.specialties'), specialties),
      item('qualification_category', t('prac.category'), p.qualification_category),
      item('academic_degree', t('prac.degree'), p.academic_degree))),
    booking,
    h('section', { class: 'panel', 'aria-labelledby': 'schedule-heading' },
      h('h2', { id: 'schedule-heading' }, t('prac.schedule')), weekly(p)),
    h('section', { class: 'panel', 'aria-labelledby': 'days-off-heading' },
      h('h2', { id: 'days-off-heading' }, t('prac.days_off')), daysOff(p)));
}
