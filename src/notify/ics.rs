//! iCalendar (RFC 5545) invitations for booked consultations, so a mail client puts the
//! appointment into the patient's calendar and moves or removes it when it changes.

use chrono::{DateTime, Utc};

/// RFC 5545 §3.1: content lines longer than this many octets are folded.
const MAX_LINE_OCTETS: usize = 75;

/// The iTIP method (RFC 5546): a new or updated appointment, or its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsMethod {
    Request,
    Cancel,
}

impl IcsMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            IcsMethod::Request => "REQUEST",
            IcsMethod::Cancel => "CANCEL",
        }
    }
}

/// One consultation as a calendar event. `uid` stays the same for the life of the consultation
/// and `sequence` grows with every change, so clients update the event instead of adding one.
#[derive(Debug, Clone)]
pub struct Invitation<'a> {
    pub uid: &'a str,
    pub sequence: i32,
    pub method: IcsMethod,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    pub location_url: &'a str,
    pub organizer_email: &'a str,
    pub organizer_name: &'a str,
    pub attendee_email: &'a str,
    pub attendee_name: &'a str,
    pub stamp: DateTime<Utc>,
}

/// The whole VCALENDAR text: CRLF line ends, lines folded at 75 octets.
pub fn render(inv: &Invitation<'_>) -> String {
    let status = match inv.method {
        IcsMethod::Request => "CONFIRMED",
        IcsMethod::Cancel => "CANCELLED",
    };
    let url = uri(inv.location_url);
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//telemed//telemed//RU".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("METHOD:{}", inv.method.as_str()),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(inv.uid)),
        format!("SEQUENCE:{}", inv.sequence.max(0)),
        format!("DTSTAMP:{}", utc(inv.stamp)),
        format!("DTSTART:{}", utc(inv.start)),
        format!("DTEND:{}", utc(inv.end)),
        format!("SUMMARY:{}", text(inv.summary)),
        format!("DESCRIPTION:{}", text(inv.description)),
        format!("LOCATION:{}", text(inv.location_url)),
        format!("URL:{url}"),
        format!(
            "ORGANIZER;CN={}:mailto:{}",
            param(inv.organizer_name),
            uri(inv.organizer_email)
        ),
        format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{}",
            param(inv.attendee_name),
            uri(inv.attendee_email)
        ),
        format!("STATUS:{status}"),
        "TRANSP:OPAQUE".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// `20261122T093000Z`: UTC needs no VTIMEZONE, and every client converts it to local time.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (§3.3.11): backslash, semicolon, comma and line breaks escaped; other control
/// characters dropped, since no client shows them and some reject the file.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (§3.2): always quoted; a double quote cannot appear inside, so it goes.
fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{clean}\"")
}

