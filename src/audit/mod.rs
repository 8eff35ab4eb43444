//! The audit log: one JSON line before and one after every write (retire, revoke, restore),
//! each holding the whole grant, so nothing is deleted without a record and every deletion can
//! be undone (`kms-grants restore`).
//!
//! Each line is written whole, flushed and fsynced before the call it describes is sent. If the
//! log cannot be written, the write is refused: the caller gets the reason instead. The first
//! failed append (a full disk) takes back whatever part of its line reached the file and turns
//! the log off for the rest of the session: every later append is refused with the same reason.
//!
//! A write whose answer was lost has three records: the intent, an outcome `unknown`, and a
//! `settled` record once listing the key showed what happened. Records of one write share an
//! operation id (`op`; logs written before it existed are paired by order).
//!
//! Readers skip a line cut short by an interrupted append (with one warning) rather than refuse
//! the whole log; any other line that is not a record is an error naming its line.
//!
//! The log is split by what each part does: `record` holds the line's types (the on-disk
//! format), `log` appends lines, `read` reads them back and `history` answers questions about a
//! grant from the records read. Everything public is re-exported here: callers name
//! `audit::AuditLog`, not the file it lives in.

mod history;
mod log;
mod read;
mod record;

pub use history::{
    EarlierRestore, find_deletion, find_deletions, find_restore, restore_name, restore_refusal,
};
pub use log::{AuditError, AuditLog, Sink};
pub use read::{ReadError, Records, read, read_all};
pub use record::{AuditAction, AuditRecord, Outcome, Phase, new_op_id, now};

#[cfg(test)]
pub(crate) use log::testing;
