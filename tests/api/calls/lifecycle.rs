//! The consultation's course through the call.
