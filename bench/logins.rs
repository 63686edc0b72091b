//! Sign-in under a burst: the release server in a process of its own (this program started
//! again with `--serve`, on a fresh SQLite file in a temporary folder), A accounts registered
//! through the API, then N sign-in attempts fired at once over loopback from S source addresses
//! (127.0.0.2, 127.0.0.3, …): a quarter of them with a wrong password, and the first tenth all
//! wrong against one attacked account. Prints the answers by status, latency p50/p99/max and the
//! server's memory: resident before the burst, the highest sampled during it, and its peak
//! (VmHWM). Exits non-zero on any 5xx other than 503 `busy`, on a request that got no answer, or
//! when the peak exceeds `--max-rss-mb`.
//!
//!   cargo run --release --example logins -- [--attempts 500] [--accounts 100] [--sources 25]
//!       [--hash-slots N] [--hash-queue-ms MS] [--max-rss-mb 150]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use futures::future::join_all;
use reqwest::Client;
use serde_json::json;

#[derive(Debug, Parser)]
#[command(about = "A burst of sign-ins: answers by status, latency and the server's peak memory")]
struct Args {
    /// Sign-in attempts, all started at once.
    #[arg(long, default_value_t = 500)]
    attempts: usize,
    /// Accounts registered first and signed in to.
    #[arg(long, default_value_t = 100)]
    accounts: usize,
    /// Loopback source addresses the attempts come from (the throttle counts per address).
    #[arg(long, default_value_t = 25)]
    sources: u8,
    /// The server's `auth.max_concurrent_hashes` (default: its own, from the cores).
    #[arg(long)]
    hash_slots: Option<usize>,
    /// The server's `auth.hash_queue_ms` (default: its own).
    #[arg(long)]
    hash_queue_ms: Option<u64>,
    /// The goal for the server's peak resident memory.
    #[arg(long, default_value_t = 150)]
    max_rss_mb: u64,
    /// Bound on one request, in seconds; the burst as a whole gets twice as long.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Internal: run as the server.
    #[arg(long, hide = true)]
    serve: bool,
}

const PASSWORD: &str = "bench sign-in phrase";

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if args.serve {
        runtime.block_on(serve(&args))?;
        return Ok(ExitCode::SUCCESS);
    }
    runtime.block_on(run(args))
}

/// The server side: the application with its embedded defaults, in the current folder (a
/// temporary one), until standard input closes.
async fn serve(args: &Args) -> anyhow::Result<()> {
    let mut settings = telemed::config::Settings::embedded()?;
    settings.server.listen = "127.0.0.1:0".into();
    settings.notify.worker_enabled = false;
    settings.demo.seed_on_first_start = false;
    if let Some(n) = args.hash_slots {
        settings.auth.max_concurrent_hashes = n;
    }
    if let Some(ms) = args.hash_queue_ms {
        settings.auth.hash_queue_ms = ms;
    }
    let slots = settings.auth.hash_permits();
    let queue_ms = settings.auth.hash_queue_ms;
    let app = telemed::app::Application::build(settings).await?;
    println!("{} {slots} {queue_ms}", app.url());
    std::io::stdout().flush()?;
    // The parent closing our standard input, or dying, ends the server.
    std::thread::spawn(|| {
        let _ = std::io::stdin().lines().count();
        std::process::exit(0);
    });
    app.run_until_stopped().await?;
    Ok(())
}

/// The server process, ended when dropped.
struct Server {
    child: Child,
    url: String,
    slots: String,
    queue_ms: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &Args) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("--serve")
            .current_dir(dir.path())
            .env("TELEMED_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        if let Some(n) = args.hash_slots {
            cmd.args(["--hash-slots", &n.to_string()]);
        }
        if let Some(ms) = args.hash_queue_ms {
            cmd.args(["--hash-queue-ms", &ms.to_string()]);
        }
        let mut child = cmd.spawn().context("starting the server")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("server stdout")?).read_line(&mut line)?;
        let mut parts = line.split_whitespace().map(str::to_owned);
        let (Some(url), Some(slots), Some(queue_ms)) = (parts.next(), parts.next(), parts.next())
        else {
            let _ = child.kill();
            anyhow::bail!("the server did not start: {line:?}");
        };
        Ok(Server {
            child,
            url,
            slots,
            queue_ms,
            _dir: dir,
        })
    }

    /// Kilobytes of a line of /proc/PID/status (`VmRSS`, `VmHWM`).
    fn memory_kb(pid: u32, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(source: Option<IpAddr>, timeout: Duration) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .local_address(source)
        .timeout(timeout)
        .build()?)
}

fn iin(n: usize) -> anyhow::Result<String> {
    u32::try_from(n)
        .ok()
        .and_then(|n| telemed::domain::iin::Iin::numbered(95, n))
        .map(|i| i.to_string())
        .context("an IIN")
}

