//! The `KmsSource` seam: where keys and grants come from and where retire/revoke go.
//!
//! The app only sees this trait. [`FixtureKms`] serves a recorded snapshot from memory; the live
//! source talks to AWS. Sources return typed [`SourceError`]s whose `Display` is a sentence an
//! operator can act on; they never touch the terminal.

mod fixture;
pub mod live;
pub mod pace;

pub use self::fixture::FixtureKms;
pub use self::live::{LiveKms, LiveOptions};

use crate::domain::{Grant, Key, KeyMetadata};
use async_trait::async_trait;
use std::fmt;

/// Where the data comes from, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// What kind of source this is.
    pub kind: SourceKind,
    /// The AWS profile: the live source's, or the one a fixture was recorded through.
    pub profile: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// When the data was recorded (fixtures only).
    pub recorded_at: Option<String>,
}

/// The kinds of source, each with what the header shows for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// The snapshot built into the binary.
    Demo,
    /// A fixture file, by path.
    Fixture(String),
    /// A live account through the AWS SDK.
    Live {
        profile: Option<String>,
        /// The endpoint, when it is not AWS's own (a local KMS-compatible server).
        endpoint: Option<String>,
    },
}

/// Who the caller is (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Demo => f.write_str("demo"),
            Self::Fixture(path) => write!(f, "fixture {path}"),
            Self::Live { profile, endpoint } => {
                write!(f, "profile {}", profile.as_deref().unwrap_or("default"))?;
                match endpoint {
                    Some(endpoint) => write!(f, " │ endpoint {endpoint}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// The two ways to delete a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteKind {
    /// RetireGrant: by the retiring principal, the grantee (with RetireGrant) or the issuer.
    Retire,
    /// RevokeGrant: by a key administrator.
    Revoke,
}

impl WriteKind {
    /// `retire` / `revoke`.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Retire => "retire",
            Self::Revoke => "revoke",
        }
    }

    /// `retired` / `revoked`.
    pub fn past(self) -> &'static str {
        match self {
            Self::Retire => "retired",
            Self::Revoke => "revoked",
        }
    }

    /// The API action, as in IAM policies: `kms:RetireGrant`.
    pub fn api_action(self) -> &'static str {
        pace::Op::from(self).action()
    }
}

/// What a successful write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The grant was deleted.
    Done,
    /// A dry run: KMS answered that the call would have succeeded; nothing changed.
    DryRunWouldSucceed,
    /// Sent as a dry run, but the endpoint answered with plain success: it ignored DryRun (as
    /// some KMS-compatible servers do), so the grant really was deleted.
    DoneDespiteDryRun,
    /// The answer was lost (see [`SourceError::AnswerLost`]), and listing the key then showed
    /// the grant gone: it was deleted.
    DoneAnswerLost(LostAnswer),
}

/// Why the answer to a write never arrived, when the request may have reached KMS: whether the
/// write happened is then unknown until the key's grants are listed. Writes are sent once (no
/// retries), so this is never hidden by a second attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostAnswer {
    /// No answer in time.
    Timeout,
    /// The server failed (HTTP 5xx), perhaps after doing the work.
    ServerError(u16),
    /// The connection broke after the request may have been sent.
    ConnectionLost,
    /// An answer came, but it could not be read.
    Unreadable,
}

impl fmt::Display for LostAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("no answer in time"),
            Self::ServerError(status) => write!(f, "HTTP {status}"),
            Self::ConnectionLost => f.write_str("the connection broke"),
            Self::Unreadable => f.write_str("the answer could not be read"),
        }
    }
}

/// Which write an answer was lost for, with what the listing looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LostWrite {
    /// RetireGrant or RevokeGrant of this grant: is it still listed?
    Delete {
        kind: WriteKind,
        key_id: String,
        grant_id: String,
    },
    /// RetireGrant by grant token: the token does not say which key to list.
    RetireToken,
    /// CreateGrant with this Name: is a grant of that name listed?
    Create { key_id: String, name: String },
}

impl LostWrite {
    /// The API action, as in IAM policies.
    pub fn api_action(&self) -> &'static str {
        match self {
            Self::Delete { kind, .. } => kind.api_action(),
            Self::RetireToken => "kms:RetireGrant",
            Self::Create { .. } => "kms:CreateGrant",
        }
    }
}

