//! Checkpoints: the seq and hash of the last committed row, signed with the audit key and
//! appended as one JSON line to a file outside the database. A row the database lost or changed
//! since no longer matches the line written while it was there.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::key::AuditKey;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// When it was written (RFC 3339, UTC).
    pub at: String,
    /// HMAC-SHA256 over seq, hash and at.
    pub mac: String,
}

impl Checkpoint {
    pub fn new(key: &AuditKey, seq: i64, hash: &str) -> Checkpoint {
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let mac = signature(key, seq, hash, &at);
        Checkpoint {
            seq,
            hash: hash.to_owned(),
            at,
            mac,
        }
    }

    pub fn is_signed_by(&self, key: &AuditKey) -> bool {
        signature(key, self.seq, &self.hash, &self.at) == self.mac
    }
}

fn signature(key: &AuditKey, seq: i64, hash: &str, at: &str) -> String {
    let fields = serde_json::json!(["audit_checkpoint", seq, hash, at]);
    key.mac(fields.to_string().as_bytes())
}

/// Every checkpoint in the file, oldest first; none when the file does not exist yet. A last
/// line cut short (the process died while writing it) is skipped; any other unreadable line is
/// an error, since nobody but this process should write there.
pub fn read(path: &Path) -> anyhow::Result<Vec<Checkpoint>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("reading the audit checkpoints {}", path.display()));
        }
    };
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let mut checkpoints = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Checkpoint>(line) {
            Ok(cp) => checkpoints.push(cp),
            Err(_) if i + 1 == lines.len() && !complete => {
                tracing::warn!(file = %path.display(), "the last audit checkpoint was cut short");
            }
            Err(_) => anyhow::bail!(
                "line {} of the audit checkpoints {} is not a checkpoint",
                i + 1,
                path.display()
            ),
        }
    }
    Ok(checkpoints)
}

/// Appends one line with a single write and flushes it to the disk.
pub fn append(path: &Path, checkpoint: &Checkpoint) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the folder {}", dir.display()))?;
    }
    let mut line = serde_json::to_string(checkpoint)?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening the audit checkpoints {}", path.display()))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .with_context(|| format!("writing the audit checkpoints {}", path.display()))
}
