//! Uploads under load: C clients upload a file of S megabytes each at the same time to a
//! deferred request through `POST /api/consultations/{id}/files` (streamed, hashed, synced and
//! renamed into the blob store); prints the throughput and the process's peak memory, then the
//! same bytes copied with `cp` on the same disk (and synced) as the ceiling.
//!
//!   cargo run --release --example uploads -- [--clients 10] [--megabytes 50]
//!
//! The clients generate their bytes as they send them, so the process's peak memory is the
//! server's working set plus a few buffers, not the files.

#[path = "common/app.rs"]
mod app;

use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use futures_util::stream;
use reqwest::Client;
use serde_json::json;

#[derive(Debug, Parser)]
#[command(about = "Concurrent uploads into the blob store: MB/s and peak memory, against cp")]
struct Args {
    #[arg(long, default_value_t = 10)]
    clients: usize,
    #[arg(long, default_value_t = 50)]
    megabytes: usize,
}

const CHUNK: usize = 64 * 1024;

/// The body of upload `n`: a PDF header, then bytes that differ per upload (distinct hashes).
fn chunk(n: usize, i: usize) -> bytes::Bytes {
    let mut c = vec![(n as u8).wrapping_mul(31) ^ (i as u8); CHUNK];
    if i == 0 {
        c[..9].copy_from_slice(b"%PDF-1.7\n");
    }
    bytes::Bytes::from(c)
}

/// Kilobytes of the process's peak resident memory (VmHWM).
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1_000_000.0 / secs
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let size = args.megabytes * 1024 * 1024;
    let chunks = size / CHUNK;
    let total = (chunks * CHUNK * args.clients) as u64;
    let limit = (size as u64) * 2;
    let app = app::App::start(move |s| s.calls.max_file_bytes = limit).await?;
    let http = Client::new();
    let patient = app::login(&http, &app.url, "patient@demo.telemed.kz", app::PASSWORD).await?;
    let orgs: serde_json::Value = http
        .get(format!("{}/api/organizations", app.url))
        .send()
        .await?
        .json()
        .await?;
    let org = orgs
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|o| o["address"].as_str().unwrap_or("").contains("Актобе"))
        })
        .context("the Aqtobe centre")?["id"]
        .as_str()
        .context("id")?
        .to_owned();
    app::post(
        &http,
        &app.url,
        &patient,
        &format!("/api/organizations/{org}/consent"),
        json!({"action": "accept"}),
    )
    .await?;
    let request = app::post(
        &http,
        &app.url,
        &patient,
        "/api/consultations",
        json!({
        "mode": "deferred", "urgency": "planned", "organization_id": org, "specialty": "radiology",
        "reason": "Нагрузочный тест загрузки", "funding": "osms",
        "request_kind": "interpretation", "study_profile": "radiology"}),
    )
    .await?;
    let id = request["id"].as_str().context("id")?.to_owned();
    println!(
        "uploads benchmark: {} concurrent uploads of {} MiB each ({:.0} MB in all), {} CPU(s)",
        args.clients,
        args.megabytes,
        total as f64 / 1e6,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let before = peak_kb();
    let started = Instant::now();
    let uploads = (0..args.clients).map(|n| {
        let (http, url, token, id) = (http.clone(), app.url.clone(), patient.clone(), id.clone());
        async move {
            let body = reqwest::Body::wrap_stream(stream::iter(
                (0..chunks).map(move |i| Ok::<_, std::io::Error>(chunk(n, i))),
            ));
            let res = http
                .post(format!(
                    "{url}/api/consultations/{id}/files?name=study-{n}.pdf"
                ))
                .bearer_auth(token)
                .body(body)
                .send()
                .await?;
            anyhow::ensure!(res.status().as_u16() == 201, "upload {n}: {}", res.status());
            Ok(())
        }
    });
    for r in futures_util::future::join_all(uploads).await {
        r?;
    }
    let secs = started.elapsed().as_secs_f64();
    let after = peak_kb();
    println!(
        "telemed: {:.2} s, {:.0} MB/s; peak memory of the process {:.0} MiB (it was {:.0} MiB before the uploads)",
        secs,
        mb_per_s(total, secs),
        after as f64 / 1024.0,
        before as f64 / 1024.0
    );

    // The ceiling: the same bytes copied by cp on the same disk, then synced.
    let dir = app.dir.path().join("cp");
    std::fs::create_dir_all(&dir)?;
    for n in 0..args.clients {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("src-{n}")))?);
        for i in 0..chunks {
            f.write_all(&chunk(n, i))?;
        }
    }
    std::process::Command::new("sync").status()?;
    let started = Instant::now();
    let copies: Vec<_> = (0..args.clients)
        .map(|n| {
            std::process::Command::new("cp")
                .arg(dir.join(format!("src-{n}")))
                .arg(dir.join(format!("dst-{n}")))
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    for mut c in copies {
        anyhow::ensure!(c.wait()?.success(), "cp failed");
    }
    std::process::Command::new("sync").status()?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "cp + sync: {:.2} s, {:.0} MB/s (the ceiling)",
        secs,
        mb_per_s(total, secs)
    );
    app.stop();
    Ok(())
}
