//! Everything that can happen to the app, grouped by where it comes from: the terminal and the
//! clock ([`Input`]), what the operator asks for ([`Intent`]), a read's answer ([`Loaded`]), a
//! write's outcome ([`Wrote`]) and a local effect's outcome ([`Done`]).
//!
//! Only the types: what each one does to the state is [`App::update`](super::App::update)'s
//! business, and the runtime never looks inside an action except to log a failure
//! ([`Action::failure`]).

use super::GrantTarget;
use super::data::RequestId;
use crate::domain::{Grant, Key, KeyMetadata, Timestamp};
use crate::places::Target;
use crate::source::{CallerIdentity, Restored, SourceError, SourceInfo, WriteKind, WriteOutcome};
use crossterm::event::KeyEvent;

/// Everything that can happen to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The terminal or the clock: keys, pastes, resizes, ticks.
    Input(Input),
    /// What the operator asks for (through the keymap, a dialog, or a test).
    Intent(Intent),
    /// The answer to a read ([`Command::Read`](super::Command::Read)).
    Loaded(Loaded),
    /// The outcome of a write ([`Command::Write`](super::Command::Write)).
    Wrote(Wrote),
    /// The outcome of a local effect ([`Command::Effect`](super::Command::Effect)).
    Done(Done),
}

/// What the terminal and the clock say.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A key press, translated through the keymap or the open dialog.
    Key(KeyEvent),
    /// A key press read from the terminal at `at`: as [`Input::Key`], except that a
    /// confirmation ignores the burst of input that opened it (see
    /// [`ConfirmGuard`](super::input::ConfirmGuard)).
    KeyAt {
        key: KeyEvent,
        at: std::time::Instant,
    },
    /// Text pasted into the terminal (bracketed paste), read at `at`: it only ever fills the
    /// text field being edited.
    Paste {
        text: String,
        at: std::time::Instant,
    },
    /// Time passes (ages and messages are relative to it).
    Tick(Timestamp),
    /// The terminal has this many columns and rows.
    Resize { width: u16, height: u16 },
}

/// What the operator asks for: the keymap's verbs.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Back,
    SwitchTab,
    StartFilter,
    CycleSort,
    ReverseSort,
    /// Shows only the grants with the next finding (then all again).
    CycleFinding,
    /// Marks or unmarks the grant under the cursor (and moves down).
    ToggleMark,
    /// Marks every grant the current list shows.
    MarkAllShown,
    /// Clears every mark.
    ClearMarks,
    Retire,
    Revoke,
    StartCommand,
    Reload,
    ToggleHelp,
    Quit,
    /// Runs a command-line command (the text after `:`).
    RunCommand(String),
    /// Confirms the change the dialog shows.
    ConfirmChange,
    /// Closes the dialog without changing anything.
    CancelChange,
    /// Copies the id or ARN under the cursor.
    CopySelected,
    /// Opens the history of this session's deletions.
    ShowHistory,
    /// `P`: the profile picker.
    PickProfile,
    /// `R`: the region picker.
    PickRegion,
}

/// A read's answer, with the request it answers (a superseded one is dropped).
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Caller {
        req: RequestId,
        result: Result<Option<CallerIdentity>, SourceError>,
    },
    Keys {
        req: RequestId,
        result: Result<Vec<Key>, SourceError>,
    },
    Described {
        req: RequestId,
        key_id: String,
        result: Result<KeyMetadata, SourceError>,
    },
    Grants {
        req: RequestId,
        key_id: String,
        result: Result<Vec<Grant>, SourceError>,
    },
    Principals {
        req: RequestId,
        result: Result<Vec<String>, SourceError>,
    },
    Retirable {
        req: RequestId,
        principal: String,
        result: Result<Vec<Grant>, SourceError>,
    },
}

/// A write's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Wrote {
    Deleted {
        kind: WriteKind,
        target: Box<GrantTarget>,
        result: Result<WriteOutcome, SourceError>,
    },
    TokenRetired {
        result: Result<WriteOutcome, SourceError>,
    },
    /// A restore from the history view finished.
    Restored {
        entry: usize,
        result: Result<Restored, SourceError>,
    },
    /// An audit record could not be written (a full disk): writes are off for the rest of the
    /// session.
    AuditFailed {
        /// The grant whose write it was (key id, grant id), for its row in the outcome list.
        grant: Option<(String, String)>,
        /// What happened to that write and that its record is missing: the status line.
        said: String,
        /// Why the log cannot be written: what refusals say from now on.
        reason: String,
    },
}

/// A local effect's outcome.
// A switch answers once per `:profile`: not worth a box to keep the export's answer small.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// The runtime switched sources (or could not) for
    /// [`Effect::Switch`](super::Effect::Switch) number `seq`.
    Switched {
        seq: u64,
        result: Result<SwitchedTo, String>,
    },
    /// An export was written (or not).
    Exported {
        path: String,
        rows: usize,
        result: Result<(), super::export::ExportError>,
    },
}

impl Action {
    /// The sentence of a failed read, write or effect, for the log (`None` for anything else).
    pub fn failure(&self) -> Option<String> {
        match self {
            Self::Loaded(
                Loaded::Caller { result: Err(e), .. }
                | Loaded::Keys { result: Err(e), .. }
                | Loaded::Described { result: Err(e), .. }
                | Loaded::Grants { result: Err(e), .. }
                | Loaded::Principals { result: Err(e), .. }
                | Loaded::Retirable { result: Err(e), .. },
            )
            | Self::Wrote(
                Wrote::Deleted { result: Err(e), .. }
                | Wrote::TokenRetired { result: Err(e) }
                | Wrote::Restored { result: Err(e), .. },
            ) => Some(e.to_string()),
            Self::Done(Done::Exported { result: Err(e), .. }) => Some(e.to_string()),
            Self::Wrote(Wrote::AuditFailed { said, .. }) => Some(said.clone()),
            _ => None,
        }
    }

    /// Whether the action may change what is loaded (anything but input and cursor moves).
    pub fn may_change_data(&self) -> bool {
        !matches!(
            self,
            Self::Input(_)
                | Self::Intent(
                    Intent::MoveDown
                        | Intent::MoveUp
                        | Intent::PageDown
                        | Intent::PageUp
                        | Intent::Top
                        | Intent::Bottom
                )
        )
    }
}

impl From<Input> for Action {
    fn from(input: Input) -> Self {
        Self::Input(input)
    }
}

impl From<Intent> for Action {
    fn from(intent: Intent) -> Self {
        Self::Intent(intent)
    }
}

impl From<Loaded> for Action {
    fn from(loaded: Loaded) -> Self {
        Self::Loaded(loaded)
    }
}

impl From<Wrote> for Action {
    fn from(wrote: Wrote) -> Self {
        Self::Wrote(wrote)
    }
}

impl From<Done> for Action {
    fn from(done: Done) -> Self {
        Self::Done(done)
    }
}

/// What the runtime switched to, for [`Done::Switched`].
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchedTo {
    pub target: Target,
    pub info: SourceInfo,
    pub caller: Option<CallerIdentity>,
    /// Why the new source refuses writes, when it does.
    pub read_only: Option<String>,
}
