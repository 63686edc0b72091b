//! Lists: my consultations (patient, representative) and the queue of an organisation's staff,
//! ordered by the time each one is due: a real-time consultation's slot (art. 9), a deferred
//! request's legal deadline (art. 8, 13).

use diesel::prelude::*;

use super::super::{Actor, Context};
use super::{ConsultationView, audit_read, load, view, views};
use crate::access::consultation::{ConsultationAct, check};
use crate::db::models::ConsultationRow;
use crate::db::schema::{
    consultation_guests, consultations, councils, practitioner_specialties, practitioners,
    representations,
};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
use crate::services::paging::{Cursor, Page, PageQuery, page_of};

/// The patient's own consultations, a representative's for whom they represent, a doctor's
/// assigned ones, or the whole organisation's for its staff; newest first, a page at a time.
pub async fn mine(
    ctx: &Context,
    actor: &Actor,
    page: PageQuery,
) -> AppResult<Page<ConsultationView>> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    ctx.db
        .run(move |conn| {
            // Newest first from the cursor on; the role's filter comes on top.
            let page = || {
                let mut q = consultations::table
                    .select(ConsultationRow::as_select())
                    .order((consultations::created_at.desc(), consultations::id.desc()))
                    .limit(limit + 1)
                    .into_boxed();
                if let Some(c) = &cursor {
                    q = q.filter(
                        consultations::created_at
                            .lt(c.first)
                            .or(consultations::created_at
                                .eq(c.first)
                                .and(consultations::id.lt(c.id.clone()))),
                    );
                }
                q
            };
            let rows: Vec<ConsultationRow> = match actor.role {
                Role::Patient | Role::Representative => {
                    let patients = if actor.role == Role::Patient {
                        vec![actor.user_id.clone()]
                    } else {
                        representations::table
                            .filter(representations::representative_id.eq(&actor.user_id))
                            .select(representations::patient_id)
                            .load(conn)?
                    };
                    // A council is one thing to the patient's side: it is listed as the
                    // council (GET /api/councils), not once more as the consultation it
                    // works in.
                    let of_councils = councils::table
                        .filter(councils::consultation_id.is_not_null())
                        .select(councils::consultation_id.assume_not_null());
                    page()
                        .filter(consultations::patient_id.eq_any(patients))
                        .filter(diesel::dsl::not(consultations::id.eq_any(of_councils)))
                        .load(conn)?
                }
                // Their own and those they are a guest of, each walked on its own index and
                // merged here: one OR over both would scan the table.
                Role::Doctor => {
                    let mine = practitioners::table
                        .filter(practitioners::user_id.eq(actor.user_id.clone()))
                        .select(practitioners::id.nullable());
                    let mut rows: Vec<ConsultationRow> = page()
                        .filter(consultations::practitioner_id.eq_any(mine))
                        .load(conn)?;
                    let guest: Vec<ConsultationRow> = page()
                        .filter(consultations::id.eq_any(invited(&actor.user_id)))
                        .load(conn)?;
                    for row in guest {
                        if !rows.iter().any(|r| r.id == row.id) {
                            rows.push(row);
                        }
                    }
                    rows.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
                    rows
                }
                Role::OrgAdmin | Role::Support => {
                    let org = actor
                        .organization_id
                        .clone()
                        .ok_or_else(AppError::forbidden)?;
                    page()
                        .filter(consultations::organization_id.eq(org))
                        .load(conn)?
                }
                // A relative sees only the calls they were invited to.
                Role::Relative => page()
                    .filter(consultations::id.eq_any(invited(&actor.user_id)))
                    .load(conn)?,
                Role::PlatformAdmin => return Err(AppError::forbidden()),
            };
            let (rows, next_cursor) =
                page_of(rows, limit, |r| Cursor::new(r.created_at, None, &r.id));
            audit_list(conn, &actor, now, &rows)?;
            Ok(Page {
                items: views(conn, rows, now)?,
                next_cursor,
            })
        })
        .await
}

/// The consultations a user is invited to as a guest (a second doctor, an interpreter, a
/// relative).
fn invited(
    user: &str,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<
        consultation_guests::table,
        diesel::dsl::Eq<consultation_guests::user_id, String>,
    >,
    consultation_guests::consultation_id,
> {
    consultation_guests::table
        .filter(consultation_guests::user_id.eq(user.to_owned()))
        .select(consultation_guests::consultation_id)
}

/// When a consultation is due (art. 9), in SQL so the database sorts and pages by it: a
/// real-time one at its slot, whatever deadline its urgency gives (the slot lies within it,
/// art. 8); a deferred one by its response deadline. One whose clock has not started sorts
/// last, at [`NOT_DUE`], as both databases order that the same way (NULLS LAST is spelled
/// differently by the two).
fn due_at() -> diesel::expression::SqlLiteral<diesel::sql_types::Timestamp> {
    diesel::dsl::sql::<diesel::sql_types::Timestamp>(
        "COALESCE(CASE WHEN consultations.mode = 'realtime' \
         THEN COALESCE(consultations.slot_start, consultations.deadline_at) \
         ELSE consultations.deadline_at END, '9999-12-31 00:00:00')",
    )
}

/// The sort key of consultations not yet due: after every real date (the literal in
/// [`due_at`]).
fn not_due() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
}

