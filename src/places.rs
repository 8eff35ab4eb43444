//! Where an operator can go: the profiles of the shared AWS config and credentials files, the
//! regions KMS runs in, and the accounts the config names (with their `read_only` marks).
//!
//! [`Places`] is plain data: the app completes `:profile` and `:region` and fills the pickers
//! from it without doing IO. [`Places::load`] reads the AWS files once, at start-up. The region
//! names themselves are in [`crate::region`], which the config file checks against too.

use crate::config::Account;
use crate::region::KMS_REGIONS;
use std::path::PathBuf;

/// The profile the AWS chain uses: the one named, else `AWS_PROFILE`, else `default`. Its
/// read-only mark applies even when no profile was named.
pub fn effective_profile(named: Option<&str>) -> String {
    named
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_owned())
}

/// How to write an endpoint URL, the end of most [`EndpointError`] sentences.
const SHAPE: &str = "write it as http://HOST:PORT or https://HOST";

/// Why a URL cannot be an endpoint, as the end of a sentence that names it: "is not a valid URL
/// (invalid authority)", "has the scheme ftp, …".
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("is empty: {}", SHAPE)]
    Empty,
    #[error("has no host: {}", SHAPE)]
    NoHost,
    #[error("is not a valid URL ({0})")]
    NotAUrl(http::uri::InvalidUri),
    #[error("has the scheme {0}, and only http:// and https:// are served")]
    Scheme(String),
    #[error("has no scheme: {}", SHAPE)]
    NoScheme,
}

/// Whether `url` can be an endpoint: an http or https URL with a host.
pub fn check_endpoint_url(url: &str) -> Result<(), EndpointError> {
    if url.trim().is_empty() {
        return Err(EndpointError::Empty);
    }
    if url
        .split_once("://")
        .is_some_and(|(_, rest)| rest.is_empty())
    {
        return Err(EndpointError::NoHost);
    }
    let uri: http::Uri = url.parse().map_err(EndpointError::NotAUrl)?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(scheme) => return Err(EndpointError::Scheme(scheme.to_owned())),
        None => return Err(EndpointError::NoScheme),
    }
    match uri.host() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err(EndpointError::NoHost),
    }
}

/// The AWS config files could not be parsed (a missing file is not an error: it holds no
/// profiles). (Not a `source`: the sentence says the reason already.)
#[derive(Debug, thiserror::Error)]
#[error("cannot read the AWS config files: {0}")]
pub struct ProfilesError(aws_config::profile::ProfileFileLoadError);

/// Where a session points: a profile and a region. `None` leaves it to the AWS chain
/// (`AWS_PROFILE`, `AWS_REGION`, the profile's own region).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub profile: Option<String>,
    pub region: Option<String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "profile {}",
            self.profile.as_deref().unwrap_or("(default chain)")
        )?;
        if let Some(region) = &self.region {
            write!(f, " in {region}")?;
        }
        Ok(())
    }
}

/// One profile the operator can switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// The profile's own `region`, if the config file gives one.
    pub region: Option<String>,
    /// The config's account entry for this profile: its name.
    pub account: Option<String>,
    /// The account entry's regions, offered first in the region picker.
    pub regions: Vec<String>,
    /// The account entry marks it read-only.
    pub read_only: bool,
    /// The AWS account id, when known before connecting (a fixture directory's snapshots).
    pub account_id: Option<String>,
}

/// Every profile and region there is to switch to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// Sorted by name; empty when switching is not possible (the demo, one fixture file).
    pub profiles: Vec<Profile>,
    /// Regions offered whatever the profile (the KMS regions, or a fixture directory's).
    pub regions: Vec<String>,
    /// Why there is nowhere to switch to, when that is so: a sentence for the status line.
    pub fixed: Option<String>,
}

impl Places {
    /// No switching: the one snapshot there is (`why` says which).
    pub fn fixed(why: impl Into<String>) -> Self {
        Self {
            fixed: Some(why.into()),
            ..Self::default()
        }
    }

    /// The profiles of the AWS files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else
    /// `~/.aws/config` and `~/.aws/credentials`), marked with the config's account entries.
    /// Files that are missing give no profiles; a file that cannot be parsed is an error.
    pub async fn load(files: &ProfileFiles, accounts: &[Account]) -> Result<Self, ProfilesError> {
        let set = aws_config::profile::load(
            &aws_types::os_shim_internal::Fs::real(),
            &aws_types::os_shim_internal::Env::real(),
            &files.to_sdk(),
            None,
        )
        .await
        .map_err(ProfilesError)?;
        let found = set.profiles().map(|name| {
            let region = set
                .get_profile(name)
                .and_then(|p| p.get("region"))
                .map(str::to_owned);
            (name.to_owned(), region)
        });
        Ok(Self::from_profiles(found, accounts))
    }

