//! People as a register of Kazakhstan lists them: Kazakh and Russian (and Korean) names in the
//! Russian form of the documents, and IINs whose birth date, century and sex digit agree with
//! the person and whose check digit is right.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use crate::domain::iin::Iin;

const MALE: &[&str] = &[
    "Асет",
    "Ерлан",
    "Нурлан",
    "Данияр",
    "Марат",
    "Алибек",
    "Бауыржан",
    "Тимур",
    "Арман",
    "Руслан",
    "Канат",
    "Ержан",
    "Айдар",
    "Серик",
    "Мухтар",
    "Дастан",
    "Ильяс",
    "Санжар",
    "Сергей",
    "Алексей",
    "Дмитрий",
    "Андрей",
    "Иван",
    "Николай",
    "Виктор",
    "Олег",
    "Максим",
];
const FEMALE: &[&str] = &[
    "Айгерим",
    "Динара",
    "Гульнара",
    "Асель",
    "Жанар",
    "Сауле",
    "Алия",
    "Мадина",
    "Аружан",
    "Гаухар",
    "Камила",
    "Жансая",
    "Томирис",
    "Айжан",
    "Дана",
    "Меруерт",
    "Анна",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Юлия",
];
/// Surnames in their male form; a woman's adds "а" unless the name does not change.
const SURNAMES: &[&str] = &[
    "Нурланов",
    "Ахметов",
    "Сейткалиев",
    "Жумабаев",
    "Омаров",
    "Тулегенов",
    "Смагулов",
    "Каримов",
    "Утепов",
    "Беков",
    "Абдрахманов",
    "Искаков",
    "Касымов",
    "Есенов",
    "Мусин",
    "Байжанов",
    "Сулейменов",
    "Аубакиров",
    "Кенжебаев",
    "Ермеков",
    "Оспанов",
    "Жаксылыков",
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Новиков",
    "Морозов",
    "Ким",
    "Цой",
    "Пак",
    "Ли",
];
const INVARIANT: &[&str] = &["Ким", "Цой", "Пак", "Ли"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A made-up person.
#[derive(Debug, Clone)]
pub struct Person {
    pub full_name: String,
    pub iin: String,
    pub born: NaiveDate,
}

pub fn surname(rng: &mut StdRng) -> &'static str {
    SURNAMES[rng.gen_range(0..SURNAMES.len())]
}

fn surname_for(male_form: &str, sex: Sex) -> String {
    match sex {
        Sex::Male => male_form.to_owned(),
        Sex::Female if INVARIANT.contains(&male_form) => male_form.to_owned(),
        Sex::Female => format!("{male_form}а"),
    }
}

/// Ерлан → Ерланович / Ерлановна; Сергей → Сергеевич / Сергеевна; Дмитрий → Дмитриевич.
fn patronymic(father: &str, sex: Sex) -> String {
    let (stem, male, female) = match father.strip_suffix('й') {
        Some(stem) => (stem, "евич", "евна"),
        None => (father, "ович", "овна"),
    };
    match sex {
        Sex::Male => format!("{stem}{male}"),
        Sex::Female => format!("{stem}{female}"),
    }
}

/// Makes people with distinct IINs (also distinct from those in `taken`).
pub struct Register<'a> {
    pub taken: &'a mut HashSet<String>,
}

impl Register<'_> {
    /// Someone born between the two years, with the family name given (its male form) or a
    /// random one.
    pub fn person(
        &mut self,
        rng: &mut StdRng,
        years: (i32, i32),
        family: Option<&str>,
        sex: Option<Sex>,
    ) -> Person {
        let sex = sex.unwrap_or(if rng.gen_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        });
        let family = family.unwrap_or_else(|| surname(rng)).to_owned();
        let first = match sex {
            Sex::Male => MALE[rng.gen_range(0..MALE.len())],
            Sex::Female => FEMALE[rng.gen_range(0..FEMALE.len())],
        };
        let father = MALE[rng.gen_range(0..MALE.len())];
        let surname = surname_for(&family, sex);
        let full_name = format!("{surname} {first} {}", patronymic(father, sex));
        loop {
            let year = rng.gen_range(years.0..=years.1);
            let born = NaiveDate::from_ymd_opt(year, rng.gen_range(1..=12), rng.gen_range(1..=28))
                .unwrap_or_default();
            if let Some(iin) = iin_of(born, sex, rng.gen_range(0..10_000))
                && self.taken.insert(iin.clone())
            {
                return Person {
                    full_name,
                    iin,
                    born,
                };
            }
        }
    }
}

/// The IIN of someone born on `born`: YYMMDD, the century-and-sex digit (3/4 for the 1900s, 5/6
/// for the 2000s, odd for men), a four-digit serial and the check digit. `None` when these
/// eleven digits have no check digit (the caller draws another serial).
pub fn iin_of(born: NaiveDate, sex: Sex, serial: u32) -> Option<String> {
    let century = match (born.year() >= 2000, sex) {
        (false, Sex::Male) => 3,
        (false, Sex::Female) => 4,
        (true, Sex::Male) => 5,
        (true, Sex::Female) => 6,
    };
    let first = format!(
        "{:02}{:02}{:02}{century}{:04}",
        born.year() % 100,
        born.month(),
        born.day(),
        serial % 10_000
    );
    Iin::complete(&first).map(|iin| iin.as_str().to_owned())
}

/// The interface language people chose: mostly Russian, a quarter Kazakh, a few English.
pub fn language(rng: &mut StdRng) -> &'static str {
    match rng.gen_range(0..20) {
        0 => "en",
        1..=5 => "kk",
        _ => "ru",
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn names_take_the_form_of_the_persons_sex() {
        assert_eq!(patronymic("Ерлан", Sex::Male), "Ерланович");
        assert_eq!(patronymic("Сергей", Sex::Female), "Сергеевна");
        assert_eq!(patronymic("Дмитрий", Sex::Male), "Дмитриевич");
        assert_eq!(surname_for("Ахметов", Sex::Female), "Ахметова");
        assert_eq!(surname_for("Ким", Sex::Female), "Ким");
    }

    #[test]
    fn iins_are_valid_distinct_and_match_the_person() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut taken = HashSet::new();
        let mut register = Register { taken: &mut taken };
        for i in 0..2_000 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let p = register.person(&mut rng, (1950, 2020), None, Some(sex));
            let iin = Iin::parse(&p.iin).expect("a valid IIN");
            let digits = iin.as_str().as_bytes();
            assert_eq!(&iin.as_str()[..6], p.born.format("%y%m%d").to_string());
            let century = digits[6] - b'0';
            assert_eq!(century % 2 == 1, sex == Sex::Male);
            assert_eq!(p.full_name.split(' ').count(), 3);
            assert_eq!(century >= 5, p.born.year() >= 2000);
        }
        assert_eq!(taken.len(), 2_000);
    }
}
