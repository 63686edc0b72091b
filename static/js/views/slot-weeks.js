// Paging the free slots by week, in the patient's zone, up to the booking horizon that the
// slots API reports (booking.horizon_days ahead): week 0 starts today at midnight, each next
// one seven days later.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dayKey, formatDayMonth, formatLongDate, instantFromLocal } from '../time.js';

/** "2026-12-16" plus n days, as a calendar date (no zone shifts it). */
function addDays(key, n) {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

const ms = (iso) => new Date(iso).getTime();

/** The UTC instants where week `n` starts and ends in the zone: [from, to). */
export function weekWindow(n, timeZone, now = new Date()) {
  const today = dayKey(now.toISOString(), timeZone);
  const at = (days) => instantFromLocal(`${addDays(today, days)}T00:00`, timeZone);
  return { from: at(7 * n), to: at(7 * (n + 1)) };
}

/** Whether week `n` starts before the horizon (an ISO instant; none known: only week 0). */
export function weekOpen(n, timeZone, horizon) {
  if (n < 0) return false;
  if (n === 0) return true;
  if (!horizon) return false;
  return ms(weekWindow(n, timeZone).from) < ms(horizon);
}

/** The week's slots only, from a list that may reach past it. */
export function inWeek(slots, { from, to }) {
  return slots.filter((s) => ms(s.start) >= ms(from) && ms(s.start) < ms(to));
}

/**
 * The pager: "previous week", the week's dates, "next week", and the horizon. `go(n)` loads and
 * shows week n; `update(n, horizon)` redraws the pager for it.
 */
export function weekPager(timeZone, go) {
  const prev = h('button', { type: 'button', class: 'button button--secondary', id: 'slots-prev' },
    t('booking.week_prev'));
  const next = h('button', { type: 'button', class: 'button button--secondary', id: 'slots-next' },
    t('booking.week_next'));
  const label = h('p', { id: 'slots-week', class: 'slot-week', 'aria-live': 'polite' });
  const horizonNote = h('p', { id: 'slots-horizon', class: 'hint' });
  const element = h('div', { class: 'slot-weeks' },
    h('nav', { class: 'slot-pager', 'aria-label': t('booking.week_nav') }, prev, label, next),
    horizonNote);
  let week = 0;
  prev.addEventListener('click', () => go(week - 1));
  next.addEventListener('click', () => go(week + 1));

  function update(n, horizon) {
    week = n;
    const { from, to } = weekWindow(n, timeZone);
    const last = new Date(new Date(to).getTime() - 1).toISOString();
    label.textContent = t('booking.week_label',
      { from: formatDayMonth(from, timeZone), to: formatDayMonth(last, timeZone) });
    label.dataset.week = String(n);
    label.dataset.from = from;
    prev.disabled = n === 0;
    next.disabled = !weekOpen(n + 1, timeZone, horizon);
    horizonNote.textContent = horizon ? t('booking.horizon', { date: formatLongDate(horizon, timeZone) }) : '';
  }
  return { element, update };
}
