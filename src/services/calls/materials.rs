//! Materials a call leaves in the consultation's record (art. 36): files shared in the call,
//! the recordings everyone agreed to, and the chat transcript written when the call ends. Each
//! is a blob addressed by its SHA-256; every download is authorised and audited.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::audit_call;
use crate::access::consultation::{ConsultationAct, part_for, refuse};
use crate::db::models::{ConsultationMaterialRow, ConsultationRow};
use crate::db::schema::{consultation_materials, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::consultation::Status;
use crate::error::{AppError, AppResult};
use crate::services::consultations::{PartyRef, load, status_of};
use crate::services::{Actor, Context};
use crate::storage::Stored;

pub const KIND_FILE: &str = "file";
/// A document sent with a deferred request (art. 17).
pub const KIND_DOCUMENT: &str = "document";
pub const KIND_RECORDING: &str = "recording";
pub const KIND_TRANSCRIPT: &str = "chat_transcript";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialView {
    pub id: String,
    /// `file`, `recording` or `chat_transcript`.
    pub kind: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    /// Who shared the file, or whose media the recording holds.
    pub author: Option<PartyRef>,
    #[schema(value_type = Object)]
    pub details: Value,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn view(
    conn: &mut DbConnection,
    row: ConsultationMaterialRow,
) -> AppResult<MaterialView> {
    let author = match &row.author_id {
        Some(id) => users::table
            .find(id)
            .select((users::id, users::full_name))
            .first::<(String, String)>(conn)
            .optional()?
            .map(|(id, full_name)| PartyRef { id, full_name }),
        None => None,
    };
    Ok(MaterialView {
        id: row.id,
        kind: row.kind,
        name: row.name,
        mime: row.mime,
        size: row.size,
        sha256: row.sha256,
        author,
        details: serde_json::from_str(&row.details).unwrap_or_default(),
        created_at: row.created_at.and_utc(),
    })
}

/// A file name as given, without folders, control or hidden characters (`domain::text`),
/// bounded. The name comes from the sender's system, not their keyboard, so it is cleaned
/// rather than refused: a bidirectional override would show `scan\u{202E}fdp.exe` as
/// `scanexe.pdf`.
fn clean_name(name: &str) -> String {
    use crate::domain::text::{Lines, allowed};
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| allowed(*c, Lines::One))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// Loads a consultation the actor may see; a refusal is audited (art. 40) and is a 403: files
/// are the patient's most sensitive data, and the attempt should be plain to its maker.
fn load_visible(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
    action: &str,
) -> AppResult<ConsultationRow> {
    let row = load(conn, id)?;
    if part_for(conn, actor, &row, ConsultationAct::Files)?.is_none() {
        return Err(refuse(
            conn,
            actor,
            &row,
            action,
            now,
            AppError::forbidden(),
        ));
    }
    Ok(row)
}

/// A stored blob about to be listed among a consultation's materials.
pub(crate) struct NewMaterial<'a> {
    pub consultation: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub stored: &'a Stored,
    pub author: Option<&'a str>,
    pub details: Value,
}

pub(crate) fn insert(
    conn: &mut DbConnection,
    m: NewMaterial<'_>,
    now: DateTime<Utc>,
) -> AppResult<ConsultationMaterialRow> {
    let row = ConsultationMaterialRow {
        id: new_id(),
        consultation_id: m.consultation.to_owned(),
        kind: m.kind.to_owned(),
        name: m.name.to_owned(),
        mime: m.stored.kind.mime().to_owned(),
        size: i64::try_from(m.stored.size).unwrap_or(i64::MAX),
        sha256: m.stored.sha256.clone(),
        author_id: m.author.map(str::to_owned),
        details: m.details.to_string(),
        created_at: now.naive_utc().trunc_subsecs(6),
    };
    diesel::insert_into(consultation_materials::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// A participant shares a file in the call, or the requester adds a document to a deferred
/// request: streamed into the blob store within the size limit and the accepted kinds, then
/// listed among the consultation's materials.
pub async fn upload<S, E>(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    name: &str,
    body: S,
) -> AppResult<MaterialView>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let now = ctx.clock.now();
    let (a, i) = (actor.clone(), id.to_owned());
    let platform_limit = ctx.settings.calls.max_file_bytes;
    let (deferred, limit) = ctx
        .db
        .run(move |conn| {
            let row = load(conn, &i)?;
            // Guests of the call share nothing into the patient's file (the call only).
            if part_for(conn, &a, &row, ConsultationAct::Files)?.is_none() {
                return Err(refuse(
                    conn,
                    &a,
                    &row,
                    "material.upload",
                    now,
                    AppError::forbidden(),
                ));
            }
            if !matches!(status_of(&row)?, Status::Booked | Status::InProgress) {
                return Err(AppError::conflict(
                    "consultation_closed",
                    "files are shared while the consultation is open",
                ));
            }
            // The organisation's own limit, which its page states (at most the platform's).
            let limit = crate::services::file_limit::for_organization(
                conn,
                &row.organization_id,
                platform_limit,
            )?;
            Ok((row.mode == "deferred", limit))
        })
        .await?;
    let stored = ctx.blobs.put_stream(body, limit).await?;
    let (a, i, name) = (actor.clone(), id.to_owned(), clean_name(name));
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = load(conn, &i)?;
                let material = insert(
                    conn,
                    NewMaterial {
                        consultation: &i,
                        kind: if deferred { KIND_DOCUMENT } else { KIND_FILE },
                        name: &name,
                        stored: &stored,
                        author: Some(&a.user_id),
                        details: json!({}),
                    },
                    now,
                )?;
                audit_call(conn, &a, now, &i, &row.patient_id, "material.upload")?;
                view(conn, material)
            })
        })
        .await
}

