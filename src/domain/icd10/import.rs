//! Reading a national classifier's file for `telemed icd10 import`: a table of codes and
//! titles, checked line by line against the WHO list. What a clinic receives varies (an export
//! of a register, a spreadsheet saved as text), so the reader accepts:
//! - UTF-8 (with or without a byte-order mark), or UTF-16 with its byte-order mark (a
//!   spreadsheet's "Unicode text");
//! - values separated by tabs, `;` or `,` (whichever the first line uses), quoted as CSV does;
//! - the code in the first column and the title in the second, or — when the first line is a
//!   header — the columns it names (`code`, `mkb_code`, `код`, …; `title`, `name`, `mkb_name`,
//!   `наименование`, `атауы`, …), so the Ministry's register export loads as it is;
//! - codes as written in records (`I20.8`), without the dot (`I208`), with a dagger or asterisk
//!   mark (`A17.0*`), or typed with Cyrillic letters that look like Latin ones.
//!
//! Block ranges (`A00-A09`) and chapter numbers (`I`, `XXII`) are headings, skipped. Every other
//! line that is not a known code with a title is rejected with its reason.

use std::collections::HashMap;

use super::{is_known, latin_code};
use crate::domain::records::parse_icd10;
use crate::domain::text::{self, Lines};

/// The longest title accepted (the longest in the shipped lists has 261 characters).
pub const MAX_TITLE: usize = 500;

const CODE_COLUMNS: &[&str] = &[
    "code",
    "icd10",
    "icd-10",
    "icd_code",
    "icd10_code",
    "mkb",
    "mkb10",
    "mkb_code",
    "код",
    "код мкб",
    "код мкб-10",
    "код мкб10",
    "мкб",
    "мкб-10",
    "коды",
    "аурулар коды",
];
const TITLE_COLUMNS: &[&str] = &[
    "title",
    "name",
    "description",
    "mkb_name",
    "наименование",
    "название",
    "диагноз",
    "атауы",
    "атауы қаз",
    "наименование каз",
    "наименование на казахском языке",
];

/// A title accepted from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    pub line: u64,
    pub code: String,
    pub title: String,
}

/// A line refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// What a file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    pub titles: Vec<Title>,
    pub rejected: Vec<Rejected>,
    /// Block ranges and chapter headings, skipped.
    pub headings: usize,
}

/// Why the file as a whole cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error(
        "the file is not UTF-8 or UTF-16 text; save it as UTF-8 (e.g. `iconv -f CP1251 -t UTF-8`)"
    )]
    NotText,
    #[error("the file has no lines")]
    Empty,
    #[error("line {0}: {1}")]
    Malformed(u64, String),
}

fn decode(bytes: &[u8]) -> Result<String, FileError> {
    let utf16 = |le: bool| {
        let units = bytes[2..].chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| FileError::NotText)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            String::from_utf8(rest.to_vec()).map_err(|_| FileError::NotText)
        }
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| FileError::NotText),
    }
}

/// The separator the first line uses: a tab if it has one, else `;` or `,`, whichever it has
/// more of outside quotes.
fn delimiter(first_line: &str) -> u8 {
    if first_line.contains('\t') {
        return b'\t';
    }
    let (mut quoted, mut semi, mut comma) = (false, 0, 0);
    for c in first_line.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            _ => {}
        }
    }
    if semi >= comma { b';' } else { b',' }
}

/// The code a cell names, in the form records use, if it has the shape of one.
fn code_of(cell: &str) -> Option<String> {
    let raw = latin_code(cell.trim().trim_end_matches(['*', '+', '†']).trim());
    let dotted = match raw.as_bytes() {
        // I208 → I20.8, B1800 → B18.00
        [l, d1, d2, rest @ ..]
            if !rest.is_empty()
                && rest.len() <= 2
                && !raw.contains('.')
                && l.is_ascii_uppercase()
                && d1.is_ascii_digit()
                && d2.is_ascii_digit() =>
        {
            format!("{}.{}", &raw[..3], &raw[3..])
        }
        _ => raw,
    };
    parse_icd10(&dotted).ok()
}

/// A block range (`A00-A09`) or a chapter number (`I`…`XXII`, `Класс I`).
fn is_heading(cell: &str) -> bool {
    let c = latin_code(cell.trim());
    let c = c
        .trim_start_matches("КЛАСС")
        .trim_start_matches("CLASS")
        .trim();
    let range = c
        .split_once('-')
        .is_some_and(|(a, b)| code_of(a).is_some() && code_of(b).is_some());
    let roman = !c.is_empty() && c.len() <= 5 && c.chars().all(|ch| matches!(ch, 'I' | 'V' | 'X'));
    range || roman
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
}

