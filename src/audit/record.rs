//! The records of the audit log: one JSON line per step of a write ([`Phase`]), naming the call
//! ([`AuditAction`]), the whole grant, and what the write came to ([`Outcome`]).
//!
//! These types are the log's on-disk format: field names, their order and every enum value
//! are read back by `kms-grants restore` and by older and newer versions, so they change only
//! by adding. Writing and reading the file are in `log.rs` and `read.rs`.

use crate::domain::{Grant, Timestamp};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which part of a write a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Written before the call is sent.
    Intent,
    /// Written after the answer came (or did not: outcome `unknown`).
    Outcome,
    /// After an `unknown` outcome: what listing the key showed.
    Settled,
}

/// What a write came to: the `outcome` field of outcome and settled records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Outcome: KMS answered success.
    Done,
    /// Outcome: a dry run KMS answered would succeed; nothing changed.
    DryRunWouldSucceed,
    /// Outcome: sent as a dry run, answered with plain success: the endpoint ignored DryRun.
    DoneDespiteDryRun,
    /// Outcome: KMS refused it, or it was never sent (`error` says why).
    Error,
    /// Outcome: the answer was lost after the request may have been sent (`error` says how);
    /// a settled record follows.
    Unknown,
    /// Outcome: the session ended before the answer came; it may have happened.
    Interrupted,
    /// Settled: the grant is no longer listed.
    Deleted,
    /// Settled: the grant is still listed (KMS can list a deleted grant for a few minutes).
    NotDeleted,
    /// Settled: a grant with the restore's Name is listed (`new_grant_id`).
    Created,
    /// Settled: no grant with the restore's Name is listed (yet).
    NotCreated,
    /// Settled: the listing could not tell (`error` says why).
    StillUnknown,
    /// A value this version does not know (written by a newer one).
    #[serde(other)]
    Other,
}

/// The KMS call a record is about: the `action` field, written by its API name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    /// A retire (`kms:RetireGrant`).
    RetireGrant,
    /// A revoke (`kms:RevokeGrant`).
    RevokeGrant,
    /// A restore (`kms:CreateGrant`).
    CreateGrant,
    /// A call this version does not know (written by a newer one).
    #[serde(other)]
    Other,
}

impl AuditAction {
    /// The API name, as the log writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetireGrant => "RetireGrant",
            Self::RevokeGrant => "RevokeGrant",
            Self::CreateGrant => "CreateGrant",
            Self::Other => "a call this version does not know",
        }
    }

    /// Whether the call deletes a grant (a retire or a revoke).
    pub fn is_delete(self) -> bool {
        matches!(self, Self::RetireGrant | Self::RevokeGrant)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub time: String,
    pub phase: Phase,
    /// The operation id the intent, outcome and settled records of one write share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// `demo`, `fixture PATH` or `live`.
    pub source: String,
    pub profile: Option<String>,
    /// The endpoint, when it is not AWS's own (a local KMS-compatible server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// The caller's ARN, when known.
    pub caller: Option<String>,
    /// The call: `RetireGrant`, `RevokeGrant` or `CreateGrant`.
    pub action: AuditAction,
    pub dry_run: bool,
    /// The key's ARN (or id) the call names.
    pub key: String,
    /// The whole grant as it was listed (for CreateGrant: the grant to recreate).
    pub grant: Option<Grant>,
    /// On outcome and settled records: what the write came to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// On a restore's outcome: the id of the grant that was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_grant_id: Option<String>,
}

impl AuditRecord {
    /// Whether this record says the grant was really deleted (KMS said so, or the listing
    /// after a lost answer did).
    pub fn is_deletion(&self) -> bool {
        self.action.is_delete()
            && matches!(
                (self.phase, self.outcome),
                (
                    Phase::Outcome,
                    Some(Outcome::Done | Outcome::DoneDespiteDryRun)
                ) | (Phase::Settled, Some(Outcome::Deleted))
            )
    }
}

