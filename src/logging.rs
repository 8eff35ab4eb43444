//! The log file: what kms-grants did and what went wrong, for the operator and for a bug report.
//!
//! Written with `tracing` to a file in the platform state dir
//! (`~/.local/state/kms-grants/kms-grants.log` on Linux) or at `--log-file`, never to the
//! terminal the app draws on. `RUST_LOG` chooses what is written (default: kms-grants at `info`,
//! everything else at `warn`). Credentials and grant tokens are never written: kms-grants logs
//! no request of its own whole, and the HTTP and signing layers of the SDK, which would at
//! `trace` (headers carry the session token; a RetireGrant body carries the grant token), are
//! held at `debug` whatever `RUST_LOG` asks.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The layers of the SDK that would write requests (headers, bodies) at `trace`.
const HELD_AT_DEBUG: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_smithy_types",
    "aws_sigv4",
    "aws_runtime",
    "aws_sdk_kms",
    "aws_sdk_sts",
    "aws_sdk_sso",
    "aws_sdk_ssooidc",
    "aws_config",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
];

/// The default location, next to the audit log.
pub fn default_path() -> Option<PathBuf> {
    crate::audit::AuditLog::default_path().map(|audit| audit.with_file_name("kms-grants.log"))
}

/// What `RUST_LOG` asks for (the default when it is unset), and a sentence when it could not
/// be understood (then the default applies). Nothing is printed: the terminal belongs to the app.
fn asked(rust_log: Option<&str>) -> (tracing_subscriber::EnvFilter, Option<String>) {
    const DEFAULT: &str = "kms_grants=info,warn";
    let default = || tracing_subscriber::EnvFilter::new(DEFAULT);
    match rust_log.filter(|s| !s.trim().is_empty()) {
        None => (default(), None),
        Some(asked) => match tracing_subscriber::EnvFilter::builder().parse(asked) {
            Ok(filter) => (filter, None),
            Err(err) => (
                default(),
                Some(format!(
                    "RUST_LOG={asked} was not understood ({err}); logging at the default level"
                )),
            ),
        },
    }
}

/// Whether an event may be written whatever `RUST_LOG` says: not a `trace` event of the layers
/// that write requests.
fn allowed(metadata: &tracing::Metadata<'_>) -> bool {
    *metadata.level() != tracing::Level::TRACE
        || !HELD_AT_DEBUG.iter().any(|held| {
            metadata.target() == *held || metadata.target().starts_with(&format!("{held}::"))
        })
}

/// Why there is no log file: each sentence names the path or what to pass instead.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("this platform has no state directory; pass --log-file PATH")]
    NoStateDir,
    #[error("cannot write the log {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
    #[error("cannot create {}: {reason}", dir.display())]
    CreateDir { dir: PathBuf, reason: String },
    #[error("cannot start logging: {0}")]
    Start(String),
}

/// Starts logging to `path` (created with mode 0600, appended to). Returns the path and a
/// warning for the app's status line (a `RUST_LOG` it could not understand), or why there is no
/// log; either way nothing is ever written to the terminal.
pub fn init(path: Option<&Path>) -> Result<(PathBuf, Option<String>), LogError> {
    use tracing_subscriber::Layer;
    use tracing_subscriber::filter::FilterExt;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let path = path
        .map(Path::to_path_buf)
        .or_else(default_path)
        .ok_or(LogError::NoStateDir)?;
    // A FIFO would block start-up until read; a device or a directory is no log.
    crate::atomic::check_output(&path).map_err(|err| LogError::Write {
        path: path.clone(),
        reason: err.reason(),
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|err| LogError::CreateDir {
            dir: dir.to_path_buf(),
            reason: crate::io_reason::io_reason(&err),
        })?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path).map_err(|err| LogError::Write {
        path: path.clone(),
        reason: crate::io_reason::io_reason(&err),
    })?;
    // A file that existed before keeps no wider mode than a new one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    let rust_log = std::env::var("RUST_LOG").ok();
    let (filter, warning) = asked(rust_log.as_deref());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(Scrubbed(Mutex::new(file)))
        .with_ansi(false)
        .with_filter(filter.and(tracing_subscriber::filter::filter_fn(allowed)));
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .map_err(|err| LogError::Start(err.to_string()))?;
    Ok((path, warning))
}

/// The log's writer: every event is scrubbed of secrets ([`crate::secrets::scrub`]: an
/// endpoint's password, access key ids, which the SDK prints at `debug`) before it is written.
struct Scrubbed(Mutex<std::fs::File>);

/// One event being formatted: kept until it is whole, then scrubbed and written at once.
struct ScrubbedEvent<'a> {
    file: &'a Mutex<std::fs::File>,
    text: Vec<u8>,
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Scrubbed {
    type Writer = ScrubbedEvent<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedEvent {
            file: &self.0,
            text: Vec::new(),
        }
    }
}

impl std::io::Write for ScrubbedEvent<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.text);
        let scrubbed = crate::secrets::scrub(&text);
        let result = match self.file.lock() {
            Ok(mut file) => file.write_all(scrubbed.as_bytes()),
            Err(poisoned) => poisoned.into_inner().write_all(scrubbed.as_bytes()),
        };
        self.text.clear();
        result
    }
}

impl Drop for ScrubbedEvent<'_> {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_log_is_made_for_its_owner_only_and_a_bad_path_is_a_sentence() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deeper").join("kms-grants.log");
        // Whether this process already logs elsewhere or not, the file is made first.
        let _ = init(Some(&path));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let err = init(Some(Path::new("/dev/null/kms-grants.log"))).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot create /dev/null: "),
            "{err}"
        );
    }

    #[test]
    fn the_request_writing_layers_never_write_at_trace() {
        let event = |level, target| {
            // Metadata of a made-up event, as tracing builds it for a callsite.
            struct Callsite;
            impl tracing::callsite::Callsite for Callsite {
                fn set_interest(&self, _: tracing::subscriber::Interest) {}
                fn metadata(&self) -> &tracing::Metadata<'_> {
                    unreachable!()
                }
            }
            static CALLSITE: Callsite = Callsite;
            tracing::Metadata::new(
                "event",
                target,
                level,
                None,
                None,
                None,
                tracing::field::FieldSet::new(&[], tracing::callsite::Identifier(&CALLSITE)),
                tracing::metadata::Kind::EVENT,
            )
        };
        use tracing::Level;
        assert!(!allowed(&event(Level::TRACE, "aws_sigv4")));
        assert!(!allowed(&event(
            Level::TRACE,
            "aws_smithy_runtime::client::orchestrator"
        )));
        assert!(allowed(&event(Level::DEBUG, "aws_sigv4")));
        assert!(allowed(&event(Level::TRACE, "kms_grants::runtime")));
        assert!(
            allowed(&event(Level::TRACE, "hyperion")),
            "only those layers"
        );
    }

    #[test]
    fn a_rust_log_that_cannot_be_understood_is_said_not_printed() {
        let (_, warning) = asked(Some("kms_grants=bogus"));
        let warning = warning.unwrap();
        assert!(
            warning.starts_with("RUST_LOG=kms_grants=bogus was not understood ("),
            "{warning}"
        );
        assert!(asked(Some("TRACE")).1.is_none());
        assert!(asked(None).1.is_none());
    }
}
