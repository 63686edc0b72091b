//! Signature verifications per second as the service checks them — CMS detached RSA-2048, CMS
//! detached ECDSA P-256 and raw WebCrypto P-256, each with its chain and a CRL of 1000 other
//! serials — beside `openssl speed` for the bare primitives on the same machine, and audit-log
//! appends per second (SQLite, and PostgreSQL with `--postgres`).
//!
//!   cargo run --release --example signatures -- [--seconds 3] [--threads N] [--revoked 1000]
//!       [--events 5000] [--postgres postgres://USER@127.0.0.1/DB] [--no-openssl]
//!
//! Each case is timed twice. Warm: the verifier has already checked the certificates' and the
//! CRL's signatures (as it has after the first record of a doctor), so a verification parses the
//! CMS, hashes the document and the certificates, checks the one signature over the signed
//! attributes, judges validity and looks the serial up on the CRL — the figure to set beside
//! OpenSSL's one bare verification. Cold: the cache is emptied before each verification, which
//! then also checks the signer's and the intermediate's certificate and the CRL (over all its
//! entries): four verifications of the algorithm (two for the raw path). With several threads a
//! cold verification may still find a link another thread just put back; the `checks/op` column
//! says how many certificate and CRL signatures were really checked per verification.

#[path = "signatures/audit.rs"]
mod audit;
#[path = "signatures/bare.rs"]
mod bare;
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
    /// Certificate and CRL signatures checked per verification (cache misses).
    checks_per_op: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cache {
    Warm,
    Cold,
}

impl Cache {
    fn name(self) -> &'static str {
        match self {
            Cache::Warm => "warm",
            Cache::Cold => "cold",
        }
    }
}

fn verify_once(case: &Case, cache: Cache) -> bool {
    if cache == Cache::Cold {
        case.verifier.clear_cache();
    }
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
fn run(case: &Case, cache: Cache, threads: usize, duration: Duration) -> anyhow::Result<Figure> {
    let warm_up = Instant::now() + duration / 3;
    while Instant::now() < warm_up {
        anyhow::ensure!(
            verify_once(case, cache),
            "{}: the signature does not verify",
            case.name
        );
    }
    let failed = AtomicBool::new(false);
    let checks_before = case.verifier.certificate_signature_checks();
    let started = Instant::now();
    let deadline = started + duration;
    let total: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0u64;
                    while Instant::now() < deadline {
                        if !verify_once(case, cache) {
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
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        !failed.load(Ordering::Relaxed),
        "{}: a verification failed",
        case.name
    );
    let checks = case.verifier.certificate_signature_checks() - checks_before;
    Ok(Figure {
        threads,
        ops_per_second: total as f64 / elapsed,
        checks_per_op: checks as f64 / total.max(1) as f64,
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
        for cache in [Cache::Warm, Cache::Cold] {
            eprintln!("{} ({})…", case.name, cache.name());
            let mut figures = vec![run(case, cache, 1, duration)?];
            if threads > 1 {
                figures.push(run(case, cache, threads, duration)?);
            }
            results.push((case, cache, figures));
        }
    }
    // OpenSSL on as many processes as we have threads, so each row has its own ceiling.
    let mut speeds = Vec::new();
    if !args.no_openssl {
        let process_counts = if threads > 1 {
            vec![1, threads]
        } else {
            vec![1]
        };
        for processes in process_counts {
            eprintln!(
                "openssl speed -seconds {} -multi {processes} rsa2048 ecdsap256…",
                args.seconds
            );
            if let Some(speed) = openssl::speed(args.seconds, processes) {
                speeds.push((processes, speed));
            }
        }
    }
    eprintln!("ring, bare verification…");
    let ring_rsa = bare::ring_verify(Alg::Rsa2048, duration)?;
    let ring_p256 = bare::ring_verify(Alg::P256, duration)?;
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
        "{:<26} {:>5} {:>7} {:>10} {:>9} {:>9} {:>16} {:>15}",
        "case",
        "cache",
        "threads",
        "ops/s",
        "µs/op",
        "checks/op",
        "openssl verify/s",
        "telemed/openssl"
    );
    for (case, cache, figures) in &results {
        for figure in figures {
            let bare = speeds
                .iter()
                .find(|(processes, _)| *processes == figure.threads)
                .and_then(|(_, s)| match case.alg {
                    Alg::Rsa2048 => s.rsa2048_verify,
                    Alg::P256 => s.p256_verify,
                });
            let (openssl_column, ratio) = match bare {
                Some(bare) => (
                    format!("{bare:.0}"),
                    format!("{:.3}", figure.ops_per_second / bare),
                ),
                None => ("".into(), "".into()),
            };
            println!(
                "{:<26} {:>5} {:>7} {:>10.0} {:>9.1} {:>9.2} {:>16} {:>15}",
                case.name,
                cache.name(),
                figure.threads,
                figure.ops_per_second,
                1e6 * figure.threads as f64 / figure.ops_per_second,
                figure.checks_per_op,
                openssl_column,
                ratio
            );
        }
    }
    match speeds.first() {
        Some((_, s)) => println!(
            "openssl: {} (`openssl speed` measures one bare verification; with N threads, \
             `-multi N` processes, summed)",
            s.version
        ),
        None => println!("openssl: not run (not installed or --no-openssl)"),
    }
    println!();
    println!("bare verification of one signature, one thread (the ceiling of a warm CMS row):");
    let single = speeds.iter().find(|(processes, _)| *processes == 1);
    for (name, ring, openssl) in [
        (
            "RSA-2048",
            ring_rsa,
            single.and_then(|(_, s)| s.rsa2048_verify),
        ),
        (
            "ECDSA P-256",
            ring_p256,
            single.and_then(|(_, s)| s.p256_verify),
        ),
    ] {
        match openssl {
            Some(openssl) => println!(
                "  {name:<12} ring {ring:>8.0}/s   openssl {openssl:>8.0}/s   ring/openssl {:.3}",
                ring / openssl
            ),
            None => println!("  {name:<12} ring {ring:>8.0}/s"),
        }
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
