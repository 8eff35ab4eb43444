//! The audit log: one JSON line before and one after every write (retire, revoke, restore),
//! each holding the whole grant, so nothing is deleted without a record and every deletion can
//! be undone (`kms-grants restore`).
//!
//! Each line is written whole, flushed and fsynced before the call it describes is sent. If the
//! log cannot be written, the write is refused: the caller gets the reason instead. The first
//! failed append (a full disk) takes back whatever part of its line reached the file and turns
//! the log off for the rest of the session: every later append is refused with the same reason.
//!
//! A write whose answer was lost has three records: the intent, an outcome `unknown`, and a
//! `settled` record once listing the key showed what happened. Records of one write share an
//! operation id (`op`; logs written before it existed are paired by order).
//!
//! Readers skip a line cut short by an interrupted append (with one warning) rather than refuse
//! the whole log; any other line that is not a record is an error naming its line.

use crate::domain::{Grant, Timestamp};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
    /// `RetireGrant`, `RevokeGrant` or `CreateGrant`.
    pub action: String,
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
        matches!(self.action.as_str(), "RetireGrant" | "RevokeGrant")
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

/// Where the lines go: the log file, or in tests a sink that fails on purpose.
pub trait Sink: Send + std::fmt::Debug {
    /// How long the log is now, in bytes.
    fn size(&mut self) -> std::io::Result<u64>;
    /// Appends `bytes`, flushed and synced to disk.
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Cuts the log back to `len` bytes (after an append that failed part way).
    fn truncate(&mut self, len: u64) -> std::io::Result<()>;
}

impl Sink for File {
    fn size(&mut self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_all(bytes)
            .and_then(|()| self.flush())
            .and_then(|()| self.sync_data())
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len).and_then(|()| self.sync_data())
    }
}

/// The sink, and whether the log is still usable.
#[derive(Debug)]
struct Writer {
    sink: Box<dyn Sink>,
    /// Set by the first failed append: the log is off for the rest of the session.
    failed: Option<AuditError>,
    /// Whether the first append looked for a line an earlier session left cut short.
    tail_checked: bool,
}

impl From<File> for Writer {
    fn from(file: File) -> Self {
        Self {
            sink: Box::new(file),
            failed: None,
            tail_checked: false,
        }
    }
}

/// An open audit log.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<Writer>,
}

/// Why the log cannot be used. Its sentence says only that: callers add what it means for
/// the write at hand ([`AuditError::not_sent`], [`AuditError::not_recorded`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit log {path} cannot be written ({reason})")]
pub struct AuditError {
    pub path: String,
    pub reason: String,
}

impl AuditError {
    /// The write was refused before it was sent: `what` (e.g. `kms:RevokeGrant of grant …`)
    /// was not sent.
    pub fn not_sent(&self, what: &str) -> String {
        format!("{self}, so {what} was not sent")
    }

    /// `happened` (e.g. `grant 1a2b… was revoked`) is true, but its outcome is not in the log.
    pub fn not_recorded(&self, happened: &str) -> String {
        format!(
            "{happened}; its outcome could not be recorded: {} in {} (writes are off for this session)",
            self.reason, self.path
        )
    }
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
            reason: crate::io_reason::io_reason(&err),
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
            file: Mutex::new(file.into()),
        })
    }

    /// A log whose lines go to `sink` (a test's failing writer); `path` is what messages name.
    pub fn with_sink(path: &Path, sink: Box<dyn Sink>) -> Self {
        Self {
            path: path.to_owned(),
            file: Mutex::new(Writer {
                sink,
                failed: None,
                tail_checked: true,
            }),
        }
    }

    /// Why the log stopped taking records this session, if it did.
    pub fn failed(&self) -> Option<AuditError> {
        self.file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .failed
            .clone()
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as a line, flushed and synced to disk before returning. If that
    /// fails, the part of the line that reached the file is cut off again, and the log refuses
    /// every later append with the same reason.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let error = |reason: String| AuditError {
            path: self.path.display().to_string(),
            reason,
        };
        let mut writer = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(err) = &writer.failed {
            return Err(err.clone());
        }
        let mut line = match serde_json::to_string(record) {
            Ok(line) => line,
            Err(e) => {
                let err = error(e.to_string());
                writer.failed = Some(err.clone());
                return Err(err);
            }
        };
        line.push('\n');
        // A line an earlier session left cut short is ended first, so this record starts a
        // line of its own (readers skip the cut one).
        if !writer.tail_checked {
            writer.tail_checked = true;
            if ends_mid_line(&self.path) {
                line.insert(0, '\n');
            }
        }
        let before = writer.sink.size();
        match writer.sink.append(line.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) => {
                if let Ok(len) = before
                    && let Err(cut) = writer.sink.truncate(len)
                {
                    tracing::error!(
                        "could not cut a failed audit line back off {}: {}",
                        self.path.display(),
                        crate::io_reason::io_reason(&cut)
                    );
                }
                let err = error(crate::io_reason::io_reason(&e));
                tracing::error!("{err}: writes are off for this session");
                writer.failed = Some(err.clone());
                Err(err)
            }
        }
    }
}

