//! Command-line flags, subcommands and start-up: everything between `main` and the app.
//!
//! Start-up errors (bad flags, an unreadable fixture or config) end the program here with one
//! sentence on stderr and a non-zero exit code; nothing has touched the terminal by then.

use crate::app::App;
use crate::config::{self, Config};
use crate::domain::Timestamp;
use crate::fixture;
use crate::runtime;
use crate::source::{FixtureKms, KmsSource, SourceKind};
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
    #[arg(long)]
    pub read_only: bool,

    /// Send every write with DryRun=true: KMS checks it and changes nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Read settings from this file instead of the platform config dir.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

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
        anyhow::bail!(
            "no source given: this build reads recorded data only, so run with --demo or --fixture PATH"
        );
    };
    run_tui(source, &config, read_only, dry_run)
}

fn run_tui(
    source: Arc<dyn KmsSource>,
    config: &Config,
    read_only: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    let theme = Theme::new(config.theme, Theme::no_color_from_env());
    let app = App::new(source.info(), read_only, dry_run, Timestamp::now());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(runtime::run(app, source, theme, config.concurrency))
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
