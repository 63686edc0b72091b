//! What the platform accepts as text from outside: the characters of free text and names
//! ([`check`]), the shape of ids and codes, and search words made safe for `LIKE`.
//!
//! Refused everywhere:
//! - NUL and the other control characters (C0, DEL, C1). PostgreSQL `text` cannot hold NUL at
//!   all, and the others break logs, mail headers and the documents people sign; multi-line
//!   free text keeps line feeds and tabs.
//! - Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): they make a
//!   name or a conclusion display differently from what is stored and signed ("Trojan Source").
//! - Zero-width characters (U+200B–U+200D, U+2060, U+FEFF): two names that look the same would
//!   be different accounts, and a word could hide from a search or a reviewer.
//!
//! The Kazakh and Russian alphabets need none of these; scripts that join with U+200C/U+200D
//! are not written in this platform's documents.

use std::fmt;

/// Whether a field may span lines (reasons, notes, opinions) or is one line (names, e-mails,
/// codes, search words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Why a character is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Control,
    Bidirectional,
    ZeroWidth,
}

/// The first refused character of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadCharacter {
    pub character: char,
    pub why: Refused,
}

impl fmt::Display for BadCharacter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.why {
            Refused::Control => "a control character",
            Refused::Bidirectional => "a bidirectional text control",
            Refused::ZeroWidth => "an invisible zero-width character",
        };
        write!(f, "U+{:04X} ({what})", u32::from(self.character))
    }
}

/// U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates), the marks LRM, RLM, ALM.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Zero-width space, non-joiner, joiner, word joiner, and the byte-order mark.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn refused(c: char, lines: Lines) -> Option<Refused> {
    if c.is_control() {
        // Line breaks as any client sends them (CRLF from Windows programs) and tabs.
        let allowed = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
        (!allowed).then_some(Refused::Control)
    } else if is_bidi_control(c) {
        Some(Refused::Bidirectional)
    } else if is_zero_width(c) {
        Some(Refused::ZeroWidth)
    } else {
        None
    }
}

/// Whether one character is accepted (for cleaning a value rather than refusing it).
pub fn allowed(c: char, lines: Lines) -> bool {
    refused(c, lines).is_none()
}

/// The first character of `text` the platform does not accept, if any.
pub fn check(text: &str, lines: Lines) -> Result<(), BadCharacter> {
    match text
        .chars()
        .find_map(|c| refused(c, lines).map(|why| (c, why)))
    {
        None => Ok(()),
        Some((character, why)) => Err(BadCharacter { character, why }),
    }
}

/// Whether `s` has the shape of an id the platform makes (`crate::db::new_id`: a UUID in its
/// lower-case hyphenated form). Anything else names nothing and need not reach the database.
pub fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// Whether `s` has the shape of a code of a closed list (specialties and licence profiles,
/// reason codes, price lines): a lower-case ASCII letter, then letters, digits and `_`, at most
/// 64 in all.
pub fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// The escape character of the `LIKE` patterns made by [`like_escaped`]; queries name it with
/// `.escape(LIKE_ESCAPE)` (SQLite has no default escape character).
pub const LIKE_ESCAPE: char = '\\';

/// `words` with the `LIKE` wildcards `%` and `_` and the escape character itself escaped, so a
/// search matches them literally.
pub fn like_escaped(words: &str) -> String {
    let mut out = String::with_capacity(words.len());
    for c in words.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_kazakh_russian_and_english_pass() {
        for fine in [
            "Серикова Айгуль Маратовна",
            "Әбілқасымова Гүлнұр Өмірзаққызы",
            "O'Brien-Smith, Jr.",
            "Ким Ён Су",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP 🩺",
        ] {
            assert_eq!(check(fine, Lines::One), Ok(()), "{fine}");
        }
    }

    #[test]
    fn nul_and_controls_are_refused_lines_and_tabs_only_in_many_lines() {
        let nul = check("a\0b", Lines::Many).unwrap_err();
        assert_eq!(nul.character, '\0');
        assert_eq!(nul.why, Refused::Control);
        assert_eq!(nul.to_string(), "U+0000 (a control character)");
        for c in ['\u{1}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(check(&format!("x{c}y"), Lines::Many).is_err(), "{c:?}");
        }
        assert!(check("line 1\nline 2\tend", Lines::Many).is_ok());
        assert!(check("line 1\nline 2", Lines::One).is_err());
        assert!(check("a\tb", Lines::One).is_err());
    }

    #[test]
    fn bidi_controls_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let e = check(&format!("Иванов{c}вонавИ"), Lines::Many).unwrap_err();
            assert_eq!(e.why, Refused::Bidirectional, "{c:?}");
        }
        assert!(!is_bidi_control('ا'));
    }

    #[test]
    fn zero_width_characters_are_refused() {
        for c in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
            let e = check(&format!("Ива{c}нов"), Lines::One).unwrap_err();
            assert_eq!(e.why, Refused::ZeroWidth, "{c:?}");
        }
    }

    #[test]
    fn ids_are_lower_case_hyphenated_uuids() {
        assert!(is_id(&uuid::Uuid::new_v4().to_string()));
        assert!(is_id("0b7e2c1a-0000-4000-8000-000000000001"));
        for bad in [
            "",
            "nope",
            "0B7E2C1A-0000-4000-8000-000000000001",
            "0b7e2c1a000040008000000000000001",
            "0b7e2c1a-0000-4000-8000-00000000000\0",
            "0b7e2c1a-0000-4000-8000-0000000000011",
            "{0b7e2c1a-0000-4000-8000-000000000001}",
            "0b7e2c1a-0000-4000-8000_000000000001",
        ] {
            assert!(!is_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn codes_are_lower_case_snake_case() {
        for ok in ["cardiology", "obstetrics_gynecology", "a1"] {
            assert!(is_code(ok), "{ok}");
        }
        for bad in [
            "",
            "Cardiology",
            "1st",
            "_x",
            "card iology",
            "кардиология",
            "x\0",
            "a-b",
        ] {
            assert!(!is_code(bad), "{bad:?}");
        }
        assert!(!is_code(&"a".repeat(65)));
    }

    #[test]
    fn like_wildcards_and_the_escape_are_escaped() {
        assert_eq!(like_escaped("100%"), "100\\%");
        assert_eq!(like_escaped("a_b\\c"), "a\\_b\\\\c");
        assert_eq!(like_escaped("гипертензия"), "гипертензия");
    }
}
