//! Storing a national classifier's titles for one language. An import replaces every title of
//! its language at once, in one transaction: the file is the classifier as the clinic has it,
//! so a corrected file loaded again leaves no title of the previous one behind, and a server
//! reading meanwhile sees either the old titles or the new ones, never a mix.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{icd10_imports, icd10_titles};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Language;
use crate::domain::icd10::import::Parsed;
use crate::error::{AppError, AppResult};

/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const CHUNK: usize = 1_000;

#[derive(Insertable)]
#[diesel(table_name = icd10_imports)]
struct ImportRow<'a> {
    id: &'a str,
    lang: &'a str,
    source: &'a str,
    accepted: i32,
    rejected: i32,
    imported_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = icd10_titles)]
struct TitleRow<'a> {
    lang: &'a str,
    code: &'a str,
    title: &'a str,
    import_id: &'a str,
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub import_id: String,
    pub titles: usize,
    /// Titles the language had before, now replaced.
    pub replaced: usize,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Replaces the imported titles of `lang` (ru or kk) with the file's. A file with no
/// acceptable title changes nothing: it is more likely the wrong file than an empty
/// classifier.
pub fn replace(
    conn: &mut DbConnection,
    lang: Language,
    source: &str,
    parsed: &Parsed,
    now: NaiveDateTime,
) -> AppResult<Stored> {
    if lang == Language::En {
        return Err(AppError::unprocessable(
            "invalid_language",
            "titles are imported for ru or kk; English is the WHO list itself",
        ));
    }
    if parsed.titles.is_empty() {
        return Err(AppError::unprocessable(
            "nothing_to_import",
            "the file has no line with a known ICD-10 code and a title; nothing was changed",
        ));
    }
    let id = new_id();
    let lang = lang.as_str();
    write_tx(conn, |conn| {
        let replaced = diesel::delete(icd10_titles::table.filter(icd10_titles::lang.eq(lang)))
            .execute(conn)?;
        diesel::insert_into(icd10_imports::table)
            .values(&ImportRow {
                id: &id,
                lang,
                source,
                accepted: count(parsed.titles.len()),
                rejected: count(parsed.rejected.len()),
                imported_at: now,
            })
            .execute(conn)?;
        for chunk in parsed.titles.chunks(CHUNK) {
            let rows: Vec<TitleRow> = chunk
                .iter()
                .map(|t| TitleRow {
                    lang,
                    code: &t.code,
                    title: &t.title,
                    import_id: &id,
                })
                .collect();
            // Many rows in one statement is a backend feature the multi-backend connection
            // does not forward; each backend's own connection has it.
            let insert = diesel::insert_into(icd10_titles::table).values(&rows);
            match conn {
                DbConnection::Postgresql(pg) => insert.execute(pg)?,
                DbConnection::Sqlite(lite) => insert.execute(lite)?,
            };
        }
        Ok(Stored {
            import_id: id.clone(),
            titles: parsed.titles.len(),
            replaced,
        })
    })
}
