//! The signaling socket of a consultation's call: `GET /api/consultations/{id}/signal`.
//! Who may join is decided before the upgrade (403/404/409 as JSON); afterwards this task
//! parses each text frame into a typed message for the room, writes the room's messages out,
//! and pings the client, dropping it after three silent heartbeats.

use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use tokio::sync::mpsc::unbounded_channel;

use super::auth::CurrentUser;
use super::ids::Id;
use crate::error::{AppError, AppResult};
use crate::realtime::Realtime;
use crate::realtime::protocol::{ClientMessage, ServerMessage};
use crate::realtime::room::RoomInput;
use crate::realtime::room::participants::{Connection, Outbound};
use crate::services::Context;
use crate::services::calls::{self, Joiner};

/// Largest message a client may send: an SDP answer for a call of six is a few kilobytes.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;

#[utoipa::path(get, path = "/api/consultations/{id}/signal", tag = "calls", params(("id" = String, Path)),
    responses((status = 101, description = "WebSocket: the call's signaling (see src/realtime/protocol.rs)"),
              (status = 400, description = "websocket_required", body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody),
              (status = 403, description = "not_a_participant", body = super::error::ErrorBody),
              (status = 409, description = "call_not_open, consultation_ended, consultation_cancelled, consultation_not_confirmed, not_realtime", body = super::error::ErrorBody)))]
pub async fn signal(
    req: HttpRequest,
    body: web::Payload,
    ctx: web::Data<Context>,
    realtime: web::Data<Realtime>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    let joiner = calls::authorize_join(&ctx, &user.0, &path).await?;
    let (response, session, stream) =
        actix_ws::handle(&req, body).map_err(|e| AppError::bad_request("websocket_required", e))?;
    let stream = stream
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    let heartbeat = Duration::from_secs(ctx.settings.calls.heartbeat_seconds.max(1));
    actix_web::rt::spawn(run(
        ctx.get_ref().clone(),
        realtime.get_ref().clone(),
        joiner,
        session,
        stream,
        heartbeat,
    ));
    Ok(response)
}

async fn send(session: &mut actix_ws::Session, message: &ServerMessage) -> bool {
    match serde_json::to_string(message) {
        Ok(text) => session.text(text).await.is_ok(),
        Err(_) => true,
    }
}

fn refusal(code: &'static str, message: impl Into<String>) -> ServerMessage {
    ServerMessage::Error {
        code,
        message: message.into(),
    }
}

async fn run(
    ctx: Context,
    realtime: Realtime,
    joiner: Joiner,
    mut session: actix_ws::Session,
    mut stream: actix_ws::AggregatedMessageStream,
    heartbeat: Duration,
) {
    let consultation = joiner.consultation_id.clone();
    let conn_id = realtime.connection_id();
    let (tx, mut outbound) = unbounded_channel();
    // Handed to the room on `join`; until then this task holds it (and the channel stays open).
    let mut conn = Some(Connection { id: conn_id, tx });
    let mut joiner = Some(joiner);
    let mut last_heard = Instant::now();
    let mut pings = tokio::time::interval(heartbeat);
    let close = loop {
        tokio::select! {
            incoming = stream.recv() => {
                last_heard = Instant::now();
                let message = match incoming {
                    None | Some(Ok(AggregatedMessage::Close(_))) => break None,
                    Some(Err(e)) => break Some(CloseReason {
                        code: CloseCode::Protocol,
                        description: Some(e.to_string()),
                    }),
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() { break None }
                        continue;
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => continue,
                    Some(Ok(AggregatedMessage::Binary(_))) => {
                        if !send(&mut session, &refusal("bad_message", "messages are JSON text")).await { break None }
                        continue;
                    }
                    Some(Ok(AggregatedMessage::Text(text))) => text,
                };
                let parsed = match serde_json::from_str::<ClientMessage>(&message) {
                    Ok(m) => m,
                    Err(e) => {
                        let reply = refusal("bad_message", format!("not a message this call understands: {e}"));
                        if !send(&mut session, &reply).await { break None }
                        continue;
                    }
                };
                match parsed {
                    ClientMessage::Join { resume, keep_media } => match (joiner.take(), conn.take()) {
                        (Some(j), Some(c)) => realtime.join(&ctx, j, c, resume, keep_media),
                        _ => {
                            if !send(&mut session, &refusal("already_joined", "this socket has joined already")).await { break None }
                        }
                    },
                    // Answered here: a keep-alive need not travel to the room.
                    ClientMessage::Ping => {
                        if !send(&mut session, &ServerMessage::Pong).await { break None }
                    }
                    other if joiner.is_some() => {
                        let _ = other;
                        if !send(&mut session, &refusal("join_first", "send join first")).await { break None }
                    }
                    other => realtime.send(&consultation, RoomInput::Client { conn: conn_id, message: other }),
                }
            }
            out = outbound.recv() => match out {
                Some(Outbound::Message(m)) => {
                    if !send(&mut session, m.as_ref()).await { break None }
                }
                Some(Outbound::Close) | None => break Some(CloseReason::from(CloseCode::Normal)),
            },
            _ = pings.tick() => {
                if last_heard.elapsed() > heartbeat * 3 {
                    break Some(CloseReason {
                        code: CloseCode::Away,
                        description: Some("no heartbeat".into()),
                    });
                }
                if session.ping(b"").await.is_err() { break None }
            }
        }
    };
    if joiner.is_none() {
        realtime.send(&consultation, RoomInput::Gone { conn: conn_id });
    }
    let _ = session.close(close).await;
}
