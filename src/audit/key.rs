//! The audit key: 32 secret bytes in a file outside the database, loaded once per process and
//! found again by its public id, which the log's head row names.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, LazyLock, RwLock};

use anyhow::Context as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const KEY_LEN: usize = 32;

/// The HMAC-SHA256 key of the chain, the head and the checkpoints. `Debug` shows its id only.
#[derive(Clone)]
pub struct AuditKey {
    bytes: [u8; KEY_LEN],
    id: String,
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> AuditKey {
        let mut key = AuditKey {
            bytes,
            id: String::new(),
        };
        // A MAC of a fixed label: names the key without revealing it.
        key.id = key.mac(b"telemed audit key id")[..16].to_owned();
        key
    }

    /// A fresh random key.
    pub fn generate() -> AuditKey {
        let mut bytes = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        AuditKey::from_bytes(bytes)
    }

    /// Public: stored in the head row so a process finds the key of the log it writes to.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Hex HMAC-SHA256 of `data`.
    pub fn mac(&self, data: &[u8]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.bytes).expect("HMAC takes a key of any length");
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Reads a key file: 32 raw bytes, or 64 hex digits (what `openssl rand -hex 32` writes).
    pub fn read(path: &Path) -> anyhow::Result<AuditKey> {
        let raw = std::fs::read(path)
            .with_context(|| format!("reading the audit key file {}", path.display()))?;
        warn_if_readable_by_others(path);
        if let Ok(bytes) = <[u8; KEY_LEN]>::try_from(raw.as_slice()) {
            return Ok(AuditKey::from_bytes(bytes));
        }
        let text = std::str::from_utf8(&raw).unwrap_or_default().trim();
        let decoded = hex::decode(text).ok();
        match decoded.as_deref().map(<[u8; KEY_LEN]>::try_from) {
            Some(Ok(bytes)) => Ok(AuditKey::from_bytes(bytes)),
            _ => anyhow::bail!(
                "the audit key file {} must hold 32 bytes or 64 hex digits",
                path.display()
            ),
        }
    }

    /// Writes a new random key to `path` (mode 0600) unless a file is already there, and returns
    /// the key the file holds afterwards: two processes starting at once agree on one key.
    pub fn create(path: &Path) -> anyhow::Result<AuditKey> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the folder {}", dir.display()))?;
        }
        let key = AuditKey::generate();
        let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        let written = write_private(&tmp, &key.bytes)
            .with_context(|| format!("writing the audit key file {}", tmp.display()));
        // A hard link appears whole or not at all and never replaces an existing file.
        let linked = written.and_then(|()| {
            std::fs::hard_link(&tmp, path).or_else(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Ok(())
                } else {
                    Err(e).with_context(|| format!("creating {}", path.display()))
                }
            })
        });
        let _ = std::fs::remove_file(&tmp);
        linked?;
        AuditKey::read(path)
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                file = %path.display(),
                "the audit key file is readable by other users: chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Keys this process loaded, by id. Usually one; the test suites run many apps, each with a
/// database and a key of its own, in one process.
static KEYS: LazyLock<RwLock<HashMap<String, Arc<AuditKey>>>> = LazyLock::new(Default::default);

pub fn register(key: AuditKey) -> Arc<AuditKey> {
    let key = Arc::new(key);
    let mut keys = KEYS.write().unwrap_or_else(|e| e.into_inner());
    keys.entry(key.id().to_owned()).or_insert(key).clone()
}

pub fn registered(id: &str) -> Option<Arc<AuditKey>> {
    let keys = KEYS.read().unwrap_or_else(|e| e.into_inner());
    keys.get(id).cloned()
}