/// [`due_at`] of a loaded row, for the cursor.
fn due_of(row: &ConsultationRow) -> chrono::NaiveDateTime {
    let due = if row.mode == "realtime" {
        row.slot_start.or(row.deadline_at)
    } else {
        row.deadline_at
    };
    due.unwrap_or_else(not_due)
}

/// Staff queue: open requests of the organisation (a doctor: theirs and the unassigned ones),
/// soonest first by [`due_at`]; requests whose clock has not started come last. A page at a time.
pub async fn queue(
    ctx: &Context,
    actor: &Actor,
    page: PageQuery,
) -> AppResult<Page<ConsultationView>> {
    if !matches!(actor.role, Role::Doctor | Role::OrgAdmin | Role::Support) {
        return Err(AppError::forbidden());
    }
    let actor = actor.clone();
    let now = ctx.clock.now();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    ctx.db
        .run(move |conn| {
            let org = actor
                .organization_id
                .clone()
                .ok_or_else(AppError::forbidden)?;
            let mut q = consultations::table
                .filter(consultations::organization_id.eq(org))
                .filter(consultations::status.eq_any([
                    "awaiting_agreement",
                    "booked",
                    "in_progress",
                ]))
                .select(ConsultationRow::as_select())
                .order((
                    due_at().asc(),
                    consultations::created_at.asc(),
                    consultations::id.asc(),
                ))
                .into_boxed();
            if actor.role == Role::Doctor {
                let mine = practitioners::table
                    .filter(practitioners::user_id.eq(actor.user_id.clone()))
                    .select(practitioners::id.nullable());
                // Unassigned requests of the doctor's specialties (or of none in particular).
                let specialties = practitioner_specialties::table
                    .inner_join(practitioners::table)
                    .filter(practitioners::user_id.eq(actor.user_id.clone()))
                    .select(practitioner_specialties::specialty_code.nullable());
                q = q.filter(
                    consultations::practitioner_id
                        .eq_any(mine)
                        .or(consultations::practitioner_id.is_null().and(
                            consultations::specialty
                                .is_null()
                                .or(consultations::specialty.eq_any(specialties)),
                        )),
                );
            }
            if let Some(c) = cursor {
                let created = c.second.ok_or_else(|| {
                    AppError::unprocessable(
                        "invalid_cursor",
                        "the cursor is not one this list gave",
                    )
                })?;
                q = q.filter(
                    due_at().gt(c.first).or(due_at().eq(c.first).and(
                        consultations::created_at
                            .gt(created)
                            .or(consultations::created_at
                                .eq(created)
                                .and(consultations::id.gt(c.id))),
                    )),
                );
            }
            let rows: Vec<ConsultationRow> = q.limit(limit + 1).load(conn)?;
            let (rows, next_cursor) = page_of(rows, limit, |r| {
                Cursor::new(due_of(r), Some(r.created_at), &r.id)
            });
            audit_list(conn, &actor, now, &rows)?;
            Ok(Page {
                items: views(conn, rows, now)?,
                next_cursor,
            })
        })
        .await
}

/// Art. 40: a list shows patients' data too; each patient's slice of the log records it once,
/// all of them in one append.
fn audit_list(
    conn: &mut crate::db::DbConnection,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    rows: &[ConsultationRow],
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let patients: Vec<&str> = rows.iter().map(|r| r.patient_id.as_str()).collect();
    crate::db::write_tx(conn, |conn| {
        crate::access::organization::audit_listed(conn, actor, now, "consultation.list", &patients)
    })
}

pub async fn get(ctx: &Context, actor: &Actor, id: String) -> AppResult<ConsultationView> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let margin = ctx.settings.calls.join_margin_minutes;
    ctx.db
        .run(move |conn| {
            let row = load(conn, &id)?;
            check(conn, &actor, &row, ConsultationAct::View, now)?;
            // The read is recorded in a short write; the view is read after it, outside.
            crate::db::write_tx(conn, |conn| audit_read(conn, &actor, now, &row))?;
            let role = crate::access::consultation::call_role(conn, &actor, &row)?;
            let opens = (row.mode == "realtime")
                .then(|| {
                    crate::domain::consultation::join_opens_at(
                        row.slot_start.map(|s| s.and_utc()),
                        margin,
                    )
                })
                .flatten();
            let mut v = view(conn, row, now, true)?;
            v.my_call_role = role;
            v.join_opens_at = opens;
            Ok(v)
        })
        .await
}
