//! What a write is about: the grant about to be deleted with what the dialog shows of its key
//! ([`GrantTarget`]), and a deletion this session made ([`HistoryEntry`]).
//!
//! Only the types, with nothing from the rest of `app`: actions, commands, the state and the
//! dialogs all carry them, and the writes module that sends them must not be a dependency of
//! theirs.

use crate::domain::{Grant, Timestamp};
use crate::places::Target;
use crate::source::WriteKind;

/// A grant about to be deleted, with what the dialog shows about its key.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantTarget {
    pub grant: Grant,
    /// The key's aliases (may be empty, e.g. a key of another account).
    pub key_aliases: Vec<String>,
    /// The key's ARN, or the grant's `KeyId` when the key is not listed.
    pub key_arn: String,
    /// The key's state when it is known and not `Enabled` (`PendingDeletion`, …).
    pub key_state: Option<String>,
}

impl GrantTarget {
    /// The key id the write is sent for.
    pub fn key_id(&self) -> &str {
        &self.grant.key_id
    }
}

/// A grant this session deleted (for the history view and restore).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub kind: WriteKind,
    pub target: GrantTarget,
    pub at: Timestamp,
    /// The profile and region it was deleted in, and the account when known: a restore goes
    /// only there.
    pub origin: (Target, Option<String>),
    /// After a restore: the new grant's id, or why it failed; `Some(Ok(""))` while in flight.
    pub restored: Option<Result<String, String>>,
}
