//! A headless call participant: the real signaling socket and a real webrtc-rs peer connection
//! that publishes synthetic VP8 video and Opus audio and counts what it receives through the
//! SFU. Used by the call tests and by `bench/sfu`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use rtc::media_stream::MediaStreamTrack;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceCandidateInit, RTCPeerConnectionIceEvent, RTCSessionDescription, Registry,
    register_default_interceptors,
};

/// What arrived from one publisher's track.
#[derive(Debug, Default, Clone)]
pub struct Inbound {
    pub packets: u64,
    pub bytes: u64,
    /// (RTP sequence number, arrival) of every packet, when asked for.
    pub arrivals: Vec<(u16, Instant)>,
}

/// How the peer publishes.
#[derive(Debug, Clone)]
pub struct Source {
    pub video: bool,
    pub audio: bool,
    pub fps: u32,
    /// Bytes per video frame (about 4 200 at 30 fps is 1 Mbit/s).
    pub frame_bytes: usize,
    /// Keep every frame sent (the recording test compares them).
    pub keep_frames: bool,
    /// Keep every packet's send time (the benchmark measures latency from them).
    pub keep_send_times: bool,
    /// Answer the server's offers by itself, as a browser does; off, the test answers.
    pub auto_answer: bool,
}

impl Default for Source {
    fn default() -> Self {
        Source {
            video: true,
            audio: true,
            fps: 30,
            frame_bytes: 1500,
            keep_frames: false,
            keep_send_times: false,
            auto_answer: true,
        }
    }
}

/// What the publisher sent so far.
#[derive(Debug, Default)]
pub struct Sent {
    pub frames: Vec<Bytes>,
    pub video_packets: u64,
    pub send_times: HashMap<u16, Instant>,
}

type Received = Arc<Mutex<HashMap<(String, &'static str), Inbound>>>;

/// What a socket task shares with the peer: the outgoing queue, the log of server messages,
/// and the server candidates waiting for their offer.
#[derive(Clone)]
struct Link {
    out: mpsc::UnboundedSender<String>,
    /// Shared so a reconnected socket takes over what the dropped one left unsent.
    out_rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<String>>>,
    log: Arc<Mutex<Vec<Value>>>,
    arrived: Arc<Notify>,
    pending: Pending,
    auto_answer: bool,
}

pub struct CallPeer {
    pub participant_id: String,
    pub resume_token: String,
    link: Link,
    pub pc: Arc<dyn PeerConnection>,
    received: Received,
    pub sent: Arc<Mutex<Sent>>,
    socket: tokio::task::JoinHandle<()>,
    senders: Vec<tokio::task::JoinHandle<()>>,
}

struct Handler {
    out: mpsc::UnboundedSender<String>,
    received: Received,
    keep_arrivals: bool,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if let Ok(init) = event.candidate.to_json() {
            let msg = json!({"type": "candidate", "candidate": {
                "candidate": init.candidate, "sdpMLineIndex": 0,
            }});
            let _ = self.out.send(msg.to_string());
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let publisher = track.stream_id().await;
        let kind = match track.kind().await {
            RtpCodecKind::Audio => "audio",
            _ => "video",
        };
        let received = self.received.clone();
        let keep = self.keep_arrivals;
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                match event {
                    TrackRemoteEvent::OnRtpPacket(packet) => {
                        let now = Instant::now();
                        let mut map = received.lock().unwrap_or_else(|e| e.into_inner());
                        let entry = map.entry((publisher.clone(), kind)).or_default();
                        entry.packets += 1;
                        entry.bytes += packet.payload.len() as u64;
                        if keep {
                            entry.arrivals.push((packet.header.sequence_number, now));
                        }
                    }
                    TrackRemoteEvent::OnEnded => break,
                    _ => {}
                }
            }
        });
    }
}

/// Why the socket was not opened: the HTTP status and JSON body of the refusal.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: Value,
}

fn media_engine() -> (MediaEngine, Registry) {
    let mut engine = MediaEngine::default();
    engine.register_default_codecs().expect("codecs");
    let registry =
        register_default_interceptors(Registry::new(), &mut engine).expect("interceptors");
    (engine, registry)
}

fn local_track(
    kind: RtpCodecKind,
    ssrc: u32,
    codec: RTCRtpCodec,
    label: &str,
) -> Arc<TrackLocalStaticRTP> {
    Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        format!("local-{ssrc}"),
        format!("{label}-{ssrc}"),
        label.to_owned(),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec,
            ..Default::default()
        }],
    )))
}

