//! Command-line flags, subcommands and start-up: everything between `main` and the app.
//!
//! Start-up errors (bad flags, an unreadable fixture or config) end the program here with one
//! sentence on stderr and a non-zero exit code; nothing has touched the terminal by then.

use crate::app::{App, AppOptions};
use crate::audit::{AuditError, AuditLog};
use crate::config::{self, Config};
use crate::connect::{Connector, FixtureDir};
use crate::domain::Timestamp;
use crate::fixture;
use crate::places::{Places, Target, WriteFlags, effective_profile};
use crate::record;
use crate::runtime::{self, Audit, Executor};
use crate::source::{FixtureKms, KmsSource, LiveKms, LiveOptions, SourceKind};
use crate::ui::theme::Theme;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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

/// Parses the process arguments and runs; the exit code says how it went: 0, 1 for an error,
/// 2 for bad flags (clap), 3 when `record` recorded some targets and not others.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // An error can quote a fixture, an audit record or AWS: nothing in it may reach the
            // terminal raw.
            eprintln!(
                "kms-grants: {}",
                crate::ui::text::clean(&crate::secrets::scrub(&format!("{err:#}")))
            );
            if err.downcast_ref::<SomeFailed>().is_some() {
                ExitCode::from(3)
            } else if let Some(stopped) = err.downcast_ref::<runtime::Stopped>() {
                ExitCode::from(stopped.exit_code())
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Some targets of a multi-target `record` failed (exit code 3); the others were written.
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} targets failed; the others were recorded")]
pub struct SomeFailed {
    pub failed: usize,
    pub total: usize,
}

/// The one value of a flag the TUI takes once (`record` takes several).
fn one<'a>(values: &'a [String], flag: &str) -> anyhow::Result<Option<&'a String>> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => anyhow::bail!(
            "--{flag} was given {} times; the app opens one at a time (switch inside it with :{flag} NAME), and only `kms-grants record` takes several",
            values.len()
        ),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    check_output_flags(&cli)?;
    check_place_flags(&cli)?;
    if let Some(Command::Check { file }) = &cli.command {
        return check(file);
    }
    let (config, _) = config::load(cli.config.as_deref())?;
    let log = crate::logging::init(cli.log_file.as_deref());
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        command = match &cli.command {
            None => "app",
            Some(Command::Record { .. }) => "record",
            Some(Command::Restore { .. }) => "restore",
            Some(Command::Check { .. }) => "check",
        },
        "start"
    );
    let flags = WriteFlags {
        read_only: cli.read_only,
        allow_writes: cli.allow_writes,
        config_read_only: config.read_only,
    };
    let dry_run = cli.dry_run || config.dry_run;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if let Some(Command::Record {
        output,
        redact,
        all_regions,
    }) = &cli.command
    {
        return runtime.block_on(record_cmd(&cli, &config, output, *redact, *all_regions));
    }
    if let Some(Command::Restore { grant_id, key, yes }) = &cli.command {
        return runtime.block_on(restore(
            &cli,
            &config,
            flags,
            grant_id,
            key.as_deref(),
            *yes,
        ));
    }
    let session = open_session(&cli, &config, flags, &runtime)?;
    let theme = Theme::new(config.theme, Theme::no_color_from_env());
    // A session may reach an account that allows writes by switching, unless no account can.
    let never_writes = Places::default().read_only(None, flags);
    let audit = open_audit(cli.audit_log.as_deref(), never_writes);
    // Everything worth saying at start, in one line.
    let warnings: Vec<String> = [
        session.warning,
        match &log {
            Ok((_, warning)) => warning.clone(),
            Err(reason) => Some(format!("no log file: {reason}")),
        },
    ]
    .into_iter()
    .flatten()
    .collect();
    let app = App::new(AppOptions {
        read_only: session.read_only,
        dry_run,
        stale_after_days: config.stale_after_days,
        confirm_delay: std::time::Duration::from_millis(config.confirm_delay_ms),
        places: session.places,
        // A directory's snapshot is known by the name it was opened under, so `:region` stays
        // on that account.
        target: session.target,
        audit_log: Some(audit_description(&audit)),
        warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
        ..AppOptions::new(session.source.info(), Timestamp::now())
    });
    let info = session.source.info();
    tracing::info!(
        source = %info.kind,
        profile = info.profile.as_deref().unwrap_or("-"),
        region = info.region.as_deref().unwrap_or("-"),
        read_only = app.session.read_only,
        dry_run = app.session.dry_run,
        "session"
    );
    let executor = Arc::new(Executor {
        source: session.source,
        audit,
    });
    runtime.block_on(runtime::run(
        app,
        executor,
        Arc::new(session.connector),
        theme,
        config.concurrency,
        log.ok().map(|(path, _)| path),
    ))
}

