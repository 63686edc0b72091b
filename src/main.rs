//! The `telemed` command: serve (default), migrate, demo, audit verify, pki, icd10 import.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use telemed::app::{Application, prepare};
use telemed::audit::{self, Verification};
use telemed::clock::SystemClock;
use telemed::config::{Settings, Sources};
use telemed::db::Db;
use telemed::pki::cli::PkiCommand;
use telemed::services::icd10::cli::Icd10Command;
use telemed::services::{demo, demo_scale};

#[derive(Parser)]
#[command(name = "telemed", version, about = "Remote medical services platform")]
struct Cli {
    /// Settings profile: reads config/<PROFILE>.toml over the embedded defaults.
    #[arg(long, global = true)]
    profile: Option<String>,
    /// An extra settings file, applied after the profile.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (the default).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (overrides server.listen).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo organisations, doctors and patients (skipped if already loaded); with
    /// `--scale N`, N consultations' worth of data on top of them.
    Demo {
        /// Add N consultations (all states, councils' included) and what they imply: patients
        /// ≈ N/5, doctors ≈ N/250, organisations ≈ N/5000 (README: "Demo data at scale").
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(
            i64::from(demo_scale::MIN_CONSULTATIONS)..=i64::from(demo_scale::MAX_CONSULTATIONS)
        ))]
        scale: Option<u32>,
        /// The generator's seed: the same N and seed give the same data.
        #[arg(long, default_value_t = demo_scale::DEFAULT_SEED, requires = "scale")]
        seed: u64,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// A development and test PKI: CA, doctor certificates (PKCS#12), CRL, sign and verify files.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// ICD-10 (МКБ-10) titles: import the national classifier's Russian or Kazakh file.
    Icd10 {
        #[command(subcommand)]
        command: Icd10Command,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log: every row's keyed hash and link, the head, and the checkpoints.
    /// Exits non-zero when it was tampered with; on an intact log writes a checkpoint.
    Verify,
    /// Create the audit key file (audit.key_file) with 32 random bytes, mode 0600.
    InitKey,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TELEMED_LOG")
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    // The PKI tools read no settings: a broken configuration must not stop them.
    if let Some(Command::Pki { command }) = cli.command {
        return telemed::pki::cli::run(command);
    }
    let mut settings = Settings::load(&Sources {
        profile: cli.profile,
        file: cli.config,
        config_dir: None,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                settings.server.listen = listen;
            }
            runtime.block_on(serve(settings))
        }
        Command::Migrate => {
            let db = Db::connect(&settings.database.url, 1)?;
            let applied = db.migrate()?;
            println!(
                "{applied} migration(s) applied to the {} database",
                db.backend().name()
            );
            Ok(())
        }
        Command::Demo { scale, seed } => runtime.block_on(async {
            settings.demo.seed_on_first_start = false;
            let url = settings.server.public_url.clone();
            let ctx = prepare(settings, Arc::new(SystemClock), url).await?;
            if let Some(n) = scale {
                return load_scale(&ctx, n, seed).await;
            }
            match demo::load(&ctx).await.context("loading demo data")? {
                demo::Outcome::Loaded => {
                    println!("demo data loaded; password: {}", demo::DEMO_PASSWORD)
                }
                demo::Outcome::AlreadyPresent => println!("demo data is already present"),
            }
            Ok(())
        }),
        Command::Audit {
            command: AuditCommand::InitKey,
        } => {
            let key = audit::init_key(&settings.audit.key_file)?;
            println!(
                "audit key {} written to {}",
                key.id(),
                settings.audit.key_file.display()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = Db::connect(&settings.database.url, 1)?;
            let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
            match audit::verify_configured(&mut conn, &settings.audit)? {
                Verification::Intact { rows } => {
                    println!("audit log intact: {rows} rows");
                    Ok(())
                }
                Verification::Broken { seq, reason } => {
                    anyhow::bail!("audit log broken at row {seq}: {reason}")
                }
            }
        }
        Command::Pki { command } => telemed::pki::cli::run(command),
        Command::Icd10 { command } => telemed::services::icd10::cli::run(command, &settings),
    }
}

/// `telemed demo --scale N`: the generated rows per table, or why nothing was added.
async fn load_scale(ctx: &telemed::services::Context, n: u32, seed: u64) -> anyhow::Result<()> {
    let options = demo_scale::Options {
        consultations: n,
        seed,
    };
    match demo_scale::load(ctx, options)
        .await
        .context("loading demo data at scale")?
    {
        demo_scale::Outcome::Loaded { rows, seconds } => {
            println!(
                "scale demo data loaded in {seconds:.1} s (N = {n}, seed {seed}); password: {}",
                demo::DEMO_PASSWORD
            );
            for (table, count) in rows {
                println!("  {table:<26} {count:>9}");
            }
        }
        demo_scale::Outcome::AlreadyPresent { accounts } => println!(
            "scale demo data is already present ({accounts} accounts): nothing added \
             (use a fresh database for another scale)"
        ),
    }
    Ok(())
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let demo = settings.demo.seed_on_first_start;
    let app = Application::build(settings).await?;
    // The banner is a courtesy: a closed stdout (a supervisor, a pipe) must not stop the service.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "telemed is running: open {}", app.url());
    let signing = &app.context().settings.signing;
    if demo
        && !signing.dev_ca_dir.as_os_str().is_empty()
        && signing.platform_ca_cert.starts_with(&signing.dev_ca_dir)
    {
        let _ = writeln!(
            out,
            "signing: a DEVELOPMENT CA in {} certifies the keys doctors enrol in the browser \
             (demo only, never for production)",
            signing.dev_ca_dir.display()
        );
    }
    if demo {
        let _ = writeln!(out, "demo logins (password {}):", demo::DEMO_PASSWORD);
        for (email, what) in demo::DEMO_LOGINS {
            let _ = writeln!(out, "  {email:<34} {what}");
        }
    }
    let _ = out.flush();
    drop(out);
    app.run_until_stopped().await?;
    Ok(())
}
