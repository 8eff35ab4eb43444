//! Switching accounts and regions: builds the source that `:profile`, `:region` and the pickers
//! ask for, and checks it answers before the app lets go of the one it has.
//!
//! A live switch resolves the profile (its credentials, SSO, `endpoint_url`) and asks STS who
//! the caller is: a profile whose credentials fail is reported as a sentence and the previous
//! source stays. A fixture directory switch opens the snapshot recorded for that profile (or
//! account) and region.
//!
//! Every failure is a [`ConnectError`], whose sentence is what the status line shows.

use crate::fixture::{self, FixtureError};
use crate::places::{Places, Profile, Target, WriteFlags, effective_profile};
use crate::source::{
    CallerIdentity, FixtureKms, KmsSource, LiveKms, LiveOptions, SourceError, SourceKind,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a switch did not happen, as the one sentence the status line shows. (The errors inside
/// are not `source`s: each sentence is the inner error's own, and a chain printed whole would
/// say it twice.)
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The session shows one snapshot.
    #[error("this session shows one snapshot; there is nothing to switch to")]
    Fixed,
    /// The live source could not be built, or its credentials did not answer.
    #[error("{0}")]
    Source(SourceError),
    /// The fixture directory has no snapshot for the target.
    #[error("{0}")]
    NotInDir(FindError),
    /// The task reading the snapshot did not finish.
    #[error("opening the snapshot failed: {0}")]
    Opening(tokio::task::JoinError),
    /// The snapshot could not be read.
    #[error("{0}")]
    Fixture(FixtureError),
    /// The switch panicked (the runtime catches it, so that every switch is answered).
    #[error("an internal error stopped the switch ({0}); the log has the details")]
    Panicked(String),
}

/// A fixture directory has no snapshot for a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    /// No snapshot of that profile or account.
    #[error(
        "{} has no snapshot of profile or account {}",
        dir.display(),
        profile.as_deref().unwrap_or("?")
    )]
    NoProfile {
        dir: PathBuf,
        profile: Option<String>,
    },
    /// Snapshots of the profile, but none in that region (`regions` are the ones there are).
    #[error(
        "{} has no snapshot of {name} in {region} (it has {})",
        dir.display(),
        regions.join(", ")
    )]
    NoRegion {
        dir: PathBuf,
        name: String,
        region: String,
        regions: Vec<String>,
    },
}

/// A source the operator switched to, checked and ready.
#[derive(Debug)]
pub struct Connected {
    pub source: Arc<dyn KmsSource>,
    /// Where it points, as resolved (the region the chain picked, the snapshot's profile).
    pub target: Target,
    pub caller: Option<CallerIdentity>,
    /// Why the source refuses writes, when it does.
    pub read_only: Option<String>,
}

/// Builds sources for switch targets.
#[derive(Debug)]
pub enum Connector {
    /// One snapshot (the demo, one fixture file): there is nowhere to switch to.
    Fixed,
    /// A live account: the session's options with the target's profile and region.
    Live {
        options: Box<LiveOptions>,
        places: Places,
        flags: WriteFlags,
    },
    /// A directory of fixtures, one per account and region (`record -o DIR`).
    Fixtures {
        dir: FixtureDir,
        places: Places,
        flags: WriteFlags,
    },
}