impl fmt::Display for LostWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delete {
                kind,
                key_id,
                grant_id,
            } => write!(
                f,
                "{} of grant {grant_id} on key {key_id}",
                kind.api_action()
            ),
            Self::RetireToken => f.write_str("kms:RetireGrant with a grant token"),
            Self::Create { key_id, name } => {
                write!(f, "kms:CreateGrant of a grant named {name} on key {key_id}")
            }
        }
    }
}

/// A grant a restore created (or found, after a lost answer, by the Name it sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The new grant's id.
    pub grant_id: String,
    /// The Name the CreateGrant sent.
    pub name: String,
    /// Set when CreateGrant's answer was lost and listing the key found the grant.
    pub lost: Option<LostAnswer>,
}

/// What listing the key showed about a write whose answer was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Nobody has looked yet: what a source returns; the runtime then lists the key.
    Unsettled,
    /// The write did not happen as far as the listing shows: the grant is still listed, or no
    /// grant has the Name the create sent. (KMS can take a few minutes to list a change.)
    NotDone,
    /// The listing could not tell (it failed, or there is no key to list): why.
    StillUnknown(String),
}

/// Errors from a source, each a sentence naming what failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The session is read-only; the write was never sent.
    #[error("the session is read-only, so {} was not sent", action.api_action())]
    ReadOnly { action: WriteKind },
    /// The session is read-only, so CreateGrant was not sent.
    #[error("the session is read-only, so kms:CreateGrant was not sent")]
    ReadOnlyCreate,
    /// The key does not exist (or is not visible to the caller).
    #[error("key {key_id} was not found")]
    KeyNotFound { key_id: String },
    /// The grant does not exist on that key (already retired or revoked, or never existed).
    #[error("grant {grant_id} was not found on key {key_id}; it may already be gone")]
    GrantNotFound { key_id: String, grant_id: String },
    /// The caller may not do this.
    #[error("access denied: {action} on {resource}")]
    AccessDenied { action: String, resource: String },
    /// Something named in the request does not exist.
    #[error("{resource} was not found{}", suffix(detail))]
    NotFound { resource: String, detail: String },
    /// The key's state forbids the call (disabled, pending deletion, …).
    #[error("{resource} is in a state that does not allow this{}", suffix(detail))]
    InvalidKeyState { resource: String, detail: String },
    /// KMS kept throttling after the SDK's retries.
    #[error(
        "{action} was throttled by KMS even after retries; wait a moment and reload, or lower rate_limits in the config"
    )]
    Throttled { action: String },
    /// No answer in time.
    #[error("{action} timed out: the endpoint did not answer in time")]
    Timeout { action: String },
    /// The endpoint could not be reached.
    #[error("{action} could not reach the endpoint: {detail}")]
    Network { action: String, detail: String },
    /// Missing, invalid or expired credentials, with the fix.
    #[error("{detail}; {}", credentials_fix(profile))]
    Credentials {
        detail: String,
        profile: Option<String>,
        /// The service refused them (rather than none being found here): in an opt-in region
        /// the account has not enabled, that is how every call is answered.
        rejected: bool,
    },
    /// An answer that could not be used (malformed body, a pagination loop).
    #[error("{action} returned an unusable answer: {detail}")]
    Malformed { action: String, detail: String },
    /// An answer larger than any KMS answer, cut off at the cap.
    #[error(
        "the answer to {action} was larger than {limit}, so it was cut off: is the endpoint a KMS endpoint?"
    )]
    TooLarge { action: String, limit: String },
    /// Any other error KMS reported, by its code.
    #[error("{action} failed with {code}{}", suffix(detail))]
    Service {
        action: String,
        code: String,
        detail: String,
    },
    /// The input was refused by the source.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The source cannot be set up (no region, …): a sentence saying what to do.
    #[error("{0}")]
    Setup(String),
    /// The request may have reached KMS but its answer was lost (a timeout, HTTP 5xx, a broken
    /// connection, an unreadable answer): whether the write happened is unknown until the key's
    /// grants are listed, which `settled` tells.
    #[error("{}", lost_sentence(write, lost, settled))]
    AnswerLost {
        write: LostWrite,
        lost: LostAnswer,
        settled: Settlement,
    },
    /// The audit log could not record the write, so it was not sent.
    #[error("{0}")]
    Audit(String),
    /// kms-grants itself failed while carrying the request out (a bug; the log has the
    /// details).
    #[error("{0}")]
    Internal(String),
}

