//! Password hashing with Argon2id (memory-hard), off the async executor, behind a gate.
//!
//! Each hash or verification works in about 19 MiB (Argon2id's default memory cost) for tens of
//! milliseconds. Unbounded, a burst of sign-ins multiplies that by the burst: 64 at once took a
//! node past half a gigabyte. The [`HashGate`] lets a fixed number run at once; the others wait
//! a short, bounded time for a slot and then get 503 `busy` with a Retry-After, which a client
//! can honour and an attacker cannot turn into memory.
//!
//! The gate also owns the working memory: one buffer per slot, allocated on first use and
//! reused. Allocated and freed per hash, the 19 MiB stays behind in the allocator's arena of
//! each thread of the blocking pool that hashed once (sequential registrations grew a node by
//! 19 MiB a thread, a burst of sign-ins to a gigabyte, with only two hashes at a time).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

use crate::config::AuthSettings;
use crate::error::{AppError, AppResult};

fn hashing_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("hashing a password: {e}"))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password` with the default
/// parameters, computed in `memory` (at least [`Params::block_count`] blocks).
fn hash_in(memory: &mut [Block], password: &str) -> AppResult<String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(hashing_error)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory)
            .map_err(Into::into)
    })
    .map_err(hashing_error)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(hashing_error)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, computed in `memory` when it is large
/// enough for the stored parameters (a hash made with more memory gets its own, once).
fn verify_in(memory: &mut [Block], password: &str, stored: &str) -> bool {
    let mut check = || -> Result<bool, argon2::password_hash::Error> {
        let hash = PasswordHash::new(stored)?;
        let algorithm = Algorithm::try_from(hash.algorithm)?;
        let version = hash
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&hash)?;
        let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
            return Ok(false);
        };
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let blocks = params.block_count();
        let argon2 = Argon2::new(algorithm, version, params);
        let computed = Output::init_with(expected.len(), |out| {
            let result = match memory.get_mut(..blocks) {
                Some(memory) => argon2.hash_password_into_with_memory(
                    password.as_bytes(),
                    salt_bytes,
                    out,
                    memory,
                ),
                None => argon2.hash_password_into(password.as_bytes(), salt_bytes, out),
            };
            result.map_err(Into::into)
        })?;
        // `Output`'s equality is constant-time.
        Ok(computed == expected)
    };
    check().unwrap_or(false)
}

fn workspace() -> Vec<Block> {
    vec![Block::default(); Params::default().block_count()]
}

pub fn hash_blocking(password: &str) -> AppResult<String> {
    hash_in(&mut workspace(), password)
}

pub fn verify_blocking(password: &str, stored: &str) -> bool {
    verify_in(&mut workspace(), password, stored)
}

/// Hashes outside the gate: for one-off work at start (the demo data), not for requests.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// Bounds the password hashes and verifications running at once in this process, and holds
/// their working memory.
#[derive(Clone)]
pub struct HashGate {
    slots: Arc<Semaphore>,
    wait: Duration,
    /// At most one buffer per slot: a buffer is taken only while a slot is held.
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    /// A real hash to verify against when the e-mail is unknown.
    dummy: Arc<std::sync::OnceLock<String>>,
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
            memory: Arc::default(),
            dummy: Arc::default(),
        }
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move |memory, _| hash_in(memory, &password))
            .await?
    }

    /// Checks `password` against the stored hash; with none (an unknown e-mail) against a real
    /// one all the same, so that the answer takes as long and does not tell which addresses
    /// have accounts. `busy` when no slot came free in time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        self.run(move |memory, dummy| match stored {
            Some(stored) => verify_in(memory, &password, &stored),
            None => {
                let dummy =
                    dummy.get_or_init(|| hash_in(memory, "not a password").unwrap_or_default());
                verify_in(memory, &password, dummy);
                false
            }
        })
        .await
    }

    /// Runs `work` on the blocking pool with a slot and its memory, waiting for a slot at most
    /// the configured time, else `busy`. The slot goes with the work, so it stays taken until the
    /// work ends even when the request that asked for it has gone: the memory is in use until
    /// then too.
    async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut [Block], &std::sync::OnceLock<String>) -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AppError::busy(self.wait.as_secs().max(1)))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the hash gate is closed: {e}")))?;
        let (pool, dummy) = (self.memory.clone(), self.dummy.clone());
        tokio::task::spawn_blocking(move || {
            let taken = pool.lock().map(|mut free| free.pop()).unwrap_or(None);
            let mut memory = taken.unwrap_or_else(workspace);
            let result = work(&mut memory, &dummy);
            if let Ok(mut free) = pool.lock() {
                free.push(memory);
            }
            drop(slot);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))
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
                .run(move |_, _| {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                })
                .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let refused = gate.run(|_, _| ()).await.unwrap_err();
        assert_eq!(refused.code(), "busy");
        release_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        assert_eq!(gate.run(|_, _| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn the_gate_reuses_one_buffer_per_slot() {
        let gate = HashGate::with_limits(1, Duration::from_secs(5));
        let stored = gate.hash("correct horse battery".into()).await.unwrap();
        for _ in 0..3 {
            assert!(
                gate.verify("correct horse battery".into(), Some(stored.clone()))
                    .await
                    .unwrap()
            );
        }
        assert!(
            !gate
                .verify("correct horse battery".into(), None)
                .await
                .unwrap()
        );
        assert_eq!(gate.memory.lock().unwrap().len(), 1);
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_blocking("correct horse battery").unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let theirs = Argon2::default()
            .hash_password(b"demo-telemed-2026", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_blocking("demo-telemed-2026", &theirs));
        assert!(!verify_blocking("demo-telemed-2027", &theirs));
        assert!(!verify_blocking("correct horse battery", "not a hash"));
        // A hash made with more memory than the gate's buffers is still checked.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify_blocking("correct horse battery", &bigger));
    }
}
