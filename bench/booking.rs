//! Booking under contention: N patients, each with its own HTTP client and account, race over M
//! real slots of the demo cardiologists; every slot must end with exactly one booking. Prints
//! throughput and latency of `POST /api/consultations`, then counts double bookings from the
//! database (or, against `--url`, from the API) and exits non-zero on any, on a success count
//! other than min(N, M), or on any answer other than 201 and 409 `slot_taken`.
//!
//!   cargo run --release --example booking -- [--clients N] [--slots M]
//!       [--database sqlite|postgres://...] [--url http://127.0.0.1:PORT]

#[path = "booking/clients.rs"]
mod clients;
#[path = "booking/report.rs"]
mod report;
#[path = "booking/server.rs"]
mod server;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use tokio::time::Instant;

use clients::Slot;
use report::Summary;
use server::{Described, Embedded, Options};

/// The booking horizon assumed for a server started elsewhere (the embedded default).
const DEFAULT_HORIZON_DAYS: i64 = 90;
/// Setup hashes two passwords per patient; it is not timed, only bounded.
const SETUP_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Parser)]
#[command(about = "Concurrent booking of the same slots: throughput, latency, double bookings")]
struct Args {
    /// Concurrent patients, each with its own HTTP client and account.
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Real slots they compete for.
    #[arg(long, default_value_t = 50)]
    slots: usize,
    /// `sqlite` (a fresh file) or a PostgreSQL URL (a fresh schema on it, dropped afterwards).
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// Use a server already running on this machine, with the demo data, instead.
    #[arg(long)]
    url: Option<String>,
    /// Connection pool of the in-process server (16 on PostgreSQL, 8 on SQLite by default).
    #[arg(long)]
    pool_size: Option<u32>,
    /// Leave the outbox mail worker of the in-process server off.
    #[arg(long)]
    no_mail_worker: bool,
    /// Bound on the timed phase, in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Bound on one request, in seconds.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Seed of the clients' slot orders (client i uses seed + i).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    // Errors only: the server logs every 409 as a warning, which would slow the race down.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TELEMED_LOG")
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("booking benchmark failed: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Starts or reaches the server, runs the race, checks it, and always stops what it started.
async fn run(args: Args) -> anyhow::Result<bool> {
    anyhow::ensure!(
        args.clients > 0 && args.slots > 0,
        "--clients and --slots must be positive"
    );
    if let Some(url) = &args.url {
        server::ensure_loopback(url)?;
        let described = Described {
            backend: format!("not known (the server at {url})"),
            pool_size: None,
            http_workers: None,
            mail_worker: None,
            horizon_days: DEFAULT_HORIZON_DAYS,
        };
        return bench(&args, url.trim_end_matches('/'), &described, None).await;
    }
    let embedded = Embedded::start(&Options {
        database: &args.database,
        pool_size: args.pool_size,
        mail_worker: !args.no_mail_worker,
    })
    .await?;
    let described = embedded.describe();
    let result = bench(&args, &embedded.url, &described, Some(&embedded)).await;
    embedded.shutdown().await;
    result
}

/// True when every check passed.
async fn bench(
    args: &Args,
    base: &str,
    described: &Described,
    embedded: Option<&Embedded>,
) -> anyhow::Result<bool> {
    let request_timeout = Duration::from_secs(args.request_timeout);
    let http = clients::client(request_timeout)?;
    let slots = clients::find_slots(&http, base, args.slots, described.horizon_days).await?;
    let orgs: BTreeSet<&str> = slots.iter().map(|s| s.organization_id.as_str()).collect();

    let setup_started = Instant::now();
    let setup = clients::setup(args.clients, base, &orgs, request_timeout);
    let patients = tokio::time::timeout(SETUP_TIMEOUT, setup)
        .await
        .context("setup did not finish in time")??;
    // Patients book only from a verified address: each follows the link of their letter.
    match embedded {
        Some(server) => {
            let tokens = server.verification_tokens().await?;
            clients::verify(&http, base, &tokens).await?;
        }
        None => eprintln!(
            "note: the patients' addresses stay unverified on a server reached by --url, so \
             their bookings are refused (email_unverified); run without --url"
        ),
    }
    let setup_time = setup_started.elapsed();

    let overall = Duration::from_secs(args.timeout);
    let shared = Arc::new(slots.clone());
    let (attempts, started) = clients::race(base, patients, shared, args.seed, overall).await;
    let summary = Summary::of(&attempts, started, started.elapsed());

    print_setup(args, described, &slots, &orgs, setup_time);
    let expected = args.clients.min(args.slots);
    summary.print(expected);

    let claimed_twice = summary.claimed_twice();
    let booked = summary.booked.len();
    let (doubles, consistent) = match embedded {
        Some(app) => {
            let (rows, in_db) = app.audit().await?;
            for (p, start, n) in &rows {
                println!("    double booking: practitioner {p} at {start} held {n} times");
            }
            println!(
                "  double bookings       {} (database: live consultations per practitioner and slot)",
                rows.len()
            );
            println!("  bookings in database  {in_db}");
            (rows.len(), usize::try_from(in_db)? == booked)
        }
        None => {
            let free = clients::still_free(&http, base, &slots).await?;
            println!(
                "  double bookings       {claimed_twice} (API: slots two 201 answers both claim)"
            );
            println!(
                "  slots still free      {free} (expected {})",
                slots.len() - booked
            );
            (claimed_twice, free == slots.len() - booked)
        }
    };
    if claimed_twice > 0 {
        println!("  slots claimed twice   {claimed_twice} (by 201 answers)");
    }
    let passed = doubles == 0
        && claimed_twice == 0
        && booked == expected
        && summary.errors() == 0
        && consistent;
    println!(
        "  result                {}",
        if passed { "ok" } else { "FAILED" }
    );
    Ok(passed)
}

fn print_setup(
    args: &Args,
    described: &Described,
    slots: &[Slot],
    orgs: &BTreeSet<&str>,
    setup_time: Duration,
) {
    let practitioners: BTreeSet<&str> = slots.iter().map(|s| s.practitioner_id.as_str()).collect();
    let when = |s: Option<&Slot>| {
        s.map(|s| s.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    println!("booking benchmark");
    println!("  clients               {}", args.clients);
    println!(
        "  slots                 {} ({} practitioners, {} organisations, {} .. {})",
        slots.len(),
        practitioners.len(),
        orgs.len(),
        when(slots.first()),
        when(slots.last())
    );
    println!("  database              {}", described.backend);
    if let Some(n) = described.pool_size {
        println!("  db pool size          {n}");
    }
    if let Some(n) = described.http_workers {
        println!("  http workers          {n}");
    }
    if let Some(on) = described.mail_worker {
        println!("  outbox mail worker    {}", if on { "on" } else { "off" });
    }
    println!(
        "  setup (untimed)       {:.1} s (register, login, consent, e-mail link)",
        setup_time.as_secs_f64()
    );
}
