//! The single-use links an account's owner receives: e-mail verification, a change of address,
//! a password reset, an invitation from an organisation's administrator, and the notices that
//! follow a change (the password was changed; a change of address was asked for). The texts are
//! `mail/<lang>/<letter>.owner.txt`, so a translator corrects them without touching Rust.

use minijinja::{Value, context};

use super::{Addressee, Recipient, letter};
use crate::error::AppResult;

/// Which letter, with what it needs beyond the name and the link.
#[derive(Debug, Clone, Copy)]
pub enum AccountLink<'a> {
    VerifyEmail {
        hours: i64,
    },
    ChangeEmail {
        hours: i64,
    },
    /// To the previous address, when a change to another was asked for.
    EmailChanging,
    ResetPassword {
        minutes: i64,
    },
    PasswordChanged,
    Invite {
        organization: &'a str,
        /// `doctor`, `support` or `org_admin`.
        role: &'a str,
        days: i64,
    },
}

impl AccountLink<'_> {
    pub(super) fn letter(self) -> &'static str {
        match self {
            AccountLink::VerifyEmail { .. } => "verify_email",
            AccountLink::ChangeEmail { .. } => "change_email",
            AccountLink::EmailChanging => "email_changing",
            AccountLink::ResetPassword { .. } => "reset_password",
            AccountLink::PasswordChanged => "password_changed",
            AccountLink::Invite { .. } => "invite",
        }
    }

    fn values(self) -> Value {
        match self {
            AccountLink::VerifyEmail { hours } | AccountLink::ChangeEmail { hours } => {
                context! { hours }
            }
            AccountLink::ResetPassword { minutes } => context! { minutes },
            AccountLink::Invite {
                organization,
                role,
                days,
            } => context! { organization, role, days },
            AccountLink::EmailChanging | AccountLink::PasswordChanged => context! {},
        }
    }
}

/// `(subject, body)` of the letter `kind` to `name`, in `lang`, carrying `url`.
pub fn account_link(
    lang: &str,
    kind: AccountLink<'_>,
    name: &str,
    url: &str,
) -> AppResult<(String, String)> {
    let to = Addressee {
        recipient: Recipient::Owner,
        name,
    };
    letter(lang, kind.letter(), &to, context! { url, ..kind.values() })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in super::super) fn every_kind() -> [AccountLink<'static>; 6] {
        [
            AccountLink::VerifyEmail { hours: 48 },
            AccountLink::ChangeEmail { hours: 48 },
            AccountLink::EmailChanging,
            AccountLink::ResetPassword { minutes: 30 },
            AccountLink::PasswordChanged,
            AccountLink::Invite {
                organization: "Поликлиника {{ name }}",
                role: "doctor",
                days: 7,
            },
        ]
    }

    #[test]
    fn the_invitation_names_the_organisation_and_the_role_in_the_reader_s_language() {
        let kind = every_kind()[5];
        let (subject, body) = account_link("kk", kind, "A", "u").unwrap();
        assert!(subject.contains("Поликлиника {{ name }}"), "{subject}");
        assert!(body.contains("дәрігер") && body.contains("7 күн"), "{body}");
        let (_, body) = account_link("en", kind, "A", "u").unwrap();
        assert!(
            body.contains("(role: doctor)") && body.contains("7 days"),
            "{body}"
        );
    }
}
