//! `kms-grants record`: the command's wiring (which targets, where they go, what is printed and
//! the exit code). The recording itself, paging through an account and writing a fixture, is
//! in [`crate::record`].

use super::SomeFailed;
use super::args::{Cli, live_options};
use crate::config::Config;
use crate::places::{Places, Target};
use crate::record;
use crate::source::{LiveKms, LiveOptions};
use std::path::Path;

/// `kms-grants record`: one target into a file, several into a directory.
pub(super) async fn record_cmd(
    cli: &Cli,
    config: &Config,
    output: &Path,
    redact: bool,
    all_regions: bool,
) -> anyhow::Result<()> {
    let options = live_options(cli, config, true);
    // Account names work as profile names; a file that cannot be read offers none of them.
    let places = Places::load(&options.profile_files, &config.accounts)
        .await
        .unwrap_or_else(|_| Places::from_profiles([], &config.accounts));
    let targets = record_targets(cli, config, &places, all_regions);
    let to_dir =
        targets.len() > 1 || output.is_dir() || output.as_os_str().to_string_lossy().ends_with('/');
    // Before any call: a device, a FIFO or a socket is never written over.
    if to_dir {
        crate::atomic::check_output_dir(output)
    } else {
        crate::atomic::check_output(output)
    }
    .map_err(|err| anyhow::anyhow!("-o {err}"))?;
    if !to_dir && let Some(target) = targets.first() {
        return record_to(cli, config, target, output, redact).await;
    }
    if !output.is_dir() && output.extension().is_some_and(|e| e == "json") {
        anyhow::bail!(
            "{} targets are recorded into a directory, one file each, and -o {} names a .json file; pass a directory",
            targets.len(),
            output.display()
        );
    }
    std::fs::create_dir_all(output).map_err(|err| {
        anyhow::anyhow!(
            "cannot create directory {}: {}",
            output.display(),
            crate::io_reason::io_reason(&err)
        )
    })?;
    let plan = record::Plan {
        options,
        dir: output.to_owned(),
        concurrency: config.concurrency,
        redact,
        stale_after_days: config.stale_after_days,
    };
    let progress = indicatif::MultiProgress::new();
    let outcomes = record::record_targets(&targets, &plan, &progress).await;
    for line in record::summary_table(&outcomes).lines() {
        println!("{}", crate::ui::text::clean(line));
    }
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o.outcome, record::Outcome::Failed(_)))
        .count();
    let recorded = outcomes
        .iter()
        .filter(|o| matches!(o.outcome, record::Outcome::Recorded(_)))
        .count();
    match failed {
        0 => Ok(()),
        n if recorded == 0 && n == outcomes.len() => anyhow::bail!(
            "every target failed ({n}); nothing was written to {}",
            output.display()
        ),
        n if recorded == 0 => anyhow::bail!(
            "{n} target(s) failed and {} were skipped; nothing was written to {}",
            outcomes.len() - n,
            output.display()
        ),
        n => Err(SomeFailed {
            failed: n,
            total: outcomes.len(),
        }
        .into()),
    }
}

/// The profiles × regions `record` covers: the repeated flags; else the config's profile; for
/// regions, `--all-regions`, the flags, the account entry's regions, the config's region, or
/// the profile's own.
fn record_targets(cli: &Cli, config: &Config, places: &Places, all_regions: bool) -> Vec<Target> {
    let named: Vec<&String> = if cli.profile.is_empty() {
        config.profile.iter().collect()
    } else {
        cli.profile.iter().collect()
    };
    // An account name stands for its profile.
    let mut profiles: Vec<Option<String>> = Vec::new();
    for name in named {
        let profile = places
            .profile(name)
            .map_or_else(|| name.clone(), |p| p.name.clone());
        if !profiles.contains(&Some(profile.clone())) {
            profiles.push(Some(profile));
        }
    }
    if profiles.is_empty() {
        profiles.push(None);
    }
    let mut targets = Vec::new();
    for profile in profiles {
        let entry = profile
            .as_deref()
            .and_then(|p| places.profile(p))
            .filter(|p| p.account.is_some());
        let regions: Vec<Option<String>> = if all_regions {
            crate::region::KMS_REGIONS
                .iter()
                .map(|r| Some((*r).to_owned()))
                .collect()
        } else if !cli.region.is_empty() {
            let mut seen = std::collections::HashSet::new();
            cli.region
                .iter()
                .filter(|r| seen.insert(r.as_str()))
                .cloned()
                .map(Some)
                .collect()
        } else if let Some(entry) = entry.filter(|e| !e.regions.is_empty()) {
            entry.regions.iter().cloned().map(Some).collect()
        } else {
            vec![config.region.clone()]
        };
        for region in regions {
            targets.push(Target {
                profile: profile.clone(),
                region,
            });
        }
    }
    targets
}

