//! Recording a call (art. 36): the consent round, writing the tracks of those who agreed, and
//! storing each finished file among the consultation's materials.

use serde_json::json;

use super::participants::broadcast_admitted;
use super::recording::Outcome;
use super::{Room, error};
use crate::realtime::protocol::ServerMessage;
use crate::realtime::recorder::TrackRecorder;
use crate::realtime::sfu::kind_name;
use crate::services::calls;

impl Room {
    fn announce_recording(&self) {
        broadcast_admitted(
            &self.participants,
            &ServerMessage::Recording {
                recording: self.consent.state(),
            },
        );
    }

    pub(super) async fn recording_request(&mut self, i: usize) {
        let user = self.participants[i].actor.user_id.clone();
        if !self.consent.request(&user) {
            self.participants[i].send(error(
                "recording_busy",
                "a recording is already on or being agreed",
            ));
            return;
        }
        self.settle_consent().await;
        self.announce_recording();
    }

    pub(super) async fn recording_consent(&mut self, i: usize, agree: bool) {
        let p = &self.participants[i];
        let (actor, name) = (p.actor.clone(), p.name.clone());
        let present = self.present();
        let now = self.ctx.clock.now();
        let was_active = self.consent.is_active();
        calls::note(
            &self.ctx,
            &actor,
            &self.consultation,
            &self.patient,
            "call.recording_consent",
            json!({"agree": agree}),
        )
        .await;
        match self.consent.answer(&actor.user_id, agree, &present, now) {
            Outcome::Started => self.recording_started(&actor).await,
            Outcome::Declined => {
                if was_active {
                    self.stop_recording(Some(i)).await;
                }
                broadcast_admitted(
                    &self.participants,
                    &ServerMessage::RecordingDeclined {
                        user_id: actor.user_id.clone(),
                        name,
                    },
                );
            }
            // A newcomer agreed to a running recording: their tracks join it.
            Outcome::Unchanged => self.ensure_recorders().await,
        }
        self.announce_recording();
    }

    /// The people present changed: a round may be complete now.
    pub(super) async fn settle_consent(&mut self) {
        let present = self.present();
        if present.is_empty() {
            return;
        }
        let now = self.ctx.clock.now();
        if self.consent.settle(&present, now) == Outcome::Started {
            let starter = self
                .participants
                .iter()
                .find(|p| p.admitted())
                .map(|p| p.actor.clone());
            if let Some(actor) = starter {
                self.recording_started(&actor).await;
            }
            self.announce_recording();
        }
    }

    async fn recording_started(&mut self, actor: &crate::services::Actor) {
        calls::note(
            &self.ctx,
            actor,
            &self.consultation,
            &self.patient,
            "call.recording_start",
            json!({"agreed": self.consent.agreed}),
        )
        .await;
        self.ensure_recorders().await;
    }

    pub(super) async fn recording_stop(&mut self, i: usize) {
        if self.consent.phase == super::recording::Phase::Idle {
            self.participants[i].send(error("not_recording", "nothing is being recorded"));
            return;
        }
        self.stop_recording(Some(i)).await;
        self.announce_recording();
    }

    /// Starts writing every published track whose publisher agreed to the running recording.
    pub(super) async fn ensure_recorders(&mut self) {
        if !self.consent.is_active() {
            return;
        }
        let now = self.ctx.clock.now();
        for publication in self.publications.values() {
            let Some(owner) = self
                .participants
                .iter()
                .find(|p| p.id == publication.publisher)
            else {
                continue;
            };
            if self.recorders.contains_key(&publication.id)
                || !self.consent.records(&owner.actor.user_id)
            {
                continue;
            }
            let ext = if kind_name(publication.kind) == "audio" {
                ".ogg"
            } else {
                ".ivf"
            };
            let recorder = TrackRecorder::start(publication, self.ctx.blobs.temp_path(ext), now);
            self.recorders.insert(publication.id.clone(), recorder);
        }
    }

    /// Ends the recording for everyone; `by` is who stopped it (None: the call ended).
    pub(super) async fn stop_recording(&mut self, by: Option<usize>) {
        let was_active = self.consent.is_active();
        self.consent.stop();
        let ids: Vec<String> = self.recorders.keys().cloned().collect();
        for id in ids {
            self.stop_recorder(&id).await;
        }
        if was_active {
            let actor = by
                .and_then(|i| self.participants.get(i))
                .or_else(|| self.participants.iter().find(|p| p.admitted()))
                .map(|p| p.actor.clone());
            if let Some(actor) = actor {
                calls::note(
                    &self.ctx,
                    &actor,
                    &self.consultation,
                    &self.patient,
                    "call.recording_stop",
                    json!({}),
                )
                .await;
            }
        }
    }

    /// Finishes one track's file and stores it among the consultation's materials. Storing
    /// runs beside the room, so hashing a long recording does not hold up the call.
    pub(super) async fn stop_recorder(&mut self, publication: &str) {
        let Some(recorder) = self.recorders.remove(publication) else {
            return;
        };
        let owner = self
            .participants
            .iter()
            .find(|p| p.id == recorder.publisher)
            .map(|p| (p.actor.user_id.clone(), p.name.clone()));
        let (user, name) = owner.unwrap_or_default();
        let (ctx, consultation) = (self.ctx.clone(), self.consultation.clone());
        let kind = kind_name(recorder.kind);
        let participant = recorder.publisher.clone();
        let started = recorder.started_at;
        let task = async move {
            let written = match recorder.finish().await {
                Ok(w) => w,
                Err(e) => {
                    tracing::error!(consultation, error = %e, "a recording could not be finished");
                    return;
                }
            };
            let ended = ctx.clock.now();
            let (ext, unit) = if kind == "audio" {
                ("ogg", "packets")
            } else {
                ("ivf", "frames")
            };
            let file_name = format!(
                "recording-{}-{kind}.{ext}",
                started.format("%Y%m%dT%H%M%SZ")
            );
            let details = json!({
                "participant_id": participant,
                "name": name,
                "track": kind,
                "codec": if kind == "audio" { "opus" } else { "vp8" },
                unit: written.units,
                "started_at": started.to_rfc3339(),
                "ended_at": ended.to_rfc3339(),
                "duration_seconds": (ended - started).num_seconds(),
            });
            if let Err(e) = calls::materials::add_recording(
                &ctx,
                &consultation,
                &user,
                file_name,
                written.path,
                details,
            )
            .await
            {
                tracing::error!(consultation, error = %e, "a recording could not be stored");
            }
        };
        self.storing.push(tokio::spawn(task));
    }
}
