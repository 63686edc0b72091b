//! One track a participant publishes: a task reads its RTP packets once and hands each to every
//! subscriber and recorder through a broadcast channel, so a slow subscriber falls behind alone
//! (it skips ahead and asks for a keyframe) instead of holding up the others.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RtpCodecKind};
use tokio::sync::broadcast;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

/// Packets a subscriber may lag behind before it skips: about a second of 1 Mbit/s video.
const BUFFERED_PACKETS: usize = 512;

pub struct Publication {
    /// Unique in the room: the track id subscribers see.
    pub id: String,
    pub publisher: String,
    pub kind: RtpCodecKind,
    pub codec: RTCRtpCodec,
    pub media_ssrc: u32,
    packets: broadcast::Sender<rtp::Packet>,
    keyframes: KeyframeRequester,
    /// Packets read from the publisher so far.
    pub received: Arc<AtomicU64>,
    reader: tokio::task::JoinHandle<()>,
}

impl Publication {
    /// Starts reading a published track. `on_end` runs with the publication's id when the
    /// publisher's track ends.
    pub async fn start(
        publisher: &str,
        remote: Arc<dyn TrackRemote>,
        on_end: impl FnOnce(String) + Send + 'static,
    ) -> Option<Publication> {
        let media_ssrc = *remote.ssrcs().await.first()?;
        let codec = remote.codec(media_ssrc).await?;
        let kind = remote.kind().await;
        let (packets, _) = broadcast::channel(BUFFERED_PACKETS);
        let received = Arc::new(AtomicU64::new(0));
        let id = format!("{publisher}-{}-{media_ssrc}", super::kind_name(kind));
        let reader = {
            let (remote, packets, received) = (remote.clone(), packets.clone(), received.clone());
            let id = id.clone();
            tokio::spawn(async move {
                while let Some(event) = remote.poll().await {
                    match event {
                        TrackRemoteEvent::OnRtpPacket(packet) => {
                            received.fetch_add(1, Ordering::Relaxed);
                            // No receiver yet is not an error: nobody else is in the call.
                            let _ = packets.send(packet);
                        }
                        TrackRemoteEvent::OnEnded => break,
                        _ => {}
                    }
                }
                on_end(id);
            })
        };
        let keyframes = KeyframeRequester {
            remote,
            media_ssrc,
            video: kind == RtpCodecKind::Video,
            last: Arc::default(),
        };
        Some(Publication {
            id,
            publisher: publisher.to_owned(),
            kind,
            codec,
            media_ssrc,
            packets,
            keyframes,
            received,
            reader,
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<rtp::Packet> {
        self.packets.subscribe()
    }

    /// Asks the publisher for a keyframe (PLI), so a new subscriber or a recorder can start
    /// decoding at once instead of waiting for the encoder's next one.
    pub fn keyframe_requester(&self) -> KeyframeRequester {
        self.keyframes.clone()
    }
}

impl Drop for Publication {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// A handle that can ask the publisher of a track for a keyframe. Shared by every subscriber of
/// the publication, so a burst of requests (six browsers losing the same packet) costs the
/// publisher one keyframe, not six.
#[derive(Clone)]
pub struct KeyframeRequester {
    remote: Arc<dyn TrackRemote>,
    media_ssrc: u32,
    video: bool,
    last: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// Requests closer together than this are answered by the keyframe already on its way.
const KEYFRAME_INTERVAL: std::time::Duration = std::time::Duration::from_millis(300);

impl KeyframeRequester {
    pub async fn request(&self) {
        if !self.video {
            return;
        }
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let now = std::time::Instant::now();
            if last.is_some_and(|t| now.duration_since(t) < KEYFRAME_INTERVAL) {
                return;
            }
            *last = Some(now);
        }
        let pli = PictureLossIndication {
            sender_ssrc: 0,
            media_ssrc: self.media_ssrc,
        };
        if let Err(e) = self.remote.write_rtcp(vec![Box::new(pli)]).await {
            tracing::debug!(error = %e, "keyframe request not sent");
        }
    }
}
