//! What a write's answer does: a grant deleted (or already gone, failed, a dry run, an answer
//! lost) changes the marks, the pending deletes, the history and the status line; a token
//! retired, a restore and an audit failure likewise.
//!
//! The sentences are the ones the operator reads in the status line and the outcome list.

use super::{GrantTarget, HistoryEntry, describe_grant};
use crate::app::data::PendingDelete;
use crate::app::list::{GrantColumn, KeyColumn, ListKind};
use crate::app::modal::Modal;
use crate::app::{App, Command, Level, View, Wrote};
use crate::domain::{Grant, key_id_of};
use crate::source::{LostWrite, Settlement, SourceError, WriteKind, WriteOutcome};

impl App {
    /// A write's outcome.
    pub(in crate::app) fn on_wrote(&mut self, wrote: Wrote) -> Vec<Command> {
        match wrote {
            Wrote::Restored { entry, result } => {
                self.writes.in_flight = self.writes.in_flight.saturating_sub(1);
                let mut commands = Vec::new();
                if let Some(item) = self.writes.history.get_mut(entry) {
                    let what = describe_grant(&item.target);
                    let key = key_id_of(&item.target.grant.key_id).to_owned();
                    match &result {
                        Ok(restored) => {
                            let id = &restored.grant_id;
                            item.restored = Some(Ok(id.clone()));
                            let text = match restored.lost {
                                None => {
                                    format!(
                                        "restored {what} as new grant {}",
                                        crate::domain::display::short_id(id)
                                    )
                                }
                                Some(lost) => format!(
                                    "the answer to kms:CreateGrant for {what} was lost ({lost}); listing the key shows grant {} named {}: restored",
                                    crate::domain::display::short_id(id),
                                    restored.name
                                ),
                            };
                            self.say(Level::Success, text);
                            commands.push(self.load_grants_now(&key, true));
                        }
                        Err(err) => {
                            item.restored = Some(Err(err.to_string()));
                            self.say(Level::Error, format!("could not restore {what}: {err}"));
                        }
                    }
                }
                commands
            }
            Wrote::AuditFailed {
                grant,
                said,
                reason,
            } => {
                // Writes are off at once: the header says NO AUDIT LOG, x and X leave the
                // footer and are refused. (The runtime refuses any write already queued.)
                self.session.audit_log = Some(Err(reason));
                if let Some(bulk) = &mut self.writes.bulk
                    && let Some(&row) = grant.as_ref().and_then(|id| bulk.index.get(id))
                {
                    bulk.replace(row, Level::Error, said.clone());
                }
                self.say(Level::Error, said);
                Vec::new()
            }
            Wrote::TokenRetired { result } => {
                self.writes.in_flight = self.writes.in_flight.saturating_sub(1);
                match result {
                    Ok(WriteOutcome::Done | WriteOutcome::DoneAnswerLost(_)) => self.say(
                        Level::Success,
                        "retired the grant of that token (reload to see the lists change)",
                    ),
                    Ok(WriteOutcome::DoneDespiteDryRun) => self.say(
                        Level::Warning,
                        "the endpoint ignored DryRun: the grant of that token was really retired",
                    ),
                    Ok(WriteOutcome::DryRunWouldSucceed) => self.say(
                        Level::Info,
                        "dry run: kms:RetireGrant with that token would succeed; nothing was changed",
                    ),
                    Err(err) => self.say(Level::Error, format!("could not retire by token: {err}")),
                }
                Vec::new()
            }
            Wrote::Deleted {
                kind,
                target,
                result,
            } => self.grant_deleted(kind, &target, result),
        }
    }

