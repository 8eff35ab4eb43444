//! `kms-grants record`: captures a live account and region into a fixture file.
//!
//! Keys and aliases come first; then, for every key, DescribeKey and ListGrants run with bounded
//! concurrency; then the retirable grants of each `--retiring-principal`. Progress goes to
//! stderr. The file is written atomically (a temporary file in the same directory, synced, then
//! renamed): on any failure the previous file is untouched and the exit code is non-zero.
//!
//! This file records one account and region ([`record`]) and saves it ([`save`]);
//! `targets.rs` runs several targets at once (`--all-regions`, several profiles) into a
//! directory and prints their summary table.

use crate::domain::{Timestamp, arn_account};
use crate::fixture::{self, KeyWithGrants, Snapshot};
use crate::redact;
use crate::source::{KmsSource, LiveKms, SourceError};
use futures::{StreamExt, TryStreamExt, stream};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

mod targets;

pub use targets::{
    Outcome, Plan, Recorded, TARGETS_AT_ONCE, TargetOutcome, record_targets, summary_table,
};

/// What `record` did, for the closing lines on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReport {
    pub keys: usize,
    pub aliases: usize,
    pub grants: usize,
    pub principals: usize,
    /// Calls made, and the fewest calls that could have listed the same data.
    pub calls: u64,
    pub lower_bound: u64,
    pub call_detail: String,
    pub elapsed: Duration,
    /// Calls KMS throttled even after the SDK's retries (each was slowed and tried again).
    pub throttled: u64,
    /// What throttling did to the pace: `ListGrants slowed to 10/s (of 80/s)`; empty if none.
    pub slowdowns: String,
}

/// Pages of `page` items needed to list `n` items (an empty list still takes one call).
fn pages(n: usize, page: usize) -> u64 {
    n.div_ceil(page).max(1) as u64
}

/// Records the account `source` points at; `progress` draws on stderr (hidden when it is not a
/// terminal).
pub async fn record(
    source: &LiveKms,
    principals: &[String],
    concurrency: usize,
    redact_it: bool,
    progress: &ProgressBar,
) -> Result<(Snapshot, RecordReport), SourceError> {
    let started = Instant::now();
    progress.set_message("listing keys and aliases");
    let keys = source.list_keys().await?;
    let aliases: usize = keys.iter().map(|k| k.aliases.len()).sum();
    progress.set_length(keys.len() as u64);
    progress.set_message("describing keys and listing their grants");
    // Unordered: a key with many grant pages does not hold up the keys behind it. The file
    // keeps ListKeys order.
    let mut entries: Vec<(usize, KeyWithGrants)> = stream::iter(keys.into_iter().enumerate())
        .map(|(index, mut key)| async move {
            let (metadata, grants) =
                tokio::try_join!(source.describe_key(key.id()), source.list_grants(key.id()))?;
            key.metadata = metadata;
            key.described = true;
            progress.inc(1);
            Ok::<_, SourceError>((index, KeyWithGrants { key, grants }))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    entries.sort_unstable_by_key(|(index, _)| *index);
    let entries: Vec<KeyWithGrants> = entries.into_iter().map(|(_, entry)| entry).collect();
    progress.set_message("listing retirable grants");
    let mut retirable = BTreeMap::new();
    for principal in principals {
        retirable.insert(
            principal.clone(),
            source.list_retirable_grants(principal).await?,
        );
    }
    let account = match source.caller().await {
        Ok(Some(caller)) if !caller.account.is_empty() => Some(caller.account),
        _ => entries
            .first()
            .and_then(|e| arn_account(&e.key.metadata.arn).map(str::to_owned)),
    };
    let grants: usize = entries.iter().map(|e| e.grants.len()).sum();
    let lower_bound = pages(entries.len(), 1000)
        + pages(aliases, 100)
        + entries.len() as u64
        + entries
            .iter()
            .map(|e| pages(e.grants.len(), 100))
            .sum::<u64>()
        + retirable
            .values()
            .map(|g: &Vec<_>| pages(g.len(), 100))
            .sum::<u64>();
    let snapshot = Snapshot {
        recorded_at: Some(Timestamp::now()),
        account,
        region: source.info().region,
        profile: match source.info().kind {
            crate::source::SourceKind::Live { profile, .. } => profile,
            _ => None,
        },
        keys: entries,
        retirable,
    };
    let report = RecordReport {
        keys: snapshot.keys.len(),
        aliases,
        grants,
        principals: snapshot.retirable.len(),
        calls: source.calls().reads(),
        lower_bound,
        call_detail: source.calls().to_string(),
        elapsed: started.elapsed(),
        throttled: source.pacer().throttles(),
        slowdowns: source
            .pacer()
            .slowdowns()
            .iter()
            .map(|(op, lowest, configured)| {
                format!("{} slowed to {lowest}/s (of {configured}/s)", op.name())
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let snapshot = if redact_it {
        redact::redact(&snapshot)
    } else {
        snapshot
    };
    Ok((snapshot, report))
}

/// How many grants of `snapshot` have at least one finding (old, duplicate, orphan, …), as
/// the keys view counts them.
pub fn grants_with_findings(snapshot: &Snapshot, now: Timestamp, stale_after_days: u32) -> usize {
    use crate::domain::findings::{FindingContext, findings_for_key};
    snapshot
        .keys
        .iter()
        .map(|entry| {
            let metadata = &entry.key.metadata;
            let ctx = FindingContext {
                now,
                stale_after_days,
                key_state: entry.key.described.then_some(&metadata.key_state),
                key_account: metadata.account(),
            };
            findings_for_key(&entry.grants, ctx)
                .iter()
                .filter(|found| !found.is_empty())
                .count()
        })
        .sum()
}

/// A progress bar on stderr for `total` keys.
pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template(
        "{prefix}{spinner} {msg} [{bar:30}] {pos}/{len} keys ({elapsed})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Writes `snapshot` to `path` atomically: the file is either the new fixture or what it was.
pub fn save(snapshot: &Snapshot, path: &Path) -> std::io::Result<()> {
    let mut text = fixture::to_json(snapshot);
    text.push('\n');
    crate::atomic::write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bound_pages() {
        assert_eq!(pages(0, 100), 1);
        assert_eq!(pages(100, 100), 1);
        assert_eq!(pages(101, 100), 2);
        assert_eq!(pages(2500, 1000), 3);
    }

    #[test]
    fn save_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        let snapshot = fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
        save(&snapshot, &path).unwrap();
        let written = fixture::load(&path).unwrap();
        assert_eq!(written, snapshot);
        // Only the fixture is left in the directory: no temporary file.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_save_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("out.json");
        let snapshot = fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
        assert!(save(&snapshot, &path).is_err());
        assert!(!path.exists());
    }
}