/// A synthetic VP8 frame: a real keyframe header (start code, 320x240) on the first frame of
/// every 30, an interframe tag otherwise, then bytes that say which frame this is.
pub fn vp8_frame(index: u32, size: usize) -> Bytes {
    let mut f = Vec::with_capacity(size.max(16));
    if index % 30 == 0 {
        f.extend_from_slice(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]);
        f.extend_from_slice(&320u16.to_le_bytes());
        f.extend_from_slice(&240u16.to_le_bytes());
    } else {
        f.extend_from_slice(&[0x11, 0x02, 0x00]);
    }
    let tag = index.to_le_bytes();
    while f.len() < size.max(16) {
        f.push(tag[f.len() % 4] ^ (f.len() as u8));
    }
    Bytes::from(f)
}

/// VP8 RTP payloads (RFC 7741): a one-byte descriptor, S set on the first packet of the frame.
fn vp8_payloads(frame: &Bytes, mtu: usize) -> Vec<Bytes> {
    frame
        .chunks(mtu)
        .enumerate()
        .map(|(i, chunk)| {
            let mut p = Vec::with_capacity(chunk.len() + 1);
            p.push(if i == 0 { 0x10 } else { 0x00 });
            p.extend_from_slice(chunk);
            Bytes::from(p)
        })
        .collect()
}

impl CallPeer {
    /// Opens the signaling socket as the holder of `token` and sets up the peer connection.
    pub async fn connect(
        base_url: &str,
        token: &str,
        consultation: &str,
        source: Source,
    ) -> Result<CallPeer, Refused> {
        let ws = open(base_url, token, consultation).await?;
        let (out, out_rx) = mpsc::unbounded_channel::<String>();
        let out_rx = Arc::new(tokio::sync::Mutex::new(out_rx));
        let received: Received = Arc::default();
        let (engine, registry) = media_engine();
        let pc: Arc<dyn PeerConnection> = Arc::new(
            PeerConnectionBuilder::new()
                .with_media_engine(engine)
                .with_interceptor_registry(registry)
                .with_handler(Arc::new(Handler {
                    out: out.clone(),
                    received: received.clone(),
                    keep_arrivals: source.keep_send_times,
                }))
                .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
                .build()
                .await
                .expect("peer connection"),
        );
        let sent = Arc::new(Mutex::new(Sent::default()));
        let mut senders = Vec::new();
        if source.audio {
            let ssrc = rand::random();
            let track = local_track(
                RtpCodecKind::Audio,
                ssrc,
                telemed::realtime::sfu::opus(),
                "audio",
            );
            pc.add_track(track.clone() as Arc<dyn TrackLocal>)
                .await
                .expect("audio track");
            senders.push(tokio::spawn(send_audio(track, ssrc)));
        }
        if source.video {
            let ssrc = rand::random();
            let track = local_track(
                RtpCodecKind::Video,
                ssrc,
                telemed::realtime::sfu::vp8(),
                "video",
            );
            pc.add_track(track.clone() as Arc<dyn TrackLocal>)
                .await
                .expect("video track");
            senders.push(tokio::spawn(send_video(
                track,
                ssrc,
                source.clone(),
                sent.clone(),
            )));
        }
        let link = Link {
            out,
            out_rx,
            log: Arc::default(),
            arrived: Arc::new(Notify::new()),
            pending: Pending::default(),
            auto_answer: source.auto_answer,
        };
        let socket = spawn_socket(ws, pc.clone(), link.clone());
        Ok(CallPeer {
            participant_id: String::new(),
            resume_token: String::new(),
            link,
            pc,
            received,
            sent,
            socket,
            senders,
        })
    }

    pub fn send(&self, message: Value) {
        let _ = self.link.out.send(message.to_string());
    }

    /// Sends a raw text frame (malformed input tests).
    pub fn send_raw(&self, text: &str) {
        let _ = self.link.out.send(text.to_owned());
    }

    /// Joins (or resumes) and returns the welcome.
    pub async fn join(&mut self, resume: Option<&str>, keep_media: bool) -> Value {
        let mark = self.link.log.lock().unwrap().len();
        let mut msg = json!({"type": "join"});
        if let Some(token) = resume {
            msg["resume"] = json!(token);
            msg["keep_media"] = json!(keep_media);
        }
        self.send(msg);
        let welcome = self.wait_after(mark, |m| m["type"] == "welcome").await;
        self.participant_id = welcome["participant_id"].as_str().unwrap().to_owned();
        self.resume_token = welcome["resume_token"].as_str().unwrap().to_owned();
        welcome
    }

