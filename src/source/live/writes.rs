//! The writes: RetireGrant and RevokeGrant by key and grant id, RetireGrant by grant token, and
//! CreateGrant (for `restore`).
//!
//! Each write is refused by a read-only source before anything is sent, and is otherwise sent
//! exactly once: the SDK's retries are turned off for it ([`sent_once`]) and the pacer does not
//! try it again, because an attempt whose answer was lost may have been carried out. What the
//! answer means (done, a dry run that would succeed, a dry run the server ignored, an answer
//! lost) is decided here; the error sentences are the `errors` module's.

use super::LiveKms;
use super::convert::constraints_to_sdk;
use super::errors::SdkFailure;
use crate::domain::Grant;
use crate::source::pace::Op;
use crate::source::{LostAnswer, LostWrite, Settlement, SourceError, WriteKind, WriteOutcome};
use aws_config::retry::RetryConfig;
use aws_sdk_kms::error::ProvideErrorMetadata;

impl LiveKms {
    /// Retires or revokes grant `grant_id` on `key_id` (or asks KMS whether it would, `dry_run`).
    pub(super) async fn send_delete(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnly { action: kind });
        }
        // DryRun is only set when asked for, so a server that ignores it never sees it.
        let dry = dry_run.then_some(true);
        let resource = format!("grant {grant_id} on key {key_id}");
        let op = Op::from(kind);
        let resource = &resource;
        let write = LostWrite::Delete {
            kind,
            key_id: key_id.to_owned(),
            grant_id: grant_id.to_owned(),
        };
        let write = &write;
        // Sent once: see `sent_once`.
        let outcome = self
            .paced(op, &self.calls.writes, || async move {
                match kind {
                    WriteKind::Retire => {
                        let sent = self
                            .kms
                            .retire_grant()
                            .key_id(key_id)
                            .grant_id(grant_id)
                            .set_dry_run(dry)
                            .customize()
                            .config_override(sent_once())
                            .send()
                            .await
                            .map(|_| ());
                        self.write_outcome(write.clone(), resource, dry_run, sent)
                    }
                    WriteKind::Revoke => {
                        let sent = self
                            .kms
                            .revoke_grant()
                            .key_id(key_id)
                            .grant_id(grant_id)
                            .set_dry_run(dry)
                            .customize()
                            .config_override(sent_once())
                            .send()
                            .await
                            .map(|_| ());
                        self.write_outcome(write.clone(), resource, dry_run, sent)
                    }
                }
            })
            .await;
        outcome.map_err(|err| match err {
            SourceError::NotFound { .. } => SourceError::GrantNotFound {
                key_id: key_id.to_owned(),
                grant_id: grant_id.to_owned(),
            },
            other => other,
        })
    }

    /// Creates a grant like `grant` (its Name included) and returns the new grant's id.
    pub(super) async fn send_create(&self, grant: &Grant) -> Result<String, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnlyCreate);
        }
        use aws_sdk_kms::types::GrantOperation;
        let constraints = constraints_to_sdk(grant);
        let constraints = &constraints;
        let write = LostWrite::Create {
            key_id: grant.key_id.to_string(),
            name: grant.name.as_deref().unwrap_or_default().to_owned(),
        };
        let write = &write;
        let out = self
            .paced(Op::CreateGrant, &self.calls.writes, || async {
                self.kms
                    .create_grant()
                    .key_id(&grant.key_id)
                    .set_grantee_principal(grant.grantee_principal.as_deref().map(str::to_owned))
                    .set_grantee_service_principal(
                        grant
                            .grantee_service_principal
                            .as_deref()
                            .map(str::to_owned),
                    )
                    .set_retiring_principal(grant.retiring_principal.as_deref().map(str::to_owned))
                    .set_retiring_service_principal(
                        grant
                            .retiring_service_principal
                            .as_deref()
                            .map(str::to_owned),
                    )
                    .set_operations(Some(
                        grant
                            .operations
                            .iter()
                            .map(|op| GrantOperation::from(op.as_str()))
                            .collect(),
                    ))
                    .set_constraints(constraints.clone())
                    .set_name(grant.name.as_deref().map(str::to_owned))
                    .customize()
                    .config_override(sent_once())
                    .send()
                    .await
                    .map_err(|e| self.write_error(write.clone(), &grant.key_id, e))
            })
            .await?;
        // A success without the new grant's id: created, but which grant is unknown.
        out.grant_id()
            .map(str::to_owned)
            .ok_or_else(|| SourceError::AnswerLost {
                write: write.clone(),
                lost: LostAnswer::Unreadable,
                settled: Settlement::Unsettled,
            })
    }

    /// Retires the grant that `token` stands for (or asks KMS whether it would, `dry_run`).
    pub(super) async fn send_retire_with_token(
        &self,
        token: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnly {
                action: WriteKind::Retire,
            });
        }
        self.paced(Op::RetireGrant, &self.calls.writes, || async {
            let sent = self
                .kms
                .retire_grant()
                .grant_token(token)
                .set_dry_run(dry_run.then_some(true))
                .customize()
                .config_override(sent_once())
                .send()
                .await
                .map(|_| ());
            // The token itself is a credential: it never goes into the message.
            self.write_outcome(LostWrite::RetireToken, "a grant token", dry_run, sent)
        })
        .await
    }

    /// What a retire or revoke answer means. `DryRunOperationException` is KMS's "would have
    /// succeeded"; plain success to a DryRun request means the server ignored DryRun and the
    /// write really happened. An answer lost after the request may have been sent is
    /// [`SourceError::AnswerLost`], for the runtime to settle.
    fn write_outcome<E>(
        &self,
        write: LostWrite,
        resource: &str,
        dry_run: bool,
        sent: Result<(), SdkFailure<E>>,
    ) -> Result<WriteOutcome, SourceError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match sent {
            Ok(()) if dry_run => Ok(WriteOutcome::DoneDespiteDryRun),
            Ok(()) => Ok(WriteOutcome::Done),
            Err(e)
                if e.as_service_error().and_then(ProvideErrorMetadata::code)
                    == Some("DryRunOperationException") =>
            {
                Ok(WriteOutcome::DryRunWouldSucceed)
            }
            Err(e) => Err(self.write_error(write, resource, e)),
        }
    }
}

/// The per-call config of a write: sent once. The SDK's standard retries would send it again
/// after a timeout or a 5xx, when the first attempt may have been carried out.
fn sent_once() -> aws_sdk_kms::config::Builder {
    aws_sdk_kms::config::Builder::default().retry_config(RetryConfig::disabled())
}
