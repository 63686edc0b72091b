//! The mail to the owner of an account when someone registers again with its e-mail address or
//! IIN. Registration answers the same whether or not the details were new (so that it cannot be
//! used to learn who has an account); this letter is how the person who already has one learns
//! of the attempt. The text is `mail/<lang>/registration_attempt.owner.txt`.

use minijinja::context;

use super::{Addressee, Recipient, letter};
use crate::error::AppResult;

/// `(subject, body)` for the owner `name`, with the sign-in page `login_url`.
pub fn registration_attempt(
    lang: &str,
    name: &str,
    login_url: &str,
) -> AppResult<(String, String)> {
    let to = Addressee {
        recipient: Recipient::Owner,
        name,
    };
    letter(
        lang,
        "registration_attempt",
        &to,
        context! { url => login_url },
    )
}
