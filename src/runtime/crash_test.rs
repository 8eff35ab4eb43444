//! The crashes the end-to-end tests ask for with `KMS_GRANTS_CRASH_TEST` (tests/terminal.rs):
//! `ui` panics the UI thread, `task` makes every grant list's task panic. Compiled into debug
//! builds only; a release build ignores the variable.

use crate::domain::Grant;
use crate::source::{KmsSource, SourceError, WriteKind, WriteOutcome};
use std::sync::Arc;

/// Which crash the end-to-end tests asked for: `ui` (the UI thread) or `task` (every grant
/// list's task).
pub(super) fn crash_test() -> Option<&'static str> {
    match std::env::var("KMS_GRANTS_CRASH_TEST").ok()?.as_str() {
        "ui" => Some("ui"),
        "task" => Some("task"),
        _ => None,
    }
}

/// A source whose grant lists panic: `KMS_GRANTS_CRASH_TEST=task`.
#[derive(Debug)]
pub(super) struct PanicsListingGrants(pub(super) Arc<dyn KmsSource>);

#[async_trait::async_trait]
impl KmsSource for PanicsListingGrants {
    fn info(&self) -> crate::source::SourceInfo {
        self.0.info()
    }
    fn is_read_only(&self) -> bool {
        self.0.is_read_only()
    }
    async fn caller(&self) -> Result<Option<crate::source::CallerIdentity>, SourceError> {
        self.0.caller().await
    }
    async fn list_keys(&self) -> Result<Vec<crate::domain::Key>, SourceError> {
        self.0.list_keys().await
    }
    async fn describe_key(&self, key_id: &str) -> Result<crate::domain::KeyMetadata, SourceError> {
        self.0.describe_key(key_id).await
    }
    async fn list_grants(&self, _: &str) -> Result<Vec<Grant>, SourceError> {
        panic!("KMS_GRANTS_CRASH_TEST=task")
    }
    async fn known_retiring_principals(&self) -> Result<Vec<String>, SourceError> {
        self.0.known_retiring_principals().await
    }
    async fn list_retirable_grants(&self, principal: &str) -> Result<Vec<Grant>, SourceError> {
        self.0.list_retirable_grants(principal).await
    }
    async fn delete_grant(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        self.0.delete_grant(kind, key_id, grant_id, dry_run).await
    }
    async fn create_grant(&self, grant: &Grant) -> Result<String, SourceError> {
        self.0.create_grant(grant).await
    }
    async fn retire_with_token(
        &self,
        token: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        self.0.retire_with_token(token, dry_run).await
    }
}
