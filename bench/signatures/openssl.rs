//! `openssl speed` on the same machine: the bare primitives, for the ratio.

use std::process::Command;

/// Verifications per second of RSA-2048 and ECDSA P-256 by OpenSSL.
pub struct Speed {
    pub version: String,
    pub rsa2048_verify: Option<f64>,
    pub p256_verify: Option<f64>,
}

/// Runs `openssl speed -seconds N rsa2048 ecdsap256`, with `-multi P` for P processes when
/// `processes` > 1 (the figures are then their sum); `None` when `openssl` is not installed.
pub fn speed(seconds: u64, processes: usize) -> Option<Speed> {
    let version = Command::new("openssl").arg("version").output().ok()?;
    if !version.status.success() {
        return None;
    }
    let seconds = seconds.to_string();
    let processes = processes.to_string();
    let mut args = vec!["speed", "-seconds", &seconds];
    if processes != "1" {
        args.extend(["-multi", &processes]);
    }
    args.extend(["rsa2048", "ecdsap256"]);
    let out = Command::new("openssl").args(&args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(Speed {
        version: String::from_utf8_lossy(&version.stdout).trim().to_owned(),
        rsa2048_verify: verify_per_second(&text, |line| line.starts_with("rsa 2048 bits")),
        p256_verify: verify_per_second(&text, |line| line.contains("ecdsa (nistp256)")),
    })
}

/// The `verify/s` column of the result line `is_row` picks: the header above it names the
/// columns, which differ between OpenSSL versions (3.2 added encapsulation columns to RSA).
fn verify_per_second(text: &str, is_row: impl Fn(&str) -> bool) -> Option<f64> {
    let mut header: Option<Vec<&str>> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.contains("verify/s") {
            header = Some(trimmed.split_whitespace().collect());
        } else if is_row(trimmed) {
            let columns = header.as_ref()?;
            let index = columns.iter().position(|c| *c == "verify/s")?;
            let values: Vec<&str> = trimmed.split_whitespace().collect();
            let first = values.len().checked_sub(columns.len())?;
            return values.get(first + index)?.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_openssl_3_0_output() {
        let text = "                  sign    verify    sign/s verify/s\n\
                    rsa 2048 bits 0.000593s 0.000017s   1686.3  58823.5\n\
                    \x20                             sign    verify    sign/s verify/s\n\
                    \x20256 bits ecdsa (nistp256)   0.0000s   0.0001s  45000.1  14500.2\n";
        assert_eq!(
            super::verify_per_second(text, |l| l.starts_with("rsa 2048 bits")),
            Some(58823.5)
        );
        assert_eq!(
            super::verify_per_second(text, |l| l.contains("ecdsa (nistp256)")),
            Some(14500.2)
        );
    }
}
