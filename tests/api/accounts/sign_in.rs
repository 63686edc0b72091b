//! The sign-in throttle holds under parallel attempts, and password hashing is bounded: past
//! its slots a sign-in gets 503 `busy` with a Retry-After rather than more memory.

use std::sync::Arc;

use futures::future::join_all;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use telemed::clock::SystemClock;

use crate::support::{TestApp, assert_error, fresh_iin, registration};

/// Fires `n` sign-ins at once; returns each answer's status and Retry-After.
async fn at_once(app: &TestApp, n: usize, body: &Value) -> Vec<(StatusCode, Option<u64>)> {
    join_all((0..n).map(|_| async {
        let res = app
            .client
            .post(app.at("/api/auth/login"))
            .json(body)
            .send()
            .await
            .expect("request");
        let retry = res
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok()?.parse().ok());
        (res.status(), retry)
    }))
    .await
}

fn count(answers: &[(StatusCode, Option<u64>)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

#[tokio::test]
async fn login_throttle_holds_against_parallel_wrong_passwords() {
    let app = TestApp::empty().await;
    app.post(
        "/api/auth/register",
        &registration(&fresh_iin(50), "target@example.kz"),
    )
    .await;
    let wrong = json!({"email": "target@example.kz", "password": "wrong password!"});
    let answers = at_once(&app, 20, &wrong).await;
    let refused = count(&answers, StatusCode::UNAUTHORIZED);
    let throttled = count(&answers, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused <= 5,
        "{refused} wrong passwords were checked: {answers:?}"
    );
    assert_eq!(refused + throttled, 20, "{answers:?}");
    for (status, retry) in &answers {
        if *status == StatusCode::TOO_MANY_REQUESTS {
            assert!(
                retry.is_some_and(|s| s > 0 && s <= 2 * 15 * 60),
                "{retry:?}"
            );
        }
    }
    // The e-mail stays locked for the right password too.
    let right = json!({"email": "target@example.kz", "password": "correct horse battery"});
    assert_error(
        app.post("/api/auth/login", &right).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    )
    .await;
}

#[tokio::test]
async fn login_throttle_counts_only_failures_and_a_success_starts_the_email_afresh() {
    let app = TestApp::empty().await;
    app.post(
        "/api/auth/register",
        &registration(&fresh_iin(51), "often@example.kz"),
    )
    .await;
    let wrong = json!({"email": "often@example.kz", "password": "wrong password!"});
    // 4 failures, a success, 4 more failures, a success: nothing is locked.
    for _ in 0..2 {
        for _ in 0..4 {
            assert_error(
                app.post("/api/auth/login", &wrong).await,
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
            )
            .await;
        }
        app.login("often@example.kz", "correct horse battery").await;
    }
    // Many sign-ins from one address in a row are fine: successes do not count for it.
    for _ in 0..12 {
        app.login("often@example.kz", "correct horse battery").await;
    }
}

#[tokio::test]
async fn login_throttle_limits_failures_per_client_address_across_emails() {
    let app = TestApp::with_settings(Arc::new(SystemClock), |s| {
        s.auth.max_failed_logins_per_ip = 3;
    })
    .await;
    for i in 0..3 {
        let wrong =
            json!({"email": format!("nobody{i}@example.kz"), "password": "wrong password!"});
        assert_error(
            app.post("/api/auth/login", &wrong).await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    let fourth = json!({"email": "nobody4@example.kz", "password": "wrong password!"});
    let res = app.post("/api/auth/login", &fourth).await;
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

#[tokio::test]
async fn hash_gate_answers_busy_with_retry_after_instead_of_queueing_without_bound() {
    let app = TestApp::with_settings(Arc::new(SystemClock), |s| {
        s.auth.max_concurrent_hashes = 1;
        // A slot now or never: any sign-in that meets another one hashing is turned away.
        s.auth.hash_queue_ms = 0;
        s.auth.max_failed_logins = 1000;
        s.auth.max_failed_logins_per_ip = 1000;
    })
    .await;
    app.post(
        "/api/auth/register",
        &registration(&fresh_iin(52), "busy@example.kz"),
    )
    .await;
    let right = json!({"email": "busy@example.kz", "password": "correct horse battery"});
    let answers = at_once(&app, 16, &right).await;
    let ok = count(&answers, StatusCode::OK);
    let busy = count(&answers, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ok + busy, 16, "{answers:?}");
    assert!(ok >= 1 && busy >= 1, "{answers:?}");
    for (status, retry) in &answers {
        if *status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(retry.is_some_and(|s| s >= 1), "{retry:?}");
        }
    }
    let res = app
        .client
        .post(app.at("/api/auth/login"))
        .json(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the gate frees its slot");
    // The code is stable for clients.
    let answers = join_all((0..8).map(|_| app.post("/api/auth/login", &right))).await;
    for res in answers {
        if res.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_error(res, StatusCode::SERVICE_UNAVAILABLE, "busy").await;
        }
    }
}
