//! Organisations of other regions beside the two of the demo, each with its published offer,
//! an administrator and a support desk; and the demo set moved back to before the history the
//! run writes, so that nothing happens at an organisation before it existed.

use chrono::Duration;
use diesel::prelude::*;
use rand::Rng;
use rand::seq::SliceRandom;
use sha2::Digest;

use super::Scale;
use super::batch::insert_all;
use super::world::Org;
use crate::db::models::{OfferVersionRow, OrganizationRow};
use crate::db::schema::{offer_versions, organizations, practitioners, users};
use crate::db::{DbConnection, write_tx};
use crate::error::AppResult;

/// (city, zone, phone code).
const CITIES: &[(&str, &str, &str)] = &[
    ("Астана", "Asia/Almaty", "7172"),
    ("Шымкент", "Asia/Almaty", "7252"),
    ("Караганда", "Asia/Almaty", "7212"),
    ("Усть-Каменогорск", "Asia/Almaty", "7232"),
    ("Павлодар", "Asia/Almaty", "7182"),
    ("Костанай", "Asia/Qostanay", "7142"),
    ("Кызылорда", "Asia/Qyzylorda", "7242"),
    ("Уральск", "Asia/Oral", "7112"),
    ("Атырау", "Asia/Atyrau", "7122"),
    ("Актау", "Asia/Aqtau", "7292"),
    ("Тараз", "Asia/Almaty", "7262"),
    ("Петропавловск", "Asia/Almaty", "7152"),
    ("Семей", "Asia/Almaty", "7222"),
    ("Туркестан", "Asia/Almaty", "72533"),
    ("Талдыкорган", "Asia/Almaty", "7282"),
    ("Кокшетау", "Asia/Almaty", "7162"),
];
const KINDS: &[&str] = &[
    "Городская поликлиника №",
    "Многопрофильная областная больница №",
    "Консультативно-диагностический центр №",
    "Центр семейного здоровья №",
];
const STREETS: &[&str] = &[
    "пр. Абая",
    "ул. Толе би",
    "ул. Сатпаева",
    "ул. Жибек Жолы",
    "пр. Республики",
    "ул. Кунаева",
    "ул. Байтурсынова",
    "ул. Ауэзова",
    "ул. Момышулы",
    "ул. Гагарина",
];
/// Profiles every organisation holds, and those it may add.
const BASE_PROFILES: &[&str] = &["therapy", "general_practice"];
const MORE_PROFILES: &[&str] = &[
    "pediatrics",
    "cardiology",
    "neurology",
    "endocrinology",
    "pulmonology",
    "gastroenterology",
    "obstetrics_gynecology",
    "oncology",
    "dermatology",
    "ophthalmology",
    "otorhinolaryngology",
    "radiology",
    "functional_diagnostics",
    "rehabilitation",
];

impl Scale {
    pub(super) fn create_organizations(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let since = self.history_start() - Duration::days(30);
        backdate_demo(conn, since.naive_utc())?;
        let mut rows = Vec::new();
        let mut offers = Vec::new();
        for n in 1..=self.counts.organizations as usize {
            let (row, offer) = self.organization(n, since);
            let prices: Vec<crate::domain::organization::PriceItem> =
                serde_json::from_str(&row.price_list).unwrap_or_default();
            self.world.orgs.push(Org {
                id: row.id.as_str().into(),
                name: row.name.clone(),
                zone: row.time_zone.parse().unwrap_or(chrono_tz::Asia::Almaty),
                minutes: i64::from(row.consultation_minutes),
                urgent_hours: i64::from(row.urgent_deadline_hours),
                planned_hours: i64::from(row.planned_deadline_hours),
                gobmp: row.gobmp,
                paid: row.paid,
                price: prices.first().map(|p| p.price_kzt),
                profiles: serde_json::from_str(&row.licensed_profiles).unwrap_or_default(),
                offer_version: offer.version,
                offer_sha256: offer.sha256.clone(),
                staff: Vec::new(),
                weight: 1,
            });
            rows.push(row);
            offers.push(offer);
        }
        let written = write_tx(conn, |conn| {
            Ok::<_, crate::error::AppError>((
                insert_all!(conn, organizations::table, rows, 26),
                insert_all!(conn, offer_versions::table, offers, 6),
            ))
        })?;
        self.count("organizations", written.0);
        self.count("offer_versions", written.1);
        self.say(&format!("organizations {}", written.0));
        Ok(())
    }

