//! The authorization matrix: every operation of the OpenAPI document, called by every role,
//! against one table of who may. A role the table allows must not be refused (401/403); every
//! other role must be, and a refusal on a patient's data must be in that patient's access log
//! (art. 40). No cell may answer 5xx. An operation without a row fails the test, so a new
//! route cannot land without deciding who may call it.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::services::demo::DEMO_PASSWORD;

use super::world::{Who, World};

/// What a row's operation touches, which decides when it runs and what a refusal must leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Public data, the caller's own account, or an organisation's administration.
    Plain,
    /// A patient's data: each refusal of a signed-in caller is in the patient's access log.
    Patient,
    /// A patient's data, and the allowed calls change the world (cancel, end, take…): they
    /// run after every other allowed call.
    Changes,
    /// Ends the caller's session: runs last of all.
    Logout,
}

struct Row {
    method: &'static str,
    path: &'static str,
    query: &'static str,
    /// Letters of the roles that may (see [`Who::letter`]); `*` everyone, anonymous included.
    allowed: &'static str,
    body: fn() -> Value,
    kind: Kind,
}

const fn row(method: &'static str, path: &'static str, allowed: &'static str, kind: Kind) -> Row {
    Row {
        method,
        path,
        query: "",
        allowed,
        body: empty,
        kind,
    }
}

impl Row {
    const fn query(mut self, query: &'static str) -> Row {
        self.query = query;
        self
    }

    const fn body(mut self, body: fn() -> Value) -> Row {
        self.body = body;
        self
    }

    fn allows(&self, who: Who) -> bool {
        self.allowed == "*" || (who != Who::Anonymous && self.allowed.contains(who.letter()))
    }
}

fn empty() -> Value {
    json!({})
}

use Kind::{Changes, Logout, Patient, Plain};

/// Signed in: every role but the anonymous caller.
const SIGNED_IN: &str = "PORGDNXSMY";
const DOCTORS: &str = "DNX";

