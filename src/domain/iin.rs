//! ИИН: the 12-digit individual identification number of a person in Kazakhstan.
//!
//! Only the check digit is validated. The first six digits encode a birth date and the seventh the
//! sex and century, but the platform never derives either from it: people correct their records
//! and the IIN stays, so such inferences go stale and would leak personal data.

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
        match check_digit(&first) {
            None => Err(IinError::NoCheckDigit),
            Some(d) if d == digits[11] => Ok(Self(input.to_owned())),
            Some(_) => Err(IinError::CheckDigit),
        }
    }

    /// Completes 11 digits with their check digit: for demo data and tests.
    pub fn complete(first_eleven: &str) -> Option<Self> {
        if first_eleven.len() != 11 || !first_eleven.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut first = [0u32; 11];
        for (slot, b) in first.iter_mut().zip(first_eleven.bytes()) {
            *slot = u32::from(b - b'0');
        }
        check_digit(&first).map(|d| Self(format!("{first_eleven}{d}")))
    }

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

    #[test]
    fn uses_the_second_weights_when_the_first_sum_gives_ten() {
        // 0,0,0,0,0,0,0,0,0,1,0 weighted 1..11 = 10 -> second weights 3..11,1,2 give 1 -> check digit 1.
        let first = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(check_digit(&first), Some(1));
        assert!(Iin::parse("000000000101").is_ok());
        assert_eq!(Iin::parse("000000000100"), Err(IinError::CheckDigit));
    }

    #[test]
    fn a_second_ten_means_no_valid_iin() {
        // Find 11 digits where both weightings give 10 and check that every 12th digit is refused.
        let mut found = None;
        'search: for a in 0..10u32 {
            for b in 0..10u32 {
                let first = [a, b, 0, 0, 0, 0, 0, 0, 0, 1, 0];
                if check_digit(&first).is_none() {
                    found = Some(first);
                    break 'search;
                }
            }
        }
        let first = found.expect("such digits exist");
        let prefix: String = first.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        for last in 0..10 {
            assert_eq!(
                Iin::parse(&format!("{prefix}{last}")),
                Err(IinError::NoCheckDigit)
            );
        }
        assert_eq!(Iin::complete(&prefix), None);
    }
}
