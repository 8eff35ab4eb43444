//! Retire, revoke and restore: asking (the confirmation holds exactly what will be sent),
//! sending, and the one sentence that refuses a write in a read-only session or without an
//! audit log ([`App::write_refusal`]). The answers are [`answers`]; a bulk run's outcome list is
//! [`bulk`].
//!
//! Nothing here carries a write out: the runtime does, through the audit log.

pub mod answers;
pub mod bulk;
mod target;

pub use self::target::{GrantTarget, HistoryEntry};

use self::bulk::BulkRun;
use super::data::Load;
use super::list;
use super::modal::{Modal, PendingChange};
use super::{App, Command, Level, Status, View, Write};
use crate::domain::{Grant, key_id_of};
use crate::source::WriteKind;

/// Why this session sends no write at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `--read-only`, or the config marks the account read-only (the reason says which).
    ReadOnly { reason: String },
    /// The audit log cannot be written (the reason says why): no write goes unrecorded.
    NoAuditLog { reason: String },
}

impl Refusal {
    /// How the refusal is shown.
    pub fn level(&self) -> Level {
        match self {
            Self::ReadOnly { .. } => Level::Warning,
            Self::NoAuditLog { .. } => Level::Error,
        }
    }

    /// The sentence refusing `api` (`kms:RetireGrant`, …).
    pub fn sentence(&self, api: &str) -> String {
        match self {
            Self::ReadOnly { reason } => {
                format!("this session is read-only ({reason}): {api} is turned off")
            }
            Self::NoAuditLog { reason } => reason.clone(),
        }
    }
}

impl App {
    /// Why no write may be sent now, if so: read-only first, then a missing audit log.
    pub fn write_refusal(&self) -> Option<Refusal> {
        if self.session.read_only {
            return Some(Refusal::ReadOnly {
                reason: self.session.read_only_reason.clone(),
            });
        }
        match &self.session.audit_log {
            Some(Err(reason)) => Some(Refusal::NoAuditLog {
                reason: reason.clone(),
            }),
            _ => None,
        }
    }

    /// Says why `api` is refused, if it is; `true` when it was.
    fn refuse(&mut self, api: &str) -> bool {
        match self.write_refusal() {
            Some(refusal) => {
                self.say(refusal.level(), refusal.sentence(api));
                true
            }
            None => false,
        }
    }

    /// What the status line says at start and after a switch when there is no audit log (and
    /// the session is not read-only anyway).
    pub(in crate::app) fn say_writes_are_off(&mut self) {
        if let Some(Refusal::NoAuditLog { reason }) = self.write_refusal() {
            self.say(
                Level::Warning,
                format!("retire and revoke are off: {reason}"),
            );
        }
    }

    pub(in crate::app) fn target_for(&self, grant: &Grant) -> GrantTarget {
        let key = self.data.key(&grant.key_id);
        GrantTarget {
            grant: grant.clone(),
            key_aliases: key
                .map(|k| k.aliases.iter().map(|a| a.alias_name.clone()).collect())
                .unwrap_or_default(),
            key_arn: key
                .map(|k| k.metadata.arn.clone())
                .unwrap_or_else(|| grant.key_id.to_string()),
            key_state: key
                .filter(|k| k.described && !k.metadata.key_state.is_usable())
                .map(|k| k.metadata.key_state.to_string()),
        }
    }

    /// The grant under the cursor (or shown in the detail view).
    pub(in crate::app) fn selected_grant(&self) -> Option<GrantTarget> {
        match self.current_view() {
            View::Detail(detail) => Some(detail.target.clone()),
            View::List(list) => {
                let grant = list::grant_at(&self.data, &list.kind, list.selected_index()?)?;
                Some(self.target_for(grant))
            }
        }
    }

    pub(in crate::app) fn ask_delete(&mut self, kind: WriteKind) -> Vec<Command> {
        // No deletion goes unrecorded: without an audit log, nothing is even offered.
        if self.refuse(kind.api_action()) {
            return Vec::new();
        }
        if !self.writes.marks.is_empty() {
            return self.ask_delete_marked(kind);
        }
        let Some(target) = self.selected_grant() else {
            self.say(
                Level::Info,
                format!("no grant under the cursor to {}", kind.verb()),
            );
            return Vec::new();
        };
        if self
            .writes
            .in_flight_ids
            .contains_key(&target.grant.id_pair())
        {
            self.say(
                Level::Info,
                format!(
                    "{} is being deleted; wait for the answer",
                    describe_grant(&target)
                ),
            );
            return Vec::new();
        }
        if let Some(done) =
            self.data
                .pending_delete(&target.grant.key_id, &target.grant.grant_id, self.now)
        {
            self.say(
                Level::Info,
                format!(
                    "{} was already {} this session; KMS may list it for a few minutes (ctrl-r reloads)",
                    describe_grant(&target),
                    done.past()
                ),
            );
            return Vec::new();
        }
        self.screen.status = None;
        self.screen.modal = Modal::Confirm(PendingChange::new(
            kind,
            vec![target],
            None,
            self.session.dry_run,
        ));
        Vec::new()
    }

