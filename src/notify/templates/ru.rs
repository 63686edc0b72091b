//! Русские тексты писем.

use super::{Alert, BookingText, RequestText, RequestUpdate, lines};

pub(super) const FOOTER: &str = "Это письмо отправлено автоматически, отвечать на него не нужно.";

fn mode(code: &str) -> &str {
    match code {
        "realtime" => "в режиме реального времени (видеосвязь)",
        "deferred" => "отложенная (врач ответит в личном кабинете)",
        other => other,
    }
}

fn details(b: &BookingText) -> String {
    lines(&[
        ("Медицинская организация", &b.organization_name),
        ("Врач", &b.practitioner_name),
        ("Дата и время", &b.start_local),
        ("Формат консультации", mode(&b.mode)),
        ("Повод обращения", &b.reason),
    ])
}

/// 1 час, 2 часа, 5 часов, 21 час.
pub(super) fn hours(n: i64) -> String {
    let (m10, m100) = (n.rem_euclid(10), n.rem_euclid(100));
    let word = if m10 == 1 && m100 != 11 {
        "час"
    } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
        "часа"
    } else {
        "часов"
    };
    format!("{n} {word}")
}

pub(super) fn booking_confirmed(b: &BookingText) -> (String, String) {
    let subject = format!("Запись на консультацию подтверждена: {}", b.start_local);
    let body = format!(
        "Здравствуйте, {patient}!\n\n\
         Ваша запись на дистанционную консультацию подтверждена.\n\n\
         {details}\n\
         Ссылка для входа в консультацию:\n{url}\n\n\
         Если вы не сможете участвовать, отмените запись в личном кабинете, чтобы время \
         освободилось для других пациентов.\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        url = b.join_url,
    );
    (subject, body)
}

pub(super) fn agreement_requested(b: &BookingText, confirm_url: &str) -> (String, String) {
    let subject = format!("Подтвердите запись на консультацию: {}", b.start_local);
    let body = format!(
        "Здравствуйте, {patient}!\n\n\
         {org} предлагает вам дистанционную консультацию.\n\n\
         {details}\n\
         Консультация по инициативе медицинской организации проводится только с вашего \
         согласия. Чтобы согласиться, откройте ссылку:\n{confirm_url}\n\n\
         Если вы не согласны, ничего делать не нужно: без вашего подтверждения консультация \
         не состоится.\n\n{FOOTER}\n",
        patient = b.patient_name,
        org = b.organization_name,
        details = details(b),
    );
    (subject, body)
}

pub(super) fn reminder(b: &BookingText, hours_before: i64) -> (String, String) {
    let subject = format!("Напоминание о консультации {}", b.start_local);
    let body = format!(
        "Здравствуйте, {patient}!\n\n\
         Напоминаем: через {hours} у вас дистанционная консультация.\n\n\
         {details}\n\
         Ссылка для входа в консультацию:\n{url}\n\n{FOOTER}\n",
        patient = b.patient_name,
        hours = hours(hours_before),
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
    let subject = format!("Консультация перенесена на {}", b.start_local);
    let body = format!(
        "Здравствуйте, {patient}!\n\n\
         Ваша дистанционная консультация перенесена.\n\n\
         {was}\
         {details}{why}\n\
         Ссылка для входа в консультацию:\n{url}\n\n{FOOTER}\n",
        patient = b.patient_name,
        was = lines(&[("Прежнее время", old_start_local)]),
        details = details(b),
        why = lines(&[("Причина переноса", reason_text)]),
        url = b.join_url,
    );
    (subject, body)
}

fn who(cancelled_by: &str) -> &str {
    match cancelled_by {
        "patient" => "пациент",
        "representative" => "законный представитель пациента",
        "practitioner" | "doctor" => "врач",
        "organization" | "org_admin" | "staff" | "support" => "медицинская организация",
        "system" => "платформа (автоматически)",
        other => other,
    }
}

/// The reason codes of `domain::consultation::REASON_CODES`.
pub(super) fn reason(code: &str) -> &str {
    match code {
        "patient_request" => "по просьбе пациента",
        "doctor_unavailable" => "врач не может провести консультацию",
        "patient_unwell" => "пациент плохо себя чувствует",
        "technical_problem" => "технические неполадки",
        "duplicate" => "повторная запись",
        "other" => "другая причина",
        other => other,
    }
}

pub(super) fn cancelled(
    b: &BookingText,
    cancelled_by: &str,
    reason_code: &str,
    reason_text: &str,
) -> (String, String) {
    let subject = format!("Консультация {} отменена", b.start_local);
    let body = format!(
        "Здравствуйте, {patient}!\n\n\
         Ваша дистанционная консультация отменена.\n\n\
         {details}{why}\n\
         Если консультация по-прежнему нужна, вы можете записаться снова.\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        why = lines(&[
            ("Кто отменил", who(cancelled_by)),
            ("Причина отмены", reason(reason_code)),
            ("Пояснение", reason_text),
        ]),
    );
    (subject, body)
}

fn urgency(code: &str) -> &str {
    match code {
        "urgent" => "неотложная",
        "planned" => "плановая",
        other => other,
    }
}

pub(super) fn deadline_breached(a: &Alert<'_>) -> (String, String) {
    let subject = format!("Нарушен срок консультации ({})", urgency(a.urgency));
    let body = format!(
        "Здравствуйте!\n\n\
         В организации «{org}» консультация не оказана в установленный срок.\n\n\
         {facts}\n\
         Назначьте врача или свяжитесь с пациентом:\n{url}\n\n{FOOTER}\n",
        org = a.organization_name,
        facts = lines(&[
            ("Консультация", a.consultation_id),
            ("Срочность", urgency(a.urgency)),
            ("Срок истёк", a.deadline_local),
        ]),
        url = a.queue_url,
    );
    (subject, body)
}

pub(super) fn consent_code(org: &str, code: &str, minutes_valid: i64) -> (String, String) {
    let subject = format!("Код для принятия публичной оферты — {org}");
    let body = format!(
        "Здравствуйте!\n\n\
         Ваш одноразовый код для принятия публичной оферты организации «{org}»: {code}\n\n\
         Код действует {minutes_valid} мин. Вводя его, вы подтверждаете согласие с условиями \
         оферты. Никому не сообщайте этот код.\n\n\
         Если вы не запрашивали код, просто не обращайте внимания на это письмо.\n\n{FOOTER}\n"
    );
    (subject, body)
}

pub(super) fn request_update(update: RequestUpdate, r: &RequestText<'_>) -> (String, String) {
    let (subject, what) = match update {
        RequestUpdate::DocumentsRequested => (
            "Нужны дополнительные документы",
            "Консультант просит дополнить запрос документами. Срок ответа приостановлен и \
             продолжится, когда вы отметите документы как полные.",
        ),
        RequestUpdate::Declined => (
            "Запрос на консультацию отклонён",
            "Консультант отклонил запрос; причина указана в личном кабинете.",
        ),
        RequestUpdate::ConclusionReady => (
            "Медицинское заключение готово",
            "Заключение подписано электронной цифровой подписью врача и доступно в личном \
             кабинете и в электронном паспорте здоровья.",
        ),
    };
    let body = format!(
        "Здравствуйте, {who}!\n\n\
         По вашему запросу на отложенную консультацию в организации «{org}»: {what}\n\n\
         Открыть запрос:\n{url}\n\n{FOOTER}\n",
        who = r.addressee,
        org = r.organization_name,
        url = r.url,
    );
    (format!("{subject} — {}", r.organization_name), body)
}
