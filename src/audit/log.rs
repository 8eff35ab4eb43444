//! The appending side of the audit log: [`AuditLog`] writes each record as one line, flushed
//! and synced before the call it describes is sent, and turns itself off at the first append
//! that fails ([`AuditError`]).
//!
//! It does not read the log back (that is `read.rs`) nor decide what to record (the
//! write executor does).

use super::record::AuditRecord;
use crate::io_reason::io_reason;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
            reason: io_reason(&err),
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
                        io_reason(&cut)
                    );
                }
                let err = error(io_reason(&e));
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
    use crate::audit::record::tests::record;
    use crate::audit::{Outcome, Phase, read, read_all};
    use std::sync::atomic::Ordering;

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
}
