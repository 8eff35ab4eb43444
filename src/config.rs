//! The config file (`config.toml`): defaults that flags override.
//!
//! Looked up in the platform config dir (`~/.config/kms-grants/config.toml` on Linux) or at
//! `--config PATH`. A missing default file is fine; a file that exists but does not parse, or an
//! explicitly named file that is missing, is an error naming the file, line and column.

use crate::source::pace::{MAX_RATE, RateLimits};
use crate::ui::theme::ThemeName;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every setting, with its default. `config.example.toml` documents each one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The AWS profile the live source uses when `--profile` is not given.
    pub profile: Option<String>,
    /// The region the live source uses when `--region` is not given.
    pub region: Option<String>,
    /// Start every session read-only (as `--read-only`).
    pub read_only: bool,
    /// Start every session in dry-run mode (as `--dry-run`).
    pub dry_run: bool,
    /// Grants older than this many days are flagged as old.
    pub stale_after_days: u32,
    /// How many requests to the source may run at once.
    pub concurrency: usize,
    /// `dark`, `light` or `mono`; `NO_COLOR` forces `mono`.
    pub theme: ThemeName,
    /// Seconds one AWS call may take, retries included, before it fails as a timeout.
    pub timeout_seconds: u64,
    /// Milliseconds a confirmation ignores keys after it opens (0 to 5000), so the input that
    /// opened it cannot answer it.
    pub confirm_delay_ms: u64,
    /// Retiring principals to offer in the retirable tab (besides the caller).
    pub retiring_principals: Vec<String>,
    /// The most calls per second of each KMS operation (`[rate_limits]`); unset, 80% of the
    /// KMS quotas, or no ceiling for a loopback endpoint (see [`RateLimits::for_endpoint`]).
    pub rate_limits: Option<RateLimits>,
    /// Named accounts (`[[accounts]]`): a profile, its regions, and whether it is read-only.
    pub accounts: Vec<Account>,
}

/// One `[[accounts]]` entry: a name for a profile, the regions to offer and record for it, and
/// whether sessions on it are read-only unless `--allow-writes` is given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub name: String,
    pub profile: String,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub read_only: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            read_only: false,
            dry_run: false,
            stale_after_days: 90,
            concurrency: 8,
            theme: ThemeName::Dark,
            timeout_seconds: 30,
            confirm_delay_ms: 300,
            retiring_principals: Vec::new(),
            rate_limits: None,
            accounts: Vec::new(),
        }
    }
}

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// (Not a `source`: the sentence says the reason, and a chain printed whole would say it
    /// twice.)
    #[error("cannot read config file {}: {}", path.display(), crate::io_reason::io_reason(error))]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("config file {}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The default location, when the platform has one.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kms-grants").map(|d| d.config_dir().join("config.toml"))
}

/// Loads the config: from `explicit` (must exist), else from the default path (may be absent).
/// Returns the config and the file it came from, if any.
pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let (path, required) = match explicit {
        Some(path) => (path.to_owned(), true),
        None => match default_path() {
            Some(path) => (path, false),
            None => return Ok((Config::default(), None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if !required && err.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Config::default(), None));
        }
        Err(error) => return Err(ConfigError::Read { path, error }),
    };
    let config = parse(&text, &path)?;
    Ok((config, Some(path)))
}