/// Whether the file at `path` ends in the middle of a line (a cut-short append).
fn ends_mid_line(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let mut last = [0u8; 1];
    file.seek(SeekFrom::End(-1)).is_ok() && file.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

/// A log's records, and what was skipped reading them.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    pub records: Vec<AuditRecord>,
    /// A warning when lines cut short by an interrupted append were skipped.
    pub skipped: Option<String>,
}

/// Reads every record of a log, skipping lines cut short by an interrupted append (see
/// [`read_all`]); the warning goes to the log file.
pub fn read(path: &Path) -> Result<Vec<AuditRecord>, String> {
    let read = read_all(path)?;
    if let Some(warning) = &read.skipped {
        tracing::warn!("{warning}");
    }
    Ok(read.records)
}

/// Reads every record of a log. A line cut short (the last line without its newline, or an
/// unfinished JSON record anywhere: an append a full disk or a crash interrupted) is skipped
/// and named in one warning; any other line that is not a record is an error naming its line.
pub fn read_all(path: &Path) -> Result<Records, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the audit log {}: {}",
            path.display(),
            crate::io_reason::io_reason(&e)
        )
    })?;
    let last = text.lines().count();
    let unterminated = !text.is_empty() && !text.ends_with('\n');
    let mut records = Vec::new();
    let mut cut = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(record) => records.push(record),
            Err(e) if e.is_eof() || (unterminated && i + 1 == last) => cut.push(i + 1),
            Err(e) => {
                return Err(format!(
                    "{}:{}: not an audit record: {e}",
                    path.display(),
                    i + 1
                ));
            }
        }
    }
    let skipped = (!cut.is_empty()).then(|| {
        let lines: Vec<String> = cut.iter().map(ToString::to_string).collect();
        format!(
            "{}:{}: {} cut short by an interrupted write (a full disk or a crash) and skipped; the other records were read",
            path.display(),
            lines.join(","),
            if cut.len() == 1 { "a line was" } else { "lines were" }
        )
    });
    Ok(Records { records, skipped })
}

/// The last record showing that grant `grant_id` was really retired or revoked in a live
/// account. (A delete in a demo or fixture session changed memory only: nothing to restore.)
pub fn find_deletion<'a>(records: &'a [AuditRecord], grant_id: &str) -> Option<&'a AuditRecord> {
    find_deletions(records, grant_id).into_iter().next_back()
}

/// Every record showing that grant `grant_id` was really retired or revoked in a live
/// account, oldest first, one per key (the last on each): a grant id found on several keys
/// needs the operator to say which.
pub fn find_deletions<'a>(records: &'a [AuditRecord], grant_id: &str) -> Vec<&'a AuditRecord> {
    let mut found: Vec<&AuditRecord> = Vec::new();
    for record in records.iter().filter(|r| {
        r.is_deletion()
            && r.source == "live"
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    }) {
        found.retain(|r| r.key != record.key);
        found.push(record);
    }
    found
}

/// An earlier restore of a grant that stands in the way of another.
#[derive(Debug, Clone, PartialEq)]
pub enum EarlierRestore<'a> {
    /// It created a grant: its outcome (or the listing after a lost answer) says so.
    Restored {
        record: &'a AuditRecord,
        new_grant_id: Option<String>,
    },
    /// Its outcome is unknown: it was cut off before its outcome was written, or its answer was
    /// lost and the listing could not tell.
    Unknown { intent: &'a AuditRecord },
}