fn table() -> Vec<Row> {
    vec![
        row("get", "/health", "*", Plain),
        row("get", "/ready", "*", Plain),
        row("get", "/api/openapi.json", "*", Plain),
        row("post", "/api/auth/register", "*", Plain).body(|| {
            json!({"full_name": "Иванов Иван", "iin": "$iin", "email": "$unique@example.kz",
                "password": "correct horse battery", "language": "ru"})
        }),
        row("post", "/api/auth/login", "*", Plain)
            .body(|| json!({"email": "operator@demo.telemed.kz", "password": DEMO_PASSWORD})),
        row("post", "/api/auth/logout", "*", Logout),
        row("get", "/api/me", SIGNED_IN, Plain),
        row("patch", "/api/me", SIGNED_IN, Plain).body(|| json!({"language": "ru"})),
        row("post", "/api/auth/verify-email", "*", Plain).body(|| json!({"token": "not-a-link"})),
        row("post", "/api/auth/password-reset", "*", Plain)
            .body(|| json!({"email": "nobody@example.kz"})),
        row("post", "/api/auth/password-reset/confirm", "*", Plain)
            .body(|| json!({"token": "not-a-link", "new_password": "a long enough passphrase"})),
        row("post", "/api/me/verify-email", SIGNED_IN, Plain),
        // A weak new password is refused before the current one is checked.
        row("post", "/api/me/password", SIGNED_IN, Plain)
            .body(|| json!({"current_password": "whatever", "new_password": "short"})),
        row("post", "/api/me/email", SIGNED_IN, Plain)
            .body(|| json!({"new_email": "not-an-address", "password": "whatever"})),
        row("get", "/api/me/sessions", SIGNED_IN, Plain),
        row("delete", "/api/me/sessions/{id}", SIGNED_IN, Plain),
        row("post", "/api/organizations/{id}/invites", "MY", Plain).body(|| {
            json!({"full_name": "Жанибекова Асель", "iin": "$iin", "email": "$unique@example.kz",
                "role": "support", "language": "kk"})
        }),
        row("post", "/api/organizations/{id}/staff/{user_id}/invite", "MY", Plain),
        row("get", "/api/invites/{token}", "*", Plain),
        row("post", "/api/invites/{token}/accept", "*", Plain)
            .body(|| json!({"password": "a long enough passphrase"})),
        row("get", "/api/me/access-log", "PR", Patient).query("patient_id=$patient"),
        row("get", "/api/me/health-passport", "PRD", Patient).query("patient_id=$patient"),
        row("post", "/api/me/signing-key/challenge", DOCTORS, Plain),
        row("post", "/api/me/signing-key", DOCTORS, Plain)
            .body(|| json!({"spki": "AA==", "challenge": "AA==", "signature": "AA=="})),
        row("post", "/api/break-glass", DOCTORS, Plain)
            .body(|| json!({"patient": "$patient", "reason": "short"})),
        row("get", "/api/specialties", "*", Plain),
        row("get", "/api/organizations", "*", Plain),
        row("post", "/api/organizations", "Y", Plain).body(|| super::organization_body(6)),
        row("get", "/api/organizations/{id}", "*", Plain),
        row("put", "/api/organizations/{id}", "MY", Plain).body(|| super::organization_body(6)),
        row("post", "/api/organizations/{id}/offers", "MY", Plain)
            .body(|| json!({"body": "Публичная оферта, редакция для проверки прав"})),
        row("get", "/api/organizations/{id}/staff", "MY", Plain),
        row("post", "/api/organizations/{id}/staff", "MY", Plain).body(|| {
            json!({"full_name": "Петрова Анна", "iin": "$iin", "email": "$unique@example.kz",
                "password": "correct horse battery", "role": "support", "language": "ru"})
        }),
        row("get", "/api/practitioners", "*", Plain),
        row("get", "/api/practitioners/{id}", "*", Plain),
        row("put", "/api/practitioners/{id}", "MY", Plain).body(|| {
            json!({"position": "Врач-кардиолог", "qualification_category": "высшая",
                "academic_degree": "", "specialties": [{"code": "cardiology", "experience_years": 20}]})
        }),
        row("put", "/api/practitioners/{id}/schedule", "MY", Plain).body(|| {
            json!({"weekly": [{"weekday": 1, "start": "09:00", "end": "13:00"}], "days_off": []})
        }),
        // A doctor's week names the patients booked: the doctor and whoever schedules for them.
        row("get", "/api/practitioners/{id}/week", "DSM", Plain),
        row("get", "/api/me/week", DOCTORS, Plain),
        // Who accepted the offer: the organisation's administrators, not the operator.
        row("get", "/api/organizations/{id}/offer-acceptances", "M", Plain),
        // The reasons doctors gave for breaking the glass: the organisation's administrators.
        row("get", "/api/organizations/{id}/break-glass", "M", Plain),
        row("post", "/api/organizations/{id}/staff/{user_id}/deactivate", "MY", Plain),
        row("post", "/api/organizations/{id}/staff/{user_id}/reactivate", "MY", Plain),
        row("get", "/api/platform/organizations", "Y", Plain),
        row("get", "/api/platform/health", "Y", Plain),
        row("get", "/api/slots", "*", Plain).query("practitioner=$practitioner"),
        row("get", "/api/organizations/{id}/consent", "PRDNSM", Patient)
            .query("patient_id=$patient"),
        row("post", "/api/organizations/{id}/consent", "PR", Patient)
            .body(|| json!({"action": "accept", "patient_id": "$patient"})),
        row("post", "/api/organizations/{id}/consent/code", "PR", Patient)
            .body(|| json!({"patient_id": "$patient"})),
        row("get", "/api/consultations", "PORGDNXSM", Plain),
        row("post", "/api/consultations", "PRDNSM", Patient).body(|| {
            json!({"mode": "realtime", "urgency": "planned", "practitioner_id": "$practitioner",
                "slot_start": "$slot", "reason": "Повторный приём", "funding": "gobmp",
                "patient_id": "$patient"})
        }),
        row("get", "/api/consultations/{id}", "PRGDSM", Patient),
        row("post", "/api/consultations/{id}/confirm", "*", Patient)
            .body(|| json!({"token": "not-the-token"})),
        row("post", "/api/consultations/{id}/agree", "PR", Patient),
        row("post", "/api/consultations/{id}/documents-complete", "PRSM", Changes),
        row("get", "/api/consultations/{id}/signal", "PRGD", Patient),
        row("get", "/api/ice-servers", SIGNED_IN, Plain),
        row("post", "/api/consultations/{id}/files", "PRD", Patient),
        row("get", "/api/consultations/{id}/materials", "PRD", Patient),
        row(
            "get",
            "/api/consultations/{id}/materials/{material_id}",
            "PRD",
            Patient,
        ),
        row("get", "/api/consultations/{id}/messages", "PRGD", Patient),
        row("get", "/api/consultations/{id}/guests", "PRGD", Patient),
        row("post", "/api/consultations/{id}/guests", "D", Patient)
            .body(|| json!({"email": "operator@demo.telemed.kz", "kind": "interpreter"})),
        row("post", "/api/consultations/{id}/take", "D", Changes),
        row("post", "/api/consultations/{id}/request-documents", "", Changes)
            .body(|| json!({"note": "Приложите ЭКГ целиком"})),
        row("post", "/api/consultations/{id}/decline", "", Changes)
            .body(|| json!({"reason": "Не наш профиль"})),
        row("post", "/api/consultations/{id}/reschedule", "PRDSM", Changes).body(|| {
            json!({"slot_start": "$slot", "reason_code": "patient_request",
                "reason_text": "Перенос по просьбе"})
        }),
        row("post", "/api/consultations/{id}/end", "D", Changes),
        row("post", "/api/consultations/{id}/phone", "D", Changes)
            .body(|| json!({"minutes": 10, "note": "Связь по телефону"})),
        row("post", "/api/consultations/{id}/cancel", "PRDSM", Changes)
            .body(|| json!({"reason_code": "other", "reason_text": "Проверка прав"})),
        // The ICD-10 list is public reference data.
        row("get", "/api/icd10", "*", Plain).query("q=I10"),
        row("get", "/api/queue", "DNXSM", Plain),
        row("get", "/api/councils", SIGNED_IN, Plain),
        row("post", "/api/councils", "D", Patient).body(|| {
            json!({"patient_id": "$patient", "question": "Ещё один консилиум", "urgency": "planned",
                "mode": "deferred", "initiative": "patient",
                "specialties": ["neurology", "pulmonology"]})
        }),
        row("get", "/api/councils/{id}", "PRD", Patient),
        row("post", "/api/councils/{id}/agree", "PR", Patient),
        row("post", "/api/councils/{id}/accept", "", Patient),
        row("post", "/api/councils/{id}/decline", "", Patient)
            .body(|| json!({"reason": "Нет времени"})),
        row("post", "/api/councils/{id}/members", "D", Changes)
            .body(|| json!({"specialty": "gastroenterology"})),
        row("post", "/api/councils/{id}/opinion", "", Patient)
            .body(|| json!({"text": "Мнение"})),
        row("put", "/api/councils/{id}/conclusion", "D", Changes)
            .body(|| {
                json!({"content": {"findings": "Данные обследования изучены",
                    "diagnoses": [{"icd10": "I10", "text": "Эссенциальная гипертензия"}],
                    "recommendations": "Наблюдение"}})
            }),
        row("post", "/api/councils/{id}/conclusion/freeze", "D", Changes),
        row("get", "/api/councils/{id}/conclusion/document", "PRD", Patient),
        row("post", "/api/councils/{id}/conclusion/sign", "D", Changes).body(|| {
            json!({"form": "cms", "signature": "AA==", "sha256": "00"})
        }),
        row("post", "/api/councils/{id}/conclusion/refuse", "D", Changes)
            .body(|| json!({"reason": "Не согласен"})),
        // The initiator calls a council off; the patient's side refuses it until it concludes.
        row("post", "/api/councils/{id}/cancel", "PRD", Changes)
            .body(|| json!({"reason": "Проверка прав"})),
        row("get", "/api/organizations/{id}/consultant-lists", "MY", Plain),
        row(
            "put",
            "/api/organizations/{id}/consultant-lists/{specialty}",
            "MY",
            Plain,
        )
        .body(|| json!({"practitioner_ids": ["$practitioner"]})),
        row("post", "/api/patients/{patient_id}/records", "D", Patient)
            .body(|| json!({"kind": "consultation_note", "content": {"text": "Запись"}})),
        row("get", "/api/records/{id}", "PRD", Patient),
        row("put", "/api/records/{id}", "D", Patient)
            .body(|| json!({"content": {"text": "Уточнение"}})),
        row("get", "/api/records/{id}/document", "PRD", Patient),
        row("post", "/api/records/{id}/sign", "D", Patient).body(|| {
            json!({"form": "cms", "signature": "AA==", "sha256": "00"})
        }),
        row("post", "/api/records/{id}/amend", "D", Patient)
            .body(|| json!({"content": {"text": "Исправление"}})),
        row("post", "/api/records/{id}/materials", "D", Patient).body(|| {
            json!({"kind": "file", "name": "x.png", "size": 1,
                "sha256": "0000000000000000000000000000000000000000000000000000000000000000"})
        }),
    ]
}

