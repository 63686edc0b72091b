//! The development CA a demo installation makes on its first start, so that the demo doctors can
//! enrol a WebCrypto key and sign conclusions in the browser at once. It is named as what it is
//! ("DEVELOPMENT CA — not for production"), lives in its own folder under `data/`, and is never
//! made in the production profile (no demo data there, and `signing.dev_ca_dir` is empty).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{CaOptions, CaPaths, KeyAlgorithm, init_ca};

/// The subject of the development CA: a signature under it says so to anyone who looks.
pub const DEVELOPMENT_CA_NAME: &str = "telemed DEVELOPMENT CA - not for production";

/// The development CA in `dir`: the one made earlier, or a new one.
pub fn ensure(dir: &Path, now: DateTime<Utc>) -> anyhow::Result<(CaPaths, bool)> {
    let paths = CaPaths::new(dir);
    if paths.certificate().exists() && paths.key().exists() {
        return Ok((paths, false));
    }
    let options = CaOptions {
        name: DEVELOPMENT_CA_NAME.to_owned(),
        days: 3650,
        algorithm: KeyAlgorithm::P256,
        valid_from: Some(now),
    };
    Ok((init_ca(dir, &options)?, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_development_ca_is_made_once_and_named_for_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let ca_dir = dir.path().join("dev-ca");
        let (paths, made) = ensure(&ca_dir, Utc::now()).unwrap();
        assert!(made);
        let pem = std::fs::read_to_string(paths.certificate()).unwrap();
        let cert = <x509_cert::Certificate as der::DecodePem>::from_pem(pem.as_bytes()).unwrap();
        assert!(
            cert.tbs_certificate
                .subject
                .to_string()
                .contains("DEVELOPMENT CA")
        );
        let (_, made_again) = ensure(&ca_dir, Utc::now()).unwrap();
        assert!(!made_again, "a second start keeps the CA it made");
    }
}
