//! Demo data: two organisations in different time zones, doctors of several specialties with
//! schedules, patients, a representative and administrators. Loaded on the first start with the
//! embedded defaults and by `telemed demo`; never by the production profile.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::practitioners::{ProfileInput, SpecialtyExperience};
use super::{Context, passwords};
use crate::db::models::{OfferVersionRow, OrganizationRow, RepresentationRow, UserRow};
use crate::db::schema::{offer_versions, organizations, representations, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Role;
use crate::domain::iin::Iin;
use crate::domain::schedule::{DayOff, WeeklyInterval};
use crate::error::{AppError, AppResult};

/// The password of every demo account. Demo data exists only outside production.
pub const DEMO_PASSWORD: &str = "demo-telemed-2026";

/// Demo logins, as listed in the README: (e-mail, who it is).
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("operator@demo.telemed.kz", "platform operator"),
    ("admin.almaty@demo.telemed.kz", "organisation admin, Almaty"),
    ("admin.aqtobe@demo.telemed.kz", "organisation admin, Aqtobe"),
    ("support.almaty@demo.telemed.kz", "patient support, Almaty"),
    ("cardio@demo.telemed.kz", "doctor (cardiology), Almaty"),
    (
        "therapist@demo.telemed.kz",
        "doctor (therapy), Almaty: treats patient@ (try a council)",
    ),
    ("neuro@demo.telemed.kz", "doctor (neurology), Almaty"),
    ("pediatr@demo.telemed.kz", "doctor (pediatrics), Almaty"),
    (
        "cardio.aqtobe@demo.telemed.kz",
        "doctor (cardiology), Aqtobe",
    ),
    ("pulmo@demo.telemed.kz", "doctor (pulmonology), Aqtobe"),
    ("radio@demo.telemed.kz", "doctor (radiology), Aqtobe"),
    (
        "gastro@demo.telemed.kz",
        "doctor (gastroenterology), Aqtobe",
    ),
    ("patient@demo.telemed.kz", "patient"),
    ("patient2@demo.telemed.kz", "patient (a child)"),
    ("parent@demo.telemed.kz", "legal representative of patient2"),
];

const ALMATY_LICENCE: &str = "DEMO-KZ-19003AB";

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Loaded,
    AlreadyPresent,
}

/// Whether the database has no organisation at all: a first start.
pub async fn is_empty(ctx: &Context) -> AppResult<bool> {
    ctx.db
        .run(|conn| {
            let n: i64 = organizations::table.count().get_result(conn)?;
            Ok(n == 0)
        })
        .await
}

pub async fn load(ctx: &Context) -> AppResult<Outcome> {
    let hash = passwords::hash(DEMO_PASSWORD.to_owned()).await?;
    let now = super::accounts::now_naive(ctx);
    let today = ctx.clock.now().date_naive();
    ctx.db
        .run(move |conn| write_tx(conn, |conn| seed(conn, &hash, now, today)))
        .await
}

struct Doctor {
    email: &'static str,
    name: &'static str,
    iin11: &'static str,
    position: &'static str,
    specialties: &'static [(&'static str, i32)],
    category: &'static str,
    degree: &'static str,
}

