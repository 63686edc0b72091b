//! What part of the access log a reader asks for: a page, one person or the platform, one kind
//! of access, and whether the reader's own views are listed. Checked at the boundary, then
//! turned into one SQL condition that every query of the page shares (rows, total, groups).

use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::db::schema::audit_events;
use crate::error::{AppError, AppResult};

/// Far beyond any real log; keeps `(page - 1) * limit` from overflowing.
const MAX_PAGE: i64 = 100_000;

/// `who=platform`: the platform's own background work, which has no actor.
pub const PLATFORM: &str = "platform";

/// Actions that only look at data (the rest change something). The page's "views" and the
/// hiding of the reader's own views both follow this list, in SQL and in Rust alike.
const READ_SUFFIXES: [&str; 3] = [".read", ".list", ".document"];

pub fn is_read(action: &str) -> bool {
    READ_SUFFIXES.iter().any(|s| action.ends_with(s))
}

/// How the page groups accesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Opened or listed something.
    Read,
    /// Booked, wrote, signed, joined a call, …
    Change,
    /// Refused by the access policy (or failed).
    Refused,
    /// A break-the-glass grant and everything read under it.
    BreakGlass,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Read, Kind::Change, Kind::Refused, Kind::BreakGlass];

    fn parse(value: &str) -> AppResult<Kind> {
        match value {
            "read" => Ok(Kind::Read),
            "change" => Ok(Kind::Change),
            "refused" => Ok(Kind::Refused),
            "break_glass" => Ok(Kind::BreakGlass),
            _ => Err(AppError::unprocessable(
                "invalid_kind",
                "kind is one of read, change, refused, break_glass",
            )),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// For a legal representative: the represented patient.
    pub patient_id: Option<String>,
    /// 1-based; 1 by default.
    pub page: Option<i64>,
    /// Rows per page: 1–200, 50 by default.
    pub limit: Option<i64>,
    /// Only this person's accesses (a user id), or `platform` for the platform's own work.
    pub who: Option<String>,
    /// Only this kind: `read`, `change`, `refused` or `break_glass`.
    pub kind: Option<String>,
    /// List the patient's (and the reader's) own views too; hidden by default, as they are
    /// most of the log and tell the patient nothing new.
    pub include_own: Option<bool>,
}

/// A checked query.
#[derive(Debug, Clone)]
pub struct Filter {
    pub page: i64,
    pub limit: i64,
    pub who: Option<String>,
    pub kind: Option<Kind>,
    pub include_own: bool,
}

impl Filter {
    pub fn parse(q: &AccessLogQuery) -> AppResult<Filter> {
        let page = q.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(AppError::unprocessable(
                "invalid_page",
                format!("page is from 1 to {MAX_PAGE}"),
            ));
        }
        let limit = crate::services::paging::checked_limit(q.limit)?;
        let who = match q.who.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(PLATFORM) => Some(PLATFORM.to_owned()),
            Some(id) => {
                crate::services::input::optional_id(Some(id), "who")?;
                Some(id.to_owned())
            }
        };
        let kind = match q.kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(Kind::parse(k)?),
        };
        Ok(Filter {
            page,
            limit,
            who,
            kind,
            include_own: q.include_own.unwrap_or(false),
        })
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.limit
    }
}

type Db = <DbConnection as diesel::Connection>::Backend;
/// One WHERE condition over `audit_events`, shared by the page's queries.
pub type Cond = Box<dyn BoxableExpression<audit_events::table, Db, SqlType = Nullable<Bool>>>;

fn read_cond() -> Cond {
    let [a, b, c] = READ_SUFFIXES.map(|s| format!("%{s}"));
    Box::new(
        audit_events::action
            .like(a)
            .or(audit_events::action.like(b))
            .or(audit_events::action.like(c))
            .nullable(),
    )
}

pub fn kind_cond(kind: Kind) -> Cond {
    match kind {
        Kind::Read => read_cond(),
        Kind::Change => Box::new(not(read_cond())),
        Kind::Refused => Box::new(audit_events::outcome.ne("ok").nullable()),
        Kind::BreakGlass => Box::new(
            audit_events::action
                .eq(crate::access::glass::ACTION)
                .nullable()
                .or(audit_events::purpose.like("break_glass:%")),
        ),
    }
}

pub fn and(a: Cond, b: Cond) -> Cond {
    Box::new(a.and(b))
}

/// The patient's log, without the views of `own` (the patient, and whoever reads for them)
/// unless asked: a platform row (no actor) and every change stay.
pub fn base(patient: &str, own: &[String], include_own: bool) -> Cond {
    let subject: Cond = Box::new(audit_events::subject_id.eq(patient.to_owned()));
    if include_own {
        return subject;
    }
    let others: Cond = Box::new(
        audit_events::actor_id
            .is_null()
            .nullable()
            .or(audit_events::actor_id.ne_all(own.to_vec()))
            .or(not(read_cond())),
    );
    and(subject, others)
}

/// The condition for the rows of the page: [`base`], then the person and the kind.
pub fn rows(base: Cond, f: &Filter) -> Cond {
    let mut cond = base;
    if let Some(who) = &f.who {
        let person: Cond = if who == PLATFORM {
            Box::new(audit_events::actor_id.is_null().nullable())
        } else {
            Box::new(audit_events::actor_id.eq(who.clone()))
        };
        cond = and(cond, person);
    }
    if let Some(kind) = f.kind {
        cond = and(cond, kind_cond(kind));
    }
    cond
}

/// The own views hidden by default: the patient's or reader's reads.
pub fn own_reads(patient: &str, own: &[String]) -> Cond {
    and(
        Box::new(audit_events::subject_id.eq(patient.to_owned())),
        and(
            Box::new(audit_events::actor_id.eq_any(own.to_vec())),
            read_cond(),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::paging::{DEFAULT_LIMIT, MAX_LIMIT};

    fn query(page: Option<i64>, limit: Option<i64>, kind: Option<&str>) -> AccessLogQuery {
        AccessLogQuery {
            page,
            limit,
            kind: kind.map(str::to_owned),
            ..AccessLogQuery::default()
        }
    }

    #[test]
    fn paging_and_kinds_are_checked_at_the_boundary() {
        let f = Filter::parse(&AccessLogQuery::default()).unwrap();
        assert_eq!((f.page, f.limit, f.include_own), (1, DEFAULT_LIMIT, false));
        assert_eq!(
            Filter::parse(&query(Some(3), Some(20), None))
                .unwrap()
                .offset(),
            40
        );
        for (page, limit, code) in [
            (Some(0), None, "invalid_page"),
            (Some(MAX_PAGE + 1), None, "invalid_page"),
            (None, Some(0), "invalid_limit"),
            (None, Some(MAX_LIMIT + 1), "invalid_limit"),
        ] {
            let err = Filter::parse(&query(page, limit, None)).unwrap_err();
            assert_eq!(err.code(), code);
        }
        let err = Filter::parse(&query(None, None, Some("everything"))).unwrap_err();
        assert_eq!(err.code(), "invalid_kind");
        assert_eq!(
            Filter::parse(&query(None, None, Some("break_glass")))
                .unwrap()
                .kind,
            Some(Kind::BreakGlass)
        );
    }

    #[test]
    fn reads_are_the_actions_that_only_look() {
        for action in ["record.read", "consultation.list", "council.document"] {
            assert!(is_read(action), "{action}");
        }
        for action in [
            "record.sign",
            "patient.break_glass",
            "call.join",
            "consent.act",
        ] {
            assert!(!is_read(action), "{action}");
        }
    }
}
