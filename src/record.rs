//! `kms-grants record`: captures a live account and region into a fixture file.
//!
//! Keys and aliases come first; then, for every key, DescribeKey and ListGrants run with bounded
//! concurrency; then the retirable grants of each `--retiring-principal`. Progress goes to
//! stderr. The file is written atomically (a temporary file in the same directory, synced, then
//! renamed): on any failure the previous file is untouched and the exit code is non-zero.

use crate::domain::{Timestamp, arn_account};
use crate::fixture::{self, KeyWithGrants, Snapshot};
use crate::places::Target;
use crate::redact;
use crate::source::LiveOptions;
use crate::source::{KmsSource, LiveKms, SourceError};
use futures::{StreamExt, TryStreamExt, stream};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// How many targets `record` works on at once (each with its own key concurrency and pace:
/// KMS quotas are per account and region).
pub const TARGETS_AT_ONCE: usize = 4;

/// What one target of a multi-target `record` produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub account: Option<String>,
    pub region: Option<String>,
    pub keys: usize,
    pub grants: usize,
    pub findings: usize,
    pub file: PathBuf,
    /// Calls KMS throttled even after the SDK's retries (slowed down and tried again).
    pub throttled: u64,
}

/// How one target of a multi-target `record` went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Recorded(Recorded),
    /// Another target reaches the same account and region: recorded once, by that one.
    Skipped(String),
    /// Why it failed; its file was left as it was.
    Failed(String),
}

/// One target of a multi-target `record`, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetOutcome {
    pub target: Target,
    pub outcome: Outcome,
}

/// The settings every target of a multi-target `record` shares.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The session's options; each target sets its profile and region.
    pub options: LiveOptions,
    pub dir: PathBuf,
    pub concurrency: usize,
    pub redact: bool,
    pub stale_after_days: u32,
}

/// An account and region being recorded: who recorded it, once someone has.
type Claim = Arc<tokio::sync::Mutex<Option<String>>>;

/// What the targets of one run share while they run.
#[derive(Debug, Default)]
struct Shared {
    /// (account, region) → who recorded it, once someone has. A target holds the lock while it
    /// records, so another profile reaching the same account waits, then skips it, or records
    /// it itself if the first one failed.
    accounts: Mutex<HashMap<(String, Option<String>), Claim>>,
    /// Files written so far, and by whom: a backstop for targets whose account STS did not say.
    files: Mutex<HashMap<PathBuf, String>>,
    /// One redactor for every file, so an account has the same stand-in in all of them.
    redactor: Mutex<redact::Redactor>,
}

impl Shared {
    fn account(&self, key: (String, Option<String>)) -> Claim {
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(accounts.entry(key).or_default())
    }
}

/// Records every target concurrently ([`TARGETS_AT_ONCE`] at a time) into one fixture per
/// account and region in `plan.dir`, with a progress line per target. A target that fails
/// leaves its file as it was and does not stop the others. Outcomes come in `targets` order.
pub async fn record_targets(
    targets: &[Target],
    plan: &Plan,
    progress: &MultiProgress,
) -> Vec<TargetOutcome> {
    let shared = Shared::default();
    let shared = &shared;
    let outcomes = stream::iter(targets.iter().enumerate())
        .map(|(index, target)| async move {
            let bar = progress.add(progress_bar());
            bar.set_prefix(format!("{target} "));
            let outcome = match record_target(target, plan, &bar, shared).await {
                Ok(outcome) => outcome,
                Err(err) => Outcome::Failed(err),
            };
            let line = match &outcome {
                Outcome::Recorded(done) => format!(
                    "✓ {target}: {}, {}, {} with findings → {}{}",
                    count(done.keys, "key"),
                    count(done.grants, "grant"),
                    done.findings,
                    done.file.display(),
                    if done.throttled > 0 {
                        format!(
                            " (KMS throttled {} call(s); kms-grants slowed down and tried again)",
                            done.throttled
                        )
                    } else {
                        String::new()
                    }
                ),
                Outcome::Skipped(why) => format!("- {target}: skipped, {why}"),
                Outcome::Failed(err) => {
                    tracing::warn!(%target, "record failed: {err}");
                    format!("✗ {target}: {err}")
                }
            };
            // What AWS said may be in the line: nothing in it may drive the terminal.
            let line = crate::ui::text::clean(&line).into_owned();
            // The bar goes and its closing line stays, above the bars still running.
            bar.finish_and_clear();
            if progress.is_hidden() {
                eprintln!("{line}");
            } else {
                let _ = progress.println(line);
            }
            (
                index,
                TargetOutcome {
                    target: target.clone(),
                    outcome,
                },
            )
        })
        .buffer_unordered(TARGETS_AT_ONCE)
        .collect::<BTreeMap<_, _>>()
        .await
        .into_values()
        .collect();
    let _ = progress.clear();
    outcomes
}

