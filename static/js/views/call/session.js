// One call as this viewer lives it: the state the page is drawn from and the actions its buttons
// call. Server messages change the state, then `ui.update()` redraws. The state outlives its
// drawing, so switching the interface language redraws the call without leaving it.

import { api } from '../../api.js';
import { gate } from './gate.js';
import { createLocalMedia } from './media.js';
import { createPeer } from './peer.js';
import { forgetResumeToken, openSignal } from './signaling.js';

const CLINICIANS = ['doctor', 'guest_doctor'];
const IDLE = { state: 'idle', requested_by: null, agreed: [], started_at: null };

export function createSession(c, me) {
  const s = {
    id: c.id,
    c,
    me,
    /** preview | waiting | in-call | ended | error: the page's data-state. */
    phase: 'preview',
    mediaReady: false,
    joining: false,
    reconnecting: false,
    /** {code, message, opensAt}: shown in #call-error. */
    error: null,
    /** {reason, detail} once the call is over for this viewer. */
    ended: null,
    /** {key, vars}: a passing note, such as who declined recording. */
    notice: null,
    role: c.my_call_role,
    participantId: null,
    myUserId: me.id,
    participants: [],
    recording: IDLE,
    /** This viewer answered the recording question being asked now. */
    consentAnswered: false,
    messages: [],
    /** participant id → the MediaStream they publish. */
    remote: new Map(),
    quality: null,
    media: null,
    peer: null,
    ui: null,
    disposed: false,
  };
  let signal = null;
  let iceServers = [];
  let pendingCandidates = [];

  const update = () => {
    if (s.ui) s.ui.update();
  };
  const send = (message) => Boolean(signal && signal.send(message));
  const admitted = () => s.phase === 'in-call';

  s.isClinician = () => CLINICIANS.includes(s.role);
  s.others = () => s.participants.filter((p) => p.presence === 'admitted' && p.participant_id !== s.participantId);
  s.waiting = () => s.participants.filter((p) => p.presence === 'waiting');
  s.nameOf = (userId) => (s.participants.find((p) => p.user_id === userId) || {}).name || '';

  function sendMute() {
    if (admitted() && s.media) send({ type: 'mute', ...s.media.muteState() });
  }

  function mediaChanged(what, detail = {}) {
    if (s.peer && what === 'tracks' && detail.kind) {
      // While a screen is shared the video sender keeps carrying the screen.
      if (!(detail.kind === 'video' && s.media.screenTrack)) s.peer.replaceTrack(detail.kind, detail.track);
    }
    if (s.peer && what === 'screen') s.peer.replaceTrack('video', s.media.outgoingVideo());
    if (what !== 'devices') sendMute();
    update();
  }

  function closePeer() {
    if (s.peer) s.peer.close();
    s.peer = null;
    s.remote.clear();
    s.quality = null;
  }

  function ensurePeer() {
    if (s.peer) return s.peer;
    s.media.ensureVideoSender();
    s.peer = createPeer({
      iceServers,
      localStream: s.media.stream,
      send,
      onStream(stream) {
        s.remote.set(stream.id, stream);
        update();
      },
      onStreamGone(stream) {
        // A newer stream of the same publisher may have taken this one's place already.
        if (s.remote.get(stream.id) === stream) s.remote.delete(stream.id);
        update();
      },
      onQuality(q) {
        s.quality = q;
        if (s.ui) s.ui.updateQuality();
      },
      onError(err) {
        showError({ code: 'bad_sdp', message: err.message });
      },
    });
    if (s.media.screenTrack) s.peer.replaceTrack('video', s.media.screenTrack);
    for (const candidate of pendingCandidates) s.peer.candidate(candidate);
    pendingCandidates = [];
    return s.peer;
  }

  function applyOffer(sdp) {
    const peer = ensurePeer();
    peer.offer(sdp).catch(() => {
      // After a resume the server may have built a new connection; the old one cannot take it.
      if (s.peer !== peer) return;
      closePeer();
      ensurePeer().offer(sdp).catch((err) => showError({ code: 'bad_sdp', message: err.message }));
      update();
    });
  }

  function showError(error) {
    s.error = error;
    update();
  }

  /** Stops everything that runs: socket, peer connection, camera and microphone. */
  function teardown() {
    if (signal) signal.stop();
    signal = null;
    closePeer();
    if (s.media) s.media.stop();
    s.joining = false;
    s.reconnecting = false;
    s.notice = null;
  }

  function finish(reason, detail = null) {
    if (s.phase === 'ended') return;
    teardown();
    forgetResumeToken(s.id);
    s.phase = 'ended';
    s.ended = { reason, detail };
    update();
  }

  function fail(code, opensAt = null) {
    teardown();
    s.phase = 'error';
    s.error = { code, opensAt };
    update();
  }

  function welcome(m) {
    if (s.peer && (!m.resumed || m.participant_id !== s.participantId)) closePeer();
    s.participantId = m.participant_id;
    s.role = m.role;
    s.participants = m.participants || [];
    s.recording = m.recording || IDLE;
    const mine = s.participants.find((p) => p.participant_id === m.participant_id);
    if (mine) s.myUserId = mine.user_id;
    iceServers = m.ice_servers || iceServers;
    s.joining = false;
    s.reconnecting = false;
    s.error = null;
    s.phase = m.presence === 'admitted' ? 'in-call' : 'waiting';
    if (admitted()) {
      ensurePeer();
      sendMute();
    }
  }

  const handlers = {
    welcome,
    admitted() {
      s.phase = 'in-call';
      ensurePeer();
      sendMute();
    },
    rejected: (m) => finish('rejected', m.reason || null),
    participants(m) {
      const listed = new Set(s.participants.map((p) => p.participant_id));
      s.participants = m.participants || [];
      // Drop the streams of those who left. A stream whose publisher no list has named yet
      // stays: its tracks may arrive just before the list that names them.
      const present = new Set(s.others().map((p) => p.participant_id));
      for (const id of [...s.remote.keys()]) if (listed.has(id) && !present.has(id)) s.remote.delete(id);
    },
    offer: (m) => applyOffer(m.sdp),
    candidate(m) {
      if (s.peer) s.peer.candidate(m.candidate);
      else pendingCandidates.push(m.candidate);
    },
    chat(m) {
      if (!s.messages.some((x) => x.id === m.message.id)) s.messages = [...s.messages, m.message];
    },
    chat_history: (m) => {
      s.messages = m.messages || [];
    },
    recording(m) {
      s.recording = m.recording || IDLE;
      if (s.recording.state !== 'asking') s.consentAnswered = false;
    },
    recording_declined: (m) => {
      s.notice = { key: 'call.recording_declined', vars: { name: m.name } };
    },
    ended: (m) => finish(m.reason),
    replaced: () => finish('replaced'),
    pong: () => {},
    error: (m) => {
      if (m.code === 'media_failed' && signal) {
        // The server dropped this page's media connection; rejoining builds a new one.
        closePeer();
        s.reconnecting = true;
        signal.reconnect();
        return;
      }
      s.error = { code: m.code, message: m.message };
    },
  };

  function onMessage(m) {
    if (s.disposed || s.phase === 'ended') return;
    const handle = handlers[m.type];
    if (!handle) return;
    handle(m);
    update();
  }

  /** A lost socket: try again, unless the consultation says the call is closed to us now. */
  async function onDrop(welcomed) {
    if (s.disposed || s.phase === 'ended' || s.phase === 'error') return false;
    s.reconnecting = true;
    update();
    if (welcomed) return true;
    let fresh;
    try {
      fresh = await api.consultation(s.id);
    } catch {
      return true; // The server itself is unreachable: keep trying.
    }
    const verdict = gate(fresh);
    if (verdict.open) return true;
    s.c = fresh;
    if (verdict.phase === 'ended') finish(verdict.code);
    else fail(verdict.code, verdict.opensAt);
    return false;
  }

  /** The consultation says the call cannot be opened (see gate.js). */
  s.refuse = (verdict) => {
    if (verdict.phase === 'ended') finish(verdict.code);
    else fail(verdict.code, verdict.opensAt);
  };

  s.startMedia = async () => {
    s.media = createLocalMedia(mediaChanged);
    await s.media.start();
    s.mediaReady = true;
    update();
  };

  s.join = () => {
    if (s.joining || signal || s.disposed) return;
    s.joining = true;
    s.error = null;
    const keepMedia = () => Boolean(s.peer && ['connected', 'connecting'].includes(s.peer.pc.connectionState));
    signal = openSignal(s.id, { onMessage, onDrop, keepMedia });
    update();
  };

  s.toggleAudio = () => s.media.setAudio(!s.media.audioOn);
  s.toggleVideo = () => s.media.setVideo(!s.media.videoOn);
  s.toggleScreen = () => (s.media.screenTrack ? s.media.stopScreen() : s.media.startScreen());
  s.switchDevice = (kind, deviceId) => s.media.switchDevice(kind, deviceId);

  s.admit = (participantId) => send({ type: 'admit', participant_id: participantId });
  s.reject = (participantId) => send({ type: 'reject', participant_id: participantId });
  /** False when the socket is down (the text stays in the box to send again). */
  s.sendChat = (text, fileId) => send({ type: 'chat', text, file_id: fileId || undefined });
  s.requestRecording = () => send({ type: 'recording_request' });
  s.stopRecording = () => send({ type: 'recording_stop' });
  s.answerRecording = (agree) => {
    if (send({ type: 'recording_consent', agree })) s.consentAnswered = true;
    update();
  };
  s.dismissError = () => {
    s.error = null;
    update();
  };
  s.dismissNotice = () => {
    s.notice = null;
    update();
  };

  s.leave = () => {
    send({ type: 'leave' });
    finish('left');
  };

  /** The doctor ends the consultation; the server's `ended` closes the call for everyone. */
  s.end = () => {
    if (!send({ type: 'end' })) showError({ code: 'network' });
  };

  /** Leaving the page: say so to the server (a reload does not come here and can resume). */
  s.dispose = () => {
    if (s.disposed) return;
    if (s.phase === 'waiting' || s.phase === 'in-call') {
      send({ type: 'leave' });
      forgetResumeToken(s.id);
    }
    teardown();
    s.disposed = true;
    s.ui = null;
  };

  return s;
}