fn email(n: usize) -> String {
    format!("login{n}@bench.telemed.local")
}

async fn register(http: &Client, url: &str, accounts: usize) -> anyhow::Result<()> {
    for n in 0..accounts {
        let res = http
            .post(format!("{url}/api/auth/register"))
            .json(
                &json!({"full_name": format!("Бенчмарк Вход {n}"), "iin": iin(n)?,
                "email": email(n), "password": PASSWORD, "language": "ru"}),
            )
            .send()
            .await?;
        anyhow::ensure!(res.status() == 201, "registration {n}: {}", res.status());
    }
    Ok(())
}

struct Outcome {
    status: Option<u16>,
    latency: Duration,
}

async fn attempt(http: &Client, url: &str, email: String, password: &str) -> Outcome {
    let started = Instant::now();
    let status = http
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16());
    Outcome {
        status,
        latency: started.elapsed(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted
        .get(((sorted.len().max(1) - 1) as f64 * p).round() as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

async fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.accounts > 1 && args.sources > 0,
        "need accounts and sources"
    );
    let server = Server::start(&args)?;
    let pid = server.child.id();
    let url = server.url.clone();
    let timeout = Duration::from_secs(args.timeout);
    println!(
        "server pid {pid} at {url}: {} hash slots, {} ms queue",
        server.slots, server.queue_ms
    );
    let setup = Instant::now();
    register(&client(None, timeout)?, &url, args.accounts).await?;
    println!(
        "{} accounts registered one after another in {:.2} s ({:.1} ms each, a password hash included)",
        args.accounts,
        setup.elapsed().as_secs_f64(),
        setup.elapsed().as_secs_f64() * 1e3 / args.accounts as f64
    );
    let before_kb = Server::memory_kb(pid, "VmRSS");

    let clients = (0..args.sources)
        .map(|i| client(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i))), timeout))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sampling = Arc::new(AtomicBool::new(true));
    let sampled_kb = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (sampling, sampled_kb) = (sampling.clone(), sampled_kb.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                sampled_kb.fetch_max(Server::memory_kb(pid, "VmRSS"), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    // The first tenth: wrong passwords against the attacked account 0; then every account in
    // turn, one attempt in four with a wrong password.
    let attacked = args.attempts / 10;
    let started = Instant::now();
    let burst = join_all((0..args.attempts).map(|i| {
        let http = &clients[i % clients.len()];
        let (account, wrong) = if i < attacked {
            (0, true)
        } else {
            (1 + i % (args.accounts - 1), i % 4 == 0)
        };
        let password = if wrong {
            "not the phrase at all"
        } else {
            PASSWORD
        };
        attempt(http, &url, email(account), password)
    }));
    let outcomes = tokio::time::timeout(timeout * 2, burst)
        .await
        .context("the burst did not finish in time")?;
    let wall = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    sampler.await?;
    let peak_kb = Server::memory_kb(pid, "VmHWM");

    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for o in &outcomes {
        let key = o.status.map_or("no answer".to_owned(), |s| s.to_string());
        *by_status.entry(key).or_default() += 1;
    }
    let mut latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    latencies.sort();
    let other_5xx = outcomes
        .iter()
        .filter(|o| o.status.is_some_and(|s| s >= 500 && s != 503))
        .count();
    let unanswered = outcomes.iter().filter(|o| o.status.is_none()).count();
    let count = |s: &str| by_status.get(s).copied().unwrap_or(0);
    println!(
        "{} attempts ({} against one attacked account) over {} accounts from {} addresses in {:.2} s",
        args.attempts,
        attacked,
        args.accounts,
        args.sources,
        wall.as_secs_f64()
    );
    println!(
        "  200 {}  401 {}  429 {}  503 {}  other 5xx {}  no answer {}",
        count("200"),
        count("401"),
        count("429"),
        count("503"),
        other_5xx,
        unanswered
    );
    println!("  all answers by status: {by_status:?}");
    println!(
        "  latency ms  p50 {:.1}  p99 {:.1}  max {:.1}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "  server memory MiB: before the burst {:.1}, sampled max during it {:.1}, peak (VmHWM) {:.1}; goal under {}",
        mb(before_kb),
        mb(sampled_kb.load(Ordering::Relaxed)),
        mb(peak_kb),
        args.max_rss_mb
    );
    drop(server);
    let over = peak_kb > args.max_rss_mb * 1024;
    if other_5xx > 0 || unanswered > 0 || over {
        println!("FAILED: other 5xx {other_5xx}, no answer {unanswered}, peak over goal {over}");
        return Ok(ExitCode::FAILURE);
    }
    println!("ok");
    Ok(ExitCode::SUCCESS)
}
