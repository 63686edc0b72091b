//! ICD-10 in the reader's language: the shipped titles (`domain::icd10`) with those a clinic
//! imported from its national classifier's file (`store`, `telemed icd10 import`) taking
//! precedence. A running server keeps each import's titles in memory, keyed by the import's id,
//! and asks the database only which import is current, so an import made by the command while
//! the server runs is seen by the next search.

pub mod cli;
pub mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{icd10_titles, users};
use crate::domain::account::Language;
use crate::domain::icd10::{Catalogue, Icd10Match, Imported};
use crate::error::AppResult;
use crate::services::Context;

/// Imports held in memory. An id names one import's rows for good (a new import gets a new
/// id), so an entry never goes stale; the bound only limits memory when imports are repeated.
const CACHED_IMPORTS: usize = 8;

fn cache() -> &'static Mutex<HashMap<String, Arc<Imported>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Imported>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The titles currently imported for `lang`, if any.
fn imported(conn: &mut DbConnection, lang: Language) -> AppResult<Option<Arc<Imported>>> {
    let current: Option<String> = icd10_titles::table
        .filter(icd10_titles::lang.eq(lang.as_str()))
        .select(icd10_titles::import_id)
        .first(conn)
        .optional()?;
    let Some(id) = current else {
        return Ok(None);
    };
    if let Some(hit) = cache().lock().expect("icd10 cache").get(&id) {
        return Ok(Some(hit.clone()));
    }
    // Read by the import's id: if another import replaced it meanwhile, this finds nothing
    // and the next search sees the new one.
    let rows: Vec<(String, String)> = icd10_titles::table
        .filter(icd10_titles::lang.eq(lang.as_str()))
        .filter(icd10_titles::import_id.eq(&id))
        .select((icd10_titles::code, icd10_titles::title))
        .load(conn)?;
    let titles = Arc::new(Imported::new(rows));
    let mut held = cache().lock().expect("icd10 cache");
    if held.len() >= CACHED_IMPORTS {
        held.clear();
    }
    held.insert(id, titles.clone());
    Ok(Some(titles))
}

/// The classifier as one language reads it, with the imports it needs.
pub struct Titles {
    lang: Language,
    own: Option<Arc<Imported>>,
    russian: Option<Arc<Imported>>,
}

impl Titles {
    pub fn load(conn: &mut DbConnection, lang: Language) -> AppResult<Titles> {
        let (own, russian) = match lang {
            Language::En => (None, None),
            Language::Ru => (imported(conn, Language::Ru)?, None),
            Language::Kk => (imported(conn, Language::Kk)?, imported(conn, Language::Ru)?),
        };
        Ok(Titles { lang, own, russian })
    }

    /// In the language of the person who writes a record. A record is written by one doctor in
    /// the language they work in, and their account's language is that one: it is what their
    /// interface shows (and so what the code search offered them), it is the same whichever
    /// device saves the draft, and a reader can tell it from the author. The request's
    /// Accept-Language could differ between two saves of one draft, so it is not used.
    pub fn of_author(conn: &mut DbConnection, user_id: &str) -> AppResult<Titles> {
        let lang: Option<String> = users::table
            .find(user_id)
            .select(users::language)
            .first(conn)
            .optional()?;
        let lang = lang.and_then(|l| l.parse().ok()).unwrap_or(Language::Ru);
        Self::load(conn, lang)
    }

    pub fn catalogue(&self) -> Catalogue<'_> {
        Catalogue::new(self.lang, self.own.as_deref(), self.russian.as_deref())
    }
}

/// Codes matching `query`, titled in `lang` (see `Catalogue::search`).
pub async fn search(
    ctx: &Context,
    lang: Language,
    query: String,
    limit: usize,
) -> AppResult<Vec<Icd10Match>> {
    if lang == Language::En {
        return Ok(Catalogue::english().search(&query, limit));
    }
    ctx.db
        .run(move |conn| Ok(Titles::load(conn, lang)?.catalogue().search(&query, limit)))
        .await
}
