// The call page's frame: the heading, the error and notice lines, and the body for the current
// phase (preview, waiting room, call, ended, error), built anew only when the phase changes.
// The self-view <video> is one element that moves from the preview to the waiting room to the call.

import { h, pageTitle } from '../../dom.js';
import { errorText, has, t } from '../../i18n.js';
import { endedScreen, errorScreen, previewScreen } from './screens.js';
import { waitingRoom } from './people.js';
import { recordPanel } from './record-panel.js';
import { room } from './room.js';

function selfVideo() {
  const video = h('video', { id: 'local-video', class: 'self-video', autoplay: true, playsinline: true, muted: true });
  // The attribute alone does not always mute; the property does. Nobody wants their own echo.
  video.muted = true;
  return video;
}

/**
 * A line that exists only while it has something to say, with a close button when `closable`.
 * Tests (and screen readers) then never meet an empty, hidden #call-error or #call-notice.
 */
function messageLine(id, className, role, onClose) {
  const host = h('div', {});
  let box = null;
  return {
    el: host,
    show(text, dataset, closable) {
      if (!box) {
        const close = h('button', { type: 'button', class: 'call-alert-close', 'aria-label': t('call.dismiss'),
          onclick: onClose }, '×');
        box = { line: h('p', { id, role }), close };
        box.el = h('div', { class: className }, box.line, close);
        host.append(box.el);
      }
      box.close.hidden = !closable;
      Object.assign(box.line.dataset, dataset);
      if (box.line.textContent !== text) box.line.textContent = text;
    },
    clear() {
      if (box) box.el.remove();
      box = null;
    },
  };
}

/** #call-error: a server `error` during the call, or why the call cannot be opened. */
function errorBox(s) {
  const line = messageLine('call-error', 'call-alert status status--error', 'alert', () => s.dismissError());
  return {
    el: line.el,
    update() {
      const err = s.error;
      if (!err) {
        line.clear();
        return;
      }
      const text = err.code && has(`error.${err.code}`) ? t(`error.${err.code}`) : errorText(err);
      line.show(text, { errorCode: err.code || 'unknown' }, s.phase !== 'error');
    },
  };
}

/** #call-notice: reconnecting, joining, or a passing note such as a declined recording. */
function noticeLine(s) {
  const line = messageLine('call-notice', 'call-alert call-notice', 'status', () => s.dismissNotice());
  return {
    el: line.el,
    update() {
      let key = null;
      let vars = {};
      if (s.reconnecting) key = 'call.reconnecting';
      else if (s.joining) key = 'call.connecting';
      else if (s.notice) ({ key, vars } = s.notice);
      if (!key) line.clear();
      else line.show(t(key, vars), { notice: key }, key === (s.notice && s.notice.key));
    },
  };
}

function bodyFor(s, video, actions) {
  if (s.phase === 'preview') return previewScreen(s, video);
  if (s.phase === 'waiting') return waitingRoom(s, video);
  if (s.phase === 'in-call') return room(s, video);
  if (s.phase === 'ended') return endedScreen(s, actions);
  return errorScreen(s, actions);
}

/** `actions.restart()` opens the call page afresh (after leaving, or when the call opens). */
export function callPage(s, actions) {
  const video = selfVideo();
  const doctor = s.c.practitioner && s.c.practitioner.full_name;
  const root = h('section', { id: 'call', class: 'call', dataset: { state: s.phase } });
  const error = errorBox(s);
  const notice = noticeLine(s);
  const body = h('div', { class: 'call-body' });
  // The doctor's record beside the call (record-panel.js); the call itself in `body`.
  const record = recordPanel(s, root);
  root.append(
    h('p', { class: 'back' }, h('a', { href: `#/consultations/${encodeURIComponent(s.id)}` }, t('call.back'))),
    pageTitle(doctor ? t('call.title_with', { doctor }) : t('call.title')),
    record ? h('p', { class: 'call-record-bar' }, record.toggle) : null,
    error.el, notice.el,
    h('div', { class: 'call-columns' }, body, record ? record.panel : null));

  let phase = null;
  let part = null;
  function update() {
    if (phase !== s.phase) {
      phase = s.phase;
      part = bodyFor(s, video, actions);
      body.replaceChildren(part.el);
      root.dataset.state = s.phase;
      if (part.focus) part.focus.focus();
    }
    error.update();
    notice.update();
    if (part.update) part.update();
    const stream = s.media && s.media.stream;
    if (stream && video.srcObject !== stream) video.srcObject = stream;
    // Moving a playing <video> in the document can pause it in some browsers.
    if (video.isConnected && video.paused && video.srcObject) video.play().catch(() => {});
  }
  return {
    root,
    update,
    updateQuality() {
      if (part && part.updateQuality) part.updateQuality();
    },
  };
}
