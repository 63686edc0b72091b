//! Хаттардың қазақша мәтіндері.

use super::{Alert, BookingText, RequestText, RequestUpdate, lines};

pub(super) const FOOTER: &str = "Бұл хат автоматты түрде жіберілді, оған жауап берудің қажеті жоқ.";

/// "2 сағат": Kazakh does not inflect the noun after a numeral.
pub(super) fn hours(n: i64) -> String {
    format!("{n} сағат")
}

fn mode(code: &str) -> &str {
    match code {
        "realtime" => "нақты уақыт режимінде (бейнебайланыс)",
        "deferred" => "кейінге қалдырылған (дәрігер жеке кабинетте жауап береді)",
        other => other,
    }
}

fn details(b: &BookingText) -> String {
    lines(&[
        ("Медициналық ұйым", &b.organization_name),
        ("Дәрігер", &b.practitioner_name),
        ("Күні мен уақыты", &b.start_local),
        ("Консультация нысаны", mode(&b.mode)),
        ("Жүгіну себебі", &b.reason),
    ])
}

pub(super) fn booking_confirmed(b: &BookingText) -> (String, String) {
    let subject = format!("Консультацияға жазылу расталды: {}", b.start_local);
    let body = format!(
        "Сәлеметсіз бе, {patient}!\n\n\
         Қашықтықтан консультацияға жазылуыңыз расталды.\n\n\
         {details}\n\
         Консультацияға кіру сілтемесі:\n{url}\n\n\
         Егер қатыса алмасаңыз, уақыт басқа пациенттерге босауы үшін жеке кабинетте \
         жазылудан бас тартыңыз.\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        url = b.join_url,
    );
    (subject, body)
}

pub(super) fn agreement_requested(b: &BookingText, confirm_url: &str) -> (String, String) {
    let subject = format!("Консультацияға жазылуды растаңыз: {}", b.start_local);
    let body = format!(
        "Сәлеметсіз бе, {patient}!\n\n\
         {org} сізге қашықтықтан консультация ұсынады.\n\n\
         {details}\n\
         Медициналық ұйымның бастамасы бойынша консультация тек сіздің келісіміңізбен \
         өткізіледі. Келісу үшін мына сілтемені ашыңыз:\n{confirm_url}\n\n\
         Егер келіспесеңіз, ештеңе істеудің қажеті жоқ: сіздің растауыңызсыз консультация \
         өткізілмейді.\n\n{FOOTER}\n",
        patient = b.patient_name,
        org = b.organization_name,
        details = details(b),
    );
    (subject, body)
}

pub(super) fn reminder(b: &BookingText, hours_before: i64) -> (String, String) {
    let subject = format!("Консультация туралы еске салу: {}", b.start_local);
    let body = format!(
        "Сәлеметсіз бе, {patient}!\n\n\
         Еске саламыз: {hours_before} сағаттан кейін сізде қашықтықтан консультация бар.\n\n\
         {details}\n\
         Консультацияға кіру сілтемесі:\n{url}\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        url = b.join_url,
    );
    (subject, body)
}

pub(super) fn rescheduled(
    b: &BookingText,
    old_start_local: &str,
    reason_text: &str,
) -> (String, String) {
    let subject = format!("Консультация басқа уақытқа ауыстырылды: {}", b.start_local);
    let body = format!(
        "Сәлеметсіз бе, {patient}!\n\n\
         Сіздің қашықтықтан консультацияңыз басқа уақытқа ауыстырылды.\n\n\
         {was}\
         {details}{why}\n\
         Консультацияға кіру сілтемесі:\n{url}\n\n{FOOTER}\n",
        patient = b.patient_name,
        was = lines(&[("Бұрынғы уақыты", old_start_local)]),
        details = details(b),
        why = lines(&[("Ауыстыру себебі", reason_text)]),
        url = b.join_url,
    );
    (subject, body)
}

fn who(cancelled_by: &str) -> &str {
    match cancelled_by {
        "patient" => "пациент",
        "representative" => "пациенттің заңды өкілі",
        "practitioner" | "doctor" => "дәрігер",
        "organization" | "org_admin" | "staff" | "support" => "медициналық ұйым",
        "system" => "платформа (автоматты түрде)",
        other => other,
    }
}