    /// The marked grants, as the data has them now (a mark whose grant is no longer listed is
    /// dropped and counted).
    pub(in crate::app) fn marked_targets(&mut self) -> (Vec<GrantTarget>, usize) {
        use crate::app::data::FastMap;
        // Marks are ordered by key id: each marked key's grants are indexed once, by grant id,
        // when its first mark comes, not scanned once per mark (50,000 marks on one key would
        // scan its 50,000 grants 50,000 times). The retirable lists, where a mark on another
        // account's key comes from, are indexed only if a mark is not in its key's list.
        let mut of_key: (&str, FastMap<&str, &Grant>) = ("", FastMap::default());
        let mut retirable: Option<FastMap<(&str, &str), &Grant>> = None;
        let mut targets = Vec::with_capacity(self.writes.marks.len());
        let mut missing = Vec::new();
        // What the dialog shows of a key is the same for each of its grants: looked up once
        // (kept without its grant, so that no grant is copied twice per mark).
        let mut key_part: Option<GrantTarget> = None;
        for mark @ (key_id, grant_id) in &self.writes.marks {
            if of_key.0 != key_id.as_str() {
                let grants = self.data.grants_of(key_id).map_or(&[][..], Vec::as_slice);
                let mut index = FastMap::with_capacity_and_hasher(grants.len(), Default::default());
                for grant in grants {
                    index.entry(&*grant.grant_id).or_insert(grant);
                }
                of_key = (key_id, index);
                key_part = None;
            }
            let grant = match of_key.1.get(grant_id.as_str()) {
                Some(&grant) => grant,
                None => {
                    let by_id = retirable.get_or_insert_with(|| {
                        let mut by_id = FastMap::default();
                        for grant in self
                            .data
                            .retirable
                            .values()
                            .filter_map(Load::loaded)
                            .flatten()
                        {
                            by_id
                                .entry((key_id_of(&grant.key_id), &*grant.grant_id))
                                .or_insert(grant);
                        }
                        by_id
                    });
                    match by_id.get(&(key_id.as_str(), grant_id.as_str())) {
                        Some(&grant) => grant,
                        None => {
                            missing.push(mark.clone());
                            continue;
                        }
                    }
                }
            };
            // Grants already deleted, or whose delete is still on its way, are not sent again.
            if (!self.data.pending.is_empty() && self.data.pending.contains_key(mark))
                || (!self.writes.in_flight_ids.is_empty()
                    && self.writes.in_flight_ids.contains_key(mark))
            {
                continue;
            }
            let target = match &key_part {
                Some(part) => GrantTarget {
                    grant: grant.clone(),
                    key_aliases: part.key_aliases.clone(),
                    key_arn: part.key_arn.clone(),
                    key_state: part.key_state.clone(),
                },
                None => {
                    let target = self.target_for(grant);
                    key_part = Some(target.clone());
                    target
                }
            };
            targets.push(target);
        }
        for mark in &missing {
            self.writes.marks.remove(mark);
        }
        // Grouped by key (marks are ordered by key id), which is how the dialog lists them.
        (targets, missing.len())
    }

    pub(in crate::app) fn ask_delete_marked(&mut self, kind: WriteKind) -> Vec<Command> {
        let (targets, missing) = self.marked_targets();
        if targets.is_empty() {
            self.say(
                Level::Info,
                "the marked grants are no longer listed or were already deleted; nothing to do",
            );
            return Vec::new();
        }
        self.screen.status = (missing > 0).then(|| Status {
            level: Level::Warning,
            text: format!("{missing} marked grant(s) are no longer listed and were unmarked"),
        });
        let mut change = PendingChange::new(kind, targets, None, self.session.dry_run);
        // The findings of each key are looked up once, not once per grant.
        let mut of_key = ("", None);
        for (flag, target) in change.service.iter_mut().zip(&change.targets) {
            let key_id = key_id_of(&target.grant.key_id);
            if of_key.0 != key_id {
                of_key = (key_id, self.data.findings_of_key(key_id));
            }
            *flag = self.data.is_for_a_service_in(
                of_key.1,
                &target.grant,
                self.now,
                self.session.stale_after_days,
            );
        }
        self.screen.modal = Modal::Confirm(change);
        Vec::new()
    }

