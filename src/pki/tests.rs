//! The development PKI end to end through the library: a CA, a doctor's certificate, a signature
//! that the service's verifier accepts, and the same signature refused once the certificate is
//! revoked (Rules art. 37: records are signed with the doctor's digital signature).

use std::path::Path;
use std::process::Command;

use chrono::Utc;

use super::*;
use crate::domain::iin::Iin;
use crate::signing::SignatureError;

/// Valid IINs (with their check digit), as `issue` requires.
fn iin() -> String {
    Iin::complete("85010130012").expect("IIN").to_string()
}
fn other_iin() -> String {
    Iin::complete("90020240045").expect("IIN").to_string()
}
const DOCUMENT: &[u8] = br#"{"diagnoses":[{"icd10":"I10"}],"kind":"conclusion"}"#;

fn doctor(dir: &Path, algorithm: KeyAlgorithm, out: &str) -> Issued {
    issue(
        dir,
        &IssueOptions {
            iin: iin(),
            name: "АХМЕТОВ АЛИХАН".into(),
            days: 30,
            algorithm,
            out: Some(dir.join(out)),
            password: "secret-1".into(),
        },
    )
    .expect("issue")
}

fn verify(
    paths: &CaPaths,
    signature: &[u8],
    iin: &str,
) -> Result<crate::signing::VerifiedSigner, SignatureError> {
    verify_document(
        &[paths.certificate()],
        &[paths.crl()],
        DOCUMENT,
        signature,
        iin,
        Utc::now(),
    )
    .expect("trust files")
}

#[test]
fn art_37_init_issue_sign_verify_revoke() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join("ca");
    let paths = init_ca(&dir, &CaOptions::default()).expect("init-ca");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(paths.key())
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the CA key is private");
    }
    let again = init_ca(&dir, &CaOptions::default()).expect_err("a second CA in the same folder");
    assert!(again.to_string().contains("already"), "{again}");

    let issued = doctor(&dir, KeyAlgorithm::P256, "doctor.p12");
    assert_eq!(issued.cert_pem, dir.join("doctor.cert.pem"));
    assert_eq!(issued.key_pem, dir.join("doctor.key.pem"));
    let index = Index::load(&paths.index()).expect("index");
    let entry = index.find(&issued.serial_hex).expect("serial recorded");
    assert_eq!(
        (entry.iin.as_str(), entry.revoked.is_none()),
        (iin().as_str(), true)
    );

    let signature =
        sign_document(&issued.key_pem, &issued.cert_pem, DOCUMENT).expect("sign a document");
    let signer = verify(&paths, &signature, &iin()).expect("a valid signature");
    assert_eq!(signer.iin, iin());
    assert_eq!(signer.common_name, "АХМЕТОВ АЛИХАН");
    assert_eq!(signer.serial_hex, issued.serial_hex);
    assert_eq!(signer.algorithm, "ECDSA-P256-SHA256");
    assert_eq!(
        verify(&paths, &signature, &other_iin()).map(|_| ()),
        Err(SignatureError::SignerMismatch)
    );

    let revoked = revoke(
        &dir,
        &issued.serial_hex.to_lowercase(),
        "keyCompromise".parse().expect("reason"),
    )
    .expect("revoke");
    assert_eq!(revoked.crl_number, 2, "the empty CRL was number 1");
    assert_eq!(
        verify(&paths, &signature, &iin()).map(|_| ()),
        Err(SignatureError::CertificateRevoked)
    );
    let twice = revoke(&dir, &issued.serial_hex, RevocationReason::UNSPECIFIED);
    assert!(twice.is_err(), "a serial is revoked once");
    assert!(revoke(&dir, "0BADC0DE", RevocationReason::UNSPECIFIED).is_err());
}

#[test]
fn art_37_rsa_certificates_under_an_rsa_ca_verify() {
    let temp = tempfile::tempdir().expect("tempdir");
    let options = CaOptions {
        algorithm: KeyAlgorithm::Rsa2048,
        ..CaOptions::default()
    };
    let paths = init_ca(temp.path(), &options).expect("init-ca --rsa");
    let issued = doctor(temp.path(), KeyAlgorithm::Rsa2048, "rsa.p12");
    let signature = sign_document(&issued.key_pem, &issued.cert_pem, DOCUMENT).expect("sign");
    let signer = verify(&paths, &signature, &iin()).expect("a valid RSA signature");
    assert_eq!(signer.algorithm, "RSA-SHA256");
}

#[test]
fn issue_refuses_an_invalid_iin_and_existing_files() {
    let temp = tempfile::tempdir().expect("tempdir");
    init_ca(temp.path(), &CaOptions::default()).expect("init-ca");
    let mut options = IssueOptions {
        iin: {
            // The right digits with the wrong check digit.
            let mut bad = iin();
            let last = bad.pop().and_then(|c| c.to_digit(10)).expect("digit");
            bad.push(char::from_digit((last + 1) % 10, 10).expect("digit"));
            bad
        },
        name: "Doctor".into(),
        days: 30,
        algorithm: KeyAlgorithm::P256,
        out: Some(temp.path().join("d.p12")),
        password: DEV_PASSWORD.into(),
    };
    let error = issue(temp.path(), &options).expect_err("bad check digit");
    assert!(error.to_string().contains("--iin"), "{error}");
    options.iin = iin();
    issue(temp.path(), &options).expect("issue");
    issue(temp.path(), &options).expect_err("the files exist");
}

#[test]
fn the_pkcs12_store_holds_the_key_and_chain_and_opens_in_openssl() {
    let temp = tempfile::tempdir().expect("tempdir");
    let paths = init_ca(temp.path(), &CaOptions::default()).expect("init-ca");
    let issued = doctor(temp.path(), KeyAlgorithm::P256, "doctor.p12");
    let bytes = std::fs::read(&issued.p12).expect("p12");
    let store = p12_keystore::KeyStore::from_pkcs12(&bytes, "secret-1").expect("open");
    let (_, chain) = store.private_key_chain().expect("a key entry");
    let ca_pem = std::fs::read(paths.certificate()).expect("ca.pem");
    let ca = x509_cert::Certificate::load_pem_chain(&ca_pem).expect("CA");
    assert_eq!(chain.chain().len(), 2, "certificate and CA");
    assert_eq!(
        chain.chain()[1].as_der(),
        der::Encode::to_der(&ca[0]).expect("DER")
    );
    assert!(p12_keystore::KeyStore::from_pkcs12(&bytes, "wrong").is_err());

    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        eprintln!("SKIPPED: `openssl` is not installed; the PKCS#12 was not read by OpenSSL");
        return;
    }
    let out = Command::new("openssl")
        .args([
            "pkcs12",
            "-info",
            "-noout",
            "-passin",
            "pass:secret-1",
            "-in",
        ])
        .arg(&issued.p12)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl pkcs12: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The certificate verifies under the CA and the CRL in OpenSSL too.
    let out = Command::new("openssl")
        .args(["verify", "-crl_check", "-CAfile"])
        .arg(paths.certificate())
        .arg("-CRLfile")
        .arg(paths.crl())
        .arg(&issued.cert_pem)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
