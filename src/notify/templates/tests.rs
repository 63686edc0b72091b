//! Every letter in every language for every recipient it is written for, rendered with strict
//! undefined variables: no empty subject or body, nothing left unrendered, and no file that no
//! letter uses.

use std::collections::BTreeSet;

use super::*;

const LANGS: [&str; 3] = ["ru", "kk", "en"];
const PATIENT_SIDE: [Recipient; 2] = [Recipient::Patient, Recipient::Representative];
const BOOKING_SIDES: [Recipient; 3] = [
    Recipient::Patient,
    Recipient::Representative,
    Recipient::Doctor,
];

fn booking() -> BookingText {
    BookingText {
        patient_name: "Серикова Айгуль Маратовна".into(),
        practitioner_name: "Ахметов Ержан Болатович".into(),
        organization_name: "Городская поликлиника №7".into(),
        start_local: "24.11.2026 10:00 (Asia/Almaty)".into(),
        deadline_local: String::new(),
        mode: "realtime".into(),
        join_url: "https://telemed.example/#/consultations/42".into(),
    }
}

fn deferred() -> BookingText {
    BookingText {
        start_local: String::new(),
        deadline_local: "27.11.2026 10:00 (Asia/Almaty)".into(),
        mode: "deferred".into(),
        ..booking()
    }
}

fn to(recipient: Recipient) -> Addressee<'static> {
    Addressee {
        recipient,
        name: "Адресат {{ name }} Тестовый",
    }
}

fn council_text() -> CouncilText<'static> {
    CouncilText {
        patient_name: "Серикова Айгуль Маратовна",
        initiator_name: "Иванов Сергей Петрович",
        organization_name: "Клиника",
        when: Some("01.12.2026 10:00 (Asia/Almaty)"),
        urgent: true,
        url: "https://telemed.example/#/councils/1",
        cancelled_by: Some("patient"),
    }
}

type Rendered = (String, Recipient, AppResult<(String, String)>);

/// Every letter the services send, for each recipient the services send it to.
fn every_letter(lang: &str) -> Vec<Rendered> {
    let mut out: Vec<Rendered> = Vec::new();
    let mut add = |name: &str, r: Recipient, result| {
        out.push((format!("{lang}/{name}.{}.txt", r.as_str()), r, result))
    };
    let b = booking();
    for r in BOOKING_SIDES {
        add("booking_confirmed", r, booking_confirmed(lang, &to(r), &b));
        add(
            "request_received",
            r,
            request_received(lang, &to(r), &deferred()),
        );
        add("reminder", r, reminder(lang, &to(r), &b, 24));
        let old = "23.11.2026 09:00 (Asia/Almaty)";
        add("rescheduled", r, rescheduled(lang, &to(r), &b, old));
        add(
            "cancelled",
            r,
            cancelled(lang, &to(r), &b, "doctor", "doctor_unavailable"),
        );
        let req = RequestText {
            patient_name: "Серикова Айгуль Маратовна",
            organization_name: "Городская поликлиника №7",
            url: "https://telemed.example/#/consultations/42",
        };
        for update in [RequestUpdate::DocumentsRequested, RequestUpdate::Declined] {
            add(
                update.letter(),
                r,
                request_update(lang, &to(r), update, &req),
            );
        }
        let update = RequestUpdate::ConclusionReady;
        add(
            update.letter(),
            r,
            request_update(lang, &to(r), update, &req),
        );
        if r == Recipient::Doctor {
            let o = Recipient::Organization;
            add(
                update.letter(),
                o,
                request_update(lang, &to(o), update, &req),
            );
        }
    }
    for r in PATIENT_SIDE {
        let url = "https://telemed.example/#/consultations/42/confirm?token=t";
        add(
            "agreement_requested",
            r,
            agreement_requested(lang, &to(r), &b, url),
        );
        let code = consent_code(lang, &to(r), "Серикова Айгуль", "Клиника", "493817", 15);
        add("consent_code", r, code);
    }
    let admin = Recipient::Administrator;
    let breach = deadline_breached(
        lang,
        "c-1",
        "Городская поликлиника №7",
        "urgent",
        "22.11.2026 18:00 (Asia/Almaty)",
        "https://telemed.example/#/queue",
    );
    add("deadline_breached", admin, breach);
    let glass = BreakGlassText {
        doctor_name: "Ахметов Ержан",
        patient_name: "Серикова Айгуль",
        at: "22.11.2026 18:00 (Asia/Almaty)",
        until: "22.11.2026 19:00 (Asia/Almaty)",
        organization_name: "Клиника",
        url: "https://telemed.example/#/break-glass/review",
    };
    add("break_glass", admin, break_glass(lang, &to(admin), &glass));
    let owner = registration_attempt(
        lang,
        "Адресат {{ name }} Тестовый",
        "https://t.example/#/login",
    );
    add("registration_attempt", Recipient::Owner, owner);
    for kind in account_links::tests::every_kind() {
        let url = "https://t.example/#/x/TOKEN";
        let result = account_link(lang, kind, "Адресат {{ name }} Тестовый", url);
        add(kind.letter(), Recipient::Owner, result);
    }
    let c = council_text();
    let council_letters: [(CouncilNotice, &[Recipient]); 7] = [
        (CouncilNotice::AgreementRequested, &PATIENT_SIDE),
        (CouncilNotice::Planned, &PATIENT_SIDE),
        (CouncilNotice::Assigned, &[Recipient::Consultant]),
        (
            CouncilNotice::Reminder(2),
            &[
                Recipient::Patient,
                Recipient::Representative,
                Recipient::Consultant,
            ],
        ),
        (
            CouncilNotice::SignRequested,
            &[Recipient::Doctor, Recipient::Consultant],
        ),
        (CouncilNotice::Final, &PATIENT_SIDE),
        (
            CouncilNotice::Cancelled,
            &[
                Recipient::Patient,
                Recipient::Representative,
                Recipient::Doctor,
                Recipient::Consultant,
            ],
        ),
    ];
    for (notice, recipients) in council_letters {
        for &r in recipients {
            add(notice.letter(), r, council(lang, &to(r), notice, &c));
        }
    }
    out
}