    pub(in crate::app) fn confirm(&mut self) -> Vec<Command> {
        if !self.screen.confirm_fits.get() {
            self.say(
                Level::Warning,
                "the confirmation does not fit this terminal: enlarge it to see everything before confirming",
            );
            return Vec::new();
        }
        if let Some((_, to)) = &self.session.switching {
            // The answer decides which account the write would go to: wait for it.
            let text = format!(
                "a switch to {to} is on its way: nothing was sent (confirm again once it has answered)"
            );
            self.say(Level::Warning, text);
            return Vec::new();
        }
        let Modal::Confirm(change) = std::mem::replace(&mut self.screen.modal, Modal::None) else {
            return Vec::new();
        };
        if let Some(Refusal::ReadOnly { .. }) = self.write_refusal() {
            self.say(
                Level::Warning,
                "this session is read-only: nothing was sent",
            );
            return Vec::new();
        }
        if let Some(token) = change.token {
            self.writes.in_flight += 1;
            self.say(Level::Info, "retiring the grant of that token…");
            return vec![Command::Write(Write::RetireToken {
                token,
                dry_run: change.dry_run,
            })];
        }
        if change.targets.len() > 1 {
            // A bulk run: the outcome list opens at once and fills in as answers arrive.
            self.writes.bulk = Some(BulkRun::new(change.kind, change.dry_run, &change.targets));
            self.screen.modal = Modal::Outcomes { scroll: 0 };
        }
        self.writes.in_flight += change.targets.len();
        self.writes.in_flight_ids.reserve(change.targets.len());
        for target in &change.targets {
            self.writes
                .in_flight_ids
                .insert(target.grant.id_pair(), change.dry_run);
        }
        let count = change.targets.len();
        let what = match change.targets.first() {
            Some(target) if count == 1 => describe_grant(target),
            _ => format!("{count} grants"),
        };
        let verb = if change.dry_run {
            format!("dry run: {}", change.kind.verb())
        } else {
            change.kind.verb().to_owned()
        };
        self.say(Level::Info, format!("{verb} {what}…"));
        change
            .targets
            .into_iter()
            .map(|target| {
                Command::Write(Write::Delete {
                    kind: change.kind,
                    target: Box::new(target),
                    dry_run: change.dry_run,
                })
            })
            .collect()
    }

    /// Sends the restore of history entry `entry` (after the operator's `y`).
    pub(in crate::app) fn restore_entry(&mut self, entry: usize) -> Vec<Command> {
        if let Some((_, to)) = &self.session.switching {
            let text = format!(
                "a switch to {to} is on its way: nothing was created (restore once it has answered)"
            );
            self.say(Level::Warning, text);
            return Vec::new();
        }
        let Some(item) = self.writes.history.get_mut(entry) else {
            return Vec::new();
        };
        item.restored = Some(Ok(String::new()));
        let what = describe_grant(&item.target);
        // Counted like any write: `q` asks while it is on its way.
        self.writes.in_flight += 1;
        let command = Command::Write(Write::Restore {
            entry,
            grant: Box::new(item.target.grant.clone()),
            key: item.target.key_arn.clone(),
        });
        self.say(Level::Info, format!("restoring {what}…"));
        vec![command]
    }

    /// `:retire-token TOKEN`: asks before retiring the grant a token names.
    pub(in crate::app) fn ask_retire_token(&mut self, token: &str) -> Vec<Command> {
        if !self.refuse(WriteKind::Retire.api_action()) {
            self.screen.status = None;
            self.screen.modal = Modal::Confirm(PendingChange::new(
                WriteKind::Retire,
                Vec::new(),
                Some(token.to_owned()),
                self.session.dry_run,
            ));
        }
        Vec::new()
    }

    /// Whether history entry `entry` may be restored now; says why not when it may not.
    pub(in crate::app) fn may_restore(&mut self, entry: usize) -> bool {
        let restorable = self
            .writes
            .history
            .get(entry)
            .is_some_and(|e| !matches!(e.restored, Some(Ok(_))));
        let (here, account) = (&self.session.target, &self.session.info.account);
        let elsewhere = self
            .writes
            .history
            .get(entry)
            .map(|e| &e.origin)
            .filter(|(target, deleted_in)| {
                // An account learnt after the delete (STS answered later) is no reason to
                // refuse; a different one is.
                target != here || matches!((deleted_in, account), (Some(a), Some(b)) if a != b)
            })
            .map(|(target, _)| target.clone());
        if let Some(origin) = elsewhere {
            // CreateGrant would go to the account and region on screen now.
            self.say(
                Level::Warning,
                format!(
                    "that grant was deleted on {origin}: switch back there to restore it (or use kms-grants restore)"
                ),
            );
            false
        } else if self.refuse("kms:CreateGrant") {
            // No write goes unrecorded: a restore is not even offered.
            false
        } else if self.session.dry_run {
            self.say(
                Level::Warning,
                "dry run is on: a restore would create a grant for real, so it is not sent (:dry-run off first)",
            );
            false
        } else if restorable {
            true
        } else {
            self.say(Level::Info, "that grant was already restored");
            false
        }
    }
}

/// `grant 0c237476… (name) on alias/payments`.
pub fn describe_grant(target: &GrantTarget) -> String {
    describe_grant_on(target, key_label(target))
}

/// What [`describe_grant`] names a target's key by: its first alias, else its id.
pub(in crate::app) fn key_label(target: &GrantTarget) -> &str {
    target
        .key_aliases
        .first()
        .map_or_else(|| key_id_of(&target.key_arn), String::as_str)
}

/// [`describe_grant`] with the key's label already worked out (a bulk run names thousands of
/// grants of the same key).
pub(in crate::app) fn describe_grant_on(target: &GrantTarget, key: &str) -> String {
    let grant = &target.grant;
    match grant.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => format!(
            "grant {} ({name}) on {key}",
            crate::domain::display::short_id(&grant.grant_id)
        ),
        None => format!(
            "grant {} on {key}",
            crate::domain::display::short_id(&grant.grant_id)
        ),
    }
}
