//! Every list endpoint at growing volumes: for the demo data alone and then for each N, the real
//! server in-process on a fresh database (a SQLite file, or a fresh schema on the PostgreSQL
//! server given) with the demo data and `demo --scale N`, and each list asked
//! `--requests` times in a row by the user who would open it. Prints, per list and volume, the
//! items on the first page, the SQL statements the request sent, p50 and p99, and the p50 as a
//! ratio of the demo-only round (about ten rows: the ceiling the issue holds lists to is 2×).
//!
//!   cargo run --release --example lists -- [--scales 1000,100000] [--requests 30]
//!       [--database sqlite|postgres://USER@127.0.0.1/DB]

#[path = "common/app.rs"]
mod app;
#[path = "common/pg.rs"]
mod pg;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use reqwest::Client;
use serde_json::Value;
use telemed::services::demo_scale;

#[derive(Debug, Parser)]
#[command(about = "List endpoints at growing data volumes")]
struct Args {
    /// Consultations generated for each round, each on a fresh database (the first round is the
    /// demo alone).
    #[arg(long, value_delimiter = ',', default_value = "1000,100000")]
    scales: Vec<u32>,
    /// Timed requests per list and round (after three untimed ones).
    #[arg(long, default_value_t = 30)]
    requests: usize,
    /// `sqlite` (a fresh file) or a PostgreSQL URL (a fresh schema on it, dropped afterwards).
    #[arg(long, default_value = "sqlite")]
    database: String,
}

/// Who opens which list.
const LISTS: &[(&str, &str)] = &[
    ("patient@demo.telemed.kz", "/api/consultations"),
    ("patient@demo.telemed.kz", "/api/councils"),
    ("patient@demo.telemed.kz", "/api/me/health-passport"),
    ("patient@demo.telemed.kz", "/api/me/access-log"),
    ("therapist@demo.telemed.kz", "/api/consultations"),
    ("therapist@demo.telemed.kz", "/api/queue"),
    ("therapist@demo.telemed.kz", "/api/councils"),
    ("admin.almaty@demo.telemed.kz", "/api/consultations"),
    ("admin.almaty@demo.telemed.kz", "/api/queue"),
    (
        "admin.almaty@demo.telemed.kz",
        "/api/organizations/{org}/staff",
    ),
    (
        "admin.almaty@demo.telemed.kz",
        "/api/organizations/{org}/offer-acceptances",
    ),
    ("", "/api/organizations"),
    ("", "/api/practitioners"),
    ("", "/api/practitioners?specialty=cardiology"),
    ("", "/api/slots?specialty=cardiology"),
];

struct Figure {
    items: usize,
    statements: u64,
    p50: Duration,
    p99: Duration,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let backend = if args.database.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "backend: {backend}; {} timed requests per list and round",
        args.requests
    );
    let mut baseline: Vec<Duration> = Vec::new();
    // The generator adds to a database once, so each volume gets a fresh one.
    for scale in std::iter::once(0).chain(args.scales.iter().copied()) {
        let (schema, url) = if backend == "postgresql" {
            let (schema, url) = pg::PgSchema::create(&args.database)?;
            (Some(schema), Some(url))
        } else {
            (None, None)
        };
        let server = app::App::start(move |s| {
            s.demo.seed_on_first_start = true;
            s.server.statement_counts = true;
            if let Some(url) = url {
                s.database.url = url;
                s.database.pool_size = 8;
            }
        })
        .await?;
        let result = round(&args, &server, scale, &mut baseline).await;
        server.stop();
        // Let the workers close their connections before the schema goes.
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop(schema);
        result?;
    }
    Ok(())
}

async fn round(
    args: &Args,
    server: &app::App,
    scale: u32,
    baseline: &mut Vec<Duration>,
) -> anyhow::Result<()> {
    let http = Client::builder().no_proxy().build()?;
    let org = almaty(&http, &server.url).await?;
    if scale > 0 {
        let started = Instant::now();
        let options = demo_scale::Options {
            consultations: scale,
            seed: demo_scale::DEFAULT_SEED,
        };
        let outcome = demo_scale::load(&server.context, options)
            .await
            .map_err(|e| anyhow::anyhow!("demo --scale {scale}: {e}"))?;
        anyhow::ensure!(
            matches!(outcome, demo_scale::Outcome::Loaded { .. }),
            "demo --scale {scale} added nothing: {outcome:?}"
        );
        eprintln!("scale {scale}: generated in {:.0?}", started.elapsed());
    }
    println!("\nconsultations generated: {scale}");
    println!(
        "{:<32} {:<62} {:>6} {:>5} {:>9} {:>9} {:>7}",
        "user", "list", "items", "stmts", "p50 ms", "p99 ms", "×demo"
    );
    for (i, (user, path)) in LISTS.iter().enumerate() {
        let token = match *user {
            "" => None,
            email => Some(app::login(&http, &server.url, email, app::PASSWORD).await?),
        };
        let path = path.replace("{org}", &org);
        let f = measure(&http, &server.url, token.as_deref(), &path, args.requests).await?;
        if baseline.len() <= i {
            baseline.push(f.p50);
        }
        let ratio = f.p50.as_secs_f64() / baseline[i].as_secs_f64().max(1e-6);
        println!(
            "{:<32} {:<62} {:>6} {:>5} {:>9.2} {:>9.2} {:>7.2}",
            if user.is_empty() { "(anyone)" } else { user },
            path,
            f.items,
            f.statements,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            ratio
        );
    }
    Ok(())
}

async fn almaty(http: &Client, url: &str) -> anyhow::Result<String> {
    let orgs: Value = http
        .get(format!("{url}/api/organizations"))
        .send()
        .await?
        .json()
        .await?;
    orgs.as_array()
        .and_then(|a| {
            a.iter()
                .find(|o| o["name"].as_str().is_some_and(|n| n.contains("№7")))
        })
        .and_then(|o| o["id"].as_str())
        .map(str::to_owned)
        .context("the demo Almaty polyclinic")
}

async fn measure(
    http: &Client,
    url: &str,
    token: Option<&str>,
    path: &str,
    requests: usize,
) -> anyhow::Result<Figure> {
    let mut times = Vec::with_capacity(requests);
    let mut last = (0, 0);
    for i in 0..requests + 3 {
        let mut req = http.get(format!("{url}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let started = Instant::now();
        let res = req.send().await?;
        let status = res.status();
        let statements = res
            .headers()
            .get("x-db-statements")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let body: Value = res.json().await?;
        let elapsed = started.elapsed();
        anyhow::ensure!(status.is_success(), "{path}: {status} {body}");
        if i >= 3 {
            times.push(elapsed);
        }
        last = (items(&body), statements);
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    Ok(Figure {
        items: last.0,
        statements: last.1,
        p50: at(0.5),
        p99: at(0.99),
    })
}

/// Items a list answer shows: an array, or the array inside the answer's object.
fn items(body: &Value) -> usize {
    match body {
        Value::Array(a) => a.len(),
        Value::Object(o) => o
            .values()
            .filter_map(Value::as_array)
            .map(Vec::len)
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}
