//! The side effects [`App::update`](super::App::update) asks the runtime to carry out: reads of
//! the source ([`Read`]), writes to it ([`Write`]), and local effects ([`Effect`]). Their results
//! come back as [`Action`]s.
//!
//! Only the types and what the runtime needs to know about them (is it a read, a write, urgent;
//! its name for the log; the answer when carrying it out failed), so the runtime never lists
//! variants. Nothing here carries a command out.

use super::GrantTarget;
use super::action::{Action, Done, Loaded, Wrote};
use super::data::RequestId;
use crate::domain::Grant;
use crate::places::Target;
use crate::source::{SourceError, WriteKind};

/// Side effects for the runtime to carry out; results come back as actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A read of the source, answered by [`Action::Loaded`].
    Read(Read),
    /// A write to the source (audited), answered by [`Action::Wrote`].
    Write(Write),
    /// Something the runtime does itself (switch sources, the clipboard, a file, quit).
    Effect(Effect),
}

/// A read of the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    Caller {
        req: RequestId,
    },
    Keys {
        req: RequestId,
    },
    Describe {
        req: RequestId,
        key_id: String,
    },
    Grants {
        req: RequestId,
        key_id: String,
        /// The operator is waiting for this one: it goes ahead of the background loads.
        urgent: bool,
    },
    Principals {
        req: RequestId,
    },
    Retirable {
        req: RequestId,
        principal: String,
    },
}

/// A write to the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Retire or revoke exactly this grant.
    Delete {
        kind: WriteKind,
        target: Box<GrantTarget>,
        dry_run: bool,
    },
    /// Retire the grant a grant token names.
    RetireToken { token: String, dry_run: bool },
    /// Recreate a deleted grant (history view), with its own audit records.
    Restore {
        entry: usize,
        grant: Box<Grant>,
        key: String,
    },
}

/// What the runtime does itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Build and check the source for another profile or region; answered by
    /// [`Done::Switched`] with the same `seq`.
    Switch {
        seq: u64,
        target: Target,
    },
    /// Put this text on the clipboard (OSC 52).
    Copy {
        text: String,
    },
    /// Write this export, atomically.
    Export {
        path: String,
        contents: String,
        rows: usize,
        /// Replace an existing file (`:export!`); otherwise an existing file is left alone.
        overwrite: bool,
    },
    Quit,
}

impl Command {
    /// The command's name, for the log: never its payload (a grant token is a credential).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Read(Read::Caller { .. }) => "LoadCaller",
            Self::Read(Read::Keys { .. }) => "LoadKeys",
            Self::Read(Read::Describe { .. }) => "DescribeKey",
            Self::Read(Read::Grants { .. }) => "LoadGrants",
            Self::Read(Read::Principals { .. }) => "LoadPrincipals",
            Self::Read(Read::Retirable { .. }) => "LoadRetirable",
            Self::Write(Write::Delete { .. }) => "DeleteGrant",
            Self::Write(Write::RetireToken { .. }) => "RetireToken",
            Self::Write(Write::Restore { .. }) => "RestoreGrant",
            Self::Effect(Effect::Switch { .. }) => "Switch",
            Self::Effect(Effect::Copy { .. }) => "Copy",
            Self::Effect(Effect::Export { .. }) => "Export",
            Self::Effect(Effect::Quit) => "Quit",
        }
    }

    /// Whether it reads the source (a read of an account the app has switched away from is
    /// not worth sending).
    pub fn is_read(&self) -> bool {
        matches!(self, Self::Read(_))
    }

    /// Whether it writes to the source (and so goes through the audit log).
    pub fn is_write(&self) -> bool {
        matches!(self, Self::Write(_))
    }

    /// Whether the operator waits for it (opening a key, a reload, a write): it does not queue
    /// behind the background loads.
    pub fn is_urgent(&self) -> bool {
        matches!(
            self,
            Self::Read(Read::Grants { urgent: true, .. } | Read::Retirable { .. }) | Self::Write(_)
        )
    }

    /// The answer the app gets when carrying the command out failed with `error` (a panic in
    /// its task): every request is answered, so nothing waits forever.
    pub fn failed(&self, error: SourceError) -> Vec<Action> {
        let text = error.to_string();
        let action: Action = match self.clone() {
            Self::Read(read) => match read {
                Read::Caller { req } => Loaded::Caller {
                    req,
                    result: Err(error),
                },
                Read::Keys { req } => Loaded::Keys {
                    req,
                    result: Err(error),
                },
                Read::Describe { req, key_id } => Loaded::Described {
                    req,
                    key_id,
                    result: Err(error),
                },
                Read::Grants { req, key_id, .. } => Loaded::Grants {
                    req,
                    key_id,
                    result: Err(error),
                },
                Read::Principals { req } => Loaded::Principals {
                    req,
                    result: Err(error),
                },
                Read::Retirable { req, principal } => Loaded::Retirable {
                    req,
                    principal,
                    result: Err(error),
                },
            }
            .into(),
            Self::Write(write) => match write {
                Write::Delete { kind, target, .. } => Wrote::Deleted {
                    kind,
                    target,
                    result: Err(error),
                },
                Write::RetireToken { .. } => Wrote::TokenRetired { result: Err(error) },
                Write::Restore { entry, .. } => Wrote::Restored {
                    entry,
                    result: Err(error),
                },
            }
            .into(),
            Self::Effect(Effect::Export { path, rows, .. }) => Done::Exported {
                path,
                rows,
                result: Err(super::export::ExportError::Failed(text)),
            }
            .into(),
            Self::Effect(Effect::Switch { .. } | Effect::Copy { .. } | Effect::Quit) => {
                return Vec::new();
            }
        };
        vec![action]
    }
}

impl From<Read> for Command {
    fn from(read: Read) -> Self {
        Self::Read(read)
    }
}

impl From<Write> for Command {
    fn from(write: Write) -> Self {
        Self::Write(write)
    }
}

impl From<Effect> for Command {
    fn from(effect: Effect) -> Self {
        Self::Effect(effect)
    }
}