/// The last restore of grant `grant_id` that created it or may have: a restore whose outcome
/// says it failed cleanly (or whose lost answer the listing showed came to nothing) is no
/// reason not to try again. Each CreateGrant intent is paired with its outcome and settled
/// records by operation id, or in logs without one by the next outcome of that grant.
pub fn find_restore<'a>(records: &'a [AuditRecord], grant_id: &str) -> Option<EarlierRestore<'a>> {
    let of_grant = |r: &AuditRecord| {
        r.action == "CreateGrant" && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    };
    let mut found = None;
    for (i, intent) in records.iter().enumerate() {
        if intent.phase != Phase::Intent || !of_grant(intent) {
            continue;
        }
        let later = &records[i + 1..];
        let (outcome, settled) = match &intent.op {
            Some(op) => {
                let of_op = |phase: Phase| {
                    later
                        .iter()
                        .find(|r| r.phase == phase && r.op.as_ref() == Some(op))
                };
                (of_op(Phase::Outcome), of_op(Phase::Settled))
            }
            None => (
                later
                    .iter()
                    .find(|r| r.phase == Phase::Outcome && r.op.is_none() && of_grant(r)),
                None,
            ),
        };
        let restored = |record: &'a AuditRecord| EarlierRestore::Restored {
            record,
            new_grant_id: record.new_grant_id.clone(),
        };
        let status = match (outcome, settled) {
            (None, _) => Some(EarlierRestore::Unknown { intent }),
            (Some(o), _) if o.outcome == Some(Outcome::Error) => None,
            (Some(o), _) if o.outcome == Some(Outcome::Done) => Some(restored(o)),
            (Some(_), Some(s)) if s.outcome == Some(Outcome::Created) => Some(restored(s)),
            (Some(_), Some(s)) if s.outcome == Some(Outcome::NotCreated) => None,
            // Unknown and not settled, settled still unknown, or a value this version does
            // not know: it may have created the grant.
            (Some(_), _) => Some(EarlierRestore::Unknown { intent }),
        };
        if status.is_some() {
            found = status;
        }
    }
    found
}

/// Why grant `grant_id` may not be restored again, if an earlier restore stands in the way
/// (see [`find_restore`]).
pub fn restore_refusal(records: &[AuditRecord], grant_id: &str) -> Option<String> {
    Some(match find_restore(records, grant_id)? {
        EarlierRestore::Restored {
            record,
            new_grant_id: Some(id),
        } => format!(
            "grant {grant_id} was already restored as {id} at {} (audit log); nothing was created",
            record.time
        ),
        EarlierRestore::Restored { record, .. } => format!(
            "grant {grant_id} was already restored at {} (audit log); nothing was created",
            record.time
        ),
        EarlierRestore::Unknown { intent } => format!(
            "a restore of grant {grant_id} was started at {} and its outcome is unknown; check the key's grants (a grant named {}) before restoring again",
            intent.time,
            intent
                .grant
                .as_ref()
                .map(restore_name)
                .unwrap_or_else(|| "like it".to_owned())
        ),
    })
}

/// The Name a restore of `grant` sends: the original's, or for an unnamed grant one derived
/// from its id. With a Name, CreateGrant is idempotent: sent again (by anyone) with the same
/// parameters, it gives back the same grant instead of a second one.
pub fn restore_name(grant: &Grant) -> String {
    match grant.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => name.to_owned(),
        None => format!("kms-grants-restore-{}", grant.grant_id),
    }
}

/// The current time as the log writes it.
pub fn now() -> String {
    Timestamp::now().rfc3339()
}

