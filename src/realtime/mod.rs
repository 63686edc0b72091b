//! Real-time consultations (Rules art. 16, 18, 36): the signaling protocol, the rooms, the SFU
//! on webrtc-rs, recordings and TURN credentials.
//!
//! Media runs on a multi-thread tokio runtime of its own, not on the HTTP workers'
//! single-thread runtimes: a busy HTTP worker never delays a packet, and a call's peer
//! connections, forwarding tasks and room task spread over the media threads. The HTTP side
//! reaches a room only through its channel.

pub mod protocol;
pub mod recorder;
pub mod room;
pub mod sfu;
pub mod turn;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use self::room::participants::Connection;
use self::room::{Room, RoomInput};
use self::sfu::MediaConfig;
use crate::config::CallSettings;
use crate::services::Context;
use crate::services::calls::Joiner;

/// The rooms that are open, by consultation id.
#[derive(Default)]
pub struct Registry {
    rooms: Mutex<HashMap<String, UnboundedSender<RoomInput>>>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, UnboundedSender<RoomInput>>> {
        // A panic while holding the lock cannot leave the map half-changed: every change is a
        // single insert or remove.
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets a room go if nothing more is waiting for it. Messages are only ever sent while the
    /// lock is held, so none can slip in between this check and the removal.
    pub(crate) fn retire(
        &self,
        consultation: &str,
        inbox: &UnboundedSender<RoomInput>,
        rx: &UnboundedReceiver<RoomInput>,
    ) -> bool {
        let mut rooms = self.lock();
        if !rx.is_empty() {
            return false;
        }
        if rooms
            .get(consultation)
            .is_some_and(|tx| tx.same_channel(inbox))
        {
            rooms.remove(consultation);
        }
        true
    }
}

/// Shuts the media runtime down without waiting when the service stops (dropping a runtime
/// from async code must not block).
struct MediaRuntime(Option<tokio::runtime::Runtime>);

impl Drop for MediaRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// The calls of this node.
#[derive(Clone)]
pub struct Realtime {
    runtime: Arc<MediaRuntime>,
    registry: Arc<Registry>,
    media: MediaConfig,
    next_connection: Arc<AtomicU64>,
}

impl Realtime {
    pub fn new(settings: &CallSettings) -> anyhow::Result<Realtime> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(settings.media_threads.max(1))
            .thread_name("telemed-media")
            .enable_all()
            .build()?;
        Ok(Realtime {
            runtime: Arc::new(MediaRuntime(Some(runtime))),
            registry: Arc::new(Registry::default()),
            media: MediaConfig {
                udp_addrs: settings.udp_addrs.clone(),
                public_ips: settings.public_ips.clone(),
                stun_urls: settings.stun_urls.clone(),
            },
            next_connection: Arc::new(AtomicU64::new(1)),
        })
    }

    fn handle(&self) -> tokio::runtime::Handle {
        match &self.runtime.0 {
            Some(rt) => rt.handle().clone(),
            None => unreachable!("the media runtime lives as long as Realtime"),
        }
    }

    /// A new connection id for a socket.
    pub fn connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Hands a joining participant's socket to the consultation's room, opening the room if
    /// this is the first one.
    pub fn join(
        &self,
        ctx: &Context,
        joiner: Joiner,
        conn: Connection,
        resume: Option<String>,
        keep_media: bool,
    ) {
        let mut rooms = self.registry.lock();
        let consultation = joiner.consultation_id.clone();
        let mut input = RoomInput::Join {
            conn,
            joiner,
            resume,
            keep_media,
        };
        if let Some(tx) = rooms.get(&consultation) {
            match tx.send(input) {
                Ok(()) => return,
                // The room stopped between its last message and now: open a new one.
                Err(e) => input = e.0,
            }
        }
        let patient = match &input {
            RoomInput::Join { joiner, .. } => joiner.patient_id.clone(),
            _ => unreachable!("built above"),
        };
        let tx = {
            let _guard = self.handle().enter();
            Room::spawn(
                consultation.clone(),
                patient,
                ctx.clone(),
                self.media.clone(),
                self.registry.clone(),
            )
        };
        let _ = tx.send(input);
        rooms.insert(consultation, tx);
    }

    /// Passes a participant's message (or the end of their socket) to the room.
    pub fn send(&self, consultation: &str, input: RoomInput) {
        if let Some(tx) = self.registry.lock().get(consultation) {
            let _ = tx.send(input);
        }
    }

    /// The consultation ended outside the call: the room, if open, closes.
    pub fn end(&self, consultation: &str, reason: &'static str) {
        self.send(consultation, RoomInput::End { reason });
    }

    /// Open rooms on this node.
    pub fn rooms(&self) -> usize {
        self.registry.lock().len()
    }
}
