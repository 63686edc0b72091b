//! Notifications by e-mail through a transactional outbox (Rules art. 14): a service writes the
//! fully rendered message in the same transaction as the change it reports ([`enqueue`]), and
//! the worker ([`worker`]) delivers due messages later, retrying until the relay takes them.
//! A message is never lost with a failed transaction, nor sent for a change that was rolled back.

pub mod ics;
mod message;
mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::{Outgoing, enqueue, enqueue_many, withdraw_pending};
pub use transport::{Mailer, SendError};
pub use worker::{DeliveryReport, deliver_due, spawn_worker};

/// Where a row of the outbox stands.
pub mod status {
    /// Waiting for its `due_at`, or for the next try after a failure.
    pub const PENDING: &str = "pending";
    /// Claimed by a node until `lease_until`.
    pub const SENDING: &str = "sending";
    /// Accepted by the relay (or written as a file).
    pub const SENT: &str = "sent";
    /// No longer wanted (a reminder of a cancelled consultation); never sent.
    pub const WITHDRAWN: &str = "withdrawn";
}
