//! Use-cases. Each takes the [`Context`] (database, clock, settings) and the acting user,
//! enforces the rules and the permissions, and returns views ready to serialise.

pub mod acceptances;
pub mod access_log;
pub mod accounts;
pub mod break_glass;
pub mod calls;
pub mod consent;
pub mod consultations;
pub mod councils;
pub mod deferred;
pub mod demo;
pub mod demo_scale;
pub mod demo_texts;
pub mod documents;
pub mod file_limit;
pub mod icd10;
pub(crate) mod input;
pub mod offers;
pub mod organizations;
pub mod paging;
pub mod passport;
pub mod passwords;
pub mod patients;
pub mod platform;
pub mod practitioners;
pub mod records;
pub mod refs;
pub mod schedules;
pub mod signing_keys;
pub mod slots;
pub mod texts;
pub mod week;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// The address people open (no trailing slash), for links in mail.
    pub public_url: String,
    /// Checks electronic signatures on medical records against the configured trust.
    pub verifier: Arc<dyn crate::signing::Verifier>,
    /// Files: shared documents, call recordings, transcripts.
    pub blobs: crate::storage::BlobStore,
    /// Bounds the password hashes running at once (their memory): sign-in and registration.
    pub hashing: passwords::HashGate,
}

pub use crate::access::Actor;

impl Context {
    /// The access policy's configured spans.
    pub fn access_rules(&self) -> crate::access::Rules {
        crate::access::Rules::from_settings(&self.settings.access)
    }
}

/// Free-text fields: the boundary checks of `input`, used by most services.
pub(crate) use input::{optional_text, required_text};
