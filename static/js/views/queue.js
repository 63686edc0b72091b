// #/queue — for doctors, organisation administrators and patient support: open consultations in
// the order they are due (art. 9): a real-time one at its slot, a deferred request by its legal
// deadline (art. 8, 13) with the time left (overdue in red); and today's real-time
// consultations. Times are the organisation's local time. A deferred request shows what it asks
// for and whether it waits for documents; a doctor takes an unassigned one from here (art. 17).

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, t } from '../i18n.js';
import {
  dayKey, formatDuration, formatTime, timeEl, timeLeftText, userTimeZone, zoneLabel,
} from '../time.js';
import { scrollTable, signInNeeded, signedIn, specialtyNames } from './common.js';
import { moreButton } from './more.js';
import {
  deferredOpen, isStaff, modeText, requestKindText, statusBadge, urgencyText,
} from './labels.js';

function link(c, text) {
  return h('a', { href: `#/consultations/${encodeURIComponent(c.id)}` }, text);
}

function th(key, attrs = {}) {
  return h('th', { scope: 'col', ...attrs }, t(key));
}

/** A cell that names its column, so the row can be shown as a card on a phone. */
function td(key, attrs, ...content) {
  return h('td', { ...attrs, dataset: { ...(attrs.dataset || {}), label: t(key) } },
    h('div', {}, ...content));
}

/** The mode, and for a deferred request what it asks for (whether it waits: the time-left cell). */
function kindCell(c, names) {
  const d = c.mode === 'deferred' ? c.deferred : null;
  return [modeText(c.mode),
    d ? h('span', { class: 'tags queue-request', dataset: { kind: d.kind } },
      h('span', { class: 'tag' }, requestKindText(d.kind)),
      d.study_profile ? h('span', { class: 'tag' }, names.get(d.study_profile) || d.study_profile) : null)
      : null];
}

/** "Take" on a deferred request nobody has yet; the consultation's page opens on success. */
function takeButton(c, app, status) {
  const button = h('button', { type: 'button', class: 'button take', dataset: { consultationId: c.id } },
    t('deferred.take'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    status.className = 'status';
    delete status.dataset.errorCode;
    try {
      const taken = await api.take(c.id);
      app.go(`#/consultations/${encodeURIComponent(taken.id)}`);
    } catch (err) {
      button.disabled = false;
      status.textContent = errorText(err);
      status.className = 'status status--error';
      status.dataset.errorCode = err.code || 'unknown';
      status.focus();
    }
  });
  return button;
}

/** When it is due: a real-time consultation's slot, a deferred request's deadline (art. 9). */
function dueCell(c, zone) {
  if (c.mode === 'realtime' && c.slot_start) {
    return [timeEl(c.slot_start, zone), h('br'), h('span', { class: 'muted' }, t('queue.due_slot'))];
  }
  if (c.deadline_at) {
    return [timeEl(c.deadline_at, zone), h('br'), h('span', { class: 'muted' }, t('queue.due_deadline'))];
  }
  return h('span', { class: 'muted' }, '—');
}

/** How long until it is due; a deferred request whose clock stands says why instead. */
function leftText(c) {
  if (c.mode === 'realtime' && c.slot_start) {
    const seconds = Math.round((new Date(c.slot_start).getTime() - Date.now()) / 1000);
    return seconds > 0 ? t('queue.starts_in', { time: formatDuration(seconds) })
      : t('queue.started_at_slot', { time: formatDuration(seconds) });
  }
  if (c.deadline_at) return timeLeftText(c.time_left_seconds);
  return t(c.deferred && c.deferred.paused ? 'queue.paused' : 'queue.not_started');
}

function queueTable(list, zone, { me, app, names, status }, next) {
  if (!list.length) return h('div', { id: 'queue' }, h('p', { class: 'empty' }, t('queue.empty')));
  const takes = me.role === 'doctor';
  const row = (c) => queueRow(c, zone, { me, app, names, status, takes });
  const body = h('tbody', {}, list.map(row));
  return h('div', { id: 'queue' }, scrollTable('queue-caption', h('table', { class: 'table table--stack queue-table' },
    h('caption', { id: 'queue-caption' }, t('queue.caption', { tz: zone })),
    h('thead', {}, h('tr', {},
      th('queue.time_left'), th('queue.due'), th('consultation.urgency'),
      th('consultation.mode'), th('consultation.patient'), th('consultation.doctor'),
      th('consultation.status'), takes ? th('queue.action') : null)),
    body)),
  moreButton('queue-more', next, api.queuePage, (c) => body.append(row(c))));
}

