// The call page's simple phases: the camera preview with the Join button, the ended screen with
// its reason, and the error screen (not a participant, not a real-time consultation, or not open
// yet: then it waits for the opening time and opens the call by itself).

import { h } from '../../dom.js';
import { has, t } from '../../i18n.js';
import { timeEl } from '../../time.js';
import { zoneFor } from '../labels.js';
import { deviceChoice } from './devices.js';

/** setTimeout cannot wait longer than about 24 days; shorter steps also absorb a sleeping laptop. */
const STEP_MS = 60_000;

export function roleText(role) {
  return has(`call.role.${role}`) ? t(`call.role.${role}`) : role;
}

export function previewScreen(s, video) {
  const devices = deviceChoice(s);
  const problem = h('p', { id: 'media-problem', class: 'hint', role: 'status' });
  const stage = h('div', { class: 'preview-stage' }, video,
    h('p', { class: 'preview-no-camera' }, t('call.no_camera_preview')));
  const action = h('div', { class: 'actions' });
  const starting = h('p', { class: 'loading' }, t('call.starting_media'));
  const join = h('button', { type: 'button', id: 'join-button', class: 'button call-join', onclick: () => s.join() },
    t('call.join_button'));
  const heading = h('h2', { tabindex: '-1' }, t('call.preview_title'));
  const el = h('div', { class: 'call-preview' },
    heading,
    h('p', { class: 'hint' }, t('call.preview_hint')),
    s.role
      ? h('p', { id: 'call-role', dataset: { role: s.role } }, t('call.joining_as', { role: roleText(s.role) }))
      : null,
    stage, problem, devices.el, action);
  return {
    el,
    update() {
      devices.update();
      const m = s.media;
      stage.dataset.camera = String(Boolean(m && m.hasCamera));
      problem.textContent = m && m.problem ? t(m.problem) : '';
      problem.hidden = !(m && m.problem);
      // The button appears once the camera question is settled, so a click always joins with
      // whatever media there is (tracks added later would miss the first answer).
      if (!s.mediaReady) {
        if (starting.parentNode !== action) action.replaceChildren(starting);
        return;
      }
      if (join.parentNode !== action) action.replaceChildren(join);
      join.disabled = s.joining;
    },
  };
}

function endedKey(reason) {
  if (has(`call.ended.${reason}`)) return `call.ended.${reason}`;
  if (has(`error.${reason}`)) return `error.${reason}`;
  return 'call.ended.other';
}

export function endedScreen(s, actions) {
  const { reason, detail } = s.ended || { reason: 'other' };
  const heading = h('h2', { tabindex: '-1' }, t('call.ended_title'));
  const again = reason === 'left' || reason === 'replaced';
  const el = h('div', { id: 'call-ended', class: 'call-ended panel', dataset: { reason } },
    heading,
    h('p', { id: 'call-ended-reason' }, t(endedKey(reason))),
    detail ? h('p', {}, t('call.rejected_reason'), ' ', h('q', {}, detail)) : null,
    h('p', { class: 'actions' },
      h('a', { href: `#/consultations/${encodeURIComponent(s.id)}`, class: 'button', id: 'call-back' },
        t('call.back_to_consultation')),
      again ? h('button', { type: 'button', class: 'button button--secondary', id: 'call-rejoin',
        onclick: () => actions.restart() }, t(reason === 'replaced' ? 'call.use_here' : 'call.rejoin')) : null));
  return { el, focus: heading };
}

export function errorScreen(s, actions) {
  const err = s.error || {};
  const back = h('p', { class: 'actions' },
    h('a', { href: `#/consultations/${encodeURIComponent(s.id)}`, class: 'button button--secondary',
      id: 'call-back' }, t('call.back_to_consultation')));
  if (err.code !== 'call_not_open' || !err.opensAt) return { el: h('div', { class: 'call-error-screen' }, back) };

  const opensAt = Date.parse(err.opensAt);
  const el = h('div', { class: 'call-error-screen panel', id: 'call-opens' },
    h('p', { id: 'call-opens-at' }, t('call.opens_at'), ' ', h('strong', {}, timeEl(err.opensAt, zoneFor(s.me, s.c)))),
    h('p', { class: 'hint' }, t('call.opens_hint')),
    h('p', { class: 'actions' },
      h('button', { type: 'button', class: 'button', id: 'call-refresh', onclick: () => actions.restart() },
        t('call.refresh')),
      back.firstChild));
  // Open the call when its time comes, as long as this page is still the one shown.
  const tick = () => {
    if (!el.isConnected) return;
    const left = opensAt - Date.now();
    if (left <= 0) actions.restart();
    else setTimeout(tick, Math.min(left + 500, STEP_MS));
  };
  setTimeout(tick, Math.min(Math.max(opensAt - Date.now(), 0) + 500, STEP_MS));
  return { el };
}
