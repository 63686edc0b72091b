//! The patients' side: finding the slots, registering and signing in the patients (untimed),
//! and the timed race over the slots.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use reqwest::{Client, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use telemed::domain::iin::Iin;
use tokio::sync::Barrier;
use tokio::time::Instant;

/// The reason every benchmark booking carries, so the database check can find them.
pub const REASON: &str = "bench";
const SPECIALTY: &str = "cardiology";
/// The slot API answers for at most this many days at a time.
const PAGE_DAYS: i64 = 31;
/// Slots starting sooner than this are left alone: they could begin during the run.
const LEAD_MINUTES: i64 = 30;
/// Registration hashes a password per patient; enough in flight to keep both cores busy.
const SETUP_CONCURRENCY: usize = 8;

#[derive(Debug, Clone)]
pub struct Slot {
    pub practitioner_id: String,
    pub organization_id: String,
    pub start: DateTime<Utc>,
}

#[derive(Deserialize)]
struct PractitionerSlots {
    practitioner_id: String,
    organization_id: String,
    slots: Vec<SlotTimes>,
}

#[derive(Deserialize)]
struct SlotTimes {
    start: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Booked {
    practitioner: Option<PartyRef>,
    slot_start: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct PartyRef {
    id: String,
}

pub enum Outcome {
    Booked(Slot),
    SlotTaken,
    /// Anything else: the status (none for a transport failure or timeout) and the body.
    Unexpected(Option<StatusCode>, String),
}

pub struct Attempt {
    pub latency: Duration,
    /// When the answer came, to tell when the last slot went.
    pub finished: Instant,
    pub outcome: Outcome,
}

pub struct Patient {
    http: Client,
    token: String,
}

/// A client of its own for each patient: its own connections, as separate people would have.
pub fn client(request_timeout: Duration) -> anyhow::Result<Client> {
    // Loopback only: no proxy may route the load elsewhere. A pooled connection is dropped
    // after 2 s idle, well before actix-web closes it (keep-alive 5 s): otherwise a patient who
    // waited through the setup may send the race's first request on a connection the server is
    // closing at that moment, and the benchmark would count a transport error, not a booking.
    Ok(Client::builder()
        .no_proxy()
        .timeout(request_timeout)
        .pool_idle_timeout(Duration::from_secs(2))
        .build()?)
}

async fn slots_page(
    http: &Client,
    base: &str,
    filter: (&str, &str),
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<PractitionerSlots>> {
    Ok(http
        .get(format!("{base}/api/slots"))
        .query(&[
            (filter.0, filter.1.to_owned()),
            ("from", from.to_rfc3339()),
            ("to", to.to_rfc3339()),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// The first `m` free cardiology slots far enough ahead, across practitioners, paging the slot
/// API a month at a time up to the booking horizon.
pub async fn find_slots(
    http: &Client,
    base: &str,
    m: usize,
    horizon_days: i64,
) -> anyhow::Result<Vec<Slot>> {
    let now = Utc::now();
    let horizon = now + chrono::Duration::days(horizon_days) - chrono::Duration::hours(1);
    let mut from = now + chrono::Duration::minutes(LEAD_MINUTES);
    let mut found = Vec::new();
    while found.len() < m && from < horizon {
        let to = (from + chrono::Duration::days(PAGE_DAYS)).min(horizon);
        let page = slots_page(http, base, ("specialty", SPECIALTY), from, to).await?;
        let mut window: Vec<Slot> = page
            .into_iter()
            .flat_map(|p| {
                p.slots.into_iter().map(move |s| Slot {
                    practitioner_id: p.practitioner_id.clone(),
                    organization_id: p.organization_id.clone(),
                    start: s.start,
                })
            })
            .collect();
        window.sort_by(|a, b| (a.start, &a.practitioner_id).cmp(&(b.start, &b.practitioner_id)));
        found.extend(window);
        from = to;
    }
    anyhow::ensure!(
        found.len() >= m,
        "only {} free {SPECIALTY} slots within the {horizon_days}-day horizon; asked for {m}",
        found.len()
    );
    found.truncate(m);
    Ok(found)
}

/// Distinct valid IINs beginning `95`, numbered from a random base, so a second run against
/// the same server does not collide with the first.
fn iins(n: usize) -> Vec<String> {
    let base = uuid::Uuid::new_v4().as_fields().0 % Iin::NUMBERED;
    (0..Iin::NUMBERED)
        .map(|k| (base + k) % Iin::NUMBERED)
        .filter_map(|k| Iin::numbered(95, k))
        .take(n)
        .map(|iin| iin.as_str().to_owned())
        .collect()
}

/// Registers, signs in and accepts every organisation's offer for each patient (not timed).
pub async fn setup(
    n: usize,
    base: &str,
    orgs: &BTreeSet<&str>,
    request_timeout: Duration,
) -> anyhow::Result<Vec<Patient>> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let run = &run[..8];
    futures::stream::iter(iins(n).into_iter().enumerate())
        .map(|(i, iin)| async move {
            let http = client(request_timeout)?;
            let email = format!("bench-{run}-{i}@bench.telemed.local");
            let password = "correct horse battery staple";
            let registration = json!({"full_name": "Бенчмарк Пациент", "iin": iin,
                "email": email, "password": password, "language": "ru"});
            let register = format!("{base}/api/auth/register");
            expect(&http, &register, None, &registration, 201).await?;
            let login = json!({"email": email, "password": password});
            let session =
                expect(&http, &format!("{base}/api/auth/login"), None, &login, 200).await?;
            let token = session["token"]
                .as_str()
                .context("login answer without a token")?
                .to_owned();
            let accept = json!({"action": "accept", "method": "click"});
            for org in orgs {
                let url = format!("{base}/api/organizations/{org}/consent");
                expect(&http, &url, Some(&token), &accept, 201).await?;
            }
            Ok::<_, anyhow::Error>(Patient { http, token })
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .try_collect()
        .await
}

/// Confirms each address by the token of its verification letter (not timed).
pub async fn verify(http: &Client, base: &str, tokens: &[String]) -> anyhow::Result<()> {
    let url = format!("{base}/api/auth/verify-email");
    futures::stream::iter(tokens)
        .map(|token| {
            let url = &url;
            async move {
                let res = http.post(url).json(&json!({"token": token})).send().await?;
                anyhow::ensure!(res.status().is_success(), "verify-email: {}", res.status());
                Ok::<_, anyhow::Error>(())
            }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

async fn expect(
    http: &Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
    status: u16,
) -> anyhow::Result<Value> {
    let mut req = http.post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.with_context(|| format!("POST {url}"))?;
    let got = res.status();
    let text = res.text().await?;
    anyhow::ensure!(got.as_u16() == status, "POST {url}: {got} {text}");
    Ok(serde_json::from_str(&text)?)
}

/// The timed phase: every patient waits at the barrier, then tries slots in its own seeded
/// order until one is booked or all answered `slot_taken`, within the overall deadline.
/// Returns the attempts and when the barrier let them go.
pub async fn race(
    base: &str,
    patients: Vec<Patient>,
    slots: Arc<Vec<Slot>>,
    seed: u64,
    overall: Duration,
) -> (Vec<Attempt>, Instant) {
    let barrier = Arc::new(Barrier::new(patients.len() + 1));
    let url = Arc::new(format!("{base}/api/consultations"));
    let mut tasks = Vec::with_capacity(patients.len());
    for (i, patient) in patients.into_iter().enumerate() {
        let (barrier, slots, url) = (barrier.clone(), slots.clone(), url.clone());
        let seed = seed.wrapping_add(i as u64);
        tasks.push(tokio::spawn(async move {
            let mut order: Vec<usize> = (0..slots.len()).collect();
            order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
            barrier.wait().await;
            let deadline = Instant::now() + overall;
            let mut attempts = Vec::new();
            for k in order {
                let attempt = try_book(&patient, &url, &slots[k], deadline).await;
                let done = matches!(attempt.outcome, Outcome::Booked(_));
                attempts.push(attempt);
                if done || Instant::now() >= deadline {
                    break;
                }
            }
            attempts
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut attempts = Vec::new();
    for task in tasks {
        match task.await {
            Ok(mut a) => attempts.append(&mut a),
            Err(e) => attempts.push(Attempt {
                latency: Duration::ZERO,
                finished: Instant::now(),
                outcome: Outcome::Unexpected(None, format!("client task failed: {e}")),
            }),
        }
    }
    (attempts, started)
}

async fn try_book(patient: &Patient, url: &str, slot: &Slot, deadline: Instant) -> Attempt {
    let body = json!({"mode": "realtime", "urgency": "planned",
        "practitioner_id": slot.practitioner_id, "slot_start": slot.start,
        "reason": REASON, "funding": "osms"});
    let started = Instant::now();
    let request = async {
        let res = patient
            .http
            .post(url)
            .bearer_auth(&patient.token)
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        Ok::<_, reqwest::Error>((status, res.text().await?))
    };
    let answer = tokio::time::timeout_at(deadline, request).await;
    let latency = started.elapsed();
    let outcome = match answer {
        Err(_) => Outcome::Unexpected(None, "overall timeout of the timed phase".into()),
        Ok(Err(e)) => Outcome::Unexpected(None, with_causes(&e)),
        Ok(Ok((StatusCode::CREATED, text))) => match serde_json::from_str::<Booked>(&text) {
            Ok(Booked {
                practitioner: Some(p),
                slot_start: Some(start),
            }) => Outcome::Booked(Slot {
                practitioner_id: p.id,
                organization_id: slot.organization_id.clone(),
                start,
            }),
            _ => Outcome::Unexpected(Some(StatusCode::CREATED), text),
        },
        Ok(Ok((StatusCode::CONFLICT, text)))
            if serde_json::from_str::<Value>(&text).is_ok_and(|v| v["error"] == "slot_taken") =>
        {
            Outcome::SlotTaken
        }
        Ok(Ok((status, text))) => Outcome::Unexpected(Some(status), text),
    };
    Attempt {
        latency,
        finished: Instant::now(),
        outcome,
    }
}

/// reqwest's message alone hides why ("error sending request"); the causes say it.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Without database access: how many of the raced slots the API still lists as free.
pub async fn still_free(http: &Client, base: &str, slots: &[Slot]) -> anyhow::Result<usize> {
    let wanted: HashSet<(&str, DateTime<Utc>)> = slots
        .iter()
        .map(|s| (s.practitioner_id.as_str(), s.start))
        .collect();
    let practitioners: BTreeSet<&str> = slots.iter().map(|s| s.practitioner_id.as_str()).collect();
    let (Some(first), Some(last)) = (slots.first(), slots.last()) else {
        return Ok(0);
    };
    let mut free = 0;
    for p in practitioners {
        let mut from = first.start;
        while from <= last.start {
            let to = from + chrono::Duration::days(PAGE_DAYS);
            free += slots_page(http, base, ("practitioner", p), from, to)
                .await?
                .iter()
                .flat_map(|ps| {
                    ps.slots
                        .iter()
                        .map(|s| (ps.practitioner_id.as_str(), s.start))
                })
                .filter(|k| wanted.contains(k))
                .count();
            from = to;
        }
    }
    Ok(free)
}