    /// The first message (from the start of the log) that matches, waiting up to 20 s.
    pub async fn wait_for(&self, what: impl Fn(&Value) -> bool) -> Value {
        self.wait_after(0, what).await
    }

    /// The first message after the `mark`-th that matches.
    pub async fn wait_after(&self, mark: usize, what: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.link.arrived.notified();
            if let Some(found) = self
                .link
                .log
                .lock()
                .unwrap()
                .iter()
                .skip(mark)
                .find(|m| what(m))
            {
                return found.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out; messages so far: {:?}",
                self.messages()
            );
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    pub fn messages(&self) -> Vec<Value> {
        self.link.log.lock().unwrap().clone()
    }

    pub fn mark(&self) -> usize {
        self.link.log.lock().unwrap().len()
    }

    pub fn inbound(&self, publisher: &str, kind: &'static str) -> Inbound {
        self.received
            .lock()
            .unwrap()
            .get(&(publisher.to_owned(), kind))
            .cloned()
            .unwrap_or_default()
    }

    /// Every publisher and kind this peer received from.
    pub fn publishers(&self) -> Vec<(String, &'static str)> {
        self.received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Waits until at least `n` packets of `kind` came from `publisher`.
    pub async fn wait_packets(&self, publisher: &str, kind: &'static str, n: u64) -> Inbound {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.inbound(publisher, kind);
            if got.packets >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "only {} {kind} packets from {publisher} after 20 s; received: {:?}",
                got.packets,
                self.received
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .keys()
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Drops the socket without a word, as a lost network would; media keeps going.
    pub fn drop_socket(&mut self) {
        self.socket.abort();
    }

    /// A new socket for the same peer connection (after `drop_socket`), as a page does when
    /// only its connection to the server dropped.
    pub async fn reconnect(&mut self, base_url: &str, token: &str, consultation: &str) {
        let ws = open(base_url, token, consultation)
            .await
            .expect("reconnect");
        self.socket.abort();
        let _ = (&mut self.socket).await;
        self.socket = spawn_socket(ws, self.pc.clone(), self.link.clone());
    }

    /// Answers, by hand, every offer logged after the `after`-th message; returns how far the
    /// log was read.
    pub async fn answer_offers_after(&self, after: usize) -> usize {
        let log = self.messages();
        for offer in log.iter().skip(after).filter(|m| m["type"] == "offer") {
            let sdp = self.answer_to(offer).await;
            self.send(json!({"type": "answer", "sdp": sdp}));
        }
        log.len()
    }

    /// The answer to an offer, made by this peer's connection (for tests that answer by hand).
    pub async fn answer_to(&self, offer: &Value) -> String {
        answer(&self.pc, offer, &self.link.pending).await
    }

    pub async fn close(self) {
        for s in &self.senders {
            s.abort();
        }
        self.socket.abort();
        let _ = self.pc.close().await;
    }
}

impl Drop for CallPeer {
    fn drop(&mut self) {
        for s in &self.senders {
            s.abort();
        }
        self.socket.abort();
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base_url: &str, token: &str, consultation: &str) -> Result<Ws, Refused> {
    let url = format!(
        "{}/api/consultations/{consultation}/signal",
        base_url.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_ref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            Err(Refused { status, body })
        }
        Err(e) => panic!("websocket: {e}"),
    }
}

/// Carries the socket: what the peer sends goes out; what the server sends is answered
/// (offers, candidates) and logged.
fn spawn_socket(ws: Ws, pc: Arc<dyn PeerConnection>, link: Link) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Link {
            out,
            out_rx,
            log,
            arrived,
            pending,
            auto_answer,
        } = link;
        let mut out_rx = out_rx.lock().await;
        let (mut write, mut read) = ws.split();
        loop {
            tokio::select! {
                msg = out_rx.recv() => match msg {
                    Some(text) => if write.send(Message::text(text)).await.is_err() { break },
                    None => break,
                },
                incoming = read.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
                        handle(&pc, &out, &value, auto_answer, &pending).await;
                        log.lock().unwrap().push(value);
                        arrived.notify_waiters();
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        log.lock().unwrap().push(json!({"type": "_closed"}));
                        arrived.notify_waiters();
                        break;
                    }
                    _ => {}
                }
            }
        }
    })
}