/// `--audit-log` and `--log-file` name a regular file or nothing yet: a device, a FIFO (whose
/// opening would block start-up), a socket or a directory is refused before anything is done.
fn check_output_flags(cli: &Cli) -> anyhow::Result<()> {
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
fn check_place_flags(cli: &Cli) -> anyhow::Result<()> {
    use crate::ui::text::clean;
    for region in &cli.region {
        if !crate::places::looks_like_region(region) {
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

/// What the app opens on: the first source, how to switch from it, and what to say.
struct Session {
    source: Arc<dyn KmsSource>,
    connector: Connector,
    places: Places,
    /// Why the first source refuses writes, when it does.
    read_only: Option<String>,
    /// Where it points, when that is not what the source says (a fixture directory's name).
    target: Option<Target>,
    /// A problem worth a warning at start (AWS files that cannot be read).
    warning: Option<String>,
}

/// Opens the demo, a fixture file, a fixture directory or a live account, as the flags say.
fn open_session(
    cli: &Cli,
    config: &Config,
    flags: WriteFlags,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<Session> {
    let profile = one(&cli.profile, "profile")?;
    let region = one(&cli.region, "region")?;
    // Over one snapshot only the flags and the config's global setting decide.
    let session_reason = Places::default().read_only_reason(None, flags);
    if cli.demo {
        let snapshot = fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("<built-in demo>"))?;
        return Ok(Session {
            source: Arc::new(FixtureKms::new(
                snapshot,
                SourceKind::Demo,
                session_reason.is_some(),
            )),
            connector: Connector::Fixed,
            places: Places::fixed(
                "the demo is one account and region; there is nothing to switch to",
            ),
            read_only: session_reason,
            target: None,
            warning: None,
        });
    }
    if let Some(path) = &cli.fixture {
        if path.is_dir() {
            let dir = FixtureDir::open(path)?;
            let places = dir.places(&config.accounts);
            let connector = Connector::Fixtures {
                dir,
                places: places.clone(),
                flags,
            };
            let target = Target {
                profile: profile.or(config.profile.as_ref()).cloned(),
                region: region.or(config.region.as_ref()).cloned(),
            };
            let connected = runtime
                .block_on(connector.connect(&target))
                .map_err(anyhow::Error::msg)?;
            return Ok(Session {
                source: connected.source,
                connector,
                places,
                read_only: connected.read_only,
                target: Some(connected.target),
                warning: None,
            });
        }
        let snapshot = fixture::load(path)?;
        return Ok(Session {
            source: Arc::new(FixtureKms::new(
                snapshot,
                SourceKind::Fixture(path.display().to_string()),
                session_reason.is_some(),
            )),
            connector: Connector::Fixed,
            places: Places::fixed(
                "this session shows one fixture file; open a directory of them (kms-grants record -o DIR) to switch accounts and regions",
            ),
            read_only: session_reason,
            target: None,
            warning: None,
        });
    }
    let mut options = live_options(cli, config, false);
    let (places, warning) =
        match runtime.block_on(Places::load(&options.profile_files, &config.accounts)) {
            Ok(places) => (places, None),
            Err(err) => (
                Places::from_profiles([], &config.accounts),
                Some(format!("{err}; :profile and P have no profiles to offer")),
            ),
        };
    resolve_account(&mut options, &places);
    let read_only =
        places.read_only_reason(Some(&effective_profile(options.profile.as_deref())), flags);
    options.read_only = read_only.is_some();
    let live = runtime.block_on(LiveKms::connect(&options))?;
    Ok(Session {
        source: Arc::new(live),
        connector: Connector::Live {
            options: Box::new(options),
            places: places.clone(),
            flags,
        },
        places,
        read_only,
        target: None,
        warning,
    })
}

/// `--profile NAME` may name a config `[[accounts]]` entry, as `:profile` may: the entry's
/// profile, in its first region when neither the flags nor the profile give one.
fn resolve_account(options: &mut LiveOptions, places: &Places) {
    let Some(profile) = options
        .profile
        .as_deref()
        .and_then(|name| places.profile(name))
    else {
        return;
    };
    if options.region.is_none() && profile.region.is_none() {
        options.region = profile.regions.first().cloned();
    }
    options.profile = Some(profile.name.clone());
}

/// Opens the audit log (`--audit-log`, else the platform state dir). A session that can never
/// write sends no write, so it does not need one.
fn open_audit(path: Option<&Path>, never_writes: bool) -> Audit {
    let path = path.map(Path::to_path_buf).or_else(AuditLog::default_path);
    match (path, never_writes) {
        (_, true) => Audit::Unavailable(AuditError {
            path: "(none)".to_owned(),
            reason: "the session is read-only".to_owned(),
        }),
        (None, false) => Audit::Unavailable(AuditError {
            path: "(none)".to_owned(),
            reason: "this platform has no state directory; pass --audit-log PATH".to_owned(),
        }),
        (Some(path), false) => match AuditLog::open(&path) {
            Ok(log) => Audit::Log(Arc::new(log)),
            Err(err) => Audit::Unavailable(err),
        },
    }
}

/// What the help view says about the audit log.
fn audit_description(audit: &Audit) -> Result<String, String> {
    match audit {
        Audit::Log(log) => Ok(log.path().display().to_string()),
        Audit::Unavailable(err) => Err(err.to_string()),
    }
}

/// Flags first, then the config file; what neither sets, the AWS chain decides.
fn live_options(cli: &Cli, config: &Config, read_only: bool) -> LiveOptions {
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

/// `kms-grants restore --grant-id ID [--key KEY] [--yes]`. A dry run makes every check a real
/// run makes (account, region, endpoint, an earlier restore) and says what it would create.
async fn restore(
    cli: &Cli,
    config: &Config,
    flags: WriteFlags,
    grant_id: &str,
    key: Option<&str>,
    yes: bool,
) -> anyhow::Result<()> {
    if cli.demo || cli.fixture.is_some() {
        anyhow::bail!("restore recreates grants in a live account; drop --demo/--fixture");
    }
    one(&cli.profile, "profile")?;
    one(&cli.region, "region")?;
    let dry_run = cli.dry_run || config.dry_run;
    let profile = cli.profile.first().or(config.profile.as_ref());
    let places = Places::from_profiles([], &config.accounts);
    if let Some(reason) =
        places.read_only_reason(Some(&effective_profile(profile.map(String::as_str))), flags)
    {
        anyhow::bail!("the session is read-only ({reason}), so kms:CreateGrant was not sent");
    }
    let path = cli
        .audit_log
        .clone()
        .or_else(AuditLog::default_path)
        .ok_or_else(|| {
            anyhow::anyhow!("this platform has no state directory; pass --audit-log PATH")
        })?;
    // The audit log holds what AWS said: shown with nothing in it able to drive the terminal.
    let clean = crate::ui::text::clean;
    let read = crate::audit::read_all(&path).map_err(anyhow::Error::msg)?;
    if let Some(warning) = &read.skipped {
        eprintln!("kms-grants: warning: {}", clean(warning));
    }
    let records = read.records;
    if let Some(memory_only) = records.iter().rev().find(|r| {
        r.is_deletion()
            && r.source != "live"
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    }) && crate::audit::find_deletion(&records, grant_id).is_none()
    {
        anyhow::bail!(
            "grant {grant_id} was deleted in a {} session, which changed only memory: there is nothing to restore",
            memory_only.source
        );
    }
    let deletions = crate::audit::find_deletions(&records, grant_id);
    if deletions.is_empty() {
        anyhow::bail!(
            "{} has no successful retire or revoke of grant {grant_id}, so there is nothing to restore",
            path.display()
        );
    }
    let mut options = live_options(cli, config, false);
    resolve_account(&mut options, &places);
    let live = LiveKms::connect(&options).await?;
    let deleted = choose_deletion(&deletions, key, &live, grant_id).await?;
    let Some(grant) = deleted.grant.clone() else {
        anyhow::bail!("the audit record of grant {grant_id} does not hold the grant");
    };
    let name = crate::audit::restore_name(&grant);
    println!(
        "{} of {} at {}:",
        clean(&deleted.action),
        clean(grant_id),
        clean(&deleted.time)
    );
    println!("  key                {}", clean(&deleted.key));
    match grant.name.as_deref().filter(|n| !n.is_empty()) {
        Some(original) => println!("  name               {}", clean(original)),
        None => println!(
            "  name               — (sent as {}, so that a repeated CreateGrant gives back the same grant)",
            clean(&name)
        ),
    }
    println!(
        "  grantee            {}",
        clean(grant.grantee().unwrap_or("—"))
    );
    println!(
        "  retiring principal {}",
        clean(grant.retiree().unwrap_or("—"))
    );
    println!("  operations         {}", clean(&grant.operations_full()));
    let constraints = grant.constraints_summary();
    println!(
        "  constraints        {}",
        if constraints.is_empty() {
            "—".into()
        } else {
            clean(&constraints)
        }
    );
    // The grant goes back where it was deleted, not wherever these flags point.
    let info = live.info();
    let endpoint = match &info.kind {
        crate::source::SourceKind::Live { endpoint, .. } => endpoint.clone(),
        _ => None,
    };
    if deleted.region.is_some() && deleted.region != info.region {
        anyhow::bail!(
            "grant {grant_id} was deleted in region {}, but this restore points at {}; pass --region {}",
            deleted.region.as_deref().unwrap_or("?"),
            info.region.as_deref().unwrap_or("no region"),
            deleted.region.as_deref().unwrap_or("?")
        );
    }
    if deleted.endpoint != endpoint {
        anyhow::bail!(
            "grant {grant_id} was deleted through endpoint {}, but this restore points at {}",
            deleted.endpoint.as_deref().unwrap_or("AWS's own"),
            endpoint.as_deref().unwrap_or("AWS's own")
        );
    }
    if let (Some(account), Ok(Some(caller))) = (&deleted.account, live.caller().await)
        && !caller.account.is_empty()
        && &caller.account != account
    {
        anyhow::bail!(
            "grant {grant_id} was deleted in account {account}, but these credentials are for account {}",
            caller.account
        );
    }
    if let Some(refusal) = crate::audit::restore_refusal(&records, grant_id) {
        anyhow::bail!(refusal);
    }
    if dry_run {
        println!(
            "would create a grant named {} on key {} like the one above",
            clean(&name),
            clean(&deleted.key)
        );
        println!("dry run: kms:CreateGrant was not sent; nothing was created");
        return Ok(());
    }
    if !yes {
        use std::io::{BufRead, Write};
        print!("Recreate this grant with kms:CreateGrant? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            anyhow::bail!("restore cancelled: nothing was created");
        }
    }
    let source: Arc<dyn KmsSource> = Arc::new(live);
    let audit = match AuditLog::open(&path) {
        Ok(log) => Audit::Log(Arc::new(log)),
        Err(err) => Audit::Unavailable(err),
    };
    let executor = Executor { source, audit };
    let (result, unrecorded) = executor.restore(&grant, &deleted.key).await;
    if let Ok(restored) = &result {
        if let Some(lost) = restored.lost {
            println!(
                "the answer to kms:CreateGrant was lost ({lost}); listing the key shows grant {} named {}",
                clean(&restored.grant_id),
                clean(&restored.name)
            );
        }
        println!(
            "restored grant {} as new grant {}",
            clean(grant_id),
            clean(&restored.grant_id)
        );
    }
    match (result, unrecorded) {
        (Err(err @ crate::source::SourceError::Audit(_)), _) | (Err(err), None) => Err(err.into()),
        (result, Some(err)) => Err(anyhow::anyhow!(err.not_recorded(
            &runtime::restore_happened(&format!("grant {grant_id}"), &result)
        ))),
        (Ok(_), None) => Ok(()),
    }
}

/// The deletion a restore recreates: the only one, or the one on `--key` (an id, ARN or
/// alias) when the grant id was deleted on several keys.
async fn choose_deletion<'a>(
    deletions: &[&'a crate::audit::AuditRecord],
    key: Option<&str>,
    live: &LiveKms,
    grant_id: &str,
) -> anyhow::Result<&'a crate::audit::AuditRecord> {
    let keys = || {
        deletions
            .iter()
            .map(|r| crate::ui::text::clean(&r.key).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(wanted) = key else {
        return match deletions {
            [only] => Ok(only),
            _ => anyhow::bail!(
                "grant {grant_id} was deleted on {} keys ({}); pass --key KEY (its id, ARN or alias) to say which one to restore",
                deletions.len(),
                keys()
            ),
        };
    };
    // An alias names a key only through KMS.
    let arn = if wanted.starts_with("alias/") || wanted.contains(":alias/") {
        live.describe_key(wanted)
            .await
            .map_err(|e| anyhow::anyhow!("cannot find the key of {wanted}: {e}"))?
            .arn
    } else {
        wanted.to_owned()
    };
    let id = crate::domain::key_id_of(&arn);
    deletions
        .iter()
        .find(|r| {
            r.key == arn
                || crate::domain::key_id_of(&r.key) == id
                || r.grant
                    .as_ref()
                    .is_some_and(|g| crate::domain::key_id_of(&g.key_id) == id)
        })
        .copied()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the audit log has no deletion of grant {grant_id} on key {wanted}; it was deleted on {}",
                keys()
            )
        })
}

/// `kms-grants record`: one target into a file, several into a directory.
async fn record_cmd(
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
            fixture::io_reason(&err)
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
            crate::places::KMS_REGIONS
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
            fixture::io_reason(&err)
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

/// `kms-grants check FILE`.
fn check(file: &Path) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let snapshot = fixture::load(file)?;
    let mut text = format!(
        "{}: valid kms-grants fixture (version {})\n",
        file.display(),
        fixture::VERSION
    );
    if let Some(account) = &snapshot.account {
        let _ = writeln!(text, "account:              {account}");
    }
    if let Some(region) = &snapshot.region {
        let _ = writeln!(text, "region:               {region}");
    }
    if let Some(at) = snapshot.recorded_at {
        let _ = writeln!(text, "recorded at:          {at}");
    }
    let _ = writeln!(text, "{}", snapshot.summary());
    // A reader that stops early (`| head -1`) is no error, and no panic.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    fn session(args: &[&str], config: &Config) -> Session {
        let cli = Cli::parse_from([&["kms-grants"], args].concat());
        let flags = WriteFlags {
            read_only: cli.read_only,
            allow_writes: cli.allow_writes,
            config_read_only: config.read_only,
        };
        open_session(&cli, config, flags, &runtime()).unwrap()
    }

    #[test]
    fn a_fixture_directory_opens_on_the_name_it_was_recorded_under() {
        let dir = tempfile::tempdir().unwrap();
        let mut snapshot =
            fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
        snapshot.profile = Some("alpha".to_owned());
        record::save(&snapshot, &dir.path().join("a.json")).unwrap();
        let opened = session(
            &["--fixture", dir.path().to_str().unwrap()],
            &Config::default(),
        );
        assert_eq!(
            opened.target,
            Some(Target {
                profile: Some("alpha".to_owned()),
                region: Some("us-east-2".to_owned()),
            })
        );
    }

    #[test]
    fn a_live_session_takes_account_names_and_the_chains_profiles_mark() {
        // Whatever profile the chain would use here (AWS_PROFILE, else `default`) is marked.
        let implicit = crate::places::effective_profile(None);
        let config = Config {
            accounts: vec![
                config::Account {
                    name: "kms-grants-test-prod".into(),
                    profile: "kms-grants-test-prod-admin".into(),
                    regions: vec!["eu-west-1".into()],
                    read_only: false,
                },
                config::Account {
                    name: "main".into(),
                    profile: implicit.clone(),
                    regions: Vec::new(),
                    read_only: true,
                },
            ],
            ..Config::default()
        };
        // Nothing is sent while opening: the endpoint need not answer.
        let endpoint = ["--endpoint-url", "http://127.0.0.1:9"];
        let opened = session(
            &[&endpoint[..], &["--profile", "kms-grants-test-prod"]].concat(),
            &config,
        );
        assert_eq!(
            opened.source.info().profile.as_deref(),
            Some("kms-grants-test-prod-admin")
        );
        assert_eq!(opened.source.info().region.as_deref(), Some("eu-west-1"));
        assert_eq!(opened.read_only, None);
        let opened = session(
            &[&endpoint[..], &["--region", "us-east-1"]].concat(),
            &config,
        );
        assert_eq!(
            opened.read_only.as_deref(),
            Some("account main is read_only in the config; --allow-writes lifts it")
        );
        assert!(opened.source.is_read_only());
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
        assert_eq!(all.len(), crate::places::KMS_REGIONS.len());
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