#[test]
fn every_letter_renders_in_every_language_for_every_recipient() {
    let mut rendered = BTreeSet::new();
    for lang in LANGS {
        for (file, recipient, result) in every_letter(lang) {
            let (subject, body) = result.unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert!(
                !subject.trim().is_empty() && !body.trim().is_empty(),
                "{file}"
            );
            assert!(!subject.contains('\n'), "{file}: the subject is one line");
            assert!(
                !subject.ends_with(':') && !subject.contains(":  "),
                "{file}: {subject}"
            );
            for mark in ["{{", "}}", "{%", "%}", "{#"] {
                // The names given carry `{{ name }}` on purpose: a value is never read as
                // template source.
                let subject = subject.replace("{{ name }}", "");
                let body = body.replace("{{ name }}", "");
                assert!(
                    !subject.contains(mark) && !body.contains(mark),
                    "{file}: {mark}"
                );
            }
            let greets = !matches!(
                recipient,
                Recipient::Administrator | Recipient::Organization
            ) || file.contains("break_glass");
            if greets {
                assert!(
                    body.contains("Адресат {{ name }} Тестовый"),
                    "{file} greets the addressee"
                );
            }
            // A one-time code is the whole point of its letter; every other letter links to
            // the page where the reader acts.
            if !file.contains("consent_code") {
                assert!(body.contains("https://"), "{file} links to the platform");
            }
            rendered.insert(file);
        }
    }
    let files: BTreeSet<String> = engine::letter_files().into_iter().collect();
    let unused: Vec<_> = files.difference(&rendered).collect();
    assert!(unused.is_empty(), "letter files no letter uses: {unused:?}");
}

#[test]
fn each_language_and_each_recipient_has_its_own_text() {
    let (ru, kk, en) = (every_letter("ru"), every_letter("kk"), every_letter("en"));
    for i in 0..ru.len() {
        let texts = [&ru[i].2, &kk[i].2, &en[i].2].map(|r| r.as_ref().expect("rendered").clone());
        assert_ne!(texts[0], texts[1], "{}", ru[i].0);
        assert_ne!(texts[0], texts[2], "{}", ru[i].0);
        let greeting = ["Здравствуйте", "Сәлеметсіз бе", ""];
        for (t, g) in texts.iter().zip(greeting) {
            assert!(t.1.starts_with(g), "{}: {}", ru[i].0, t.1);
        }
    }
    // One letter, three recipients, three texts.
    let b = booking();
    let [p, r, d] = BOOKING_SIDES.map(|who| booking_confirmed("ru", &to(who), &b).unwrap());
    assert!(p != r && p != d && r != d);
}

