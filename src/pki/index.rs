//! `issued.json`: the CA's record of the serials it issued and revoked. The CRL is rebuilt from it
//! on every revocation, so the record, not the last CRL file, is the source of truth.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::files;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    /// The CA's own subject common name and serial, for people reading the file.
    pub ca_name: String,
    pub ca_serial_hex: String,
    /// The number of the CRL last written; the next one gets one more.
    pub crl_number: u64,
    pub issued: Vec<IssuedEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedEntry {
    /// Upper-case hex without leading zeros.
    pub serial_hex: String,
    pub iin: String,
    pub name: String,
    /// "ECDSA-P256" or "RSA-2048".
    pub algorithm: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub revoked: Option<Revocation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    /// The RFC 5280 reason name, e.g. `keyCompromise`; `unspecified` is written as no reason.
    pub reason: String,
}

impl Index {
    pub fn load(path: &Path) -> anyhow::Result<Index> {
        serde_json::from_slice(&files::read(path)?)
            .with_context(|| format!("reading the CA index {}", path.display()))
    }

    pub(super) fn save(&self, path: &Path) -> anyhow::Result<()> {
        let mut json = serde_json::to_vec_pretty(self)?;
        json.push(b'\n');
        files::replace(path, &json)
    }

    pub fn find(&self, serial_hex: &str) -> Option<&IssuedEntry> {
        self.issued
            .iter()
            .find(|e| same_serial(&e.serial_hex, serial_hex))
    }

    pub(super) fn find_mut(&mut self, serial_hex: &str) -> Option<&mut IssuedEntry> {
        self.issued
            .iter_mut()
            .find(|e| same_serial(&e.serial_hex, serial_hex))
    }
}

/// Serials compare as numbers: `0C0A…` (bytes written out) and `C0A…` (as typed) are one serial.
fn same_serial(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.trim_start_matches('0').to_ascii_uppercase();
    digits(a) == digits(b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn serials_with_and_without_a_leading_zero_nibble_are_the_same() {
        assert!(super::same_serial("0C0ADD", "C0ADD"));
        assert!(super::same_serial("c0add", "0C0ADD"));
        assert!(!super::same_serial("0C0ADD", "C0ADE"));
    }
}
