//! The signaling protocol of a call: typed JSON messages over the consultation's WebSocket
//! (`GET /api/consultations/{id}/signal`). Every message is an object with a `type`.
//!
//! The server is always the offerer of media: it sends `offer` whenever the set of tracks a
//! participant should receive changes, and the participant answers. Browsers and headless peers
//! therefore never have to resolve offer glare.

use serde::{Deserialize, Serialize};

/// What a participant sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message on a socket. `resume` is the token from an earlier `welcome`: the
    /// participant gets their place back (admission, media) instead of joining anew.
    Join {
        #[serde(default)]
        resume: Option<String>,
        /// With `resume`: the client still has its peer connection (only the socket dropped),
        /// so the server keeps the media as it is instead of starting it afresh.
        #[serde(default)]
        keep_media: bool,
    },
    /// The answer to the server's latest `offer`.
    Answer { sdp: String },
    /// A trickled ICE candidate of the participant's peer connection.
    Candidate { candidate: IceCandidate },
    /// A chat line; `file_id` names a file uploaded to `.../files` first.
    Chat {
        #[serde(default)]
        text: String,
        #[serde(default)]
        file_id: Option<String>,
    },
    /// A doctor lets a waiting participant in.
    Admit { participant_id: String },
    /// A doctor turns a waiting participant away.
    Reject {
        participant_id: String,
        #[serde(default)]
        reason: Option<String>,
    },
    /// What the participant's own microphone, camera and screen share are doing.
    Mute {
        audio: bool,
        video: bool,
        #[serde(default)]
        screen: bool,
    },
    /// Asks everyone present to agree to recording.
    RecordingRequest,
    /// This participant's answer to the recording question.
    RecordingConsent { agree: bool },
    /// Stops a recording; anyone may.
    RecordingStop,
    /// Leaves the call (the consultation goes on for the others).
    Leave,
    /// The doctor ends the consultation for everyone.
    End,
    /// Keeps the connection alive from clients that cannot send WebSocket pings.
    Ping,
}

/// An ICE candidate as `RTCIceCandidateInit` serialises it in browsers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    pub candidate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_mid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_m_line_index: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
}

/// Where a participant stands in the call.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// In the waiting room until a doctor admits them.
    Waiting,
    /// In the call.
    Admitted,
}

pub use crate::domain::consultation::CallRole;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ParticipantInfo {
    pub participant_id: String,
    pub user_id: String,
    pub name: String,
    pub role: CallRole,
    pub presence: Presence,
    /// The socket is open; false during a reconnect grace period.
    pub connected: bool,
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatFile {
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatLine {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub text: String,
    pub file: Option<ChatFile>,
    /// RFC 3339, UTC.
    pub at: String,
}

/// The recording's state as everyone sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordingState {
    /// `idle`, `asking` (waiting for everyone's consent) or `active`.
    pub state: &'static str,
    pub requested_by: Option<String>,
    /// User ids of those present who agreed.
    pub agreed: Vec<String>,
    /// RFC 3339, UTC, while active.
    pub started_at: Option<String>,
}

/// An ICE server as `RTCIceServer` takes it in browsers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// What the server sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to `join`: who you are in this call and what it looks like now.
    Welcome {
        participant_id: String,
        /// Send it in a later `join` to take this place back after a dropped connection.
        resume_token: String,
        resumed: bool,
        role: CallRole,
        presence: Presence,
        consultation_id: String,
        participants: Vec<ParticipantInfo>,
        recording: RecordingState,
        ice_servers: Vec<IceServer>,
    },
    /// A doctor let you in; media negotiation follows.
    Admitted,
    /// A doctor turned you away; the socket closes.
    Rejected {
        reason: Option<String>,
    },
    /// Everyone in the call and in the waiting room, after any change.
    Participants {
        participants: Vec<ParticipantInfo>,
    },
    Offer {
        sdp: String,
    },
    Candidate {
        candidate: IceCandidate,
    },
    Chat {
        message: ChatLine,
    },
    /// The chat so far, sent on admission.
    ChatHistory {
        messages: Vec<ChatLine>,
    },
    Recording {
        recording: RecordingState,
    },
    /// Someone declined recording; nothing is recorded.
    RecordingDeclined {
        user_id: String,
        name: String,
    },
    /// The consultation is over; the socket closes.
    Ended {
        reason: &'static str,
    },
    /// This socket was replaced by a newer one of the same participant.
    Replaced,
    Pong,
    /// A message could not be carried out; the call goes on.
    Error {
        code: &'static str,
        message: String,
    },
}
