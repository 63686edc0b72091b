// The call's WebSocket. It sends `join` first (with the resume token kept in sessionStorage, so a
// dropped socket or a reloaded page gets its place in the call back), a ping every 15 s, and
// treats 35 s without any message as a dead socket: a phone that changed networks often keeps a
// socket "open" that carries nothing. After a drop it asks `onDrop` whether to try again.

const PING_MS = 15_000;
const SILENCE_MS = 35_000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000];

const tokenKey = (consultationId) => `telemed.call.${consultationId}.resume`;

export function forgetResumeToken(consultationId) {
  try {
    sessionStorage.removeItem(tokenKey(consultationId));
  } catch {
    // Storage disabled: nothing was kept.
  }
}

function savedToken(consultationId) {
  try {
    return sessionStorage.getItem(tokenKey(consultationId));
  } catch {
    return null;
  }
}

function keepToken(consultationId, token) {
  try {
    sessionStorage.setItem(tokenKey(consultationId), token);
  } catch {
    // Without storage a reload joins anew, which still works.
  }
}

function signalUrl(consultationId) {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  return `${scheme}${location.host}/api/consultations/${encodeURIComponent(consultationId)}/signal`;
}

/**
 * Opens the socket. `onMessage(msg)` gets every server message; `onDrop(welcomed)` is awaited
 * after a socket is lost (`welcomed` false: it never got a `welcome`, so the server may have
 * refused the upgrade) and resolves true to reconnect; `keepMedia()` says whether this page's
 * media connection is still up when it rejoins.
 */
export function openSignal(consultationId, { onMessage, onDrop, keepMedia = () => false }) {
  let socket = null;
  let stopped = false;
  let welcomed = false;
  let sentToken = null;
  let attempt = 0;
  let pingTimer = null;
  let silenceTimer = null;
  let retryTimer = null;

  function clearTimers() {
    clearInterval(pingTimer);
    clearTimeout(silenceTimer);
    clearTimeout(retryTimer);
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Forgets a socket at once (its late events are ignored) and decides about the next one. */
  async function lost(dead) {
    if (dead !== socket) return;
    socket = null;
    clearTimers();
    try {
      dead.close();
    } catch {
      // Already closed.
    }
    await retry();
  }

  async function retry() {
    if (stopped) return;
    const again = await onDrop(welcomed);
    if (!again || stopped) return;
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    attempt += 1;
    retryTimer = setTimeout(connect, delay);
  }

  function armSilenceWatch(ws) {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => lost(ws), SILENCE_MS);
  }

  function received(ws, event) {
    if (ws !== socket) return;
    armSilenceWatch(ws);
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message || typeof message.type !== 'string') return;
    if (!welcomed && message.type === 'error' && sentToken) {
      // A stale token (the server forgot this place): join anew rather than fail.
      forgetResumeToken(consultationId);
      sentToken = null;
      attempt = 0;
      lost(ws);
      return;
    }
    if (message.type === 'welcome') {
      welcomed = true;
      attempt = 0;
      if (message.resume_token) keepToken(consultationId, message.resume_token);
    }
    onMessage(message);
  }

  function connect() {
    if (stopped) return;
    welcomed = false;
    let ws;
    try {
      ws = new WebSocket(signalUrl(consultationId));
    } catch {
      retry(); // Refused outright (a content security policy, say): counts as a failed attempt.
      return;
    }
    socket = ws;
    armSilenceWatch(ws); // A handshake that hangs on a dead network counts as silence too.
    ws.addEventListener('open', () => {
      if (ws !== socket) return;
      sentToken = savedToken(consultationId);
      // Only the socket dropped and the media connection still works: the server keeps it.
      const keep = Boolean(sentToken) && keepMedia();
      ws.send(JSON.stringify({ type: 'join', resume: sentToken || undefined, keep_media: keep || undefined }));
      armSilenceWatch(ws);
      pingTimer = setInterval(() => send({ type: 'ping' }), PING_MS);
    });
    ws.addEventListener('message', (event) => received(ws, event));
    ws.addEventListener('close', () => lost(ws));
    ws.addEventListener('error', () => lost(ws));
  }

  connect();
  return {
    send,
    /** Drops the socket and joins again with the resume token (a fresh media connection). */
    reconnect() {
      if (socket) lost(socket);
    },
    /** Closes for good: after leave, end, rejection, replacement or leaving the page. */
    stop() {
      stopped = true;
      clearTimers();
      const ws = socket;
      socket = null;
      if (ws) ws.close(1000);
    },
  };
}