fn seed(
    conn: &mut DbConnection,
    hash: &str,
    now: NaiveDateTime,
    today: NaiveDate,
) -> AppResult<Outcome> {
    let present: i64 = organizations::table
        .filter(organizations::licence_number.eq(ALMATY_LICENCE))
        .count()
        .get_result(conn)?;
    if present > 0 {
        return Ok(Outcome::AlreadyPresent);
    }
    let almaty = organization(
        conn,
        now,
        &DemoOrg {
            licence: ALMATY_LICENCE,
            email: "info.almaty@demo.telemed.kz",
            name: "Городская поликлиника №7 (демо)",
            address: "г. Алматы, пр. Абая, 120",
            phone: "+7 727 300 00 07",
            zone: "Asia/Almaty",
            profiles: &[
                "therapy",
                "cardiology",
                "neurology",
                "endocrinology",
                "pediatrics",
                "radiology",
            ],
            paid: false,
        },
    )?;
    let aqtobe = organization(
        conn,
        now,
        &DemoOrg {
            licence: "DEMO-KZ-04117CD",
            email: "info.aqtobe@demo.telemed.kz",
            name: "Актюбинский областной медицинский центр (демо)",
            address: "г. Актобе, ул. Маресьева, 4",
            phone: "+7 7132 55 00 00",
            zone: "Asia/Aqtobe",
            profiles: &[
                "cardiology",
                "pulmonology",
                "neurology",
                "radiology",
                "gastroenterology",
            ],
            paid: true,
        },
    )?;
    let person = |conn: &mut DbConnection,
                  email: &str,
                  name: &str,
                  iin11: &str,
                  role: Role,
                  org: Option<&str>| {
        let iin = Iin::complete(iin11).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("demo IIN {iin11} has no check digit"))
        })?;
        let row = UserRow {
            id: new_id(),
            email: email.to_owned(),
            password_hash: hash.to_owned(),
            full_name: name.to_owned(),
            iin: iin.as_str().to_owned(),
            role: role.as_str().to_owned(),
            organization_id: org.map(str::to_owned),
            language: "ru".to_owned(),
            created_at: now,
        };
        // Demo addresses receive no mail: they count as confirmed, so every flow works at once.
        diesel::insert_into(users::table)
            .values((&row, users::email_verified_at.eq(Some(now))))
            .execute(conn)?;
        Ok::<_, AppError>(row.id)
    };
    person(
        conn,
        "operator@demo.telemed.kz",
        "Оператор платформы",
        "80010130001",
        Role::PlatformAdmin,
        None,
    )?;
    person(
        conn,
        "admin.almaty@demo.telemed.kz",
        "Сейткали Жанар Болатовна",
        "81020240002",
        Role::OrgAdmin,
        Some(&almaty),
    )?;
    person(
        conn,
        "admin.aqtobe@demo.telemed.kz",
        "Утепов Ерлан Маратович",
        "82030350003",
        Role::OrgAdmin,
        Some(&aqtobe),
    )?;
    person(
        conn,
        "support.almaty@demo.telemed.kz",
        "Ким Алина Сергеевна",
        "93040440004",
        Role::Support,
        Some(&almaty),
    )?;
    let patient = person(
        conn,
        "patient@demo.telemed.kz",
        "Нурланов Асет Канатович",
        "90050530005",
        Role::Patient,
        None,
    )?;
    let child = person(
        conn,
        "patient2@demo.telemed.kz",
        "Жумабаева Айя Даулетовна",
        "15060660006",
        Role::Patient,
        None,
    )?;
    let parent = person(
        conn,
        "parent@demo.telemed.kz",
        "Жумабаева Динара Ериковна",
        "88070740007",
        Role::Representative,
        None,
    )?;
    diesel::insert_into(representations::table)
        .values(&RepresentationRow {
            id: new_id(),
            representative_id: parent,
            patient_id: child,
            basis: "Свидетельство о рождении (демо)".into(),
            created_at: now,
        })
        .execute(conn)?;

    let doctors = [
        (
            &almaty,
            Doctor {
                email: "cardio@demo.telemed.kz",
                name: "Ахметова Гульнара Сериковна",
                iin11: "75010140011",
                position: "Врач-кардиолог",
                specialties: &[("cardiology", 18)],
                category: "высшая",
                degree: "кандидат медицинских наук",
            },
        ),
        (
            &almaty,
            Doctor {
                email: "therapist@demo.telemed.kz",
                name: "Иванов Сергей Петрович",
                iin11: "79020250012",
                position: "Врач-терапевт",
                specialties: &[("therapy", 12), ("general_practice", 9)],
                category: "первая",
                degree: "",
            },
        ),
        (
            &almaty,
            Doctor {
                email: "neuro@demo.telemed.kz",
                name: "Бекова Сауле Нурлановна",
                iin11: "83030360013",
                position: "Врач-невролог",
                specialties: &[("neurology", 10)],
                category: "высшая",
                degree: "",
            },
        ),
        (
            &almaty,
            Doctor {
                email: "pediatr@demo.telemed.kz",
                name: "Омарова Асель Ержановна",
                iin11: "86040460014",
                position: "Врач-педиатр",
                specialties: &[("pediatrics", 7)],
                category: "вторая",
                degree: "",
            },
        ),
        (
            &aqtobe,
            Doctor {
                email: "cardio.aqtobe@demo.telemed.kz",
                name: "Тулегенов Марат Асхатович",
                iin11: "70050540015",
                position: "Заведующий кардиологическим отделением",
                specialties: &[("cardiology", 25)],
                category: "высшая",
                degree: "доктор медицинских наук",
            },
        ),
        (
            &aqtobe,
            Doctor {
                email: "pulmo@demo.telemed.kz",
                name: "Смагулова Айгерим Талгатовна",
                iin11: "84060650016",
                position: "Врач-пульмонолог",
                specialties: &[("pulmonology", 11)],
                category: "первая",
                degree: "",
            },
        ),
        (
            &aqtobe,
            Doctor {
                email: "radio@demo.telemed.kz",
                name: "Петров Алексей Викторович",
                iin11: "77070730017",
                position: "Врач-рентгенолог",
                specialties: &[("radiology", 20)],
                category: "высшая",
                degree: "",
            },
        ),
        (
            &aqtobe,
            Doctor {
                email: "gastro@demo.telemed.kz",
                name: "Каримов Данияр Бауыржанович",
                iin11: "88080830018",
                position: "Врач-гастроэнтеролог",
                specialties: &[("gastroenterology", 6)],
                category: "",
                degree: "",
            },
        ),
    ];
    // Holidays of Kazakhstan after today, so the schedule shows real exceptions.
    let year = today.year();
    let holidays: Vec<(NaiveDate, &str)> = [
        (12, 16, "День Независимости"),
        (1, 1, "Новый год"),
        (3, 22, "Наурыз мейрамы"),
    ]
    .into_iter()
    .filter_map(|(m, d, why)| {
        let this = NaiveDate::from_ymd_opt(year, m, d)?;
        let date = if this > today {
            this
        } else {
            NaiveDate::from_ymd_opt(year + 1, m, d)?
        };
        Some((date, why))
    })
    .collect();
    // Art. 24: each organisation's council lists, one per profile, in the order of the directory.
    let mut lists: Vec<(String, &str, Vec<String>)> = Vec::new();
    let mut treating = None;
    for (i, (org, d)) in doctors.iter().enumerate() {
        let user_id = person(conn, d.email, d.name, d.iin11, Role::Doctor, Some(org))?;
        let profile = ProfileInput {
            position: d.position.into(),
            specialties: d
                .specialties
                .iter()
                .map(|(code, years)| SpecialtyExperience {
                    code: (*code).into(),
                    experience_years: *years,
                })
                .collect(),
            qualification_category: d.category.into(),
            academic_degree: d.degree.into(),
            translations: None,
        }
        .validate()?;
        let pid = super::practitioners::insert_profile(conn, &user_id, org, &profile, now)?;
        if d.email == "therapist@demo.telemed.kz" {
            treating = Some((pid.clone(), (*org).clone()));
        }
        // Alternate morning and afternoon shifts so the directory shows varied schedules.
        let (start, end) = if i % 2 == 0 {
            ("09:00", "13:00")
        } else {
            ("14:00", "18:00")
        };
        let weekdays: &[i32] = if i % 3 == 0 {
            &[1, 2, 3, 4, 5]
        } else {
            &[1, 3, 5, 6]
        };
        let intervals: Vec<_> = weekdays
            .iter()
            .map(|w| WeeklyInterval {
                weekday: *w,
                starts: hhmm(start),
                ends: hhmm(end),
            })
            .collect();
        let days_off: Vec<_> = holidays
            .iter()
            .map(|(day, why)| DayOff {
                day: *day,
                reason: (*why).into(),
            })
            .collect();
        super::practitioners::insert_schedule(conn, &pid, &intervals, &days_off)?;
        for (code, _) in d.specialties {
            match lists.iter_mut().find(|(o, c, _)| o == *org && c == code) {
                Some((_, _, ids)) => ids.push(pid.clone()),
                None => lists.push(((*org).clone(), code, vec![pid.clone()])),
            }
        }
    }
    for (org, specialty, ids) in &lists {
        super::councils::lists::replace(conn, org, specialty, ids)?;
    }
    if let Some((practitioner, org)) = treating {
        treated_by_therapist(conn, &patient, &practitioner, &org, now)?;
    }
    super::demo_texts::translate(conn)?;
    Ok(Outcome::Loaded)
}