    pub(in crate::app) fn grant_deleted(
        &mut self,
        kind: WriteKind,
        target: &GrantTarget,
        result: Result<WriteOutcome, SourceError>,
    ) -> Vec<Command> {
        self.writes.in_flight = self.writes.in_flight.saturating_sub(1);
        let grant = &target.grant;
        let what = describe_grant(target);
        let was_dry_run = self
            .writes
            .in_flight_ids
            .remove(&grant.id_pair())
            .unwrap_or(false);
        let id = grant.id_pair();
        // Deleted (or already gone): unmarked. Failed, a dry run, or an answer lost that the
        // listing did not show gone: stays marked for another try (a delete sent again is
        // harmless: a grant already gone is "not found").
        let gone = matches!(
            result,
            Ok(WriteOutcome::Done
                | WriteOutcome::DoneDespiteDryRun
                | WriteOutcome::DoneAnswerLost(_))
                | Err(SourceError::GrantNotFound { .. })
        );
        if gone {
            self.writes.marks.remove(&id);
        }
        match result {
            Ok(
                outcome @ (WriteOutcome::Done
                | WriteOutcome::DoneDespiteDryRun
                | WriteOutcome::DoneAnswerLost(_)),
            ) => {
                // KMS may list the grant for a while yet: it stays, marked pending, until a
                // reload no longer lists it (or five minutes pass).
                self.data
                    .pending
                    .insert(grant.id_pair(), PendingDelete { kind, at: self.now });
                // The Name cell now says "revoked · pending": a filter or a sort by name may
                // see it. The grant stays listed, so the key's rows change only then; otherwise
                // its cached text is dropped and the rows stay (a bulk run of 50,000 would
                // re-sort the key's list once per answer).
                let key_id = key_id_of(&grant.key_id).to_owned();
                self.refresh(Some(&key_id), |list| match &list.kind {
                    ListKind::Grants { key_id: k } => {
                        key_id_of(k) == key_id
                            && (!list.filter.is_empty()
                                || list.grant_sort() == Some(GrantColumn::Name))
                    }
                    ListKind::Retirable { .. } => true,
                    _ => false,
                });
                self.close_detail_of(grant);
                self.writes.history.push(HistoryEntry {
                    kind,
                    target: target.clone(),
                    at: self.now,
                    origin: (
                        self.session.target.clone(),
                        self.session.info.account.clone(),
                    ),
                    restored: None,
                });
                match outcome {
                    WriteOutcome::DoneDespiteDryRun => self.say(
                        Level::Warning,
                        format!(
                            "the endpoint ignored DryRun: {what} was really {}",
                            kind.past()
                        ),
                    ),
                    // Shown with ! in the outcome list: it needed a second look.
                    WriteOutcome::DoneAnswerLost(lost) => self.say(
                        Level::Warning,
                        format!(
                            "the answer to {} of {what} was lost ({lost}); listing the key shows it is gone: {}",
                            kind.api_action(),
                            kind.past()
                        ),
                    ),
                    _ => self.say(Level::Success, format!("{} {what}", kind.past())),
                }
            }
            Ok(WriteOutcome::DryRunWouldSucceed) => {
                self.say(
                    Level::Info,
                    format!(
                        "dry run: {} of {what} would succeed; nothing was changed",
                        kind.api_action()
                    ),
                );
            }
            Err(SourceError::GrantNotFound { .. }) => {
                self.forget_grant(grant);
                self.say(Level::Warning, format!("{what} was already gone"));
            }
            Err(SourceError::AnswerLost {
                write: LostWrite::Delete { .. },
                lost,
                settled,
            }) => {
                let head = format!(
                    "{}the answer to {} of {what} was lost ({lost})",
                    if was_dry_run { "dry run: " } else { "" },
                    kind.api_action()
                );
                let text = match settled {
                    Settlement::NotDone => format!(
                        "{head}; listing the key shows it is still there: not {} (it stays marked; KMS can list a deleted grant for a few minutes, ctrl-r reloads)",
                        kind.past()
                    ),
                    Settlement::StillUnknown(why) => format!(
                        "{head}, and whether it was {} is still unknown ({why}): it stays marked; reload the key (ctrl-r) to see",
                        kind.past()
                    ),
                    Settlement::Unsettled => format!(
                        "{head}, so whether it was {} is unknown: it stays marked; reload the key (ctrl-r) to see",
                        kind.past()
                    ),
                };
                self.say(Level::Error, text);
            }
            Err(err) if was_dry_run => {
                self.say(
                    Level::Error,
                    format!("dry run: {} of {what} would fail: {err}", kind.api_action()),
                );
            }
            Err(err) => {
                self.say(
                    Level::Error,
                    format!("could not {} {what}: {err}", kind.verb()),
                );
            }
        }
        self.record_outcome(&id);
        if matches!(self.screen.modal, Modal::ConfirmQuit) && self.writes.in_flight == 0 {
            self.screen.modal = Modal::None;
        }
        Vec::new()
    }

    /// Drops a deleted grant from the data, the views and a detail view showing it.
    pub(in crate::app) fn forget_grant(&mut self, grant: &Grant) {
        self.data.remove_grant(&grant.key_id, &grant.grant_id);
        self.data
            .compute_findings(&grant.key_id, self.now, self.session.stale_after_days);
        self.close_detail_of(grant);
        let key_id = key_id_of(&grant.key_id).to_owned();
        self.refresh(Some(&key_id), |list| match &list.kind {
            ListKind::Grants { key_id: k } => *k == key_id,
            ListKind::Retirable { .. } | ListKind::Principals => true,
            ListKind::Keys => {
                !list.filter.is_empty()
                    || list.key_sort().is_some_and(KeyColumn::changes_with_grants)
            }
        });
    }

    /// Closes a detail view that shows `grant`.
    pub(in crate::app) fn close_detail_of(&mut self, grant: &Grant) {
        for stack in &mut self.screen.stacks {
            let showing_it = matches!(stack.last(), Some(View::Detail(d))
                if d.target.grant.grant_id == grant.grant_id
                    && key_id_of(&d.target.grant.key_id) == key_id_of(&grant.key_id));
            if showing_it && stack.len() > 1 {
                stack.pop();
            }
        }
    }
}