impl Connector {
    /// Builds and checks the source for `target`; the error is one sentence.
    pub async fn connect(&self, target: &Target) -> Result<Connected, ConnectError> {
        match self {
            Self::Fixed => Err(ConnectError::Fixed),
            Self::Live {
                options,
                places,
                flags,
            } => {
                let effective = effective_profile(target.profile.as_deref());
                let read_only = places.read_only_reason(Some(&effective), *flags);
                let options = LiveOptions {
                    profile: target.profile.clone(),
                    region: target.region.clone(),
                    read_only: read_only.is_some(),
                    ..LiveOptions::clone(options)
                };
                let live = LiveKms::connect(&options)
                    .await
                    .map_err(ConnectError::Source)?;
                // Credentials are only known to work once a call succeeds.
                let caller = live.caller().await.map_err(ConnectError::Source)?;
                let info = live.info();
                Ok(Connected {
                    target: Target {
                        profile: info.profile.clone(),
                        region: info.region.clone(),
                    },
                    source: Arc::new(live),
                    caller,
                    read_only,
                })
            }
            Self::Fixtures { dir, places, flags } => {
                let entry = dir.find(target).map_err(ConnectError::NotInDir)?;
                let path = entry.path.clone();
                let snapshot = tokio::task::spawn_blocking(move || fixture::load(&path))
                    .await
                    .map_err(ConnectError::Opening)?
                    .map_err(ConnectError::Fixture)?;
                let name = entry.name();
                let read_only = places.read_only_reason(Some(&name), *flags);
                Ok(Connected {
                    target: Target {
                        profile: Some(name),
                        region: entry.header.region.clone(),
                    },
                    source: Arc::new(FixtureKms::new(
                        snapshot,
                        SourceKind::Fixture(entry.path.display().to_string()),
                        read_only.is_some(),
                    )),
                    caller: None,
                    read_only,
                })
            }
        }
    }
}

/// One snapshot of a fixture directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub path: PathBuf,
    pub header: fixture::Header,
}