/// The demo patient's booked visit to the therapist, so the therapist treats them (art. 35) and
/// the README's council walkthrough works from the first start: a doctor calls a council only
/// on a patient they treat.
fn treated_by_therapist(
    conn: &mut DbConnection,
    patient: &str,
    practitioner: &str,
    org: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    use crate::db::models::ConsultationRow;
    use crate::db::schema::consultations;
    let start = (now.date() + chrono::Duration::days(7))
        .and_hms_opt(4, 0, 0)
        .unwrap_or(now);
    let id = new_id();
    diesel::insert_into(consultations::table)
        .values(&ConsultationRow {
            ics_uid: format!("{id}@telemed"),
            id,
            organization_id: org.to_owned(),
            practitioner_id: Some(practitioner.to_owned()),
            patient_id: patient.to_owned(),
            booked_by: patient.to_owned(),
            initiative: "patient".into(),
            status: "booked".into(),
            mode: "realtime".into(),
            urgency: "planned".into(),
            specialty: Some("therapy".into()),
            slot_start: Some(start),
            slot_end: Some(start + chrono::Duration::minutes(30)),
            reason: "Плановый осмотр (демо)".into(),
            funding: "gobmp".into(),
            price_kzt: None,
            requested_at: now,
            clock_started_at: Some(now),
            deadline_at: None,
            breached_at: None,
            confirm_token_hash: None,
            ics_sequence: 0,
            cancelled_at: None,
            completed_at: None,
            created_at: now,
            updated_at: now,
            started_at: None,
            ended_at: None,
            held_by: None,
            patient_agreed_at: Some(now),
        })
        .execute(conn)?;
    Ok(())
}

