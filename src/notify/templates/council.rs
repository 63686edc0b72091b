//! The e-mails of a council (art. 25, 27), in the three languages: the patient told of the
//! planned council (or asked to agree to it), each consultant told of their assignment, the
//! reminders before a real-time council, the request to sign the frozen conclusion, and the
//! patient told that the final conclusion is in their health passport. Never the question or
//! the conclusion itself.

use super::{Language, en, kk, language, ru};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouncilNotice {
    /// On the doctor's own initiative: the patient is asked to agree (art. 20).
    AgreementRequested,
    /// The patient hears of the planned council (art. 25).
    Planned,
    /// A consultant is assigned (art. 25).
    Assigned,
    /// Before a real-time council, this many hours ahead.
    Reminder(i64),
    /// The conclusion is frozen: every participant is asked to sign it (art. 27).
    SignRequested,
    /// Every participant signed: the conclusion is in the health passport.
    Final,
}

/// Who is written to about which council.
#[derive(Debug, Clone)]
pub struct CouncilText<'a> {
    pub addressee: &'a str,
    pub initiator_name: &'a str,
    pub organization_name: &'a str,
    /// Real time: the council's hour, formatted in the organisation's zone.
    pub when: Option<&'a str>,
    pub urgent: bool,
    pub url: &'a str,
}

pub fn council(lang: &str, notice: CouncilNotice, c: &CouncilText<'_>) -> (String, String) {
    let lang = language(lang);
    let (subject, what) = match lang {
        Language::Ru => ru_text(notice, c),
        Language::Kk => kk_text(notice, c),
        Language::En => en_text(notice, c),
    };
    let (dear, open, footer) = match lang {
        Language::Ru => ("Здравствуйте", "Открыть консилиум", ru::FOOTER),
        Language::Kk => ("Сәлеметсіз бе", "Консилиумды ашу", kk::FOOTER),
        Language::En => ("Dear", "Open the council", en::FOOTER),
    };
    let body = format!(
        "{dear}, {who}!\n\n{what}\n\n{open}:\n{url}\n\n{footer}\n",
        who = c.addressee,
        url = c.url,
    );
    (format!("{subject} — {}", c.organization_name), body)
}

fn ru_text(n: CouncilNotice, c: &CouncilText<'_>) -> (String, String) {
    let urgency = if c.urgent {
        "неотложный"
    } else {
        "плановый"
    };
    let when = c
        .when
        .map(|w| format!(" Консилиум пройдёт по видеосвязи {w}."))
        .unwrap_or_else(|| " Консилиум проводится в отложенном режиме, по документам.".into());
    match n {
        CouncilNotice::AgreementRequested => (
            "Требуется ваше согласие на консилиум".into(),
            format!(
                "Врач {} предлагает провести {urgency} консилиум по вашему случаю.{when} \
                 Консилиум состоится только с вашего согласия: подтвердите его на странице консилиума.",
                c.initiator_name
            ),
        ),
        CouncilNotice::Planned => (
            format!("Запланирован {urgency} консилиум"),
            format!(
                "По вашему случаю запланирован {urgency} консилиум врачей; его инициатор — {}.{when}",
                c.initiator_name
            ),
        ),
        CouncilNotice::Assigned => (
            "Вы назначены консультантом консилиума".into(),
            format!(
                "Вы назначены участником консилиума ({urgency}), инициатор — {}.{when} \
                 Подтвердите участие или откажитесь с указанием причины.",
                c.initiator_name
            ),
        ),
        CouncilNotice::Reminder(h) => (
            format!("Консилиум через {}", ru::hours(h)),
            format!(
                "Напоминаем: консилиум начнётся через {}.{when}",
                ru::hours(h)
            ),
        ),
        CouncilNotice::SignRequested => (
            "Заключение консилиума ожидает вашей подписи".into(),
            "Текст заключения консилиума зафиксирован. Ознакомьтесь с ним и подпишите его \
             электронной цифровой подписью или откажитесь от подписи с указанием причины."
                .into(),
        ),
        CouncilNotice::Final => (
            "Заключение консилиума готово".into(),
            "Заключение консилиума подписано электронными цифровыми подписями всех участников \
             и доступно в вашем электронном паспорте здоровья."
                .into(),
        ),
    }
}

