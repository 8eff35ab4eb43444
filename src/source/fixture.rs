//! `FixtureKms`: a [`KmsSource`] over a snapshot held in memory.
//!
//! Retire and revoke change the in-memory snapshot only; the file it came from is never written.
//! Errors mirror the live source's (an unknown grant is `GrantNotFound`, as KMS answers).

use super::{
    CallerIdentity, KmsSource, SourceError, SourceInfo, SourceKind, WriteKind, WriteOutcome,
};
use crate::domain::{Grant, Key, KeyMetadata, key_id_of};
use crate::fixture::Snapshot;
use async_trait::async_trait;
use std::sync::{Mutex, MutexGuard};

/// A source that serves a recorded snapshot.
#[derive(Debug)]
pub struct FixtureKms {
    kind: SourceKind,
    read_only: bool,
    snapshot: Mutex<Snapshot>,
}

impl FixtureKms {
    /// Serves `snapshot`; `kind` says where it came from (demo or a file path).
    pub fn new(snapshot: Snapshot, kind: SourceKind, read_only: bool) -> Self {
        Self {
            kind,
            read_only,
            snapshot: Mutex::new(snapshot),
        }
    }

    fn snapshot(&self) -> MutexGuard<'_, Snapshot> {
        // A panic while holding the lock cannot leave the snapshot half-changed (each write is
        // a single `retain`), so a poisoned lock is still safe to use.
        self.snapshot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of the current snapshot (after any writes), e.g. to export it.
    pub fn current(&self) -> Snapshot {
        self.snapshot().clone()
    }
}

