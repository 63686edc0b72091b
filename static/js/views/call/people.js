// The waiting room from both sides: the screen a patient (or a relative, an interpreter) sees
// until a doctor admits them, and the doctors' list of who is waiting, with Admit and Reject.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { deviceChoice } from './devices.js';
import { roleText } from './screens.js';

export function waitingRoom(s, video) {
  const devices = deviceChoice(s);
  const heading = h('h2', { tabindex: '-1' }, t('call.waiting_title'));
  const el = h('div', { id: 'waiting-room', class: 'waiting-room panel' },
    heading,
    h('p', {}, t('call.waiting_hint')),
    h('div', { class: 'preview-stage' }, video, h('p', { class: 'preview-no-camera' }, t('call.no_camera_preview'))),
    devices.el,
    h('p', { class: 'actions' },
      h('button', { type: 'button', class: 'button button--secondary', id: 'leave-call', onclick: () => s.leave() },
        t('call.leave_waiting'))));
  return {
    el,
    focus: heading,
    update() {
      devices.update();
      el.querySelector('.preview-stage').dataset.camera = String(Boolean(s.media && s.media.hasCamera));
    },
  };
}

function waitingItem(s, p) {
  return h('li', { class: 'waiting-item', dataset: { participantId: p.participant_id } },
    h('span', { class: 'waiting-name' }, p.name),
    h('span', { class: 'muted' }, roleText(p.role)),
    h('span', { class: 'actions' },
      h('button', { type: 'button', class: 'button admit', onclick: () => s.admit(p.participant_id),
        'aria-label': t('call.admit_who', { name: p.name }) }, t('call.admit')),
      h('button', { type: 'button', class: 'button button--secondary reject',
        onclick: () => s.reject(p.participant_id), 'aria-label': t('call.reject_who', { name: p.name }) },
      t('call.reject'))));
}

/** For doctors: who waits to be admitted. Items are kept, not redrawn, so focus stays put. */
export function waitingPanel(s) {
  const list = h('ul', { id: 'waiting-list', class: 'waiting-list' });
  const count = h('span', { class: 'count' });
  const empty = h('p', { class: 'muted' }, t('call.nobody_waiting'));
  const el = h('section', { class: 'call-panel', 'aria-labelledby': 'waiting-heading' },
    h('h2', { id: 'waiting-heading' }, t('call.waiting_list'), ' ', count), list, empty);
  const items = new Map();
  return {
    el,
    update() {
      const waiting = s.waiting();
      const ids = new Set(waiting.map((p) => p.participant_id));
      for (const [id, li] of items) {
        if (!ids.has(id)) {
          li.remove();
          items.delete(id);
        }
      }
      for (const p of waiting) {
        if (!items.has(p.participant_id)) {
          const li = waitingItem(s, p);
          items.set(p.participant_id, li);
          list.append(li);
        }
      }
      count.textContent = waiting.length ? `(${waiting.length})` : '';
      empty.hidden = waiting.length > 0;
      el.dataset.waiting = String(waiting.length);
    },
  };
}
