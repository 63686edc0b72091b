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
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
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

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Length is the rule that matters; the upper bound stops huge inputs from making hashing a
/// denial-of-service lever.
pub fn password_acceptable(password: &str) -> bool {
    let n = password.chars().count();
    (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n) && !password.trim().is_empty()
}

/// A person's full name as written in their documents: required, bounded, no control characters.
pub fn full_name_acceptable(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty() && name.chars().count() <= 200 && !name.chars().any(char::is_control)
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
        ] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(!password_acceptable("short"));
        assert!(!password_acceptable("        "));
        assert!(password_acceptable("долгийпароль"));
        assert!(!password_acceptable(&"x".repeat(129)));
    }
}
