//! Typed settings: embedded `config/default.toml`, then an optional profile file, then an
//! optional explicit file, then `TELEMED__SECTION__KEY` environment overrides.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

const EMBEDDED_DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub mail: MailSettings,
    pub notify: NotifySettings,
    pub auth: AuthSettings,
    pub demo: DemoSettings,
    pub booking: BookingSettings,
    #[serde(default)]
    pub signing: SigningSettings,
    pub calls: CallSettings,
    #[serde(default)]
    pub access: AccessSettings,
    pub audit: AuditSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub listen: String,
    pub public_url: String,
    pub secure_cookies: bool,
    pub json_limit_bytes: usize,
    /// 0 means one per core.
    pub workers: usize,
    /// Answer each request with `X-Db-Statements`: the SQL statements it sent (tests, profiling).
    #[serde(default)]
    pub statement_counts: bool,
}

#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    /// May carry a password, so it is never printed (see the `Debug` impl).
    pub url: String,
    pub pool_size: u32,
    pub migrate_on_start: bool,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("migrate_on_start", &self.migrate_on_start)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StorageSettings {
    /// Where blobs live with the local backend, and where uploads are written before they are
    /// moved into the store with either backend.
    pub blob_dir: PathBuf,
    #[serde(default)]
    pub backend: StorageBackend,
    /// The S3-compatible service (`storage.backend = "s3"`), e.g. `https://s3.example.kz` or a
    /// MinIO on the LAN.
    #[serde(default)]
    pub s3_endpoint: String,
    #[serde(default = "default_region")]
    pub s3_region: String,
    #[serde(default)]
    pub s3_bucket: String,
    #[serde(default)]
    pub s3_access_key_id: String,
    /// Never printed.
    #[serde(default)]
    pub s3_secret_access_key: Option<Secret>,
    /// Allow a plain-HTTP endpoint (a store on the same host or a trusted network only).
    #[serde(default)]
    pub s3_allow_http: bool,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

/// Where blobs are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// Files under `storage.blob_dir` (the embedded default).
    #[default]
    Local,
    /// An S3-compatible object store.
    S3,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub dir: PathBuf,
    pub from: String,
    pub transport: MailTransport,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    #[serde(default)]
    pub smtp_username: Option<String>,
    #[serde(default)]
    pub smtp_password: Option<Secret>,
    /// Bounds one SMTP conversation, so a hung relay cannot hold a message past its lease.
    pub timeout_seconds: u64,
}

/// Where outgoing mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Each message becomes an `.eml` file in `mail.dir` (development, demos).
    File,
    Smtp,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refuses to go on without it.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// A value that must not reach logs: `Debug` prints `***`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The outbox worker (`crate::notify`).
#[derive(Debug, Clone, Deserialize)]
pub struct NotifySettings {
    /// Off in tests that deliver by hand with a manual clock.
    pub worker_enabled: bool,
    pub poll_interval_ms: u64,
    /// How long a claimed message stays reserved for the node sending it.
    pub lease_seconds: i64,
    /// Retry delay after the first failure; it doubles with each further failure.
    pub backoff_base_seconds: i64,
    pub backoff_max_seconds: i64,
    /// Messages looked at per pass.
    pub batch_size: i64,
}

/// The access policy's spans (src/access).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AccessSettings {
    /// Days a doctor keeps access to a patient's records after their consultation or council
    /// ended (follow-up questions, the conclusion written after the call).
    pub care_tail_days: u32,
    /// Minutes a break-the-glass grant lasts.
    pub break_glass_minutes: u32,
}