/** One open consultation of the queue. */
function queueRow(c, zone, { app, names, status, takes }) {
  const deferred = c.mode === 'deferred';
  const overdue = Boolean(c.breached_at)
    || (deferred && c.time_left_seconds !== null && c.time_left_seconds < 0);
  const paused = Boolean(c.deferred && c.deferred.paused);
  const left = leftText(c);
  const row = h('tr', { class: overdue ? 'is-overdue' : null,
    dataset: { id: c.id, mode: c.mode, due: (deferred ? c.deadline_at : c.slot_start) || '' } },
    td('queue.time_left', { class: overdue ? 'overdue' : paused ? 'paused' : null,
      dataset: { seconds: deferred ? c.time_left_seconds ?? '' : '' } },
    overdue ? h('strong', {}, left) : left),
    td('queue.due', { class: 'queue-due' }, dueCell(c, zone)),
    td('consultation.urgency', {}, urgencyText(c.urgency)),
    td('consultation.mode', {}, kindCell(c, names)),
    td('consultation.patient', {}, link(c, c.patient.full_name)),
    td('consultation.doctor', {}, c.practitioner ? c.practitioner.full_name
      : h('span', { class: 'muted' }, t('consultation.no_doctor_yet'))),
    td('consultation.status', {}, statusBadge(c.status)),
    takes ? td('queue.action', {}, c.mode === 'deferred' && !c.practitioner && deferredOpen(c)
      ? takeButton(c, app, status) : null) : null);
  if (paused) row.dataset.paused = 'true';
  return row;
}

/** Real-time consultations taking place today in the organisation's zone, by start time. */
function todayTable(list, zone, me) {
  const today = dayKey(new Date().toISOString(), zone);
  const rows = list
    .filter((c) => c.mode === 'realtime' && c.slot_start && ['booked', 'in_progress'].includes(c.status))
    .filter((c) => dayKey(c.slot_start, zone) === today)
    .sort((a, b) => a.slot_start.localeCompare(b.slot_start));
  if (!rows.length) return h('div', { id: 'today' }, h('p', { class: 'empty' }, t('queue.today_empty')));
  const showDoctor = me.role !== 'doctor';
  return h('div', { id: 'today' }, scrollTable('today-caption', h('table', { class: 'table table--stack' },
    h('caption', { id: 'today-caption', class: 'visually-hidden' }, t('queue.today')),
    h('thead', {}, h('tr', {}, th('queue.time'), th('consultation.patient'),
      showDoctor ? th('consultation.doctor') : null, th('consultation.urgency'),
      th('consultation.status'))),
    h('tbody', {}, rows.map((c) => h('tr', { dataset: { id: c.id } },
      td('queue.time', {}, timeEl(c.slot_start, zone, formatTime), '–',
        timeEl(c.slot_end, zone, formatTime)),
      td('consultation.patient', {}, link(c, c.patient.full_name)),
      showDoctor ? td('consultation.doctor', {}, c.practitioner ? c.practitioner.full_name : '') : null,
      td('consultation.urgency', {}, urgencyText(c.urgency)),
      td('consultation.status', {}, statusBadge(c.status))))))));
}

export async function render(_route, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('queue.title', 'queue.need_login');
  if (!isStaff(me.role)) {
    return h('section', { class: 'narrow' }, pageTitle(t('queue.title')),
      h('p', { class: 'status status--error', role: 'alert' }, t('error.forbidden')));
  }
  const [first, mine, org, names] = await Promise.all([
    api.queuePage(), api.consultations(),
    me.organization_id ? api.organization(me.organization_id) : null,
    specialtyNames(),
  ]);
  const queue = first.items;
  const status = h('p', { id: 'queue-status', class: 'status', role: 'status', 'aria-live': 'polite',
    tabindex: '-1' });
  const zone = org ? org.time_zone : (queue[0] && queue[0].time_zone) || userTimeZone();
  const refresh = h('button', { type: 'button', class: 'button button--secondary', id: 'queue-refresh',
    onclick: () => app.go(location.hash) }, t('queue.refresh'));

  return h('section', { class: 'queue-page' },
    pageTitle(t('queue.title'), { id: 'queue-title' }),
    h('p', { class: 'lead queue-note' }, t('queue.zone_note', { zone: zoneLabel(zone) }), ' ', refresh),
    h('section', { class: 'panel', 'aria-labelledby': 'today-heading' },
      h('h2', { id: 'today-heading' }, t(me.role === 'doctor' ? 'queue.today_mine' : 'queue.today')),
      todayTable(mine, zone, me)),
    h('section', { class: 'panel', 'aria-labelledby': 'queue-heading' },
      h('h2', { id: 'queue-heading' }, t('queue.open')),
      status,
      queueTable(queue, zone, { me, app, names, status }, first.next)));
}
