// A doctor's week as a calendar: each day's working hours (the weekly pattern less the days off,
// in the organisation's local time) and the consultations booked in it. `#/my-week` is the
// signed-in doctor's own; the administrator's schedule page shows the same calendar.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { dayKey, formatDayMonth, formatTime, zoneLabel } from '../time.js';
import { signInNeeded, signedIn } from './common.js';
import { modeText, statusBadge } from './labels.js';

/** "2026-12-14" plus `days`, as a calendar date (no zone can shift it). */
function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days, 12)).toISOString().slice(0, 10);
}

const noon = (isoDate) => `${isoDate}T12:00:00Z`;

function booking(c, zone, linked) {
  const at = c.slot_start || c.deadline_at;
  const when = c.slot_start
    ? `${formatTime(c.slot_start, zone)}–${c.slot_end ? formatTime(c.slot_end, zone) : ''}`
    : t('week.deadline_at', { time: formatTime(c.deadline_at, zone) });
  const name = linked
    ? h('a', { href: `#/consultations/${encodeURIComponent(c.id)}` }, c.patient.full_name)
    : c.patient.full_name;
  return h('li', { class: `week-booking week-booking--${c.mode}`, dataset: { consultationId: c.id } },
    h('time', { datetime: at, class: 'week-booking-time' }, when), ' ', name,
    h('span', { class: 'week-booking-meta' }, modeText(c.mode), ' · ', statusBadge(c.status)));
}

function day(d, bookings, zone, linked, today) {
  const mine = bookings.filter((c) => dayKey(c.slot_start || c.deadline_at, zone) === d.date);
  const hours = d.day_off
    ? h('p', { class: 'week-off' }, t('week.day_off'), d.day_off_reason ? `: ${d.day_off_reason}` : '')
    : d.hours.length
      ? h('ul', { class: 'week-hours' }, d.hours.map((i) => h('li', {}, `${i.start}–${i.end}`)))
      : h('p', { class: 'muted week-none' }, t('week.not_working'));
  return h('li', {
    class: `week-day${d.day_off ? ' week-day--off' : ''}${d.date === today ? ' week-day--today' : ''}`,
    dataset: { date: d.date, dayOff: String(d.day_off), hours: d.hours.map((i) => `${i.start}-${i.end}`).join(',') },
    'aria-labelledby': `week-day-${d.date}`,
  },
  h('h3', { id: `week-day-${d.date}`, class: 'week-day-title' },
    h('span', {}, t(`weekday.${d.weekday}`)), ' ',
    h('time', { datetime: d.date, class: 'muted' }, formatDayMonth(noon(d.date), 'UTC'))),
  hours,
  mine.length ? h('ul', { class: 'week-bookings' }, mine.map((c) => booking(c, zone, linked))) : null);
}

/**
 * The calendar with its week pager. `load(date)` fetches the week containing `date`; `linked`
 * makes the patients' names links to their consultations. Returns `{ element, reload }`.
 */
export function weekCalendar({ load, date = null, linked = true }) {
  const element = h('div', { class: 'week', id: 'week' });
  let shown = date;
  async function reload(next = shown) {
    element.setAttribute('aria-busy', 'true');
    try {
      const w = await load(next);
      shown = w.week_start;
      const today = dayKey(new Date().toISOString(), w.time_zone);
      const last = addDays(w.week_start, 6);
      const go = (days) => () => reload(addDays(w.week_start, days));
      const pager = h('div', { class: 'slot-pager week-pager' },
        h('button', { type: 'button', class: 'button button--secondary', id: 'week-prev', onclick: go(-7) },
          t('week.previous')),
        h('p', { class: 'slot-week', id: 'week-range', 'aria-live': 'polite' },
          `${formatDayMonth(noon(w.week_start), 'UTC')} – ${formatDayMonth(noon(last), 'UTC')}`),
        h('button', { type: 'button', class: 'button button--secondary', id: 'week-next', onclick: go(7) },
          t('week.next')));
      element.replaceChildren(pager,
        h('p', { class: 'hint' }, t('week.zone_note', { tz: zoneLabel(w.time_zone) }),
          ' ', t('week.bookings_count', { n: w.consultations.length })),
        h('ol', { class: 'week-days' }, w.days.map((d) => day(d, w.consultations, w.time_zone, linked, today))));
      element.dataset.weekStart = w.week_start;
    } catch (err) {
      element.replaceChildren(h('p', { class: 'status status--error', role: 'alert' }, errorText(err)));
    }
    element.removeAttribute('aria-busy');
  }
  return { element, reload };
}

/** #/my-week — the signed-in doctor's own week. `?date=` opens the week of that day. */
export async function render({ query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('week.title', 'week.need_login');
  if (me.role !== 'doctor') {
    return h('section', { class: 'narrow' }, pageTitle(t('week.title')),
      h('p', { class: 'status status--error', role: 'alert' }, t('week.doctors_only')));
  }
  const wanted = /^\d{4}-\d{2}-\d{2}$/.test(query.get('date') || '') ? query.get('date') : null;
  const calendar = weekCalendar({
    load: (date) => {
      if (date) history.replaceState(null, '', `#/my-week?date=${date}`);
      return api.week(null, date);
    },
    date: wanted,
  });
  await calendar.reload();
  return h('section', { class: 'my-week', id: 'my-week' },
    pageTitle(t('week.title')),
    h('p', { class: 'lead' }, t('week.intro')),
    calendar.element);
}
