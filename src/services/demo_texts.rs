//! Kazakh and English texts of the demo organisations and doctors, so the directory reads in
//! the language a visitor picks from the first start. Keyed by the Russian text the demo data
//! writes: a text without an entry here stays Russian, which is what a reader then sees anyway.
//! Organisation names stay Russian, as registered.

use diesel::prelude::*;

use super::texts::{self, Translations};
use crate::db::DbConnection;
use crate::db::schema::{organizations, practitioners};
use crate::error::AppResult;

/// (Russian, Kazakh, English).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "г. Алматы, пр. Абая, 120",
        "Алматы қ., Абай даңғылы, 120",
        "120 Abai Avenue, Almaty",
    ),
    (
        "г. Актобе, ул. Маресьева, 4",
        "Ақтөбе қ., Маресьев көшесі, 4",
        "4 Maresyev Street, Aktobe",
    ),
    (
        "Информированное согласие оформляется в личном кабинете нажатием кнопки или кодом из письма.",
        "Ақпараттандырылған келісім жеке кабинетте батырманы басу арқылы немесе хаттағы кодпен ресімделеді.",
        "Informed consent is given in the personal account by a click or with a code sent by e-mail.",
    ),
    (
        "Анонимная консультация возможна по телефону службы поддержки без передачи персональных данных.",
        "Анонимді кеңес жеке деректерді бермей, қолдау қызметінің телефоны арқылы мүмкін.",
        "An anonymous consultation is possible by the support line's telephone without personal data.",
    ),
    (
        "Вход по адресу электронной почты и паролю; личность подтверждается по ИИН.",
        "Электрондық пошта мекенжайы мен құпиясөз арқылы кіру; жеке басы ЖСН бойынша расталады.",
        "Sign-in with an e-mail address and password; identity is confirmed by the IIN.",
    ),
    (
        "Заключение подписывается ЭЦП врача и доступно в личном кабинете и паспорте здоровья.",
        "Қорытындыға дәрігердің ЭЦҚ-сы қойылады және ол жеке кабинетте және денсаулық паспортында қолжетімді.",
        "The conclusion is signed with the doctor's digital signature and is available in the personal account and the health passport.",
    ),
    (
        "Акцепт оферты нажатием кнопки «Принимаю» или вводом кода из электронного письма.",
        "Офертаны «Қабылдаймын» батырмасын басу немесе электрондық хаттағы кодты енгізу арқылы қабылдау.",
        "The offer is accepted with the \"I accept\" button or with the code from an e-mail.",
    ),
    (
        "PDF, JPEG, PNG, DICOM; снимки — в исходном качестве.",
        "PDF, JPEG, PNG, DICOM; суреттер — бастапқы сапада.",
        "PDF, JPEG, PNG, DICOM; images in their original quality.",
    ),
    (
        "Оплата картой на сайте до начала консультации или по счёту для организаций.",
        "Кеңес басталғанға дейін сайтта картамен немесе ұйымдар үшін шот бойынша төлеу.",
        "Payment by card on the site before the consultation, or by invoice for organisations.",
    ),
    ("Врач-кардиолог", "Кардиолог дәрігер", "Cardiologist"),
    ("Врач-терапевт", "Терапевт дәрігер", "General physician"),
    ("Врач-невролог", "Невролог дәрігер", "Neurologist"),
    ("Врач-педиатр", "Педиатр дәрігер", "Paediatrician"),
    (
        "Заведующий кардиологическим отделением",
        "Кардиология бөлімшесінің меңгерушісі",
        "Head of the cardiology department",
    ),
    ("Врач-пульмонолог", "Пульмонолог дәрігер", "Pulmonologist"),
    ("Врач-рентгенолог", "Рентгенолог дәрігер", "Radiologist"),
    (
        "Врач-гастроэнтеролог",
        "Гастроэнтеролог дәрігер",
        "Gastroenterologist",
    ),
];

fn translations_of(fields: &[(&str, &str)]) -> Translations {
    let mut out = Translations::new();
    for (field, russian) in fields {
        if let Some((_, kk, en)) = KNOWN.iter().find(|(ru, _, _)| ru == russian) {
            for (lang, text) in [("kk", kk), ("en", en)] {
                out.entry(lang.to_string())
                    .or_default()
                    .insert((*field).to_owned(), (*text).to_owned());
            }
        }
    }
    out
}

type OrgTexts = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// Writes the known translations of every organisation and practitioner the demo created.
pub fn translate(conn: &mut DbConnection) -> AppResult<()> {
    let orgs: Vec<OrgTexts> = organizations::table
        .select((
            organizations::id,
            organizations::address,
            organizations::payment_procedure,
            organizations::consent_procedure,
            organizations::anonymous_consultation,
            organizations::identification_procedure,
            organizations::conclusion_procedure,
            organizations::offer_acceptance,
            organizations::document_requirements,
        ))
        .load(conn)?;
    for (
        id,
        address,
        payment,
        consent,
        anonymous,
        identification,
        conclusion,
        offer,
        requirements,
    ) in orgs
    {
        let t = translations_of(&[
            ("address", &address),
            ("payment_procedure", &payment),
            ("consent_procedure", &consent),
            ("anonymous_consultation", &anonymous),
            ("identification_procedure", &identification),
            ("conclusion_procedure", &conclusion),
            ("offer_acceptance", &offer),
            ("document_requirements", &requirements),
        ]);
        texts::replace(conn, "organization", &id, &t)?;
    }
    let doctors: Vec<(String, String)> = practitioners::table
        .select((practitioners::id, practitioners::position))
        .load(conn)?;
    for (id, position) in doctors {
        texts::replace(
            conn,
            "practitioner",
            &id,
            &translations_of(&[("position", &position)]),
        )?;
    }
    Ok(())
}