/// 64 hex digits derived from `seed` and `salt` (deterministic, so tests can rely on it).
fn grant_id_like(seed: &str, salt: u64) -> String {
    use std::hash::{Hash, Hasher};
    (0..4u64)
        .map(|part| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (seed, salt, part).hash(&mut hasher);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

#[async_trait]
impl KmsSource for FixtureKms {
    fn info(&self) -> SourceInfo {
        let snapshot = self.snapshot();
        SourceInfo {
            kind: self.kind.clone(),
            profile: snapshot.profile.clone(),
            account: snapshot.account.clone(),
            region: snapshot.region.clone(),
            recorded_at: snapshot.recorded_at.map(|t| t.rfc3339()),
        }
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    async fn caller(&self) -> Result<Option<CallerIdentity>, SourceError> {
        Ok(None)
    }

    async fn list_keys(&self) -> Result<Vec<Key>, SourceError> {
        Ok(self.snapshot().keys.iter().map(|k| k.key.clone()).collect())
    }

    async fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, SourceError> {
        let wanted = key_id_of(key_id);
        self.snapshot()
            .keys
            .iter()
            .find(|k| k.key.id() == wanted)
            .map(|k| k.key.metadata.clone())
            .ok_or_else(|| SourceError::KeyNotFound {
                key_id: key_id.to_owned(),
            })
    }

    async fn create_grant(&self, grant: &Grant) -> Result<String, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnlyCreate);
        }
        let wanted = key_id_of(&grant.key_id).to_owned();
        let mut snapshot = self.snapshot();
        let index = snapshot
            .keys
            .iter()
            .position(|k| k.key.id() == wanted)
            .ok_or_else(|| SourceError::KeyNotFound {
                key_id: grant.key_id.to_string(),
            })?;
        // A new id shaped like KMS's (64 hex digits), unique on the key.
        let mut salt = snapshot.keys[index].grants.len() as u64;
        let new_id = loop {
            salt += 1;
            let id = grant_id_like(&grant.grant_id, salt);
            if !snapshot.keys[index].grants.iter().any(|g| g.grant_id == id) {
                break id;
            }
        };
        let mut created = grant.clone();
        created.grant_id = new_id.as_str().into();
        created.creation_date = Some(crate::domain::Timestamp::now());
        snapshot.keys[index].grants.push(created);
        Ok(new_id)
    }

    async fn retire_with_token(
        &self,
        _token: &str,
        _dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnly {
                action: WriteKind::Retire,
            });
        }
        Err(SourceError::Invalid(
            "a recorded snapshot has no grant tokens; retire by token works on a live account"
                .to_owned(),
        ))
    }

    async fn list_grants(&self, key_id: &str) -> Result<Vec<Grant>, SourceError> {
        let wanted = key_id_of(key_id);
        self.snapshot()
            .keys
            .iter()
            .find(|k| k.key.id() == wanted)
            .map(|k| k.grants.clone())
            .ok_or_else(|| SourceError::KeyNotFound {
                key_id: key_id.to_owned(),
            })
    }

    async fn known_retiring_principals(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.snapshot().retirable.keys().cloned().collect())
    }

    async fn list_retirable_grants(&self, principal: &str) -> Result<Vec<Grant>, SourceError> {
        // KMS answers an unknown principal with an empty list, not an error.
        Ok(self
            .snapshot()
            .retirable
            .get(principal)
            .cloned()
            .unwrap_or_default())
    }

    async fn delete_grant(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnly { action: kind });
        }
        let wanted = key_id_of(key_id);
        let mut snapshot = self.snapshot();
        let in_keys = snapshot.keys.iter().position(|k| k.key.id() == wanted);
        let in_retirable = snapshot
            .retirable
            .values()
            .flatten()
            .any(|g| key_id_of(&g.key_id) == wanted && g.grant_id == grant_id);
        let listed_on_key = in_keys
            .map(|i| {
                snapshot.keys[i]
                    .grants
                    .iter()
                    .any(|g| g.grant_id == grant_id)
            })
            .unwrap_or(false);
        if in_keys.is_none() && !in_retirable {
            return Err(SourceError::KeyNotFound {
                key_id: key_id.to_owned(),
            });
        }
        if !listed_on_key && !in_retirable {
            return Err(SourceError::GrantNotFound {
                key_id: key_id.to_owned(),
                grant_id: grant_id.to_owned(),
            });
        }
        if kind == WriteKind::Revoke && in_keys.is_none() {
            // RevokeGrant needs kms:RevokeGrant on the key, which a recorded cross-account
            // retirable grant does not give us; this mirrors what KMS would answer.
            return Err(SourceError::AccessDenied {
                action: kind.api_action().to_owned(),
                resource: key_id.to_owned(),
            });
        }
        if dry_run {
            return Ok(WriteOutcome::DryRunWouldSucceed);
        }
        if let Some(i) = in_keys {
            snapshot.keys[i].grants.retain(|g| g.grant_id != grant_id);
        }
        for grants in snapshot.retirable.values_mut() {
            grants.retain(|g| !(key_id_of(&g.key_id) == wanted && g.grant_id == grant_id));
        }
        Ok(WriteOutcome::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use std::path::Path;

    fn demo(read_only: bool) -> FixtureKms {
        let snapshot = fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
        FixtureKms::new(snapshot, SourceKind::Demo, read_only)
    }

    fn first_grant(source: &FixtureKms) -> (String, String) {
        let snapshot = source.current();
        let entry = snapshot.keys.iter().find(|k| !k.grants.is_empty()).unwrap();
        (
            entry.key.id().to_owned(),
            entry.grants[0].grant_id.to_string(),
        )
    }

    #[tokio::test]
    async fn revoke_removes_the_grant_from_memory_only() {
        let source = demo(false);
        let (key, grant) = first_grant(&source);
        let before = source.list_grants(&key).await.unwrap().len();
        let outcome = source
            .delete_grant(WriteKind::Revoke, &key, &grant, false)
            .await;
        assert_eq!(outcome, Ok(WriteOutcome::Done));
        let after = source.list_grants(&key).await.unwrap();
        assert_eq!(after.len(), before - 1);
        assert!(after.iter().all(|g| g.grant_id != grant));
        // The same call again: the grant is gone, as KMS would say.
        let again = source
            .delete_grant(WriteKind::Revoke, &key, &grant, false)
            .await;
        assert!(matches!(again, Err(SourceError::GrantNotFound { .. })));
    }

    #[tokio::test]
    async fn read_only_source_refuses_writes_itself() {
        let source = demo(true);
        let (key, grant) = first_grant(&source);
        for kind in [WriteKind::Retire, WriteKind::Revoke] {
            let result = source.delete_grant(kind, &key, &grant, false).await;
            assert_eq!(result, Err(SourceError::ReadOnly { action: kind }));
            // Even a dry run is refused: nothing is sent from a read-only session.
            let result = source.delete_grant(kind, &key, &grant, true).await;
            assert_eq!(result, Err(SourceError::ReadOnly { action: kind }));
        }
        assert!(
            source
                .list_grants(&key)
                .await
                .unwrap()
                .iter()
                .any(|g| g.grant_id == grant)
        );
    }

    #[tokio::test]
    async fn dry_run_changes_nothing() {
        let source = demo(false);
        let (key, grant) = first_grant(&source);
        let outcome = source
            .delete_grant(WriteKind::Retire, &key, &grant, true)
            .await;
        assert_eq!(outcome, Ok(WriteOutcome::DryRunWouldSucceed));
        assert!(
            source
                .list_grants(&key)
                .await
                .unwrap()
                .iter()
                .any(|g| g.grant_id == grant)
        );
    }

    #[tokio::test]
    async fn unknown_ids_give_not_found() {
        let source = demo(false);
        let (key, _) = first_grant(&source);
        let result = source
            .delete_grant(WriteKind::Retire, &key, "nope", false)
            .await;
        assert!(matches!(result, Err(SourceError::GrantNotFound { .. })));
        let result = source
            .delete_grant(WriteKind::Retire, "no-such-key", "nope", false)
            .await;
        assert!(matches!(result, Err(SourceError::KeyNotFound { .. })));
        assert!(matches!(
            source.list_grants("no-such-key").await,
            Err(SourceError::KeyNotFound { .. })
        ));
    }

    #[tokio::test]
    async fn retiring_a_retirable_grant_removes_it_from_both_lists() {
        let source = demo(false);
        let principals = source.known_retiring_principals().await.unwrap();
        let principal = &principals[0];
        let grants = source.list_retirable_grants(principal).await.unwrap();
        let grant = grants
            .iter()
            .find(|g| {
                source
                    .current()
                    .keys
                    .iter()
                    .any(|k| k.key.id() == key_id_of(&g.key_id))
            })
            .unwrap()
            .clone();
        source
            .delete_grant(WriteKind::Retire, &grant.key_id, &grant.grant_id, false)
            .await
            .unwrap();
        let left = source.list_retirable_grants(principal).await.unwrap();
        assert_eq!(left.len(), grants.len() - 1);
        let on_key = source.list_grants(&grant.key_id).await.unwrap();
        assert!(on_key.iter().all(|g| g.grant_id != grant.grant_id));
    }
}
