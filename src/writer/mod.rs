//! The audited write: every retire, revoke and restore is recorded in the audit log before it
//! is sent (the intent), sent once, and recorded again when it answers (the outcome); an
//! answer lost on the way is settled by listing the key, and what that showed is recorded too.
//!
//! Both the app (through the runtime's executor) and `kms-grants restore` write through
//! [`Writer`]. This module knows nothing of the app's actions, the terminal or the event loop:
//! it returns what happened and, when a record could not be written, the sentence saying so,
//! and the caller shows them. [`in_flight`] tracks the writes sent and not yet answered, so
//! that a stop can record them as interrupted.

pub mod in_flight;

use crate::audit::{self, AuditAction, AuditError, AuditLog, AuditRecord, Outcome, Phase};
use crate::domain::{Grant, Operation};
use crate::source::{
    KmsSource, LostWrite, Restored, Settlement, SourceError, SourceKind, WriteKind, WriteOutcome,
};
use std::sync::Arc;

/// Where writes are recorded: an open audit log, or why there is none (then writes are refused).
#[derive(Debug, Clone)]
pub enum Audit {
    Log(Arc<AuditLog>),
    Unavailable(AuditError),
}

/// Why a write is refused before anything is recorded or sent. `call` is the API action that
/// was not sent, e.g. `kms:RevokeGrant`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The session has no audit log.
    #[error("{}", .log.not_sent(.call))]
    NoLog { call: &'static str, log: AuditError },
    /// An append to the audit log failed earlier in the session: writes are off.
    #[error("writes are off for this session: {}", .log.not_sent(.call))]
    WritesOff { call: &'static str, log: AuditError },
    /// The audit log could not be read to look for an earlier restore of the grant.
    #[error("cannot check the audit log for an earlier restore ({0}), so nothing was created")]
    CannotCheckRestores(String),
}

impl From<Refused> for SourceError {
    fn from(refused: Refused) -> Self {
        SourceError::Audit(refused.to_string())
    }
}

/// A stop began before the write was sent (see [`in_flight::stop_sending`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not sent: kms-grants is stopping")]
pub struct Stopping;

impl From<Stopping> for SourceError {
    fn from(stopping: Stopping) -> Self {
        SourceError::Internal(stopping.to_string())
    }
}

/// What became of a write: its result, and the record that could not be written, if one
/// could not (writes are then off for the rest of the session).
#[derive(Debug)]
pub struct Written<T> {
    pub result: Result<T, SourceError>,
    pub unrecorded: Option<Unrecorded>,
}

/// A record of a write that the audit log could not take.
#[derive(Debug, Clone)]
pub struct Unrecorded {
    /// For the status line: what became of the write, and that its record is missing.
    pub said: String,
    /// Why the log could not take it.
    pub error: AuditError,
}

impl<T> Written<T> {
    /// Refused before anything was recorded or sent.
    fn refused(err: impl Into<SourceError>) -> Self {
        Self {
            result: Err(err.into()),
            unrecorded: None,
        }
    }

    /// The intent of `call` on `what` could not be written, so nothing was sent.
    fn intent_not_written(err: AuditError, call: &str, what: &str, past: &str) -> Self {
        let refusal = err.not_sent(call);
        let said = format!("{what} was not {past}: {refusal} (writes are off for this session)");
        Self {
            result: Err(SourceError::Audit(refusal)),
            unrecorded: Some(Unrecorded { said, error: err }),
        }
    }
}

/// Sends writes to `source` through `audit`. Borrowed for the length of one write.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    source: &'a dyn KmsSource,
    audit: &'a Audit,
}

impl<'a> Writer<'a> {
    pub fn new(source: &'a dyn KmsSource, audit: &'a Audit) -> Self {
        Self { source, audit }
    }

