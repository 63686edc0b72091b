//! The sign-in throttle: attempts per e-mail and per client address, counted before the password
//! is checked, in one table that every node sharing the database uses.
//!
//! An attempt increments its key's row for the current fixed window with one conditional upsert
//! (`INSERT … ON CONFLICT DO UPDATE SET attempts = attempts + 1 RETURNING attempts`), so parallel
//! attempts, on one node or several, each see a distinct count and no more than the limit get
//! to the password. The decision takes a sliding estimate — the previous window's count weighted
//! by how much of it still lies within the last `failed_login_window_minutes`, plus the current
//! window's — so a burst across a window boundary gets no second allowance.
//!
//! Only attempts that checked a password stay counted: a refused attempt, or one that could not
//! be checked (hashing busy), is taken back, so hammering a locked e-mail does not prolong its
//! lock. A successful sign-in clears the e-mail's count (whoever signed in knows the password)
//! and takes its attempt back from the address's (many people sign in from one office's
//! address). Keys are SHA-256 hashes: the table holds no e-mail address and no IP.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::AuthSettings;
use crate::db::DbConnection;
use crate::db::schema::login_throttle as lt;
use crate::error::AppResult;

/// The counters one admitted attempt was counted in.
#[derive(Debug, Clone)]
pub(super) struct Attempt {
    email_key: String,
    ip_key: String,
    window_start: i64,
}

#[derive(Debug)]
pub(super) enum Verdict {
    /// Counted: check the password.
    Admitted(Attempt),
    /// Over a limit, refused without checking; one more attempt would be admitted after this
    /// many seconds if none came in between.
    Refused { retry_after: u64 },
}

/// The fixed window `now` falls in.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Unix seconds.
    start: i64,
    seconds: i64,
    /// The part of the window already gone, 0 to 1.
    elapsed: f64,
}

impl Window {
    fn at(now: DateTime<Utc>, minutes: i64) -> Window {
        let seconds = minutes.max(1) * 60;
        let t = now.timestamp();
        let start = t.div_euclid(seconds) * seconds;
        Window {
            start,
            seconds,
            elapsed: (t - start) as f64 / seconds as f64,
        }
    }
}

fn key(kind: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("{kind}:{value}").as_bytes()))
}

