//! The world the authorization matrix runs in: the demo data, a child patient whose parent is
//! their legal representative, a consultation with the Almaty cardiologist (their doctor), a
//! guest invited to its call, a shared file, a draft record, an unassigned deferred request and
//! a council; and one signed-in user per role.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;

use crate::deferred::XRAY_PNG;
use crate::support::{TestApp, fresh_iin, registration};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    /// The child patient whose data the world holds.
    Patient,
    OtherPatient,
    /// The child's parent, their legal representative.
    Representative,
    /// Invited to the consultation's call as a relative.
    Guest,
    /// The Almaty cardiologist: the consultation's doctor, the council's initiator.
    Doctor,
    /// The Almaty therapist: same organisation, no care relationship.
    DoctorNoRelation,
    /// The Aqtobe cardiologist.
    DoctorOtherOrg,
    Support,
    Admin,
    Operator,
}

impl Who {
    pub const ALL: [Who; 11] = [
        Who::Anonymous,
        Who::Patient,
        Who::OtherPatient,
        Who::Representative,
        Who::Guest,
        Who::Doctor,
        Who::DoctorNoRelation,
        Who::DoctorOtherOrg,
        Who::Support,
        Who::Admin,
        Who::Operator,
    ];

    /// The letter the matrix uses for this role.
    pub fn letter(self) -> char {
        match self {
            Who::Anonymous => 'A',
            Who::Patient => 'P',
            Who::OtherPatient => 'O',
            Who::Representative => 'R',
            Who::Guest => 'G',
            Who::Doctor => 'D',
            Who::DoctorNoRelation => 'N',
            Who::DoctorOtherOrg => 'X',
            Who::Support => 'S',
            Who::Admin => 'M',
            Who::Operator => 'Y',
        }
    }

    fn email(self) -> Option<&'static str> {
        Some(match self {
            Who::Anonymous | Who::Guest => return None,
            Who::Patient => "patient2@demo.telemed.kz",
            Who::OtherPatient => "patient@demo.telemed.kz",
            Who::Representative => "parent@demo.telemed.kz",
            Who::Doctor => "cardio@demo.telemed.kz",
            Who::DoctorNoRelation => "therapist@demo.telemed.kz",
            Who::DoctorOtherOrg => "cardio.aqtobe@demo.telemed.kz",
            Who::Support => "support.almaty@demo.telemed.kz",
            Who::Admin => "admin.almaty@demo.telemed.kz",
            Who::Operator => "operator@demo.telemed.kz",
        })
    }
}

pub const GUEST_EMAIL: &str = "guest.matrix@example.kz";

pub struct World {
    pub app: TestApp,
    /// Without a cookie jar: each call is who its token says, never a session left by another.
    pub client: reqwest::Client,
    pub tokens: HashMap<Who, String>,
    pub users: HashMap<Who, String>,
    /// Path parameters by name: `patient`, `org`, `practitioner`, `consultation`, `deferred`,
    /// `record`, `council`, `material`, `slot`.
    pub ids: HashMap<&'static str, String>,
}

async fn json_of(res: reqwest::Response, expected: StatusCode) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body}");
    body
}

impl World {
    pub async fn build() -> World {
        let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
        let app = TestApp::with_demo_and_settings(Arc::new(clock), |s| {
            s.notify.worker_enabled = false;
            s.calls.udp_addrs = vec!["127.0.0.1:0".into()];
        })
        .await;
        let mut tokens = HashMap::new();
        let mut users = HashMap::new();
        for who in Who::ALL {
            if let Some(email) = who.email() {
                let token = app.login_demo(email).await;
                let me = json_of(app.get_as(&token, "/api/me").await, StatusCode::OK).await;
                users.insert(who, me["id"].as_str().unwrap().to_owned());
                tokens.insert(who, token);
            }
        }
        let res = app
            .post(
                "/api/auth/register",
                &registration(&fresh_iin(4242), GUEST_EMAIL),
            )
            .await;
        assert!(res.status().is_success(), "guest registers");
        let guest = app.login(GUEST_EMAIL, "correct horse battery").await;
        let me = json_of(app.get_as(&guest, "/api/me").await, StatusCode::OK).await;
        users.insert(Who::Guest, me["id"].as_str().unwrap().to_owned());
        tokens.insert(Who::Guest, guest);
        let mut w = World {
            client: reqwest::Client::new(),
            app,
            tokens,
            users,
            ids: HashMap::new(),
        };
        w.populate().await;
        w
    }