fn kk_text(n: CouncilNotice, c: &CouncilText<'_>) -> (String, String) {
    let urgency = if c.urgent {
        "шұғыл"
    } else {
        "жоспарлы"
    };
    let when = c
        .when
        .map(|w| format!(" Консилиум бейнебайланыс арқылы {w} өтеді."))
        .unwrap_or_else(|| " Консилиум құжаттар бойынша кейінге қалдырылған режимде өтеді.".into());
    match n {
        CouncilNotice::AgreementRequested => (
            "Консилиумға келісіміңіз қажет".into(),
            format!(
                "{} дәрігер сіздің жағдайыңыз бойынша {urgency} консилиум өткізуді ұсынады.{when} \
                 Консилиум тек сіздің келісіміңізбен өтеді: оны консилиум бетінде растаңыз.",
                c.initiator_name
            ),
        ),
        CouncilNotice::Planned => (
            format!("{urgency} консилиум жоспарланды"),
            format!(
                "Сіздің жағдайыңыз бойынша дәрігерлердің {urgency} консилиумы жоспарланды; \
                 бастамашысы — {}.{when}",
                c.initiator_name
            ),
        ),
        CouncilNotice::Assigned => (
            "Сіз консилиум кеңесшісі болып тағайындалдыңыз".into(),
            format!(
                "Сіз консилиумға ({urgency}) қатысушы болып тағайындалдыңыз, бастамашысы — {}.{when} \
                 Қатысуыңызды растаңыз немесе себебін көрсетіп бас тартыңыз.",
                c.initiator_name
            ),
        ),
        CouncilNotice::Reminder(h) => (
            format!("Консилиумға {} қалды", kk::hours(h)),
            format!("Еске саламыз: консилиум {} кейін басталады.{when}", kk::hours(h) + "тан"),
        ),
        CouncilNotice::SignRequested => (
            "Консилиум қорытындысы қолыңызды күтуде".into(),
            "Консилиум қорытындысының мәтіні бекітілді. Онымен танысып, электрондық цифрлық \
             қолтаңбамен қол қойыңыз немесе себебін көрсетіп қол қоюдан бас тартыңыз."
                .into(),
        ),
        CouncilNotice::Final => (
            "Консилиум қорытындысы дайын".into(),
            "Консилиум қорытындысына барлық қатысушылар электрондық цифрлық қолтаңбамен қол қойды; \
             ол сіздің электрондық денсаулық паспортыңызда."
                .into(),
        ),
    }
}

fn en_text(n: CouncilNotice, c: &CouncilText<'_>) -> (String, String) {
    let urgency = if c.urgent { "urgent" } else { "planned" };
    let when = c
        .when
        .map(|w| format!(" The council meets by video on {w}."))
        .unwrap_or_else(|| " The council is held in deferred mode, on the documents.".into());
    match n {
        CouncilNotice::AgreementRequested => (
            "Your agreement to a council is needed".into(),
            format!(
                "Dr {} proposes an {urgency} council of doctors on your case.{when} \
                 It takes place only with your agreement: please confirm it on the council's page.",
                c.initiator_name
            ),
        ),
        CouncilNotice::Planned => (
            format!("A council of doctors is planned ({urgency})"),
            format!(
                "A council of doctors is planned on your case ({urgency}); it was called by {}.{when}",
                c.initiator_name
            ),
        ),
        CouncilNotice::Assigned => (
            "You are assigned to a council".into(),
            format!(
                "You are assigned as a consultant to a council ({urgency}) called by {}.{when} \
                 Please accept, or decline with a reason.",
                c.initiator_name
            ),
        ),
        CouncilNotice::Reminder(h) => (
            format!("Council in {}", en::hours(h)),
            format!("A reminder: the council begins in {}.{when}", en::hours(h)),
        ),
        CouncilNotice::SignRequested => (
            "The council's conclusion awaits your signature".into(),
            "The text of the council's conclusion is fixed. Please read it and sign it with your \
             electronic digital signature, or refuse to sign with a reason."
                .into(),
        ),
        CouncilNotice::Final => (
            "The council's conclusion is ready".into(),
            "Every participant signed the council's conclusion with an electronic digital \
             signature; it is in your electronic health passport."
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn council_mail_names_no_medical_content_and_speaks_each_language() {
        let c = CouncilText {
            addressee: "Сериков Арман",
            initiator_name: "Иванов Сергей Петрович",
            organization_name: "Клиника",
            when: Some("01.12.2026 10:00 (Asia/Almaty)"),
            urgent: true,
            url: "http://x/#/councils/1",
        };
        let (s, b) = council("ru", CouncilNotice::Planned, &c);
        assert!(s.contains("неотложный"), "{s}");
        assert!(b.contains("01.12.2026 10:00") && b.contains("http://x/#/councils/1"));
        let (_, b) = council("kk", CouncilNotice::Reminder(1), &c);
        assert!(b.contains("Еске саламыз"), "{b}");
        let (s, _) = council("en", CouncilNotice::Reminder(2), &c);
        assert_eq!(s, "Council in 2 hours — Клиника");
    }
}