/// A new operation id: unique in this log (time, process, a counter).
pub fn new_op_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{nanos:x}-{:x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The current time as the log writes it.
pub fn now() -> String {
    Timestamp::now().rfc3339()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A revoke in the demo, in `phase`, with `outcome`: the record every audit test starts from.
    pub(crate) fn record(phase: Phase, outcome: Option<Outcome>) -> AuditRecord {
        AuditRecord {
            time: "2026-11-23T10:00:00Z".into(),
            phase,
            op: None,
            source: "demo".into(),
            profile: None,
            endpoint: None,
            region: Some("us-east-2".into()),
            account: Some("111122223333".into()),
            caller: None,
            action: AuditAction::RevokeGrant,
            dry_run: false,
            key: "arn:aws:kms:us-east-2:111122223333:key/k1".into(),
            grant: None,
            outcome,
            error: None,
            new_grant_id: None,
        }
    }

    #[test]
    fn outcomes_are_written_and_read_by_name_and_old_logs_still_read() {
        let mut settled = record(Phase::Settled, Some(Outcome::StillUnknown));
        settled.op = Some("op1".into());
        let line = serde_json::to_string(&settled).unwrap();
        assert!(line.contains(r#""phase":"settled""#), "{line}");
        assert!(line.contains(r#""op":"op1""#), "{line}");
        assert!(line.contains(r#""outcome":"still-unknown""#), "{line}");
        // A record of an older version (no op), and a value this version does not know.
        let old = line
            .replace(r#""op":"op1","#, "")
            .replace("still-unknown", "interrupted-by-a-newer-thing");
        let read: AuditRecord = serde_json::from_str(&old).unwrap();
        assert_eq!((read.op, read.outcome), (None, Some(Outcome::Other)));
    }

    #[test]
    fn a_delete_settled_by_listing_counts_as_a_deletion() {
        let mut settled = record(Phase::Settled, Some(Outcome::Deleted));
        assert!(settled.is_deletion());
        settled.outcome = Some(Outcome::NotDeleted);
        assert!(!settled.is_deletion());
        assert!(!record(Phase::Outcome, Some(Outcome::Unknown)).is_deletion());
    }

    #[test]
    fn actions_are_written_and_read_by_their_api_names() {
        for (action, name) in [
            (AuditAction::RetireGrant, "RetireGrant"),
            (AuditAction::RevokeGrant, "RevokeGrant"),
            (AuditAction::CreateGrant, "CreateGrant"),
        ] {
            let mut r = record(Phase::Intent, None);
            r.action = action;
            let line = serde_json::to_string(&r).unwrap();
            assert!(line.contains(&format!(r#""action":"{name}""#)), "{line}");
            assert_eq!(action.as_str(), name);
            let read: AuditRecord = serde_json::from_str(&line).unwrap();
            assert_eq!(read.action, action);
        }
        let line = serde_json::to_string(&record(Phase::Intent, None))
            .unwrap()
            .replace("RevokeGrant", "UpdateGrant");
        let read: AuditRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(read.action, AuditAction::Other);
        assert!(!read.is_deletion());
    }

    #[test]
    fn a_line_reads_back_byte_for_byte() {
        // A line as this version and the ones before it write it: fields in this order,
        // `op` and the outcome fields only when set.
        let line = r#"{"time":"2026-11-23T10:00:00Z","phase":"outcome","op":"op1","source":"live","profile":"prod","region":"us-east-2","account":"111122223333","caller":null,"action":"RetireGrant","dry_run":false,"key":"arn:aws:kms:us-east-2:111122223333:key/k1","grant":null,"outcome":"done"}"#;
        let read: AuditRecord = serde_json::from_str(line).unwrap();
        assert_eq!(read.action, AuditAction::RetireGrant);
        assert_eq!(read.outcome, Some(Outcome::Done));
        assert_eq!(serde_json::to_string(&read).unwrap(), line);
    }
}
