//! Command-line flags, subcommands and start-up: everything between `main` and the app.
//!
//! Start-up errors (bad flags, an unreadable fixture or config) end the program here with one
//! sentence on stderr and a non-zero exit code; nothing has touched the terminal by then.

use crate::app::App;
use crate::audit::{AuditError, AuditLog};
use crate::config::{self, Config};
use crate::domain::Timestamp;
use crate::fixture;
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

    /// Open a recorded fixture file instead of a live account.
    #[arg(long, value_name = "PATH")]
    pub fixture: Option<PathBuf>,

    /// Refuse every retire and revoke (the source refuses them too, not only the UI).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Send every write with DryRun=true: KMS checks it and changes nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Read settings from this file instead of the platform config dir.
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// The AWS profile (default: AWS_PROFILE, the config file, then the default chain).
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// The AWS region (default: AWS_REGION, the profile's region, the config file).
    #[arg(long, value_name = "NAME", global = true)]
    pub region: Option<String>,

    /// Send KMS and STS calls to this endpoint, e.g. a local KMS-compatible server
    /// (default: AWS_ENDPOINT_URL, the profile's endpoint_url, AWS's own).
    #[arg(long, value_name = "URL", global = true)]
    pub endpoint_url: Option<String>,

    /// Where every retire, revoke and restore is recorded, one JSON line before and one after
    /// (default: ~/.local/state/kms-grants/audit.jsonl on Linux).
    #[arg(long, value_name = "PATH", global = true)]
    pub audit_log: Option<PathBuf>,

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
        /// Do not ask before creating the grant.
        #[arg(long)]
        yes: bool,
    },
    /// Record a live account and region into a fixture file (progress on stderr).
    Record {
        /// The fixture file to write (replaced atomically; untouched if recording fails).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace account ids and principal names consistently, for sharing.
        #[arg(long)]
        redact: bool,
    },
}

/// Parses the process arguments and runs; the exit code says how it went.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kms-grants: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Check { file }) = &cli.command {
        return check(file);
    }
    let (config, _) = config::load(cli.config.as_deref())?;
    let read_only = cli.read_only || config.read_only;
    let dry_run = cli.dry_run || config.dry_run;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if let Some(Command::Record { output, redact }) = &cli.command {
        return runtime.block_on(record_to(&cli, &config, output, *redact));
    }
    if let Some(Command::Restore { grant_id, yes }) = &cli.command {
        return runtime.block_on(restore(&cli, &config, grant_id, *yes));
    }
    let source: Arc<dyn KmsSource> = if cli.demo {
        let snapshot = fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("<built-in demo>"))?;
        Arc::new(FixtureKms::new(snapshot, SourceKind::Demo, read_only))
    } else if let Some(path) = &cli.fixture {
        let snapshot = fixture::load(path)?;
        Arc::new(FixtureKms::new(
            snapshot,
            SourceKind::Fixture(path.display().to_string()),
            read_only,
        ))
    } else {
        let options = live_options(&cli, &config, read_only);
        Arc::new(runtime.block_on(LiveKms::connect(&options))?)
    };
    let theme = Theme::new(config.theme, Theme::no_color_from_env());
    let mut app = App::new(source.info(), read_only, dry_run, Timestamp::now());
    app.stale_after_days = config.stale_after_days;
    let audit = open_audit(cli.audit_log.as_deref(), read_only);
    app.audit_log = Some(audit_description(&audit));
    let executor = Arc::new(Executor { source, audit });
    runtime.block_on(runtime::run(app, executor, theme, config.concurrency))
}

/// Opens the audit log (`--audit-log`, else the platform state dir). A read-only session sends
/// no write, so it does not need one.
fn open_audit(path: Option<&Path>, read_only: bool) -> Audit {
    let path = path.map(Path::to_path_buf).or_else(AuditLog::default_path);
    match (path, read_only) {
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
        profile: cli.profile.clone().or_else(|| config.profile.clone()),
        region: cli.region.clone().or_else(|| config.region.clone()),
        endpoint_url: cli.endpoint_url.clone(),
        read_only,
        retiring_principals: principals,
        operation_timeout: std::time::Duration::from_secs(config.timeout_seconds),
        rate_limits: config.rate_limits,
        ..LiveOptions::default()
    }
}

/// `kms-grants restore --grant-id ID [--yes]`.
async fn restore(cli: &Cli, config: &Config, grant_id: &str, yes: bool) -> anyhow::Result<()> {
    if cli.demo || cli.fixture.is_some() {
        anyhow::bail!("restore recreates grants in a live account; drop --demo/--fixture");
    }
    if cli.read_only || config.read_only {
        anyhow::bail!("the session is read-only, so kms:CreateGrant was not sent");
    }
    let path = cli
        .audit_log
        .clone()
        .or_else(AuditLog::default_path)
        .ok_or_else(|| {
            anyhow::anyhow!("this platform has no state directory; pass --audit-log PATH")
        })?;
    let records = crate::audit::read(&path).map_err(anyhow::Error::msg)?;
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
    let Some(deleted) = crate::audit::find_deletion(&records, grant_id) else {
        anyhow::bail!(
            "{} has no successful retire or revoke of grant {grant_id}, so there is nothing to restore",
            path.display()
        );
    };
    let Some(grant) = deleted.grant.clone() else {
        anyhow::bail!("the audit record of grant {grant_id} does not hold the grant");
    };
    println!("{} of {} at {}:", deleted.action, grant_id, deleted.time);
    println!("  key                {}", deleted.key);
    println!(
        "  name               {}",
        grant.name.as_deref().unwrap_or("—")
    );
    println!("  grantee            {}", grant.grantee().unwrap_or("—"));
    println!("  retiring principal {}", grant.retiree().unwrap_or("—"));
    println!("  operations         {}", grant.operations_full());
    let constraints = grant.constraints_summary();
    println!(
        "  constraints        {}",
        if constraints.is_empty() {
            "—"
        } else {
            &constraints
        }
    );
    if cli.dry_run || config.dry_run {
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
    let options = live_options(cli, config, false);
    let live = LiveKms::connect(&options).await?;
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
    let source: Arc<dyn KmsSource> = Arc::new(live);
    let audit = match AuditLog::open(&path) {
        Ok(log) => Audit::Log(Arc::new(log)),
        Err(err) => Audit::Unavailable(err),
    };
    let executor = Executor { source, audit };
    let new_id = executor.restore(&grant, &deleted.key).await?;
    println!("restored grant {grant_id} as new grant {new_id}");
    Ok(())
}

/// `kms-grants record -o FILE`.
async fn record_to(cli: &Cli, config: &Config, output: &Path, redact: bool) -> anyhow::Result<()> {
    // Recording only reads: the source is read-only whatever the flags say.
    let options = live_options(cli, config, true);
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
    let snapshot = fixture::load(file)?;
    println!(
        "{}: valid kms-grants fixture (version {})",
        file.display(),
        fixture::VERSION
    );
    if let Some(account) = &snapshot.account {
        println!("account:              {account}");
    }
    if let Some(region) = &snapshot.region {
        println!("region:               {region}");
    }
    if let Some(at) = snapshot.recorded_at {
        println!("recorded at:          {at}");
    }
    println!("{}", snapshot.summary());
    Ok(())
}
