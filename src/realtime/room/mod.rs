//! One consultation's call: a task on the media runtime that owns everything about it — the
//! participants and the waiting room, their peer connections and published tracks, the chat and
//! the recording — and takes its input from the participants' sockets, their peer connections
//! and a one-second tick, one message at a time. No locks: the room's state is the task's own.

mod capture;
mod media;
pub mod participants;
pub mod recording;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use self::participants::{Connection, Participant, broadcast_admitted, broadcast_list};
use self::recording::Consent;
use super::Registry;
use super::protocol::{ClientMessage, Presence, ServerMessage};
use super::recorder::TrackRecorder;
use super::sfu::{MediaConfig, PeerEvent, Publication};
use crate::config::CallSettings;
use crate::error::AppError;
use crate::services::Context;
use crate::services::calls::{self, Joiner};

/// What reaches a room.
pub enum RoomInput {
    Join {
        conn: Connection,
        joiner: Joiner,
        resume: Option<String>,
        keep_media: bool,
    },
    Client {
        conn: u64,
        message: ClientMessage,
    },
    /// A socket closed.
    Gone {
        conn: u64,
    },
    /// The consultation ended outside the call (the doctor's HTTP request, a telephone record).
    End {
        reason: &'static str,
    },
    PublicationEnded {
        id: String,
    },
    Tick,
}

pub struct Room {
    consultation: String,
    /// Whose consultation it is: the subject of every audit row the call writes.
    patient: String,
    ctx: Context,
    settings: CallSettings,
    media: MediaConfig,
    inbox: UnboundedSender<RoomInput>,
    peer_events: UnboundedSender<PeerEvent>,
    participants: Vec<Participant>,
    publications: HashMap<String, Publication>,
    consent: Consent,
    recorders: HashMap<String, TrackRecorder>,
    /// Recordings being stored; the room waits for them before it goes.
    storing: Vec<tokio::task::JoinHandle<()>>,
    generation: u64,
    ended: bool,
}

fn error(code: &'static str, message: impl Into<String>) -> ServerMessage {
    ServerMessage::Error {
        code,
        message: message.into(),
    }
}

fn app_error(e: &AppError) -> ServerMessage {
    match e {
        AppError::Client { code, message, .. } => error(code, message.clone()),
        other => {
            tracing::error!(error = %other, "a call action failed");
            error("internal_error", "something went wrong; try again")
        }
    }
}

