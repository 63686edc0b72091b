//! Titles in the reader's language and the search over them. A language's title for a code is
//! the first that exists of: the title imported for that language, then (for Kazakh) Russian —
//! imported, then shipped — and English last, which every code has.

use std::collections::HashMap;

use serde::Serialize;

use super::{Entry, fold, index, latin_code};
use crate::domain::account::Language;

/// The titles an import stored for one language, as a running server holds them.
#[derive(Debug, Default)]
pub struct Imported {
    titles: HashMap<String, (String, String)>,
}

impl Imported {
    /// From the stored (code, title) rows.
    pub fn new(rows: impl IntoIterator<Item = (String, String)>) -> Self {
        let titles = rows
            .into_iter()
            .map(|(code, title)| {
                let folded = fold(&title);
                (code, (title, folded))
            })
            .collect();
        Imported { titles }
    }

    fn get(&self, code: &str) -> Option<&(String, String)> {
        self.titles.get(code)
    }
}

/// A code found, with its title in the reader's language or the language it fell back to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Icd10Match {
    pub code: String,
    pub title: String,
    /// The language `title` is in: the one asked for, or the fallback (kk → ru → en).
    #[schema(value_type = String, example = "ru")]
    pub lang: Language,
}

/// The classifier as one language reads it.
pub struct Catalogue<'a> {
    lang: Language,
    /// What was imported for `lang` (ru or kk).
    own: Option<&'a Imported>,
    /// What was imported for Russian, Kazakh's fallback.
    russian: Option<&'a Imported>,
}

impl<'a> Catalogue<'a> {
    /// `own` is the import for `lang`; `russian` the Russian import (used when `lang` is kk).
    pub fn new(lang: Language, own: Option<&'a Imported>, russian: Option<&'a Imported>) -> Self {
        let own = own.filter(|_| lang != Language::En);
        Catalogue { lang, own, russian }
    }