    pub fn token(&self, who: Who) -> Option<&str> {
        self.tokens.get(&who).map(String::as_str)
    }

    async fn call(&self, who: Who, method: Method, path: &str, body: Value) -> Value {
        let res = self.app.send_as(method, self.token(who), path, &body).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    async fn populate(&mut self) {
        let patient = self.users[&Who::Patient].clone();
        let org = self.app.demo_org("Алматы").await;
        let list: Value = self
            .app
            .get("/api/practitioners?specialty=cardiology")
            .await
            .json()
            .await
            .unwrap();
        let cardio = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["time_zone"] == "Asia/Almaty")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let slots: Value = self
            .app
            .get(&format!("/api/slots?practitioner={cardio}"))
            .await
            .json()
            .await
            .unwrap();
        let slots = slots[0]["slots"].as_array().unwrap().clone();
        let (first, second) = (slots[0]["start"].clone(), slots[1]["start"].clone());
        let r = Who::Representative;
        self.call(
            r,
            Method::POST,
            &format!("/api/organizations/{org}/consent"),
            json!({"action": "accept", "patient_id": patient}),
        )
        .await;
        let c = self
            .call(
                r,
                Method::POST,
                "/api/consultations",
                json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio,
                    "slot_start": first, "reason": "Кашель две недели", "funding": "gobmp",
                    "patient_id": patient}),
            )
            .await;
        let consultation = c["id"].as_str().unwrap().to_owned();
        let d = self
            .call(
                r,
                Method::POST,
                "/api/consultations",
                json!({"mode": "deferred", "urgency": "planned", "organization_id": org,
                    "specialty": "cardiology", "reason": "Прошу оценить ЭКГ", "funding": "osms",
                    "patient_id": patient}),
            )
            .await;
        let deferred = d["id"].as_str().unwrap().to_owned();
        let res = self
            .app
            .client
            .post(self.app.at(&format!(
                "/api/consultations/{consultation}/files?name=xray.png"
            )))
            .bearer_auth(self.token(r).unwrap())
            .body(XRAY_PNG.to_vec())
            .send()
            .await
            .unwrap();
        let material = json_of(res, StatusCode::CREATED).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let record = self
            .call(
                Who::Doctor,
                Method::POST,
                &format!("/api/patients/{patient}/records"),
                json!({"kind": "consultation_note", "consultation_id": consultation,
                    "content": {"text": "Жалобы на кашель"}}),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.call(
            Who::Doctor,
            Method::POST,
            &format!("/api/consultations/{consultation}/guests"),
            json!({"email": GUEST_EMAIL, "kind": "relative"}),
        )
        .await;
        let council = self
            .call(
                Who::Doctor,
                Method::POST,
                "/api/councils",
                json!({"patient_id": patient, "question": "Тактика лечения", "urgency": "planned",
                    "mode": "deferred", "initiative": "patient",
                    "specialties": ["neurology", "pulmonology"]}),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for (k, v) in [
            ("patient", patient),
            ("org", org),
            ("practitioner", cardio),
            ("consultation", consultation),
            ("deferred", deferred),
            ("record", record),
            ("council", council),
            ("material", material),
        ] {
            self.ids.insert(k, v);
        }
        self.ids.insert("slot", second.as_str().unwrap().to_owned());
    }

    /// The number of refusals in the patient's slice of the audit log with this actor.
    pub fn denials(&self, who: Who) -> i64 {
        use diesel::prelude::*;
        use telemed::db::schema::audit_events;
        let Some(actor) = self.users.get(&who) else {
            return 0;
        };
        let mut conn = self.app.context.db.get().unwrap();
        audit_events::table
            .filter(audit_events::subject_id.eq(&self.ids["patient"]))
            .filter(audit_events::actor_id.eq(actor))
            .filter(audit_events::outcome.eq("denied"))
            .count()
            .get_result(&mut conn)
            .unwrap()
    }
}
