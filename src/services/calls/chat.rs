//! The chat of a call, kept with the consultation (art. 36: text messages are materials of the
//! record). A line may carry a file shared in the call.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use diesel::prelude::*;

use super::audit_call;
use super::materials::shared_file;
use crate::access::consultation::{ConsultationAct, part_for, refuse};
use crate::db::models::{CallMessageRow, ConsultationMaterialRow};
use crate::db::schema::{call_messages, consultation_materials, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult};
use crate::realtime::protocol::{ChatFile, ChatLine};
use crate::services::consultations::load;
use crate::services::{Actor, Context, optional_text};

const MAX_CHARS: usize = 4000;

fn line(row: CallMessageRow, name: String, file: Option<ConsultationMaterialRow>) -> ChatLine {
    ChatLine {
        id: row.id,
        user_id: row.sender_id,
        name,
        text: row.body,
        file: file.map(|f| ChatFile {
            id: f.id,
            name: f.name,
            mime: f.mime,
            size: f.size,
            sha256: f.sha256,
        }),
        at: row
            .created_at
            .and_utc()
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    }
}

/// Keeps a chat line of a participant already admitted to the call.
pub async fn post(
    ctx: &Context,
    actor: &Actor,
    consultation: &str,
    text: &str,
    file_id: Option<String>,
) -> AppResult<ChatLine> {
    let text = optional_text(text, "text", MAX_CHARS)?;
    if text.is_empty() && file_id.is_none() {
        return Err(AppError::unprocessable(
            "empty_message",
            "write something or attach a file",
        ));
    }
    let now: DateTime<Utc> = ctx.clock.now().trunc_subsecs(3);
    let (actor, consultation) = (actor.clone(), consultation.to_owned());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let file = match &file_id {
                    Some(f) => Some(shared_file(conn, &consultation, f)?),
                    None => None,
                };
                let last: Option<i32> = call_messages::table
                    .filter(call_messages::consultation_id.eq(&consultation))
                    .select(diesel::dsl::max(call_messages::seq))
                    .first(conn)?;
                let row = CallMessageRow {
                    id: new_id(),
                    consultation_id: consultation.clone(),
                    seq: last.unwrap_or(0) + 1,
                    sender_id: actor.user_id.clone(),
                    body: text,
                    material_id: file.as_ref().map(|f| f.id.clone()),
                    created_at: now.naive_utc(),
                };
                diesel::insert_into(call_messages::table)
                    .values(&row)
                    .execute(conn)?;
                let name: String = users::table
                    .find(&actor.user_id)
                    .select(users::full_name)
                    .first(conn)?;
                Ok(line(row, name, file))
            })
        })
        .await
}

/// Every line of a consultation's chat, oldest first.
pub(crate) fn history_rows(
    conn: &mut DbConnection,
    consultation: &str,
) -> AppResult<Vec<ChatLine>> {
    let rows: Vec<(CallMessageRow, String, Option<ConsultationMaterialRow>)> = call_messages::table
        .inner_join(users::table.on(users::id.eq(call_messages::sender_id)))
        .left_join(
            consultation_materials::table.on(consultation_materials::id
                .nullable()
                .eq(call_messages::material_id)),
        )
        .filter(call_messages::consultation_id.eq(consultation))
        .order(call_messages::seq.asc())
        .select((
            CallMessageRow::as_select(),
            users::full_name,
            Option::<ConsultationMaterialRow>::as_select(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, name, file)| line(row, name, file))
        .collect())
}

/// The chat for someone who may see the consultation; the read is audited (art. 40).
pub async fn history(ctx: &Context, actor: &Actor, consultation: &str) -> AppResult<Vec<ChatLine>> {
    let now = ctx.clock.now();
    let (actor, consultation) = (actor.clone(), consultation.to_owned());
    ctx.db
        .run(move |conn| {
            let row = load(conn, &consultation)?;
            if part_for(conn, &actor, &row, ConsultationAct::Call)?.is_none() {
                return Err(refuse(
                    conn,
                    &actor,
                    &row,
                    "chat.read",
                    now,
                    AppError::forbidden(),
                ));
            }
            write_tx(conn, |conn| {
                audit_call(
                    conn,
                    &actor,
                    now,
                    &consultation,
                    &row.patient_id,
                    "chat.read",
                )
            })?;
            history_rows(conn, &consultation)
        })
        .await
}
