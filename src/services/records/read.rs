//! Reading one record, and the exact document its author signs (art. 37). Every read is audited.

use super::{RecordView, document, load, view};
use crate::access::record::{may_read, on_record};
use crate::db::write_tx;
use crate::domain::canonical::sha256_hex;
use crate::error::AppResult;
use crate::services::{Actor, Context};

pub async fn get(ctx: &Context, actor: &Actor, id: String) -> AppResult<RecordView> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let rules = ctx.access_rules();
    ctx.db
        .run(move |conn| {
            let row = load(conn, &id)?;
            let Some(granted) = may_read(conn, &actor, &row, now, rules)? else {
                return Err(on_record(&actor, now, &row, "record.read", None).deny(conn));
            };
            // The read is recorded in a short write; the view is read after it, outside.
            write_tx(conn, |conn| {
                on_record(&actor, now, &row, "record.read", granted.purpose.as_deref())
                    .record(conn, "ok")
            })?;
            view(conn, row)
        })
        .await
}

/// The bytes to sign, and their SHA-256 (hex). A signed record's are the stored bytes.
pub struct Document {
    pub canonical: String,
    pub sha256: String,
}

pub async fn document_of(ctx: &Context, actor: &Actor, id: String) -> AppResult<Document> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let rules = ctx.access_rules();
    ctx.db
        .run(move |conn| {
            let row = load(conn, &id)?;
            let Some(granted) = may_read(conn, &actor, &row, now, rules)? else {
                return Err(on_record(&actor, now, &row, "record.read", None).deny(conn));
            };
            write_tx(conn, |conn| {
                on_record(&actor, now, &row, "record.read", granted.purpose.as_deref())
                    .record(conn, "ok")
            })?;
            let canonical = document(conn, &row)?;
            Ok(Document {
                sha256: sha256_hex(canonical.as_bytes()),
                canonical,
            })
        })
        .await
}