impl Room {
    /// Starts the room's task on the current (media) runtime.
    pub(super) fn spawn(
        consultation: String,
        patient: String,
        ctx: Context,
        media: MediaConfig,
        registry: Arc<Registry>,
    ) -> UnboundedSender<RoomInput> {
        let (inbox, rx) = unbounded_channel();
        let (peer_events, peer_rx) = unbounded_channel();
        let room = Room {
            settings: ctx.settings.calls.clone(),
            consultation,
            patient,
            ctx,
            media,
            inbox: inbox.clone(),
            peer_events,
            participants: Vec::new(),
            publications: HashMap::new(),
            consent: Consent::default(),
            recorders: HashMap::new(),
            storing: Vec::new(),
            generation: 0,
            ended: false,
        };
        let ticks = inbox.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                if ticks.send(RoomInput::Tick).is_err() {
                    break;
                }
            }
        });
        tokio::spawn(room.run(rx, peer_rx, registry));
        inbox
    }

    async fn run(
        mut self,
        mut rx: UnboundedReceiver<RoomInput>,
        mut peer_rx: UnboundedReceiver<PeerEvent>,
        registry: Arc<Registry>,
    ) {
        loop {
            tokio::select! {
                input = rx.recv() => match input {
                    Some(input) => self.handle(input).await,
                    None => break,
                },
                Some(event) = peer_rx.recv() => self.peer_event(event).await,
            }
            if (self.ended || self.participants.is_empty())
                && registry.retire(&self.consultation, &self.inbox, &rx)
            {
                break;
            }
        }
        self.shutdown().await;
    }

    async fn handle(&mut self, input: RoomInput) {
        match input {
            RoomInput::Join {
                conn,
                joiner,
                resume,
                keep_media,
            } => self.join(conn, joiner, resume, keep_media).await,
            RoomInput::Client { conn, message } => {
                if let Some(i) = self.by_conn(conn) {
                    self.message(i, message).await;
                }
            }
            RoomInput::Gone { conn } => {
                if let Some(i) = self.by_conn(conn) {
                    let p = &mut self.participants[i];
                    p.conn = None;
                    p.dropped_at = Some(Instant::now());
                    broadcast_list(&self.participants);
                }
            }
            RoomInput::End { reason } => self.finish(reason).await,
            RoomInput::PublicationEnded { id } => {
                let affected = self.unpublish(&[id]).await;
                self.offer_all(&affected).await;
            }
            RoomInput::Tick => self.expire_dropped().await,
        }
    }

    fn by_conn(&self, conn: u64) -> Option<usize> {
        self.participants
            .iter()
            .position(|p| p.conn.as_ref().is_some_and(|c| c.id == conn))
    }

    fn by_id(&self, id: &str) -> Option<usize> {
        self.participants.iter().position(|p| p.id == id)
    }

    /// User ids of everyone admitted: whose consent a recording needs.
    fn present(&self) -> BTreeSet<String> {
        self.participants
            .iter()
            .filter(|p| p.admitted())
            .map(|p| p.actor.user_id.clone())
            .collect()
    }

    async fn join(
        &mut self,
        conn: Connection,
        joiner: Joiner,
        resume: Option<String>,
        keep_media: bool,
    ) {
        if self.ended {
            conn.send(ServerMessage::Ended {
                reason: "consultation_ended",
            });
            conn.close();
            return;
        }
        let user = joiner.actor.user_id.clone();
        // The same person taking their place back after a dropped connection.
        if let Some(i) = resume.as_deref().and_then(|token| {
            self.participants
                .iter()
                .position(|p| p.resume_token == token && p.actor.user_id == user)
        }) {
            self.resume(i, conn, keep_media).await;
            return;
        }
        // The same person again without a token (another tab, a reload): the newer socket
        // takes over, and a doctor's admission is not asked for twice.
        let mut was_admitted = false;
        if let Some(i) = self
            .participants
            .iter()
            .position(|p| p.actor.user_id == user)
        {
            was_admitted = self.participants[i].admitted();
            let old = self.participants.remove(i);
            if let Some(c) = &old.conn {
                c.send(ServerMessage::Replaced);
                c.close();
            }
            self.drop_media(old).await;
        }
        if self.participants.len() >= self.settings.max_participants {
            conn.send(error(
                "call_full",
                format!(
                    "a call takes at most {} people",
                    self.settings.max_participants
                ),
            ));
            conn.close();
            return;
        }
        let presence = if joiner.role.is_clinician() || was_admitted {
            Presence::Admitted
        } else {
            Presence::Waiting
        };
        let participant = Participant {
            id: uuid::Uuid::new_v4().simple().to_string(),
            resume_token: uuid::Uuid::new_v4().simple().to_string(),
            name: joiner.name.clone(),
            role: joiner.role,
            presence,
            conn: Some(conn),
            dropped_at: None,
            audio: true,
            video: true,
            screen: false,
            peer: None,
            actor: joiner.actor.clone(),
        };
        calls::note(
            &self.ctx,
            &joiner.actor,
            &self.consultation,
            &self.patient,
            "call.join",
            serde_json::json!({"role": joiner.role, "waiting": presence == Presence::Waiting}),
        )
        .await;
        self.participants.push(participant);
        let i = self.participants.len() - 1;
        self.welcome(i, false);
        if presence == Presence::Admitted {
            self.enter(i).await;
        }
        broadcast_list(&self.participants);
    }

    fn welcome(&self, i: usize, resumed: bool) {
        let p = &self.participants[i];
        let now = self.ctx.clock.now().timestamp();
        p.send(ServerMessage::Welcome {
            participant_id: p.id.clone(),
            resume_token: p.resume_token.clone(),
            resumed,
            role: p.role,
            presence: p.presence,
            consultation_id: self.consultation.clone(),
            participants: participants::visible_to(p, &self.participants),
            recording: self.consent.state(),
            ice_servers: super::turn::ice_servers(&self.settings, &p.actor.user_id, now)
                .ice_servers,
        });
    }

    async fn resume(&mut self, i: usize, conn: Connection, keep_media: bool) {
        let p = &mut self.participants[i];
        if let Some(old) = p.conn.replace(conn) {
            old.send(ServerMessage::Replaced);
            old.close();
        }
        p.dropped_at = None;
        self.welcome(i, true);
        if self.participants[i].admitted() {
            self.send_history(i).await;
            let healthy = self.participants[i].peer.as_ref().is_some_and(|peer| {
                !matches!(
                    peer.state,
                    webrtc::peer_connection::RTCPeerConnectionState::Failed
                        | webrtc::peer_connection::RTCPeerConnectionState::Closed
                )
            });
            if !(keep_media && healthy) {
                // The page was reloaded or its connection is gone: media starts afresh.
                self.restart_media(i).await;
            }
        }
        broadcast_list(&self.participants);
    }

    /// Someone is in the call now (a clinician on joining, others on admission).
    async fn enter(&mut self, i: usize) {
        self.send_history(i).await;
        self.start_media(i).await;
        // A newcomer during a recording is asked too; until they agree their media is not
        // written.
        let recording = ServerMessage::Recording {
            recording: self.consent.state(),
        };
        broadcast_admitted(&self.participants, &recording);
    }

    async fn send_history(&self, i: usize) {
        let id = self.consultation.clone();
        match self
            .ctx
            .db
            .run(move |conn| calls::chat::history_rows(conn, &id))
            .await
        {
            Ok(messages) => self.participants[i].send(ServerMessage::ChatHistory { messages }),
            Err(e) => self.participants[i].send(app_error(&e)),
        }
    }

    async fn message(&mut self, i: usize, message: ClientMessage) {
        let admitted = self.participants[i].admitted();
        match message {
            ClientMessage::Join { .. } => {
                self.participants[i]
                    .send(error("already_joined", "this socket has joined already"));
            }
            ClientMessage::Ping => self.participants[i].send(ServerMessage::Pong),
            ClientMessage::Leave => self.leave(i, "left").await,
            _ if !admitted => {
                self.participants[i].send(error("not_admitted", "wait until a doctor admits you"));
            }
            ClientMessage::Answer { sdp } => self.answer(i, sdp).await,
            ClientMessage::Candidate { candidate } => self.candidate(i, candidate).await,
            ClientMessage::Chat { text, file_id } => self.chat(i, text, file_id).await,
            ClientMessage::Admit { participant_id } => self.admit(i, &participant_id).await,
            ClientMessage::Reject {
                participant_id,
                reason,
            } => self.reject(i, &participant_id, reason).await,
            ClientMessage::Mute {
                audio,
                video,
                screen,
            } => {
                let p = &mut self.participants[i];
                (p.audio, p.video, p.screen) = (audio, video, screen);
                broadcast_list(&self.participants);
            }
            ClientMessage::RecordingRequest => self.recording_request(i).await,
            ClientMessage::RecordingConsent { agree } => self.recording_consent(i, agree).await,
            ClientMessage::RecordingStop => self.recording_stop(i).await,
            ClientMessage::End => self.end(i).await,
        }
    }

    async fn chat(&mut self, i: usize, text: String, file_id: Option<String>) {
        let actor = self.participants[i].actor.clone();
        match calls::chat::post(&self.ctx, &actor, &self.consultation, &text, file_id).await {
            Ok(message) => broadcast_admitted(&self.participants, &ServerMessage::Chat { message }),
            Err(e) => self.participants[i].send(app_error(&e)),
        }
    }

    fn require_clinician(&self, i: usize) -> bool {
        if self.participants[i].role.is_clinician() {
            return true;
        }
        self.participants[i].send(error(
            "only_doctor",
            "only a doctor in the call may do this",
        ));
        false
    }

    /// The waiting participant a clinician acts on (admit, reject); tells the sender why not.
    fn waiting_target(&self, by: usize, target: &str) -> Option<usize> {
        if !self.require_clinician(by) {
            return None;
        }
        let found = self
            .by_id(target)
            .filter(|&t| !self.participants[t].admitted());
        if found.is_none() {
            self.participants[by].send(error("not_waiting", "nobody with this id is waiting"));
        }
        found
    }

    async fn admit(&mut self, by: usize, target: &str) {
        let Some(t) = self.waiting_target(by, target) else {
            return;
        };
        let admitter = self.participants[by].actor.clone();
        // Admission starts the consultation (in progress, start time).
        if let Err(e) = calls::lifecycle::start(&self.ctx, &admitter, &self.consultation).await {
            self.participants[by].send(app_error(&e));
            return;
        }
        calls::note(
            &self.ctx,
            &admitter,
            &self.consultation,
            &self.patient,
            "call.admit",
            serde_json::json!({"admitted": self.participants[t].actor.user_id}),
        )
        .await;
        self.participants[t].presence = Presence::Admitted;
        self.participants[t].send(ServerMessage::Admitted);
        self.enter(t).await;
        broadcast_list(&self.participants);
    }

    async fn reject(&mut self, by: usize, target: &str, reason: Option<String>) {
        let Some(t) = self.waiting_target(by, target) else {
            return;
        };
        // Shown to the person turned away and kept in the record: no controls, no hidden text.
        let reason = reason.map(|r| {
            r.chars()
                .filter(|c| crate::domain::text::allowed(*c, crate::domain::text::Lines::One))
                .take(500)
                .collect::<String>()
        });
        // On the record before the person turned away hears of it.
        let by = self.participants[by].actor.clone();
        calls::note(
            &self.ctx,
            &by,
            &self.consultation,
            &self.patient,
            "call.reject",
            serde_json::json!({"rejected": self.participants[t].actor.user_id, "reason": reason}),
        )
        .await;
        let rejected = self.participants.remove(t);
        if let Some(c) = &rejected.conn {
            c.send(ServerMessage::Rejected { reason });
            c.close();
        }
        broadcast_list(&self.participants);
    }

    async fn leave(&mut self, i: usize, why: &'static str) {
        calls::note(
            &self.ctx,
            &self.participants[i].actor,
            &self.consultation,
            &self.patient,
            "call.leave",
            serde_json::json!({"reason": why}),
        )
        .await;
        let p = self.participants.remove(i);
        if let Some(c) = &p.conn {
            c.close();
        }
        self.drop_media(p).await;
        self.settle_consent().await;
        broadcast_list(&self.participants);
    }

    async fn expire_dropped(&mut self) {
        let grace = Duration::from_secs(self.settings.reconnect_grace_seconds);
        while let Some(i) = self
            .participants
            .iter()
            .position(|p| p.dropped_at.is_some_and(|t| t.elapsed() >= grace))
        {
            self.leave(i, "connection_lost").await;
        }
    }

    async fn end(&mut self, i: usize) {
        let actor = self.participants[i].actor.clone();
        // Recordings are stored before the consultation closes, so they belong to it.
        self.stop_recording(Some(i)).await;
        match calls::lifecycle::end(&self.ctx, &actor, &self.consultation).await {
            Ok(_) => self.finish("ended_by_doctor").await,
            Err(e) => self.participants[i].send(app_error(&e)),
        }
    }

    /// The consultation is over: everyone is told and let go.
    async fn finish(&mut self, reason: &'static str) {
        self.stop_recording(None).await;
        for p in std::mem::take(&mut self.participants) {
            if let Some(c) = &p.conn {
                c.send(ServerMessage::Ended { reason });
                c.close();
            }
            self.drop_media(p).await;
        }
        self.ended = true;
    }

    async fn shutdown(mut self) {
        self.stop_recording(None).await;
        for p in std::mem::take(&mut self.participants) {
            if let Some(c) = &p.conn {
                c.close();
            }
            self.drop_media(p).await;
        }
        for task in std::mem::take(&mut self.storing) {
            let _ = task.await;
        }
    }
}
