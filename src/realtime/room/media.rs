//! The room's media: a peer connection per admitted participant, the tracks they publish, and
//! the offers that tell each participant what they now receive.

use webrtc::peer_connection::RTCPeerConnectionState;

use super::participants::Participant;
use super::{Room, RoomInput, error};
use crate::realtime::protocol::{IceCandidate, ServerMessage};
use crate::realtime::sfu::peer::AnswerError;
use crate::realtime::sfu::{MediaPeer, PeerEvent, Publication};

impl Room {
    /// A fresh peer connection for an admitted participant, subscribed to everything the others
    /// publish, and the first offer.
    pub(super) async fn start_media(&mut self, i: usize) {
        self.generation += 1;
        let pid = self.participants[i].id.clone();
        let mut peer = match MediaPeer::new(
            &self.media,
            &pid,
            self.generation,
            self.peer_events.clone(),
        )
        .await
        {
            Ok(peer) => peer,
            Err(e) => {
                tracing::error!(error = %e, "a peer connection could not be created");
                self.participants[i].send(error(
                    "media_unavailable",
                    "the media server cannot take this call now",
                ));
                return;
            }
        };
        for publication in self.publications.values().filter(|p| p.publisher != pid) {
            if let Err(e) = peer.subscribe(publication).await {
                tracing::warn!(error = %e, "a subscription failed");
            }
        }
        self.participants[i].peer = Some(peer);
        self.offer(i).await;
    }

    /// Replaces a participant's media (a reloaded page, a failed connection).
    pub(super) async fn restart_media(&mut self, i: usize) {
        let affected = self.take_media(i).await;
        self.offer_all(&affected).await;
        self.start_media(i).await;
    }

    /// Ends a departing participant's media: their tracks leave everyone else's connection.
    pub(super) async fn drop_media(&mut self, p: Participant) {
        let published: Vec<String> = self
            .publications
            .values()
            .filter(|x| x.publisher == p.id)
            .map(|x| x.id.clone())
            .collect();
        let affected = self.unpublish(&published).await;
        if let Some(peer) = p.peer {
            peer.close().await;
        }
        self.offer_all(&affected).await;
    }

    /// Closes participant `i`'s peer connection and withdraws their tracks; returns whom that
    /// affects.
    async fn take_media(&mut self, i: usize) -> Vec<String> {
        let pid = self.participants[i].id.clone();
        let published: Vec<String> = self
            .publications
            .values()
            .filter(|x| x.publisher == pid)
            .map(|x| x.id.clone())
            .collect();
        let affected = self.unpublish(&published).await;
        if let Some(peer) = self.participants[i].peer.take() {
            peer.close().await;
        }
        affected
    }

    /// Withdraws publications: no longer forwarded to anyone, no longer recorded. Returns the
    /// participants whose connection changed and who need a new offer.
    pub(super) async fn unpublish(&mut self, ids: &[String]) -> Vec<String> {
        let mut affected = Vec::new();
        for id in ids {
            let Some(publication) = self.publications.remove(id) else {
                continue;
            };
            self.stop_recorder(id).await;
            for p in &mut self.participants {
                if let Some(peer) = p.peer.as_mut()
                    && peer.is_subscribed(id)
                {
                    if let Err(e) = peer.unsubscribe(id).await {
                        tracing::warn!(error = %e, "an unsubscription failed");
                    }
                    if !affected.contains(&p.id) {
                        affected.push(p.id.clone());
                    }
                }
            }
            drop(publication);
        }
        affected
    }

    pub(super) async fn offer_all(&mut self, participants: &[String]) {
        for pid in participants {
            if let Some(i) = self.by_id(pid) {
                self.offer(i).await;
            }
        }
    }

