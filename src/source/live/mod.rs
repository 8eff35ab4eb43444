//! `LiveKms`: the [`KmsSource`] of a real account, over aws-sdk-kms.
//!
//! Every list call is paginated to the end with the largest page KMS allows, with a guard
//! against a marker loop that never ends. The SDK's standard retries (with backoff) apply to
//! every read; a write (retire, revoke, create) is sent once, and an answer lost after it may
//! have been sent is [`SourceError::AnswerLost`]. Explicit connect/operation timeouts apply to
//! every call; errors are mapped to [`SourceError`] sentences that name the action and the
//! resource. A read-only source refuses writes itself.
//!
//! This file holds the source itself and its [`KmsSource`] impl, which hands each call to the
//! module that carries it out: `client` builds the SDK clients from [`LiveOptions`], `paging`
//! pages the list calls and paces every call, `writes` sends retire, revoke and create,
//! `errors` turns SDK errors into [`SourceError`]s and `convert` turns SDK types into domain
//! types.

mod client;
mod convert;
mod errors;
mod paging;
mod writes;

pub use self::client::{LiveOptions, MAX_ANSWER_BYTES};
pub use self::errors::classify;

use super::pace::{Op, Pacer};
use super::{CallerIdentity, KmsSource, SourceError, SourceInfo, WriteKind, WriteOutcome};
use crate::domain::{Grant, Key, KeyMetadata};
use async_trait::async_trait;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many calls of each kind were made (for `record`'s report and the tests).
#[derive(Debug, Default)]
pub struct CallCounts {
    pub list_keys: AtomicU64,
    pub list_aliases: AtomicU64,
    pub describe_key: AtomicU64,
    pub list_grants: AtomicU64,
    pub list_retirable_grants: AtomicU64,
    pub writes: AtomicU64,
}

impl CallCounts {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Every list and describe call so far.
    pub fn reads(&self) -> u64 {
        [
            &self.list_keys,
            &self.list_aliases,
            &self.describe_key,
            &self.list_grants,
            &self.list_retirable_grants,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

impl fmt::Display for CallCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        write!(
            f,
            "ListKeys {}, ListAliases {}, DescribeKey {}, ListGrants {}, ListRetirableGrants {}",
            get(&self.list_keys),
            get(&self.list_aliases),
            get(&self.describe_key),
            get(&self.list_grants),
            get(&self.list_retirable_grants)
        )
    }
}

/// A live account and region.
#[derive(Debug, Clone)]
pub struct LiveKms {
    kms: aws_sdk_kms::Client,
    sts: aws_sdk_sts::Client,
    info: SourceInfo,
    read_only: bool,
    profile: Option<String>,
    retiring_principals: Vec<String>,
    calls: Arc<CallCounts>,
    /// The rate ceilings and throttling slowdown, shared by every call of this source.
    pacer: Arc<Pacer>,
    /// STS answers once per session: the header and the retirable tab both ask.
    caller: Arc<tokio::sync::OnceCell<CallerIdentity>>,
}

impl LiveKms {
    /// The calls made so far.
    pub fn calls(&self) -> &CallCounts {
        &self.calls
    }

    /// The pace of this source's calls (throttling seen, ceilings lowered).
    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }
}

/// The IAM role ARN behind an STS assumed-role session ARN (the path is not in the session ARN,
/// so the operator may need to edit it): `arn:aws:sts::1:assumed-role/R/s` → `arn:aws:iam::1:role/R`.
pub fn role_of_session(arn: &str) -> Option<String> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if service != "sts" {
        return None;
    }
    let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

#[async_trait]
impl KmsSource for LiveKms {
    fn info(&self) -> SourceInfo {
        self.info.clone()
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn pace(&self) -> Option<String> {
        let slowed = self.pacer.slowed_now();
        if slowed.is_empty() {
            return None;
        }
        let parts: Vec<String> = slowed
            .iter()
            .map(|(op, now, configured)| format!("{} at {now}/s of {configured}/s", op.name()))
            .collect();
        Some(format!("KMS is throttling: {}", parts.join(", ")))
    }

    async fn caller(&self) -> Result<Option<CallerIdentity>, SourceError> {
        let identity = self
            .caller
            .get_or_try_init(|| async {
                let out = self.sts.get_caller_identity().send().await.map_err(|e| {
                    classify("sts:GetCallerIdentity", "*", self.profile.as_deref(), e)
                })?;
                Ok::<_, SourceError>(CallerIdentity {
                    account: out.account().unwrap_or_default().to_owned(),
                    arn: out.arn().unwrap_or_default().to_owned(),
                })
            })
            .await?;
        Ok(Some(identity.clone()))
    }

    async fn list_keys(&self) -> Result<Vec<Key>, SourceError> {
        self.all_keys().await
    }

    async fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, SourceError> {
        let out = self
            .paced(Op::DescribeKey, &self.calls.describe_key, || async {
                self.kms
                    .describe_key()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| self.error("kms:DescribeKey", key_id, e))
            })
            .await?;
        out.key_metadata()
            .map(convert::metadata_from)
            .ok_or_else(|| SourceError::Malformed {
                action: "kms:DescribeKey".to_owned(),
                detail: format!("no KeyMetadata for key {key_id}"),
            })
    }

    async fn list_grants(&self, key_id: &str) -> Result<Vec<Grant>, SourceError> {
        self.all_grants(key_id).await
    }

    async fn known_retiring_principals(&self) -> Result<Vec<String>, SourceError> {
        let mut principals = self.retiring_principals.clone();
        // The caller is the principal an operator most often asks about. If STS cannot say
        // who that is, the list still has the configured ones.
        if let Ok(Some(caller)) = self.caller().await {
            let derived = role_of_session(&caller.arn).unwrap_or(caller.arn);
            if !derived.is_empty() && !principals.contains(&derived) {
                principals.insert(0, derived);
            }
        }
        Ok(principals)
    }

    async fn list_retirable_grants(&self, principal: &str) -> Result<Vec<Grant>, SourceError> {
        self.all_retirable_grants(principal).await
    }

    async fn find_grant(&self, key_id: &str, grant_id: &str) -> Result<Option<Grant>, SourceError> {
        self.grant_by_id(key_id, grant_id).await
    }

    async fn delete_grant(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        self.send_delete(kind, key_id, grant_id, dry_run).await
    }

    async fn create_grant(&self, grant: &Grant) -> Result<String, SourceError> {
        self.send_create(grant).await
    }

    async fn retire_with_token(
        &self,
        token: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        self.send_retire_with_token(token, dry_run).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_arns_map_to_their_role() {
        assert_eq!(
            role_of_session("arn:aws:sts::111122223333:assumed-role/AdminRole/alice").as_deref(),
            Some("arn:aws:iam::111122223333:role/AdminRole")
        );
        assert_eq!(role_of_session("arn:aws:iam::111122223333:user/bob"), None);
    }
}
