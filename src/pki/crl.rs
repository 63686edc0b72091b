//! Revocation: the CA's CRL, rebuilt from the index and signed anew on every change.

use std::path::Path;
use std::str::FromStr;

use chrono::Duration;
use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};

use super::ca::{self, CaPaths, LoadedCa};
use super::files;
use super::index::{Index, Revocation};

/// How long a CRL stays current: a relying party fetches a new one before `nextUpdate`.
const CRL_LIFETIME: Duration = Duration::days(30);

/// The reason codes of RFC 5280 §5.3.1, named as there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationReason(Option<rcgen::RevocationReason>);

const REASONS: [(&str, Option<rcgen::RevocationReason>); 10] = [
    // RFC 5280 asks to leave the reason out rather than write `unspecified`.
    ("unspecified", None),
    (
        "keyCompromise",
        Some(rcgen::RevocationReason::KeyCompromise),
    ),
    ("caCompromise", Some(rcgen::RevocationReason::CaCompromise)),
    (
        "affiliationChanged",
        Some(rcgen::RevocationReason::AffiliationChanged),
    ),
    ("superseded", Some(rcgen::RevocationReason::Superseded)),
    (
        "cessationOfOperation",
        Some(rcgen::RevocationReason::CessationOfOperation),
    ),
    (
        "certificateHold",
        Some(rcgen::RevocationReason::CertificateHold),
    ),
    (
        "removeFromCRL",
        Some(rcgen::RevocationReason::RemoveFromCrl),
    ),
    (
        "privilegeWithdrawn",
        Some(rcgen::RevocationReason::PrivilegeWithdrawn),
    ),
    ("aACompromise", Some(rcgen::RevocationReason::AaCompromise)),
];

impl RevocationReason {
    pub const UNSPECIFIED: RevocationReason = RevocationReason(None);

    pub fn name(self) -> &'static str {
        REASONS
            .iter()
            .find(|(_, code)| *code == self.0)
            .map_or("unspecified", |(name, _)| name)
    }
}

impl FromStr for RevocationReason {
    type Err = anyhow::Error;
    fn from_str(input: &str) -> anyhow::Result<Self> {
        REASONS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(input))
            .map(|(_, code)| RevocationReason(*code))
            .ok_or_else(|| {
                let names: Vec<_> = REASONS.iter().map(|(name, _)| *name).collect();
                anyhow::anyhow!(
                    "unknown revocation reason {input:?}; one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The outcome of [`revoke`].
#[derive(Debug, Clone)]
pub struct Revoked {
    pub serial_hex: String,
    pub crl_number: u64,
}

/// Marks an issued serial as revoked in the index and publishes a new CRL with it. A serial the
/// CA never issued, or one already revoked, is refused: a typo must not go unnoticed.
pub fn revoke(dir: &Path, serial: &str, reason: RevocationReason) -> anyhow::Result<Revoked> {
    let paths = CaPaths::new(dir);
    let serial_hex = files::normalize_serial(serial)?;
    let ca = ca::load(&paths)?;
    let mut index = Index::load(&paths.index())?;
    let entry = index
        .find_mut(&serial_hex)
        .ok_or_else(|| anyhow::anyhow!("serial {serial_hex} was not issued by this CA"))?;
    if let Some(revocation) = &entry.revoked {
        anyhow::bail!(
            "serial {serial_hex} is already revoked (since {})",
            revocation.at
        );
    }
    entry.revoked = Some(Revocation {
        at: files::now(),
        reason: reason.name().to_owned(),
    });
    let crl_number = publish(&paths, &ca, index)?;
    Ok(Revoked {
        serial_hex,
        crl_number,
    })
}

/// Signs the CRL of `index` with the next CRL number, then saves both: the CRL first, so the
/// index never records a number that was not published.
pub(super) fn publish(paths: &CaPaths, ca: &LoadedCa, mut index: Index) -> anyhow::Result<u64> {
    index.crl_number += 1;
    let now = files::now();
    let mut revoked_certs = Vec::new();
    for entry in &index.issued {
        let Some(revocation) = &entry.revoked else {
            continue;
        };
        let serial = hex::decode(pad_even(&entry.serial_hex))?;
        revoked_certs.push(RevokedCertParams {
            serial_number: SerialNumber::from_slice(&serial),
            revocation_time: files::to_offset(revocation.at)?,
            reason_code: revocation.reason.parse::<RevocationReason>()?.0,
            invalidity_date: None,
        });
    }
    let params = CertificateRevocationListParams {
        this_update: files::to_offset(now)?,
        next_update: files::to_offset(now + CRL_LIFETIME)?,
        crl_number: SerialNumber::from(index.crl_number),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params
        .signed_by(&ca.issuer)
        .map_err(|e| anyhow::anyhow!("signing the CRL: {e}"))?;
    let pem = crl
        .pem()
        .map_err(|e| anyhow::anyhow!("encoding the CRL: {e}"))?;
    files::replace(&paths.crl(), pem.as_bytes())?;
    index.save(&paths.index())?;
    Ok(index.crl_number)
}

fn pad_even(hex: &str) -> String {
    if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_owned()
    }
}