/// The `{id}` of a path: which object of the world it names.
fn object_of(path: &str) -> &'static str {
    let deferred_acts = [
        "/take",
        "/request-documents",
        "/decline",
        "/documents-complete",
    ];
    if path.starts_with("/api/consultations/{id}") {
        if deferred_acts.iter().any(|a| path.ends_with(a)) {
            "deferred"
        } else {
            "consultation"
        }
    } else if path.starts_with("/api/councils/") {
        "council"
    } else if path.starts_with("/api/records/") {
        "record"
    } else if path.starts_with("/api/organizations/") {
        "org"
    } else {
        "practitioner"
    }
}

fn fill(w: &World, text: &str, path: &str, n: u32) -> String {
    let mut out = text
        .replace("{id}", &w.ids[object_of(path)])
        .replace("{material_id}", &w.ids["material"])
        .replace("{patient_id}", &w.ids["patient"])
        // A user who is no employee of the organisation: its administrator gets 404.
        .replace("{user_id}", &w.ids["patient"])
        .replace("{specialty}", "cardiology");
    for (k, v) in &w.ids {
        out = out.replace(&format!("${k}"), v);
    }
    out.replace("$unique", &format!("matrix{n}"))
        .replace("$iin", &crate::support::fresh_iin(5000 + n))
}

