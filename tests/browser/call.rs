//! A video consultation in real browsers (Rules art. 16, 18, 36): the demo cardiologist and the
//! demo patient open the call page in headless Chromium with fake cameras; the patient waits,
//! the doctor admits, each side decodes the other's video through the SFU; they chat, record
//! with both consents; a second doctor the cardiologist invited joins from a third browser and
//! sees both; the doctor ends the consultation.

use std::time::Duration;

use diesel::prelude::*;
use fantoccini::Client;
use serde_json::Value;
use telemed::db::schema::consultation_materials;

use super::access_log::doctor_reads_a_consultation;
use super::records::sign_in;
use crate::driver::{
    Browser, attr, click, element, eventually, fill, spawn_app_with, text_containing,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_16_doctor_and_patient_hold_a_video_consultation_in_two_browsers() {
    // The demo booking takes the next free slot, possibly days ahead: open calls that early.
    let app = spawn_app_with(|s| s.calls.join_margin_minutes = 60 * 24 * 120).await;
    let url = app.url.clone();
    let consultation = doctor_reads_a_consultation(&url).await;
    let context = app.context.clone();
    let doctor = Browser::start_for_calls().await;
    let patient = Browser::start_for_calls().await;
    let second = Browser::start_for_calls().await;
    doctor
        .run(|d| async move {
            patient
                .run(|p| async move {
                    second
                        .run(|t| video_consultation([d, p, t], url, consultation, context))
                        .await
                })
                .await
        })
        .await;
}

/// Frames of remote video this page has decoded so far, from `getStats()`.
pub(crate) async fn frames_decoded(c: &Client) -> Result<u64, String> {
    let script = "return (async () => {
        const pc = window.__telemedCall && window.__telemedCall.pc();
        if (!pc) return -1;
        let frames = 0;
        (await pc.getStats()).forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
        });
        return frames;
    })();";
    let value: Value = c.execute(script, vec![]).await.map_err(|e| e.to_string())?;
    value
        .as_i64()
        .filter(|n| *n >= 0)
        .map(|n| n as u64)
        .ok_or_else(|| format!("no peer connection yet ({value})"))
}

/// Waits until the page has decoded at least `n` more frames than `from`.
pub(crate) async fn decodes_more(c: &Client, who: &str, from: u64, n: u64) -> u64 {
    eventually(
        &format!("{who} to decode {n} more video frames"),
        || async {
            let now = frames_decoded(c).await?;
            if now >= from + n {
                Ok(now)
            } else {
                Err(format!("{now} frames"))
            }
        },
    )
    .await
}

pub(crate) async fn open_call(c: &Client, url: &str, consultation: &str) {
    c.goto(&format!("{url}/#/consultations/{consultation}/call"))
        .await
        .expect("open the call page");
    element(c, "#call[data-state='preview']").await;
    element(c, "#local-video").await;
    click(c, "#join-button").await;
}

/// The cardiologist invites the demo therapist as a second doctor, through the consultation
/// page as the cardiologist would.
async fn invite_second_doctor(d: &Client, url: &str, consultation: &str) {
    d.goto(&format!("{url}/#/consultations/{consultation}"))
        .await
        .expect("open the consultation");
    fill(d, "#guest-email", "therapist@demo.telemed.kz").await;
    crate::driver::select(d, "#guest-kind", "guest_doctor").await;
    click(d, "#guest-submit").await;
    text_containing(d, "#guests", "Иванов Сергей Петрович").await;
}

async fn video_consultation(
    [d, p, t]: [Client; 3],
    url: String,
    consultation: String,
    context: telemed::services::Context,
) {
    sign_in(&d, &url, "cardio@demo.telemed.kz").await;
    invite_second_doctor(&d, &url, &consultation).await;
    open_call(&d, &url, &consultation).await;
    element(&d, "#call[data-state='in-call']").await;

    sign_in(&p, &url, "patient@demo.telemed.kz").await;
    open_call(&p, &url, &consultation).await;
    element(&p, "#call[data-state='waiting']").await;
    element(&p, "#waiting-room").await;

    // The doctor sees who waits and lets them in.
    click(&d, "#waiting-list li[data-participant-id] .admit").await;
    element(&p, "#call[data-state='in-call']").await;
    element(&d, "#tiles .tile[data-participant-id] video").await;
    element(&p, "#tiles .tile[data-participant-id] video").await;

    // Each side decodes the other's video, and keeps decoding.
    let seen = decodes_more(&d, "the doctor", 0, 10).await;
    decodes_more(&d, "the doctor", seen, 30).await;
    let seen = decodes_more(&p, "the patient", 0, 10).await;
    decodes_more(&p, "the patient", seen, 30).await;
    element(&d, "#quality[data-quality]").await;

    // Chat.
    fill(&p, "#chat-text", "Здравствуйте, доктор").await;
    click(&p, "#chat-send").await;
    text_containing(&d, "#chat-log", "Здравствуйте, доктор").await;

    // Recording only once both agreed.
    click(&d, "#record-button").await;
    element(&p, "#recording-consent").await;
    click(&p, "#recording-agree").await;
    element(&d, "#recording-indicator[data-state='active']").await;
    element(&p, "#recording-indicator[data-state='active']").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    click(&p, "#record-button").await;
    element(&d, "#recording-indicator[data-state='idle']").await;
    let id = consultation.clone();
    let recordings = eventually("the recordings to be stored", || {
        let context = context.clone();
        let id = id.clone();
        async move {
            let mut conn = context.db.get().map_err(|e| e.to_string())?;
            let n: i64 = consultation_materials::table
                .filter(consultation_materials::consultation_id.eq(&id))
                .filter(consultation_materials::kind.eq("recording"))
                .count()
                .get_result(&mut conn)
                .map_err(|e| e.to_string())?;
            if n >= 4 {
                Ok(n)
            } else {
                Err(format!("{n} recordings"))
            }
        }
    })
    .await;
    assert_eq!(recordings, 4, "audio and video of both");

    // A second doctor joins without waiting and sees and is seen by both.
    sign_in(&t, &url, "therapist@demo.telemed.kz").await;
    open_call(&t, &url, &consultation).await;
    element(&t, "#call[data-state='in-call']").await;
    let seen = decodes_more(&t, "the second doctor", 0, 20).await;
    decodes_more(&t, "the second doctor", seen, 20).await;
    eventually("three tiles on the patient's page", || async {
        let tiles = p
            .find_all(fantoccini::Locator::Css(
                "#tiles .tile[data-participant-id]",
            ))
            .await
            .map_err(|e| e.to_string())?;
        if tiles.len() == 2 {
            Ok(())
        } else {
            Err(format!("{} remote tiles", tiles.len()))
        }
    })
    .await;
    let before = frames_decoded(&p).await.expect("stats");
    decodes_more(&p, "the patient", before, 30).await;

    // The doctor ends the consultation for everyone.
    click(&d, "#end-call").await;
    click(&d, "#end-call-confirm").await;
    element(&p, "#call[data-state='ended']").await;
    element(&t, "#call[data-state='ended']").await;
    element(&d, "#call[data-state='ended']").await;
    assert_eq!(
        attr(&p, "#call-ended", "data-reason").await,
        "ended_by_doctor"
    );
}