impl DirEntry {
    /// What `:profile` calls it: the profile it was recorded through, else its account.
    pub fn name(&self) -> String {
        self.header
            .profile
            .clone()
            .or_else(|| self.header.account.clone())
            .unwrap_or_else(|| {
                self.path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
    }
}

/// The fixtures of a directory, by their headers (the snapshots are read when opened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureDir {
    pub path: PathBuf,
    /// Sorted by name, then region.
    pub entries: Vec<DirEntry>,
}

impl FixtureDir {
    /// Reads the header of every `*.json` file in `path`. A directory without fixtures, or a
    /// file that is not one, is an error naming it.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let listing = std::fs::read_dir(path).map_err(|err| {
            anyhow::anyhow!(
                "cannot read fixture directory {}: {}",
                path.display(),
                crate::io_reason::io_reason(&err)
            )
        })?;
        let mut entries = Vec::new();
        for item in listing {
            let item = item.map_err(|err| {
                anyhow::anyhow!(
                    "cannot read fixture directory {}: {}",
                    path.display(),
                    crate::io_reason::io_reason(&err)
                )
            })?;
            let file = item.path();
            if file.extension().is_none_or(|e| e != "json") || !file.is_file() {
                continue;
            }
            let header = fixture::read_header(&file)?;
            entries.push(DirEntry { path: file, header });
        }
        if entries.is_empty() {
            anyhow::bail!(
                "{} holds no fixtures (*.json); record some with `kms-grants record -o {}`",
                path.display(),
                path.display()
            );
        }
        entries.sort_by(|a, b| {
            (a.name(), &a.header.region, &a.path).cmp(&(b.name(), &b.header.region, &b.path))
        });
        Ok(Self {
            path: path.to_owned(),
            entries,
        })
    }

    /// The snapshot for `target`: the profile (or account) it names, in its region (the first
    /// region recorded when none is given).
    pub fn find(&self, target: &Target) -> Result<&DirEntry, FindError> {
        let of_profile: Vec<&DirEntry> = self
            .entries
            .iter()
            .filter(|e| match &target.profile {
                Some(name) => {
                    &e.name() == name
                        || e.header.account.as_ref() == Some(name)
                        || e.header.profile.as_ref() == Some(name)
                }
                None => true,
            })
            .collect();
        if of_profile.is_empty() {
            return Err(FindError::NoProfile {
                dir: self.path.clone(),
                profile: target.profile.clone(),
            });
        }
        match &target.region {
            None => Ok(of_profile[0]),
            Some(region) => of_profile
                .iter()
                .find(|e| e.header.region.as_ref() == Some(region))
                .copied()
                .ok_or_else(|| {
                    let mut regions: Vec<String> = of_profile
                        .iter()
                        .filter_map(|e| e.header.region.clone())
                        .collect();
                    regions.dedup();
                    FindError::NoRegion {
                        dir: self.path.clone(),
                        name: of_profile[0].name(),
                        region: region.clone(),
                        regions,
                    }
                }),
        }
    }

    /// The profiles and regions to offer: exactly what the directory holds.
    pub fn places(&self, accounts: &[crate::config::Account]) -> Places {
        let mut profiles: Vec<Profile> = Vec::new();
        for entry in &self.entries {
            let name = entry.name();
            let region = entry.header.region.clone();
            match profiles.iter_mut().find(|p| p.name == name) {
                Some(profile) => profile.regions.extend(region),
                None => profiles.push(Profile {
                    account: accounts
                        .iter()
                        .find(|a| a.profile == name)
                        .map(|a| a.name.clone()),
                    read_only: accounts.iter().any(|a| a.profile == name && a.read_only),
                    account_id: entry.header.account.clone(),
                    name,
                    region: None,
                    regions: region.into_iter().collect(),
                }),
            }
        }
        Places {
            profiles,
            regions: Vec::new(),
            fixed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, file: &str, profile: Option<&str>, account: &str, region: &str) {
        let mut snapshot =
            fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
        snapshot.profile = profile.map(str::to_owned);
        snapshot.account = Some(account.to_owned());
        snapshot.region = Some(region.to_owned());
        snapshot
            .keys
            .truncate(if region == "us-east-1" { 2 } else { 1 });
        crate::record::save(&snapshot, &dir.join(file)).unwrap();
    }

    #[tokio::test]
    async fn a_directory_switches_by_profile_account_and_region() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a1.json",
            Some("alpha"),
            "111111111111",
            "us-east-1",
        );
        write(
            dir.path(),
            "a2.json",
            Some("alpha"),
            "111111111111",
            "eu-west-1",
        );
        write(dir.path(), "b1.json", None, "222222222222", "us-east-1");
        std::fs::write(dir.path().join("notes.txt"), "not a fixture").unwrap();
        let fixtures = FixtureDir::open(dir.path()).unwrap();
        let places = fixtures.places(&[]);
        let names: Vec<&str> = places.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["222222222222", "alpha"]);
        assert_eq!(
            places.regions_for(Some("alpha")),
            ["eu-west-1", "us-east-1"]
        );
        // The account id selects the profile it was recorded through.
        assert_eq!(places.profile("111111111111").unwrap().name, "alpha");
        let connector = Connector::Fixtures {
            dir: fixtures,
            places,
            flags: WriteFlags::default(),
        };
        let target = |profile: &str, region: &str| Target {
            profile: Some(profile.to_owned()),
            region: Some(region.to_owned()),
        };
        let to = connector
            .connect(&target("alpha", "us-east-1"))
            .await
            .unwrap();
        assert_eq!(to.source.list_keys().await.unwrap().len(), 2);
        assert_eq!(to.source.info().profile.as_deref(), Some("alpha"));
        let to = connector
            .connect(&target("111111111111", "eu-west-1"))
            .await
            .unwrap();
        assert_eq!(to.source.list_keys().await.unwrap().len(), 1);
        assert_eq!(to.target, target("alpha", "eu-west-1"));
        let to = connector
            .connect(&Target {
                profile: Some("222222222222".to_owned()),
                region: None,
            })
            .await
            .unwrap();
        assert_eq!(to.source.info().account.as_deref(), Some("222222222222"));
        let err = connector
            .connect(&target("alpha", "ap-south-1"))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("has no snapshot of alpha in ap-south-1 (it has eu-west-1, us-east-1)"),
            "{err}"
        );
        let err = connector
            .connect(&target("gamma", "us-east-1"))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("has no snapshot of profile or account gamma"),
            "{err}"
        );
    }

    #[test]
    fn a_directory_without_fixtures_or_with_a_bad_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = FixtureDir::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("holds no fixtures (*.json)"), "{err}");
        std::fs::write(dir.path().join("bad.json"), "{\"format\": \"nope\"}").unwrap();
        let err = FixtureDir::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("bad.json:1:"), "{err}");
        let err = FixtureDir::open(&dir.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("cannot read fixture directory "), "{err}");
        assert!(err.ends_with(": no such file"), "{err}");
    }

    #[tokio::test]
    async fn the_fixed_connector_says_why() {
        let err = Connector::Fixed
            .connect(&Target::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing to switch to"), "{err}");
    }
}
