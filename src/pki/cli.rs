//! The `telemed pki` subcommands: argument parsing and printing around the library functions.

use std::path::PathBuf;

use anyhow::Context;
use base64::Engine;
use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::{
    CaOptions, DEV_PASSWORD, IssueOptions, KeyAlgorithm, RevocationReason, files, init_ca, issue,
    revoke, sign_document, verify_document,
};

#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Create a self-signed root CA in DIR: ca.pem, ca.key.pem (0600), ca.crl.pem, issued.json.
    InitCa {
        #[arg(long)]
        dir: PathBuf,
        /// The CA's common name.
        #[arg(long, default_value = "telemed test CA")]
        name: String,
        /// Validity in days.
        #[arg(long, default_value_t = 3650)]
        days: u32,
        /// An RSA-2048 key instead of ECDSA P-256.
        #[arg(long)]
        rsa: bool,
    },
    /// Issue a doctor's signing certificate and key as PKCS#12 (+ FILE.cert.pem, FILE.key.pem).
    Issue {
        /// The CA folder.
        #[arg(long)]
        dir: PathBuf,
        /// The doctor's 12-digit IIN (SERIALNUMBER=IIN<iin> in the subject).
        #[arg(long)]
        iin: String,
        /// The full name (the subject CN).
        #[arg(long)]
        name: String,
        /// Validity in days (never beyond the CA's).
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// An RSA-2048 key instead of ECDSA P-256.
        #[arg(long)]
        rsa: bool,
        /// The PKCS#12 file; default DIR/IIN<iin>-<serial>.p12.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The PKCS#12 password; without it the development-only password "telemed-dev".
        #[arg(long, env = "TELEMED_PKI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Revoke an issued certificate: add its serial to the CRL and sign the CRL again.
    Revoke {
        #[arg(long)]
        dir: PathBuf,
        /// The serial number in hex, as `issue` printed it.
        #[arg(long)]
        serial: String,
        /// RFC 5280 reason: keyCompromise, affiliationChanged, superseded, cessationOfOperation…
        #[arg(long, default_value = "unspecified")]
        reason: RevocationReason,
    },
    /// Sign a file's exact bytes: a detached CMS SignedData, as NCALayer makes.
    Sign {
        /// The PKCS#8 PEM private key (FILE.key.pem from `issue`).
        #[arg(long)]
        key: PathBuf,
        /// The certificate PEM (FILE.cert.pem), optionally followed by intermediates.
        #[arg(long)]
        cert: PathBuf,
        #[arg(long)]
        doc: PathBuf,
        /// Where the signature goes; default DOC.p7s, or standard output with --base64.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write base64 instead of DER (what NCALayer returns to a page).
        #[arg(long)]
        base64: bool,
    },
    /// Verify a detached CMS over a file as the service does; exits non-zero when refused.
    Verify {
        /// Trusted root certificates (PEM or DER); repeat for several.
        #[arg(long, required = true)]
        roots: Vec<PathBuf>,
        /// CRLs (PEM or DER); repeat for several.
        #[arg(long)]
        crl: Vec<PathBuf>,
        #[arg(long)]
        doc: PathBuf,
        /// The signature, DER or base64.
        #[arg(long)]
        sig: PathBuf,
        /// The IIN the signer must have.
        #[arg(long)]
        iin: String,
        /// The time the certificates must be valid at (RFC 3339); default now.
        #[arg(long)]
        at: Option<DateTime<Utc>>,
    },
}

pub fn run(command: PkiCommand) -> anyhow::Result<()> {
    match command {
        PkiCommand::InitCa {
            dir,
            name,
            days,
            rsa,
        } => {
            let algorithm = KeyAlgorithm::from_rsa_flag(rsa);
            let paths = init_ca(
                &dir,
                &CaOptions {
                    name,
                    days,
                    algorithm,
                    valid_from: None,
                },
            )?;
            println!("CA created ({}):", algorithm.name());
            for path in [paths.certificate(), paths.key(), paths.crl(), paths.index()] {
                println!("  {}", path.display());
            }
            Ok(())
        }
        PkiCommand::Issue {
            dir,
            iin,
            name,
            days,
            rsa,
            out,
            password,
        } => {
            let password = password.unwrap_or_else(|| {
                eprintln!(
                    "warning: no --password; the store uses the development password \
                     {DEV_PASSWORD:?}"
                );
                DEV_PASSWORD.to_owned()
            });
            let issued = issue(
                &dir,
                &IssueOptions {
                    iin,
                    name,
                    days,
                    algorithm: KeyAlgorithm::from_rsa_flag(rsa),
                    out,
                    password,
                },
            )?;
            println!(
                "serial {} valid until {}",
                issued.serial_hex, issued.not_after
            );
            for path in [&issued.p12, &issued.cert_pem, &issued.key_pem] {
                println!("  {}", path.display());
            }
            Ok(())
        }
        PkiCommand::Revoke {
            dir,
            serial,
            reason,
        } => {
            let revoked = revoke(&dir, &serial, reason)?;
            println!(
                "serial {} revoked ({}); CRL number {} written to {}",
                revoked.serial_hex,
                reason.name(),
                revoked.crl_number,
                super::CaPaths::new(&dir).crl().display()
            );
            Ok(())
        }
        PkiCommand::Sign {
            key,
            cert,
            doc,
            out,
            base64,
        } => {
            let document = files::read(&doc)?;
            let der = sign_document(&key, &cert, &document)?;
            let bytes = if base64 {
                let mut text = base64::engine::general_purpose::STANDARD.encode(&der);
                text.push('\n');
                text.into_bytes()
            } else {
                der
            };
            match out {
                None if base64 => {
                    print!("{}", String::from_utf8_lossy(&bytes));
                    Ok(())
                }
                out => {
                    let out = out.unwrap_or_else(|| {
                        let mut name = doc.as_os_str().to_owned();
                        name.push(".p7s");
                        PathBuf::from(name)
                    });
                    std::fs::write(&out, bytes)
                        .with_context(|| format!("writing {}", out.display()))?;
                    println!("{}", out.display());
                    Ok(())
                }
            }
        }
        PkiCommand::Verify {
            roots,
            crl,
            doc,
            sig,
            iin,
            at,
        } => {
            let document = files::read(&doc)?;
            let signature = files::read(&sig)?;
            let at = at.unwrap_or_else(Utc::now);
            match verify_document(&roots, &crl, &document, &signature, &iin, at)? {
                Ok(signer) => {
                    println!(
                        "verified: {} (IIN {}), certificate {} issued by {}, {}",
                        signer.common_name,
                        signer.iin,
                        signer.serial_hex,
                        signer.issuer,
                        signer.algorithm
                    );
                    Ok(())
                }
                Err(error) => {
                    println!("refused: {}", error.code());
                    anyhow::bail!("signature refused: {} ({error})", error.code())
                }
            }
        }
    }
}
