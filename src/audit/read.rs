//! Reading the audit log back: every record, oldest first. A line an interrupted append cut
//! short is skipped with one warning; any other line that is not a record is an error naming
//! its line ([`ReadError`]).
//!
//! It reads only; what the records say about a grant (was it deleted, restored) is
//! `history.rs`.

use super::record::AuditRecord;
use crate::io_reason::io_reason;
use std::path::{Path, PathBuf};

/// Why a log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read. (Not a `source`: the reason is in the sentence already.)
    #[error("cannot read the audit log {}: {}", path.display(), io_reason(error))]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A line that is neither a record nor one cut short (`line` counts from 1).
    #[error("{}:{line}: not an audit record: {error}", path.display())]
    NotARecord {
        path: PathBuf,
        line: usize,
        error: serde_json::Error,
    },
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
pub fn read(path: &Path) -> Result<Vec<AuditRecord>, ReadError> {
    let read = read_all(path)?;
    if let Some(warning) = &read.skipped {
        tracing::warn!("{warning}");
    }
    Ok(read.records)
}

/// Reads every record of a log. A line cut short (the last line without its newline, or an
/// unfinished JSON record anywhere: an append a full disk or a crash interrupted) is skipped
/// and named in one warning; any other line that is not a record is an error naming its line.
pub fn read_all(path: &Path) -> Result<Records, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|error| ReadError::Io {
        path: path.to_owned(),
        error,
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
            Err(error) => {
                return Err(ReadError::NotARecord {
                    path: path.to_owned(),
                    line: i + 1,
                    error,
                });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::record::tests::record;
    use crate::audit::{Outcome, Phase};

    #[test]
    fn a_broken_line_names_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "{\"not\": \"a record\"}\n").unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .contains("audit.jsonl:1: not an audit record")
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
        let err = read_all(&path).unwrap_err().to_string();
        assert!(err.contains("audit.jsonl:2: not an audit record"), "{err}");
        std::fs::write(&path, format!("{whole}\nnot json at all\n{whole}\n")).unwrap();
        let err = read_all(&path).unwrap_err().to_string();
        assert!(err.contains("audit.jsonl:2: not an audit record"), "{err}");
    }
}