    /// Retires or revokes `grant` (on the key `key_arn`, which the record names); `what` names
    /// it in sentences, e.g. `grant 1a2b… on alias/app`.
    pub async fn delete(
        &self,
        kind: WriteKind,
        key_arn: &str,
        grant: &Grant,
        what: &str,
        dry_run: bool,
    ) -> Written<WriteOutcome> {
        let action = match kind {
            WriteKind::Retire => AuditAction::RetireGrant,
            WriteKind::Revoke => AuditAction::RevokeGrant,
        };
        let log = match self.writable(kind.api_action()) {
            Ok(log) => log,
            Err(refused) => return Written::refused(refused),
        };
        tracing::info!(
            action = action.as_str(),
            key = %key_arn,
            grant = %grant.grant_id,
            dry_run,
            "sending"
        );
        let intent = self
            .record(action, key_arn, Some(grant.clone()), dry_run)
            .await;
        // Checked after `record`, which may wait for STS: a stop meanwhile sends nothing.
        if in_flight::stopping() {
            return Written::refused(Stopping);
        }
        if let Err(err) = log.append(&intent) {
            return Written::intent_not_written(err, kind.api_action(), what, kind.past());
        }
        let Some(sent) = in_flight::sent(log, &intent) else {
            return Written::refused(Stopping);
        };
        let result = self
            .source
            .delete_grant(kind, &grant.key_id, &grant.grant_id, dry_run)
            .await;
        let mut logged = log_delete_outcome(log, &intent, &result);
        in_flight::answered(sent);
        let result = self.settle_delete(log, &intent, result, &mut logged).await;
        let unrecorded = logged.err().map(|error| Unrecorded {
            said: error.not_recorded(&delete_happened(kind, what, &result)),
            error,
        });
        Written { result, unrecorded }
    }

    /// Retires the grant of a grant token. The token is a credential: neither the log nor the
    /// audit record says which token was used.
    pub async fn retire_token(&self, token: &str, dry_run: bool) -> Written<WriteOutcome> {
        let log = match self.writable("kms:RetireGrant") {
            Ok(log) => log,
            Err(refused) => return Written::refused(refused),
        };
        tracing::info!(
            dry_run,
            "sending RetireGrant by grant token (the token is not logged)"
        );
        let intent = self
            .record(AuditAction::RetireGrant, "(by grant token)", None, dry_run)
            .await;
        if in_flight::stopping() {
            return Written::refused(Stopping);
        }
        let what = "the grant of that token";
        if let Err(err) = log.append(&intent) {
            return Written::intent_not_written(err, "kms:RetireGrant", what, "retired");
        }
        let Some(sent) = in_flight::sent(log, &intent) else {
            return Written::refused(Stopping);
        };
        let result = self.source.retire_with_token(token, dry_run).await;
        let mut logged = log_delete_outcome(log, &intent, &result);
        in_flight::answered(sent);
        let result = self.settle_delete(log, &intent, result, &mut logged).await;
        let unrecorded = logged.err().map(|error| Unrecorded {
            said: error.not_recorded(&delete_happened(WriteKind::Retire, what, &result)),
            error,
        });
        Written { result, unrecorded }
    }

    /// Recreates a deleted grant on `key` with CreateGrant, recorded in the audit log before
    /// and after like any other write, and always with a Name (the original's, or one derived
    /// from its id: see [`audit::restore_name`]), so that sending it again cannot make a second
    /// grant. An answer lost is settled by listing the key for a grant of that Name. `what`
    /// names the grant in sentences.
    pub async fn restore(&self, grant: &Grant, key: &str, what: &str) -> Written<Restored> {
        let log = match self.writable("kms:CreateGrant") {
            Ok(log) => log,
            Err(refused) => return Written::refused(refused),
        };
        // A grant restored once is not restored again: that would rebuild a duplicate storm.
        // A restore that may have created it (cut off, or its answer lost) counts too.
        let records = match audit::read(log.path()) {
            Ok(records) => records,
            Err(e) => return Written::refused(Refused::CannotCheckRestores(e.to_string())),
        };
        if let Some(refusal) = audit::restore_refusal(&records, &grant.grant_id) {
            return Written::refused(SourceError::Invalid(refusal));
        }
        let name = audit::restore_name(grant);
        let mut sent = grant.clone();
        sent.name = Some(name.as_str().into());
        let intent = self
            .record(AuditAction::CreateGrant, key, Some(grant.clone()), false)
            .await;
        if in_flight::stopping() {
            return Written::refused(Stopping);
        }
        if let Err(err) = log.append(&intent) {
            let refusal = err.not_sent("kms:CreateGrant");
            let mut written = Written::intent_not_written(err, "kms:CreateGrant", what, "restored");
            // `kms-grants restore` prints only this answer: it says writes are off too.
            written.result = Err(SourceError::Audit(format!(
                "{refusal} (writes are off for this session)"
            )));
            return written;
        }
        let Some(in_flight) = in_flight::sent(log, &intent) else {
            return Written::refused(Stopping);
        };
        let result = self.source.create_grant(&sent).await;
        let (outcome, error, new_id) = match &result {
            Ok(id) => (Outcome::Done, None, Some(id.clone())),
            Err(err @ SourceError::AnswerLost { .. }) => {
                (Outcome::Unknown, Some(err.to_string()), None)
            }
            Err(err) => (Outcome::Error, Some(err.to_string()), None),
        };
        let mut logged = log_after(log, &intent, Phase::Outcome, outcome, error, new_id);
        in_flight::answered(in_flight);
        let result = match result {
            Ok(grant_id) => Ok(Restored {
                grant_id,
                name,
                lost: None,
            }),
            Err(SourceError::AnswerLost {
                write,
                lost,
                settled: Settlement::Unsettled,
            }) => {
                // Which grant has the Name this restore sent?
                let listed = self.source.list_grants(&sent.key_id).await.map(|grants| {
                    grants.into_iter().find(|g| {
                        // The Name, and what the request asked for: another grant that
                        // happens to carry the same Name is not this restore's.
                        g.name.as_deref() == Some(name.as_str())
                            && g.grantee() == sent.grantee()
                            && g.retiring_principal == sent.retiring_principal
                            && same_operations(&g.operations, &sent.operations)
                    })
                });
                let (settled, record, error, new_id) = match listed {
                    Ok(Some(found)) => {
                        let id = found.grant_id.to_string();
                        (
                            Ok(Restored {
                                grant_id: id.clone(),
                                name,
                                lost: Some(lost),
                            }),
                            Outcome::Created,
                            None,
                            Some(id),
                        )
                    }
                    Ok(None) => (Err(Settlement::NotDone), Outcome::NotCreated, None, None),
                    Err(err) => {
                        let why = format!("listing the key failed: {err}");
                        (
                            Err(Settlement::StillUnknown(why.clone())),
                            Outcome::StillUnknown,
                            Some(why),
                            None,
                        )
                    }
                };
                tracing::info!(%write, ?record, "settled a write whose answer was lost");
                if logged.is_ok() {
                    logged = log_after(log, &intent, Phase::Settled, record, error, new_id);
                }
                settled.map_err(|settled| SourceError::AnswerLost {
                    write,
                    lost,
                    settled,
                })
            }
            Err(err) => Err(err),
        };
        let unrecorded = logged.err().map(|error| Unrecorded {
            said: error.not_recorded(&restore_happened(what, &result)),
            error,
        });
        Written { result, unrecorded }
    }

