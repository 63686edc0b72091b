//! Cross-checks with an independent implementation: a CMS made by OpenSSL must verify here, and a
//! CMS made here must verify in OpenSSL. SKIPPED (passing, with a note on stderr) on a machine
//! without the `openssl` command, which the project does not require.

use std::path::Path;
use std::process::Command;

use super::pki::{Holder, IIN, at, pki};
use crate::signing::{
    Expected, SignatureInput, TrustStore, Verifier, X509Verifier, sign_cms_detached,
};

const DOCUMENT: &[u8] = br#"{"kind":"referral","to":"cardiology"}"#;

fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        eprintln!("SKIPPED: `openssl` is not installed; the OpenSSL cross-check did not run");
    }
    found
}

fn openssl(args: &[&str], dir: &Path) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write_files(dir: &Path, doctor: &Holder) {
    std::fs::write(dir.join("doc.json"), DOCUMENT).expect("write");
    std::fs::write(dir.join("cert.pem"), doctor.cert_pem()).expect("write");
    std::fs::write(dir.join("key.pem"), doctor.key_pem()).expect("write");
    std::fs::write(dir.join("inter.pem"), pki().intermediate.cert_pem()).expect("write");
    std::fs::write(dir.join("root.pem"), pki().root.cert_pem()).expect("write");
}

fn verifier() -> X509Verifier {
    let trust = TrustStore::from_pem(pki().root.cert_pem().as_bytes(), &[]).expect("trust");
    X509Verifier::new(trust)
}

#[test]
fn art_37_a_cms_made_by_openssl_is_accepted() {
    if !openssl_available() {
        return;
    }
    for (doctor, algorithm) in [
        (&pki().doctor_rsa, "RSA-SHA256"),
        (&pki().doctor_p256, "ECDSA-P256-SHA256"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        write_files(dir.path(), doctor);
        openssl(
            &[
                "cms",
                "-sign",
                "-binary",
                "-md",
                "sha256",
                "-in",
                "doc.json",
                "-signer",
                "cert.pem",
                "-inkey",
                "key.pem",
                "-certfile",
                "inter.pem",
                "-outform",
                "DER",
                "-out",
                "sig.der",
            ],
            dir.path(),
        );
        let signature = std::fs::read(dir.path().join("sig.der")).expect("read");
        let expected = Expected {
            document: DOCUMENT,
            signer_iin: IIN,
            at: at(),
        };
        let signer = verifier()
            .verify(&SignatureInput::CmsDetached(&signature), &expected)
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        assert_eq!(signer.algorithm, algorithm);

        let tampered = Expected {
            document: b"{}",
            ..expected
        };
        let result = verifier().verify(&SignatureInput::CmsDetached(&signature), &tampered);
        assert_eq!(result.map_err(|e| e.code()).err(), Some("digest_mismatch"));
    }
}

#[test]
fn art_37_an_attached_cms_is_refused_as_malformed() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path(), &pki().doctor_p256);
    openssl(
        &[
            "cms",
            "-sign",
            "-nodetach",
            "-binary",
            "-in",
            "doc.json",
            "-signer",
            "cert.pem",
            "-inkey",
            "key.pem",
            "-outform",
            "DER",
            "-out",
            "sig.der",
        ],
        dir.path(),
    );
    let signature = std::fs::read(dir.path().join("sig.der")).expect("read");
    let expected = Expected {
        document: DOCUMENT,
        signer_iin: IIN,
        at: at(),
    };
    let result = verifier().verify(&SignatureInput::CmsDetached(&signature), &expected);
    assert_eq!(
        result.map_err(|e| e.code()).err(),
        Some("signature_malformed")
    );
}

#[test]
fn art_37_a_cms_made_here_verifies_in_openssl() {
    if !openssl_available() {
        return;
    }
    for doctor in [&pki().doctor_rsa, &pki().doctor_p256] {
        let dir = tempfile::tempdir().expect("tempdir");
        write_files(dir.path(), doctor);
        let chain = [pki().intermediate.cert_der.clone()];
        let signature =
            sign_cms_detached(DOCUMENT, &doctor.cert_der, &doctor.key_der, &chain).expect("CMS");
        std::fs::write(dir.path().join("sig.der"), signature).expect("write");
        let attime = at().timestamp().to_string();
        openssl(
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sig.der",
                "-content",
                "doc.json",
                "-CAfile",
                "root.pem",
                "-purpose",
                "any",
                "-attime",
                &attime,
                "-out",
                "verified.json",
            ],
            dir.path(),
        );
        let verified = std::fs::read(dir.path().join("verified.json")).expect("read");
        assert_eq!(verified, DOCUMENT);
    }
}
