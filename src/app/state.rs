//! The parts of the app's state, grouped by what they are about: the session and where it
//! points ([`Session`]), writes and their marks ([`Writes`]), what the screen shows
//! ([`Screen`]), and the options an app starts from ([`AppOptions`]).
//!
//! Only the types: [`App`](super::App) holds them, and the rest of `app` changes them.

use super::data::RequestId;
use super::input;
use super::list::ListView;
use super::marks;
use super::modal::Modal;
use super::status::Status;
use super::writes::GrantTarget;
use super::writes::HistoryEntry;
use super::writes::bulk::BulkRun;
use crate::domain::Timestamp;
use crate::places::{Places, Target};
use crate::source::{CallerIdentity, SourceInfo};
use std::cell::Cell;

/// The two top-level tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Keys = 0,
    Retirable = 1,
}

/// One screen of a tab's navigation stack.
#[derive(Debug, Clone)]
pub enum View {
    List(ListView),
    Detail(Box<DetailView>),
}

/// The detail of one grant.
#[derive(Debug, Clone)]
pub struct DetailView {
    pub target: GrantTarget,
    /// First line shown; the renderer clamps it.
    pub scroll: Cell<u16>,
}

/// How an app starts: everything the caller knows before the first frame. Build it with
/// [`AppOptions::new`] and change what differs from the defaults.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub info: SourceInfo,
    /// Why writes are refused (`--read-only`, the config's mark), or `None` when they are not.
    pub read_only: Option<String>,
    pub dry_run: bool,
    /// The time at start (ticks move it on).
    pub now: Timestamp,
    /// Grants older than this many days have the `old` finding (config `stale_after_days`).
    pub stale_after_days: u32,
    /// How long a confirmation stays deaf to the input that opened it (`confirm_delay_ms`);
    /// zero turns the guard off (tests).
    pub confirm_delay: std::time::Duration,
    /// The profiles and regions there are to switch to.
    pub places: Places,
    /// The profile and region the session points at, when not the source's own (a directory's
    /// snapshot is known by the name it was opened under).
    pub target: Option<Target>,
    /// The audit log's path, or why there is none (then writes are refused); `None` when the
    /// runtime did not say (tests).
    pub audit_log: Option<Result<String, String>>,
    /// What to say in the status line at start (warnings gathered while starting).
    pub warning: Option<String>,
}

impl AppOptions {
    /// Options over a source described by `info` at `now`: writes allowed, no dry run, 90 days
    /// for `old`, no confirmation delay, no places to switch to, no audit log said.
    pub fn new(info: SourceInfo, now: Timestamp) -> Self {
        Self {
            info,
            read_only: None,
            dry_run: false,
            now,
            stale_after_days: 90,
            confirm_delay: std::time::Duration::ZERO,
            places: Places::default(),
            target: None,
            audit_log: None,
            warning: None,
        }
    }
}

/// The session and where it points: the source, the caller, what writes are allowed, and the
/// profiles and regions there are to switch to.
#[derive(Debug)]
pub struct Session {
    pub info: SourceInfo,
    /// Who the caller is, once STS answered (live sources only).
    pub caller: Option<CallerIdentity>,
    pub read_only: bool,
    /// Why, for the refusal messages: `--read-only`, or the config's mark.
    pub read_only_reason: String,
    pub dry_run: bool,
    /// Grants older than this many days have the `old` finding (config `stale_after_days`).
    pub stale_after_days: u32,
    /// The audit log's path, or why there is none (then writes are refused); `None` when the
    /// runtime did not say (tests).
    pub audit_log: Option<Result<String, String>>,
    /// The profiles and regions there are to switch to.
    pub places: Places,
    /// The profile and region this session points at.
    pub target: Target,
    /// The switch on its way, if any: its number and target.
    pub switching: Option<(u64, Target)>,
    pub(in crate::app) next_switch: u64,
    /// The caller request whose answer is awaited (an older one is from another account).
    pub(in crate::app) caller_req: RequestId,
}

/// Writes: the marks they aim at, the ones on their way, the last bulk run and this session's
/// deletions.
#[derive(Debug, Default)]
pub struct Writes {
    /// How many writes (deletes, token retires, restores) have not answered yet.
    pub in_flight: usize,
    /// (key id, grant id) of the deletes in flight → whether each was sent as a dry run. A
    /// grant in flight cannot be sent again until its answer comes.
    pub(in crate::app) in_flight_ids: crate::app::data::FastMap<(String, String), bool>,
    /// Marked grants, by (key id, grant id): they survive filters, sorts and reloads.
    pub marks: marks::Marks,
    /// The last bulk run's outcomes, filled in as the answers arrive.
    pub bulk: Option<BulkRun>,
    /// This session's deletions, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// What the screen shows: the tabs and their views, the dialog, the status line, and what the
/// renderer reports back (the terminal's size, rows per page, whether a confirmation fits).
#[derive(Debug)]
pub struct Screen {
    pub tab: Tab,
    /// The navigation stack of each tab; never empty.
    pub stacks: [Vec<View>; 2],
    pub modal: Modal,
    pub status: Option<Status>,
    /// The terminal size, from resize events.
    pub size: (u16, u16),
    /// How many rows the list area showed last frame (for PgUp/PgDn); set by the renderer.
    pub page_rows: Cell<usize>,
    /// Whether the open confirmation was drawn whole last frame (set by the renderer); a
    /// confirmation the operator cannot see entirely cannot be confirmed.
    pub confirm_fits: Cell<bool>,
    /// What Tab found to complete in the command line (several names, or none), shown there
    /// until the next key.
    pub completions: Option<String>,
    /// What slows the source down right now (KMS throttling), set by the runtime before each
    /// frame and shown with the load's progress.
    pub pace: Option<String>,
    /// Keeps a confirmation deaf to the input that opened it (its delay from the config's
    /// `confirm_delay_ms`; off in tests).
    pub confirm_guard: input::ConfirmGuard,
    /// How many marks the current list shows, for the marks and rows versions it was counted
    /// with (see [`App::marks_shown`]).
    pub(in crate::app) marks_shown: Cell<Option<((u64, u64), usize)>>,
    /// The background load's progress (grant lists answered, keys described, keys), counted
    /// once per change of the data rather than once per frame: see [`App::load_progress`].
    /// [`App::apply`] forgets it on every action that may change the data.
    pub(in crate::app) progress: Cell<Option<(usize, usize, usize)>>,
}