async fn record_target(
    target: &Target,
    plan: &Plan,
    bar: &ProgressBar,
    shared: &Shared,
) -> Result<Outcome, String> {
    let options = LiveOptions {
        profile: target.profile.clone(),
        region: target.region.clone(),
        // Recording only reads.
        read_only: true,
        ..plan.options.clone()
    };
    let source = LiveKms::connect(&options)
        .await
        .map_err(|err| err.to_string())?;
    // Who this is, before listing anything: two profiles can reach one account.
    bar.set_message("asking STS who the caller is");
    let account = match source.caller().await {
        Ok(caller) => caller
            .map(|caller| caller.account)
            .filter(|account| !account.is_empty()),
        Err(SourceError::Credentials { rejected: true, .. })
            if target
                .region
                .as_deref()
                .is_some_and(|r| crate::region::OPT_IN_REGIONS.contains(&r)) =>
        {
            return Ok(Outcome::Skipped(format!(
                "{} is an opt-in region and refused these credentials: it is not enabled for this account",
                target.region.as_deref().unwrap_or_default()
            )));
        }
        // Credentials refused or missing fail every call: say so now.
        Err(err @ SourceError::Credentials { .. }) => return Err(err.to_string()),
        // An endpoint without STS can still be listed; the account then comes from the keys.
        Err(_) => None,
    };
    let claim = account.map(|account| shared.account((account, source.info().region)));
    let mut claim = match &claim {
        Some(claim) => Some(claim.lock().await),
        None => None,
    };
    if let Some(Some(by)) = claim.as_deref() {
        return Ok(Outcome::Skipped(format!(
            "it reaches the account and region {by} recorded"
        )));
    }
    let principals = options.retiring_principals.clone();
    let (snapshot, report) = record(&source, &principals, plan.concurrency, false, bar)
        .await
        .map_err(|err| err.to_string())?;
    let recorded_at = snapshot.recorded_at.unwrap_or_else(Timestamp::now);
    let findings = grants_with_findings(&snapshot, recorded_at, plan.stale_after_days);
    let snapshot = if plan.redact {
        shared
            .redactor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .redact(&snapshot)
    } else {
        snapshot
    };
    let file = plan.dir.join(file_name(&snapshot, target));
    {
        let mut files = shared
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(by) = files.get(&file) {
            return Ok(Outcome::Skipped(format!(
                "{by} already wrote {}",
                file.display()
            )));
        }
        files.insert(file.clone(), target.to_string());
    }
    if let Err(err) = save(&snapshot, &file) {
        shared
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&file);
        return Err(format!(
            "cannot write {} (left as it was): {}",
            file.display(),
            crate::io_reason::io_reason(&err)
        ));
    }
    if let Some(claim) = claim.as_deref_mut() {
        *claim = Some(target.to_string());
    }
    Ok(Outcome::Recorded(Recorded {
        account: snapshot.account.clone(),
        region: snapshot.region.clone(),
        keys: report.keys,
        grants: report.grants,
        findings,
        file,
        throttled: report.throttled,
    }))
}

/// `1 key`, `2 keys`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `ACCOUNT-REGION.json` (the profile stands in for an unknown account), with nothing in it
/// that could leave the directory.
fn file_name(snapshot: &Snapshot, target: &Target) -> String {
    let account = snapshot
        .account
        .clone()
        .or_else(|| target.profile.clone())
        .unwrap_or_else(|| "default".to_owned());
    let region = snapshot
        .region
        .clone()
        .or_else(|| target.region.clone())
        .unwrap_or_else(|| "no-region".to_owned());
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}-{}.json", safe(&account), safe(&region))
}

