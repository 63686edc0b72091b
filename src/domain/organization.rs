//! An organisation's internal rules and public terms (Rules art. 8, 34).

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Art. 8: urgent remote services are provided within 3 to 24 hours of the request.
pub const URGENT_DEADLINE_HOURS: std::ops::RangeInclusive<i32> = 3..=24;
/// A consultation slot shorter than this is not a consultation; longer blocks the schedule.
pub const CONSULTATION_MINUTES: std::ops::RangeInclusive<i32> = 5..=240;
/// Planned requests: no article bounds them; a month keeps a typo from hiding a request.
pub const PLANNED_DEADLINE_HOURS: std::ops::RangeInclusive<i32> = 1..=720;

/// Kinds of remote services an organisation offers (art. 9, 18, 28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Realtime,
    Deferred,
    Council,
    Monitoring,
}

/// One line of the price list (art. 34.3), in tenge. `service` is the Russian name, which a
/// booking names the line by; the Kazakh and English names are for readers and may be empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriceItem {
    pub service: String,
    pub price_kzt: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service_kk: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service_en: String,
}

impl PriceItem {
    /// The service's name for a reader of `lang` (`ru`, `kk`, `en`), Russian where not given.
    pub fn name_in(&self, lang: &str) -> &str {
        let translated = match lang {
            "kk" => self.service_kk.trim(),
            "en" => self.service_en.trim(),
            _ => "",
        };
        if translated.is_empty() {
            &self.service
        } else {
            translated
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("the urgent deadline must be between 3 and 24 hours (Rules art. 8)")]
    UrgentDeadline,
    #[error("the consultation length must be between 5 and 240 minutes")]
    ConsultationLength,
    #[error("the planned deadline must be between the urgent deadline and 720 hours")]
    PlannedDeadline,
    #[error("unknown IANA time zone: {0}")]
    TimeZone(String),
    #[error("a price must be a non-negative amount for a named service")]
    Price,
}

impl RulesError {
    pub fn code(&self) -> &'static str {
        match self {
            RulesError::UrgentDeadline => "urgent_deadline_out_of_range",
            RulesError::ConsultationLength => "consultation_length_out_of_range",
            RulesError::PlannedDeadline => "planned_deadline_out_of_range",
            RulesError::TimeZone(_) => "invalid_time_zone",
            RulesError::Price => "invalid_price_list",
        }
    }
}

/// Internal rules (внутренний распорядок) that drive slots and deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InternalRules {
    pub consultation_minutes: i32,
    pub urgent_deadline_hours: i32,
    pub planned_deadline_hours: i32,
}

impl InternalRules {
    pub fn validate(self) -> Result<Self, RulesError> {
        if !URGENT_DEADLINE_HOURS.contains(&self.urgent_deadline_hours) {
            return Err(RulesError::UrgentDeadline);
        }
        if !CONSULTATION_MINUTES.contains(&self.consultation_minutes) {
            return Err(RulesError::ConsultationLength);
        }
        if !PLANNED_DEADLINE_HOURS.contains(&self.planned_deadline_hours)
            || self.planned_deadline_hours < self.urgent_deadline_hours
        {
            return Err(RulesError::PlannedDeadline);
        }
        Ok(self)
    }
}

pub fn parse_time_zone(name: &str) -> Result<Tz, RulesError> {
    name.parse::<Tz>()
        .map_err(|_| RulesError::TimeZone(name.to_owned()))
}

/// Every line names its service and has a price; a booking names a line by its Russian name,
/// so two lines of one name would make the price ambiguous.
pub fn validate_price_list(items: &[PriceItem]) -> Result<(), RulesError> {
    let ok = items
        .iter()
        .all(|i| i.price_kzt >= 0 && !i.service.trim().is_empty());
    let mut names: Vec<&str> = items.iter().map(|i| i.service.trim()).collect();
    names.sort_unstable();
    let unique = names.windows(2).all(|w| w[0] != w[1]);
    (ok && unique).then_some(()).ok_or(RulesError::Price)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(urgent: i32) -> InternalRules {
        InternalRules {
            consultation_minutes: 30,
            urgent_deadline_hours: urgent,
            planned_deadline_hours: 72,
        }
    }

    #[test]
    fn art_8_urgent_deadline_within_3_to_24_hours() {
        assert!(rules(3).validate().is_ok());
        assert!(rules(24).validate().is_ok());
        assert_eq!(rules(2).validate(), Err(RulesError::UrgentDeadline));
        assert_eq!(rules(25).validate(), Err(RulesError::UrgentDeadline));
        assert_eq!(rules(0).validate(), Err(RulesError::UrgentDeadline));
    }

    #[test]
    fn planned_deadline_is_not_shorter_than_the_urgent_one() {
        let mut r = rules(12);
        r.planned_deadline_hours = 6;
        assert_eq!(r.validate(), Err(RulesError::PlannedDeadline));
    }

    #[test]
    fn price_lines_are_named_once_and_read_in_the_readers_language() {
        let line = |service: &str, kk: &str| PriceItem {
            service: service.into(),
            price_kzt: 5000,
            service_kk: kk.into(),
            service_en: String::new(),
        };
        assert!(validate_price_list(&[line("Приём", ""), line("Консилиум", "")]).is_ok());
        assert_eq!(
            validate_price_list(&[line("Приём", ""), line(" Приём ", "")]),
            Err(RulesError::Price)
        );
        let l = line("Приём терапевта", "Терапевт қабылдауы");
        assert_eq!(l.name_in("kk"), "Терапевт қабылдауы");
        assert_eq!(l.name_in("en"), "Приём терапевта");
        assert_eq!(l.name_in("ru"), "Приём терапевта");
    }

    #[test]
    fn kazakh_time_zones_are_known() {
        assert!(parse_time_zone("Asia/Almaty").is_ok());
        assert!(parse_time_zone("Asia/Aqtobe").is_ok());
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