/// The reason codes of `domain::consultation::REASON_CODES`.
pub(super) fn reason(code: &str) -> &str {
    match code {
        "patient_request" => "пациенттің өтініші бойынша",
        "doctor_unavailable" => "дәрігер консультация өткізе алмайды",
        "patient_unwell" => "пациент өзін нашар сезінеді",
        "technical_problem" => "техникалық ақаулар",
        "duplicate" => "қайталанған жазылу",
        "other" => "басқа себеп",
        other => other,
    }
}

pub(super) fn cancelled(
    b: &BookingText,
    cancelled_by: &str,
    reason_code: &str,
    reason_text: &str,
) -> (String, String) {
    let subject = format!("Консультация болдырылмады: {}", b.start_local);
    let body = format!(
        "Сәлеметсіз бе, {patient}!\n\n\
         Сіздің қашықтықтан консультацияңыз болдырылмады.\n\n\
         {details}{why}\n\
         Егер консультация әлі де қажет болса, қайтадан жазыла аласыз.\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        why = lines(&[
            ("Кім болдырмады", who(cancelled_by)),
            ("Болдырмау себебі", reason(reason_code)),
            ("Түсініктеме", reason_text),
        ]),
    );
    (subject, body)
}

fn urgency(code: &str) -> &str {
    match code {
        "urgent" => "шұғыл",
        "planned" => "жоспарлы",
        other => other,
    }
}

pub(super) fn deadline_breached(a: &Alert<'_>) -> (String, String) {
    let subject = format!("Консультация мерзімі бұзылды ({})", urgency(a.urgency));
    let body = format!(
        "Сәлеметсіз бе!\n\n\
         «{org}» ұйымында консультация белгіленген мерзімде көрсетілмеді.\n\n\
         {facts}\n\
         Дәрігерді тағайындаңыз немесе пациентпен байланысыңыз:\n{url}\n\n{FOOTER}\n",
        org = a.organization_name,
        facts = lines(&[
            ("Консультация", a.consultation_id),
            ("Шұғылдығы", urgency(a.urgency)),
            ("Мерзімі өтті", a.deadline_local),
        ]),
        url = a.queue_url,
    );
    (subject, body)
}

pub(super) fn consent_code(org: &str, code: &str, minutes_valid: i64) -> (String, String) {
    let subject = format!("Жария офертаны қабылдау коды — {org}");
    let body = format!(
        "Сәлеметсіз бе!\n\n\
         «{org}» ұйымының жария офертасын қабылдауға арналған бір реттік кодыңыз: {code}\n\n\
         Код {minutes_valid} минут бойы жарамды. Кодты енгізу арқылы сіз оферта талаптарымен \
         келісетініңізді растайсыз. Бұл кодты ешкімге айтпаңыз.\n\n\
         Егер сіз код сұрамаған болсаңыз, бұл хатқа мән бермеңіз.\n\n{FOOTER}\n"
    );
    (subject, body)
}

pub(super) fn request_update(update: RequestUpdate, r: &RequestText<'_>) -> (String, String) {
    let (subject, what) = match update {
        RequestUpdate::DocumentsRequested => (
            "Қосымша құжаттар қажет",
            "Кеңесші сұранысты құжаттармен толықтыруды сұрайды. Жауап беру мерзімі тоқтатылды \
             және құжаттарды толық деп белгілегенде жалғасады.",
        ),
        RequestUpdate::Declined => (
            "Консультацияға сұраныс қабылданбады",
            "Кеңесші сұраныстан бас тартты; себебі жеке кабинетте көрсетілген.",
        ),
        RequestUpdate::ConclusionReady => (
            "Медициналық қорытынды дайын",
            "Қорытындыға дәрігердің электрондық цифрлық қолтаңбасы қойылды, ол жеке кабинетте \
             және электрондық денсаулық паспортында қолжетімді.",
        ),
    };
    let body = format!(
        "Сәлеметсіз бе, {who}!\n\n\
         «{org}» ұйымындағы кейінге қалдырылған консультацияға сұранысыңыз бойынша: {what}\n\n\
         Сұранысты ашу:\n{url}\n\n{FOOTER}\n",
        who = r.addressee,
        org = r.organization_name,
        url = r.url,
    );
    (format!("{subject} — {}", r.organization_name), body)
}