/// The closing table of a multi-target `record`: one row per target. Files are named without
/// the directory (`-o` says it) and a failure by its first clause (its ✗ line has it whole).
pub fn summary_table(outcomes: &[TargetOutcome]) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "TARGET".into(),
        "ACCOUNT".into(),
        "REGION".into(),
        "KEYS".into(),
        "GRANTS".into(),
        "FINDINGS".into(),
        "RESULT".into(),
    ]];
    let none = || "—".to_owned();
    for outcome in outcomes {
        let target = outcome.target.to_string();
        let region = outcome.target.region.clone().unwrap_or_else(none);
        rows.push(match &outcome.outcome {
            Outcome::Recorded(done) => [
                target,
                done.account.clone().unwrap_or_else(none),
                done.region.clone().unwrap_or_else(none),
                done.keys.to_string(),
                done.grants.to_string(),
                done.findings.to_string(),
                done.file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ],
            Outcome::Skipped(why) => [
                target,
                none(),
                region,
                none(),
                none(),
                none(),
                format!("skipped: {why}"),
            ],
            Outcome::Failed(err) => [
                target,
                none(),
                region,
                none(),
                none(),
                none(),
                format!("failed: {}", first_clause(err)),
            ],
        });
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        for (c, cell) in row.iter().enumerate().take(6) {
            // Names left, counts right.
            if c >= 3 {
                out.push_str(&format!("{cell:>w$}  ", w = widths[c]));
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        out.push_str(&row[6]);
        out.push('\n');
    }
    out
}

/// An error's first clause, at most 60 characters: the table's short form.
fn first_clause(err: &str) -> String {
    let clause = err.split("; ").next().unwrap_or(err);
    if clause.chars().count() > 60 {
        let cut: String = clause.chars().take(59).collect();
        format!("{cut}…")
    } else if clause.len() < err.len() {
        format!("{clause}; …")
    } else {
        clause.to_owned()
    }
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
    fn file_names_stay_in_the_directory() {
        let mut snapshot = Snapshot {
            account: Some("../../etc".to_owned()),
            region: Some("us-east-1".to_owned()),
            ..Snapshot::default()
        };
        assert_eq!(
            file_name(&snapshot, &Target::default()),
            "______etc-us-east-1.json"
        );
        snapshot.account = None;
        let target = Target {
            profile: Some("dev".to_owned()),
            region: None,
        };
        assert_eq!(file_name(&snapshot, &target), "dev-us-east-1.json");
    }

    #[test]
    fn the_summary_table_lines_up_and_says_what_failed() {
        let target = |profile: &str, region: &str| Target {
            profile: Some(profile.to_owned()),
            region: Some(region.to_owned()),
        };
        let outcomes = [
            TargetOutcome {
                target: target("alpha", "us-east-1"),
                outcome: Outcome::Recorded(Recorded {
                    account: Some("111111111111".to_owned()),
                    region: Some("us-east-1".to_owned()),
                    keys: 12,
                    grants: 340,
                    findings: 7,
                    file: PathBuf::from("out/111111111111-us-east-1.json"),
                    throttled: 0,
                }),
            },
            TargetOutcome {
                target: target("down", "eu-west-1"),
                outcome: Outcome::Failed(
                    "no AWS credentials were found; run `aws sso login --profile down` or check the profile's credentials".to_owned(),
                ),
            },
            TargetOutcome {
                target: target("alias", "us-east-1"),
                outcome: Outcome::Skipped(
                    "it reaches account 111111111111, which profile alpha in us-east-1 records"
                        .to_owned(),
                ),
            },
        ];
        let table = summary_table(&outcomes);
        let expected = "\
TARGET                      ACCOUNT       REGION     KEYS  GRANTS  FINDINGS  RESULT
profile alpha in us-east-1  111111111111  us-east-1    12     340         7  111111111111-us-east-1.json
profile down in eu-west-1   —             eu-west-1     —       —         —  failed: no AWS credentials were found; …
profile alias in us-east-1  —             us-east-1     —       —         —  skipped: it reaches account 111111111111, which profile alpha in us-east-1 records
";
        assert_eq!(table, expected);
    }

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
