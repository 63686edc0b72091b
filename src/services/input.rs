//! The boundary checks every service applies to what a request carries, before it reaches the
//! database: text (length and characters, see `domain::text`), ids and codes by their shape,
//! and dates inside the accepted range (`domain::dates`). Each failure names the field.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::dates;
use crate::domain::text::{self, Lines};
use crate::error::{AppError, AppResult};

/// The characters of `value` only (its length and emptiness are the caller's rule):
/// 422 `invalid_characters`.
pub(crate) fn checked_characters(value: &str, field: &str, lines: Lines) -> AppResult<()> {
    text::check(value, lines).map_err(|bad| {
        AppError::unprocessable(
            "invalid_characters",
            format!("{field} contains a character that is not allowed: {bad}"),
        )
    })
}

fn bounded(value: &str, field: &str, max_chars: usize, lines: Lines) -> AppResult<String> {
    let v = value.trim();
    if v.chars().count() > max_chars {
        return Err(AppError::unprocessable(
            "field_too_long",
            format!("{field} is longer than {max_chars} characters"),
        ));
    }
    checked_characters(v, field, lines)?;
    Ok(v.to_owned())
}

fn present(value: &str, field: &str) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::unprocessable(
            "missing_field",
            format!("{field} is required"),
        ));
    }
    Ok(())
}

/// Trims a required free-text field (it may span lines), bounds its length and checks its
/// characters.
pub(crate) fn required_text(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> AppResult<String> {
    present(value, field)?;
    bounded(value, field, max_chars, Lines::Many)
}

/// [`required_text`] that may be empty.
pub(crate) fn optional_text(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> AppResult<String> {
    bounded(value, field, max_chars, Lines::Many)
}

/// A required one-line field: a name, a position, an address.
pub(crate) fn required_line(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> AppResult<String> {
    present(value, field)?;
    bounded(value, field, max_chars, Lines::One)
}

/// [`required_line`] that may be empty.
pub(crate) fn optional_line(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> AppResult<String> {
    bounded(value, field, max_chars, Lines::One)
}

/// An id a request names in its body or query: one the platform can have made, or 422
/// `invalid_id` (an id in the path is 404 in `http::ids`).
pub(crate) fn id<'a>(value: &'a str, field: &str) -> AppResult<&'a str> {
    if text::is_id(value) {
        Ok(value)
    } else {
        Err(AppError::unprocessable(
            "invalid_id",
            format!("{field} is not an id"),
        ))
    }
}

/// [`id`] of an optional field.
pub(crate) fn optional_id<'a>(value: Option<&'a str>, field: &str) -> AppResult<Option<&'a str>> {
    value.map(|v| id(v, field)).transpose()
}

/// [`id`] of each id of a list.
pub(crate) fn ids(values: &[String], field: &str) -> AppResult<()> {
    values.iter().try_for_each(|v| id(v, field).map(drop))
}

/// A code of a closed list (a specialty, a licence profile) by its shape, or 422
/// `invalid_code`; whether the list has it is the caller's question.
pub(crate) fn code<'a>(value: &'a str, field: &str) -> AppResult<&'a str> {
    if text::is_code(value) {
        Ok(value)
    } else {
        Err(AppError::unprocessable(
            "invalid_code",
            format!("{field} is not a code (lower-case letters, digits and _)"),
        ))
    }
}

/// [`code`] of an optional field.
pub(crate) fn optional_code<'a>(value: Option<&'a str>, field: &str) -> AppResult<Option<&'a str>> {
    value.map(|v| code(v, field)).transpose()
}

fn out_of_range(field: &str) -> AppError {
    AppError::unprocessable(
        "date_out_of_range",
        format!(
            "{field} must fall between {} and {}",
            dates::EARLIEST,
            dates::END
        ),
    )
}

/// A date and time inside the accepted range, or 422 `date_out_of_range`.
pub(crate) fn time(at: DateTime<Utc>, field: &str) -> AppResult<DateTime<Utc>> {
    if dates::time_in_range(at) {
        Ok(at)
    } else {
        Err(out_of_range(field))
    }
}

/// [`time`] of an optional field.
pub(crate) fn optional_time(
    at: Option<DateTime<Utc>>,
    field: &str,
) -> AppResult<Option<DateTime<Utc>>> {
    at.map(|t| time(t, field)).transpose()
}

/// A calendar day inside the accepted range, or 422 `date_out_of_range`.
pub(crate) fn day(day: NaiveDate, field: &str) -> AppResult<NaiveDate> {
    if dates::day_in_range(day) {
        Ok(day)
    } else {
        Err(out_of_range(field))
    }
}
