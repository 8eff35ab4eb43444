//! Carries out one of the app's commands and returns its results as the app's actions: reads
//! go straight to the source, writes through the audited [`Writer`](crate::writer::Writer), and
//! an export to a file.
//!
//! It does not decide when or how many run at once (the dispatcher does), and it does not
//! record writes itself: [`crate::writer`] does, for the app and `kms-grants restore` alike.

use crate::app::export::ExportError;
use crate::app::{Action, Command, Done, Effect, GrantTarget, Loaded, Read, Write, Wrote};
use crate::source::{KmsSource, WriteKind};
use crate::writer::{Audit, Unrecorded, Writer};
use std::sync::Arc;

/// Carries out commands: the source, and the audit log every write goes through.
#[derive(Debug)]
pub struct Executor {
    pub source: Arc<dyn KmsSource>,
    pub audit: Audit,
}

impl Executor {
    /// Carries out one command and returns its results as actions (none for commands the event
    /// loop handles itself, such as `Quit`).
    pub async fn perform(&self, command: Command) -> Vec<Action> {
        let source = self.source.as_ref();
        let action = match command {
            Command::Read(Read::Caller { req }) => Action::Loaded(Loaded::Caller {
                req,
                result: source.caller().await,
            }),
            Command::Read(Read::Keys { req }) => Action::Loaded(Loaded::Keys {
                req,
                result: source.list_keys().await,
            }),
            Command::Read(Read::Describe { req, key_id }) => {
                let result = source.describe_key(&key_id).await;
                Action::Loaded(Loaded::Described {
                    req,
                    key_id,
                    result,
                })
            }
            Command::Write(Write::RetireToken { token, dry_run }) => {
                let written = self.writer().retire_token(&token, dry_run).await;
                return with_audit_failure(
                    Action::Wrote(Wrote::TokenRetired {
                        result: written.result,
                    }),
                    None,
                    written.unrecorded,
                );
            }
            Command::Read(Read::Grants { req, key_id, .. }) => {
                let result = source.list_grants(&key_id).await;
                Action::Loaded(Loaded::Grants {
                    req,
                    key_id,
                    result,
                })
            }
            Command::Read(Read::Principals { req }) => Action::Loaded(Loaded::Principals {
                req,
                result: source.known_retiring_principals().await,
            }),
            Command::Read(Read::Retirable { req, principal }) => {
                let result = source.list_retirable_grants(&principal).await;
                Action::Loaded(Loaded::Retirable {
                    req,
                    principal,
                    result,
                })
            }
            Command::Write(Write::Delete {
                kind,
                target,
                dry_run,
            }) => return self.delete_grant(kind, target, dry_run).await,
            Command::Write(Write::Restore { entry, grant, key }) => {
                let what = format!(
                    "grant {} on key {}",
                    crate::domain::display::short_id(&grant.grant_id),
                    crate::domain::key_id_of(&key)
                );
                let written = self.writer().restore(&grant, &key, &what).await;
                return with_audit_failure(
                    Action::Wrote(Wrote::Restored {
                        entry,
                        result: written.result,
                    }),
                    None,
                    written.unrecorded,
                );
            }
            Command::Effect(Effect::Export {
                path,
                contents,
                rows,
                overwrite,
            }) => {
                let target = std::path::Path::new(&path);
                let result = if let Err(err) = crate::atomic::check_output(target) {
                    Err(ExportError::NotAFile(err.reason()))
                } else if !overwrite && target.exists() {
                    Err(ExportError::Exists { path: path.clone() })
                } else {
                    crate::atomic::write(target, contents.as_bytes())
                        .map_err(|e| ExportError::Io(crate::io_reason::io_reason(&e)))
                };
                Action::Done(Done::Exported { path, rows, result })
            }
            // The event loop writes to the terminal and switches sources itself.
            Command::Effect(Effect::Copy { .. })
            | Command::Effect(Effect::Quit)
            | Command::Effect(Effect::Switch { .. }) => return Vec::new(),
        };
        vec![action]
    }

    /// The audited writer over this executor's source and log.
    fn writer(&self) -> Writer<'_> {
        Writer::new(self.source.as_ref(), &self.audit)
    }

    async fn delete_grant(
        &self,
        kind: WriteKind,
        target: Box<GrantTarget>,
        dry_run: bool,
    ) -> Vec<Action> {
        let what = crate::app::describe_grant(&target);
        let written = self
            .writer()
            .delete(kind, &target.key_arn, &target.grant, &what, dry_run)
            .await;
        let grant = Some(target.grant.id_pair());
        with_audit_failure(
            Action::Wrote(Wrote::Deleted {
                kind,
                target,
                result: written.result,
            }),
            grant,
            written.unrecorded,
        )
    }
}

/// A write's result, followed by the app's notice that the log failed when a record could not
/// be written: writes are off from then on. `grant` is the grant the notice is about, when the
/// app shows one.
fn with_audit_failure(
    result: Action,
    grant: Option<(String, String)>,
    unrecorded: Option<Unrecorded>,
) -> Vec<Action> {
    let mut actions = vec![result];
    if let Some(Unrecorded { said, error }) = unrecorded {
        actions.push(Action::Wrote(Wrote::AuditFailed {
            grant,
            said,
            reason: format!("{error}: writes are off for this session"),
        }));
    }
    actions
}
