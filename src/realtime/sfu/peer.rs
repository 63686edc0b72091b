//! A participant's peer connection with the server. The server always makes the offers: two
//! receive-only transceivers for the participant to publish their microphone and camera into,
//! and one send-only track per track of every other participant. When the set changes while an
//! offer is out, one more offer follows the answer, so the two sides never offer at once.

use std::collections::HashMap;
use std::sync::Arc;

use rtc::media_stream::MediaStreamTrack;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc::UnboundedSender;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceCandidateInit,
    RTCPeerConnectionIceEvent, RTCPeerConnectionState, RTCSessionDescription,
};
use webrtc::rtp_transceiver::RtpSender;

use super::publication::{KeyframeRequester, Publication};
use super::{MediaConfig, SharedPeer};
use crate::realtime::protocol::IceCandidate;

/// What a peer connection tells the room. `generation` tells apart events of a peer that has
/// since been replaced (a participant who reconnected gets a fresh one).
pub enum PeerEvent {
    Track {
        participant: String,
        generation: u64,
        track: Arc<dyn TrackRemote>,
    },
    Candidate {
        participant: String,
        generation: u64,
        candidate: IceCandidate,
    },
    State {
        participant: String,
        generation: u64,
        state: RTCPeerConnectionState,
    },
}

struct Handler {
    participant: String,
    generation: u64,
    events: UnboundedSender<PeerEvent>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        let Ok(init) = event.candidate.to_json() else {
            return;
        };
        // One transport for everything (BUNDLE): the first media section names it. Browsers
        // look a candidate up by its mid when one is given, so none is given.
        let candidate = IceCandidate {
            candidate: init.candidate,
            sdp_mid: None,
            sdp_m_line_index: Some(0),
            username_fragment: None,
        };
        let _ = self.events.send(PeerEvent::Candidate {
            participant: self.participant.clone(),
            generation: self.generation,
            candidate,
        });
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.events.send(PeerEvent::State {
            participant: self.participant.clone(),
            generation: self.generation,
            state,
        });
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.events.send(PeerEvent::Track {
            participant: self.participant.clone(),
            generation: self.generation,
            track,
        });
    }
}

/// A track of another participant that this peer receives.
struct Subscription {
    sender: Arc<dyn RtpSender>,
    forwarder: tokio::task::JoinHandle<()>,
    /// Passes this subscriber's keyframe requests on to the publisher.
    relay: tokio::task::JoinHandle<()>,
    keyframes: KeyframeRequester,
}

impl Subscription {
    fn stop(&self) {
        self.forwarder.abort();
        self.relay.abort();
    }
}

pub struct MediaPeer {
    pub participant: String,
    pub generation: u64,
    pc: SharedPeer,
    subscriptions: HashMap<String, Subscription>,
    /// An offer is out and its answer has not come back.
    awaiting_answer: bool,
    /// The track set changed while an offer was out.
    renegotiate: bool,
    /// Subscriptions added since the last completed negotiation: each wants a keyframe once
    /// the participant can receive it.
    fresh: Vec<String>,
    /// Negotiated subscriptions still waiting for the connection to come up for their first
    /// keyframe (a keyframe sent before DTLS completes is lost).
    awaiting_keyframe: Vec<String>,
    /// Candidates that arrived before the answer they belong to.
    early_candidates: Vec<RTCIceCandidateInit>,
    pub state: RTCPeerConnectionState,
}

