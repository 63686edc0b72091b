// The media connection to the server. The server is always the offerer: it offers again whenever
// the set of tracks changes (people join, leave), so offers and the candidates that follow them
// are applied strictly one after another on a single queue. Remote tracks come in streams whose
// id is the publishing participant's id; every 2 s the connection's statistics give a quality hint.

const STATS_MS = 2000;

/** good / fair / poor from the round-trip time (seconds) and the share of packets lost. */
function grade(rtt, loss, state) {
  if (state === 'failed' || state === 'disconnected') return 'poor';
  if (rtt === null && loss === null) return state === 'connected' ? 'good' : null;
  if ((rtt !== null && rtt > 0.5) || (loss !== null && loss > 0.08)) return 'poor';
  if ((rtt !== null && rtt > 0.25) || (loss !== null && loss > 0.02)) return 'fair';
  return 'good';
}

/**
 * `localStream`'s tracks are added before the first offer is applied, so the browser matches
 * them to the offer's receive-only sections and answers with the camera and microphone.
 * Callbacks: send(message), onStream(stream), onStreamGone(stream), onQuality(q), onError(err).
 */
export function createPeer({ iceServers, localStream, send, onStream, onStreamGone, onQuality, onError }) {
  const pc = new RTCPeerConnection({ iceServers: iceServers || [] });
  const senders = {};
  for (const track of localStream.getTracks()) senders[track.kind] = pc.addTrack(track, localStream);
  let queue = Promise.resolve();
  let closed = false;
  let counted = { lost: 0, received: 0 };

  pc.addEventListener('icecandidate', ({ candidate }) => {
    // null (and an empty string in some browsers) only says gathering is complete.
    if (candidate && candidate.candidate) send({ type: 'candidate', candidate: candidate.toJSON() });
  });

  const watched = new WeakSet();
  pc.addEventListener('track', ({ track, streams }) => {
    const stream = streams[0];
    if (!stream) return;
    const gone = () => {
      if (stream.getTracks().every((tr) => tr.readyState === 'ended')) onStreamGone(stream);
    };
    track.addEventListener('ended', gone);
    if (!watched.has(stream)) {
      watched.add(stream);
      stream.addEventListener('removetrack', gone);
    }
    onStream(stream);
  });

  function enqueue(step) {
    const run = queue.then(() => (closed ? undefined : step()));
    queue = run.catch(() => {});
    return run;
  }

  async function sample() {
    let report;
    try {
      report = await pc.getStats();
    } catch {
      return;
    }
    let pairId = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    let rtt = null;
    let lost = 0;
    let received = 0;
    report.forEach((s) => {
      const selected = pairId ? s.id === pairId : s.nominated && s.state === 'succeeded';
      if (s.type === 'candidate-pair' && selected && typeof s.currentRoundTripTime === 'number') {
        rtt = s.currentRoundTripTime;
      }
      if (s.type === 'inbound-rtp') {
        lost += Math.max(0, s.packetsLost || 0);
        received += s.packetsReceived || 0;
      }
    });
    // Counters are cumulative; a stream that went away can make them shrink, hence the clamps.
    const newLost = Math.max(0, lost - counted.lost);
    const newReceived = Math.max(0, received - counted.received);
    counted = { lost, received };
    const loss = newLost + newReceived > 0 ? newLost / (newLost + newReceived) : null;
    if (!closed) onQuality(grade(rtt, loss, pc.connectionState));
  }
  const statsTimer = setInterval(sample, STATS_MS);

  return {
    pc,
    /** Applies an offer and sends the answer; rejects if the offer cannot be applied. */
    offer(sdp) {
      return enqueue(async () => {
        await pc.setRemoteDescription({ type: 'offer', sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'answer', sdp: pc.localDescription.sdp });
      });
    },
    candidate(candidate) {
      // A candidate for a section a later offer removed fails harmlessly; the others still apply.
      enqueue(() => pc.addIceCandidate(candidate)).catch(() => {});
    },
    /** Swaps what a sender carries (device switch, screen share) without a new offer. */
    replaceTrack(kind, track) {
      const sender = senders[kind];
      if (sender && track) sender.replaceTrack(track).catch((err) => onError(err));
    },
    close() {
      closed = true;
      clearInterval(statsTimer);
      pc.close();
    },
  };
}
