// The call itself: the recording state and connection quality on top, the tiles with the
// self-view in a corner, the controls, and a side column with the waiting list (doctors), the
// chat and the device choice. On a phone the columns stack.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { chatPanel } from './chat.js';
import { controlsBar } from './controls.js';
import { deviceChoice } from './devices.js';
import { waitingPanel } from './people.js';
import { consentPrompt, recordingIndicator } from './recording.js';
import { tilesView } from './tiles.js';

/** #quality appears with the first measurement, so it always carries data-quality. */
function qualityLine(s) {
  const label = h('span', {});
  const measured = h('p', { id: 'quality', class: 'quality' },
    h('span', { class: 'quality-dot', 'aria-hidden': 'true' }), label);
  const checking = h('p', { class: 'quality' }, h('span', { class: 'quality-dot', 'aria-hidden': 'true' }),
    t('call.quality.unknown'));
  const host = h('div', { class: 'quality-host' }, checking);
  return {
    el: host,
    update() {
      const q = s.quality;
      if (q) {
        measured.dataset.quality = q;
        label.textContent = t(`call.quality.${q}`);
      }
      const shown = q ? measured : checking;
      if (shown.parentNode !== host) host.replaceChildren(shown);
    },
  };
}

function selfView(s, video) {
  const sharing = h('span', { class: 'flag flag--screen' }, t('call.you_share'));
  const el = h('figure', { class: 'self-view' }, video,
    h('figcaption', {}, h('span', {}, t('call.you')), sharing));
  return {
    el,
    update() {
      const mute = s.media.muteState();
      el.dataset.video = String(mute.video);
      sharing.hidden = !mute.screen;
    },
  };
}

export function room(s, video) {
  const quality = qualityLine(s);
  const indicator = recordingIndicator(s);
  const consent = consentPrompt(s);
  const tiles = tilesView(s);
  const self = selfView(s, video);
  const controls = controlsBar(s);
  const waiting = s.isClinician() ? waitingPanel(s) : null;
  const chat = chatPanel(s);
  const devices = deviceChoice(s);
  const parts = [quality, indicator, consent, tiles, self, controls, waiting, chat, devices].filter(Boolean);

  // Announced and focused on entering the call, where the Join button was.
  const heading = h('h2', { class: 'visually-hidden', tabindex: '-1' }, t('call.in_call'));
  const el = h('div', { class: 'call-room' },
    heading,
    h('div', { class: 'call-main' },
      h('div', { class: 'call-status' }, indicator.el, quality.el),
      consent.el,
      h('div', { class: 'call-stage' }, tiles.el, self.el),
      controls.el),
    h('div', { class: 'call-side' },
      waiting ? waiting.el : null,
      chat.el,
      h('details', { class: 'call-panel call-settings' },
        h('summary', {}, t('call.devices')), devices.el)));
  return {
    el,
    focus: heading,
    update() {
      for (const part of parts) part.update();
    },
    updateQuality: quality.update,
  };
}
