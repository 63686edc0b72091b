//! What an organisation's administrator and the platform operator do in their pages: texts per
//! language, staff accounts, who accepted the offer, a doctor's week, the platform's health.

mod acceptances;
mod platform;
mod staff;
mod texts;
mod week;

use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

/// A call with a bearer token that must succeed; its JSON body.
pub async fn ok_json(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: &Value,
) -> Value {
    let res = app.send_as(method, Some(token), path, body).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// The organisation as its administrator's form holds it: Russian texts, no read-only fields.
pub async fn editable_org(app: &TestApp, id: &str) -> Value {
    let mut org: Value = app
        .get(&format!("/api/organizations/{id}?lang=ru"))
        .await
        .json()
        .await
        .unwrap();
    let map = org.as_object_mut().unwrap();
    for read_only in ["id", "offer", "practitioners"] {
        map.remove(read_only);
    }
    for line in map["price_list"].as_array_mut().unwrap() {
        line.as_object_mut().unwrap().remove("title");
    }
    org
}

/// How many audit rows of `action` name `subject` as the patient.
pub fn audited(app: &TestApp, action: &str, subject: Option<&str>) -> i64 {
    use diesel::prelude::*;
    use telemed::db::schema::audit_events as a;
    let mut conn = app.context.db.get().unwrap();
    let mut q = a::table.filter(a::action.eq(action)).into_boxed();
    if let Some(s) = subject {
        q = q.filter(a::subject_id.eq(s.to_owned()));
    }
    q.count().get_result(&mut conn).unwrap()
}
