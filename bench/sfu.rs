//! The SFU under load: one publisher sends synthetic VP8 at about 1 Mbit/s to N subscribers over
//! loopback, through the real signaling socket and the real server. For each N it prints the
//! packets forwarded per second, the CPU the media runtime used, the loss, and the latency from
//! the publisher's send to the subscriber's receive; then the largest N with loss under 1 %.
//!
//!   cargo run --release --example sfu -- [--subscribers 1,2,4,8,16,24,32] [--seconds 10]
//!       [--kbps 1000] [--media-threads 2]
//!
//! Publisher and subscribers are headless webrtc-rs peers in this same process (on a runtime of
//! their own); the server's media runtime is measured separately from its threads' CPU time.

#[path = "common/app.rs"]
mod app;
#[path = "sfu/measure.rs"]
mod measure;
#[path = "../tests/api/calls/peer.rs"]
mod peer;
#[path = "sfu/scene.rs"]
mod scene;

use std::time::{Duration, Instant};

use clap::Parser;

use measure::{Row, ThreadCpu};
use peer::Source;

#[derive(Debug, Parser)]
#[command(
    about = "One publisher, N subscribers through the SFU: forwarding rate, CPU, loss, latency"
)]
struct Args {
    /// Subscriber counts to try, in order.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,24,32")]
    subscribers: Vec<usize>,
    /// Length of each measured window.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The publisher's video bitrate.
    #[arg(long, default_value_t = 1000)]
    kbps: usize,
    /// Worker threads of the server's media runtime.
    #[arg(long, default_value_t = 2)]
    media_threads: usize,
    /// Go on with larger N after one whose loss reached 1 % (by default the run stops there).
    #[arg(long)]
    keep_going: bool,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fps = 30;
    let frame_bytes = args.kbps * 1000 / 8 / fps;
    println!(
        "SFU benchmark: VP8 {} kbit/s ({fps} fps, {frame_bytes} B/frame), {} s per step, media runtime {} thread(s), {} CPU(s)",
        args.kbps,
        args.seconds,
        args.media_threads,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("{}", Row::header());
    let mut best = None;
    for &n in &args.subscribers {
        let scene = scene::Scene::start(n, args.media_threads).await?;
        let publisher_source = Source {
            audio: false,
            fps: fps as u32,
            frame_bytes,
            keep_send_times: true,
            ..Source::default()
        };
        let (publisher, subscribers) = scene.join_all(publisher_source).await?;
        // Warm up: every subscriber receives before the window opens.
        let deadline = Instant::now() + Duration::from_secs(20);
        for s in &subscribers {
            while s.inbound(&publisher.participant_id, "video").packets < 30 {
                anyhow::ensure!(
                    Instant::now() < deadline,
                    "subscribers did not start receiving: {:?} {:?} / {:?}",
                    s.publishers(),
                    publisher.sent.lock().unwrap().video_packets,
                    s.messages()
                        .iter()
                        .map(|m| m["type"].clone())
                        .collect::<Vec<_>>()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let media = ThreadCpu::named("telemed-media");
        let (cpu0, process0) = (media.seconds()?, ThreadCpu::process_seconds()?);
        let t0 = Instant::now();
        tokio::time::sleep(Duration::from_secs(args.seconds)).await;
        let t1 = Instant::now();
        let (cpu1, process1) = (media.seconds()?, ThreadCpu::process_seconds()?);
        // Packets sent in the last 300 ms may still be on their way: they are not judged.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let row = Row::measure(
            n,
            &publisher,
            &subscribers,
            (t0, t1),
            (cpu1 - cpu0, process1 - process0),
        );
        println!("{}", row.line());
        let ok = row.loss < 0.01;
        if ok {
            best = Some(n);
        }
        for s in subscribers {
            s.close().await;
        }
        publisher.close().await;
        scene.stop();
        if !ok && !args.keep_going {
            break;
        }
    }
    match best {
        Some(n) => println!("largest N with loss under 1 %: {n}"),
        None => println!("no N tried kept loss under 1 %"),
    }
    Ok(())
}
