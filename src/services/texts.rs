//! Texts an organisation writes, per language. The Russian text is the required one and lives in
//! the owner's own row; Kazakh and English translations are optional and live in
//! `text_translations`. A reader gets their language's text and, where it is missing, the
//! Russian one, so a page is never blank for want of a translation.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;

use super::input::checked_characters;
use crate::db::DbConnection;
use crate::db::schema::text_translations as tt;
use crate::domain::account::Language;
use crate::domain::text::Lines;
use crate::error::{AppError, AppResult};

/// `{"kk": {"address": "…"}, "en": {…}}`: the translations of one owner, by language and field.
pub type Translations = BTreeMap<String, BTreeMap<String, String>>;

/// A field that may be translated, with the bounds its Russian text has.
#[derive(Debug, Clone, Copy)]
pub struct Translatable {
    pub name: &'static str,
    pub lines: Lines,
    pub max_chars: usize,
}

pub const fn one_line(name: &'static str, max_chars: usize) -> Translatable {
    Translatable {
        name,
        lines: Lines::One,
        max_chars,
    }
}

pub const fn many_lines(name: &'static str, max_chars: usize) -> Translatable {
    Translatable {
        name,
        lines: Lines::Many,
        max_chars,
    }
}

/// The languages a translation may be in: Russian is the owner's own text, not a translation.
const TRANSLATED: [&str; 2] = ["kk", "en"];

/// Checks translations against the owner's translatable fields; blank texts are dropped, so
/// clearing a translation in the form removes it and the Russian text shows again.
pub fn validate(input: &Translations, fields: &[Translatable]) -> AppResult<Translations> {
    let mut out = Translations::new();
    for (lang, texts) in input {
        if !TRANSLATED.contains(&lang.as_str()) {
            return Err(AppError::unprocessable(
                "invalid_language",
                format!(
                    "translations are in kk or en (the Russian text is the field itself), not {lang:?}"
                ),
            ));
        }
        for (name, text) in texts {
            let Some(field) = fields.iter().find(|f| f.name == name) else {
                return Err(AppError::unprocessable(
                    "unknown_field",
                    format!("{name:?} has no translations"),
                ));
            };
            let text = text.trim();
            let label = format!("translations.{lang}.{name}");
            if text.chars().count() > field.max_chars {
                return Err(AppError::unprocessable(
                    "field_too_long",
                    format!("{label} is longer than {} characters", field.max_chars),
                ));
            }
            checked_characters(text, &label, field.lines)?;
            if !text.is_empty() {
                out.entry(lang.clone())
                    .or_default()
                    .insert(name.clone(), text.to_owned());
            }
        }
    }
    Ok(out)
}

/// Replaces every translation of the owner (row by row: the multi-backend connection has no
/// batch insert).
pub fn replace(
    conn: &mut DbConnection,
    owner_type: &str,
    owner_id: &str,
    translations: &Translations,
) -> AppResult<()> {
    diesel::delete(
        tt::table
            .filter(tt::owner_type.eq(owner_type))
            .filter(tt::owner_id.eq(owner_id)),
    )
    .execute(conn)?;
    for (lang, texts) in translations {
        for (field, body) in texts {
            diesel::insert_into(tt::table)
                .values((
                    tt::owner_type.eq(owner_type),
                    tt::owner_id.eq(owner_id),
                    tt::field.eq(field),
                    tt::lang.eq(lang),
                    tt::body.eq(body),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The translations of many owners of one type, in one query.
pub fn load(
    conn: &mut DbConnection,
    owner_type: &str,
    owner_ids: &[&String],
) -> AppResult<HashMap<String, Translations>> {
    let rows: Vec<(String, String, String, String)> = tt::table
        .filter(tt::owner_type.eq(owner_type))
        .filter(tt::owner_id.eq_any(owner_ids))
        .select((tt::owner_id, tt::lang, tt::field, tt::body))
        .load(conn)?;
    let mut out: HashMap<String, Translations> = HashMap::new();
    for (owner, lang, field, body) in rows {
        out.entry(owner)
            .or_default()
            .entry(lang)
            .or_default()
            .insert(field, body);
    }
    Ok(out)
}

/// Deletes an owner's translations with the owner.
pub fn remove(conn: &mut DbConnection, owner_type: &str, owner_id: &str) -> AppResult<()> {
    replace(conn, owner_type, owner_id, &Translations::new())
}

/// The text of `field` for a reader of `lang`: the translation if there is one, else Russian.
pub fn pick(
    translations: Option<&Translations>,
    lang: Language,
    field: &str,
    russian: String,
) -> String {
    translations
        .and_then(|t| t.get(lang.as_str()))
        .and_then(|texts| texts.get(field))
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or(russian)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [Translatable; 2] = [one_line("address", 20), many_lines("procedure", 50)];

    fn tr(lang: &str, field: &str, text: &str) -> Translations {
        let mut t = Translations::new();
        t.entry(lang.into())
            .or_default()
            .insert(field.into(), text.into());
        t
    }

    fn code(r: AppResult<Translations>) -> &'static str {
        match r {
            Err(AppError::Client { code, .. }) => code,
            other => panic!("expected a client error, got {other:?}"),
        }
    }

    #[test]
    fn translations_are_kazakh_or_english_of_known_fields() {
        assert_eq!(
            code(validate(&tr("ru", "address", "x"), &FIELDS)),
            "invalid_language"
        );
        assert_eq!(
            code(validate(&tr("de", "address", "x"), &FIELDS)),
            "invalid_language"
        );
        assert_eq!(
            code(validate(&tr("kk", "name", "x"), &FIELDS)),
            "unknown_field"
        );
        assert_eq!(
            code(validate(&tr("kk", "address", &"я".repeat(21)), &FIELDS)),
            "field_too_long"
        );
        assert_eq!(
            code(validate(&tr("en", "address", "a\nb"), &FIELDS)),
            "invalid_characters"
        );
        assert!(validate(&tr("en", "procedure", "a\nb"), &FIELDS).is_ok());
    }

    #[test]
    fn blank_translations_are_dropped_and_fall_back_to_russian() {
        let kept = validate(&tr("kk", "address", "   "), &FIELDS).unwrap();
        assert!(kept.is_empty());
        let t = tr("kk", "address", "Алматы қ.");
        assert_eq!(
            pick(Some(&t), Language::Kk, "address", "г. Алматы".into()),
            "Алматы қ."
        );
        assert_eq!(
            pick(Some(&t), Language::En, "address", "г. Алматы".into()),
            "г. Алматы"
        );
        assert_eq!(
            pick(None, Language::Kk, "address", "г. Алматы".into()),
            "г. Алматы"
        );
    }
}
