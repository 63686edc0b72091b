//! ИИН: the 12-digit individual identification number of a person in Kazakhstan.
//!
//! The first six digits encode a birth date and the seventh the sex and century, but the
//! platform never derives either from it: people correct their records and the IIN stays, so
//! such inferences go stale and would leak personal data. Validation refuses only what no
//! number issued to a person can be, and must never refuse a real person's IIN:
//!
//! - 12 ASCII digits with a matching check digit (the two weightings of the Rules for forming
//!   the identification number, Government Decree No. 406 of 2007);
//! - positions 1–6 shaped as YYMMDD: month 01–12, day 01–31. Days are **not** checked per
//!   month (no 31 April, no 29 February outside leap years): the digits are the birth date as
//!   the registry recorded it when the number was formed, and records of people whose birth
//!   date was unknown or reconstructed (older Soviet-era documents, repatriates) carry dates
//!   we cannot prove never to have been written down; and a leap-year check needs the century
//!   from the seventh digit, i.e. deriving the birth year, which this module refuses to do.
//!   Month 00 or 13 and day 00 or 32 are outside the YYMMDD field itself. (We know of no IIN
//!   issued with a 00 month or day for an unknown date; should one appear, relax this rule.)
//! - position 7 is 1–6 (sex and century for people born in the 19th, 20th, 21st centuries);
//!   0 and 7–9 are not issued to individuals. Business numbers (БИН) of legal entities have
//!   another layout (YYMM, then a type digit 4–6 in position 5) and are not IINs.
//!
//! All zeros fails the month rule, like any number with month 00.

use std::fmt;

/// A validated IIN. An invalid value cannot exist past [`Iin::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iin(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    #[error("an IIN has exactly 12 digits")]
    WrongLength,
    #[error("an IIN consists of digits only")]
    NotDigits,
    #[error("the IIN check digit does not match")]
    CheckDigit,
    #[error("no check digit exists for these 11 digits, so this IIN cannot be valid")]
    NoCheckDigit,
    #[error("the first six digits of an IIN are a date of birth, YYMMDD (month 01–12, day 01–31)")]
    NotADate,
    #[error("the seventh digit of a person's IIN is 1 to 6")]
    CenturyDigit,
}

/// The layout rules of the module doc on the first 11 digits (the check digit aside).
fn structure(first_eleven: &[u32; 11]) -> Result<(), IinError> {
    let month = first_eleven[2] * 10 + first_eleven[3];
    let day = first_eleven[4] * 10 + first_eleven[5];
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(IinError::NotADate);
    }
    if !(1..=6).contains(&first_eleven[6]) {
        return Err(IinError::CenturyDigit);
    }
    Ok(())
}

const FIRST_WEIGHTS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit of the first 11 digits, or `None` when both weightings give 10
/// (such a number is never issued).
pub fn check_digit(first_eleven: &[u32; 11]) -> Option<u32> {
    let weighted = |weights: &[u32; 11]| -> u32 {
        first_eleven
            .iter()
            .zip(weights)
            .map(|(d, w)| d * w)
            .sum::<u32>()
            % 11
    };
    match weighted(&FIRST_WEIGHTS) {
        10 => match weighted(&SECOND_WEIGHTS) {
            10 => None,
            d => Some(d),
        },
        d => Some(d),
    }
}

impl Iin {
    pub fn parse(input: &str) -> Result<Self, IinError> {
        let input = input.trim();
        if !input.chars().all(|c| c.is_ascii_digit()) {
            return Err(IinError::NotDigits);
        }
        if input.len() != 12 {
            return Err(IinError::WrongLength);
        }
        let digits: Vec<u32> = input.bytes().map(|b| u32::from(b - b'0')).collect();
        let mut first = [0u32; 11];
        first.copy_from_slice(&digits[..11]);
        structure(&first)?;
        match check_digit(&first) {
            None => Err(IinError::NoCheckDigit),
            Some(d) if d == digits[11] => Ok(Self(input.to_owned())),
            Some(_) => Err(IinError::CheckDigit),
        }
    }

    /// Completes 11 digits with their check digit: for demo data and tests. `None` when the
    /// digits break the layout or have no check digit.
    pub fn complete(first_eleven: &str) -> Option<Self> {
        if first_eleven.len() != 11 || !first_eleven.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut first = [0u32; 11];
        for (slot, b) in first.iter_mut().zip(first_eleven.bytes()) {
            *slot = u32::from(b - b'0');
        }
        structure(&first).ok()?;
        check_digit(&first).map(|d| Self(format!("{first_eleven}{d}")))
    }

    /// The `n`-th of a series of distinct valid IINs beginning with the two digits `yy`, for
    /// tests and benches: month and day (01–28) and a four-digit serial from `n`, century digit
    /// 3 (or 4 where 3 leaves no check digit: the two never both fail). Distinct for `n` below
    /// [`Iin::NUMBERED`].
    pub fn numbered(yy: u8, n: u32) -> Option<Self> {
        let (serial, rest) = (n % 10_000, n / 10_000);
        let (day, month) = (rest % 28 + 1, rest / 28 % 12 + 1);
        [3, 4].into_iter().find_map(|century| {
            Self::complete(&format!(
                "{:02}{month:02}{day:02}{century}{serial:04}",
                yy % 100
            ))
        })
    }

    /// How many distinct IINs [`Iin::numbered`] makes per `yy`.
    pub const NUMBERED: u32 = 12 * 28 * 10_000;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_iin() {
        let iin = Iin::complete("90010130001").expect("has a check digit");
        assert_eq!(Iin::parse(iin.as_str()), Ok(iin.clone()));
    }