    /// Builds the places from (profile, its region) pairs and the config's account entries. An
    /// entry whose profile is in no file is listed too: switching to it says what is wrong.
    pub fn from_profiles(
        found: impl IntoIterator<Item = (String, Option<String>)>,
        accounts: &[Account],
    ) -> Self {
        let mut profiles: Vec<Profile> = found
            .into_iter()
            .map(|(name, region)| Profile {
                name,
                region,
                account: None,
                regions: Vec::new(),
                read_only: false,
                account_id: None,
            })
            .collect();
        for account in accounts {
            let at = match profiles.iter().position(|p| p.name == account.profile) {
                Some(at) => at,
                None => {
                    profiles.push(Profile {
                        name: account.profile.clone(),
                        region: None,
                        account: None,
                        regions: Vec::new(),
                        read_only: false,
                        account_id: None,
                    });
                    profiles.len() - 1
                }
            };
            let profile = &mut profiles[at];
            profile.account = Some(account.name.clone());
            profile.regions = account.regions.clone();
            profile.read_only = account.read_only;
        }
        profiles.sort_by(|a, b| a.name.cmp(&b.name));
        profiles.dedup_by(|a, b| a.name == b.name);
        Self {
            profiles,
            regions: KMS_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            fixed: None,
        }
    }

    /// The profile called `name`, or the one whose account entry (or account id) is `name`.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name).or_else(|| {
            self.profiles.iter().find(|p| {
                p.account.as_deref() == Some(name) || p.account_id.as_deref() == Some(name)
            })
        })
    }

    /// Every name `:profile` takes: profiles, account entries, account ids.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .profiles
            .iter()
            .flat_map(|p| {
                std::iter::once(p.name.clone())
                    .chain(p.account.clone())
                    .chain(p.account_id.clone())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The regions to offer for `profile`: its account entry's, its own, then the rest.
    pub fn regions_for(&self, profile: Option<&str>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(p) = profile.and_then(|name| self.profile(name)) {
            out.extend(p.regions.iter().cloned());
            out.extend(p.region.iter().cloned());
        }
        out.extend(self.regions.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| seen.insert(r.clone()));
        out
    }

    /// Whether sessions on `profile` are read-only, given the session's flags: `--read-only`
    /// always wins; `--allow-writes` lifts the config's marks; otherwise the config's global
    /// `read_only` or the account entry's decides.
    pub fn read_only(&self, profile: Option<&str>, flags: WriteFlags) -> bool {
        self.read_only_reason(profile, flags).is_some()
    }

    /// Why sessions on `profile` are read-only (for the refusal messages), or `None` when they
    /// may write; see [`Places::read_only`].
    pub fn read_only_reason(&self, profile: Option<&str>, flags: WriteFlags) -> Option<String> {
        if flags.read_only {
            return Some("--read-only".to_owned());
        }
        if flags.allow_writes {
            return None;
        }
        if flags.config_read_only {
            return Some("read_only in the config; --allow-writes lifts it".to_owned());
        }
        let profile = profile.and_then(|name| self.profile(name))?;
        profile.read_only.then(|| {
            format!(
                "account {} is read_only in the config; --allow-writes lifts it",
                profile.account.as_deref().unwrap_or(&profile.name)
            )
        })
    }
}

/// The flags and settings that decide whether a session may write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteFlags {
    /// `--read-only`.
    pub read_only: bool,
    /// `--allow-writes`.
    pub allow_writes: bool,
    /// The config's global `read_only`.
    pub config_read_only: bool,
}

/// Which AWS files hold the profiles: the standard ones (honouring `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE`), or named files (tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileFiles {
    /// `(config, credentials)`; `None` for the standard locations.
    pub explicit: Option<(PathBuf, PathBuf)>,
}

impl ProfileFiles {
    /// Exactly these two files.
    pub fn at(config: impl Into<PathBuf>, credentials: impl Into<PathBuf>) -> Self {
        Self {
            explicit: Some((config.into(), credentials.into())),
        }
    }

