//! Command-line flags, subcommands and start-up: everything between `main` and the app.
//!
//! Start-up errors (bad flags, an unreadable fixture or config) end the program here with one
//! sentence on stderr and a non-zero exit code; nothing has touched the terminal by then. The
//! flags are in `args`; each subcommand has a file of its own, and opening the app (no
//! subcommand) is in `session`.

mod args;
mod check;
mod record;
mod restore;
mod session;

pub use args::{Cli, Command};

use crate::config;
use crate::places::WriteFlags;
use crate::runtime;
use clap::Parser;
use std::process::ExitCode;

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

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    args::check_output_flags(&cli)?;
    args::check_place_flags(&cli)?;
    if let Some(Command::Check { file }) = &cli.command {
        return check::check(file);
    }
    let (config, _) = config::load(cli.config.as_deref())?;
    let log = match crate::logging::init(cli.log_file.as_deref()) {
        Ok((path, warning)) => (Some(path), warning),
        Err(reason) => (None, Some(format!("no log file: {reason}"))),
    };
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
        return runtime.block_on(record::record_cmd(
            &cli,
            &config,
            output,
            *redact,
            *all_regions,
        ));
    }
    if let Some(Command::Restore { grant_id, key, yes }) = &cli.command {
        return runtime.block_on(restore::restore(
            &cli,
            &config,
            flags,
            grant_id,
            key.as_deref(),
            *yes,
        ));
    }
    session::run_app(&cli, &config, flags, dry_run, &runtime, log)
}
