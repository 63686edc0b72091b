// Instants from the API are UTC (RFC 3339). The patient sees them in their own time zone (the
// browser's); staff see them in the organisation's zone. Each page says which zone it uses.

import { h } from './dom.js';
import { locale, plural, t } from './i18n.js';

/**
 * The browser's IANA time zone, e.g. "Asia/Almaty". A system without a usable zone reports
 * something like "Etc/Unknown", which Intl then refuses; UTC is said and used instead.
 */
export function userTimeZone() {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// Some browsers claim a locale (Kazakh, in Debian's Chromium) without its month and day names
// and print "2026 M11 23, Mon". Then the names come from the interface texts instead.
const namesMissing = new Map();

function lacksNames() {
  const loc = locale();
  if (!namesMissing.has(loc)) {
    const sample = new Intl.DateTimeFormat(loc, { month: 'long', timeZone: 'UTC' })
      .format(new Date(Date.UTC(2026, 0, 15)));
    namesMissing.set(loc, /M\d|^\d+$/.test(sample));
  }
  return namesMissing.get(loc);
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Day, month, year, weekday (1 = Monday) and hh:mm of an instant in a zone. */
function partsIn(date, timeZone) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  return {
    year: get('year'), month: Number(get('month')), day: Number(get('day')),
    weekday: WEEKDAYS.indexOf(get('weekday')) + 1, time: `${get('hour')}:${get('minute')}`,
  };
}

function byHand(date, timeZone, options) {
  let p;
  try {
    p = partsIn(date, timeZone);
  } catch {
    p = partsIn(date, 'UTC');
  }
  const month = t(`month.${p.month}`);
  if (options.hour && !options.day) return p.time;
  if (!options.hour) return `${t(`weekday.${p.weekday}`)}, ${p.day} ${month}`;
  return `${t(`weekday.short.${p.weekday}`)}, ${p.day} ${month} ${p.year}, ${p.time}`;
}

function format(iso, timeZone, options) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if ((options.month || options.weekday) && lacksNames()) return byHand(date, timeZone, options);
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale(), options).format(date);
  }
}

/** "2026-11-23": the calendar day of an instant in a zone, to group slots by. */
export function dayKey(iso, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric', month: '2-digit', day: '2-digit', timeZone,
  }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "понедельник, 23 ноября" */
export function formatDay(iso, timeZone) {
  return format(iso, timeZone, { weekday: 'long', day: 'numeric', month: 'long' });
}

/** "09:30" */
export function formatTime(iso, timeZone) {
  return format(iso, timeZone, { hour: '2-digit', minute: '2-digit' });
}

/** "пн, 23 нояб. 2026 г., 09:30" */
export function formatDateTime(iso, timeZone) {
  return format(iso, timeZone, {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit',
  });
}

/** "Asia/Almaty (GMT+5)": the zone with its current offset. */
export function zoneLabel(timeZone) {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'shortOffset' })
      .formatToParts(new Date());
    const offset = parts.find((p) => p.type === 'timeZoneName');
    return offset ? `${timeZone} (${offset.value})` : timeZone;
  } catch {
    return timeZone;
  }
}

/** A <time> element for an instant, shown in a zone. */
export function timeEl(iso, timeZone, formatter = formatDateTime) {
  return h('time', { datetime: iso }, formatter(iso, timeZone));
}

/** 93784 → "1 день 2 часа 3 минуты" (at most the two largest units). */
export function formatDuration(seconds) {
  let rest = Math.max(0, Math.round(Math.abs(seconds) / 60));
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  const parts = [];
  if (days) parts.push(plural('unit.days', days));
  if (hours) parts.push(plural('unit.hours', hours));
  if (minutes && !days) parts.push(plural('unit.minutes', minutes));
  return parts.length ? parts.join(' ') : plural('unit.minutes', 0);
}

/** Time left until a deadline; negative means overdue. */
export function timeLeftText(seconds) {
  if (seconds === null || seconds === undefined) return t('consultation.clock_not_started');
  return seconds < 0
    ? t('consultation.overdue_by', { time: formatDuration(seconds) })
    : t('consultation.left', { time: formatDuration(seconds) });
}

/** The wall-clock reading of an instant in a zone, as whole milliseconds since the epoch "in UTC". */
function wallClock(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: 'numeric', day: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/**
 * "2026-12-01T10:30" from a datetime-local input, read in the given zone (not the browser's), as
 * an RFC 3339 instant in UTC; null when the value is not such a time.
 */
export function instantFromLocal(value, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value || '');
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // The zone's offset at a first guess, then at the corrected one, in case a clock change lies
  // between them.
  let guess = wall;
  for (let i = 0; i < 2; i += 1) guess = wall - (wallClock(guess, timeZone) - guess);
  return new Date(guess).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The value a datetime-local input shows for an instant in a zone: "2026-12-01T10:30". */
export function localInputValue(date, timeZone) {
  return new Date(wallClock(date.getTime(), timeZone)).toISOString().slice(0, 16);
}
