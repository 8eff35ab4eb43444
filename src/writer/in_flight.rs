//! The writes whose intent is in the audit log and whose outcome is not yet, so that a stop can
//! record those still unanswered as interrupted instead of leaving intent lines alone; and the
//! flag that stops new writes from being sent at all once a stop has begun.
//!
//! Process-wide, like the signals that stop the app. It holds no terminal and no app state:
//! the runtime decides when to stop, this module only says what was left in flight.

use crate::audit::{AuditLog, AuditRecord, Outcome, Phase};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Set once a stop begins: writes not yet sent are then not sent at all.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// From now on no write is sent: each is answered "not sent: kms-grants is stopping" instead.
/// Those already sent are left to answer (their outcomes are recorded by their own tasks).
pub fn stop_sending() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// Whether [`stop_sending`] has run.
pub(super) fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

static NEXT: AtomicU64 = AtomicU64::new(0);
/// Each write's log and intent, by an id of its own.
type Writes = HashMap<u64, (Arc<AuditLog>, AuditRecord)>;
static WRITES: Mutex<Option<Writes>> = Mutex::new(None);

/// Set by [`record_interrupted`], under the lock: no write is registered (or sent) after.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// A write whose intent was just logged is about to be sent; the id goes to [`answered`].
/// `None` once [`record_interrupted`] has run: the write must not be sent, and its intent
/// gets the `interrupted` outcome here.
pub(super) fn sent(log: &Arc<AuditLog>, intent: &AuditRecord) -> Option<u64> {
    let mut writes = WRITES.lock().unwrap_or_else(PoisonError::into_inner);
    if CLOSED.load(Ordering::SeqCst) {
        drop(writes);
        write_outcome(
            log,
            intent,
            Outcome::Error,
            "not sent: kms-grants was stopping".to_owned(),
        );
        return None;
    }
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    writes
        .get_or_insert_with(HashMap::new)
        .insert(id, (Arc::clone(log), intent.clone()));
    Some(id)
}

fn write_outcome(log: &AuditLog, intent: &AuditRecord, value: Outcome, error: String) {
    if let Err(err) = super::log_after(log, intent, Phase::Outcome, value, Some(error), None) {
        tracing::error!("{err}");
    }
}

/// The write's outcome was logged (or the attempt to).
pub(super) fn answered(id: u64) {
    if let Some(writes) = WRITES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_mut()
    {
        writes.remove(&id);
    }
}

/// Writes an `interrupted` outcome for every write still unanswered, saying `why` (e.g.
/// `kms-grants was stopped by SIGTERM`); returns how many. No write is sent after.
pub fn record_interrupted(why: &str) -> usize {
    let writes = {
        let mut writes = WRITES.lock().unwrap_or_else(PoisonError::into_inner);
        CLOSED.store(true, Ordering::SeqCst);
        writes.take().unwrap_or_default()
    };
    for (log, intent) in writes.values() {
        write_outcome(
            log,
            intent,
            Outcome::Interrupted,
            format!("{why} before the answer came; the write may or may not have been made"),
        );
    }
    writes.len()
}