    #[test]
    fn known_valid_iins() {
        // Computed by hand: 8,7,0,1,0,1,3,0,0,4,5 weighted 1..11 = 8+14+0+4+0+6+21+0+0+40+55 = 148; 148 mod 11 = 5.
        assert!(Iin::parse("870101300455").is_ok());
        assert_eq!(Iin::parse("870101300456"), Err(IinError::CheckDigit));
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        let valid = Iin::complete("95050540012").expect("has a check digit");
        let last = valid.as_str().as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &valid.as_str()[..11], (last + 1) % 10);
        assert_eq!(Iin::parse(&wrong), Err(IinError::CheckDigit));
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(Iin::parse("12345"), Err(IinError::WrongLength));
        assert_eq!(Iin::parse("1234567890123"), Err(IinError::WrongLength));
        assert_eq!(Iin::parse(""), Err(IinError::WrongLength));
    }

    #[test]
    fn rejects_non_digits() {
        assert_eq!(Iin::parse("87010130045a"), Err(IinError::NotDigits));
        assert_eq!(Iin::parse("8701-0130045"), Err(IinError::NotDigits));
        assert_eq!(
            Iin::parse("８７０１０１３００４５５"),
            Err(IinError::NotDigits)
        );
    }

    /// The first 11 digits of `s`.
    fn eleven(s: &str) -> [u32; 11] {
        let mut first = [0u32; 11];
        for (slot, b) in first.iter_mut().zip(s.bytes()) {
            *slot = u32::from(b - b'0');
        }
        first
    }

    #[test]
    fn uses_the_second_weights_when_the_first_sum_gives_ten() {
        // 0,0,0,0,0,0,0,0,0,1,0 weighted 1..11 = 10 -> second weights 3..11,1,2 give 1 -> check digit 1.
        let first = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(check_digit(&first), Some(1));
        // A well-formed number whose first weighting gives 10: the second one decides.
        let (prefix, first) = (0..10_000u32)
            .map(|k| format!("900101{}{k:04}", 3 + k % 2))
            .map(|p| (p.clone(), eleven(&p)))
            .find(|(_, f)| {
                f.iter().zip(FIRST_WEIGHTS).map(|(d, w)| d * w).sum::<u32>() % 11 == 10
                    && check_digit(f).is_some()
            })
            .expect("such digits exist");
        let d = check_digit(&first).expect("has a check digit");
        assert!(Iin::parse(&format!("{prefix}{d}")).is_ok());
        assert_eq!(
            Iin::parse(&format!("{prefix}{}", (d + 1) % 10)),
            Err(IinError::CheckDigit)
        );
    }

    #[test]
    fn a_second_ten_means_no_valid_iin() {
        // Find well-formed 11 digits where both weightings give 10 and check that every 12th
        // digit is refused.
        let first = (0..10_000u32)
            .map(|k| eleven(&format!("900101{}{k:04}", 3 + k % 4)))
            .find(|f| check_digit(f).is_none())
            .expect("such digits exist");
        let prefix: String = first.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        for last in 0..10 {
            assert_eq!(
                Iin::parse(&format!("{prefix}{last}")),
                Err(IinError::NoCheckDigit)
            );
        }
        assert_eq!(Iin::complete(&prefix), None);
    }

    #[test]
    fn iin_of_all_zeros_is_refused() {
        assert_eq!(Iin::parse("000000000000"), Err(IinError::NotADate));
    }

    /// A well-formed IIN with positions 1–7 replaced, completed with its check digit when
    /// one exists (so only the layout can be what is refused).
    fn with_head(head: &str) -> Vec<String> {
        (0..10u32)
            .map(|k| format!("{head}000{k}"))
            .filter_map(|p| check_digit(&eleven(&p)).map(|d| format!("{p}{d}")))
            .collect()
    }

    #[test]
    fn iin_with_month_13_is_refused() {
        for head in ["9013013", "9000013"] {
            for iin in with_head(head) {
                assert_eq!(Iin::parse(&iin), Err(IinError::NotADate), "{iin}");
            }
        }
    }

    #[test]
    fn iin_with_day_32_or_00_is_refused() {
        for head in ["9001323", "9001003", "9012993"] {
            for iin in with_head(head) {
                assert_eq!(Iin::parse(&iin), Err(IinError::NotADate), "{iin}");
            }
        }
    }

    #[test]
    fn iin_with_century_digit_0_or_7_to_9_is_refused() {
        for c in [0, 7, 8, 9] {
            for iin in with_head(&format!("900101{c}")) {
                assert_eq!(Iin::parse(&iin), Err(IinError::CenturyDigit), "{iin}");
            }
        }
        assert_eq!(Iin::complete("90010170001"), None);
    }

    #[test]
    fn dates_are_not_checked_per_month_and_every_century_digit_1_to_6_passes() {
        // 31 April and 30 February: not refused (see the module doc), nor 29 February of any
        // year, nor a century digit that places the date in the future.
        for head in [
            "9004313", "9002303", "0102294", "9901015", "2512316", "9901011",
        ] {
            let passing = with_head(head);
            assert!(!passing.is_empty());
            for iin in passing {
                assert!(Iin::parse(&iin).is_ok(), "{iin}");
            }
        }
    }

    #[test]
    fn numbered_iins_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for n in (0..2_000).chain([Iin::NUMBERED - 1, 123_456]) {
            let iin = Iin::numbered(99, n).expect("3 or 4 has a check digit");
            assert_eq!(Iin::parse(iin.as_str()), Ok(iin.clone()));
            assert!(iin.as_str().starts_with("99"));
            assert!(seen.insert(iin), "{n}");
        }
    }
}
