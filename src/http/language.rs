//! The reader's language for texts the organisations write (addresses, procedures, job titles):
//! `?lang=ru|kk|en` when given, else the best of `Accept-Language` (the interface sends the
//! language it shows), else Russian, the language every organisation text exists in.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::domain::account::Language;
use crate::error::AppError;

/// The language a response's organisation texts are chosen in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLanguage(pub Language);

impl FromRequest for ReaderLanguage {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(of_request(req).map(ReaderLanguage))
    }
}

fn of_request(req: &HttpRequest) -> Result<Language, AppError> {
    let asked = req
        .query_string()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .map(|(_, v)| v);
    if let Some(value) = asked.filter(|v| !v.is_empty()) {
        // An explicit choice that cannot be honoured is the caller's mistake, said as such.
        return value
            .parse()
            .map_err(|_| AppError::unprocessable("invalid_language", "lang must be ru, kk or en"));
    }
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(from_accept_language(header))
}

/// The most preferred of ru, kk and en in an `Accept-Language` value; Russian when none is
/// acceptable. A header is never refused: browsers send all sorts, and Russian always reads.
pub fn from_accept_language(value: &str) -> Language {
    let mut best: Option<(f32, Language)> = None;
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default().trim();
        let primary = tag
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Ok(lang) = primary.parse::<Language>() else {
            continue;
        };
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // Earlier entries win ties, as the header lists them in the reader's order.
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Language::Ru, |(_, lang)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_most_preferred_known_language() {
        assert_eq!(from_accept_language("kk"), Language::Kk);
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), Language::En);
        assert_eq!(
            from_accept_language("de-DE,kk;q=0.5,en;q=0.7"),
            Language::En
        );
        assert_eq!(
            from_accept_language("fr, kk-KZ;q=0.8, ru;q=0.8"),
            Language::Kk
        );
    }

    #[test]
    fn falls_back_to_russian() {
        assert_eq!(from_accept_language(""), Language::Ru);
        assert_eq!(from_accept_language("de, fr;q=0.5"), Language::Ru);
        assert_eq!(from_accept_language("en;q=0"), Language::Ru);
        assert_eq!(from_accept_language("*;q=;;,"), Language::Ru);
    }
}