impl MediaPeer {
    pub async fn new(
        config: &MediaConfig,
        participant: &str,
        generation: u64,
        events: UnboundedSender<PeerEvent>,
    ) -> webrtc::error::Result<MediaPeer> {
        let (engine, registry) = super::media_engine()?;
        let handler = Arc::new(Handler {
            participant: participant.to_owned(),
            generation,
            events,
        });
        let pc: SharedPeer = Arc::new(
            PeerConnectionBuilder::new()
                .with_configuration(config.rtc_configuration())
                .with_setting_engine(config.setting_engine())
                .with_media_engine(engine)
                .with_interceptor_registry(registry)
                .with_handler(handler)
                .with_udp_addrs(config.udp_addrs.clone())
                .build()
                .await?,
        );
        for kind in [RtpCodecKind::Audio, RtpCodecKind::Video] {
            pc.add_transceiver_from_kind(
                kind,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Recvonly,
                    ..Default::default()
                }),
            )
            .await?;
        }
        Ok(MediaPeer {
            participant: participant.to_owned(),
            generation,
            pc,
            subscriptions: HashMap::new(),
            awaiting_answer: false,
            renegotiate: false,
            fresh: Vec::new(),
            awaiting_keyframe: Vec::new(),
            early_candidates: Vec::new(),
            state: RTCPeerConnectionState::New,
        })
    }

    pub fn is_subscribed(&self, publication: &str) -> bool {
        self.subscriptions.contains_key(publication)
    }

    /// Starts receiving a publication: a local track of the same codec with an SSRC of its own,
    /// fed from the publication's broadcast. Takes effect with the next offer.
    pub async fn subscribe(&mut self, publication: &Publication) -> webrtc::error::Result<()> {
        if self.is_subscribed(&publication.id) {
            return Ok(());
        }
        let ssrc: u32 = rand::random();
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            // The stream id is the publisher's participant id: the receiving page groups tracks
            // into one tile per person by it.
            publication.publisher.clone(),
            publication.id.clone(),
            publication.id.clone(),
            publication.kind,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: publication.codec.clone(),
                ..Default::default()
            }],
        )));
        // A send-only section of its own for every subscription, never the participant's own
        // receive-only sections: a peer that publishes nothing (a listener) would have answered
        // those as inactive, and would then hear nothing.
        let transceiver = self
            .pc
            .add_transceiver_from_track(
                Arc::clone(&track) as Arc<dyn TrackLocal>,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Sendonly,
                    streams: vec![publication.publisher.clone()],
                    send_encodings: vec![],
                }),
            )
            .await?;
        let sender = transceiver
            .sender()
            .await?
            .ok_or(webrtc::error::Error::ErrRTPSenderNotExisted)?;
        let keyframes = publication.keyframe_requester();
        let forwarder = tokio::spawn(forward(
            publication.subscribe(),
            track.clone(),
            ssrc,
            keyframes.clone(),
        ));
        let relay = tokio::spawn(relay_keyframe_requests(track, keyframes.clone()));
        self.subscriptions.insert(
            publication.id.clone(),
            Subscription {
                sender,
                forwarder,
                relay,
                keyframes,
            },
        );
        self.fresh.push(publication.id.clone());
        Ok(())
    }

    /// Stops receiving a publication (its publisher left). Takes effect with the next offer.
    pub async fn unsubscribe(&mut self, publication: &str) -> webrtc::error::Result<()> {
        if let Some(sub) = self.subscriptions.remove(publication) {
            sub.stop();
            self.pc.remove_track(&sub.sender).await?;
        }
        Ok(())
    }

    /// A new offer for the participant, or `None` when one is already out (another follows its
    /// answer).
    pub async fn offer(&mut self) -> webrtc::error::Result<Option<String>> {
        if self.awaiting_answer {
            self.renegotiate = true;
            return Ok(None);
        }
        let offer = self.pc.create_offer(None).await?;
        self.pc.set_local_description(offer).await?;
        let sdp = self
            .pc
            .local_description()
            .await
            .map(|d| d.sdp)
            .unwrap_or_default();
        self.awaiting_answer = true;
        self.renegotiate = false;
        Ok(Some(sdp))
    }

    /// Applies the participant's answer; true when another offer is due.
    pub async fn answer(&mut self, sdp: String) -> Result<bool, AnswerError> {
        if !self.awaiting_answer {
            return Err(AnswerError::Unexpected);
        }
        let desc = RTCSessionDescription::answer(sdp).map_err(AnswerError::Sdp)?;
        self.pc
            .set_remote_description(desc)
            .await
            .map_err(AnswerError::Sdp)?;
        self.awaiting_answer = false;
        for candidate in std::mem::take(&mut self.early_candidates) {
            if let Err(e) = self.pc.add_ice_candidate(candidate).await {
                tracing::debug!(error = %e, "an early ICE candidate was refused");
            }
        }
        // The participant can decode what it now receives once a keyframe comes.
        self.awaiting_keyframe.append(&mut self.fresh);
        if self.state == RTCPeerConnectionState::Connected {
            self.request_keyframes();
        }
        Ok(self.renegotiate)
    }

    /// The connection is up (or came back): every track negotiated since asks for a keyframe.
    pub fn connected(&mut self) {
        self.state = RTCPeerConnectionState::Connected;
        self.request_keyframes();
    }

    fn request_keyframes(&mut self) {
        for id in std::mem::take(&mut self.awaiting_keyframe) {
            if let Some(sub) = self.subscriptions.get(&id) {
                let keyframes = sub.keyframes.clone();
                tokio::spawn(async move { keyframes.request().await });
            }
        }
    }

    pub async fn candidate(&mut self, candidate: IceCandidate) -> webrtc::error::Result<()> {
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate,
            sdp_mid: candidate.sdp_mid,
            sdp_mline_index: candidate.sdp_m_line_index,
            username_fragment: candidate.username_fragment,
            url: None,
        };
        if self.pc.remote_description().await.is_none() {
            self.early_candidates.push(init);
            return Ok(());
        }
        self.pc.add_ice_candidate(init).await
    }

    pub async fn close(self) {
        for sub in self.subscriptions.values() {
            sub.stop();
        }
        if let Err(e) = self.pc.close().await {
            tracing::debug!(error = %e, "closing a peer connection");
        }
    }

    pub fn connection(&self) -> SharedPeer {
        self.pc.clone()
    }
}

