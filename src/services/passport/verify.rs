//! The health passport's verification badge: each stored signature is checked again when the
//! passport is read — over the signed bytes as stored, by the signer's IIN, against today's
//! trusted roots and CRLs, as at the time of signing. The badge then says what holds now, not
//! only what held once: bytes changed in the database, or a root withdrawn since, show as
//! "not verified" with the rule that failed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::records::SignatureForm;
use crate::signing::{Expected, SignatureInput, Verifier};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureCheck {
    /// The signature verifies over the stored document, by the named signer, with a
    /// certificate that chains to a trusted root and was valid when it was signed.
    pub verified: bool,
    /// Why not: `signature_invalid`, `certificate_untrusted`, `certificate_revoked`, … or
    /// `signature_missing` when nothing complete is stored.
    pub code: Option<String>,
}

impl SignatureCheck {
    fn failed(code: &str) -> SignatureCheck {
        SignatureCheck {
            verified: false,
            code: Some(code.to_owned()),
        }
    }
}

/// A signature as stored with a record or a council's conclusion.
pub struct Stored<'a> {
    pub form: Option<&'a str>,
    /// base64.
    pub signature: Option<&'a str>,
    /// The signer certificate, base64 DER (needed for `raw_p256`; a CMS carries its own).
    pub certificate: Option<&'a str>,
    pub document: Option<&'a str>,
    pub signer_iin: Option<&'a str>,
    pub signed_at: Option<DateTime<Utc>>,
}

pub fn check(verifier: &dyn Verifier, s: &Stored<'_>) -> SignatureCheck {
    let (Some(form), Some(signature), Some(document), Some(iin), Some(at)) =
        (s.form, s.signature, s.document, s.signer_iin, s.signed_at)
    else {
        return SignatureCheck::failed("signature_missing");
    };
    let Ok(signature) = STANDARD.decode(signature) else {
        return SignatureCheck::failed("signature_malformed");
    };
    let certificate = s.certificate.and_then(|c| STANDARD.decode(c).ok());
    let input = if form == SignatureForm::RawP256.as_str() {
        let Some(certificate_der) = certificate.as_deref() else {
            return SignatureCheck::failed("signature_missing");
        };
        SignatureInput::RawP256 {
            signature: &signature,
            certificate_der,
        }
    } else {
        SignatureInput::CmsDetached(&signature)
    };
    let expected = Expected {
        document: document.as_bytes(),
        signer_iin: iin,
        at,
    };
    match verifier.verify(&input, &expected) {
        Ok(_) => SignatureCheck {
            verified: true,
            code: None,
        },
        Err(e) => SignatureCheck::failed(e.code()),
    }
}