impl Default for AccessSettings {
    fn default() -> Self {
        AccessSettings {
            care_tail_days: 30,
            break_glass_minutes: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    pub session_hours: i64,
    pub max_failed_logins: i64,
    pub failed_login_window_minutes: i64,
    pub max_failed_logins_per_ip: i64,
    /// Password hashes and verifications running at once; each holds about 19 MiB (Argon2id's
    /// memory cost), so this bounds the memory sign-ins can take. 0: one per core, 2 to 4.
    #[serde(default)]
    pub max_concurrent_hashes: usize,
    /// How long a sign-in or registration waits for a hashing slot before 503 `busy`.
    #[serde(default = "default_hash_queue_ms")]
    pub hash_queue_ms: u64,
    /// Lifetimes of the links sent by e-mail: address verification (and a change of address),
    /// password reset, an invitation to a staff account.
    #[serde(default = "default_verify_link_hours")]
    pub verify_link_hours: i64,
    #[serde(default = "default_reset_link_minutes")]
    pub reset_link_minutes: i64,
    #[serde(default = "default_invite_days")]
    pub invite_days: i64,
}

fn default_verify_link_hours() -> i64 {
    48
}

fn default_reset_link_minutes() -> i64 {
    30
}

fn default_invite_days() -> i64 {
    7
}

fn default_hash_queue_ms() -> u64 {
    2000
}

impl AuthSettings {
    /// `max_concurrent_hashes` with 0 resolved to the machine's cores, kept within 2..=4.
    pub fn hash_permits(&self) -> usize {
        match self.max_concurrent_hashes {
            0 => std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2)
                .clamp(2, 4),
            n => n,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct BookingSettings {
    /// Reminders before a real-time consultation, in hours before its start (art. 14).
    pub reminder_hours: Vec<i64>,
    /// How often the deadline watcher looks for breached requests (art. 8, 13).
    pub deadline_check_seconds: u64,
    pub deadline_watcher_enabled: bool,
    /// How long an e-mailed consent code stays valid.
    pub consent_code_minutes: i64,
    /// How far ahead slots may be booked.
    pub horizon_days: i64,
}

/// Electronic signatures (`crate::signing`): what a signer's certificate must chain to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SigningSettings {
    /// Trusted root certificates, PEM (one or more) or DER files. Empty: no signature verifies
    /// (`certificate_untrusted`), which is right for a fresh install until the operator names
    /// the national CA's roots or the platform CA.
    #[serde(default)]
    pub trusted_roots: Vec<PathBuf>,
    /// Certificate revocation lists, DER or PEM files.
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    /// The platform CA that certifies doctors' WebCrypto keys at enrolment (`ca.pem` and
    /// `ca.key.pem` of `telemed pki init-ca`). Empty: enrolment is off (`enrolment_disabled`).
    /// Its certificate must also be in `trusted_roots`, or what it issues does not verify.
    #[serde(default)]
    pub platform_ca_cert: PathBuf,
    #[serde(default)]
    pub platform_ca_key: PathBuf,
    /// Where a demo installation keeps the development CA it makes on its first start and uses
    /// as the platform CA (trusted, enrolment on) while `platform_ca_cert` is unset. Only with
    /// `demo.seed_on_first_start`; empty: none (the production profile).
    #[serde(default)]
    pub dev_ca_dir: PathBuf,
}

/// Real-time consultations (`crate::realtime`).
#[derive(Debug, Clone, Deserialize)]
pub struct CallSettings {
    pub join_margin_minutes: i64,
    pub reconnect_grace_seconds: u64,
    pub heartbeat_seconds: u64,
    pub max_participants: usize,
    pub max_file_bytes: u64,
    pub media_threads: usize,
    pub udp_addrs: Vec<String>,
    #[serde(default)]
    pub public_ips: Vec<String>,
    #[serde(default)]
    pub stun_urls: Vec<String>,
    #[serde(default)]
    pub turn_urls: Vec<String>,
    /// coturn's `static-auth-secret`: never printed.
    #[serde(default)]
    pub turn_secret: Option<Secret>,
    pub turn_ttl_seconds: u64,
}

/// The audit log's key and checkpoints (`crate::audit`): both live outside the database, so
/// someone who can write to it cannot rewrite the log unnoticed.
#[derive(Debug, Clone, Deserialize)]
pub struct AuditSettings {
    /// 32 random bytes (or 64 hex digits) keying the chain's HMAC. Keep it away from the database
    /// and its backups: whoever holds both can rewrite the log.
    pub key_file: PathBuf,
    /// Create `key_file` (mode 0600) on a first start when it is missing. Off in production,
    /// where a missing key stops the start instead of silently starting a new chain.
    pub create_key: bool,
    /// An append-only file of signed checkpoints (seq and hash of the last committed row).
    pub checkpoint_file: PathBuf,
    /// Rows between periodic checkpoints (0: only at start and at `telemed audit verify`).
    pub checkpoint_every: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DemoSettings {
    pub seed_on_first_start: bool,
}

/// Where settings come from, beyond the embedded defaults and the environment.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub profile: Option<String>,
    pub file: Option<PathBuf>,
    /// Directory holding `<profile>.toml`; `config` relative to the working directory by default.
    pub config_dir: Option<PathBuf>,
}

impl Settings {
    pub fn load(sources: &Sources) -> anyhow::Result<Settings> {
        let mut builder =
            Config::builder().add_source(File::from_str(EMBEDDED_DEFAULTS, FileFormat::Toml));
        let profile = sources
            .profile
            .clone()
            .or_else(|| std::env::var("TELEMED_PROFILE").ok());
        if let Some(profile) = profile {
            let dir = sources
                .config_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("config"));
            let path = dir.join(format!("{profile}.toml"));
            anyhow::ensure!(
                path.exists(),
                "profile {profile:?} needs {}",
                path.display()
            );
            builder = builder.add_source(File::from(path).format(FileFormat::Toml));
        }
        if let Some(file) = &sources.file {
            builder = builder.add_source(File::from(file.as_path()).format(FileFormat::Toml));
        }
        builder = builder.add_source(
            Environment::with_prefix("TELEMED")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder.build()?.try_deserialize()?;
        anyhow::ensure!(
            !settings.database.url.trim().is_empty(),
            "database.url is empty: set TELEMED__DATABASE__URL"
        );
        settings.check_notify()?;
        Ok(settings)
    }

    /// The embedded defaults alone, as a fresh machine sees them.
    pub fn embedded() -> anyhow::Result<Settings> {
        Ok(Config::builder()
            .add_source(File::from_str(EMBEDDED_DEFAULTS, FileFormat::Toml))
            .build()?
            .try_deserialize()?)
    }

    /// The URL people open, for the start banner and links in mail.
    pub fn public_url(&self, bound: &std::net::SocketAddr) -> String {
        if !self.server.public_url.trim().is_empty() {
            return self.server.public_url.trim_end_matches('/').to_owned();
        }
        let host = if bound.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            bound.ip().to_string()
        };
        format!("http://{host}:{}", bound.port())
    }

    pub fn blob_dir(&self) -> &Path {
        &self.storage.blob_dir
    }

    /// A lease shorter than one SMTP conversation would let a second node take a message that
    /// is still being sent, and send it twice.
    pub fn check_notify(&self) -> anyhow::Result<()> {
        let n = &self.notify;
        anyhow::ensure!(
            n.lease_seconds > 2 * i64::try_from(self.mail.timeout_seconds)?,
            "notify.lease_seconds must exceed twice mail.timeout_seconds"
        );
        anyhow::ensure!(
            n.backoff_base_seconds > 0 && n.backoff_max_seconds >= n.backoff_base_seconds,
            "notify.backoff_base_seconds must be positive and not above backoff_max_seconds"
        );
        anyhow::ensure!(
            n.poll_interval_ms > 0 && n.batch_size > 0,
            "notify.poll_interval_ms and notify.batch_size must be positive"
        );
        Ok(())
    }
}

/// Hides the password in a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_describe_a_local_install() {
        let s = Settings::embedded().unwrap();
        assert_eq!(s.server.listen, "127.0.0.1:8080");
        assert_eq!(s.database.url, "sqlite://data/telemed.sqlite3");
        assert_eq!(s.storage.blob_dir, PathBuf::from("data/blobs"));
        assert_eq!(s.mail.dir, PathBuf::from("data/mail"));
        assert!(s.demo.seed_on_first_start);
        assert_eq!(s.audit.key_file, PathBuf::from("data/audit.key"));
        assert_eq!(
            s.audit.checkpoint_file,
            PathBuf::from("data/audit.checkpoints")
        );
        assert_eq!(s.audit.checkpoint_every, 100);
        assert!(s.audit.create_key);
    }

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://telemed:s3cret@db/telemed"),
            "postgres://telemed:***@db/telemed"
        );
        assert_eq!(
            redact_url("sqlite://data/x.sqlite3"),
            "sqlite://data/x.sqlite3"
        );
        let s = DatabaseSettings {
            url: "postgres://u:hunter2@h/d".into(),
            pool_size: 1,
            migrate_on_start: false,
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn mail_defaults_write_files_and_the_worker_runs() {
        let s = Settings::embedded().unwrap();
        assert_eq!(s.mail.transport, MailTransport::File);
        assert_eq!(s.mail.smtp_tls, SmtpTls::Starttls);
        assert!(s.mail.smtp_password.is_none());
        assert!(s.notify.worker_enabled);
        assert_eq!(s.notify.poll_interval_ms, 1000);
        s.check_notify().unwrap();
    }

    #[test]
    fn smtp_passwords_are_redacted() {
        let mut s = Settings::embedded().unwrap().mail;
        s.smtp_username = Some("relay-user".into());
        s.smtp_password = Some(Secret::new("hunter2"));
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("relay-user"));
    }

    #[test]
    fn a_lease_shorter_than_an_smtp_conversation_is_refused() {
        let mut s = Settings::embedded().unwrap();
        s.mail.timeout_seconds = 120;
        s.notify.lease_seconds = 120;
        assert!(s.check_notify().is_err());
    }
}
