//! Opening the app (no subcommand): the session it starts on (the demo, a fixture file or
//! directory, or a live account), its audit log, and the app built over them, handed to the
//! runtime.
//!
//! Nothing here draws or reads keys: the runtime does, once this has built the app.

use super::args::{Cli, live_options, one};
use crate::app::{App, AppOptions};
use crate::audit::{AuditError, AuditLog};
use crate::config::Config;
use crate::connect::{Connector, FixtureDir};
use crate::domain::Timestamp;
use crate::fixture;
use crate::places::{Places, Target, WriteFlags, effective_profile};
use crate::runtime::{self, Executor};
use crate::source::{FixtureKms, KmsSource, LiveKms, LiveOptions, SourceKind};
use crate::ui::theme::Theme;
use crate::writer::Audit;
use std::path::Path;
use std::sync::Arc;

/// Opens the session the flags name, builds the app over it, and runs it until it quits.
/// `log` is where the log file went and what to say about it (the log file it could not
/// open, or where it could not go).
pub(super) fn run_app(
    cli: &Cli,
    config: &Config,
    flags: WriteFlags,
    dry_run: bool,
    runtime: &tokio::runtime::Runtime,
    log: (Option<std::path::PathBuf>, Option<String>),
) -> anyhow::Result<()> {
    let (log_path, log_warning) = log;
    let session = open_session(cli, config, flags, runtime)?;
    let theme = Theme::new(config.theme, Theme::no_color_from_env());
    // A session may reach an account that allows writes by switching, unless no account can.
    let never_writes = Places::default().read_only(None, flags);
    let audit = open_audit(cli.audit_log.as_deref(), never_writes);
    // Everything worth saying at start, in one line.
    let warnings: Vec<String> = [session.warning, log_warning]
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
        log_path,
    ))
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
pub(super) fn resolve_account(options: &mut LiveOptions, places: &Places) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Cli;
    use crate::config;
    use clap::Parser;

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
        crate::record::save(&snapshot, &dir.path().join("a.json")).unwrap();
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
}
