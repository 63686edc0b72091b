//! The template engine behind the letters: every file under `src/notify/mail/` is a minijinja
//! template, loaded once into one environment. `<lang>/<letter>.<recipient>.txt` is one letter
//! for one kind of recipient; files whose name starts with `_` are shared parts (labels, the
//! footer) that letters import or include.
//!
//! A letter's first non-empty line is its subject, the rest its body. Undefined variables are
//! errors (`UndefinedBehavior::Strict`), so a letter can never go out with a hole in it; the
//! tests render every letter in every language for every recipient.

use std::sync::OnceLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, Value, context};
use rust_embed::RustEmbed;

use crate::error::{AppError, AppResult};

/// Compiled into the binary, like `static/` (read from disk in debug builds, so a translator
/// sees a corrected letter without rebuilding).
#[derive(RustEmbed)]
#[folder = "src/notify/mail/"]
pub(super) struct MailFiles;

static ENVIRONMENT: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();

fn environment() -> AppResult<&'static Environment<'static>> {
    ENVIRONMENT
        .get_or_init(|| build().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("mail templates: {e}")))
}

fn build() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    // Block tags on lines of their own leave no empty line behind, so the files read like the
    // letters they produce.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("plural", plural);
    // Only the letters and their parts: the folder's README is for translators.
    for name in MailFiles::iter().filter(|n| n.ends_with(".txt")) {
        let Some(file) = MailFiles::get(&name) else {
            continue;
        };
        let source = String::from_utf8(file.data.into_owned())
            .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("{name} is not UTF-8")))?;
        env.add_template_owned(name.into_owned(), source)?;
    }
    Ok(env)
}

/// The names of the letters (not the shared parts), e.g. `ru/reminder.patient.txt`.
#[cfg(test)]
pub(super) fn letter_files() -> Vec<String> {
    MailFiles::iter()
        .map(|n| n.into_owned())
        .filter(|n| n.ends_with(".txt"))
        .filter(|n| n.rsplit('/').next().is_some_and(|f| !f.starts_with('_')))
        .collect()
}

/// Renders `<lang>/<letter>.<recipient>.txt` with `values`; `lang` is available to the template
/// (and to the `plural` filter) too. Returns `(subject, body)`.
pub(super) fn render(
    lang: &str,
    letter: &str,
    recipient: &str,
    values: Value,
) -> AppResult<(String, String)> {
    let name = format!("{lang}/{letter}.{recipient}.txt");
    let failed = |e: Error| AppError::Internal(anyhow::anyhow!("mail template {name}: {e:#}"));
    let template = environment()?.get_template(&name).map_err(failed)?;
    let text = template
        .render(context! { lang => lang, ..values })
        .map_err(failed)?;
    let (subject, body) = split(&text);
    if subject.is_empty() || body.is_empty() {
        return Err(AppError::Internal(anyhow::anyhow!(
            "mail template {name} rendered an empty subject or body"
        )));
    }
    Ok((subject, body))
}

/// The first non-empty line is the subject; the body loses its leading empty lines, and runs
/// of empty lines (left by optional parts) shrink to one.
fn split(text: &str) -> (String, String) {
    let text = text.trim_start();
    let (subject, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut body = String::with_capacity(rest.len());
    let mut empty_run = 0;
    for line in rest.trim().lines() {
        let line = line.trim_end();
        empty_run = if line.is_empty() { empty_run + 1 } else { 0 };
        if empty_run < 2 {
            body.push_str(line);
            body.push('\n');
        }
    }
    (subject.trim().to_owned(), body)
}

/// `{{ n|plural("час", "часа", "часов") }}`: the word that goes with the number `n` in the
/// letter's language. Russian picks among one, few and many; other languages take the first form
/// for 1 and the second otherwise (Kazakh needs one form: the noun does not change after a
/// numeral).
fn plural(state: &State, n: i64, forms: minijinja::value::Rest<String>) -> Result<String, Error> {
    let lang = state
        .lookup("lang")
        .map(|v| v.to_string())
        .unwrap_or_default();
    let pick = |i: usize| {
        forms
            .get(i)
            .or_else(|| forms.last())
            .cloned()
            .ok_or_else(|| Error::new(ErrorKind::MissingArgument, "plural needs a word form"))
    };
    let (m10, m100) = (n.rem_euclid(10), n.rem_euclid(100));
    if lang == "ru" {
        if m10 == 1 && m100 != 11 {
            pick(0)
        } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
            pick(1)
        } else {
            pick(2)
        }
    } else if n == 1 {
        pick(0)
    } else {
        pick(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_is_the_first_line_and_empty_runs_shrink() {
        let (s, b) = split("\n  Тема письма \n\nЗдравствуйте!\n\n\n\nТекст.  \n\n");
        assert_eq!(s, "Тема письма");
        assert_eq!(b, "Здравствуйте!\n\nТекст.\n");
    }

    #[test]
    fn russian_plurals_agree_with_the_number_and_others_take_one_or_many() {
        let mut env = Environment::new();
        env.add_filter("plural", plural);
        let t = "{% for n in [1, 2, 5, 11, 21, 24] %}{{ n }} {{ n|plural('час', 'часа', 'часов') }};{% endfor %}";
        let ru = env.render_str(t, context! { lang => "ru" }).unwrap();
        assert_eq!(ru, "1 час;2 часа;5 часов;11 часов;21 час;24 часа;");
        let en = env
            .render_str(
                "{{ 1|plural('hour', 'hours') }} {{ 21|plural('hour', 'hours') }}",
                context! { lang => "en" },
            )
            .unwrap();
        assert_eq!(en, "hour hours");
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_hole() {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        assert!(
            env.render_str("Здравствуйте, {{ name }}!", context! {})
                .is_err()
        );
    }
}
