//! Keyset paging for lists: a page is `limit` rows after a cursor, never an offset, so the
//! thousandth page costs what the first does (the database walks an index from the cursor).
//! The cursor is opaque to clients: the sort key of the last row given, as
//! `<micros>.<micros>.<id>` (one or two instants, then the id that breaks ties).

use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// `?limit=&cursor=` of a list request.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Rows per page, 1 to 200 (50 when absent).
    pub limit: Option<i64>,
    /// Where the previous page ended (its `next_cursor`); absent for the first page.
    pub cursor: Option<String>,
}

/// One page of a list and where the next begins (none on the last page). The API gives the
/// items as the body and the cursor in `Link: <…>; rel="next"` and `X-Next-Cursor`, so the
/// body keeps the shape clients already read.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A decoded cursor: the sort key of the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub first: NaiveDateTime,
    pub second: Option<NaiveDateTime>,
    pub id: String,
}

/// A list's `limit`, checked, for every list of the API: 1 to 200, 50 when absent; 422
/// `invalid_limit` otherwise.
pub fn checked_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::unprocessable(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

impl PageQuery {
    /// The limit, checked: 422 `invalid_limit`.
    pub fn limit(&self) -> AppResult<i64> {
        checked_limit(self.limit)
    }

    /// The cursor, decoded: 422 `invalid_cursor` for anything this service did not make.
    pub fn cursor(&self) -> AppResult<Option<Cursor>> {
        self.cursor.as_deref().map(Cursor::decode).transpose()
    }
}

impl Cursor {
    pub fn new(first: NaiveDateTime, second: Option<NaiveDateTime>, id: &str) -> Cursor {
        Cursor {
            first,
            second,
            id: id.to_owned(),
        }
    }

    pub fn encode(&self) -> String {
        let micros = |t: NaiveDateTime| t.and_utc().timestamp_micros();
        match self.second {
            Some(second) => format!("{}.{}.{}", micros(self.first), micros(second), self.id),
            None => format!("{}.{}", micros(self.first), self.id),
        }
    }

    pub fn decode(raw: &str) -> AppResult<Cursor> {
        let bad =
            || AppError::unprocessable("invalid_cursor", "the cursor is not one this list gave");
        let instant = |s: &str| -> AppResult<NaiveDateTime> {
            let micros: i64 = s.parse().map_err(|_| bad())?;
            DateTime::from_timestamp_micros(micros)
                .map(|t| t.naive_utc())
                .ok_or_else(bad)
        };
        if raw.len() > 120 {
            return Err(bad());
        }
        let parts: Vec<&str> = raw.split('.').collect();
        let (first, second, id) = match parts.as_slice() {
            [a, id] => (instant(a)?, None, *id),
            [a, b, id] => (instant(a)?, Some(instant(b)?), *id),
            _ => return Err(bad()),
        };
        let id_shaped = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !id_shaped {
            return Err(bad());
        }
        Ok(Cursor::new(first, second, id))
    }
}

/// Cuts a `limit + 1` row fetch to the page and makes the next cursor from its last row.
pub fn page_of<R>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> Cursor,
) -> (Vec<R>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(|r| key(r).encode());
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_round_trip_and_nothing_else_passes() {
        let t = DateTime::from_timestamp_micros(1_765_000_000_123_456)
            .unwrap()
            .naive_utc();
        for c in [
            Cursor::new(t, None, "5f0c-11"),
            Cursor::new(t, Some(t), "5f0c-11"),
        ] {
            assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        }
        for bad in [
            "",
            "x.y",
            "1.2.3.4",
            "1.a'b",
            "99999999999999999999.x",
            "1.",
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
        let q = PageQuery {
            limit: Some(0),
            cursor: None,
        };
        assert!(q.limit().is_err());
        assert_eq!(PageQuery::default().limit().unwrap(), DEFAULT_LIMIT);
    }

    #[test]
    fn a_page_ends_where_the_rows_run_out() {
        let (rows, next) = page_of(vec![1, 2, 3], 3, |_| unreachable!());
        assert_eq!((rows.len(), next), (3, None));
        let t = DateTime::from_timestamp_micros(0).unwrap().naive_utc();
        let (rows, next) = page_of(vec![1, 2, 3, 4], 3, |r| {
            Cursor::new(t, None, &r.to_string())
        });
        assert_eq!(rows, vec![1, 2, 3]);
        assert_eq!(next.as_deref(), Some("0.3"));
    }
}