    fn organization(
        &mut self,
        n: usize,
        since: chrono::DateTime<chrono::Utc>,
    ) -> (OrganizationRow, OfferVersionRow) {
        let (city, zone, code) = CITIES[(n - 1) % CITIES.len()];
        let kind = self.pick(KINDS).to_owned();
        let street = self.pick(STREETS).to_owned();
        let paid = n % 3 == 0;
        let mut profiles: Vec<&str> = BASE_PROFILES.to_vec();
        let mut more = MORE_PROFILES.to_vec();
        more.shuffle(&mut self.rng);
        let extra = self.rng.gen_range(4..=8);
        profiles.extend(more.into_iter().take(extra));
        let name = format!("{kind}{}, г. {city} (демо)", self.rng.gen_range(1..=12));
        let price_list = if paid {
            let base = self.rng.gen_range(6..=12) * 1000;
            serde_json::json!([
                {"service": "Дистанционная консультация специалиста", "price_kzt": base},
                {"service": "Интерпретация результатов исследования", "price_kzt": base + 4000},
                {"service": "Второе мнение", "price_kzt": base + 7000},
            ])
            .to_string()
        } else {
            "[]".to_owned()
        };
        let at = since - Duration::days(self.rng.gen_range(0..300));
        let id = self.id().to_string();
        let row = OrganizationRow {
            id: id.clone(),
            name: name.clone(),
            address: format!("г. {city}, {street}, {}", self.rng.gen_range(1..=200)),
            phone: format!(
                "+7 {code} {:02} {:02} {:02}",
                n % 100,
                self.rng.gen_range(10..99),
                self.rng.gen_range(10..99)
            ),
            email: format!("info.org{n}@{}", super::EMAIL_DOMAIN),
            licence_number: format!("SCALE-KZ-{n:05}"),
            licensed_profiles: serde_json::json!(profiles).to_string(),
            service_kinds: r#"["realtime","deferred","council"]"#.into(),
            gobmp: !paid,
            osms: true,
            time_zone: zone.into(),
            consultation_minutes: *self.pick(&[20, 30, 30, 40]),
            urgent_deadline_hours: *self.pick(&[3, 4, 6]),
            planned_deadline_hours: *self.pick(&[48, 72, 72]),
            paid,
            price_list,
            payment_procedure: if paid {
                "Оплата картой до начала консультации или по счёту для организаций.".into()
            } else {
                String::new()
            },
            consent_procedure: "Информированное согласие оформляется в личном кабинете.".into(),
            anonymous_consultation: "Анонимная консультация возможна по телефону службы поддержки."
                .into(),
            identification_procedure:
                "Вход по электронной почте и паролю; личность подтверждается по ИИН.".into(),
            conclusion_procedure:
                "Заключение подписывается ЭЦП врача и доступно в личном кабинете.".into(),
            document_requirements: "PDF, JPEG, PNG, DICOM.".into(),
            offer_acceptance: "Акцепт оферты нажатием кнопки «Принимаю» или кодом из письма."
                .into(),
            created_at: at.naive_utc(),
            updated_at: at.naive_utc(),
        };
        let body = format!(
            "Публичная оферта {name} на оказание дистанционных медицинских услуг. Акцептуя \
             оферту, пациент соглашается на получение консультации с использованием \
             информационно-коммуникационных технологий."
        );
        let offer = OfferVersionRow {
            id: self.id().to_string(),
            organization_id: id,
            version: 1,
            sha256: hex::encode(sha2::Sha256::digest(body.as_bytes())),
            body,
            published_at: at.naive_utc(),
        };
        (row, offer)
    }
}

/// The demo organisations, their offers and their people existed before the history: their
/// creation times move back to `since` (only ever earlier).
fn backdate_demo(conn: &mut DbConnection, since: chrono::NaiveDateTime) -> AppResult<()> {
    const DEMO: &str = "%@demo.telemed.kz";
    write_tx(conn, |conn| {
        let demo_orgs = organizations::table
            .filter(organizations::email.like(DEMO))
            .select(organizations::id);
        diesel::update(offer_versions::table)
            .filter(offer_versions::organization_id.eq_any(demo_orgs))
            .filter(offer_versions::published_at.gt(since))
            .set(offer_versions::published_at.eq(since))
            .execute(conn)?;
        diesel::update(organizations::table)
            .filter(organizations::email.like(DEMO))
            .filter(organizations::created_at.gt(since))
            .set(organizations::created_at.eq(since))
            .execute(conn)?;
        let demo_people = users::table
            .filter(users::email.like(DEMO))
            .select(users::id);
        diesel::update(practitioners::table)
            .filter(practitioners::user_id.eq_any(demo_people))
            .filter(practitioners::created_at.gt(since))
            .set(practitioners::created_at.eq(since))
            .execute(conn)?;
        diesel::update(users::table)
            .filter(users::email.like(DEMO))
            .filter(users::created_at.gt(since))
            .set(users::created_at.eq(since))
            .execute(conn)?;
        Ok(())
    })
}
