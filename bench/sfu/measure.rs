//! What one step measured: forwarded packets per second, CPU, loss and latency.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::peer::CallPeer;

/// CPU time of this process's threads whose name starts with a prefix (Linux /proc).
pub struct ThreadCpu {
    prefix: String,
}

fn ticks_per_second() -> f64 {
    // The kernel's USER_HZ: 100 on every Linux this runs on.
    100.0
}

/// utime + stime of a /proc stat line, in seconds, and the command name.
fn parse_stat(stat: &str) -> Option<(String, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_owned();
    let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    // Fields after the name start at field 3 (state); utime is field 14, stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((name, (utime + stime) / ticks_per_second()))
}

impl ThreadCpu {
    pub fn named(prefix: &str) -> ThreadCpu {
        ThreadCpu {
            prefix: prefix.to_owned(),
        }
    }

    pub fn seconds(&self) -> anyhow::Result<f64> {
        let mut total = 0.0;
        for entry in std::fs::read_dir("/proc/self/task")? {
            let stat = std::fs::read_to_string(entry?.path().join("stat")).unwrap_or_default();
            if let Some((name, secs)) = parse_stat(&stat)
                && name.starts_with(&self.prefix)
            {
                total += secs;
            }
        }
        Ok(total)
    }

    pub fn process_seconds() -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string("/proc/self/stat")?;
        parse_stat(&stat)
            .map(|(_, s)| s)
            .ok_or_else(|| anyhow::anyhow!("cannot read /proc/self/stat"))
    }
}

pub struct Row {
    pub n: usize,
    pub sent_pps: f64,
    pub forwarded_pps: f64,
    pub media_cpu: f64,
    pub process_cpu: f64,
    pub loss: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

impl Row {
    pub fn header() -> String {
        format!(
            "{:>4} {:>9} {:>12} {:>10} {:>12} {:>8} {:>8} {:>8} {:>8}",
            "N",
            "sent/s",
            "forwarded/s",
            "media CPU",
            "process CPU",
            "loss",
            "p50 ms",
            "p99 ms",
            "max ms"
        )
    }

    pub fn line(&self) -> String {
        format!(
            "{:>4} {:>9.0} {:>12.0} {:>9.0}% {:>11.0}% {:>7.2}% {:>8.2} {:>8.2} {:>8.2}",
            self.n,
            self.sent_pps,
            self.forwarded_pps,
            self.media_cpu * 100.0,
            self.process_cpu * 100.0,
            self.loss * 100.0,
            self.p50_ms,
            self.p99_ms,
            self.max_ms
        )
    }

    /// Judges the packets the publisher sent inside the window: how many of them each
    /// subscriber got, and how long after sending.
    pub fn measure(
        n: usize,
        publisher: &CallPeer,
        subscribers: &[CallPeer],
        (t0, t1): (Instant, Instant),
        (media_cpu, process_cpu): (f64, f64),
    ) -> Row {
        let window = (t1 - t0).as_secs_f64();
        let sent: HashMap<u16, Instant> = publisher
            .sent
            .lock()
            .unwrap()
            .send_times
            .iter()
            .filter(|(_, at)| **at >= t0 && **at < t1)
            .map(|(seq, at)| (*seq, *at))
            .collect();
        let mut latencies = Vec::new();
        let mut received = 0usize;
        let mut forwarded_in_window = 0usize;
        for s in subscribers {
            let inbound = s.inbound(&publisher.participant_id, "video");
            for (seq, arrived) in &inbound.arrivals {
                if *arrived >= t0 && *arrived < t1 {
                    forwarded_in_window += 1;
                }
                if let Some(sent_at) = sent.get(seq) {
                    received += 1;
                    latencies.push(arrived.saturating_duration_since(*sent_at));
                }
            }
        }
        latencies.sort();
        let expected = sent.len() * n;
        Row {
            n,
            sent_pps: sent.len() as f64 / window,
            forwarded_pps: forwarded_in_window as f64 / window,
            media_cpu: media_cpu / window,
            process_cpu: process_cpu / window,
            loss: if expected == 0 {
                1.0
            } else {
                1.0 - received.min(expected) as f64 / expected as f64
            },
            p50_ms: percentile(&latencies, 0.5),
            p99_ms: percentile(&latencies, 0.99),
            max_ms: latencies
                .last()
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(f64::NAN),
        }
    }
}
