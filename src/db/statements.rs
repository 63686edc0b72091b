//! Counting the SQL statements a request sends, so a test can prove that a list costs the same
//! number of round trips at 10 rows as at 1,000 (and a developer can see it, when
//! `server.statement_counts` is on, in each answer's `X-Db-Statements` header; off by default,
//! as counts would tell an outsider which branch a request took).
//!
//! A request's futures run in a task-local scope holding a counter; [`Db::run`] carries it to
//! the blocking thread that holds the connection, and every connection's instrumentation adds
//! one per statement it starts while a counter is set there. Work outside a counted scope
//! (background workers, other requests) never touches it.
//!
//! [`Db::run`]: super::Db::run

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};

tokio::task_local! {
    static SCOPE: Arc<AtomicU64>;
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<AtomicU64>>> = const { RefCell::new(None) };
}

/// Runs `work`, counting the statements its database work sends.
pub async fn counted<F: Future>(work: F) -> (F::Output, u64) {
    let counter = Arc::new(AtomicU64::new(0));
    let output = SCOPE.scope(counter.clone(), work).await;
    (output, counter.load(Ordering::Relaxed))
}

/// The counter of the scope the caller runs in, to carry to a blocking thread.
pub(crate) fn current_scope() -> Option<Arc<AtomicU64>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// Sets the blocking thread's counter until the guard drops.
pub(crate) fn enter(counter: Option<Arc<AtomicU64>>) -> Entered {
    CURRENT.with(|c| *c.borrow_mut() = counter);
    Entered
}

pub(crate) struct Entered;

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

/// The instrumentation every pooled connection carries.
pub(crate) struct StatementCounter;

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            CURRENT.with(|c| {
                if let Some(counter) = c.borrow().as_ref() {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    }
}