/// Why an answer was not applied.
#[derive(Debug)]
pub enum AnswerError {
    /// No offer was out.
    Unexpected,
    /// The SDP did not parse or did not fit the offer.
    Sdp(webrtc::error::Error),
}

/// Waits for the subscriber's PLI and FIR about one forwarded track and asks that track's
/// publisher for a keyframe.
async fn relay_keyframe_requests(track: Arc<TrackLocalStaticRTP>, keyframes: KeyframeRequester) {
    loop {
        match track.poll().await {
            Some(TrackLocalEvent::OnRtcpPacket(packets)) => {
                if packets
                    .iter()
                    .any(|p| super::keyframes::is_keyframe_request(p.as_ref()))
                {
                    keyframes.request().await;
                }
            }
            Some(_) => {}
            // Not bound to the connection yet (or no longer): look again shortly.
            None => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
}

/// Copies a publication's packets to one subscriber's track. The packet keeps its payload type
/// (every leg negotiated the server's numbers) but takes the subscriber track's SSRC, and loses
/// the header extensions of the publisher's leg: their ids and meanings (mid, transport-wide
/// sequence numbers) belong to that leg only.
async fn forward(
    mut packets: tokio::sync::broadcast::Receiver<rtc::rtp::Packet>,
    track: Arc<TrackLocalStaticRTP>,
    ssrc: u32,
    keyframes: KeyframeRequester,
) {
    loop {
        match packets.recv().await {
            Ok(mut packet) => {
                packet.header.ssrc = ssrc;
                packet.header.extension = false;
                packet.header.extension_profile = 0;
                packet.header.extensions.clear();
                // Before negotiation completes the track is not bound yet: those packets have
                // nowhere to go, and the keyframe asked for afterwards makes up for them.
                let _ = track.write_rtp(packet).await;
            }
            Err(RecvError::Lagged(skipped)) => {
                tracing::debug!(skipped, "a subscriber fell behind; asking for a keyframe");
                keyframes.request().await;
            }
            Err(RecvError::Closed) => break,
        }
    }
}
