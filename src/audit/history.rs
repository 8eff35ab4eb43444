//! What the audit log says about a grant: whether it was really deleted in a live account (what
//! `kms-grants restore` can bring back), and whether an earlier restore of it created it or may
//! have (so that a restore is never sent twice).
//!
//! Pure functions over records already read ([`read`](super::read())); nothing here touches a file or
//! KMS.

use super::record::{AuditAction, AuditRecord, Outcome, Phase};
use crate::domain::Grant;

/// The last record showing that grant `grant_id` was really retired or revoked in a live
/// account. (A delete in a demo or fixture session changed memory only: nothing to restore.)
pub fn find_deletion<'a>(records: &'a [AuditRecord], grant_id: &str) -> Option<&'a AuditRecord> {
    find_deletions(records, grant_id).into_iter().next_back()
}

/// Every record showing that grant `grant_id` was really retired or revoked in a live
/// account, oldest first, one per key (the last on each): a grant id found on several keys
/// needs the operator to say which.
pub fn find_deletions<'a>(records: &'a [AuditRecord], grant_id: &str) -> Vec<&'a AuditRecord> {
    let mut found: Vec<&AuditRecord> = Vec::new();
    for record in records.iter().filter(|r| {
        r.is_deletion()
            && r.source == "live"
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    }) {
        found.retain(|r| r.key != record.key);
        found.push(record);
    }
    found
}

/// An earlier restore of a grant that stands in the way of another.
#[derive(Debug, Clone, PartialEq)]
pub enum EarlierRestore<'a> {
    /// It created a grant: its outcome (or the listing after a lost answer) says so.
    Restored {
        record: &'a AuditRecord,
        new_grant_id: Option<String>,
    },
    /// Its outcome is unknown: it was cut off before its outcome was written, or its answer was
    /// lost and the listing could not tell.
    Unknown { intent: &'a AuditRecord },
}

/// The last restore of grant `grant_id` that created it or may have: a restore whose outcome
/// says it failed cleanly (or whose lost answer the listing showed came to nothing) is no
/// reason not to try again. Each CreateGrant intent is paired with its outcome and settled
/// records by operation id, or in logs without one by the next outcome of that grant.
pub fn find_restore<'a>(records: &'a [AuditRecord], grant_id: &str) -> Option<EarlierRestore<'a>> {
    let of_grant = |r: &AuditRecord| {
        r.action == AuditAction::CreateGrant
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    };
    let mut found = None;
    for (i, intent) in records.iter().enumerate() {
        if intent.phase != Phase::Intent || !of_grant(intent) {
            continue;
        }
        let later = &records[i + 1..];
        let (outcome, settled) = match &intent.op {
            Some(op) => {
                let of_op = |phase: Phase| {
                    later
                        .iter()
                        .find(|r| r.phase == phase && r.op.as_ref() == Some(op))
                };
                (of_op(Phase::Outcome), of_op(Phase::Settled))
            }
            None => (
                later
                    .iter()
                    .find(|r| r.phase == Phase::Outcome && r.op.is_none() && of_grant(r)),
                None,
            ),
        };
        let restored = |record: &'a AuditRecord| EarlierRestore::Restored {
            record,
            new_grant_id: record.new_grant_id.clone(),
        };
        let status = match (outcome, settled) {
            (None, _) => Some(EarlierRestore::Unknown { intent }),
            (Some(o), _) if o.outcome == Some(Outcome::Error) => None,
            (Some(o), _) if o.outcome == Some(Outcome::Done) => Some(restored(o)),
            (Some(_), Some(s)) if s.outcome == Some(Outcome::Created) => Some(restored(s)),
            (Some(_), Some(s)) if s.outcome == Some(Outcome::NotCreated) => None,
            // Unknown and not settled, settled still unknown, or a value this version does
            // not know: it may have created the grant.
            (Some(_), _) => Some(EarlierRestore::Unknown { intent }),
        };
        if status.is_some() {
            found = status;
        }
    }
    found
}

/// Why grant `grant_id` may not be restored again, if an earlier restore stands in the way
/// (see [`find_restore`]).
pub fn restore_refusal(records: &[AuditRecord], grant_id: &str) -> Option<String> {
    Some(match find_restore(records, grant_id)? {
        EarlierRestore::Restored {
            record,
            new_grant_id: Some(id),
        } => format!(
            "grant {grant_id} was already restored as {id} at {} (audit log); nothing was created",
            record.time
        ),
        EarlierRestore::Restored { record, .. } => format!(
            "grant {grant_id} was already restored at {} (audit log); nothing was created",
            record.time
        ),
        EarlierRestore::Unknown { intent } => format!(
            "a restore of grant {grant_id} was started at {} and its outcome is unknown; check the key's grants (a grant named {}) before restoring again",
            intent.time,
            intent
                .grant
                .as_ref()
                .map(restore_name)
                .unwrap_or_else(|| "like it".to_owned())
        ),
    })
}