/// A failing writer for tests, here and in the runtime's.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod testing {
    use super::Sink;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    /// A disk with `room` bytes left, that fills up after `appends` more appends; shared
    /// with the test that looks at it.
    #[derive(Debug, Clone)]
    pub struct Disk {
        pub bytes: Arc<Mutex<Vec<u8>>>,
        pub room: Arc<AtomicU64>,
        pub appends: Arc<AtomicU64>,
    }

    impl Disk {
        pub fn new(room: usize) -> Self {
            Self {
                bytes: Arc::default(),
                room: Arc::new(AtomicU64::new(room as u64)),
                appends: Arc::new(AtomicU64::new(u64::MAX)),
            }
        }

        pub fn text(&self) -> String {
            String::from_utf8(self.bytes.lock().unwrap().clone()).unwrap()
        }
    }

    impl Sink for Disk {
        fn size(&mut self) -> std::io::Result<u64> {
            Ok(self.bytes.lock().unwrap().len() as u64)
        }

        fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            let mut disk = self.bytes.lock().unwrap();
            let room = self.room.load(Ordering::Relaxed) as usize;
            let mut free = room.saturating_sub(disk.len());
            if self.appends.load(Ordering::Relaxed) == 0 {
                free = free.min(bytes.len() / 2);
            }
            if bytes.len() <= free {
                self.appends.fetch_sub(1, Ordering::Relaxed);
                disk.extend_from_slice(bytes);
                Ok(())
            } else {
                // Part of the line reaches the disk before it is full.
                disk.extend_from_slice(&bytes[..free]);
                Err(std::io::Error::from_raw_os_error(28))
            }
        }

        fn truncate(&mut self, len: u64) -> std::io::Result<()> {
            self.bytes.lock().unwrap().truncate(len as usize);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Disk;
    use super::*;

    fn record(phase: Phase, outcome: Option<Outcome>) -> AuditRecord {
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
            action: "RevokeGrant".into(),
            dry_run: false,
            key: "arn:aws:kms:us-east-2:111122223333:key/k1".into(),
            grant: None,
            outcome,
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
        log.append(&record(Phase::Outcome, Some(Outcome::Done)))
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().nth(1).unwrap().contains(r#""outcome":"done""#));
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
    fn an_unwritable_place_is_a_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let err = AuditLog::open(&blocker.join("audit.jsonl")).unwrap_err();
        assert!(err.to_string().starts_with("the audit log "), "{err}");
        // It says what is wrong; callers say what it means for the write at hand.
        assert!(!err.to_string().contains("no write is sent"), "{err}");
        assert!(
            err.not_sent("kms:RevokeGrant")
                .ends_with("so kms:RevokeGrant was not sent")
        );
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

    #[test]
    fn a_full_disk_leaves_no_torn_line_and_turns_the_log_off() {
        let first = serde_json::to_string(&record(Phase::Intent, None)).unwrap();
        let disk = Disk::new(first.len() + 1 + 40);
        let log = AuditLog::with_sink(Path::new("/state/audit.jsonl"), Box::new(disk.clone()));
        log.append(&record(Phase::Intent, None)).unwrap();
        assert_eq!(log.failed(), None);
        let err = log
            .append(&record(Phase::Outcome, Some(Outcome::Done)))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the audit log /state/audit.jsonl cannot be written (No space left on device)"
        );
        // The 40 bytes that made it were cut off again: the log is the first line, whole.
        assert_eq!(disk.text(), format!("{first}\n"));
        // Off for the rest of the session, even once there is room again.
        assert_eq!(log.failed(), Some(err.clone()));
        disk.room.store(u64::MAX, Ordering::Relaxed);
        assert_eq!(
            log.append(&record(Phase::Intent, None)).unwrap_err(),
            err,
            "a log that failed once refuses every later record"
        );
        assert_eq!(disk.text(), format!("{first}\n"));
        assert_eq!(
            err.not_recorded("grant 1a2b… was revoked"),
            "grant 1a2b… was revoked; its outcome could not be recorded: No space left on device in /state/audit.jsonl (writes are off for this session)"
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_with_one_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let whole = serde_json::to_string(&record(Phase::Intent, None)).unwrap();
        let done = serde_json::to_string(&record(Phase::Outcome, Some(Outcome::Done))).unwrap();
        // A line cut short at any byte is skipped; the records before it are all read.
        for cut in [1, 10, whole.len() / 2, whole.len() - 1] {
            std::fs::write(&path, format!("{whole}\n{done}\n{}", &whole[..cut])).unwrap();
            let read = read_all(&path).unwrap();
            assert_eq!(read.records.len(), 2, "cut at {cut}");
            let warning = read.skipped.unwrap();
            assert!(
                warning.contains("audit.jsonl:3: a line was cut short"),
                "{warning}"
            );
            assert_eq!(super::read(&path).unwrap().len(), 2);
        }
    }

    #[test]
    fn a_broken_line_in_the_middle_is_still_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let whole = serde_json::to_string(&record(Phase::Intent, None)).unwrap();
        std::fs::write(
            &path,
            format!("{whole}\n{{\"not\": \"a record\"}}\n{whole}\n"),
        )
        .unwrap();
        let err = read_all(&path).unwrap_err();
        assert!(err.contains("audit.jsonl:2: not an audit record"), "{err}");
        std::fs::write(&path, format!("{whole}\nnot json at all\n{whole}\n")).unwrap();
        let err = read_all(&path).unwrap_err();
        assert!(err.contains("audit.jsonl:2: not an audit record"), "{err}");
    }

    #[test]
    fn a_session_after_a_torn_line_starts_its_records_on_a_line_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let whole = serde_json::to_string(&record(Phase::Intent, None)).unwrap();
        std::fs::write(&path, format!("{whole}\n{}", &whole[..30])).unwrap();
        let log = AuditLog::open(&path).unwrap();
        log.append(&record(Phase::Intent, None)).unwrap();
        log.append(&record(Phase::Outcome, Some(Outcome::Error)))
            .unwrap();
        let read = read_all(&path).unwrap();
        assert_eq!(read.records.len(), 3);
        assert!(
            read.skipped
                .unwrap()
                .contains("audit.jsonl:2: a line was cut short")
        );
    }

    fn grant(id: &str) -> Grant {
        serde_json::from_str(&format!(r#"{{"KeyId": "k1", "GrantId": "{id}"}}"#)).unwrap()
    }

    /// A restore's records: CreateGrant of grant `g1`, in operation `op` (or none: an old log).
    fn restore(phase: Phase, op: Option<&str>, outcome: Option<Outcome>) -> AuditRecord {
        let mut r = record(phase, outcome);
        r.action = "CreateGrant".into();
        r.source = "live".into();
        r.op = op.map(str::to_owned);
        r.grant = Some(grant("g1"));
        if outcome == Some(Outcome::Done) || outcome == Some(Outcome::Created) {
            r.new_grant_id = Some(format!("new-{}", op.unwrap_or("old")));
        }
        r
    }

    fn blocked_by(records: &[AuditRecord]) -> Option<String> {
        find_restore(records, "g1").map(|found| match found {
            EarlierRestore::Restored { new_grant_id, .. } => {
                format!("restored {}", new_grant_id.unwrap_or_default())
            }
            EarlierRestore::Unknown { intent } => {
                format!("unknown {}", intent.op.clone().unwrap_or_default())
            }
        })
    }

    #[test]
    fn a_restore_that_failed_cleanly_does_not_block_the_next() {
        use Phase::{Intent, Outcome as Out, Settled};
        let failed = [
            restore(Intent, Some("a"), None),
            restore(Out, Some("a"), Some(Outcome::Error)),
        ];
        assert_eq!(blocked_by(&failed), None);
        // Then one that worked: that one blocks.
        let mut log = failed.to_vec();
        log.push(restore(Intent, Some("b"), None));
        log.push(restore(Out, Some("b"), Some(Outcome::Done)));
        assert_eq!(blocked_by(&log).as_deref(), Some("restored new-b"));
        // Cut off before its outcome: it may have created the grant.
        let cut = [restore(Intent, Some("c"), None)];
        assert_eq!(blocked_by(&cut).as_deref(), Some("unknown c"));
        // An answer lost: blocks until the listing says it came to nothing.
        let lost = [
            restore(Intent, Some("d"), None),
            restore(Out, Some("d"), Some(Outcome::Unknown)),
        ];
        assert_eq!(blocked_by(&lost).as_deref(), Some("unknown d"));
        let mut not_created = lost.to_vec();
        not_created.push(restore(Settled, Some("d"), Some(Outcome::NotCreated)));
        assert_eq!(blocked_by(&not_created), None);
        let mut still = lost.to_vec();
        still.push(restore(Settled, Some("d"), Some(Outcome::StillUnknown)));
        assert_eq!(blocked_by(&still).as_deref(), Some("unknown d"));
        let mut created = lost.to_vec();
        created.push(restore(Settled, Some("d"), Some(Outcome::Created)));
        assert_eq!(blocked_by(&created).as_deref(), Some("restored new-d"));
    }

    #[test]
    fn records_pair_by_operation_id_and_old_logs_by_order() {
        use Phase::{Intent, Outcome as Out};
        // Two restores at once: the one that worked is found, whatever the order of answers.
        let interleaved = [
            restore(Intent, Some("a"), None),
            restore(Intent, Some("b"), None),
            restore(Out, Some("b"), Some(Outcome::Error)),
            restore(Out, Some("a"), Some(Outcome::Done)),
        ];
        assert_eq!(blocked_by(&interleaved).as_deref(), Some("restored new-a"));
        let mut a_failed = interleaved.to_vec();
        a_failed[3].outcome = Some(Outcome::Error);
        a_failed[3].new_grant_id = None;
        assert_eq!(blocked_by(&a_failed), None);
        // A log written before operation ids: each intent takes the next outcome.
        let old = [
            restore(Intent, None, None),
            restore(Out, None, Some(Outcome::Error)),
        ];
        assert_eq!(
            blocked_by(&old),
            None,
            "today's bug: the intent used to match"
        );
        let mut old_then_done = old.to_vec();
        old_then_done.push(restore(Intent, None, None));
        old_then_done.push(restore(Out, None, Some(Outcome::Done)));
        assert_eq!(
            blocked_by(&old_then_done).as_deref(),
            Some("restored new-old")
        );
        let mut old_cut = old.to_vec();
        old_cut.push(restore(Intent, None, None));
        assert_eq!(blocked_by(&old_cut).as_deref(), Some("unknown "));
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
    fn a_restore_sends_the_original_name_or_one_derived_from_the_id() {
        let mut grant = grant("0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60");
        assert_eq!(
            restore_name(&grant),
            "kms-grants-restore-0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60"
        );
        grant.name = Some("fraud-scoring".into());
        assert_eq!(restore_name(&grant), "fraud-scoring");
    }
}
