//! Recordings, chat and files (art. 36).
