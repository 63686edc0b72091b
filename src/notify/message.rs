//! Turning an outbox row into a MIME message.
//!
//! With an invitation the structure is the one calendar clients look for:
//! `multipart/mixed` { `multipart/alternative` { text/plain, text/calendar; method=… },
//! `invite.ics` as an attachment for clients that ignore the inline part }.

use anyhow::Context as _;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};

use super::ics;
use crate::db::models::OutboxRow;

/// The Message-ID of a row: the same on every try, so a receiver can recognise a repeat.
pub fn message_id(row_id: &str, from: &Mailbox) -> String {
    format!("<{row_id}@{}>", from.email.domain())
}

pub fn build(row: &OutboxRow, from: &Mailbox, message_id: &str) -> anyhow::Result<Message> {
    let to: Mailbox = row
        .recipient
        .parse()
        .context("the recipient is not an e-mail address")?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(one_line(&row.subject))
        .message_id(Some(message_id.to_owned()));
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(row.body.clone());
    let message = match &row.ics {
        None => builder.singlepart(text),
        Some(ics_text) => {
            let method = ics::method_of(ics_text).unwrap_or("REQUEST");
            let calendar_type =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .context("calendar content type")?;
            // Base64 keeps the folded lines and their CRLF exactly as rendered.
            let calendar_body =
                Body::new_with_encoding(ics_text.clone(), ContentTransferEncoding::Base64)
                    .map_err(|_| anyhow::anyhow!("the invitation cannot be encoded"))?;
            let inline = SinglePart::builder()
                .header(calendar_type)
                .body(calendar_body.clone());
            let attachment = Attachment::new("invite.ics".to_owned()).body(
                calendar_body,
                ContentType::parse("application/ics").context("attachment content type")?,
            );
            builder.multipart(
                MultiPart::mixed()
                    .multipart(MultiPart::alternative().singlepart(text).singlepart(inline))
                    .singlepart(attachment),
            )
        }
    };
    message.context("building the message")
}

/// A subject is one header line; a line break in it would start a new header.
fn one_line(subject: &str) -> String {
    subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ics: Option<&str>) -> OutboxRow {
        let t = chrono::DateTime::UNIX_EPOCH.naive_utc();
        OutboxRow {
            id: "0b7e2c1a-0000-4000-8000-000000000001".into(),
            dedupe_key: "k".into(),
            consultation_id: None,
            recipient: "patient@example.kz".into(),
            subject: "Запись подтверждена\r\nBcc: evil@example.com".into(),
            body: "Здравствуйте!".into(),
            ics: ics.map(str::to_owned),
            status: "sending".into(),
            attempts: 0,
            due_at: t,
            lease_until: None,
            last_error: None,
            provider_id: None,
            created_at: t,
            sent_at: None,
        }
    }

    fn from() -> Mailbox {
        "telemed <no-reply@telemed.example>".parse().unwrap()
    }

    #[test]
    fn the_message_id_is_stable_and_in_the_senders_domain() {
        assert_eq!(
            message_id("abc", &from()),
            "<abc@telemed.example>".to_owned()
        );
    }

    #[test]
    fn a_line_break_in_the_subject_cannot_add_a_header() {
        let raw = build(&row(None), &from(), "<x@telemed.example>")
            .unwrap()
            .formatted();
        let head = String::from_utf8_lossy(&raw);
        let head = head.split("\r\n\r\n").next().unwrap();
        assert!(!head.lines().any(|l| l.starts_with("Bcc:")), "{head}");
    }

    #[test]
    fn an_invitation_is_a_calendar_part_with_its_method() {
        let ics = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n";
        let raw = build(&row(Some(ics)), &from(), "<x@telemed.example>")
            .unwrap()
            .formatted();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/calendar; charset=utf-8; method=CANCEL"));
        assert!(text.contains("invite.ics"));
    }
}
