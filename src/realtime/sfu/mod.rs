//! The selective forwarding unit on webrtc-rs: each participant has one peer connection with the
//! server, publishes their microphone and camera into it, and receives every other
//! participant's tracks through it. Nothing is decoded: RTP packets are copied from a
//! publisher's track to a local track per subscriber (fresh SSRC, header extensions of the
//! publisher's leg removed), so a call of six costs the server six connections, not a mesh.

pub mod keyframes;
pub mod peer;
pub mod publication;

use std::sync::Arc;

use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind,
};
use webrtc::peer_connection::{
    MediaEngine, RTCConfigurationBuilder, RTCIceServer, Registry, SettingEngineBuilder,
    register_default_interceptors,
};

pub use peer::{MediaPeer, PeerEvent};
pub use publication::Publication;

/// The payload types the server offers. The server is always the offerer, so every leg of
/// every call uses these numbers and forwarded packets keep theirs.
pub const OPUS_PAYLOAD_TYPE: u8 = 111;
pub const VP8_PAYLOAD_TYPE: u8 = 96;

/// Where peer connections bind and which ICE servers they use themselves.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub udp_addrs: Vec<String>,
    /// Announced instead of the local addresses behind 1:1 NAT.
    pub public_ips: Vec<String>,
    pub stun_urls: Vec<String>,
}

/// The two codecs a consultation needs, and the recordings can store: Opus (Ogg) and VP8 (IVF).
/// RTX is left out on purpose: retransmissions then arrive on the media SSRC itself and are
/// forwarded like any packet.
pub fn opus() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

pub fn vp8() -> RTCRtpCodec {
    let fb = |typ: &str, parameter: &str| RTCPFeedback {
        typ: typ.to_owned(),
        parameter: parameter.to_owned(),
    };
    RTCRtpCodec {
        mime_type: MIME_TYPE_VP8.to_owned(),
        clock_rate: 90000,
        channels: 0,
        sdp_fmtp_line: String::new(),
        rtcp_feedback: vec![fb("ccm", "fir"), fb("nack", ""), fb("nack", "pli")],
    }
}

pub(crate) fn media_engine() -> webrtc::error::Result<(MediaEngine, Registry)> {
    let mut engine = MediaEngine::default();
    engine.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: opus(),
            payload_type: OPUS_PAYLOAD_TYPE,
        },
        RtpCodecKind::Audio,
    )?;
    engine.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: vp8(),
            payload_type: VP8_PAYLOAD_TYPE,
        },
        RtpCodecKind::Video,
    )?;
    // NACK both ways, receiver reports, and transport-wide feedback so browsers can estimate
    // the bandwidth towards the server; then the subscribers' keyframe requests for the
    // forwarders to pass on.
    let registry = register_default_interceptors(Registry::new(), &mut engine)?.with(
        rtc::interceptor::Slot::from(keyframes::SLOT),
        keyframes::KeyframeRequests::default(),
    );
    Ok((engine, registry))
}

impl MediaConfig {
    pub(crate) fn rtc_configuration(&self) -> webrtc::peer_connection::RTCConfiguration {
        let servers = if self.stun_urls.is_empty() {
            vec![]
        } else {
            vec![RTCIceServer {
                urls: self.stun_urls.clone(),
                ..Default::default()
            }]
        };
        RTCConfigurationBuilder::new()
            .with_ice_servers(servers)
            .build()
    }

    pub(crate) fn setting_engine(&self) -> webrtc::peer_connection::SettingEngine {
        let mut builder = SettingEngineBuilder::default();
        if !self.public_ips.is_empty() {
            builder = builder.with_nat_1to1_ips(
                self.public_ips.clone(),
                webrtc::peer_connection::RTCIceCandidateType::Host,
            );
        }
        builder.build()
    }
}

/// A kind of media as the protocol and the recordings name it.
pub fn kind_name(kind: RtpCodecKind) -> &'static str {
    match kind {
        RtpCodecKind::Audio => "audio",
        _ => "video",
    }
}

pub type SharedPeer = Arc<dyn webrtc::peer_connection::PeerConnection>;
