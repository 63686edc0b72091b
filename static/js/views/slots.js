// Free slots as buttons grouped by day, in the zone the caller chooses (the patient's own).
// Each button carries data-start (the UTC instant the API expects back) and aria-pressed.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dayKey, formatDay, formatTime } from '../time.js';

let pickerSeq = 0;

/**
 * slotPicker(slots, 'Asia/Almaty', {id: 'slots', selected: start, onPick(slot, button)})
 * The container is a region labelled by `labelId`, so it can be found and scrolled.
 */
export function slotPicker(slots, timeZone, { id, labelId, selected = null, onPick }) {
  const container = h('div', { id, class: 'slot-days', role: 'group', 'aria-labelledby': labelId });
  if (!slots.length) {
    container.append(h('p', { class: 'muted empty' }, t('booking.no_slots')));
    return container;
  }
  const prefix = `slot-day-${++pickerSeq}`;
  const days = new Map();
  for (const slot of slots) {
    const key = dayKey(slot.start, timeZone);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(slot);
  }
  const buttons = [];
  let n = 0;
  for (const [key, daySlots] of days) {
    const headingId = `${prefix}-${n++}`;
    const list = h('ul', { class: 'slot-list', 'aria-labelledby': headingId },
      daySlots.map((slot) => {
        const button = h('button', {
          type: 'button',
          class: 'slot',
          'aria-pressed': slot.start === selected ? 'true' : 'false',
          'aria-describedby': headingId,
          dataset: { start: slot.start, end: slot.end },
        }, h('time', { datetime: slot.start }, formatTime(slot.start, timeZone)));
        button.addEventListener('click', () => {
          for (const b of buttons) b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
          onPick(slot, button);
        });
        buttons.push(button);
        return h('li', {}, button);
      }));
    container.append(h('section', { class: 'slot-day', dataset: { day: key } },
      h('h4', { id: headingId, class: 'slot-day-title' }, formatDay(daySlots[0].start, timeZone)),
      list));
  }
  return container;
}

/** Forgets the chosen slot (after it was booked or the list was reloaded). */
export function clearPicked(container) {
  for (const b of container.querySelectorAll('.slot[aria-pressed="true"]')) {
    b.setAttribute('aria-pressed', 'false');
  }
}
