// Recording with everyone's consent (art. 36): the indicator every participant sees while a
// recording is asked for or running, and the question put to each person who has not answered.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';

export function recordingIndicator(s) {
  const label = h('span', {});
  const el = h('p', { id: 'recording-indicator', class: 'rec', role: 'status' },
    h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), label);
  return {
    el,
    update() {
      const state = s.recording.state;
      el.dataset.state = state;
      el.hidden = state === 'idle';
      label.textContent = state === 'active' ? t('call.rec_active')
        : state === 'asking' ? t('call.rec_asking') : '';
    },
  };
}

/** Whether this viewer still has to say yes or no to the recording being asked for. */
function mustAnswer(s) {
  const r = s.recording;
  return r.state === 'asking' && !s.consentAnswered && !(r.agreed || []).includes(s.myUserId);
}

/**
 * #recording-consent exists only while a question is open, so a test (or a screen reader)
 * never finds a hidden prompt.
 */
export function consentPrompt(s) {
  const host = h('div', { class: 'rec-consent-host' });
  let prompt = null;
  return {
    el: host,
    update() {
      if (!mustAnswer(s)) {
        if (prompt) prompt.remove();
        prompt = null;
        return;
      }
      if (prompt) return;
      const who = s.nameOf(s.recording.requested_by) || t('call.someone');
      const agree = h('button', { type: 'button', class: 'button', id: 'recording-agree',
        onclick: () => s.answerRecording(true) }, t('call.rec_agree'));
      prompt = h('div', { id: 'recording-consent', class: 'rec-consent', role: 'group',
        'aria-labelledby': 'recording-question' },
      h('p', { id: 'recording-question' }, h('strong', {}, t('call.rec_question', { name: who }))),
      h('p', { class: 'hint' }, t('call.rec_law')),
      h('p', { class: 'actions' }, agree,
        h('button', { type: 'button', class: 'button button--secondary', id: 'recording-decline',
          onclick: () => s.answerRecording(false) }, t('call.rec_decline'))));
      host.append(prompt);
    },
  };
}
