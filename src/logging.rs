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

/// What `RUST_LOG` asks for, with the request-writing layers held at `debug`.
fn filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    let asked = rust_log
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("kms_grants=info,warn");
    let held: Vec<String> = HELD_AT_DEBUG
        .iter()
        .map(|target| format!("{target}=debug"))
        .collect();
    // An explicit `target=trace` for one of them is replaced, not just outranked.
    let kept: Vec<&str> = asked
        .split(',')
        .filter(|directive| {
            !HELD_AT_DEBUG
                .iter()
                .any(|target| directive.trim_start().starts_with(target))
        })
        .collect();
    let mut directives = kept.join(",");
    // Only `trace` writes requests: anything less is left as asked.
    let held = if asked.contains("trace") {
        held
    } else {
        Vec::new()
    };
    for directive in held {
        if !directives.is_empty() {
            directives.push(',');
        }
        directives.push_str(&directive);
    }
    tracing_subscriber::EnvFilter::builder().parse_lossy(directives)
}

/// Starts logging to `path` (created with mode 0600, appended to). Returns the path, or why
/// there is no log; either way nothing is ever written to the terminal.
pub fn init(path: Option<&Path>) -> Result<PathBuf, String> {
    let path = path
        .map(Path::to_path_buf)
        .or_else(default_path)
        .ok_or_else(|| "this platform has no state directory; pass --log-file PATH".to_owned())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|err| {
            format!(
                "cannot create {}: {}",
                dir.display(),
                crate::fixture::io_reason(&err)
            )
        })?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path).map_err(|err| {
        format!(
            "cannot write the log {}: {}",
            path.display(),
            crate::fixture::io_reason(&err)
        )
    })?;
    let rust_log = std::env::var("RUST_LOG").ok();
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter(rust_log.as_deref()))
        .try_init()
        .map_err(|err| format!("cannot start logging: {err}"))?;
    Ok(path)
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
        assert!(err.starts_with("cannot create /dev/null: "), "{err}");
    }

    #[test]
    fn the_request_writing_layers_never_go_below_debug() {
        let shown = filter(Some("trace,aws_sigv4=trace")).to_string();
        assert!(shown.contains("aws_sigv4=debug"), "{shown}");
        assert!(!shown.contains("aws_sigv4=trace"), "{shown}");
        assert!(shown.contains("aws_smithy_runtime=debug"), "{shown}");
        let default = filter(None).to_string();
        assert!(default.contains("kms_grants=info"), "{default}");
        assert!(
            !default.contains("aws_sigv4"),
            "less than trace is left as asked: {default}"
        );
    }
}