/// `kms-grants record -o FILE`.
async fn record_to(
    cli: &Cli,
    config: &Config,
    target: &Target,
    output: &Path,
    redact: bool,
) -> anyhow::Result<()> {
    // Recording only reads: the source is read-only whatever the flags say.
    let options = LiveOptions {
        profile: target.profile.clone(),
        region: target.region.clone(),
        ..live_options(cli, config, true)
    };
    let source = LiveKms::connect(&options).await?;
    let bar = record::progress_bar();
    let result = record::record(
        &source,
        &options.retiring_principals,
        config.concurrency,
        redact,
        &bar,
    )
    .await;
    bar.finish_and_clear();
    let (snapshot, report) = result.map_err(|err| {
        anyhow::anyhow!(
            "recording failed and {} was left as it was: {err}",
            output.display()
        )
    })?;
    record::save(&snapshot, output).map_err(|err| {
        anyhow::anyhow!(
            "cannot write {}: {}",
            output.display(),
            crate::io_reason::io_reason(&err)
        )
    })?;
    eprintln!(
        "recorded {} keys, {} aliases, {} grants and {} retirable principal(s) into {} in {:.1}s{}",
        report.keys,
        report.aliases,
        report.grants,
        report.principals,
        output.display(),
        report.elapsed.as_secs_f64(),
        if redact { " (redacted)" } else { "" }
    );
    // Fewer calls than the bound means the server sent pages larger than KMS allows.
    let note = if report.calls < report.lower_bound {
        " (the server sent larger pages than KMS's limits, so fewer calls were needed)"
    } else {
        ""
    };
    eprintln!(
        "API calls: {} in all ({}); the lower bound for this account is {}{note}",
        report.calls, report.call_detail, report.lower_bound
    );
    if report.throttled > 0 {
        eprintln!(
            "KMS throttled calls {} time(s) even after the SDK's retries; kms-grants slowed down and tried them again ({})",
            report.throttled, report.slowdowns
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Command;
    use crate::config;
    use clap::Parser;

    fn targets(args: &[&str], config: &Config) -> Vec<String> {
        let cli = Cli::parse_from([&["kms-grants", "record", "-o", "out"], args].concat());
        let all = matches!(
            cli.command,
            Some(Command::Record {
                all_regions: true,
                ..
            })
        );
        let places = Places::from_profiles([("q".to_owned(), None)], &config.accounts);
        record_targets(&cli, config, &places, all)
            .iter()
            .map(Target::to_string)
            .collect()
    }

    #[test]
    fn record_targets_are_profiles_times_regions() {
        let config = Config {
            accounts: vec![config::Account {
                name: "prod".into(),
                profile: "p".into(),
                regions: vec!["eu-west-1".into(), "us-east-1".into()],
                read_only: true,
            }],
            ..Config::default()
        };
        // Repeated flags, duplicates dropped, in the order given.
        assert_eq!(
            targets(
                &[
                    "--profile",
                    "a",
                    "--profile",
                    "b",
                    "--profile",
                    "a",
                    "--region",
                    "us-east-1",
                    "--region",
                    "eu-west-1"
                ],
                &config
            ),
            [
                "profile a in us-east-1",
                "profile a in eu-west-1",
                "profile b in us-east-1",
                "profile b in eu-west-1"
            ]
        );
        // An account entry's regions when no --region is given; the chain's otherwise. The
        // account's name stands for its profile.
        assert_eq!(
            targets(
                &["--profile", "prod", "--profile", "q", "--profile", "p"],
                &config
            ),
            [
                "profile p in eu-west-1",
                "profile p in us-east-1",
                "profile q"
            ]
        );
        // Every KMS region.
        let all = targets(&["--profile", "q", "--all-regions"], &config);
        assert_eq!(all.len(), crate::region::KMS_REGIONS.len());
        assert_eq!(all[0], "profile q in us-east-1");
        // Nothing named: the config's profile and region, else the default chain.
        assert_eq!(
            targets(&[], &Config::default()),
            ["profile (default chain)"]
        );
        let config = Config {
            profile: Some("c".into()),
            region: Some("ap-south-1".into()),
            ..Config::default()
        };
        assert_eq!(targets(&[], &config), ["profile c in ap-south-1"]);
    }
}
