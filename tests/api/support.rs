//! The test application: the real service on port 0 with its own database — a fresh SQLite file,
//! or a fresh PostgreSQL schema when `TELEMED_TEST_DATABASE_URL` is set.

use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use telemed::app::Application;
use telemed::clock::{Clock, SystemClock};
use telemed::config::Settings;
use telemed::services::Context;
use telemed::services::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub url: String,
    pub client: Client,
    pub context: Context,
    server: actix_web::dev::ServerHandle,
    _dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
}

fn pg_url_with_schema(base: &str, schema: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}

impl TestApp {
    /// The service with the demo organisations, doctors and patients loaded.
    pub async fn with_demo() -> TestApp {
        Self::spawn(true).await
    }

    pub async fn empty() -> TestApp {
        Self::spawn(false).await
    }

    async fn spawn(demo: bool) -> TestApp {
        Self::spawn_custom(demo, Arc::new(SystemClock), |_| {}).await
    }

    /// An app without demo data, on the given clock, with settings adjusted after the test
    /// defaults (the mail tests point it at a loopback SMTP server and switch the worker off).
    pub async fn with_settings(
        clock: Arc<dyn Clock>,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        Self::spawn_custom(false, clock, adjust).await
    }

    /// The demo data with adjusted settings (e.g. mail to a loopback SMTP server).
    pub async fn with_demo_and_settings(
        clock: Arc<dyn Clock>,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        Self::spawn_custom(true, clock, adjust).await
    }

    /// The demo data on a clock the test moves (deadlines, reminders).
    pub async fn with_demo_on(clock: Arc<dyn Clock>) -> TestApp {
        Self::spawn_custom(true, clock, |_| {}).await
    }

    async fn spawn_custom(
        demo: bool,
        clock: Arc<dyn Clock>,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings::embedded().expect("embedded settings");
        settings.server.listen = "127.0.0.1:0".into();
        settings.server.workers = 2;
        settings.server.statement_counts = true;
        settings.database.pool_size = 3;
        settings.storage.blob_dir = dir.path().join("blobs");
        settings.mail.dir = dir.path().join("mail");
        settings.audit.key_file = dir.path().join("audit.key");
        settings.audit.checkpoint_file = dir.path().join("audit.checkpoints");
        // No development CA unless a test asks for one: signing tests bring their own PKI.
        settings.signing.dev_ca_dir = Default::default();
        settings.demo.seed_on_first_start = demo;
        let mut pg_schema = None;
        settings.database.url = match std::env::var("TELEMED_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&base).expect("test PostgreSQL reachable");
                admin
                    .batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("create schema");
                pg_schema = Some((base.clone(), schema.clone()));
                pg_url_with_schema(&base, &schema)
            }
            _ => format!("sqlite://{}", dir.path().join("telemed.sqlite3").display()),
        };
        adjust(&mut settings);
        let app = Application::build_with_clock(settings, clock)
            .await
            .expect("app builds");
        let url = app.url().to_owned();
        let context = app.context().clone();
        let server = app.handle();
        // The server runs on a runtime of its own: when the test's runtime ends, the stop command
        // sent on drop is still processed, the workers exit and their connections close.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime")
                .block_on(app.run_until_stopped())
        });
        TestApp {
            url,
            // Idle connections are dropped before actix-web's 5 s keep-alive closes them, so a
            // request never goes out on a connection the server is closing at that moment.
            client: Client::builder()
                .cookie_store(true)
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .expect("client"),
            context,
            server,
            _dir: dir,
            pg_schema,
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.at(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.at(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.at(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn send_as(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: &Value,
    ) -> Response {
        let mut req = self.client.request(method, self.at(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// Signs in and returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .post(
                "/api/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email}");
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn login_demo(&self, email: &str) -> String {
        self.login(email, DEMO_PASSWORD).await
    }

    /// The id of the demo organisation in the given city ("Алматы" or "Актобе").
    pub async fn demo_org(&self, city: &str) -> String {
        let orgs: Value = self.get("/api/organizations").await.json().await.unwrap();
        orgs.as_array()
            .unwrap()
            .iter()
            .find(|o| o["address"].as_str().unwrap().contains(city))
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .expect("demo organisation")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; awaiting it is not needed here.
        drop(self.server.stop(false));
        if let Some((base, schema)) = &self.pg_schema
            && let Ok(mut conn) = PgConnection::establish(base)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// Asserts the status and the stable error code of a JSON error response.
pub async fn assert_error(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status for expected {code}");
    let body: Value = res.json().await.expect("error body is JSON");
    assert_eq!(body["error"], code, "body: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    body
}

/// A valid IIN that no demo account uses (they begin 15, 70–93), made from a counter.
pub fn fresh_iin(n: u32) -> String {
    telemed::domain::iin::Iin::numbered(99, n)
        .expect("century digit 3 or 4 has a check digit")
        .to_string()
}

pub fn registration(iin: &str, email: &str) -> Value {
    json!({
        "full_name": "Серикова Айгуль Маратовна",
        "iin": iin,
        "email": email,
        "password": "correct horse battery",
        "language": "kk",
    })
}

/// The patient accepts the offer of the doctor's organisation and books the doctor's first
/// free real-time slot: from then the doctor treats the patient (a care relationship, art. 35).
/// The doctor is found by specialty and time zone, as the demo has one of each per city.
pub async fn book_first_slot(app: &TestApp, patient: &str, specialty: &str, zone: &str) -> String {
    let list: Value = app
        .get(&format!("/api/practitioners?specialty={specialty}"))
        .await
        .json()
        .await
        .unwrap();
    let doctor = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["time_zone"] == zone)
        .expect("a doctor of the specialty in the zone");
    let (id, org) = (
        doctor["id"].as_str().unwrap(),
        doctor["organization_id"].as_str().unwrap(),
    );
    let res = app
        .send_as(
            reqwest::Method::POST,
            Some(patient),
            &format!("/api/organizations/{org}/consent"),
            &json!({"action": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let slots: Value = app
        .get(&format!("/api/slots?practitioner={id}"))
        .await
        .json()
        .await
        .unwrap();
    let start = slots[0]["slots"][0]["start"].clone();
    let booking = json!({"mode": "realtime", "urgency": "planned", "practitioner_id": id,
        "slot_start": start, "reason": "Наблюдение у лечащего врача", "funding": "gobmp"});
    let res = app
        .send_as(
            reqwest::Method::POST,
            Some(patient),
            "/api/consultations",
            &booking,
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// Every queued e-mail, oldest first.
pub fn outbox(app: &TestApp) -> Vec<telemed::db::models::OutboxRow> {
    use diesel::prelude::*;
    use telemed::db::schema::outbox;
    let mut conn = app.context.db.get().expect("connection");
    outbox::table
        .select(telemed::db::models::OutboxRow::as_select())
        .order(outbox::created_at.asc())
        .load(&mut conn)
        .expect("outbox")
}