#[test]
fn the_language_is_chosen_by_its_primary_tag_and_defaults_to_russian() {
    assert_eq!(language("kk"), Language::Kk);
    assert_eq!(language("kk-KZ"), Language::Kk);
    assert_eq!(language("EN_us"), Language::En);
    assert_eq!(language("de"), Language::Ru);
    assert_eq!(language(""), Language::Ru);
    let who = to(Recipient::Patient);
    assert_eq!(
        booking_confirmed("fr", &who, &booking()).unwrap(),
        booking_confirmed("ru", &who, &booking()).unwrap()
    );
}

#[test]
fn the_doctors_copy_is_written_for_the_doctor() {
    let doctor = Addressee {
        recipient: Recipient::Doctor,
        name: "Ахметов Ержан Болатович",
    };
    for lang in LANGS {
        let (_, body) = booking_confirmed(lang, &doctor, &booking()).unwrap();
        let greeting = body.lines().next().unwrap_or_default();
        assert!(
            greeting.contains("Ахметов Ержан Болатович"),
            "{lang}: {greeting}"
        );
        assert!(
            body.contains("Серикова Айгуль Маратовна"),
            "{lang}: names the patient"
        );
    }
    let (_, ru) = booking_confirmed("ru", &doctor, &booking()).unwrap();
    assert!(
        !ru.contains("Ваша запись") && !ru.contains("отмените запись"),
        "{ru}"
    );
    let (_, en) = booking_confirmed("en", &doctor, &booking()).unwrap();
    assert!(
        !en.contains("Your remote consultation") && !en.contains("cancel the booking"),
        "{en}"
    );
}

#[test]
fn a_deferred_request_has_a_whole_subject_and_its_deadline() {
    for lang in LANGS {
        for r in BOOKING_SIDES {
            let (subject, body) = request_received(lang, &to(r), &deferred()).unwrap();
            assert!(
                subject.contains("Городская поликлиника №7"),
                "{lang}: {subject}"
            );
            assert!(
                body.contains("27.11.2026 10:00 (Asia/Almaty)"),
                "{lang}: {body}"
            );
            let no_clock = BookingText {
                deadline_local: String::new(),
                ..deferred()
            };
            let (_, body) = request_received(lang, &to(r), &no_clock).unwrap();
            assert!(
                !body.contains(" : ") && !body.contains(":\n\n"),
                "{lang}: {body}"
            );
        }
        let (subject, _) = cancelled(
            lang,
            &to(Recipient::Patient),
            &deferred(),
            "patient",
            "other",
        )
        .unwrap();
        assert!(!subject.contains("  "), "{lang}: {subject}");
    }
}

#[test]
fn art_15_a_cancellation_says_who_cancelled_and_why_by_its_code() {
    let p = to(Recipient::Patient);
    let (_, ru) = cancelled("ru", &p, &booking(), "patient", "patient_request").unwrap();
    assert!(ru.contains("Кто отменил: пациент"), "{ru}");
    assert!(ru.contains("по просьбе пациента"), "{ru}");
    assert!(
        ru.contains("https://telemed.example/#/consultations/42"),
        "{ru}"
    );
    let (_, kk) = cancelled("kk", &p, &booking(), "practitioner", "other_code").unwrap();
    assert!(kk.contains("дәрігер"), "{kk}");
    assert!(
        kk.contains("other_code"),
        "unknown codes are shown as given: {kk}"
    );
    for code in crate::domain::consultation::REASON_CODES {
        for lang in LANGS {
            let (_, body) = cancelled(lang, &p, &booking(), "doctor", code).unwrap();
            assert!(
                !body.contains(&format!(": {code}\n")),
                "{lang}: {code} has no text"
            );
        }
    }
}

#[test]
fn russian_hours_agree_with_the_number() {
    let (b, p) = (booking(), to(Recipient::Patient));
    let body = |lang, h| reminder(lang, &p, &b, h).unwrap().1;
    assert!(body("ru", 1).contains("через 1 час "));
    assert!(body("ru", 2).contains("через 2 часа "));
    assert!(body("ru", 24).contains("через 24 часа "));
    assert!(body("ru", 11).contains("через 11 часов "));
    assert!(body("en", 1).contains("in 1 hour "));
    assert!(body("en", 3).contains("in 3 hours "));
    let (s, _) = council("en", &p, CouncilNotice::Reminder(2), &council_text()).unwrap();
    assert_eq!(s, "Council in 2 hours — Клиника");
}