    /// The SDK's description of the same files.
    pub fn to_sdk(&self) -> aws_runtime::env_config::file::EnvConfigFiles {
        use aws_runtime::env_config::file::{
            EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as Sdk,
        };
        match &self.explicit {
            None => Sdk::default(),
            // A missing file holds no profiles, as the standard locations do (the SDK would
            // refuse a named file that is missing).
            Some((config, credentials)) => [
                (ProfileFileKind::Config, config),
                (ProfileFileKind::Credentials, credentials),
            ]
            .into_iter()
            .fold(Sdk::builder(), |builder, (kind, path)| {
                if path.exists() {
                    builder.with_file(kind, path)
                } else {
                    builder.with_contents(kind, "")
                }
            })
            .build(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, profile: &str, read_only: bool) -> Account {
        Account {
            name: name.to_owned(),
            profile: profile.to_owned(),
            regions: vec!["eu-west-1".to_owned()],
            read_only,
        }
    }

    #[tokio::test]
    async fn profiles_come_from_both_files_with_their_regions() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = us-east-2\n[profile prod]\nregion = eu-west-1\n[sso-session x]\nsso_region = us-east-1\n",
        )
        .unwrap();
        std::fs::write(
            &credentials,
            "[dev]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
        )
        .unwrap();
        let places = Places::load(
            &ProfileFiles::at(&config, &credentials),
            &[account("production", "prod", true)],
        )
        .await
        .unwrap();
        let names: Vec<&str> = places.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["default", "dev", "prod"]);
        let prod = places.profile("production").unwrap();
        assert_eq!(prod.name, "prod");
        assert_eq!(prod.region.as_deref(), Some("eu-west-1"));
        assert!(prod.read_only);
        assert_eq!(
            places.profile("default").unwrap().region.as_deref(),
            Some("us-east-2")
        );
        assert!(
            places.profile("x").is_none(),
            "an sso-session is not a profile"
        );
    }

    #[tokio::test]
    async fn missing_files_give_no_profiles() {
        let places = Places::load(&ProfileFiles::at("/nonexistent/a", "/nonexistent/b"), &[])
            .await
            .unwrap();
        assert!(places.profiles.is_empty());
        assert!(places.regions.iter().any(|r| r == "us-east-1"));
    }

    #[test]
    fn read_only_marks_and_the_flags_that_override_them() {
        let places = Places::from_profiles(
            [("prod".to_owned(), None), ("dev".to_owned(), None)],
            &[account("production", "prod", true)],
        );
        let none = WriteFlags::default();
        assert!(places.read_only(Some("prod"), none));
        assert_eq!(
            places.read_only_reason(Some("prod"), none).unwrap(),
            "account production is read_only in the config; --allow-writes lifts it"
        );
        assert!(!places.read_only(Some("dev"), none));
        assert!(!places.read_only(None, none));
        let allow = WriteFlags {
            allow_writes: true,
            ..none
        };
        assert!(!places.read_only(Some("prod"), allow));
        let config = WriteFlags {
            config_read_only: true,
            ..none
        };
        assert!(places.read_only(Some("dev"), config));
        assert!(!places.read_only(
            Some("dev"),
            WriteFlags {
                allow_writes: true,
                ..config
            }
        ));
        let flag = WriteFlags {
            read_only: true,
            ..none
        };
        assert!(places.read_only(Some("dev"), flag));
    }

    #[test]
    fn regions_put_the_accounts_own_first() {
        let places = Places::from_profiles(
            [("prod".to_owned(), Some("us-west-2".to_owned()))],
            &[account("production", "prod", false)],
        );
        let regions = places.regions_for(Some("prod"));
        assert_eq!(&regions[..3], ["eu-west-1", "us-west-2", "us-east-1"]);
        assert_eq!(regions.len(), KMS_REGIONS.len());
    }

    #[test]
    fn endpoint_urls() {
        for ok in [
            "http://127.0.0.1:4566",
            "https://kms.us-east-1.amazonaws.com",
            "http://[::1]:8080",
            "http://admin:S3cret@host:1/base",
        ] {
            assert!(check_endpoint_url(ok).is_ok(), "{ok}");
        }
        for (bad, reason) in [
            (
                "ftp://x",
                "has the scheme ftp, and only http:// and https:// are served",
            ),
            ("http://[::1", "is not a valid URL (invalid authority)"),
            (
                "localhost:4566",
                "has no scheme: write it as http://HOST:PORT or https://HOST",
            ),
            (
                "127.0.0.1:4566",
                "has no scheme: write it as http://HOST:PORT or https://HOST",
            ),
            (
                "http://",
                "has no host: write it as http://HOST:PORT or https://HOST",
            ),
            ("", "is empty: write it as http://HOST:PORT or https://HOST"),
        ] {
            assert_eq!(
                check_endpoint_url(bad).map_err(|e| e.to_string()),
                Err(reason.to_owned()),
                "{bad}"
            );
        }
    }
}
