// This browser's camera, microphone and screen. One MediaStream (`stream`) holds the current
// microphone and camera tracks: the self-view shows it and the peer connection sends it. Muting
// only disables a track (`enabled = false`), so unmuting needs no new permission or negotiation.

const KINDS = ['audio', 'video'];

/**
 * Whether to offer screen sharing: the browser has getDisplayMedia and is not a phone or
 * tablet. Mobile browsers either lack it or share nothing useful (and iPadOS names itself a
 * Mac, so a touch screen without a fine pointer counts as mobile too). `env` is for tests.
 */
export function screenShareOffered(env = { navigator, matchMedia: window.matchMedia?.bind(window) }) {
  const nav = env.navigator || {};
  if (!(nav.mediaDevices && nav.mediaDevices.getDisplayMedia)) return false;
  if (nav.userAgentData && nav.userAgentData.mobile) return false;
  if (/Android|iPhone|iPad|iPod|Mobile/i.test(nav.userAgent || '')) return false;
  const finePointer = env.matchMedia ? env.matchMedia('(pointer: fine)').matches : true;
  return !(nav.maxTouchPoints > 1 && !finePointer);
}

function problemOf(err) {
  return err && (err.name === 'NotAllowedError' || err.name === 'SecurityError')
    ? 'call.media_denied' : 'call.media_missing';
}

/** `onChange(what, detail)`: 'tracks' ({kind, track}), 'state', 'screen' or 'devices'. */
export function createLocalMedia(onChange) {
  const m = {
    stream: new MediaStream(),
    audioOn: true,
    videoOn: true,
    hasAudio: false,
    hasCamera: false,
    screenTrack: null,
    /** An i18n key saying what is missing, or null. */
    problem: null,
    cameras: [],
    microphones: [],
    canShare: screenShareOffered(),
  };
  const devices = navigator.mediaDevices;
  let stopped = false;

  const trackOf = (kind) => m.stream.getTracks().find((tr) => tr.kind === kind) || null;

  /** Puts a fresh track in place of the old one of its kind, keeping the mute choice. */
  function put(track) {
    const old = trackOf(track.kind);
    if (old) {
      m.stream.removeTrack(old);
      old.stop();
    }
    track.enabled = track.kind === 'audio' ? m.audioOn : m.videoOn;
    m.stream.addTrack(track);
    if (track.kind === 'audio') m.hasAudio = true;
    else m.hasCamera = true;
  }

  async function open(constraints) {
    if (stopped) return [];
    const s = await devices.getUserMedia(constraints);
    if (stopped) {
      // The page was left while the browser asked for permission.
      s.getTracks().forEach((tr) => tr.stop());
      return [];
    }
    return s.getTracks();
  }

  async function listDevices() {
    try {
      const all = await devices.enumerateDevices();
      m.cameras = all.filter((d) => d.kind === 'videoinput' && d.deviceId);
      m.microphones = all.filter((d) => d.kind === 'audioinput' && d.deviceId);
    } catch {
      m.cameras = [];
      m.microphones = [];
    }
  }

  function onDeviceChange() {
    listDevices().then(() => onChange('devices'));
  }

  m.deviceId = (kind) => {
    const track = trackOf(kind);
    return (track && track.getSettings().deviceId) || '';
  };

  /** Camera and microphone together (one permission prompt), else whichever works. */
  m.start = async () => {
    if (!devices || !devices.getUserMedia) {
      m.problem = 'call.media_unsupported';
      return;
    }
    let tracks = [];
    let failure = null;
    try {
      tracks = await open({ audio: true, video: true });
    } catch (err) {
      failure = err;
      for (const kind of KINDS) {
        try {
          tracks.push(...await open({ [kind]: true }));
        } catch {
          // That kind is missing or refused; the call works without it.
        }
      }
    }
    tracks.forEach(put);
    if (!tracks.length) m.problem = failure ? problemOf(failure) : null;
    else if (!m.hasCamera) m.problem = 'call.no_camera';
    else if (!m.hasAudio) m.problem = 'call.no_microphone';
    else m.problem = null;
    await listDevices();
    if (!stopped) devices.addEventListener('devicechange', onDeviceChange);
    onChange('tracks', {});
  };

  /** Re-acquires one kind from a chosen device (the old one first released: phones have one). */
  m.switchDevice = async (kind, deviceId) => {
    const old = trackOf(kind);
    if (old && old.getSettings().deviceId === deviceId) return;
    if (old && !old.placeholder) {
      m.stream.removeTrack(old);
      old.stop();
    }
    let tracks;
    try {
      tracks = await open({ [kind]: { deviceId: { exact: deviceId } } });
      m.problem = null;
    } catch {
      m.problem = 'call.device_failed';
      tracks = await open({ [kind]: true }).catch(() => []);
    }
    tracks.forEach(put);
    if (!trackOf(kind)) m[kind === 'audio' ? 'hasAudio' : 'hasCamera'] = false;
    onChange('tracks', { kind, track: trackOf(kind) });
  };

  /**
   * A black stand-in when there is no camera, so the answer still carries a video sender that a
   * screen share can use later (replaceTrack needs a sender; adding one would need an offer).
   */
  m.ensureVideoSender = () => {
    if (trackOf('video')) return;
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 90;
    canvas.getContext('2d').fillRect(0, 0, 160, 90);
    if (!canvas.captureStream) return;
    const track = canvas.captureStream(1).getVideoTracks()[0];
    track.placeholder = true;
    track.enabled = false;
    m.stream.addTrack(track);
  };

  m.setAudio = (on) => {
    m.audioOn = on;
    for (const track of m.stream.getAudioTracks()) track.enabled = on;
    onChange('state');
  };

  m.setVideo = (on) => {
    m.videoOn = on;
    for (const track of m.stream.getVideoTracks()) track.enabled = on && !track.placeholder;
    onChange('state');
  };

  /** What the other side should see: the shared screen, else the camera. */
  m.outgoingVideo = () => m.screenTrack || trackOf('video');

  m.startScreen = async () => {
    if (!m.canShare || m.screenTrack) return;
    let shared;
    try {
      shared = await devices.getDisplayMedia({ video: true, audio: false });
    } catch {
      return; // The person cancelled the browser's picker.
    }
    const track = shared.getVideoTracks()[0];
    if (!track || stopped) {
      shared.getTracks().forEach((tr) => tr.stop());
      return;
    }
    // The browser's own "Stop sharing" bar ends the track without our button.
    track.addEventListener('ended', () => {
      if (m.screenTrack === track) m.stopScreen();
    });
    m.screenTrack = track;
    onChange('screen');
  };

  m.stopScreen = () => {
    const track = m.screenTrack;
    if (!track) return;
    m.screenTrack = null;
    track.stop();
    onChange('screen');
  };

  /** What `mute` tells the server: true means sending. */
  m.muteState = () => ({
    audio: m.hasAudio && m.audioOn,
    video: m.hasCamera && m.videoOn,
    screen: Boolean(m.screenTrack),
  });

  m.stop = () => {
    stopped = true;
    if (devices) devices.removeEventListener('devicechange', onDeviceChange);
    if (m.screenTrack) m.screenTrack.stop();
    m.screenTrack = null;
    for (const track of m.stream.getTracks()) track.stop();
  };

  return m;
}
