//! The audit log: one JSON line before and one after every write (retire, revoke, restore),
//! each holding the whole grant, so nothing is deleted without a record and every deletion can
//! be undone (`kms-grants restore`).
//!
//! Each line is written whole, flushed and fsynced before the call it describes is sent. If the
//! log cannot be written, the write is refused: the caller gets the reason instead.

use crate::domain::{Grant, Timestamp};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Which half of a write a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Written before the call is sent.
    Intent,
    /// Written after the answer came.
    Outcome,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub time: String,
    pub phase: Phase,
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
    /// `RetireGrant`, `RevokeGrant` or `CreateGrant`.
    pub action: String,
    pub dry_run: bool,
    /// The key's ARN (or id) the call names.
    pub key: String,
    /// The whole grant as it was listed (for CreateGrant: the grant to recreate).
    pub grant: Option<Grant>,
    /// On outcome records: `done`, `dry-run-would-succeed`, `done-despite-dry-run`, `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// On a restore's outcome: the id of the grant that was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_grant_id: Option<String>,
}

impl AuditRecord {
    /// Whether this record says the grant was really deleted.
    pub fn is_deletion(&self) -> bool {
        self.phase == Phase::Outcome
            && matches!(self.action.as_str(), "RetireGrant" | "RevokeGrant")
            && matches!(
                self.outcome.as_deref(),
                Some("done" | "done-despite-dry-run")
            )
    }
}

/// An open audit log.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

/// Why the log cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit log {path} cannot be written ({reason}), so no write is sent")]
pub struct AuditError {
    pub path: String,
    pub reason: String,
}

impl AuditLog {
    /// The default location: `~/.local/state/kms-grants/audit.jsonl` on Linux (the platform's
    /// state or local data dir elsewhere).
    pub fn default_path() -> Option<PathBuf> {
        let dirs = directories::ProjectDirs::from("", "", "kms-grants")?;
        let dir = dirs
            .state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
        Some(dir.join("audit.jsonl"))
    }

    /// Opens (creating it and its directory if needed) the log for appending.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        // A FIFO would block here until read; a device would swallow the records.
        crate::atomic::check_output(path).map_err(|err| AuditError {
            path: path.display().to_string(),
            reason: err.reason(),
        })?;
        let error = |err: std::io::Error| AuditError {
            path: path.display().to_string(),
            reason: crate::fixture::io_reason(&err),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(error)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(error)?;
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as a line, flushed and synced to disk before returning.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let error = |reason: String| AuditError {
            path: self.path.display().to_string(),
            reason,
        };
        let mut line = serde_json::to_string(record).map_err(|e| error(e.to_string()))?;
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(line.as_bytes())
            .and_then(|()| file.flush())
            .and_then(|()| file.sync_data())
            .map_err(|e| error(crate::fixture::io_reason(&e)))
    }
}

/// Reads every record of a log; a line that is not a record is an error naming its line.
pub fn read(path: &Path) -> Result<Vec<AuditRecord>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the audit log {}: {}",
            path.display(),
            crate::fixture::io_reason(&e)
        )
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: not an audit record: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The last record showing that grant `grant_id` was really retired or revoked in a live
/// account. (A delete in a demo or fixture session changed memory only: nothing to restore.)
pub fn find_deletion<'a>(records: &'a [AuditRecord], grant_id: &str) -> Option<&'a AuditRecord> {
    records.iter().rev().find(|r| {
        r.is_deletion()
            && r.source == "live"
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    })
}

/// The last CreateGrant record (intent or done) that restored grant `grant_id`, if any.
pub fn find_restore<'a>(records: &'a [AuditRecord], grant_id: &str) -> Option<&'a AuditRecord> {
    records.iter().rev().find(|r| {
        r.action == "CreateGrant"
            && r.outcome.as_deref() != Some("error")
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    })
}

/// The current time as the log writes it.
pub fn now() -> String {
    Timestamp::now().rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(phase: Phase, outcome: Option<&str>) -> AuditRecord {
        AuditRecord {
            time: "2026-11-23T10:00:00Z".into(),
            phase,
            source: "demo".into(),
            profile: None,
            endpoint: None,
            region: Some("us-east-2".into()),
            account: Some("111122223333".into()),
            caller: None,
            action: "RevokeGrant".into(),
            dry_run: false,
            key: "arn:aws:kms:us-east-2:111122223333:key/k1".into(),
            grant: None,
            outcome: outcome.map(str::to_owned),
            error: None,
            new_grant_id: None,
        }
    }

    #[test]
    fn records_round_trip_one_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        log.append(&record(Phase::Intent, None)).unwrap();
        log.append(&record(Phase::Outcome, Some("done"))).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let records = read(&path).unwrap();
        assert!(!records[0].is_deletion());
        assert!(records[1].is_deletion());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner reads the log");
        }
    }

    #[test]
    fn an_unwritable_place_is_a_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let err = AuditLog::open(&blocker.join("audit.jsonl")).unwrap_err();
        assert!(err.to_string().starts_with("the audit log "), "{err}");
        assert!(err.to_string().ends_with("so no write is sent"), "{err}");
    }

    #[test]
    fn a_broken_line_names_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "{\"not\": \"a record\"}\n").unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .contains("audit.jsonl:1: not an audit record")
        );
    }
}
