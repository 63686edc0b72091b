// The call's controls: microphone, camera, screen share, recording, leave, and for the
// consultation's own doctor "End", which asks once more before ending it for everyone.
// Labels say what a press will do; data-on says what is happening now.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';

function control(id, extraClass = '') {
  return h('button', { type: 'button', id, class: `call-control ${extraClass}`.trim() });
}

function show(button, text, { on = null, disabled = false } = {}) {
  if (button.textContent !== text) button.textContent = text;
  if (on === null) delete button.dataset.on;
  else button.dataset.on = String(on);
  button.disabled = disabled;
}

/** "End the consultation for everyone?" with Yes / Cancel; inserted only while asked. */
function endConfirmation(s, endButton) {
  const cancel = h('button', { type: 'button', class: 'button button--secondary', id: 'end-call-cancel' },
    t('call.end_cancel'));
  const box = h('div', { id: 'end-confirm', class: 'end-confirm', role: 'group', 'aria-labelledby': 'end-question' },
    h('p', { id: 'end-question' }, h('strong', {}, t('call.end_question'))),
    h('p', { class: 'hint' }, t('call.end_hint')),
    h('p', { class: 'actions' },
      h('button', { type: 'button', class: 'button button--danger', id: 'end-call-confirm',
        onclick: () => {
          box.remove();
          s.end();
        } }, t('call.end_confirm')),
      cancel));
  cancel.addEventListener('click', () => {
    box.remove();
    endButton.focus();
  });
  return { box, cancel };
}

export function controlsBar(s) {
  const audio = control('mute-audio');
  const video = control('mute-video');
  const share = control('share-screen');
  const record = control('record-button');
  const leave = control('leave-call', 'call-control--leave');
  const end = s.role === 'doctor' ? control('end-call', 'call-control--end') : null;
  const confirmHost = h('div', {});

  audio.addEventListener('click', () => s.toggleAudio());
  video.addEventListener('click', () => s.toggleVideo());
  share.addEventListener('click', () => s.toggleScreen());
  record.addEventListener('click', () => (s.recording.state === 'active' ? s.stopRecording() : s.requestRecording()));
  leave.addEventListener('click', () => s.leave());
  if (end) {
    end.addEventListener('click', () => {
      if (confirmHost.firstChild) return;
      const { box, cancel } = endConfirmation(s, end);
      confirmHost.append(box);
      cancel.focus();
    });
  }

  const el = h('div', { class: 'call-controls-wrap' },
    h('div', { class: 'call-controls', role: 'group', 'aria-label': t('call.controls') },
      audio, video, share, record, leave, end),
    confirmHost);
  return {
    el,
    update() {
      const m = s.media;
      const mute = m.muteState();
      show(audio, t(mute.audio ? 'call.mic_off' : 'call.mic_on'), { on: mute.audio, disabled: !m.hasAudio });
      show(video, t(mute.video ? 'call.camera_off' : 'call.camera_on'), { on: mute.video, disabled: !m.hasCamera });
      // Not offered at all where it cannot work (phones, tablets, browsers without it).
      share.hidden = !m.canShare;
      show(share, t(mute.screen ? 'call.share_stop' : 'call.share_start'), { on: mute.screen, disabled: !m.canShare });
      const rec = s.recording.state;
      record.dataset.state = rec;
      show(record, t(rec === 'active' ? 'call.rec_stop' : rec === 'asking' ? 'call.rec_waiting' : 'call.rec_start'),
        { disabled: rec === 'asking' });
      show(leave, t('call.leave'));
      if (end) show(end, t('call.end'));
    },
  };
}
