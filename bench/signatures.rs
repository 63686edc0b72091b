//! Signature verifications per second as the service checks them — CMS detached RSA-2048, CMS
//! detached ECDSA P-256 and raw WebCrypto P-256, each with its chain and a CRL of 1000 other
//! serials — beside `openssl speed` for the bare primitives on the same machine, and audit-log
//! appends per second (SQLite, and PostgreSQL with `--postgres`).
//!
//!   cargo run --release --example signatures -- [--seconds 3] [--threads N] [--revoked 1000]
//!       [--events 5000] [--postgres postgres://USER@127.0.0.1/DB] [--no-openssl]
//!
//! The ratio telemed/openssl compares unlike things on purpose: OpenSSL measures one signature
//! verification; a CMS verification here parses the CMS, hashes the document, checks the signature
//! over the signed attributes, the two certificate signatures of the chain and the CRL's signature
//! (over all its entries), then looks the serial up — four verifications of the algorithm.

#[path = "signatures/audit.rs"]
mod audit;
#[path = "signatures/openssl.rs"]
mod openssl;
#[path = "signatures/pki.rs"]
mod pki;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use telemed::signing::{Expected, SignatureInput, Verifier};

use pki::{Alg, Case};

#[derive(Debug, Parser)]
#[command(about = "Signature verifications and audit appends per second")]
struct Args {
    /// Timed seconds per case (after a warm-up of a third of it), and for `openssl speed`.
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Threads for the parallel run; default the number of cores. 1 skips it.
    #[arg(long)]
    threads: Option<usize>,
    /// Serials on the CRL (none of them the signer's).
    #[arg(long, default_value_t = 1000)]
    revoked: u64,
    /// Audit events per variant.
    #[arg(long, default_value_t = 5000)]
    events: usize,
    /// Also append on PostgreSQL, in a fresh schema dropped at the end.
    #[arg(long)]
    postgres: Option<String>,
    /// Skip `openssl speed`.
    #[arg(long)]
    no_openssl: bool,
}

struct Figure {
    threads: usize,
    ops_per_second: f64,
}

fn verify_once(case: &Case) -> bool {
    let iin = pki::iin();
    let expected = Expected {
        document: pki::DOCUMENT,
        signer_iin: &iin,
        at: pki::at(),
    };
    let input = match &case.certificate {
        None => SignatureInput::CmsDetached(&case.signature),
        Some(cert) => SignatureInput::RawP256 {
            signature: &case.signature,
            certificate_der: cert,
        },
    };
    case.verifier.verify(&input, &expected).is_ok()
}

/// Verifies in a loop on `threads` threads for `duration` after a warm-up; every verification
/// must succeed.
fn run(case: &Case, threads: usize, duration: Duration) -> anyhow::Result<Figure> {
    let warm_up = Instant::now() + duration / 3;
    while Instant::now() < warm_up {
        anyhow::ensure!(
            verify_once(case),
            "{}: the signature does not verify",
            case.name
        );
    }
    let failed = AtomicBool::new(false);
    let started = Instant::now();
    let deadline = started + duration;
    let total: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0u64;
                    while Instant::now() < deadline {
                        if !verify_once(case) {
                            failed.store(true, Ordering::Relaxed);
                            break;
                        }
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    anyhow::ensure!(
        !failed.load(Ordering::Relaxed),
        "{}: a verification failed",
        case.name
    );
    Ok(Figure {
        threads,
        ops_per_second: total as f64 / started.elapsed().as_secs_f64(),
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let duration = Duration::from_secs(args.seconds.max(1));
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });

    eprintln!("making the PKI (RSA keys take a few seconds)…");
    let cases = [
        pki::cms_case("CMS detached RSA-2048", Alg::Rsa2048, args.revoked)?,
        pki::cms_case("CMS detached ECDSA P-256", Alg::P256, args.revoked)?,
        pki::raw_case(args.revoked)?,
    ];
    let mut results = Vec::new();
    for case in &cases {
        eprintln!("{}…", case.name);
        let mut figures = vec![run(case, 1, duration)?];
        if threads > 1 {
            figures.push(run(case, threads, duration)?);
        }
        results.push((case, figures));
    }
    let speed = if args.no_openssl {
        None
    } else {
        eprintln!("openssl speed -seconds {} rsa2048 ecdsap256…", args.seconds);
        openssl::speed(args.seconds)
    };
    eprintln!("audit appends…");
    let mut appends = vec![audit::sqlite(args.events)?];
    if let Some(url) = &args.postgres {
        appends.push(audit::postgres(url, args.events)?);
    }

    println!();
    println!(
        "signature verification: CMS path root → intermediate → signer, raw path platform CA → \
         signer; CRL of {} serials; {} s per figure",
        args.revoked, args.seconds
    );
    println!(
        "{:<26} {:>7} {:>10} {:>9} {:>16} {:>15}",
        "case", "threads", "ops/s", "µs/op", "openssl verify/s", "telemed/openssl"
    );
    for (case, figures) in &results {
        let bare = speed.as_ref().and_then(|s| match case.alg {
            Alg::Rsa2048 => s.rsa2048_verify,
            Alg::P256 => s.p256_verify,
        });
        for figure in figures {
            let (openssl_column, ratio) = match bare {
                Some(bare) if figure.threads == 1 => (
                    format!("{bare:.0}"),
                    format!("{:.3}", figure.ops_per_second / bare),
                ),
                _ => ("".into(), "".into()),
            };
            println!(
                "{:<26} {:>7} {:>10.0} {:>9.1} {:>16} {:>15}",
                case.name,
                figure.threads,
                figure.ops_per_second,
                1e6 * figure.threads as f64 / figure.ops_per_second,
                openssl_column,
                ratio
            );
        }
    }
    match &speed {
        Some(s) => println!(
            "openssl: {} (`openssl speed` measures one bare verification, single thread)",
            s.version
        ),
        None => println!("openssl: not run (not installed or --no-openssl)"),
    }
    println!();
    println!(
        "{:<12} {:>7} {:>16} {:>22} {:>18}",
        "audit log",
        "events",
        "appends/s (1/tx)",
        format!("appends/s ({}/tx)", audit::BATCH),
        "verify rows/s"
    );
    for a in &appends {
        println!(
            "{:<12} {:>7} {:>16.0} {:>22.0} {:>18.0}",
            a.backend, a.events, a.per_event_tx, a.batched, a.verify
        );
    }
    Ok(())
}
