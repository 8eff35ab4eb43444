//! `kms-grants record` over several targets (profiles, regions, `--all-regions`): each into its
//! own fixture `ACCOUNT-REGION.json` in one directory, [`TARGETS_AT_ONCE`] at a time, with a
//! progress line each and a summary table at the end.
//!
//! Two profiles that reach the same account and region record it once. A target that fails
//! leaves its file as it was and does not stop the others. Recording one target is
//! [`super::record`].

use super::{grants_with_findings, progress_bar, record, save};
use crate::domain::Timestamp;
use crate::fixture::Snapshot;
use crate::io_reason::io_reason;
use crate::places::Target;
use crate::redact;
use crate::source::{KmsSource, LiveKms, LiveOptions, SourceError};
use futures::{StreamExt, stream};
use indicatif::{MultiProgress, ProgressBar};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

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
                Err(err) => Outcome::Failed(err.to_string()),
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

/// Why one target failed; [`Outcome::Failed`] holds its sentence. (Not `source`s: each sentence
/// says the reason already.)
#[derive(Debug, thiserror::Error)]
enum TargetError {
    /// Connecting, asking STS or listing failed.
    #[error("{0}")]
    Source(SourceError),
    /// The fixture could not be written; the file is as it was.
    #[error("cannot write {} (left as it was): {}", file.display(), io_reason(error))]
    Write {
        file: PathBuf,
        error: std::io::Error,
    },
}

/// Records one target of [`record_targets`]: asks STS which account it reaches first, so that
/// two profiles of one account record it once.
async fn record_target(
    target: &Target,
    plan: &Plan,
    bar: &ProgressBar,
    shared: &Shared,
) -> Result<Outcome, TargetError> {
    let options = LiveOptions {
        profile: target.profile.clone(),
        region: target.region.clone(),
        // Recording only reads.
        read_only: true,
        ..plan.options.clone()
    };
    let source = LiveKms::connect(&options)
        .await
        .map_err(TargetError::Source)?;
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
        Err(err @ SourceError::Credentials { .. }) => return Err(TargetError::Source(err)),
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
        .map_err(TargetError::Source)?;
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
        return Err(TargetError::Write { file, error: err });
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
}
