//! The deadline watcher (art. 8, 13): marks open requests whose legal deadline has passed and
//! alerts the organisation's administrators by e-mail, exactly once per breach, however many
//! nodes run the watcher.

use std::time::Duration as StdDuration;

use chrono::SubsecRound;
use diesel::prelude::*;
use serde_json::json;

use super::super::Context;
use super::record_event;
use crate::db::models::{ConsultationRow, OrganizationRow, UserRow};
use crate::db::schema::{consultations, organizations, users};
use crate::db::write_tx;
use crate::error::AppResult;
use crate::notify::{self, Outgoing, templates};

/// One pass; returns how many breaches this call marked.
pub async fn check(ctx: &Context) -> AppResult<usize> {
    let now = ctx.clock.now().trunc_subsecs(6);
    let public_url = ctx.public_url.clone();
    ctx.db
        .run(move |conn| {
            let due: Vec<ConsultationRow> = consultations::table
                .filter(consultations::status.eq_any([
                    "awaiting_agreement",
                    "booked",
                    "in_progress",
                ]))
                .filter(consultations::breached_at.is_null())
                .filter(consultations::deadline_at.le(now.naive_utc()))
                .select(ConsultationRow::as_select())
                .limit(500)
                .load(conn)?;
            let mut marked = 0;
            for row in due {
                let won = write_tx::<_, crate::error::AppError, _>(conn, |conn| {
                    // The conditional update is the claim: of two watchers, one updates the row.
                    let claimed = diesel::update(
                        consultations::table
                            .find(&row.id)
                            .filter(consultations::breached_at.is_null()),
                    )
                    .set(consultations::breached_at.eq(Some(now.naive_utc())))
                    .execute(conn)?;
                    if claimed == 0 {
                        return Ok(false);
                    }
                    record_event(
                        conn,
                        &row.id,
                        now,
                        None,
                        "deadline_breached",
                        json!({"deadline_at": row.deadline_at.map(|d| d.and_utc())}),
                    )?;
                    let org: OrganizationRow = organizations::table
                        .find(&row.organization_id)
                        .select(OrganizationRow::as_select())
                        .first(conn)?;
                    let admins: Vec<UserRow> = users::table
                        .filter(users::organization_id.eq(&row.organization_id))
                        .filter(users::role.eq("org_admin"))
                        .select(UserRow::as_select())
                        .load(conn)?;
                    let deadline_local = row
                        .deadline_at
                        .map(|d| templates::local_time(&org.time_zone, d.and_utc()))
                        .unwrap_or_default();
                    let queue_url = format!("{public_url}/#/queue");
                    for admin in admins {
                        let (subject, body) = templates::deadline_breached(
                            &admin.language,
                            &row.id,
                            &org.name,
                            &row.urgency,
                            &deadline_local,
                            &queue_url,
                        )?;
                        notify::enqueue(
                            conn,
                            now,
                            &Outgoing {
                                dedupe_key: format!("breach:{}:{}", row.id, admin.id),
                                consultation_id: Some(&row.id),
                                recipient: &admin.email,
                                subject,
                                body,
                                ics: None,
                                due_at: now,
                            },
                        )?;
                    }
                    Ok(true)
                })?;
                if won {
                    marked += 1;
                }
            }
            Ok(marked)
        })
        .await
}

pub fn spawn_watcher(ctx: Context) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = StdDuration::from_secs(ctx.settings.booking.deadline_check_seconds.max(1));
        loop {
            if let Err(e) = check(&ctx).await {
                tracing::warn!(error = %e, "deadline watcher pass failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
