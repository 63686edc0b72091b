//! Council assignment under load (Rules art. 23): R council requests, C at a time, each asking
//! for cardiology and neurology without naming organisations, so each takes one turn of the
//! Almaty cardiology queue (K consultants on the list) and one of its neurology queue. Prints
//! requests and assignments per second, request latency, and the fairness of the spread: max −
//! min assignments per cardiologist (0 when R is a multiple of K). Exits non-zero when the
//! spread is unfair or a request failed.
//!
//!   cargo run --release --example council -- [--requests 600] [--concurrency 50]
//!       [--consultants 6] [--database sqlite|postgres://...]

#[path = "common/app.rs"]
mod app;
#[path = "common/pg.rs"]
mod pg;

use pg::PgSchema;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use futures_util::StreamExt;
use reqwest::Client;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(about = "Council requests assigned by round robin: throughput and fairness")]
struct Args {
    #[arg(long, default_value_t = 600)]
    requests: usize,
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
    /// Cardiologists on the Almaty list (the demo's one and the rest added).
    #[arg(long, default_value_t = 6)]
    consultants: usize,
    /// `sqlite` (a fresh file) or a PostgreSQL URL (a fresh schema on it, dropped afterwards).
    #[arg(long, default_value = "sqlite")]
    database: String,
}

async fn call(
    http: &Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let res = http
        .request(method, &url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
    Ok(body)
}

/// The Almaty organisation, and the cardiology list made of `n` doctors (the demo's first).
async fn setup(http: &Client, base: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let orgs = call(
        http,
        reqwest::Method::GET,
        format!("{base}/api/organizations"),
        "",
        Value::Null,
    )
    .await?;
    let almaty = orgs
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|o| o["address"].as_str().unwrap_or("").contains("Алматы"))
        })
        .and_then(|o| o["id"].as_str())
        .context("the Almaty demo organisation")?
        .to_owned();
    let admin = app::login(http, base, "admin.almaty@demo.telemed.kz", app::PASSWORD).await?;
    // Distinct valid IINs the demo data does not use.
    let mut iins = (300..).filter_map(|k| telemed::domain::iin::Iin::numbered(90, k));
    for i in 1..n {
        let iin = iins.next().context("IIN")?.to_string();
        app::post(http, base, &admin, &format!("/api/organizations/{almaty}/staff"),
            json!({"full_name": format!("Кардиолог {i}"), "iin": iin, "email": format!("cardio{i}@bench.kz"),
                "password": "bench password 1", "role": "doctor",
                "practitioner": {"position": "Врач-кардиолог", "specialties": [{"code": "cardiology", "experience_years": 5}]}}))
            .await?;
    }
    let staff = call(
        http,
        reqwest::Method::GET,
        format!("{base}/api/practitioners?specialty=cardiology&organization={almaty}"),
        "",
        Value::Null,
    )
    .await?;
    let ids: Vec<String> = staff
        .as_array()
        .context("practitioners")?
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(
        ids.len() == n,
        "{} cardiologists in Almaty, expected {n}",
        ids.len()
    );
    call(
        http,
        reqwest::Method::PUT,
        format!("{base}/api/organizations/{almaty}/consultant-lists/cardiology"),
        &admin,
        json!({"practitioner_ids": ids}),
    )
    .await?;
    Ok(ids)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(args: Args) -> anyhow::Result<bool> {
    let (schema, url) = if args.database.starts_with("postgres") {
        let (schema, url) = PgSchema::create(&args.database)?;
        (Some(schema), Some(url))
    } else {
        (None, None)
    };
    let backend = if schema.is_some() {
        "postgresql"
    } else {
        "sqlite"
    };
    let server = app::App::start(move |s| {
        s.demo.seed_on_first_start = true;
        if let Some(url) = url {
            s.database.url = url;
            s.database.pool_size = 16;
        }
    })
    .await?;
    let result = bench(&args, &server.url).await;
    server.stop();
    // Let the workers close their connections before the schema goes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(schema);
    println!("backend: {backend}");
    result
}

async fn bench(args: &Args, base: &str) -> anyhow::Result<bool> {
    let http = Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()?;
    let list = setup(&http, base, args.consultants).await?;
    let initiator =
        Arc::new(app::login(&http, base, "therapist@demo.telemed.kz", app::PASSWORD).await?);
    let patient = app::login(&http, base, "patient@demo.telemed.kz", app::PASSWORD).await?;
    let me = call(
        &http,
        reqwest::Method::GET,
        format!("{base}/api/me"),
        &patient,
        Value::Null,
    )
    .await?;
    let patient_id = me["id"].as_str().context("patient id")?.to_owned();

    let started = Instant::now();
    let outcomes: Vec<(Duration, anyhow::Result<Value>)> =
        futures_util::stream::iter(0..args.requests)
            .map(|_| {
                let (http, token, base) = (http.clone(), initiator.clone(), base.to_owned());
                let body = json!({"patient_id": patient_id, "question": "Нагрузочный консилиум",
                "urgency": "planned", "mode": "deferred", "initiative": "patient",
                "specialties": ["cardiology", "neurology"]});
                async move {
                    let t = Instant::now();
                    let r = app::post(&http, &base, &token, "/api/councils", body).await;
                    (t.elapsed(), r)
                }
            })
            .buffer_unordered(args.concurrency)
            .collect()
            .await;
    let elapsed = started.elapsed();

    let mut latencies = Vec::new();
    let mut spread: HashMap<String, usize> = list.iter().map(|p| (p.clone(), 0)).collect();
    let mut failed = 0usize;
    let mut assignments = 0usize;
    for (latency, outcome) in outcomes {
        latencies.push(latency);
        match outcome {
            Ok(view) => {
                for m in view["members"].as_array().into_iter().flatten() {
                    assignments += 1;
                    if m["specialty"] == "cardiology" {
                        *spread
                            .entry(m["practitioner_id"].as_str().unwrap_or("").to_owned())
                            .or_default() += 1;
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{e:#}");
            }
        }
    }
    latencies.sort();
    let counts: Vec<usize> = list.iter().map(|p| spread[p]).collect();
    let (max, min) = (
        counts.iter().copied().max().unwrap_or(0),
        counts.iter().copied().min().unwrap_or(0),
    );
    let secs = elapsed.as_secs_f64();
    println!(
        "{} council requests, {} at a time, {} cardiologists on the list",
        args.requests, args.concurrency, args.consultants
    );
    println!(
        "  {:.0} requests/s, {:.0} assignments/s ({assignments} assignments in {secs:.2} s), {failed} failed",
        (args.requests - failed) as f64 / secs,
        assignments as f64 / secs
    );
    println!(
        "  latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        percentile(&latencies, 1.0).as_secs_f64() * 1e3
    );
    println!(
        "  cardiology assignments per consultant: {counts:?}; max − min = {}",
        max - min
    );
    let fair = max - min <= usize::from(args.requests % args.consultants != 0);
    if !fair {
        eprintln!("the spread is unfair");
    }
    Ok(fair && failed == 0)
}

fn main() -> ExitCode {
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
            eprintln!("council benchmark failed: {e:#}");
            ExitCode::from(2)
        }
    }
}