pub async fn list(ctx: &Context, actor: &Actor, id: &str) -> AppResult<Vec<MaterialView>> {
    let now = ctx.clock.now();
    let (actor, id) = (actor.clone(), id.to_owned());
    ctx.db
        .run(move |conn| {
            let row = load_visible(conn, &actor, &id, now, "material.list")?;
            let rows: Vec<ConsultationMaterialRow> = consultation_materials::table
                .filter(consultation_materials::consultation_id.eq(&id))
                .order(consultation_materials::created_at.asc())
                .select(ConsultationMaterialRow::as_select())
                .load(conn)?;
            write_tx(conn, |conn| {
                audit_call(conn, &actor, now, &id, &row.patient_id, "material.list")
            })?;
            rows.into_iter().map(|r| view(conn, r)).collect()
        })
        .await
}

/// Opens one material for download, after checking and auditing the access.
pub async fn open(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    material: &str,
) -> AppResult<(MaterialView, crate::storage::BlobStream)> {
    let now = ctx.clock.now();
    let (actor, id, material) = (actor.clone(), id.to_owned(), material.to_owned());
    let found = ctx
        .db
        .run(move |conn| {
            let row = load_visible(conn, &actor, &id, now, "material.read")?;
            let m: ConsultationMaterialRow = consultation_materials::table
                .find(&material)
                .filter(consultation_materials::consultation_id.eq(&id))
                .select(ConsultationMaterialRow::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("material"))?;
            write_tx(conn, |conn| {
                audit_call(conn, &actor, now, &id, &row.patient_id, "material.read")
            })?;
            view(conn, m)
        })
        .await?;
    let file = ctx.blobs.open_blob(&found.sha256).await?;
    Ok((found, file))
}

/// A shared file of this consultation, for a chat line that points at it.
pub(crate) fn shared_file(
    conn: &mut DbConnection,
    consultation: &str,
    material: &str,
) -> AppResult<ConsultationMaterialRow> {
    if !crate::domain::text::is_id(material) {
        return Err(AppError::unprocessable(
            "file_not_found",
            "no such file was shared in this call",
        ));
    }
    consultation_materials::table
        .find(material)
        .filter(consultation_materials::consultation_id.eq(consultation))
        .filter(consultation_materials::kind.eq(KIND_FILE))
        .select(ConsultationMaterialRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::unprocessable("file_not_found", "no such file was shared in this call")
        })
}

/// Stores a finished recording of one participant's track.
pub async fn add_recording(
    ctx: &Context,
    consultation: &str,
    author: &str,
    name: String,
    path: std::path::PathBuf,
    details: Value,
) -> AppResult<MaterialView> {
    let stored = ctx.blobs.put_file(path).await?;
    let now = ctx.clock.now();
    let (consultation, author) = (consultation.to_owned(), author.to_owned());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = insert(
                    conn,
                    NewMaterial {
                        consultation: &consultation,
                        kind: KIND_RECORDING,
                        name: &name,
                        stored: &stored,
                        author: Some(&author),
                        details,
                    },
                    now,
                )?;
                view(conn, row)
            })
        })
        .await
}

/// Writes the call's chat as a text material when the consultation ends. A failure is logged:
/// the messages themselves stay in the database either way.
pub async fn store_transcript(ctx: &Context, consultation: &str) {
    if let Err(e) = transcript(ctx, consultation).await {
        tracing::error!(consultation, error = %e, "the chat transcript was not stored");
    }
}

async fn transcript(ctx: &Context, consultation: &str) -> AppResult<()> {
    let id = consultation.to_owned();
    let lines = ctx
        .db
        .run(move |conn| super::chat::history_rows(conn, &id))
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let mut text = format!("Consultation {consultation}: chat transcript (UTC)\n\n");
    for line in &lines {
        text.push_str(&format!("{}  {}: {}\n", line.at, line.name, line.text));
        if let Some(f) = &line.file {
            text.push_str(&format!(
                "    file: {} ({} bytes, SHA-256 {})\n",
                f.name, f.size, f.sha256
            ));
        }
    }
    let path = ctx.blobs.temp_path(".txt");
    tokio::fs::write(&path, text.as_bytes())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a transcript: {e}")))?;
    let stored = ctx.blobs.put_file(path).await?;
    let now = ctx.clock.now();
    let id = consultation.to_owned();
    let count = lines.len();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                insert(
                    conn,
                    NewMaterial {
                        consultation: &id,
                        kind: KIND_TRANSCRIPT,
                        name: "chat-transcript.txt",
                        stored: &stored,
                        author: None,
                        details: json!({"messages": count}),
                    },
                    now,
                )
                .map(|_| ())
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("scan\u{202E}fdp.exe"), "scanfdp.exe");
        assert_eq!(clean_name("a\u{200B}b\0.png"), "ab.png");
        assert_eq!(clean_name("C:\\Users\\x\\снимок.png"), "снимок.png");
        assert_eq!(clean_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name(""), "file");
    }
}
