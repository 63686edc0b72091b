//! Account rules: roles, interface languages, e-mail addresses and passwords.

use std::fmt;
use std::str::FromStr;

/// Roles of the Rules' participants (art. 10) plus the operator of the installation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    /// Законный представитель: acts for a patient (a child, a person under guardianship).
    Representative,
    Doctor,
    OrgAdmin,
    /// Служба поддержки пациентов: routes requests and handles appeals.
    Support,
    /// A relative authorised by the patient to receive status updates.
    Relative,
    /// Runs the installation: registers organisations and their first administrators.
    PlatformAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Patient,
        Role::Representative,
        Role::Doctor,
        Role::OrgAdmin,
        Role::Support,
        Role::Relative,
        Role::PlatformAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Representative => "representative",
            Role::Doctor => "doctor",
            Role::OrgAdmin => "org_admin",
            Role::Support => "support",
            Role::Relative => "relative",
            Role::PlatformAdmin => "platform_admin",
        }
    }

    /// Roles that belong to an organisation's staff and are created by its administrator.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Doctor | Role::OrgAdmin | Role::Support)
    }
}

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(UnknownValue)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownValue;

/// The interface languages: Russian, Kazakh, English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Ru,
    Kk,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::Kk => "kk",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ru" => Ok(Language::Ru),
            "kk" => Ok(Language::Kk),
            "en" => Ok(Language::En),
            _ => Err(UnknownValue),
        }
    }
}

/// A syntactically plausible, lower-cased e-mail address. Deliverability is proven later by mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim().to_lowercase();
        if s.len() > 254
            || s.chars().any(char::is_whitespace)
            || super::text::check(&s, super::text::Lines::One).is_err()
        {
            return None;
        }
        let (local, domain) = s.split_once('@')?;
        let domain_ok = !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        (!local.is_empty() && local.len() <= 64 && domain_ok).then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The 19,640 most common passwords of Royce Williams' list as Django ships it (lower-cased,
/// one a line; provenance and licence in `common-passwords.NOTICE`), then our own additions.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");
/// Patterns the public list misses for this audience: keyboard rows in the Cyrillic layout,
/// Russian words typed in the Latin layout, the country's cities and the service's own name.
const LOCAL_COMMON_PASSWORDS: &str = include_str!("common-passwords-local.txt");

/// Why a password chosen by a person is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password needs at least 10 characters")]
    TooShort,
    /// Hashing is memory- and time-hard: a huge input must not become a denial-of-service lever.
    #[error("the password may have at most 128 characters")]
    TooLong,
    #[error(
        "this password is one of the most common and is guessed first; choose a longer phrase \
         of your own"
    )]
    Common,
}

/// The rule for passwords people choose (self-registration, staff accounts): length is what
/// matters, and a password on the lists of the most common ones falls to the first guesses of
/// any attack however long it is. Compared without regard to case or surrounding spaces.
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    let n = password.chars().count();
    if n > PASSWORD_MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if n < PASSWORD_MIN_CHARS || password.trim().chars().count() < PASSWORD_MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if is_common_password(password) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

fn is_common_password(password: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .chain(LOCAL_COMMON_PASSWORDS.lines())
            .filter(|l| !l.is_empty())
            .collect()
    });
    list.contains(password.trim().to_lowercase().as_str())
}

/// A person's full name as written in their documents: required, bounded, one line of the
/// characters `super::text` accepts.
pub fn full_name_acceptable(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && name.chars().count() <= 200
        && super::text::check(name, super::text::Lines::One).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse(" Aigerim@Example.KZ ").map(|e| e.0),
            Some("aigerim@example.kz".into())
        );
        for bad in [
            "",
            "no-at",
            "@example.kz",
            "a@",
            "a@kz",
            "a@@b.kz",
            "a b@c.kz",
            "a@b..kz",
            "a\0@b.kz",
            "a\u{202e}zk.b@c.kz",
            "a\u{200b}@b.kz",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_ten_characters_and_not_a_common_one() {
        assert_eq!(check_password("short"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("nine char"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("          "), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("  padded  "), Err(PasswordProblem::TooShort));
        assert_eq!(
            check_password(&"x".repeat(129)),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_password("долгийпароль"), Ok(()));
        // The demo's and the tests' passwords stay valid.
        for fine in [
            "demo-telemed-2026",
            "correct horse battery",
            "initial password 1",
            "browser-test-2026",
        ] {
            assert_eq!(check_password(fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in [
            "1234567890",
            "qwertyuiop",
            "QwertyUIOP",
            "password123",
            " Password123 ",
            "йцукенгшщз",
            "ЙЦУКЕНГШЩЗ",
        ] {
            assert_eq!(
                check_password(common),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
    }

    #[test]
    fn the_lists_are_lower_case_one_password_a_line() {
        for list in [COMMON_PASSWORDS, LOCAL_COMMON_PASSWORDS] {
            for line in list.lines() {
                assert_eq!(line, line.trim().to_lowercase(), "{line:?}");
            }
        }
        assert!(COMMON_PASSWORDS.lines().count() > 19_000);
    }
}