/// Reads a file's bytes into the titles it gives for known codes and the lines it rejects.
pub fn parse(bytes: &[u8]) -> Result<Parsed, FileError> {
    let text = decode(bytes)?;
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(FileError::Empty)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(first))
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut parsed = Parsed::default();
    let mut columns: Option<(usize, usize)> = None;
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            FileError::Malformed(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let (code_col, title_col) = match columns {
            Some(c) => c,
            None => {
                // A first line none of whose cells is a code or a heading is a header.
                let header = !cells.iter().any(|c| code_of(c).is_some() || is_heading(c));
                let found = (column(&cells, CODE_COLUMNS), column(&cells, TITLE_COLUMNS));
                let chosen = match found {
                    (Some(c), Some(t)) if header => (c, t),
                    _ => (0, 1),
                };
                columns = Some(chosen);
                if header {
                    continue;
                }
                chosen
            }
        };
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        let mut reject = |reason: String| parsed.rejected.push(Rejected { line, reason });
        let raw_code = cell(code_col);
        let Some(code) = code_of(raw_code) else {
            if is_heading(raw_code) {
                parsed.headings += 1;
            } else {
                reject(format!("{raw_code:?} is not an ICD-10 code"));
            }
            continue;
        };
        if !is_known(&code) {
            reject(format!("{code} is not in ICD-10 (WHO 2019)"));
            continue;
        }
        let title = cell(title_col);
        if title.is_empty() {
            reject(format!("{code} has no title"));
            continue;
        }
        if title.chars().count() > MAX_TITLE {
            reject(format!(
                "{code}: the title is longer than {MAX_TITLE} characters"
            ));
            continue;
        }
        if let Err(bad) = text::check(title, Lines::One) {
            reject(format!("{code}: the title contains {bad}"));
            continue;
        }
        if let Some(earlier) = seen.get(&code) {
            reject(format!("{code} was already given on line {earlier}"));
            continue;
        }
        seen.insert(code.clone(), line);
        parsed.titles.push(Title {
            line,
            code,
            title: title.to_owned(),
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tab_separated_file_of_codes_and_titles() {
        let p = parse(
            "I10\tЭссенциалды (біріншілік) гипертензия\nJ18.9\tАнықталмаған пневмония\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(p.titles.len(), 2);
        assert_eq!(p.titles[0].code, "I10");
        assert_eq!(
            p.titles[1],
            Title {
                line: 2,
                code: "J18.9".into(),
                title: "Анықталмаған пневмония".into()
            }
        );
        assert!(p.rejected.is_empty());
    }

    #[test]
    fn the_registers_export_loads_by_its_header_and_skips_headings() {
        let file = "ID;REC_CODE;MKB_CODE;MKB_NAME;ID_PARENT;ADDL_CODE;ACTUAL;DATE\n\
            1;01;\"I\";\"НЕКОТОРЫЕ ИНФЕКЦИОННЫЕ И ПАРАЗИТАРНЫЕ БОЛЕЗНИ\";;;1;\n\
            2;0101;\"A00-A09\";\"КИШЕЧНЫЕ ИНФЕКЦИИ\";1;;1;\n\
            3;\"0101A00\";\"A00\";\"Холера\";2;;1;\n\
            4;\"0101A000\";\"A00.0\";\"Холера, вызванная холерным вибрионом 01, биовар cholerae\";3;;1;\n\
            5;\"S0200\";\"S02.00\";\"Перелом свода черепа закрытый\";3;;1;\n";
        let p = parse(file.as_bytes()).unwrap();
        let codes: Vec<&str> = p.titles.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["A00", "A00.0"]);
        assert_eq!(p.headings, 2);
        assert_eq!(
            p.rejected,
            [Rejected {
                line: 6,
                reason: "S02.00 is not in ICD-10 (WHO 2019)".into()
            }]
        );
    }

    #[test]
    fn codes_are_read_as_people_write_them() {
        let file = "code,title\nI208,\"Стенокардияның басқа түрлері\"\nА17.0*,Жүйке жүйесінің туберкулезі\nі10,Гипертензия\n";
        let p = parse(file.as_bytes()).unwrap();
        let codes: Vec<&str> = p.titles.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["I20.8", "A17.0", "I10"]);
    }

    #[test]
    fn every_bad_line_is_rejected_with_its_reason() {
        let file = "I10\tГипертензия\nZ99.99\tЖоқ\nhello\tworld\nJ18.9\t\nI10\tҚайта\nJ06.9\tбір\u{202E}екі\n";
        let p = parse(file.as_bytes()).unwrap();
        assert_eq!(p.titles.len(), 1);
        let reasons: Vec<(u64, &str)> = p
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (2, "Z99.99 is not in ICD-10 (WHO 2019)"),
                (3, "\"hello\" is not an ICD-10 code"),
                (4, "J18.9 has no title"),
                (5, "I10 was already given on line 1"),
                (
                    6,
                    "J06.9: the title contains U+202E (a bidirectional text control)"
                ),
            ]
        );
    }

    #[test]
    fn utf16_and_a_byte_order_mark_are_read_and_other_encodings_refused() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "I10\tГипертензия\r\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(parse(&utf16).unwrap().titles[0].title, "Гипертензия");
        let bom = [&[0xEF, 0xBB, 0xBF][..], "I10;Гипертензия".as_bytes()].concat();
        assert_eq!(parse(&bom).unwrap().titles[0].code, "I10");
        // "Гипертензия" in Windows-1251.
        let cp1251 = b"I10;\xc3\xe8\xef\xe5\xf0\xf2\xe5\xed\xe7\xe8\xff";
        assert_eq!(parse(cp1251).unwrap_err(), FileError::NotText);
        assert_eq!(parse(b" \n\n").unwrap_err(), FileError::Empty);
    }
}
