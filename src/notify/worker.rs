//! Delivering the outbox. Each message is claimed by a conditional UPDATE just before it is
//! sent (`WHERE id = ? AND <still due>`): only the node whose update changed the row sends it,
//! so nodes sharing a database never send a row twice. The claim is a lease: a node that stops
//! mid-send leaves the row to be taken again once `lease_until` has passed.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use tokio::task::JoinHandle;

use super::status;
use super::transport::{Mailer, SendError};
use crate::db::models::OutboxRow;
use crate::db::schema::outbox;
use crate::db::{DbConnection, write_tx};
use crate::error::AppResult;
use crate::services::Context;

/// `last_error` keeps this many characters: enough to diagnose, not a whole transcript.
const MAX_ERROR_CHARS: usize = 500;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Accepted by the transport and marked `sent`.
    pub sent: usize,
    /// Failed; back to `pending` with a later `due_at`.
    pub failed: usize,
    /// Due when listed, but claimed by another pass or node (or withdrawn) before this one.
    pub skipped: usize,
}

/// One pass: delivers the messages due now (at most `notify.batch_size`), including those whose
/// sender's lease ran out.
pub async fn deliver_due(ctx: &Context, transport: &Mailer) -> AppResult<DeliveryReport> {
    let notify = &ctx.settings.notify;
    let now = db_time(ctx.clock.now());
    let limit = notify.batch_size;
    let due = ctx.db.run(move |conn| due_ids(conn, now, limit)).await?;
    let mut report = DeliveryReport::default();
    for id in due {
        let now = db_time(ctx.clock.now());
        let lease_until = now + chrono::Duration::seconds(notify.lease_seconds);
        let Some(row) = ctx
            .db
            .run(move |conn| claim(conn, &id, now, lease_until))
            .await?
        else {
            report.skipped += 1;
            continue;
        };
        match transport.send(&row).await {
            Ok(provider_id) => {
                let at = db_time(ctx.clock.now());
                let id = row.id.clone();
                ctx.db
                    .run(move |conn| mark_sent(conn, &id, at, &provider_id))
                    .await?;
                report.sent += 1;
            }
            Err(error) => {
                let at = ctx.clock.now();
                let delay = backoff(
                    row.attempts,
                    notify.backoff_base_seconds,
                    notify.backoff_max_seconds,
                );
                tracing::warn!(
                    outbox_id = %row.id,
                    attempts = row.attempts + 1,
                    retry_in_s = delay.num_seconds(),
                    %error,
                    "mail not delivered; will retry"
                );
                let id = row.id.clone();
                let text = error_text(&error);
                ctx.db
                    .run(move |conn| mark_failed(conn, &id, db_time(at + delay), &text))
                    .await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// Runs [`deliver_due`] every `notify.poll_interval_ms`, for as long as the runtime lives.
/// A mail configuration that cannot be used is logged and the worker does not start; the
/// application checks it at start-up, so this only happens when called on its own.
pub fn spawn_worker(ctx: Context) -> JoinHandle<()> {
    match Mailer::from_settings(&ctx.settings.mail) {
        Ok(mailer) => spawn_worker_with(ctx, mailer),
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "mail worker not started");
            tokio::spawn(async {})
        }
    }
}

/// [`spawn_worker`] with a transport built by the caller.
pub fn spawn_worker_with(ctx: Context, mailer: Mailer) -> JoinHandle<()> {
    let period = Duration::from_millis(ctx.settings.notify.poll_interval_ms.max(1));
    let batch = usize::try_from(ctx.settings.notify.batch_size).unwrap_or(usize::MAX);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            // A full batch means more may be waiting: go on at once instead of after a tick.
            loop {
                match deliver_due(&ctx, &mailer).await {
                    Ok(r) if r.sent + r.failed + r.skipped >= batch => continue,
                    Ok(_) => break,
                    Err(error) => {
                        tracing::warn!(%error, "outbox pass failed");
                        break;
                    }
                }
            }
        }
    })
}

/// The wait before the next try after `failures_before` earlier failures:
/// base · 2^failures_before seconds, at most `max_seconds`.
pub fn backoff(failures_before: i32, base_seconds: i64, max_seconds: i64) -> chrono::Duration {
    let exponent = u32::try_from(failures_before.clamp(0, 62)).unwrap_or(0);
    let seconds = 1i64
        .checked_shl(exponent)
        .and_then(|factor| base_seconds.checked_mul(factor))
        .unwrap_or(max_seconds)
        .min(max_seconds);
    chrono::Duration::seconds(seconds.max(0))
}

/// Times as the database keeps them: UTC, microseconds.
fn db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

fn due_ids(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> AppResult<Vec<String>> {
    Ok(outbox::table
        .filter(
            outbox::status
                .eq(status::PENDING)
                .and(outbox::due_at.le(now))
                .or(outbox::status
                    .eq(status::SENDING)
                    .and(outbox::lease_until.le(now))),
        )
        .order((outbox::due_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select(outbox::id)
        .load(conn)?)
}

/// Takes the row for this pass if it is still due; `None` when another pass got it first.
fn claim(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> AppResult<Option<OutboxRow>> {
    write_tx(conn, |conn| {
        let updated = diesel::update(
            outbox::table.filter(outbox::id.eq(id)).filter(
                outbox::status
                    .eq(status::PENDING)
                    .and(outbox::due_at.le(now))
                    .or(outbox::status
                        .eq(status::SENDING)
                        .and(outbox::lease_until.le(now))),
            ),
        )
        .set((
            outbox::status.eq(status::SENDING),
            outbox::lease_until.eq(Some(lease_until)),
        ))
        .execute(conn)?;
        if updated != 1 {
            return Ok(None);
        }
        Ok(Some(
            outbox::table
                .filter(outbox::id.eq(id))
                .select(OutboxRow::as_select())
                .first(conn)?,
        ))
    })
}

fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
    provider_id: &str,
) -> AppResult<()> {
    let updated = write_tx(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(status::SENDING)),
        )
        .set((
            outbox::status.eq(status::SENT),
            outbox::sent_at.eq(Some(at)),
            outbox::provider_id.eq(Some(provider_id)),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
    })?;
    if updated != 1 {
        // Only possible when the send outlasted the lease, which the settings rule out.
        tracing::warn!(
            outbox_id = id,
            "sent message was no longer leased to this node"
        );
    }
    Ok(())
}

fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    retry_at: NaiveDateTime,
    error: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(status::SENDING)),
        )
        .set((
            outbox::status.eq(status::PENDING),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::due_at.eq(retry_at),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)
    })?;
    Ok(())
}

/// The error and its causes on one line, for `last_error`.
fn error_text(error: &SendError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let s = |n| backoff(n, 5, 3600).num_seconds();
        assert_eq!(s(0), 5);
        assert_eq!(s(1), 10);
        assert_eq!(s(2), 20);
        assert_eq!(s(9), 2560);
        assert_eq!(s(10), 3600);
        assert_eq!(s(1_000), 3600);
        assert_eq!(s(-3), 5);
    }
}