    /// The log a write of `call` goes through, or why it is refused: there is no log, or an
    /// append failed earlier.
    fn writable(&self, call: &'static str) -> Result<&'a Arc<AuditLog>, Refused> {
        match self.audit {
            Audit::Unavailable(err) => Err(Refused::NoLog {
                call,
                log: err.clone(),
            }),
            Audit::Log(log) => match log.failed() {
                Some(err) => Err(Refused::WritesOff { call, log: err }),
                None => Ok(log),
            },
        }
    }

    /// The fields every audit record of this session shares, with a new operation id.
    async fn record(
        &self,
        action: AuditAction,
        key: &str,
        grant: Option<Grant>,
        dry_run: bool,
    ) -> AuditRecord {
        let info = self.source.info();
        let caller = self.source.caller().await.ok().flatten();
        let (profile, endpoint) = match &info.kind {
            SourceKind::Live { profile, endpoint } => (profile.clone(), endpoint.clone()),
            _ => (None, None),
        };
        AuditRecord {
            time: audit::now(),
            phase: Phase::Intent,
            op: Some(audit::new_op_id()),
            source: match &info.kind {
                SourceKind::Live { .. } => "live".to_owned(),
                other => other.to_string(),
            },
            profile,
            endpoint,
            region: info.region,
            account: info
                .account
                .or_else(|| caller.as_ref().map(|c| c.account.clone())),
            caller: caller.map(|c| c.arn),
            action,
            dry_run,
            key: key.to_owned(),
            grant,
            outcome: None,
            error: None,
            new_grant_id: None,
        }
    }

    /// After a retire or revoke whose answer was lost: lists the key to see whether the grant
    /// is gone, records what that showed, and gives the result it stands for.
    async fn settle_delete(
        &self,
        log: &AuditLog,
        intent: &AuditRecord,
        result: Result<WriteOutcome, SourceError>,
        logged: &mut Result<(), AuditError>,
    ) -> Result<WriteOutcome, SourceError> {
        let Err(SourceError::AnswerLost {
            write,
            lost,
            settled: Settlement::Unsettled,
        }) = result
        else {
            return result;
        };
        let listed = match &write {
            LostWrite::Delete {
                key_id, grant_id, ..
            } => Some(self.source.find_grant(key_id, grant_id).await),
            _ => None,
        };
        let (settled, record) = match listed {
            Some(Ok(None)) => (Ok(WriteOutcome::DoneAnswerLost(lost)), Outcome::Deleted),
            Some(Ok(Some(_))) => (Err(Settlement::NotDone), Outcome::NotDeleted),
            Some(Err(err)) => (
                Err(Settlement::StillUnknown(format!(
                    "listing the key failed: {err}"
                ))),
                Outcome::StillUnknown,
            ),
            None => (
                Err(Settlement::StillUnknown(
                    "a grant token does not say which key to list".to_owned(),
                )),
                Outcome::StillUnknown,
            ),
        };
        tracing::info!(%write, ?record, "settled a write whose answer was lost");
        let error = match &settled {
            Err(Settlement::StillUnknown(why)) => Some(why.clone()),
            _ => None,
        };
        if logged.is_ok() {
            *logged = log_after(log, intent, Phase::Settled, record, error, None);
        }
        settled.map_err(|settled| SourceError::AnswerLost {
            write,
            lost,
            settled,
        })
    }
}

/// Writes the record after the answer (`outcome`, `error`, `new_grant_id` filled in).
fn log_after(
    log: &AuditLog,
    intent: &AuditRecord,
    phase: Phase,
    outcome: Outcome,
    error: Option<String>,
    new_grant_id: Option<String>,
) -> Result<(), AuditError> {
    let mut record = intent.clone();
    record.time = audit::now();
    record.phase = phase;
    record.outcome = Some(outcome);
    record.error = error;
    record.new_grant_id = new_grant_id;
    log.append(&record)
}

/// The outcome record of a retire or revoke.
fn log_delete_outcome(
    log: &AuditLog,
    intent: &AuditRecord,
    result: &Result<WriteOutcome, SourceError>,
) -> Result<(), AuditError> {
    let (outcome, error) = match result {
        Ok(WriteOutcome::Done | WriteOutcome::DoneAnswerLost(_)) => (Outcome::Done, None),
        Ok(WriteOutcome::DryRunWouldSucceed) => (Outcome::DryRunWouldSucceed, None),
        Ok(WriteOutcome::DoneDespiteDryRun) => (Outcome::DoneDespiteDryRun, None),
        Err(err @ SourceError::AnswerLost { .. }) => (Outcome::Unknown, Some(err.to_string())),
        Err(err) => (Outcome::Error, Some(err.to_string())),
    };
    log_after(log, intent, Phase::Outcome, outcome, error, None)
}

/// Whether two grants allow the same operations, in any order.
fn same_operations(a: &[Operation], b: &[Operation]) -> bool {
    let set = |ops: &[Operation]| -> std::collections::BTreeSet<String> {
        ops.iter().map(|op| op.as_str().to_owned()).collect()
    };
    set(a) == set(b)
}

/// What became of a retire or revoke of `what`, for the sentence saying its record is
/// missing: `grant 1a2b… was revoked`.
fn delete_happened(
    kind: WriteKind,
    what: &str,
    result: &Result<WriteOutcome, SourceError>,
) -> String {
    let past = kind.past();
    match result {
        Ok(WriteOutcome::Done) => format!("{what} was {past}"),
        Ok(WriteOutcome::DoneDespiteDryRun) => {
            format!("{what} was really {past} (the endpoint ignored DryRun)")
        }
        Ok(WriteOutcome::DryRunWouldSucceed) => {
            format!("dry run: {} of {what} would succeed", kind.api_action())
        }
        Ok(WriteOutcome::DoneAnswerLost(lost)) => {
            format!("{what} was {past} (its answer was lost: {lost}; the listing shows it gone)")
        }
        Err(SourceError::GrantNotFound { .. }) => format!("{what} was already gone"),
        Err(SourceError::AnswerLost {
            settled: Settlement::NotDone,
            ..
        }) => format!("{what} is still listed (its answer was lost): not {past}"),
        Err(SourceError::AnswerLost { .. }) => format!("whether {what} was {past} is unknown"),
        Err(err) => format!("{what} was not {past} ({err})"),
    }
}

/// What became of a restore of `what`, for the sentence saying its record is missing.
fn restore_happened(what: &str, result: &Result<Restored, SourceError>) -> String {
    match result {
        Ok(restored) => format!("{what} was restored as new grant {}", restored.grant_id),
        Err(SourceError::AnswerLost {
            settled: Settlement::NotDone,
            ..
        }) => format!("{what} was not restored as far as the listing shows"),
        Err(SourceError::AnswerLost { .. }) => format!("whether {what} was restored is unknown"),
        Err(err) => format!("{what} was not restored ({err})"),
    }
}
