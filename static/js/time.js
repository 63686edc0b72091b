// Instants from the API are UTC (RFC 3339). The patient sees them in their own time zone (the
// browser's); staff see them in the organisation's zone. Each page says which zone it uses.

import { h } from './dom.js';
import { locale, plural, t } from './i18n.js';
import { fallback } from './locale-data.js';

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

/**
 * An instant in a zone, in the interface language. `style` names the pattern of
 * locale-data.js used where the browser lacks the language's data (Kazakh in Debian's
 * Chromium prints "2026 M12 16, Wed"); `options` are Intl's otherwise.
 */
function format(iso, timeZone, style, options) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const data = fallback();
  if (data && style) {
    try {
      return data[style](partsIn(date, timeZone));
    } catch {
      return data[style](partsIn(date, 'UTC'));
    }
  }
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

/** "понедельник, 23 ноября"; "23 қараша, дүйсенбі" */
export function formatDay(iso, timeZone) {
  return format(iso, timeZone, 'day', { weekday: 'long', day: 'numeric', month: 'long' });
}

/** "23 нояб."; "23 қар."; "23 Nov" */
export function formatDayMonth(iso, timeZone) {
  return format(iso, timeZone, 'dayMonth', { day: 'numeric', month: 'short' });
}

/** "09:30": digits in every language, so Intl's own output serves. */
export function formatTime(iso, timeZone) {
  return format(iso, timeZone, null, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** "пн, 23 нояб. 2026 г., 09:30"; "2026 ж. 23 қар., дс, 09:30" */
export function formatDateTime(iso, timeZone) {
  return format(iso, timeZone, 'dateTime', {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
}

/** An instant in a zone, date written out: "16 декабря 2026 г. в 09:30"; "2026 ж. 16 желтоқсан, 09:30" */
export function formatInstant(iso, timeZone) {
  return format(iso, timeZone, 'instant', { dateStyle: 'long', timeStyle: 'short' });
}

/** The day of an instant in a zone, without weekday: "16 декабря 2026 г."; "2026 ж. 16 желтоқсан" */
export function formatLongDate(iso, timeZone) {
  return format(iso, timeZone, 'longDate', { day: 'numeric', month: 'long', year: 'numeric' });
}

/**
 * "2026-12-16" → "ср, 16 декабря 2026 г."; "2026 ж. 16 желтоқсан, ср". A calendar date, so no
 * time zone shifts it: it is read and shown at UTC noon.
 */
export function formatDate(isoDate) {
  const [y, m, d] = String(isoDate).split('-').map(Number);
  if (!y || !m || !d) return isoDate;
  return format(new Date(Date.UTC(y, m - 1, d, 12)).toISOString(), 'UTC', 'date', {
    weekday: 'short', day: 'numeric', month: 'long', year: 'numeric',
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
