//! Where messages go: `.eml` files in a folder (development, demos) or an SMTP relay.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::message;
use crate::config::{MailSettings, MailTransport, SmtpTls};
use crate::db::models::OutboxRow;

/// The configured transport and the sender address.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    File(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Why a message did not go out. The text never carries credentials: lettre reports the
/// relay's answer and the I/O error, not what was sent to log in.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The row cannot become a message (e.g. a recipient that is no address).
    #[error("the message cannot be built: {0:#}")]
    Build(anyhow::Error),
    #[error("writing the mail file failed: {0}")]
    File(#[source] std::io::Error),
    #[error("SMTP: {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::File(dir) => format!("file {}", dir.display()),
            Kind::Smtp(_) => "smtp".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &kind)
            .finish()
    }
}

impl Mailer {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Mailer> {
        let from: Mailbox = settings
            .from
            .parse()
            .with_context(|| format!("mail.from is not a mailbox: {:?}", settings.from))?;
        let kind = match settings.transport {
            MailTransport::File => Kind::File(settings.dir.clone()),
            MailTransport::Smtp => Kind::Smtp(smtp(settings)?),
        };
        Ok(Mailer { from, kind })
    }

    pub fn from_mailbox(&self) -> &Mailbox {
        &self.from
    }

    /// Sends one outbox row; returns the provider id to record (the Message-ID).
    pub async fn send(&self, row: &OutboxRow) -> Result<String, SendError> {
        let message_id = message::message_id(&row.id, &self.from);
        let email = message::build(row, &self.from, &message_id).map_err(SendError::Build)?;
        match &self.kind {
            Kind::File(dir) => {
                let path = dir.join(format!("{}.eml", row.id));
                let bytes = email.formatted();
                tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
                    .await
                    .map_err(|e| SendError::File(std::io::Error::other(e)))?
                    .map_err(SendError::File)?;
            }
            Kind::Smtp(transport) => {
                let reply = transport.send(email).await.map_err(SendError::Smtp)?;
                tracing::debug!(
                    code = %reply.code(),
                    reply = reply.message().collect::<Vec<_>>().join(" "),
                    "relay accepted the message"
                );
            }
        }
        Ok(message_id)
    }
}

fn smtp(settings: &MailSettings) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let host = settings.smtp_host.trim();
    anyhow::ensure!(
        !host.is_empty(),
        "mail.smtp_host is empty: set TELEMED__MAIL__SMTP_HOST"
    );
    let tls = match settings.smtp_tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls => Tls::Required(tls_parameters(host)?),
        SmtpTls::Tls => Tls::Wrapper(tls_parameters(host)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(settings.smtp_port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(settings.timeout_seconds.max(1))));
    match (&settings.smtp_username, &settings.smtp_password) {
        (Some(user), Some(password)) if !user.is_empty() => {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        (Some(user), None) if !user.is_empty() => {
            anyhow::bail!("mail.smtp_username is set but mail.smtp_password is not")
        }
        _ => {}
    }
    Ok(builder.build())
}

fn tls_parameters(host: &str) -> anyhow::Result<TlsParameters> {
    TlsParameters::new(host.to_owned()).context("preparing TLS for the SMTP relay")
}

/// Temp file, then rename: a reader of the folder never sees half a message, and a retry after
/// a crash overwrites the same file instead of adding a second one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Secret, Settings};

    fn smtp_settings() -> MailSettings {
        let mut s = Settings::embedded().unwrap().mail;
        s.transport = MailTransport::Smtp;
        s.smtp_host = "relay.example".into();
        s
    }

    #[test]
    fn every_tls_mode_builds_without_a_system_tls_library() {
        for tls in [SmtpTls::None, SmtpTls::Starttls, SmtpTls::Tls] {
            let mut s = smtp_settings();
            s.smtp_tls = tls;
            s.smtp_username = Some("user".into());
            s.smtp_password = Some(Secret::new("hunter2"));
            let mailer = Mailer::from_settings(&s).unwrap();
            assert!(!format!("{mailer:?}").contains("hunter2"));
        }
    }

    #[test]
    fn an_smtp_transport_needs_a_host_and_a_password_with_a_user() {
        let mut s = smtp_settings();
        s.smtp_host = " ".into();
        assert!(Mailer::from_settings(&s).is_err());
        let mut s = smtp_settings();
        s.smtp_username = Some("user".into());
        assert!(Mailer::from_settings(&s).is_err());
    }

    #[test]
    fn a_bad_sender_address_is_refused_at_start() {
        let mut s = Settings::embedded().unwrap().mail;
        s.from = "not an address".into();
        assert!(Mailer::from_settings(&s).is_err());
    }
}
