//! The consultations: planned first (`planning`), then made in the order they were requested,
//! in batches of one transaction each, with what the services write beside them (`acts`).

use chrono::{DateTime, Utc};

use super::Scale;
use super::batch::Batch;
use crate::db::DbConnection;
use crate::domain::consultation::RequestKind;
use crate::error::AppResult;

/// Consultations per transaction.
const BATCH: usize = 2_000;

pub enum Shape {
    Realtime {
        doctor: usize,
        start: DateTime<Utc>,
        /// The call is running now.
        running: bool,
        urgent: bool,
    },
    Deferred {
        org: usize,
        kind: RequestKind,
        specialty: Option<String>,
    },
}

pub struct Planned {
    pub requested: DateTime<Utc>,
    pub patient: usize,
    pub shape: Shape,
}

impl Scale {
    pub(super) fn create_consultations(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let by_org = self.patients_by_org();
        let mut plans = self.plan_realtime(&by_org);
        plans.extend(self.plan_deferred(&by_org));
        plans.sort_by_key(|p| p.requested);
        let total = plans.len();
        let mut done = 0;
        for chunk in plans.chunks(BATCH) {
            let mut batch = Batch::default();
            for plan in chunk {
                match &plan.shape {
                    Shape::Realtime { .. } => self.realtime(&mut batch, plan),
                    Shape::Deferred { .. } => self.deferred(&mut batch, plan),
                }
            }
            for (table, n) in batch.write(conn)? {
                self.count(table, n);
            }
            done += chunk.len();
            if !self.due(done, total) {
                continue;
            }
            self.say(&format!(
                "consultations {done}/{total} ({}%), events {}, documents {}, records {}",
                done * 100 / total.max(1),
                self.rows.get("consultation_events").copied().unwrap_or(0),
                self.rows.get("e_documents").copied().unwrap_or(0),
                self.rows.get("medical_records").copied().unwrap_or(0),
            ));
        }
        Ok(())
    }
}