/// The sentence of [`SourceError::AnswerLost`].
fn lost_sentence(write: &LostWrite, lost: &LostAnswer, settled: &Settlement) -> String {
    let head = format!("the answer to {write} was lost ({lost})");
    match (settled, write) {
        (Settlement::Unsettled, _) => {
            format!("{head}, so whether it happened is unknown until the key's grants are listed")
        }
        (Settlement::NotDone, LostWrite::Create { name, .. }) => format!(
            "{head}; listing the key shows no grant named {name}: not created (a new grant can take a few minutes to be listed; running the restore again is safe, the same Name gives back the same grant)"
        ),
        (Settlement::NotDone, LostWrite::Delete { kind, .. }) => format!(
            "{head}; listing the key shows it is still there: not {} (KMS can list a deleted grant for a few minutes; reload to be sure)",
            kind.past()
        ),
        (Settlement::NotDone, LostWrite::RetireToken) => {
            format!("{head}; the listing shows it did not happen")
        }
        (Settlement::StillUnknown(why), _) => format!(
            "{head}, and whether it happened is still unknown ({why}): list the key's grants to see"
        ),
    }
}

fn suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

fn credentials_fix(profile: &Option<String>) -> String {
    match profile {
        Some(p) => format!("run `aws sso login --profile {p}` or check the profile's credentials"),
        None => "pass --profile NAME (after `aws sso login --profile NAME`) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            .to_owned(),
    }
}

/// Where grants and keys come from and where writes go. Implementations are cheap to share
/// (`Arc<dyn KmsSource>`) and safe to call from several tasks at once.
#[async_trait]
pub trait KmsSource: Send + Sync + fmt::Debug {
    /// What the header should say about this source.
    fn info(&self) -> SourceInfo;

    /// Whether writes are refused by the source itself.
    fn is_read_only(&self) -> bool;

    /// What is slowing the source down right now (KMS throttling), for the progress line.
    fn pace(&self) -> Option<String> {
        None
    }

    /// Who the caller is, when the source can tell (live accounts).
    async fn caller(&self) -> Result<Option<CallerIdentity>, SourceError>;

    /// Every key with its aliases, in a stable order. Keys may come without their metadata
    /// (`Key::described == false`) when that needs a call per key: see [`KmsSource::describe_key`].
    async fn list_keys(&self) -> Result<Vec<Key>, SourceError>;

    /// The metadata of one key (DescribeKey).
    async fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, SourceError>;

    /// Every grant on one key.
    async fn list_grants(&self, key_id: &str) -> Result<Vec<Grant>, SourceError>;

    /// The retiring principals this source knows of (recorded ones, the caller, …).
    async fn known_retiring_principals(&self) -> Result<Vec<String>, SourceError>;

    /// The grants `principal` may retire, across keys (ListRetirableGrants).
    async fn list_retirable_grants(&self, principal: &str) -> Result<Vec<Grant>, SourceError>;

    /// Retires (RetireGrant) or revokes (RevokeGrant) one grant by key and grant id. With
    /// `dry_run` nothing changes and success means the call would have succeeded.
    async fn delete_grant(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError>;

    /// Creates a grant like `grant` (same key, grantee, retiring principal, operations,
    /// constraints and name) and returns the new grant's id. Used by restore.
    async fn create_grant(&self, grant: &Grant) -> Result<String, SourceError>;

    /// The grant `grant_id` of key `key_id` if the key lists it (to settle a delete whose
    /// answer was lost). Sources that can ask for one grant do; the default lists them all.
    async fn find_grant(&self, key_id: &str, grant_id: &str) -> Result<Option<Grant>, SourceError> {
        Ok(self
            .list_grants(key_id)
            .await?
            .into_iter()
            .find(|g| &*g.grant_id == grant_id))
    }

    /// Retires the grant a grant token names (RetireGrant with `GrantToken`).
    async fn retire_with_token(
        &self,
        token: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError>;
}
