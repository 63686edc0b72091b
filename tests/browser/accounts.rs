//! Accounts people manage in the pages, with the mail read from a real SMTP server on loopback:
//! a new patient confirms the address by the link, changes the language (the interface and the
//! next letter follow it), resets a forgotten password, and moves the account to a new address.

use fantoccini::Client;

use crate::driver::{
    Browser, click, element, eventually, fill, select, spawn_app_with, text_containing,
};

#[path = "../api/mail/server.rs"]
#[allow(dead_code)]
mod smtp;

use smtp::SmtpServer;

const PASSWORD: &str = "browser-account-2026";

/// The plain-text body of every message received for `to`, oldest first.
fn letters_to(server: &SmtpServer, to: &str) -> Vec<String> {
    server
        .received()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t.contains(to)))
        .map(|m| {
            let mail = mailparse::parse_mail(&m.raw).expect("a MIME message");
            if mail.subparts.is_empty() {
                mail.get_body().expect("a body")
            } else {
                mail.subparts
                    .iter()
                    .find(|p| p.ctype.mimetype == "text/plain")
                    .expect("a text part")
                    .get_body()
                    .expect("a body")
            }
        })
        .collect()
}

/// Waits for the `nth` letter (0-based) to `to` that carries a `#/{kind}/` link; returns the
/// link's fragment (`#/{kind}/TOKEN`) and the letter.
async fn link_in_letter(server: &SmtpServer, to: &str, kind: &str, nth: usize) -> (String, String) {
    let marker = format!("/#/{kind}/");
    eventually(&format!("letter {nth} with {kind} to {to}"), || {
        let marker = marker.clone();
        let letters = letters_to(server, to);
        async move {
            let letter = letters
                .into_iter()
                .filter(|l| l.contains(&marker))
                .nth(nth)
                .ok_or_else(|| "not arrived yet".to_owned())?;
            let at = letter.find(&marker).unwrap_or_default() + 1;
            let link: String = letter[at..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            Ok((link, letter))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn a_patient_verifies_the_address_changes_language_resets_the_password_and_moves_the_address()
{
    let server = SmtpServer::start().await;
    let port = server.port;
    let app = spawn_app_with(move |s| {
        s.notify.poll_interval_ms = 50;
        s.mail.transport = telemed::config::MailTransport::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = telemed::config::SmtpTls::None;
    })
    .await;
    let url = app.url.clone();
    Browser::start()
        .await
        .run(|c| scenario(c, url, server))
        .await;
}

async fn sign_in(c: &Client, url: &str, email: &str, password: &str) {
    c.goto(&format!("{url}/#/login"))
        .await
        .expect("open #/login");
    fill(c, "#login-email", email).await;
    fill(c, "#login-password", password).await;
    click(c, "#login-form [type=submit]").await;
    element(c, "#me").await;
}

async fn scenario(c: Client, url: String, server: SmtpServer) {
    // Registration in English; the account keeps that language.
    c.goto(&format!("{url}/#/register"))
        .await
        .expect("open #/register");
    select(&c, "#lang-switch", "en").await;
    fill(&c, "#full_name", "Aigerim Account").await;
    let iin = telemed::domain::iin::Iin::numbered(99, 7101)
        .expect("an IIN")
        .to_string();
    fill(&c, "#iin", &iin).await;
    fill(&c, "#email", "aigerim@example.kz").await;
    fill(&c, "#password", PASSWORD).await;
    click(&c, "#register-form [type=submit]").await;
    element(&c, "#form-status[data-status='ok']").await;

    // Signed in but not verified: the account page says booking waits for the address.
    sign_in(&c, &url, "aigerim@example.kz", PASSWORD).await;
    text_containing(&c, "#verify-notice", "aigerim@example.kz").await;
    let (link, letter) = link_in_letter(&server, "aigerim@example.kz", "verify-email", 0).await;
    assert!(letter.starts_with("Dear Aigerim Account"), "{letter}");
    c.goto(&format!("{url}/{link}"))
        .await
        .expect("open the verification link");
    text_containing(&c, "#verify-done", "aigerim@example.kz").await;
    c.goto(&format!("{url}/#/me")).await.expect("open #/me");
    element(&c, "#profile-form").await;
    assert!(
        c.find(fantoccini::Locator::Css("#verify-notice"))
            .await
            .is_err()
    );

    // Kazakh, saved on the account: the interface switches and the next letter is in Kazakh.
    select(&c, "#profile-language", "kk").await;
    click(&c, "#profile-form [type=submit]").await;
    element(&c, "html[lang='kk']").await;
    element(&c, "#profile-form #form-status[data-status='ok']").await;

    // Signed out, the password is forgotten: the link arrives and sets a new one.
    click(&c, "#sign-out").await;
    c.goto(&format!("{url}/#/login"))
        .await
        .expect("open #/login");
    click(&c, "#forgot-link").await;
    fill(&c, "#email", "aigerim@example.kz").await;
    click(&c, "#forgot-form [type=submit]").await;
    element(&c, "#form-status[data-status='ok']").await;
    let (link, letter) = link_in_letter(&server, "aigerim@example.kz", "reset-password", 0).await;
    assert!(
        letter.starts_with("Сәлеметсіз бе"),
        "the reset letter follows the account: {letter}"
    );
    c.goto(&format!("{url}/{link}"))
        .await
        .expect("open the reset link");
    fill(&c, "#password", "a new browser passphrase").await;
    click(&c, "#reset-form [type=submit]").await;
    element(&c, "#reset-done").await;
    // Opened twice, the link is spent.
    c.goto(&format!("{url}/#/")).await.expect("away");
    c.goto(&format!("{url}/{link}"))
        .await
        .expect("open the reset link again");
    fill(&c, "#password", "yet another passphrase").await;
    click(&c, "#reset-form [type=submit]").await;
    element(&c, "#form-status[data-error-code='link_invalid']").await;
    sign_in(&c, &url, "aigerim@example.kz", "a new browser passphrase").await;

    // A new address: confirmed by the link sent there, then the account moves.
    fill(&c, "#email", "aigerim.new@example.kz").await;
    fill(&c, "#email-password", "a new browser passphrase").await;
    click(&c, "#email-form [type=submit]").await;
    element(&c, "#email-form-status[data-status='ok']").await;
    let (link, _) = link_in_letter(&server, "aigerim.new@example.kz", "verify-email", 0).await;
    c.goto(&format!("{url}/{link}"))
        .await
        .expect("open the new address's link");
    text_containing(&c, "#verify-done", "aigerim.new@example.kz").await;
    c.goto(&format!("{url}/#/me")).await.expect("open #/me");
    text_containing(&c, "#me", "aigerim.new@example.kz").await;
    // The sessions list shows this browser's session.
    text_containing(&c, "#sessions", "Chrome").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn a_first_visit_follows_the_browser_s_language() {
    let app = spawn_app_with(|_| {}).await;
    let url = app.url.clone();
    Browser::start_in_language("kk-KZ")
        .await
        .run(|c| async move {
            c.goto(&format!("{url}/")).await.expect("open /");
            element(&c, "html[lang='kk']").await;
            text_containing(&c, "#directory-title", "Медициналық ұйымдар").await;
        })
        .await;
}
