//! Deferred consultations (Rules art. 13, 17, 21; Order No. 5 of 2025): what a request asks for,
//! the licence a receiving organisation needs to interpret a study, the consultant taking the
//! request, asking for more documents (the deadline clock stops and restarts) or declining it,
//! and its completion when a signed conclusion, referral or prescription reaches the requester.

pub mod completion;
pub mod flow;

pub use super::consultations::request::{DeferredView, check_licence};
