//! `kms-grants check FILE`: validates a fixture file and prints a summary. Reads the file and
//! nothing else: no config, no log, no terminal.

use crate::fixture;
use std::path::Path;

/// `kms-grants check FILE`.
pub(super) fn check(file: &Path) -> anyhow::Result<()> {
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
