//! Rows on their way to the database: multi-row inserts of at most SQLite's bound-variable
//! limit each, one transaction per batch, and the count of rows per table.

use crate::db::DbConnection;
use crate::db::models::{
    ConsultationEventRow, ConsultationGuestRow, ConsultationRow, CouncilConclusionRow,
    CouncilMemberRow, CouncilRow, DeferredRequestRow, EDocumentRow, MedicalRecordRow,
};
use crate::db::schema::{
    consultation_events, consultation_guests, consultations, council_conclusions, council_members,
    councils, deferred_requests, e_documents, medical_records,
};
use crate::error::AppResult;

/// SQLite binds at most 32,766 variables per statement (PostgreSQL 65,535).
const MAX_VARIABLES: usize = 32_000;

/// Rows of `columns` columns per statement.
pub const fn per_statement(columns: usize) -> usize {
    MAX_VARIABLES / columns
}

/// Inserts `$rows` into `$table` (of `$columns` columns) in statements of as many rows as the
/// variable limit allows; evaluates to the number of rows, or returns the error.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
        let mut written = 0usize;
        for chunk in $rows.chunks($crate::services::demo_scale::batch::per_statement($columns)) {
            written += $crate::insert_rows!(&mut *$conn, $table, chunk)?;
        }
        written
    }};
}
pub(crate) use insert_all;

/// The rows of one batch of consultations and what hangs on them, written in one transaction.
#[derive(Default)]
pub struct Batch {
    pub consultations: Vec<ConsultationRow>,
    pub requests: Vec<DeferredRequestRow>,
    pub events: Vec<ConsultationEventRow>,
    pub documents: Vec<EDocumentRow>,
    pub records: Vec<MedicalRecordRow>,
    pub councils: Vec<CouncilRow>,
    pub members: Vec<CouncilMemberRow>,
    pub conclusions: Vec<CouncilConclusionRow>,
    pub guests: Vec<ConsultationGuestRow>,
}

impl Batch {
    /// Inserts everything, parents first; returns (table, rows) for the tally.
    pub fn write(&self, conn: &mut DbConnection) -> AppResult<Vec<(&'static str, usize)>> {
        crate::db::write_tx(conn, |conn| {
            Ok(vec![
                (
                    "consultations",
                    insert_all!(conn, consultations::table, self.consultations, 30),
                ),
                (
                    "deferred_requests",
                    insert_all!(conn, deferred_requests::table, self.requests, 12),
                ),
                (
                    "consultation_events",
                    insert_all!(conn, consultation_events::table, self.events, 6),
                ),
                (
                    "e_documents",
                    insert_all!(conn, e_documents::table, self.documents, 10),
                ),
                (
                    "medical_records",
                    insert_all!(conn, medical_records::table, self.records, 27),
                ),
                (
                    "councils",
                    insert_all!(conn, councils::table, self.councils, 16),
                ),
                (
                    "council_members",
                    insert_all!(conn, council_members::table, self.members, 12),
                ),
                (
                    "council_conclusions",
                    insert_all!(conn, council_conclusions::table, self.conclusions, 9),
                ),
                (
                    "consultation_guests",
                    insert_all!(conn, consultation_guests::table, self.guests, 6),
                ),
            ])
        })
    }
}
