//! The command line itself: the flags and subcommands (clap), the checks of flag values made
//! before anything else runs, and the live-source options the flags and the config file make
//! together.
//!
//! What each subcommand does is in its own file; nothing here opens a source or a file.

use crate::config::Config;
use crate::source::LiveOptions;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Explore and clean up AWS KMS grants in the terminal.
#[derive(Debug, Parser)]
#[command(name = "kms-grants", version, about, long_about = None)]
pub struct Cli {
    /// Open the demo snapshot built into the binary (no credentials, no network).
    #[arg(long, conflicts_with = "fixture")]
    pub demo: bool,

    /// Open a recorded fixture file instead of a live account, or a directory of them
    /// (`record -o DIR`), switched between with :profile and :region.
    #[arg(long, value_name = "PATH")]
    pub fixture: Option<PathBuf>,

    /// Refuse every retire and revoke (the source refuses them too, not only the UI).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Allow retire and revoke even where the config says read_only (the global setting or an
    /// `[[accounts]]` entry).
    #[arg(long, global = true, conflicts_with = "read_only")]
    pub allow_writes: bool,

    /// Send every write with DryRun=true: KMS checks it and changes nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Read settings from this file instead of the platform config dir.
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// The AWS profile (default: AWS_PROFILE, the config file, then the default chain);
    /// `record` takes several.
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Vec<String>,

    /// The AWS region (default: AWS_REGION, the profile's region, the config file); `record`
    /// takes several.
    #[arg(long, value_name = "NAME", global = true)]
    pub region: Vec<String>,

    /// Send KMS and STS calls to this endpoint, e.g. a local KMS-compatible server
    /// (default: AWS_ENDPOINT_URL, the profile's endpoint_url, AWS's own).
    #[arg(long, value_name = "URL", global = true)]
    pub endpoint_url: Option<String>,

    /// Where every retire, revoke and restore is recorded, one JSON line before and one after
    /// (default: ~/.local/state/kms-grants/audit.jsonl on Linux).
    #[arg(long, value_name = "PATH", global = true)]
    pub audit_log: Option<PathBuf>,

    /// Where the log goes (default: ~/.local/state/kms-grants/kms-grants.log on Linux; never
    /// the terminal). RUST_LOG chooses how much.
    #[arg(long, value_name = "PATH", global = true)]
    pub log_file: Option<PathBuf>,

    /// A retiring principal whose retirable grants to offer (and to record); repeatable.
    #[arg(long = "retiring-principal", value_name = "ARN", global = true)]
    pub retiring_principals: Vec<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands that do not open the TUI.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a fixture file and print a summary; exits 1 if it is invalid.
    Check {
        /// The fixture file to check.
        file: PathBuf,
    },
    /// Recreate a grant that the audit log shows was retired or revoked (CreateGrant with the
    /// same key, grantee, retiring principal, operations, constraints and name).
    Restore {
        /// The id of the deleted grant.
        #[arg(long, value_name = "ID")]
        grant_id: String,
        /// The key it was deleted on (its id, ARN or alias), when the audit log has that grant
        /// id on several keys.
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Do not ask before creating the grant.
        #[arg(long)]
        yes: bool,
    },
    /// Record live accounts and regions into fixtures (progress on stderr). One profile and
    /// region go to a file; several (repeat --profile or --region, or --all-regions) go to a
    /// directory, one ACCOUNT-REGION.json each. Exits 3 when some targets failed.
    Record {
        /// The fixture file to write, or the directory for several targets (files are replaced
        /// atomically; a target that fails leaves its file untouched).
        #[arg(short, long, value_name = "FILE|DIR")]
        output: PathBuf,
        /// Replace account ids and principal names consistently, for sharing.
        #[arg(long)]
        redact: bool,
        /// Every region KMS runs in, for each profile.
        #[arg(long, conflicts_with = "region")]
        all_regions: bool,
    },
}

/// The one value of a flag the TUI takes once (`record` takes several).
pub(super) fn one<'a>(values: &'a [String], flag: &str) -> anyhow::Result<Option<&'a String>> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => anyhow::bail!(
            "--{flag} was given {} times; the app opens one at a time (switch inside it with :{flag} NAME), and only `kms-grants record` takes several",
            values.len()
        ),
    }
}

/// `--audit-log` and `--log-file` name a regular file or nothing yet: a device, a FIFO (whose
/// opening would block start-up), a socket or a directory is refused before anything is done.
pub(super) fn check_output_flags(cli: &Cli) -> anyhow::Result<()> {
    for (flag, path) in [
        ("--audit-log", cli.audit_log.as_deref()),
        ("--log-file", cli.log_file.as_deref()),
    ] {
        if let Some(path) = path {
            crate::atomic::check_output(path).map_err(|err| anyhow::anyhow!("{flag} {err}"))?;
        }
    }
    Ok(())
}

/// `--region` names a region and `--endpoint-url` (or AWS_ENDPOINT_URL) an http or https URL,
/// said in one sentence naming the flag rather than in the SDK's words at the first call. A
/// password in the URL is masked here too.
pub(super) fn check_place_flags(cli: &Cli) -> anyhow::Result<()> {
    use crate::ui::text::clean;
    for region in &cli.region {
        if !crate::region::looks_like_region(region) {
            anyhow::bail!(
                "--region \"{}\" is not an AWS region name: give one like us-east-1 or eu-west-2",
                clean(region)
            );
        }
    }
    // The environment matters only where a live account is reached.
    let offline =
        cli.demo || cli.fixture.is_some() || matches!(cli.command, Some(Command::Check { .. }));
    let env = std::env::var("AWS_ENDPOINT_URL").ok().filter(|_| !offline);
    let given = match (&cli.endpoint_url, &env) {
        (Some(url), _) => Some(("--endpoint-url", url)),
        (None, Some(url)) if !url.is_empty() => Some(("AWS_ENDPOINT_URL", url)),
        _ => None,
    };
    if let Some((name, url)) = given
        && let Err(reason) = crate::places::check_endpoint_url(url)
    {
        anyhow::bail!(
            "{name} {} {reason}",
            clean(&crate::secrets::mask_userinfo(url))
        );
    }
    Ok(())
}

/// Flags first, then the config file; what neither sets, the AWS chain decides.
pub(super) fn live_options(cli: &Cli, config: &Config, read_only: bool) -> LiveOptions {
    let mut principals = cli.retiring_principals.clone();
    for principal in &config.retiring_principals {
        if !principals.contains(principal) {
            principals.push(principal.clone());
        }
    }
    LiveOptions {
        profile: cli
            .profile
            .first()
            .cloned()
            .or_else(|| config.profile.clone()),
        region: cli
            .region
            .first()
            .cloned()
            .or_else(|| config.region.clone()),
        endpoint_url: cli.endpoint_url.clone(),
        read_only,
        retiring_principals: principals,
        operation_timeout: std::time::Duration::from_secs(config.timeout_seconds),
        rate_limits: config.rate_limits,
        ..LiveOptions::default()
    }
}