/// The Name a restore of `grant` sends: the original's, or for an unnamed grant one derived
/// from its id. With a Name, CreateGrant is idempotent: sent again (by anyone) with the same
/// parameters, it gives back the same grant instead of a second one.
pub fn restore_name(grant: &Grant) -> String {
    match grant.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => name.to_owned(),
        None => format!("kms-grants-restore-{}", grant.grant_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::record::tests::record;

    fn grant(id: &str) -> Grant {
        serde_json::from_str(&format!(r#"{{"KeyId": "k1", "GrantId": "{id}"}}"#)).unwrap()
    }

    /// A restore's records: CreateGrant of grant `g1`, in operation `op` (or none: an old log).
    fn restore(phase: Phase, op: Option<&str>, outcome: Option<Outcome>) -> AuditRecord {
        let mut r = record(phase, outcome);
        r.action = AuditAction::CreateGrant;
        r.source = "live".into();
        r.op = op.map(str::to_owned);
        r.grant = Some(grant("g1"));
        if outcome == Some(Outcome::Done) || outcome == Some(Outcome::Created) {
            r.new_grant_id = Some(format!("new-{}", op.unwrap_or("old")));
        }
        r
    }

    fn blocked_by(records: &[AuditRecord]) -> Option<String> {
        find_restore(records, "g1").map(|found| match found {
            EarlierRestore::Restored { new_grant_id, .. } => {
                format!("restored {}", new_grant_id.unwrap_or_default())
            }
            EarlierRestore::Unknown { intent } => {
                format!("unknown {}", intent.op.clone().unwrap_or_default())
            }
        })
    }

    #[test]
    fn a_restore_that_failed_cleanly_does_not_block_the_next() {
        use Phase::{Intent, Outcome as Out, Settled};
        let failed = [
            restore(Intent, Some("a"), None),
            restore(Out, Some("a"), Some(Outcome::Error)),
        ];
        assert_eq!(blocked_by(&failed), None);
        // Then one that worked: that one blocks.
        let mut log = failed.to_vec();
        log.push(restore(Intent, Some("b"), None));
        log.push(restore(Out, Some("b"), Some(Outcome::Done)));
        assert_eq!(blocked_by(&log).as_deref(), Some("restored new-b"));
        // Cut off before its outcome: it may have created the grant.
        let cut = [restore(Intent, Some("c"), None)];
        assert_eq!(blocked_by(&cut).as_deref(), Some("unknown c"));
        // An answer lost: blocks until the listing says it came to nothing.
        let lost = [
            restore(Intent, Some("d"), None),
            restore(Out, Some("d"), Some(Outcome::Unknown)),
        ];
        assert_eq!(blocked_by(&lost).as_deref(), Some("unknown d"));
        let mut not_created = lost.to_vec();
        not_created.push(restore(Settled, Some("d"), Some(Outcome::NotCreated)));
        assert_eq!(blocked_by(&not_created), None);
        let mut still = lost.to_vec();
        still.push(restore(Settled, Some("d"), Some(Outcome::StillUnknown)));
        assert_eq!(blocked_by(&still).as_deref(), Some("unknown d"));
        let mut created = lost.to_vec();
        created.push(restore(Settled, Some("d"), Some(Outcome::Created)));
        assert_eq!(blocked_by(&created).as_deref(), Some("restored new-d"));
    }

    #[test]
    fn records_pair_by_operation_id_and_old_logs_by_order() {
        use Phase::{Intent, Outcome as Out};
        // Two restores at once: the one that worked is found, whatever the order of answers.
        let interleaved = [
            restore(Intent, Some("a"), None),
            restore(Intent, Some("b"), None),
            restore(Out, Some("b"), Some(Outcome::Error)),
            restore(Out, Some("a"), Some(Outcome::Done)),
        ];
        assert_eq!(blocked_by(&interleaved).as_deref(), Some("restored new-a"));
        let mut a_failed = interleaved.to_vec();
        a_failed[3].outcome = Some(Outcome::Error);
        a_failed[3].new_grant_id = None;
        assert_eq!(blocked_by(&a_failed), None);
        // A log written before operation ids: each intent takes the next outcome.
        let old = [
            restore(Intent, None, None),
            restore(Out, None, Some(Outcome::Error)),
        ];
        assert_eq!(
            blocked_by(&old),
            None,
            "today's bug: the intent used to match"
        );
        let mut old_then_done = old.to_vec();
        old_then_done.push(restore(Intent, None, None));
        old_then_done.push(restore(Out, None, Some(Outcome::Done)));
        assert_eq!(
            blocked_by(&old_then_done).as_deref(),
            Some("restored new-old")
        );
        let mut old_cut = old.to_vec();
        old_cut.push(restore(Intent, None, None));
        assert_eq!(blocked_by(&old_cut).as_deref(), Some("unknown "));
    }

    #[test]
    fn a_restore_sends_the_original_name_or_one_derived_from_the_id() {
        let mut grant = grant("0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60");
        assert_eq!(
            restore_name(&grant),
            "kms-grants-restore-0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60"
        );
        grant.name = Some("fraud-scoring".into());
        assert_eq!(restore_name(&grant), "fraud-scoring");
    }
}