fn fill_json(w: &World, v: Value, path: &str, n: u32) -> Value {
    match v {
        Value::String(s) => Value::String(fill(w, &s, path, n)),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| fill_json(w, x, path, n)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, x)| (k, fill_json(w, x, path, n)))
                .collect(),
        ),
        other => other,
    }
}

async fn call(w: &World, r: &Row, who: Who, n: u32) -> (StatusCode, String) {
    let mut url = fill(w, r.path, r.path, n);
    if !r.query.is_empty() {
        url = format!("{url}?{}", fill(w, r.query, r.path, n));
    }
    let method = Method::from_bytes(r.method.to_uppercase().as_bytes()).unwrap();
    let body = fill_json(w, (r.body)(), r.path, n);
    let mut req = w.client.request(method, w.app.at(&url));
    // Operations without a request body get none: a body the server never reads would leave
    // the kept-alive connection unusable for the next call.
    req = if url.contains("/files") {
        req.body(crate::deferred::XRAY_PNG.to_vec())
    } else if body == json!({}) {
        req
    } else {
        req.json(&body)
    };
    if let Some(token) = w.token(who) {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

fn refused(status: StatusCode) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
}

#[tokio::test]
async fn art_35_every_route_answers_every_role_as_the_matrix_says() {
    let w = World::build().await;
    let rows = table();
    // Every documented operation has its row, and every row its operation.
    let doc: Value = w.app.get("/api/openapi.json").await.json().await.unwrap();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let covered: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without a matrix row: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(stale.is_empty(), "matrix rows of no operation: {stale:?}");

    let mut failures = Vec::new();
    let mut n = 0;
    let mut cells = 0;
    // Refusals first: they change nothing, so the world is the same for each of them.
    for r in &rows {
        for who in Who::ALL.into_iter().filter(|w| !r.allows(*w)) {
            n += 1;
            cells += 1;
            let before = w.denials(who);
            let (status, code) = call(&w, r, who, n).await;
            if !refused(status) {
                failures.push(format!(
                    "{} {} as {who:?}: {status} {code}, expected a refusal",
                    r.method, r.path
                ));
            } else if r.kind != Plain && who != Who::Anonymous && w.denials(who) <= before {
                failures.push(format!(
                    "{} {} as {who:?}: refused ({code}) but not in the patient's access log",
                    r.method, r.path
                ));
            }
        }
    }
    // Then what is allowed: what reads first, what changes the world after, logout last.
    for phase in [Plain, Patient, Changes, Logout] {
        for r in rows.iter().filter(|r| r.kind == phase) {
            for who in Who::ALL.into_iter().filter(|w| r.allows(*w)) {
                n += 1;
                cells += 1;
                let (status, code) = call(&w, r, who, n).await;
                if refused(status) || status.is_server_error() {
                    failures.push(format!(
                        "{} {} as {who:?}: {status} {code}, expected to be let in",
                        r.method, r.path
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cells, rows.len() * Who::ALL.len());
}
