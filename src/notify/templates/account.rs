//! The mail to the owner of an account when someone registers again with its e-mail address or
//! IIN. Registration answers the same whether or not the details were new (so that it cannot be
//! used to learn who has an account); this letter is how the person who already has one learns
//! of the attempt. The texts live in `account/{ru,kk,en}.txt`: the first line is the subject,
//! then an empty line and the body, with `{name}`, `{url}` and `{footer}` to fill.

use super::{Language, en, kk, language, ru};

const RU: &str = include_str!("account/ru.txt");
const KK: &str = include_str!("account/kk.txt");
const EN: &str = include_str!("account/en.txt");

/// `(subject, body)` for the owner `name`, with the sign-in page `login_url`.
pub fn registration_attempt(lang: &str, name: &str, login_url: &str) -> (String, String) {
    let (text, footer) = match language(lang) {
        Language::Ru => (RU, ru::FOOTER),
        Language::Kk => (KK, kk::FOOTER),
        Language::En => (EN, en::FOOTER),
    };
    let (subject, body) = text.split_once("\n\n").unwrap_or((text, ""));
    // The name goes in last, so that braces in it are never taken for a placeholder.
    let body = body
        .replace("{url}", login_url)
        .replace("{footer}", footer)
        .replace("{name}", name);
    (subject.trim().to_owned(), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registration_attempt_mail_exists_in_every_language_filled_in() {
        let texts: Vec<_> = ["ru", "kk", "en"]
            .into_iter()
            .map(|lang| {
                registration_attempt(
                    lang,
                    "Серикова {url} Айгуль",
                    "https://telemed.example/#/login",
                )
            })
            .collect();
        for (subject, body) in &texts {
            assert!(!subject.is_empty() && !subject.contains('\n'), "{subject}");
            assert!(body.contains("https://telemed.example/#/login"), "{body}");
            assert!(body.contains("Серикова {url} Айгуль"), "{body}");
            assert!(
                !body.contains("{footer}") && !body.contains("{name}"),
                "{body}"
            );
        }
        assert_ne!(texts[0], texts[1]);
        assert_ne!(texts[0], texts[2]);
        assert!(texts[0].1.starts_with("Здравствуйте"));
        assert!(texts[1].1.starts_with("Сәлеметсіз бе"));
        assert_eq!(
            registration_attempt("de", "A", "u"),
            registration_attempt("ru", "A", "u")
        );
    }
}