    /// English only: what the shipped list says, with no import in play.
    pub fn english() -> Catalogue<'static> {
        Catalogue {
            lang: Language::En,
            own: None,
            russian: None,
        }
    }

    /// The title of `entry` in this language, its folded form and the language it is in.
    fn resolve<'e>(&'e self, entry: &'e Entry) -> (&'e str, &'e str, Language) {
        let code = entry.who.code;
        let imported = |i: Option<&'e Imported>| i.and_then(|i| i.get(code));
        let russian = || {
            imported(self.russian)
                .map(|(t, f)| (t.as_str(), f.as_str()))
                .or(entry.ru.as_ref().map(|(t, f)| (*t, f.as_str())))
                .map(|(t, f)| (t, f, Language::Ru))
        };
        let english = (entry.who.title, entry.en_folded.as_str(), Language::En);
        match self.lang {
            Language::En => english,
            Language::Ru => imported(self.own)
                .map(|(t, f)| (t.as_str(), f.as_str(), Language::Ru))
                .or_else(|| {
                    entry
                        .ru
                        .as_ref()
                        .map(|(t, f)| (*t, f.as_str(), Language::Ru))
                })
                .unwrap_or(english),
            Language::Kk => imported(self.own)
                .map(|(t, f)| (t.as_str(), f.as_str(), Language::Kk))
                .or_else(russian)
                .unwrap_or(english),
        }
    }

    fn matched(&self, entry: &Entry) -> Icd10Match {
        let (title, _, lang) = self.resolve(entry);
        Icd10Match {
            code: entry.who.code.to_owned(),
            title: title.to_owned(),
            lang,
        }
    }

    /// The title of a known code in this language (None for a code not in the WHO list).
    pub fn title(&self, code: &str) -> Option<Icd10Match> {
        let idx = index();
        idx.by_code
            .get(code)
            .map(|&i| self.matched(&idx.entries[i]))
    }

    /// Codes matching a query, at most `limit`: first those whose code starts with it (`I1`,
    /// `E11.`, also typed in a Cyrillic layout), then those whose title in this language holds
    /// every word, then — so that a Latin term a doctor knows still finds the code — those whose
    /// English title does. Within each group in the order of the classification; titles are
    /// always given in this language.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Icd10Match> {
        let q = query.trim();
        if q.is_empty() {
            return Vec::new();
        }
        let code = latin_code(q);
        let folded = fold(q);
        let words: Vec<&str> = folded.split_whitespace().collect();
        let entries = &index().entries;
        let by_code = |e: &Entry| e.who.code.starts_with(&code);
        let by_title = |e: &Entry| {
            let (_, title, _) = self.resolve(e);
            words.iter().all(|w| title.contains(w))
        };
        let by_english = |e: &Entry| words.iter().all(|w| e.en_folded.contains(w));
        let first = entries.iter().filter(|e| by_code(e));
        let second = entries.iter().filter(|e| !by_code(e) && by_title(e));
        let third = entries
            .iter()
            .filter(|e| self.lang != Language::En && !by_code(e) && !by_title(e) && by_english(e));
        first
            .chain(second)
            .chain(third)
            .take(limit)
            .map(|e| self.matched(e))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kk_import() -> Imported {
        Imported::new([
            (
                "I10".to_owned(),
                "Эссенциалды (біріншілік) гипертензия".to_owned(),
            ),
            ("J18.9".to_owned(), "Анықталмаған пневмония".to_owned()),
        ])
    }

    #[test]
    fn search_finds_by_code_prefix_and_by_words() {
        let en = Catalogue::english();
        let by_code = en.search("i10", 5);
        assert_eq!(by_code[0].code, "I10");
        let by_words = en.search("pneumonia unspecified", 20);
        assert!(by_words.iter().any(|c| c.code == "J18.9"), "{by_words:?}");
        assert!(en.search("  ", 5).is_empty());
        assert_eq!(en.search("A0", 3).len(), 3);
    }

    #[test]
    fn russian_search_matches_russian_words_and_answers_in_russian() {
        let ru = Catalogue::new(Language::Ru, None, None);
        let found = ru.search("стенокардии другие", 10);
        let i20_8 = found.iter().find(|m| m.code == "I20.8").expect("I20.8");
        assert_eq!(i20_8.title, "Другие формы стенокардии");
        assert_eq!(i20_8.lang, Language::Ru);
        // Case and ё do not matter.
        let pneumonia = ru.search("ПНЕВМОНИЯ НЕУТОЧНЁННАЯ", 20);
        assert!(pneumonia.iter().any(|m| m.code == "J18.9"), "{pneumonia:?}");
        // A Latin term still finds the code, titled in Russian.
        let angina = ru.search("angina pectoris", 50);
        assert!(
            angina
                .iter()
                .any(|m| m.code == "I20.8" && m.lang == Language::Ru)
        );
        // A code typed in a Cyrillic layout.
        assert_eq!(ru.search("І20.8", 5)[0].code, "I20.8");
    }

    #[test]
    fn kazakh_uses_its_import_then_russian_then_english() {
        let kk = kk_import();
        let cat = Catalogue::new(Language::Kk, Some(&kk), None);
        let i10 = cat.title("I10").unwrap();
        assert_eq!(
            (i10.title.as_str(), i10.lang),
            ("Эссенциалды (біріншілік) гипертензия", Language::Kk)
        );
        let i20 = cat.title("I20.8").unwrap();
        assert_eq!(
            (i20.title.as_str(), i20.lang),
            ("Другие формы стенокардии", Language::Ru)
        );
        let b18 = cat.title("B18.00").unwrap();
        assert_eq!(b18.lang, Language::En, "no Russian title for B18.00");
        assert_eq!(cat.search("пневмония анықталмаған", 5)[0].code, "J18.9");
        assert!(cat.title("Z99.99").is_none());
    }

    #[test]
    fn an_imported_title_takes_precedence_over_the_shipped_one() {
        let ru = Imported::new([("I10".to_owned(), "Гипертоническая болезнь".to_owned())]);
        let cat = Catalogue::new(Language::Ru, Some(&ru), None);
        assert_eq!(cat.title("I10").unwrap().title, "Гипертоническая болезнь");
        assert_eq!(cat.search("гипертоническая болезнь", 5)[0].code, "I10");
        // Kazakh falls back to the imported Russian title, not the shipped one.
        let kk = Catalogue::new(Language::Kk, None, Some(&ru));
        assert_eq!(kk.title("I10").unwrap().title, "Гипертоническая болезнь");
        // English ignores imports.
        let en = Catalogue::new(Language::En, Some(&ru), Some(&ru));
        assert_eq!(
            en.title("I10").unwrap().title,
            "Essential (primary) hypertension"
        );
    }
}