fn hhmm(s: &str) -> chrono::NaiveTime {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").unwrap_or_default()
}

struct DemoOrg {
    licence: &'static str,
    email: &'static str,
    name: &'static str,
    address: &'static str,
    phone: &'static str,
    zone: &'static str,
    profiles: &'static [&'static str],
    paid: bool,
}

fn organization(conn: &mut DbConnection, now: NaiveDateTime, org: &DemoOrg) -> AppResult<String> {
    let paid = org.paid;
    let price_list = if paid {
        r#"[{"service":"Дистанционная консультация специалиста","price_kzt":8000},{"service":"Интерпретация результатов исследования","price_kzt":12000},{"service":"Второе мнение","price_kzt":15000}]"#
    } else {
        "[]"
    };
    let row = OrganizationRow {
        id: new_id(),
        name: org.name.into(),
        address: org.address.into(),
        phone: org.phone.into(),
        email: org.email.into(),
        licence_number: org.licence.into(),
        licensed_profiles: serde_json::to_string(org.profiles).map_err(anyhow::Error::from)?,
        service_kinds: r#"["realtime","deferred","council"]"#.into(),
        gobmp: !paid,
        osms: true,
        time_zone: org.zone.into(),
        consultation_minutes: 30,
        urgent_deadline_hours: if paid { 6 } else { 3 },
        planned_deadline_hours: 72,
        paid,
        price_list: price_list.into(),
        payment_procedure: if paid { "Оплата картой на сайте до начала консультации или по счёту для организаций.".into() } else { String::new() },
        consent_procedure: "Информированное согласие оформляется в личном кабинете нажатием кнопки или кодом из письма.".into(),
        anonymous_consultation: "Анонимная консультация возможна по телефону службы поддержки без передачи персональных данных.".into(),
        identification_procedure: "Вход по адресу электронной почты и паролю; личность подтверждается по ИИН.".into(),
        conclusion_procedure: "Заключение подписывается ЭЦП врача и доступно в личном кабинете и паспорте здоровья.".into(),
        // The size limit is not written here: the pages state the one uploads are held to.
        document_requirements: "PDF, JPEG, PNG, DICOM; снимки — в исходном качестве.".into(),
        offer_acceptance: "Акцепт оферты нажатием кнопки «Принимаю» или вводом кода из электронного письма.".into(),
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(organizations::table)
        .values(&row)
        .execute(conn)?;
    let body = format!(
        "Публичная оферта {} на оказание дистанционных медицинских услуг. \
         Акцептуя оферту, пациент соглашается на получение консультации с использованием \
         информационно-коммуникационных технологий в соответствии с Правилами организации, \
         оказания и оплаты дистанционных медицинских услуг.",
        org.name
    );
    use sha2::Digest;
    diesel::insert_into(offer_versions::table)
        .values(&OfferVersionRow {
            id: new_id(),
            organization_id: row.id.clone(),
            version: 1,
            sha256: hex::encode(sha2::Sha256::digest(body.as_bytes())),
            body,
            published_at: now,
        })
        .execute(conn)?;
    Ok(row.id)
}