/// A URI value is not escaped, but a line break in it would end the content line.
fn uri(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

/// Appends `line` folded (§3.1): at most 75 octets per physical line, continuation lines begin
/// with one space (which counts), and a multi-byte UTF-8 character is never split.
fn fold_into(out: &mut String, line: &str) {
    let mut budget = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > budget {
            out.push_str("\r\n ");
            budget = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The METHOD of a VCALENDAR text, for the `method` parameter of its MIME part.
pub fn method_of(ics: &str) -> Option<&str> {
    ics.split("\r\n")
        .flat_map(|l| l.split('\n'))
        .find_map(|l| l.strip_prefix("METHOD:"))
        .map(str::trim)
        .filter(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn invitation(method: IcsMethod) -> Invitation<'static> {
        Invitation {
            uid: "c0ffee00-0000-4000-8000-000000000001@telemed",
            sequence: 2,
            method,
            start: Utc.with_ymd_and_hms(2026, 11, 24, 4, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 11, 24, 4, 30, 0).unwrap(),
            summary: "Консультация: кардиолог, Городская поликлиника №7",
            description: "Ссылка для входа: https://telemed.example/c/1\nВопросы; звоните, пишите",
            location_url: "https://telemed.example/c/1",
            organizer_email: "no-reply@telemed.example",
            organizer_name: "Городская поликлиника №7",
            attendee_email: "patient@example.kz",
            attendee_name: "Серикова Айгуль \"Маратовна\"",
            stamp: Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap(),
        }
    }

    /// Undoes folding: a CRLF followed by a space joins the lines.
    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    #[test]
    fn a_request_has_the_method_times_in_utc_and_confirmed_status() {
        let ics = render(&invitation(IcsMethod::Request));
        let flat = unfold(&ics);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for expected in [
            "METHOD:REQUEST\r\n",
            "UID:c0ffee00-0000-4000-8000-000000000001@telemed\r\n",
            "SEQUENCE:2\r\n",
            "DTSTART:20261124T040000Z\r\n",
            "DTEND:20261124T043000Z\r\n",
            "DTSTAMP:20261122T093000Z\r\n",
            "STATUS:CONFIRMED\r\n",
            "URL:https://telemed.example/c/1\r\n",
        ] {
            assert!(flat.contains(expected), "{expected:?} missing in\n{flat}");
        }
        assert_eq!(method_of(&ics), Some("REQUEST"));
    }

    #[test]
    fn a_cancellation_says_cancel_and_cancelled_with_the_same_uid() {
        let mut inv = invitation(IcsMethod::Cancel);
        inv.sequence = 3;
        let flat = unfold(&render(&inv));
        assert!(flat.contains("METHOD:CANCEL\r\n"));
        assert!(flat.contains("STATUS:CANCELLED\r\n"));
        assert!(flat.contains("SEQUENCE:3\r\n"));
        assert!(flat.contains("UID:c0ffee00-0000-4000-8000-000000000001@telemed\r\n"));
        assert!(!flat.contains("CONFIRMED"));
    }

    #[test]
    fn every_line_ends_in_crlf_and_has_at_most_75_octets() {
        let ics = render(&invitation(IcsMethod::Request));
        assert!(!ics.replace("\r\n", "").contains('\n'));
        assert!(!ics.replace("\r\n", "").contains('\r'));
        for line in ics.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
    }

    #[test]
    fn a_long_cyrillic_line_folds_at_75_octets_without_splitting_a_character() {
        let summary = "Консультация врача-кардиолога по результатам обследования".repeat(3);
        let mut out = String::new();
        fold_into(&mut out, &format!("SUMMARY:{summary}"));
        let physical: Vec<&str> = out.split_terminator("\r\n").collect();
        assert!(physical.len() > 3);
        // "SUMMARY:" is 8 octets, then 2-octet letters: 8 + 33 * 2 = 74, the 34th would make 76.
        assert_eq!(physical[0].len(), 74);
        for (i, line) in physical.iter().enumerate() {
            assert!(line.len() <= 75, "line {i} has {} octets", line.len());
            if i > 0 {
                assert!(
                    line.starts_with(' '),
                    "continuation {i} starts with a space"
                );
            }
        }
        // Each physical line is valid UTF-8 by itself (str slices would not exist otherwise),
        // and unfolding gives the line back.
        assert_eq!(unfold(&out), format!("SUMMARY:{summary}\r\n"));
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
        assert_eq!(text("bell\u{7}"), "bell");
        let flat = unfold(&render(&invitation(IcsMethod::Request)));
        assert!(flat.contains(
            "DESCRIPTION:Ссылка для входа: https://telemed.example/c/1\\nВопросы\\; звоните\\, пишите\r\n"
        ));
        assert!(flat.contains("ATTENDEE;CN=\"Серикова Айгуль Маратовна\";"));
        assert!(flat.contains(":mailto:patient@example.kz\r\n"));
    }

    #[test]
    fn a_line_break_in_a_url_cannot_inject_a_property() {
        let mut inv = invitation(IcsMethod::Request);
        inv.location_url = "https://x.example/a\r\nATTENDEE:mailto:evil@example.com";
        let flat = unfold(&render(&inv));
        let attendees = flat.split("\r\n").filter(|l| l.starts_with("ATTENDEE"));
        assert_eq!(attendees.count(), 1, "{flat}");
    }

    #[test]
    fn a_negative_sequence_is_never_written() {
        let mut inv = invitation(IcsMethod::Request);
        inv.sequence = -1;
        assert!(unfold(&render(&inv)).contains("SEQUENCE:0\r\n"));
    }
}
