//! Password hashing with Argon2id (memory-hard), off the async executor, behind a gate.
//!
//! Each hash or verification holds about 19 MiB (Argon2id's default memory cost) for tens of
//! milliseconds. Unbounded, a burst of sign-ins multiplies that by the burst: 64 at once took a
//! node past half a gigabyte. The [`HashGate`] lets a fixed number run at once; the others wait
//! a short, bounded time for a slot and then get 503 `busy` with a Retry-After, which a client
//! can honour and an attacker cannot turn into unbounded memory.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

use crate::config::AuthSettings;
use crate::error::{AppError, AppResult};

pub fn hash_blocking(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

pub fn verify_blocking(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes outside the gate: for one-off work at start (the demo data), not for requests.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// Bounds the password hashes and verifications running at once in this process.
#[derive(Clone)]
pub struct HashGate {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl HashGate {
    pub fn new(auth: &AuthSettings) -> HashGate {
        HashGate::with_limits(
            auth.hash_permits(),
            Duration::from_millis(auth.hash_queue_ms),
        )
    }

    pub fn with_limits(slots: usize, wait: Duration) -> HashGate {
        HashGate {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// Runs `work` on the blocking pool once a slot is free, waiting at most the configured
    /// time, else `busy`. The slot goes with the work, so it stays taken until the work ends
    /// even when the request that asked for it has gone: the memory is held until then too.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AppError::busy(self.wait.as_secs().max(1)))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the hash gate is closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(slot);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_blocking(&password)).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_answers_busy_after_its_wait_and_frees_its_slot_after_the_work() {
        let gate = HashGate::with_limits(1, Duration::from_millis(50));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let busy_gate = gate.clone();
        let holder = tokio::spawn(async move {
            busy_gate
                .run(move || {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                })
                .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let refused = gate.run(|| ()).await.unwrap_err();
        assert_eq!(refused.code(), "busy");
        release_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash_blocking("correct horse battery").unwrap();
        assert!(verify_blocking("correct horse battery", &stored));
        assert!(!verify_blocking("correct horse batterY", &stored));
        assert!(!verify_blocking("correct horse battery", "not a hash"));
    }
}