    pub(super) async fn offer(&mut self, i: usize) {
        let Some(peer) = self.participants[i].peer.as_mut() else {
            return;
        };
        match peer.offer().await {
            Ok(Some(sdp)) => self.participants[i].send(ServerMessage::Offer { sdp }),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "an offer could not be made");
                self.participants[i].send(error(
                    "media_unavailable",
                    "the media server could not renegotiate",
                ));
            }
        }
    }

    pub(super) async fn answer(&mut self, i: usize, sdp: String) {
        let Some(peer) = self.participants[i].peer.as_mut() else {
            self.participants[i].send(error(
                "unexpected_answer",
                "no offer is waiting for an answer",
            ));
            return;
        };
        match peer.answer(sdp).await {
            Ok(true) => self.offer(i).await,
            Ok(false) => {}
            Err(AnswerError::Unexpected) => {
                self.participants[i].send(error(
                    "unexpected_answer",
                    "no offer is waiting for an answer",
                ));
            }
            Err(AnswerError::Sdp(e)) => {
                self.participants[i].send(error(
                    "bad_sdp",
                    format!("the answer was not accepted: {e}"),
                ));
            }
        }
    }

    pub(super) async fn candidate(&mut self, i: usize, candidate: IceCandidate) {
        let Some(peer) = self.participants[i].peer.as_mut() else {
            return;
        };
        if let Err(e) = peer.candidate(candidate).await {
            self.participants[i].send(error(
                "bad_candidate",
                format!("the ICE candidate was not accepted: {e}"),
            ));
        }
    }

    /// Finds the participant a peer event belongs to, if that peer is still theirs.
    fn peer_owner(&self, participant: &str, generation: u64) -> Option<usize> {
        self.by_id(participant).filter(|&i| {
            self.participants[i]
                .peer
                .as_ref()
                .is_some_and(|p| p.generation == generation)
        })
    }

    pub(super) async fn peer_event(&mut self, event: PeerEvent) {
        match event {
            PeerEvent::Candidate {
                participant,
                generation,
                candidate,
            } => {
                if let Some(i) = self.peer_owner(&participant, generation) {
                    self.participants[i].send(ServerMessage::Candidate { candidate });
                }
            }
            PeerEvent::State {
                participant,
                generation,
                state,
            } => {
                let Some(i) = self.peer_owner(&participant, generation) else {
                    return;
                };
                if let Some(peer) = self.participants[i].peer.as_mut() {
                    if state == RTCPeerConnectionState::Connected {
                        peer.connected();
                    } else {
                        peer.state = state;
                    }
                }
                if state == RTCPeerConnectionState::Failed {
                    // The page reconnects (a new join) to get a fresh connection.
                    let affected = self.take_media(i).await;
                    self.offer_all(&affected).await;
                    self.participants[i].send(error(
                        "media_failed",
                        "the media connection was lost; reconnect",
                    ));
                }
            }
            PeerEvent::Track {
                participant,
                generation,
                track,
            } => {
                if self.peer_owner(&participant, generation).is_some() {
                    self.publish(participant, track).await;
                }
            }
        }
    }

    /// A participant's new track: forwarded to every other admitted participant, and recorded
    /// if a recording they agreed to is on.
    async fn publish(
        &mut self,
        publisher: String,
        track: std::sync::Arc<dyn webrtc::media_stream::track_remote::TrackRemote>,
    ) {
        let inbox = self.inbox.clone();
        let Some(publication) = Publication::start(&publisher, track, move |id| {
            let _ = inbox.send(RoomInput::PublicationEnded { id });
        })
        .await
        else {
            return;
        };
        if self.publications.contains_key(&publication.id) {
            return;
        }
        let mut affected = Vec::new();
        for p in &mut self.participants {
            if p.id == publisher {
                continue;
            }
            if let Some(peer) = p.peer.as_mut() {
                match peer.subscribe(&publication).await {
                    Ok(()) => affected.push(p.id.clone()),
                    Err(e) => tracing::warn!(error = %e, "a subscription failed"),
                }
            }
        }
        let id = publication.id.clone();
        self.publications.insert(id.clone(), publication);
        self.ensure_recorders().await;
        self.offer_all(&affected).await;
    }
}
