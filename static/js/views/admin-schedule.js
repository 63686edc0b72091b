// A doctor's weekly pattern and days off as the administrator edits them (art. 34: the work
// schedule is public). Intervals are the organisation's local time; a weekday may have several
// (a split shift). Saved as one unit: readers never see half of it.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, showOk, statusLine } from '../forms.js';
import { formatDate, t } from '../i18n.js';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
let nextId = 0;

function timeInput(id, labelText, value) {
  const input = h('input', { type: 'time', id, name: id, step: '300', required: true });
  input.value = value || '';
  return h('span', { class: 'field field--inline' }, h('label', { for: id }, labelText), input);
}

function intervalRow(weekday, interval, onRemove) {
  const n = nextId++;
  const day = t(`weekday.${weekday}`);
  const li = h('li', { class: 'interval', dataset: { interval: String(n) } },
    timeInput(`interval-${n}-start`, t('prac.from'), interval.start),
    timeInput(`interval-${n}-end`, t('prac.to'), interval.end));
  li.append(h('button', { type: 'button', class: 'button button--secondary interval-remove',
    'aria-label': t('admin.schedule.remove_interval', { day }), onclick: () => onRemove(li) }, '×'));
  return li;
}

function dayOffRow(d, onRemove) {
  const li = h('li', { class: 'day-off', dataset: { date: d.date, reason: d.reason || '' } },
    h('time', { datetime: d.date }, formatDate(d.date)), d.reason ? ` — ${d.reason}` : '');
  li.append(' ', h('button', { type: 'button', class: 'link-button day-off-remove',
    'aria-label': t('admin.schedule.remove_day_off', { date: formatDate(d.date) }),
    onclick: () => onRemove(li) }, t('admin.schedule.remove')));
  return li;
}

/** The editor; `onSaved(practitioner)` runs after each save (to redraw the week). */
export function scheduleEditor(p, onSaved) {
  const status = statusLine('schedule-status');
  const form = h('form', { class: 'form schedule-form', id: 'schedule-form', novalidate: true });
  const days = new Map();
  const removeInterval = (li) => {
    const list = li.parentElement;
    li.remove();
    list.closest('.weekday').dataset.count = String(list.children.length);
    list.closest('.weekday').querySelector('.interval-add').focus();
  };
  const addTo = (weekday, interval) => {
    const list = days.get(weekday);
    const row = intervalRow(weekday, interval, removeInterval);
    list.append(row);
    list.closest('.weekday').dataset.count = String(list.children.length);
    return row;
  };
  const weekdays = h('ol', { class: 'weekdays', id: 'schedule-weekdays' }, WEEKDAYS.map((w) => {
    const list = h('ul', { class: 'intervals', id: `weekday-${w}-intervals` });
    days.set(w, list);
    const add = h('button', { type: 'button', class: 'button button--secondary interval-add', id: `weekday-${w}-add` },
      t('admin.schedule.add_interval'));
    add.addEventListener('click', () => addTo(w, { start: '09:00', end: '13:00' }).querySelector('input').focus());
    return h('li', { class: 'weekday', dataset: { weekday: String(w), count: '0' } },
      h('h3', { class: 'weekday-name' }, t(`weekday.${w}`)), list, add);
  }));
  for (const i of p.schedule.weekly) addTo(i.weekday, i);

  // Monday's hours for the other working days: most clinics keep one pattern all week.
  const copy = h('button', { type: 'button', class: 'button button--secondary', id: 'schedule-copy-monday' },
    t('admin.schedule.copy_monday'));
  copy.addEventListener('click', () => {
    const monday = readIntervals(days.get(1));
    for (const w of [2, 3, 4, 5]) {
      days.get(w).replaceChildren();
      for (const i of monday) addTo(w, i);
    }
  });

  const offList = h('ul', { class: 'days-off-list', id: 'days-off-list' });
  const removeOff = (li) => {
    li.remove();
    offDate.focus();
  };
  for (const d of [...p.schedule.days_off].sort((a, b) => a.date.localeCompare(b.date))) {
    offList.append(dayOffRow(d, removeOff));
  }
  const offDate = h('input', { type: 'date', id: 'day-off-date', name: 'day-off-date' });
  const offReason = h('input', { type: 'text', id: 'day-off-reason', name: 'day-off-reason', maxlength: '200' });
  const offAdd = h('button', { type: 'button', class: 'button button--secondary', id: 'day-off-add' },
    t('admin.schedule.add_day_off'));
  offAdd.addEventListener('click', () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(offDate.value)) {
      offDate.setAttribute('aria-invalid', 'true');
      offDate.focus();
      return;
    }
    offDate.removeAttribute('aria-invalid');
    const taken = [...offList.children].some((li) => li.dataset.date === offDate.value);
    if (!taken) {
      const rows = [...offList.children, dayOffRow({ date: offDate.value, reason: offReason.value.trim() }, removeOff)];
      rows.sort((a, b) => a.dataset.date.localeCompare(b.dataset.date));
      offList.replaceChildren(...rows);
    }
    offDate.value = '';
    offReason.value = '';
    offDate.focus();
  });

  form.append(
    h('h3', {}, t('admin.schedule.weekly')),
    h('p', { class: 'hint' }, t('prac.schedule_note', { tz: p.time_zone })),
    weekdays,
    h('div', { class: 'actions' }, copy),
    h('h3', {}, t('prac.days_off')),
    offList,
    h('div', { class: 'day-off-new' },
      h('div', { class: 'field' }, h('label', { for: 'day-off-date' }, t('admin.schedule.day_off_date')), offDate),
      h('div', { class: 'field' }, h('label', { for: 'day-off-reason' }, t('admin.schedule.day_off_reason')), offReason),
      offAdd),
    h('button', { type: 'submit', class: 'button', id: 'schedule-save' }, t('admin.schedule.save')),
    status);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const weekly = WEEKDAYS.flatMap((w) => readIntervals(days.get(w)).map((i) => ({ weekday: w, ...i })));
    const daysOff = [...offList.children].map((li) => ({ date: li.dataset.date, reason: li.dataset.reason }));
    busy(form, async () => {
      try {
        const saved = await api.setSchedule(p.id, { weekly, days_off: daysOff });
        showOk(status, form, 'admin.schedule.saved');
        onSaved(saved);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

function readIntervals(list) {
  return [...list.querySelectorAll('.interval')].map((li) => {
    const n = li.dataset.interval;
    return {
      start: li.querySelector(`#interval-${n}-start`).value,
      end: li.querySelector(`#interval-${n}-end`).value,
    };
  });
}