/// Parses and checks config text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset);
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    let config: Config = toml::from_str(text).map_err(|err| {
        let offset = err.span().map(|s| s.start).unwrap_or(0);
        invalid(offset, err.message().trim().to_owned())
    })?;
    let offset_of = |name: &str| {
        text.lines()
            .scan(0, |pos, line| {
                let start = *pos;
                *pos += line.len() + 1;
                Some((start, line))
            })
            .find(|(_, line)| line.trim_start().starts_with(name))
            .map(|(start, _)| start)
            .unwrap_or(0)
    };
    if !(1..=64).contains(&config.concurrency) {
        return Err(invalid(
            offset_of("concurrency"),
            format!(
                "concurrency must be between 1 and 64, not {}",
                config.concurrency
            ),
        ));
    }
    if !(1..=600).contains(&config.timeout_seconds) {
        return Err(invalid(
            offset_of("timeout_seconds"),
            format!(
                "timeout_seconds must be between 1 and 600, not {}",
                config.timeout_seconds
            ),
        ));
    }
    if config.confirm_delay_ms > 5000 {
        return Err(invalid(
            offset_of("confirm_delay_ms"),
            format!(
                "confirm_delay_ms must be between 0 and 5000, not {}",
                config.confirm_delay_ms
            ),
        ));
    }
    if let Some((op, rate)) = config.rate_limits.and_then(|r| r.invalid()) {
        return Err(invalid(
            offset_of(op.name()),
            format!(
                "rate_limits.{} must be between 1 and {MAX_RATE} calls per second, not {rate}",
                op.name()
            ),
        ));
    }
    for (index, account) in config.accounts.iter().enumerate() {
        // The nth `[[accounts]]` header, for the error's line.
        let at = text
            .match_indices("[[accounts]]")
            .nth(index)
            .map(|(offset, _)| offset)
            .unwrap_or(0);
        if account.name.trim().is_empty() || account.profile.trim().is_empty() {
            return Err(invalid(
                at,
                "an [[accounts]] entry needs a non-empty name and profile".to_owned(),
            ));
        }
        if let Some(earlier) = config.accounts[..index]
            .iter()
            .find(|a| a.profile == account.profile)
        {
            return Err(invalid(
                at,
                format!(
                    "accounts \"{}\" and \"{}\" both use profile \"{}\"; one entry per profile",
                    earlier.name, account.name, account.profile
                ),
            ));
        }
        if config.accounts[..index]
            .iter()
            .any(|a| a.name == account.name)
        {
            return Err(invalid(
                at,
                format!("two [[accounts]] entries are called \"{}\"", account.name),
            ));
        }
        if let Some(bad) = account
            .regions
            .iter()
            .find(|r| !crate::region::looks_like_region(r))
        {
            return Err(invalid(
                at,
                format!(
                    "account \"{}\" lists \"{bad}\", which is not a region (like us-east-1)",
                    account.name
                ),
            ));
        }
    }
    if config.stale_after_days == 0 {
        return Err(invalid(
            offset_of("stale_after_days"),
            "stale_after_days must be at least 1".to_owned(),
        ));
    }
    Ok(config)
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, String> {
        parse(text, Path::new("c.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_example_file_is_valid_and_matches_the_defaults() {
        let example = include_str!("../config.example.toml");
        let config = parse_str(example).unwrap();
        assert_eq!(config, Config::default());
        // The commented-out tables read too, once uncommented.
        let mut in_table = false;
        let uncommented: String = example
            .lines()
            .map(|line| {
                let bare = line.strip_prefix("# ").unwrap_or(line);
                in_table |= bare.starts_with('[');
                if in_table && (bare.starts_with('[') || bare.contains(" = ")) {
                    bare
                } else {
                    line
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let config = parse_str(&uncommented).unwrap();
        assert!(config.rate_limits.is_some());
        assert_eq!(config.accounts.len(), 2);
        assert!(config.accounts[0].read_only);
    }

    #[test]
    fn accounts_read_and_are_checked() {
        let config = parse_str(
            "[[accounts]]\nname = \"prod\"\nprofile = \"prod-admin\"\nregions = [\"us-east-1\"]\nread_only = true\n",
        )
        .unwrap();
        assert_eq!(config.accounts[0].profile, "prod-admin");
        assert_eq!(config.accounts[0].regions, ["us-east-1"]);
        let err = parse_str("[[accounts]]\nname = \"a\"\nprofile = \"p\"\n[[accounts]]\nname = \"a\"\nprofile = \"q\"\n").unwrap_err();
        assert_eq!(
            err,
            "config file c.toml:4:1: two [[accounts]] entries are called \"a\""
        );
        let err = parse_str(
            "[[accounts]]\nname = \"a\"\nprofile = \"p\"\nread_only = true\n[[accounts]]\nname = \"b\"\nprofile = \"p\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            "config file c.toml:5:1: accounts \"a\" and \"b\" both use profile \"p\"; one entry per profile"
        );
        let err =
            parse_str("[[accounts]]\nname = \"a\"\nprofile = \"p\"\nregions = [\"useast1\"]\n")
                .unwrap_err();
        assert_eq!(
            err,
            "config file c.toml:1:1: account \"a\" lists \"useast1\", which is not a region (like us-east-1)"
        );
        let err = parse_str("[[accounts]]\nname = \"a\"\n").unwrap_err();
        assert!(err.contains("missing field `profile`"), "{err}");
    }

    #[test]
    fn every_setting_reads() {
        let config = parse_str(
            "profile = \"prod\"\nregion = \"eu-west-1\"\nread_only = true\ndry_run = true\nstale_after_days = 30\nconcurrency = 4\ntheme = \"mono\"\ntimeout_seconds = 10\nretiring_principals = [\"arn:aws:iam::111122223333:role/admin\"]\n",
        )
        .unwrap();
        assert_eq!(config.profile.as_deref(), Some("prod"));
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert!(config.read_only && config.dry_run);
        assert_eq!((config.stale_after_days, config.concurrency), (30, 4));
        assert_eq!(config.theme, ThemeName::Mono);
        assert_eq!(config.timeout_seconds, 10);
        assert_eq!(
            config.retiring_principals,
            ["arn:aws:iam::111122223333:role/admin"]
        );
    }

    #[test]
    fn rate_limits_read_and_are_checked() {
        let config = parse_str("[rate_limits]\nListGrants = 20\nDescribeKey = 500\n").unwrap();
        let limits = config.rate_limits.unwrap();
        assert_eq!(limits.list_grants, 20);
        assert_eq!(limits.describe_key, 500);
        assert_eq!(limits.list_keys, RateLimits::default().list_keys);
        let err = parse_str("concurrency = 4\n[rate_limits]\nListGrants = 0\n").unwrap_err();
        assert_eq!(
            err,
            "config file c.toml:3:1: rate_limits.ListGrants must be between 1 and 100000 calls per second, not 0"
        );
        let err = parse_str("[rate_limits]\nListGrant = 5\n").unwrap_err();
        assert!(
            err.contains("c.toml:2:1: unknown field `ListGrant`"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = parse_str("read_only = true\nstale_days = 3\n").unwrap_err();
        assert!(
            err.starts_with("config file c.toml:2:1: unknown field `stale_days`"),
            "{err}"
        );
        let err = parse_str("read_only = \"yes\"\n").unwrap_err();
        assert!(err.starts_with("config file c.toml:1:13: "), "{err}");
        let err = parse_str("theme = \"neon\"\n").unwrap_err();
        assert!(err.contains("unknown variant `neon`"), "{err}");
        let err = parse_str("read_only = true\nconcurrency = 0\n").unwrap_err();
        assert_eq!(
            err,
            "config file c.toml:2:1: concurrency must be between 1 and 64, not 0"
        );
        let err = parse_str("[broken\n").unwrap_err();
        assert!(err.starts_with("config file c.toml:1:"), "{err}");
    }

    #[test]
    fn missing_explicit_file_is_an_error_and_default_is_not() {
        let err = load(Some(Path::new("/nonexistent/kms.toml")))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot read config file /nonexistent/kms.toml: "),
            "{err}"
        );
    }
}
