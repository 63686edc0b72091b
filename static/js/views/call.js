// #/consultations/{id}/call — the video call of a real-time consultation: camera preview, the
// waiting room, the call with chat and recording by everyone's consent (art. 36), and its end.
// The call lives in a session kept here while the page is drawn again (a language switch does
// that); going to another page leaves the call, while a reload keeps the place to resume.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { signInNeeded, signedIn } from './common.js';
import { gate } from './call/gate.js';
import { callPage } from './call/layout.js';
import { createSession } from './call/session.js';

let active = null;

// For browser tests: the live RTCPeerConnection, whose getStats() shows media really flows.
window.__telemedCall = { pc: () => (active && active.peer ? active.peer.pc : null) };

const callHash = (id) => `#/consultations/${encodeURIComponent(id)}/call`;

/** The consultation id of the call page the address shows, or null. */
function callShown() {
  const m = /^#\/consultations\/([^/?]+)\/call(\?|$)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function forget(session) {
  session.dispose();
  if (active === session) active = null;
}

function leaveWithPage(session) {
  const onHashChange = () => {
    if (!session.disposed && callShown() === session.id) return;
    window.removeEventListener('hashchange', onHashChange);
    forget(session);
  };
  window.addEventListener('hashchange', onHashChange);
}

/** The consultation itself is closed to this viewer (403): the call page's error state. */
function notAParticipant(id) {
  const code = 'not_a_participant';
  return h('section', { id: 'call', class: 'call', dataset: { state: 'error' } },
    pageTitle(t('call.title')),
    h('div', { class: 'call-alert status status--error' },
      h('p', { id: 'call-error', role: 'alert', dataset: { errorCode: code } }, errorText({ code }))),
    h('p', {}, h('a', { href: `#/consultations/${encodeURIComponent(id)}`, id: 'call-back' },
      t('call.back_to_consultation'))));
}

function draw(session, app) {
  const actions = {
    /** Opens the page afresh: a new preview, a new check of the opening time. */
    restart() {
      forget(session);
      app.go(callHash(session.id));
    },
  };
  session.ui = callPage(session, actions);
  session.ui.update();
  return session.ui.root;
}

export async function render({ params }, app) {
  const id = params[0];
  const me = await signedIn(app);
  if (!me) {
    if (active) forget(active);
    return signInNeeded('call.title', 'call.need_login');
  }
  // The same call drawn again keeps running; a failed one is checked anew.
  if (active && active.id === id && !active.disposed && active.phase !== 'error') return draw(active, app);
  if (active) forget(active);

  let c;
  try {
    c = await api.consultation(id);
  } catch (err) {
    if (err.status === 403) return notAParticipant(id);
    throw err;
  }
  const session = createSession(c, me);
  if (callShown() !== id) return draw(session, app); // Navigated away meanwhile: draw, start nothing.
  active = session;
  leaveWithPage(session);
  const verdict = gate(c);
  if (!verdict.open) session.refuse(verdict);
  const page = draw(session, app);
  if (verdict.open) {
    session.startMedia().catch((err) => session.refuse({ phase: 'error', code: err.code || 'internal_error' }));
  }
  return page;
}