/// Answers the server's offers and takes its candidates, as a browser does.
async fn handle(
    pc: &Arc<dyn PeerConnection>,
    out: &mpsc::UnboundedSender<String>,
    msg: &Value,
    auto_answer: bool,
    pending: &Pending,
) {
    match msg["type"].as_str() {
        Some("offer") if auto_answer => {
            let sdp = answer(pc, msg, pending).await;
            let _ = out.send(json!({"type": "answer", "sdp": sdp}).to_string());
        }
        Some("candidate") => {
            let c = &msg["candidate"];
            let init = RTCIceCandidateInit {
                candidate: c["candidate"].as_str().unwrap_or_default().to_owned(),
                sdp_mid: c["sdpMid"].as_str().map(str::to_owned),
                sdp_mline_index: c["sdpMLineIndex"].as_u64().map(|v| v as u16),
                username_fragment: None,
                url: None,
            };
            // Held until the offer is applied, as a browser page must too.
            if pc.remote_description().await.is_none() {
                pending.lock().unwrap().push(init);
            } else {
                let _ = pc.add_ice_candidate(init).await;
            }
        }
        _ => {}
    }
}

/// Server candidates that arrived before the offer they belong to was applied.
type Pending = Arc<Mutex<Vec<RTCIceCandidateInit>>>;

async fn answer(pc: &Arc<dyn PeerConnection>, offer: &Value, pending: &Pending) -> String {
    let sdp = offer["sdp"].as_str().unwrap_or_default().to_owned();
    let offer = RTCSessionDescription::offer(sdp).expect("offer SDP");
    pc.set_remote_description(offer).await.expect("apply offer");
    let early: Vec<RTCIceCandidateInit> = std::mem::take(&mut *pending.lock().unwrap());
    for candidate in early {
        let _ = pc.add_ice_candidate(candidate).await;
    }
    let answer = pc.create_answer(None).await.expect("answer");
    pc.set_local_description(answer).await.expect("set answer");
    pc.local_description().await.expect("local").sdp
}

/// Opus-sized packets every 20 ms (the SFU does not decode them).
async fn send_audio(track: Arc<TrackLocalStaticRTP>, ssrc: u32) {
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    let (mut seq, mut ts) = (0u16, 0u32);
    loop {
        ticker.tick().await;
        let packet = rtp::Packet {
            header: rtp::header::Header {
                version: 2,
                payload_type: telemed::realtime::sfu::OPUS_PAYLOAD_TYPE,
                sequence_number: seq,
                timestamp: ts,
                ssrc,
                marker: true,
                ..Default::default()
            },
            payload: Bytes::from_static(&[0xfc, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05]),
        };
        if track.write_rtp(packet).await.is_ok() {
            seq = seq.wrapping_add(1);
            ts = ts.wrapping_add(960);
        }
    }
}

/// VP8 frames at the source's rate, each split into packets of at most 1 100 bytes.
async fn send_video(
    track: Arc<TrackLocalStaticRTP>,
    ssrc: u32,
    source: Source,
    sent: Arc<Mutex<Sent>>,
) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / source.fps.max(1));
    let (mut seq, mut index) = (0u16, 0u32);
    loop {
        ticker.tick().await;
        let frame = vp8_frame(index, source.frame_bytes);
        let payloads = vp8_payloads(&frame, 1100);
        let last = payloads.len() - 1;
        let timestamp = index.wrapping_mul(90_000 / source.fps.max(1));
        let mut delivered = true;
        for (i, payload) in payloads.into_iter().enumerate() {
            let packet = rtp::Packet {
                header: rtp::header::Header {
                    version: 2,
                    payload_type: telemed::realtime::sfu::VP8_PAYLOAD_TYPE,
                    sequence_number: seq,
                    timestamp,
                    ssrc,
                    marker: i == last,
                    ..Default::default()
                },
                payload,
            };
            let at = Instant::now();
            if track.write_rtp(packet).await.is_err() {
                // Not negotiated yet: the frame is not sent; the next one tries again.
                delivered = false;
                break;
            }
            let mut s = sent.lock().unwrap();
            s.video_packets += 1;
            if source.keep_send_times {
                s.send_times.insert(seq, at);
            }
            seq = seq.wrapping_add(1);
        }
        if delivered {
            if source.keep_frames {
                sent.lock().unwrap().frames.push(frame);
            }
            index += 1;
        }
    }
}
