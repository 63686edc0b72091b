//! The people in a room: in the waiting room or admitted, connected or within their reconnect
//! grace period, and what each of them may see of the others.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use crate::realtime::protocol::{CallRole, ParticipantInfo, Presence, ServerMessage};
use crate::realtime::sfu::MediaPeer;
use crate::services::Actor;

/// What a connection's writer receives.
#[derive(Debug)]
pub enum Outbound {
    Message(Box<ServerMessage>),
    /// Close the socket after what was queued before.
    Close,
}

/// One open socket of a participant.
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: u64,
    pub tx: UnboundedSender<Outbound>,
}

impl Connection {
    pub fn send(&self, message: ServerMessage) {
        // A closed receiver means the socket is going away; the room hears `Gone` next.
        let _ = self.tx.send(Outbound::Message(Box::new(message)));
    }

    pub fn close(&self) {
        let _ = self.tx.send(Outbound::Close);
    }
}

pub struct Participant {
    pub id: String,
    pub resume_token: String,
    pub actor: Actor,
    pub name: String,
    pub role: CallRole,
    pub presence: Presence,
    pub conn: Option<Connection>,
    /// When the socket dropped, for the reconnect grace period.
    pub dropped_at: Option<Instant>,
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
    pub peer: Option<MediaPeer>,
}

impl Participant {
    pub fn info(&self) -> ParticipantInfo {
        ParticipantInfo {
            participant_id: self.id.clone(),
            user_id: self.actor.user_id.clone(),
            name: self.name.clone(),
            role: self.role,
            presence: self.presence,
            connected: self.conn.is_some(),
            audio: self.audio,
            video: self.video,
            screen: self.screen,
        }
    }

    pub fn admitted(&self) -> bool {
        self.presence == Presence::Admitted
    }

    pub fn send(&self, message: ServerMessage) {
        if let Some(conn) = &self.conn {
            conn.send(message);
        }
    }
}

/// Who a participant sees: once admitted, everyone (a doctor sees the waiting room); while
/// waiting, only the clinicians in the call and themself.
pub fn visible_to(viewer: &Participant, all: &[Participant]) -> Vec<ParticipantInfo> {
    all.iter()
        .filter(|p| {
            viewer.admitted() || p.id == viewer.id || (p.admitted() && p.role.is_clinician())
        })
        .map(Participant::info)
        .collect()
}

/// Sends everyone their view of the room.
pub fn broadcast_list(all: &[Participant]) {
    for viewer in all {
        viewer.send(ServerMessage::Participants {
            participants: visible_to(viewer, all),
        });
    }
}

/// Sends a message to everyone admitted.
pub fn broadcast_admitted(all: &[Participant], message: &ServerMessage) {
    for p in all.iter().filter(|p| p.admitted()) {
        p.send(message.clone());
    }
}