/// Counts an attempt for `email` from `ip` and decides whether it may check a password.
pub(super) fn admit(
    conn: &mut DbConnection,
    auth: &AuthSettings,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<Verdict> {
    let window = Window::at(now, auth.failed_login_window_minutes);
    let attempt = Attempt {
        email_key: key("email", email),
        ip_key: key("ip", ip),
        window_start: window.start,
    };
    let mut wait: Option<f64> = None;
    for (key, limit) in [
        (&attempt.email_key, auth.max_failed_logins),
        (&attempt.ip_key, auth.max_failed_logins_per_ip),
    ] {
        let current = increment(conn, key, window.start)?;
        if current == 1 && key == &attempt.email_key {
            // The first attempt on an e-mail in a window: a good moment to drop rows no
            // estimate reads any more, without a sweeper of its own.
            diesel::delete(lt::table.filter(lt::window_start.lt(window.start - window.seconds)))
                .execute(conn)?;
        }
        let previous: i64 = lt::table
            .find((key, window.start - window.seconds))
            .select(lt::attempts)
            .first(conn)
            .optional()?
            .unwrap_or(0);
        if let Some(w) = excess(previous, current, limit, window.elapsed) {
            wait = Some(wait.map_or(w, |other| other.max(w)));
        }
    }
    match wait {
        None => Ok(Verdict::Admitted(attempt)),
        Some(windows) => {
            take_back(conn, &attempt)?;
            let seconds = (windows * window.seconds as f64).ceil() as u64;
            Ok(Verdict::Refused {
                retry_after: seconds.max(1),
            })
        }
    }
}

/// The attempt checked no password: it does not count.
pub(super) fn take_back(conn: &mut DbConnection, attempt: &Attempt) -> AppResult<()> {
    decrement(
        conn,
        &[&attempt.email_key, &attempt.ip_key],
        attempt.window_start,
    )
}

/// The attempt signed in: the e-mail starts afresh and the address does not count it.
pub(super) fn succeeded(conn: &mut DbConnection, attempt: &Attempt) -> AppResult<()> {
    diesel::delete(lt::table.filter(lt::throttle_key.eq(&attempt.email_key))).execute(conn)?;
    decrement(conn, &[&attempt.ip_key], attempt.window_start)
}

fn decrement(conn: &mut DbConnection, keys: &[&String], window_start: i64) -> AppResult<()> {
    diesel::update(
        lt::table
            .filter(lt::throttle_key.eq_any(keys))
            .filter(lt::window_start.eq(window_start))
            .filter(lt::attempts.gt(0)),
    )
    .set(lt::attempts.eq(lt::attempts - 1))
    .execute(conn)?;
    Ok(())
}

/// Adds one attempt to the key's row of the window, creating it, and returns the new count.
/// One statement: concurrent increments are serialised by the row (PostgreSQL) or the database
/// (SQLite) lock, so no two see the same count.
fn increment(conn: &mut DbConnection, key: &str, window_start: i64) -> AppResult<i64> {
    let first = (
        lt::throttle_key.eq(key),
        lt::window_start.eq(window_start),
        lt::attempts.eq(1i64),
    );
    macro_rules! upsert {
        ($conn:expr) => {
            diesel::insert_into(lt::table)
                .values(first)
                .on_conflict((lt::throttle_key, lt::window_start))
                .do_update()
                .set(lt::attempts.eq(lt::attempts + 1))
                .returning(lt::attempts)
                .get_result::<i64>($conn)?
        };
    }
    Ok(match conn {
        DbConnection::Postgresql(pg) => upsert!(pg),
        DbConnection::Sqlite(lite) => upsert!(lite),
    })
}

/// `None` when an attempt is within `limit`, given `previous` attempts in the window before and
/// `current` (this one included) in this one, of which `elapsed` is gone. Otherwise how long,
/// in windows, until one more attempt would be, once this one is taken back.
fn excess(previous: i64, current: i64, limit: i64, elapsed: f64) -> Option<f64> {
    let (previous_f, limit_f) = (previous as f64, limit as f64);
    if previous_f * (1.0 - elapsed) + current as f64 <= limit_f {
        return None;
    }
    let others = current - 1;
    if others < limit && previous > 0 {
        // Within this window, as the previous one's weight fades.
        let at = 1.0 - (limit - others - 1) as f64 / previous_f;
        return Some((at - elapsed).max(0.0));
    }
    // In the next window, as this one's weight fades.
    let fade = if others > 0 {
        (1.0 - (limit - 1) as f64 / others as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Some(1.0 - elapsed + fade)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_within_a_window_and_across_its_boundary() {
        // Five in a fresh window pass, the sixth does not.
        assert_eq!(excess(0, 5, 5, 0.5), None);
        assert!(excess(0, 6, 5, 0.5).is_some());
        // Just after a boundary the five of the window before still count almost fully.
        let w = excess(5, 1, 5, 0.01).unwrap();
        assert!((w - (1.0 - 4.0 / 5.0 - 0.01)).abs() < 1e-9, "{w}");
        assert!(excess(3, 3, 5, 0.01).is_some());
        assert_eq!(excess(3, 2, 5, 0.01), None);
        // Half-way through, half of them do.
        assert_eq!(excess(4, 3, 5, 0.5), None);
        assert!(excess(4, 4, 5, 0.5).is_some());
    }

    #[test]
    fn the_wait_runs_until_one_more_attempt_would_pass() {
        // Five counted early in a window: the sixth waits for the rest of it and then for the
        // five to fade to four.
        let w = excess(0, 6, 5, 0.25).unwrap();
        assert!((w - (0.75 + 0.2)).abs() < 1e-9, "{w}");
        // Carried over from the window before: only its fading is awaited.
        let w = excess(6, 1, 5, 0.1).unwrap();
        assert!((w - (1.0 - 4.0 / 6.0 - 0.1)).abs() < 1e-9, "{w}");
    }

    #[test]
    fn windows_are_aligned_and_keys_hide_what_they_count() {
        let now = DateTime::from_timestamp(1_800_000_123, 0).unwrap();
        let w = Window::at(now, 15);
        assert_eq!(w.start % 900, 0);
        assert!(w.start <= now.timestamp() && now.timestamp() < w.start + 900);
        assert!(w.elapsed >= 0.0 && w.elapsed < 1.0);
        let k = key("email", "victim@example.kz");
        assert_eq!(k.len(), 64);
        assert!(!k.contains("victim"));
        assert_ne!(k, key("ip", "victim@example.kz"));
    }
}
