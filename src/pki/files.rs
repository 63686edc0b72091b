//! File helpers: private files are created with mode 0600 and nothing is ever overwritten by
//! accident; the CRL and the index are replaced whole (write beside, then rename).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rand::RngCore;
use time::OffsetDateTime;

/// Whether the file may be read by others: keys may not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Public,
    OwnerOnly,
}

/// Creates `path` with `bytes`; fails if it exists.
pub(super) fn create_new(path: &Path, bytes: &[u8], access: Access) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if access == Access::OwnerOnly {
            0o600
        } else {
            0o644
        });
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Replaces `path` with `bytes` so that a reader sees the old file or the new one, never half.
pub(super) fn replace(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    let _ = std::fs::remove_file(&temporary);
    create_new(&temporary, bytes, Access::Public)?;
    std::fs::rename(&temporary, path).with_context(|| format!("replacing {}", path.display()))
}

pub(super) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

pub(super) fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// A random positive 128-bit serial with a non-zero first byte, so its DER bytes and its hex
/// (as `VerifiedSigner::serial_hex` and OpenSSL print it) are the same 16 bytes.
pub(super) fn random_serial() -> Vec<u8> {
    let mut serial = vec![0u8; 16];
    rand::thread_rng().fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7f).max(1);
    serial
}

/// A serial as typed by a person or printed by a tool (`0x`, colons, any case, leading zeros)
/// in the form the index keeps: upper-case hex without leading zeros.
pub(super) fn normalize_serial(input: &str) -> anyhow::Result<String> {
    let hex: String = input
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    anyhow::ensure!(
        !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "not a hexadecimal serial number: {input:?}"
    );
    let trimmed = hex.trim_start_matches('0').to_ascii_uppercase();
    Ok(if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed
    })
}

/// Certificate times: whole seconds, as X.509 keeps them.
pub(super) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default()
}

pub(super) fn to_offset(at: DateTime<Utc>) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(at.timestamp()).context("time out of range")
}
