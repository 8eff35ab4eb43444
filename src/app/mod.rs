//! Application state and the one synchronous `update(state, action) -> commands` function.
//!
//! Key presses, ticks and source results all arrive as [`Action`]s; [`App::update`] changes the
//! state and returns the [`Command`]s (loads, writes, quit) for the runtime to carry out. Nothing
//! here does IO, awaits, or reads the clock: that keeps every behaviour testable as plain calls.

pub mod action;
pub mod command;
pub mod data;
pub mod export;
pub mod input;
pub mod keymap;
pub mod list;
pub mod marks;
pub mod switch;

pub use self::action::{Action, Done, Input, Intent, Loaded, Wrote};
pub use self::command::{Command, Effect, Read, Write};
use self::data::{Data, Load, PendingDelete, RequestId};
use self::keymap::Context;
use self::list::{CellContext, ListKind, ListView};
use self::switch::Picker;
use crate::domain::{Grant, Key, Timestamp, key_id_of};
use crate::places::{Places, Target};
use crate::source::{
    CallerIdentity, LostWrite, Settlement, SourceError, SourceInfo, WriteKind, WriteOutcome,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::cell::Cell;

/// The grant lists' Name column, which shows a pending delete.
const NAME_COLUMN: usize = 0;

/// The smallest terminal the layout works in.
pub const MIN_WIDTH: u16 = 60;
/// The smallest terminal height the layout works in.
pub const MIN_HEIGHT: u16 = 12;

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

/// A retire or revoke waiting for the operator's answer: exactly what will be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingChange {
    pub kind: WriteKind,
    pub targets: Vec<GrantTarget>,
    /// Retire by grant token instead (`:retire-token`); `targets` is then empty.
    pub token: Option<String>,
    pub dry_run: bool,
    /// Whether the Yes button has the focus (it never has at first).
    pub yes_focused: bool,
    /// For more than one grant: what the operator typed (it must be the number of grants).
    pub typed: String,
    /// First line of the grant list shown (the dialog scrolls).
    pub scroll: usize,
    /// Per target: whether it was made for an AWS service (deleting it can break that
    /// service). Worked out once when the dialog opens, so a frame only reads it.
    pub service: Vec<bool>,
    /// The dialog's list, line by line: each key's heading before its first grant, then its
    /// grants. Worked out once, so a frame draws only the lines it shows.
    pub lines: Vec<ConfirmLine>,
}

/// One line of a bulk confirmation's list: an index into its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmLine {
    /// The heading of the key of this target (the first of its key).
    Key(usize),
    /// This target.
    Grant(usize),
}

impl PendingChange {
    /// A change waiting for its answer: No has the focus, nothing is typed yet. Targets come
    /// grouped by key (marks are ordered by key id).
    pub fn new(
        kind: WriteKind,
        targets: Vec<GrantTarget>,
        token: Option<String>,
        dry_run: bool,
    ) -> Self {
        let mut lines = Vec::with_capacity(targets.len() + 1);
        for (i, target) in targets.iter().enumerate() {
            if i == 0 || targets[i - 1].key_arn != target.key_arn {
                lines.push(ConfirmLine::Key(i));
            }
            lines.push(ConfirmLine::Grant(i));
        }
        Self {
            service: vec![false; targets.len()],
            kind,
            targets,
            token,
            dry_run,
            yes_focused: false,
            typed: String::new(),
            scroll: 0,
            lines,
        }
    }

    /// How many targets were made for AWS services.
    pub fn services(&self) -> usize {
        self.service.iter().filter(|s| **s).count()
    }

    /// Whether the operator must type the number of grants (more than one) instead of `y`.
    pub fn needs_count(&self) -> bool {
        self.targets.len() > 1
    }
}

/// One grant's result in a bulk run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub what: String,
    /// `None` while the call is in flight.
    pub result: Option<(Level, String)>,
}

/// The per-grant results of the last retire or revoke, shown as a list.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRun {
    pub kind: WriteKind,
    pub dry_run: bool,
    /// (key id, grant id) → its row in `outcomes`.
    pub index: std::collections::HashMap<(String, String), usize>,
    pub outcomes: Vec<Outcome>,
    /// How many answers of each [`Level`] came, kept as they come so that neither a frame nor
    /// an answer counts the whole list.
    tally: [usize; 4],
}

impl BulkRun {
    /// A run of these targets, none answered yet.
    pub fn new(kind: WriteKind, dry_run: bool, targets: &[GrantTarget]) -> Self {
        let mut index = std::collections::HashMap::with_capacity(targets.len());
        let mut outcomes = Vec::with_capacity(targets.len());
        for (i, target) in targets.iter().enumerate() {
            index.insert(target.grant.id_pair(), i);
            outcomes.push(Outcome {
                what: describe_grant(target),
                result: None,
            });
        }
        Self {
            kind,
            dry_run,
            index,
            outcomes,
            tally: [0; 4],
        }
    }

    /// Sets the answer of row `row`; `false` when it had one already.
    pub fn answer(&mut self, row: usize, level: Level, text: String) -> bool {
        match self.outcomes.get_mut(row) {
            Some(outcome) if outcome.result.is_none() => {
                outcome.result = Some((level, text));
                self.tally[level as usize] += 1;
                true
            }
            _ => false,
        }
    }

    /// Sets (or replaces) the answer of row `row`, keeping the tallies right.
    pub fn replace(&mut self, row: usize, level: Level, text: String) {
        let Some(outcome) = self.outcomes.get_mut(row) else {
            return;
        };
        if let Some((was, _)) = &outcome.result {
            self.tally[*was as usize] -= 1;
        }
        outcome.result = Some((level, text));
        self.tally[level as usize] += 1;
    }

    /// How many calls have answered.
    pub fn done(&self) -> usize {
        self.tally.iter().sum()
    }

    /// How many answers were of this level.
    pub fn count(&self, level: Level) -> usize {
        self.tally[level as usize]
    }

    /// Whether every call has answered.
    pub fn finished(&self) -> bool {
        self.done() == self.outcomes.len()
    }
}

/// What is drawn over the views, and takes the keys while open.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    None,
    Help {
        scroll: u16,
    },
    /// Typing a filter for the current list (the list updates as you type).
    Filter,
    /// Typing a `:` command.
    Command(String),
    Confirm(PendingChange),
    /// `q` while writes are in flight.
    ConfirmQuit,
    /// `P` or `R`: a list of profiles or regions to switch to.
    Picker(Picker),
    /// The per-grant outcomes of the last bulk retire or revoke.
    Outcomes {
        scroll: usize,
    },
    /// This session's deletions, with restore (`r`, then `y`).
    History {
        cursor: usize,
        confirming: bool,
    },
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

/// How a status message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

/// The message in the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub level: Level,
    pub text: String,
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
    next_switch: u64,
    /// The caller request whose answer is awaited (an older one is from another account).
    caller_req: RequestId,
}

/// Writes: the marks they aim at, the ones on their way, the last bulk run and this session's
/// deletions.
#[derive(Debug, Default)]
pub struct Writes {
    /// How many writes (deletes, token retires, restores) have not answered yet.
    pub in_flight: usize,
    /// (key id, grant id) of the deletes in flight → whether each was sent as a dry run. A
    /// grant in flight cannot be sent again until its answer comes.
    in_flight_ids: std::collections::HashMap<(String, String), bool>,
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
    marks_shown: Cell<Option<((u64, u64), usize)>>,
    /// The background load's progress (grant lists answered, keys described, keys), counted
    /// once per change of the data rather than once per frame: see [`App::load_progress`].
    /// [`App::apply`] forgets it on every action that may change the data.
    progress: Cell<Option<(usize, usize, usize)>>,
}

/// The whole state of the app.
#[derive(Debug)]
pub struct App {
    /// The session and where it points.
    pub session: Session,
    /// What is loaded.
    pub data: Data,
    /// Marks, writes in flight, the last bulk run, the history.
    pub writes: Writes,
    /// What the screen shows.
    pub screen: Screen,
    /// The current time, from ticks (fixed in tests).
    pub now: Timestamp,
    next_req: RequestId,
}

impl App {
    /// A new app; call [`App::start`] for the first loads.
    pub fn new(options: AppOptions) -> Self {
        let AppOptions {
            info,
            read_only,
            dry_run,
            now,
            stale_after_days,
            confirm_delay,
            places,
            target,
            audit_log,
            warning,
        } = options;
        let target = target.unwrap_or_else(|| Target {
            profile: info.profile.clone(),
            region: info.region.clone(),
        });
        Self {
            session: Session {
                info,
                caller: None,
                read_only: read_only.is_some(),
                read_only_reason: read_only.unwrap_or_else(|| "--read-only".to_owned()),
                dry_run,
                stale_after_days,
                audit_log,
                places,
                target,
                switching: None,
                next_switch: 0,
                caller_req: 0,
            },
            data: Data::default(),
            writes: Writes::default(),
            screen: Screen {
                tab: Tab::Keys,
                stacks: [
                    vec![View::List(ListView::new(ListKind::Keys))],
                    vec![View::List(ListView::new(ListKind::Principals))],
                ],
                modal: Modal::None,
                status: warning.map(|text| Status {
                    level: Level::Warning,
                    text,
                }),
                size: (120, 40),
                page_rows: Cell::new(20),
                confirm_fits: Cell::new(true),
                completions: None,
                pace: None,
                confirm_guard: input::ConfirmGuard::new(confirm_delay),
                marks_shown: Cell::new(None),
                progress: Cell::new(None),
            },
            now,
            next_req: 0,
        }
    }

    /// The loads to run when the app opens.
    pub fn start(&mut self) -> Vec<Command> {
        if let Some(Err(reason)) = &self.session.audit_log
            && !self.session.read_only
        {
            let text = format!("retire and revoke are off: {reason}");
            self.say(Level::Warning, text);
        }
        let commands = vec![self.load_caller(), self.load_keys(), self.load_principals()];
        self.settle();
        commands
    }

    /// Whether the terminal is smaller than the layout needs (the screen then says so).
    pub fn too_small(&self) -> bool {
        self.screen.size.0 < MIN_WIDTH || self.screen.size.1 < MIN_HEIGHT
    }

    /// The view on top of the current tab.
    pub fn current_view(&self) -> &View {
        // Stacks are never empty: `Back` stops at the root.
        let stack = &self.screen.stacks[self.screen.tab as usize];
        &stack[stack.len() - 1]
    }

    /// The current list, unless a detail view is on top.
    pub fn current_list(&self) -> Option<&ListView> {
        match self.current_view() {
            View::List(list) => Some(list),
            View::Detail(_) => None,
        }
    }

    /// Which bindings apply now.
    pub fn context(&self) -> Context {
        match self.current_view() {
            View::Detail(_) => Context::Detail,
            View::List(list) if list.kind.holds_grants() => Context::GrantList,
            View::List(_) => Context::OtherList,
        }
    }

    fn cell_context(&self) -> CellContext<'_> {
        CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        }
    }

    fn next_request(&mut self) -> RequestId {
        self.next_req += 1;
        self.next_req
    }

    /// Drops an informational message once the operator moves on (warnings and errors stay
    /// until the next message).
    fn clear_info(&mut self) {
        if self
            .screen
            .status
            .as_ref()
            .is_some_and(|s| s.level == Level::Info)
        {
            self.screen.status = None;
        }
    }

    /// Reports a failed load; when a reload failed, the list from before is still shown.
    fn say_failure(&mut self, text: String, kept_previous: bool) {
        if kept_previous {
            self.say(
                Level::Error,
                format!("{text} (still showing the list from before)"),
            );
        } else {
            self.say(Level::Error, text);
        }
    }

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.screen.status = Some(Status {
            level,
            text: text.into(),
        });
    }

    // ----- loads -----

    fn load_caller(&mut self) -> Command {
        let req = self.next_request();
        self.session.caller_req = req;
        Command::Read(Read::Caller { req })
    }

    fn load_keys(&mut self) -> Command {
        let req = self.next_request();
        self.data.keys.begin(req);
        Command::Read(Read::Keys { req })
    }

    fn load_grants(&mut self, key_id: &str) -> Command {
        self.load_grants_now(key_id, false)
    }

    fn load_grants_now(&mut self, key_id: &str, urgent: bool) -> Command {
        let req = self.next_request();
        self.data
            .grants
            .entry(key_id.to_owned())
            .or_default()
            .begin(req);
        Command::Read(Read::Grants {
            req,
            key_id: key_id.to_owned(),
            urgent,
        })
    }

    fn load_principals(&mut self) -> Command {
        let req = self.next_request();
        self.data.principals.begin(req);
        Command::Read(Read::Principals { req })
    }

    fn load_retirable(&mut self, principal: &str) -> Command {
        let req = self.next_request();
        self.data
            .retirable
            .entry(principal.to_owned())
            .or_default()
            .begin(req);
        Command::Read(Read::Retirable {
            req,
            principal: principal.to_owned(),
        })
    }

    /// After the data changed: marks the list views whose order or membership `affected`
    /// says may have changed (the next [`App::settle`] recomputes them, once however many
    /// answers changed them), and drops the cached cell text of every other view whose cells
    /// may show the change. `key` narrows that to one key's data: the grants views of other
    /// keys keep their text.
    fn refresh(&mut self, key: Option<&str>, affected: impl Fn(&ListView) -> bool) {
        for stack in &mut self.screen.stacks {
            for view in stack.iter_mut() {
                let View::List(list) = view else { continue };
                if affected(list) {
                    list.dirty = true;
                    continue;
                }
                let untouched = matches!((&list.kind, key),
                    (ListKind::Grants { key_id }, Some(changed)) if key_id_of(key_id) != key_id_of(changed));
                if !untouched {
                    list.forget_text();
                }
            }
        }
    }

    /// How many of the marks the current list shows (the footer counts the others apart):
    /// counted once per change of the marks or of the list's rows, not once per frame.
    pub fn marks_shown(&self) -> usize {
        let Some(list) = self.current_list() else {
            return 0;
        };
        let versions = (self.writes.marks.version(), list.rows_version());
        if let Some((counted, shown)) = self.screen.marks_shown.get()
            && counted == versions
        {
            return shown;
        }
        let shown = match &list.kind {
            _ if self.writes.marks.is_empty() => 0,
            // One key's grants, unfiltered: every grant of the key is a row, and its marks are
            // on grants it lists (a reload drops the others), so they are all shown. Counted
            // over the marks' ordered range, without hashing: a bulk run changes the marks
            // with every answer.
            ListKind::Grants { key_id } if list.filter.is_empty() && list.finding.is_none() => {
                let key = key_id_of(key_id);
                self.writes
                    .marks
                    .range((key.to_owned(), String::new())..)
                    .take_while(|(k, _)| k == key)
                    .count()
            }
            // Filtered: its marks as a set of ids, one hash per row, nothing allocated per row.
            ListKind::Grants { key_id } => {
                let key = key_id_of(key_id);
                let marked: std::collections::HashSet<&str> = self
                    .writes
                    .marks
                    .range((key.to_owned(), String::new())..)
                    .take_while(|(k, _)| k == key)
                    .map(|(_, g)| g.as_str())
                    .collect();
                if marked.is_empty() {
                    0
                } else {
                    list.rows
                        .iter()
                        .filter_map(|&i| list::grant_at(&self.data, &list.kind, i))
                        .filter(|g| marked.contains(&*g.grant_id))
                        .count()
                }
            }
            _ => list
                .rows
                .iter()
                .filter_map(|&i| list::grant_at(&self.data, &list.kind, i))
                .filter(|g| self.writes.marks.contains(&g.id_pair()))
                .count(),
        };
        self.screen.marks_shown.set(Some((versions, shown)));
        shown
    }

    /// How far the background load is: (grant lists answered, keys described, keys).
    pub fn load_progress(&self) -> (usize, usize, usize) {
        if let Some(progress) = self.screen.progress.get() {
            return progress;
        }
        let (granted, total) = self.data.grant_progress();
        let (described, _) = self.data.describe_progress();
        let progress = (granted, described, total);
        self.screen.progress.set(Some(progress));
        progress
    }

    /// Recomputes the rows of every list view whose data changed.
    pub fn settle(&mut self) {
        let ctx = CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        };
        for stack in &mut self.screen.stacks {
            for view in stack.iter_mut() {
                if let View::List(list) = view
                    && list.dirty
                {
                    list.recompute(ctx);
                }
            }
        }
    }

    // ----- update -----

    /// Applies one action and settles the derived rows; returns what the runtime must do next.
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let commands = self.apply(action);
        self.settle();
        commands
    }

    /// Applies one action, leaving changed views marked for [`App::settle`]: the runtime
    /// applies a burst of answers this way and settles once before drawing.
    pub fn apply(&mut self, action: Action) -> Vec<Command> {
        if action.may_change_data() {
            self.screen.progress.set(None);
        }
        match action {
            Action::Input(input) => self.on_input(input),
            Action::Intent(intent) => self.on_intent(intent),
            Action::Loaded(loaded) => self.on_loaded(loaded),
            Action::Wrote(wrote) => self.on_wrote(wrote),
            Action::Done(done) => self.on_done(done),
        }
    }

    /// What the terminal and the clock say.
    fn on_input(&mut self, input: Input) -> Vec<Command> {
        match input {
            Input::Key(event) => self.on_key(event),
            Input::KeyAt { key, at } => self.on_key_at(key, at),
            Input::Paste { text, at } => self.on_paste(&text, at),
            Input::Tick(now) => {
                self.now = now;
                Vec::new()
            }
            Input::Resize { width, height } => {
                self.screen.size = (width, height);
                Vec::new()
            }
        }
    }

    /// What the operator asks for.
    fn on_intent(&mut self, intent: Intent) -> Vec<Command> {
        match intent {
            Intent::MoveDown => self.move_by(1),
            Intent::MoveUp => self.move_by(-1),
            Intent::PageDown => self.move_by(self.screen.page_rows.get().max(1) as isize),
            Intent::PageUp => self.move_by(-(self.screen.page_rows.get().max(1) as isize)),
            Intent::Top => self.move_by(isize::MIN),
            Intent::Bottom => self.move_by(isize::MAX),
            Intent::Open => {
                self.clear_info();
                self.open()
            }
            Intent::Back => {
                self.clear_info();
                self.back()
            }
            Intent::SwitchTab => {
                self.clear_info();
                self.screen.tab = match self.screen.tab {
                    Tab::Keys => Tab::Retirable,
                    Tab::Retirable => Tab::Keys,
                };
                Vec::new()
            }
            Intent::StartFilter => {
                let ctx = CellContext {
                    data: &self.data,
                    now: self.now,
                    stale_after_days: self.session.stale_after_days,
                };
                if let Some(View::List(list)) =
                    self.screen.stacks[self.screen.tab as usize].last_mut()
                {
                    list.prepare_filter(ctx);
                    self.screen.modal = Modal::Filter;
                }
                Vec::new()
            }
            Intent::CycleSort => self.change_sort(|list| {
                list.sort_column = (list.sort_column + 1) % list.kind.columns().len();
                list.sort_reverse = false;
            }),
            Intent::ReverseSort => self.change_sort(|list| list.sort_reverse = !list.sort_reverse),
            Intent::ToggleMark => self.toggle_mark(),
            Intent::MarkAllShown => {
                if let Some(list) = self.current_list()
                    && list.kind.holds_grants()
                {
                    let ids: Vec<(String, String)> = list
                        .rows
                        .iter()
                        .filter_map(|&i| list::grant_at(&self.data, &list.kind, i))
                        .map(|g| g.id_pair())
                        .collect();
                    let added = ids.len();
                    self.writes.marks.extend(ids);
                    self.say(
                        Level::Info,
                        format!(
                            "marked the {added} grants shown ({} marked in all)",
                            self.writes.marks.len()
                        ),
                    );
                }
                Vec::new()
            }
            Intent::ClearMarks => {
                let cleared = self.writes.marks.len();
                self.writes.marks.clear();
                self.say(Level::Info, format!("cleared {cleared} marks"));
                Vec::new()
            }
            Intent::CycleFinding => self.change_sort(|list| {
                if list.kind.holds_grants() {
                    let codes = crate::domain::findings::Finding::CODES;
                    list.finding = match list.finding {
                        None => codes.first().copied(),
                        Some(code) => codes
                            .iter()
                            .position(|c| *c == code)
                            .and_then(|i| codes.get(i + 1))
                            .copied(),
                    };
                }
            }),
            Intent::Retire => self.ask_delete(WriteKind::Retire),
            Intent::Revoke => self.ask_delete(WriteKind::Revoke),
            Intent::StartCommand => {
                self.screen.modal = Modal::Command(String::new());
                Vec::new()
            }
            Intent::RunCommand(line) => self.run_command(&line),
            Intent::PickProfile => self.pick_profile(),
            Intent::PickRegion => self.pick_region(),
            Intent::Reload => self.reload(),
            Intent::ToggleHelp => {
                self.screen.modal = match self.screen.modal {
                    Modal::Help { .. } => Modal::None,
                    _ => Modal::Help { scroll: 0 },
                };
                Vec::new()
            }
            Intent::Quit => {
                if self.writes.in_flight > 0 {
                    self.screen.modal = Modal::ConfirmQuit;
                    Vec::new()
                } else {
                    vec![Command::Effect(Effect::Quit)]
                }
            }
            Intent::ConfirmChange => self.confirm(),
            Intent::CancelChange => {
                if matches!(self.screen.modal, Modal::Confirm(_)) {
                    self.say(Level::Info, "cancelled: nothing was changed");
                }
                self.screen.modal = Modal::None;
                Vec::new()
            }
            Intent::CopySelected => self.copy_selected(),
            Intent::ShowHistory => {
                self.screen.modal = Modal::History {
                    cursor: self.writes.history.len().saturating_sub(1),
                    confirming: false,
                };
                Vec::new()
            }
        }
    }

    /// A read's answer.
    fn on_loaded(&mut self, loaded: Loaded) -> Vec<Command> {
        match loaded {
            Loaded::Caller { req, result } => {
                if req != self.session.caller_req {
                    return Vec::new();
                }
                match result {
                    Ok(caller) => {
                        if let Some(caller) = &caller
                            && self.session.info.account.is_none()
                            && !caller.account.is_empty()
                        {
                            self.session.info.account = Some(caller.account.clone());
                        }
                        self.session.caller = caller;
                    }
                    Err(err) => self.say(Level::Error, format!("cannot tell who you are: {err}")),
                }
                Vec::new()
            }
            Loaded::Keys { req, result } => self.keys_loaded(req, result),
            Loaded::Described {
                req,
                key_id,
                result,
            } => {
                if req == self.data.keys_req {
                    match result {
                        Ok(metadata) => {
                            self.data.set_metadata(&key_id, metadata);
                            // The key's state feeds the unusable-key finding.
                            self.data.compute_findings(
                                &key_id,
                                self.now,
                                self.session.stale_after_days,
                            );
                        }
                        Err(err) => {
                            self.data
                                .describe_errors
                                .insert(key_id.clone(), err.to_string());
                        }
                    }
                    // Only lists filtered or sorted by described columns change order; the key's
                    // grants change findings.
                    self.refresh(Some(&key_id), |list| match &list.kind {
                        ListKind::Keys => {
                            !list.filter.is_empty()
                                || [2, 3, 4, 6, 7, 8].contains(&list.sort_column)
                        }
                        ListKind::Grants { key_id: k } => key_id_of(k) == key_id_of(&key_id),
                        _ => false,
                    });
                }
                Vec::new()
            }
            Loaded::Grants {
                req,
                key_id,
                result,
            } => self.grants_loaded(req, &key_id, result),
            Loaded::Principals { req, result } => {
                if self.data.principals.awaits(req) {
                    let mut commands = Vec::new();
                    if let Ok(principals) = &result {
                        // The count column fills in behind the list, as grant counts do.
                        for principal in principals {
                            commands.push(self.load_retirable(principal));
                        }
                    }
                    let text = result
                        .as_ref()
                        .err()
                        .map(|err| format!("could not list retiring principals: {err}"));
                    let kept = self
                        .data
                        .principals
                        .answer(result.map_err(|e| e.to_string()));
                    if let Some(text) = text {
                        self.say_failure(text, kept);
                    }
                    self.refresh(None, |list| list.kind == ListKind::Principals);
                    return commands;
                }
                Vec::new()
            }
            Loaded::Retirable {
                req,
                principal,
                result,
            } => {
                let awaited = self
                    .data
                    .retirable
                    .get(&principal)
                    .is_some_and(|load| load.awaits(req));
                if awaited {
                    if let Ok(grants) = &result {
                        // Grants confirmed gone leave their key's list: its findings change.
                        for key in self.data.settle_pending_retirable(&principal, grants) {
                            self.data.compute_findings(
                                &key,
                                self.now,
                                self.session.stale_after_days,
                            );
                        }
                    }
                    let text = result.as_ref().err().map(|err| {
                        format!("could not list the grants {principal} may retire: {err}")
                    });
                    let kept = self
                        .data
                        .retirable
                        .entry(principal.clone())
                        .or_default()
                        .answer(result.map_err(|e| e.to_string()));
                    if let Some(text) = text {
                        self.say_failure(text, kept);
                    }
                    // Settled pending deletes may have left key grant lists too.
                    self.refresh(None, |list| list.kind != ListKind::Keys);
                }
                Vec::new()
            }
        }
    }

    /// A write's outcome.
    fn on_wrote(&mut self, wrote: Wrote) -> Vec<Command> {
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
                                    format!("restored {what} as new grant {}", list::short_id(id))
                                }
                                Some(lost) => format!(
                                    "the answer to kms:CreateGrant for {what} was lost ({lost}); listing the key shows grant {} named {}: restored",
                                    list::short_id(id),
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

    /// A local effect's outcome.
    fn on_done(&mut self, done: Done) -> Vec<Command> {
        match done {
            Done::Switched { seq, result } => self.switched(seq, result),
            Done::Exported { path, rows, result } => {
                match result {
                    Ok(()) => self.say(Level::Success, format!("exported {rows} rows to {path}")),
                    Err(err) => self.say(Level::Error, format!("cannot write {path}: {err}")),
                }
                Vec::new()
            }
        }
    }

    fn keys_loaded(
        &mut self,
        req: RequestId,
        result: Result<Vec<Key>, SourceError>,
    ) -> Vec<Command> {
        if !self.data.keys.awaits(req) {
            return Vec::new();
        }
        let mut commands = Vec::new();
        match result {
            Ok(keys) => {
                let ids: Vec<String> = keys.iter().map(|k| k.id().to_owned()).collect();
                if self.screen.status.is_none() {
                    let text = format!(
                        "{} keys · Enter opens a key's grants · Tab shows retirable grants · ? help",
                        keys.len()
                    );
                    self.say(Level::Info, text);
                }
                let undescribed: Vec<String> = keys
                    .iter()
                    .filter(|k| !k.described)
                    .map(|k| k.id().to_owned())
                    .collect();
                self.data.keys.answer(Ok(keys));
                self.data.index_keys();
                self.data.keys_req = req;
                self.data.describe_errors.clear();
                // Metadata and grant counts fill in behind the list; the runtime bounds the
                // concurrency. Opening a key puts its grants first (see `open`).
                for key_id in undescribed {
                    commands.push(Command::Read(Read::Describe { req, key_id }));
                }
                for id in ids {
                    commands.push(self.load_grants(&id));
                }
            }
            Err(err) => {
                let text = format!("could not list keys: {err}");
                let kept = self.data.keys.answer(Err(text.clone()));
                self.data.index_keys();
                self.say_failure(text, kept);
            }
        }
        self.refresh(None, |_| true);
        commands
    }

    fn grants_loaded(
        &mut self,
        req: RequestId,
        key_id: &str,
        result: Result<Vec<Grant>, SourceError>,
    ) -> Vec<Command> {
        let awaited = self
            .data
            .grants
            .get(key_id)
            .is_some_and(|load| load.awaits(req));
        if !awaited {
            return Vec::new();
        }
        let loaded = result.is_ok();
        if let Ok(grants) = &result {
            self.data.settle_pending(key_id, grants, self.now);
            // A mark on a grant this key no longer lists would only come back as "already gone".
            let key = crate::domain::key_id_of(key_id);
            if self
                .writes
                .marks
                .range((key.to_owned(), String::new())..)
                .next()
                .is_some_and(|(k, _)| k == key)
            {
                let listed: std::collections::HashSet<&str> =
                    grants.iter().map(|g| &*g.grant_id).collect();
                self.writes
                    .marks
                    .retain(|(k, g)| k != key || listed.contains(g.as_str()));
            }
        }
        // The sentence itself: the key's row and its grants view say whose grants they are.
        let text = result.as_ref().err().map(ToString::to_string);
        let kept = self
            .data
            .grants
            .entry(key_id.to_owned())
            .or_default()
            .answer(result.map_err(|e| e.to_string()));
        if loaded {
            self.data
                .compute_findings(key_id, self.now, self.session.stale_after_days);
        }
        // Say so when the operator is looking at this key, or when a reload failed.
        let watching = matches!(self.current_view(), View::List(list)
            if list.kind == (ListKind::Grants { key_id: key_id.to_owned() }));
        if let Some(text) = text
            && (watching || kept)
        {
            self.say_failure(
                format!("could not list the grants of key {key_id}: {text}"),
                kept,
            );
        }
        self.refresh(Some(key_id), |list| match &list.kind {
            ListKind::Grants { key_id: k } => k == key_id,
            // The keys list only changes order or membership if it sorts or filters by counts.
            ListKind::Keys => !list.filter.is_empty() || [5, 8].contains(&list.sort_column),
            // A deleted grant this list confirms gone leaves the retirable lists too.
            ListKind::Retirable { .. } | ListKind::Principals => true,
        });
        Vec::new()
    }

    fn grant_deleted(
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
                            && (!list.filter.is_empty() || list.sort_column == NAME_COLUMN)
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

    /// Copies the message just said about one grant into the bulk run's outcome list, and sums
    /// the run up once every grant has answered.
    fn record_outcome(&mut self, id: &(String, String)) {
        let Some(bulk) = &mut self.writes.bulk else {
            return;
        };
        let Some(&row) = bulk.index.get(id) else {
            return;
        };
        let (level, text) = self
            .screen
            .status
            .as_ref()
            .map(|s| (s.level, s.text.clone()))
            .unwrap_or((Level::Info, String::new()));
        if !bulk.answer(row, level, text) {
            return;
        }
        if bulk.finished() {
            let failed = bulk.count(Level::Error);
            let total = bulk.outcomes.len();
            let verb = if bulk.dry_run {
                format!("dry run of {}", bulk.kind.verb())
            } else {
                bulk.kind.verb().to_owned()
            };
            let gone = bulk.count(Level::Warning);
            let gone_note = if gone > 0 {
                format!(" ({gone} already gone or needing a look, shown with !)")
            } else {
                String::new()
            };
            let text = if failed == 0 {
                format!("{verb} of {total} grants finished: no errors{gone_note}")
            } else {
                format!(
                    "{verb} of {total} grants finished: {failed} failed and stay marked for another try{gone_note}"
                )
            };
            let level = if failed == 0 {
                Level::Success
            } else {
                Level::Error
            };
            self.say(level, text);
        }
    }

    /// Drops a deleted grant from the data, the views and a detail view showing it.
    fn forget_grant(&mut self, grant: &Grant) {
        self.data.remove_grant(&grant.key_id, &grant.grant_id);
        self.data
            .compute_findings(&grant.key_id, self.now, self.session.stale_after_days);
        self.close_detail_of(grant);
        let key_id = key_id_of(&grant.key_id).to_owned();
        self.refresh(Some(&key_id), |list| match &list.kind {
            ListKind::Grants { key_id: k } => *k == key_id,
            ListKind::Retirable { .. } | ListKind::Principals => true,
            ListKind::Keys => !list.filter.is_empty() || [5, 8].contains(&list.sort_column),
        });
    }

    /// Closes a detail view that shows `grant`.
    fn close_detail_of(&mut self, grant: &Grant) {
        for stack in &mut self.screen.stacks {
            let showing_it = matches!(stack.last(), Some(View::Detail(d))
                if d.target.grant.grant_id == grant.grant_id
                    && key_id_of(&d.target.grant.key_id) == key_id_of(&grant.key_id));
            if showing_it && stack.len() > 1 {
                stack.pop();
            }
        }
    }

    // ----- keys -----

    fn on_key(&mut self, event: KeyEvent) -> Vec<Command> {
        // ctrl-c quits from anywhere (still asking first while a write is in flight).
        if event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL) {
            return match self.screen.modal {
                Modal::ConfirmQuit => vec![Command::Effect(Effect::Quit)],
                _ => {
                    self.screen.modal = Modal::None;
                    self.update(Action::Intent(Intent::Quit))
                }
            };
        }
        // While the terminal is too small to show anything, only quitting works: no key may act
        // on a list or a dialog the operator cannot see.
        if self.too_small() {
            if event.code == KeyCode::Char('q') && self.screen.modal == Modal::None {
                return self.update(Action::Intent(Intent::Quit));
            }
            return Vec::new();
        }
        match &mut self.screen.modal {
            Modal::None => match keymap::action_for(&event, self.context()).map(Action::Intent) {
                Some(action) => self.update(action),
                None => Vec::new(),
            },
            Modal::Help { scroll } => {
                match event.code {
                    KeyCode::Char('j') | KeyCode::Down => *scroll = scroll.saturating_add(1),
                    KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
                    _ => self.screen.modal = Modal::None,
                }
                Vec::new()
            }
            Modal::Filter => self.on_filter_key(event),
            Modal::Picker(_) => self.on_picker_key(event),
            Modal::Command(line) => {
                self.screen.completions = None;
                match event.code {
                    KeyCode::Tab => self.complete_command(),
                    KeyCode::Enter => {
                        let line = std::mem::take(line);
                        self.screen.modal = Modal::None;
                        return self.update(Action::Intent(Intent::RunCommand(line)));
                    }
                    KeyCode::Esc => self.screen.modal = Modal::None,
                    // Backspace on an empty line closes it, as in vim.
                    KeyCode::Backspace if line.pop().is_none() => self.screen.modal = Modal::None,
                    KeyCode::Char(c) if !event.modifiers.contains(KeyModifiers::CONTROL) => {
                        line.push(c)
                    }
                    _ => {}
                }
                Vec::new()
            }
            Modal::Confirm(change) if change.needs_count() => match event.code {
                // Only the typed number confirms a bulk change; `y`, `x` or `X` do nothing.
                KeyCode::Char(c) if c.is_ascii_digit() => {
                    if change.typed.len() < 9 {
                        change.typed.push(c);
                    }
                    Vec::new()
                }
                KeyCode::Backspace => {
                    change.typed.pop();
                    Vec::new()
                }
                KeyCode::Enter if change.typed == change.targets.len().to_string() => {
                    self.update(Action::Intent(Intent::ConfirmChange))
                }
                KeyCode::Enter => {
                    let text = format!(
                        "type exactly {} to confirm (you typed \"{}\"); Esc cancels",
                        change.targets.len(),
                        change.typed
                    );
                    change.typed.clear();
                    self.say(Level::Warning, text);
                    Vec::new()
                }
                KeyCode::Char('j') | KeyCode::Down => {
                    change.scroll = change.scroll.saturating_add(1);
                    Vec::new()
                }
                KeyCode::Char('k') | KeyCode::Up => {
                    change.scroll = change.scroll.saturating_sub(1);
                    Vec::new()
                }
                KeyCode::PageDown => {
                    change.scroll = change.scroll.saturating_add(10);
                    Vec::new()
                }
                KeyCode::PageUp => {
                    change.scroll = change.scroll.saturating_sub(10);
                    Vec::new()
                }
                KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                    self.update(Action::Intent(Intent::CancelChange))
                }
                _ => Vec::new(),
            },
            Modal::History { cursor, confirming } => {
                let count = self.writes.history.len();
                if *confirming {
                    let entry = *cursor;
                    *confirming = false;
                    if matches!(event.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                        return self.restore_entry(entry);
                    }
                    self.say(Level::Info, "restore cancelled: nothing was created");
                    return Vec::new();
                }
                match event.code {
                    KeyCode::Char('j') | KeyCode::Down => {
                        *cursor = (*cursor + 1).min(count.saturating_sub(1));
                    }
                    KeyCode::Char('k') | KeyCode::Up => *cursor = cursor.saturating_sub(1),
                    KeyCode::Char('r') | KeyCode::Enter if count > 0 => {
                        let restorable = self
                            .writes
                            .history
                            .get(*cursor)
                            .is_some_and(|e| !matches!(e.restored, Some(Ok(_))));
                        let (here, account) = (&self.session.target, &self.session.info.account);
                        let elsewhere = self
                            .writes
                            .history
                            .get(*cursor)
                            .map(|e| &e.origin)
                            .filter(|(target, deleted_in)| {
                                // An account learnt after the delete (STS answered later) is no
                                // reason to refuse; a different one is.
                                target != here
                                    || matches!((deleted_in, account), (Some(a), Some(b)) if a != b)
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
                        } else if self.session.read_only {
                            let text = format!(
                                "this session is read-only ({}): kms:CreateGrant is turned off",
                                self.session.read_only_reason
                            );
                            self.say(Level::Warning, text);
                        } else if let Some(Err(reason)) = &self.session.audit_log {
                            // No write goes unrecorded: a restore is not even offered.
                            let text = reason.clone();
                            self.say(Level::Error, text);
                        } else if self.session.dry_run {
                            self.say(
                                Level::Warning,
                                "dry run is on: a restore would create a grant for real, so it is not sent (:dry-run off first)",
                            );
                        } else if restorable {
                            *confirming = true;
                        } else {
                            self.say(Level::Info, "that grant was already restored");
                        }
                    }
                    _ => self.screen.modal = Modal::None,
                }
                Vec::new()
            }
            Modal::Outcomes { scroll } => {
                // The list scrolls by grant, and stops at the last one.
                let last = self
                    .writes
                    .bulk
                    .as_ref()
                    .map_or(0, |b| b.outcomes.len())
                    .saturating_sub(1);
                match event.code {
                    KeyCode::Char('j') | KeyCode::Down => *scroll = scroll.saturating_add(1),
                    KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
                    KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                    KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                    KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
                    KeyCode::End | KeyCode::Char('G') => *scroll = last,
                    _ => self.screen.modal = Modal::None,
                }
                if let Modal::Outcomes { scroll } = &mut self.screen.modal {
                    *scroll = (*scroll).min(last);
                }
                Vec::new()
            }
            Modal::Confirm(change) => match event.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.update(Action::Intent(Intent::ConfirmChange))
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    self.update(Action::Intent(Intent::CancelChange))
                }
                KeyCode::Enter => {
                    if change.yes_focused {
                        self.update(Action::Intent(Intent::ConfirmChange))
                    } else {
                        self.update(Action::Intent(Intent::CancelChange))
                    }
                }
                // ← always means No and → always means Yes, so no key sequence can land on Yes
                // by wrapping around.
                KeyCode::Left | KeyCode::Char('h') => {
                    change.yes_focused = false;
                    Vec::new()
                }
                KeyCode::Right | KeyCode::Char('l') => {
                    change.yes_focused = true;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Modal::ConfirmQuit => match event.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => vec![Command::Effect(Effect::Quit)],
                _ => {
                    self.screen.modal = Modal::None;
                    Vec::new()
                }
            },
        }
    }

    fn on_filter_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        match event.code {
            KeyCode::Enter => self.screen.modal = Modal::None,
            KeyCode::Esc => {
                self.screen.modal = Modal::None;
                self.set_filter(|f| f.clear());
            }
            KeyCode::Backspace => self.set_filter(|f| {
                f.pop();
            }),
            KeyCode::Char('u') if ctrl => self.set_filter(|f| f.clear()),
            KeyCode::Down => return self.move_by(1),
            KeyCode::Up => return self.move_by(-1),
            KeyCode::Char(_)
                if !ctrl
                    && self
                        .current_list()
                        .is_some_and(|l| l.filter.chars().count() >= input::FILTER_MAX) =>
            {
                self.say(
                    Level::Warning,
                    format!("a filter holds at most {} characters", input::FILTER_MAX),
                );
            }
            KeyCode::Char(c) if !ctrl => self.set_filter(|f| f.push(c)),
            _ => {}
        }
        Vec::new()
    }

    fn set_filter(&mut self, edit: impl FnOnce(&mut String)) {
        let ctx = CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        };
        let stack = &mut self.screen.stacks[self.screen.tab as usize];
        if let Some(View::List(list)) = stack.last_mut() {
            edit(&mut list.filter);
            list.refilter(ctx);
        }
    }

    fn change_sort(&mut self, change: impl FnOnce(&mut ListView)) -> Vec<Command> {
        let ctx = CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        };
        let stack = &mut self.screen.stacks[self.screen.tab as usize];
        if let Some(View::List(list)) = stack.last_mut() {
            change(list);
            list.refilter(ctx);
        }
        Vec::new()
    }

    fn move_by(&mut self, delta: isize) -> Vec<Command> {
        let data = &self.data;
        let stack = &mut self.screen.stacks[self.screen.tab as usize];
        match stack.last_mut() {
            Some(View::List(list)) => {
                let target = if delta == isize::MIN {
                    0
                } else if delta == isize::MAX {
                    list.rows.len().saturating_sub(1)
                } else {
                    list.cursor.saturating_add_signed(delta)
                };
                list.move_to(target, data);
            }
            Some(View::Detail(detail)) => {
                let scroll = detail.scroll.get();
                let next = if delta == isize::MIN {
                    0
                } else if delta == isize::MAX {
                    u16::MAX
                } else {
                    scroll.saturating_add_signed(delta.clamp(-1000, 1000) as i16)
                };
                detail.scroll.set(next);
            }
            None => {}
        }
        Vec::new()
    }

    fn open(&mut self) -> Vec<Command> {
        let Some(list) = self.current_list() else {
            return Vec::new();
        };
        let Some(index) = list.selected_index() else {
            return Vec::new();
        };
        let kind = list.kind.clone();
        let mut commands = Vec::new();
        let next = match &kind {
            ListKind::Keys => {
                let Some(key) = list::key_at(&self.data, index) else {
                    return Vec::new();
                };
                let key_id = key.id().to_owned();
                // Not loaded yet (or still queued behind the background loads): ask again, ahead
                // of the queue; the queued answer is then dropped as superseded.
                if self
                    .data
                    .grants
                    .get(&key_id)
                    .and_then(Load::loaded)
                    .is_none()
                {
                    commands.push(self.load_grants_now(&key_id, true));
                }
                View::List(ListView::new(ListKind::Grants { key_id }))
            }
            ListKind::Principals => {
                let Some(principal) = list::principal_at(&self.data, index) else {
                    return Vec::new();
                };
                let principal = principal.to_owned();
                if !matches!(
                    self.data.retirable.get(&principal),
                    Some(load) if load.loaded().is_some() || load.is_pending()
                ) {
                    commands.push(self.load_retirable(&principal));
                }
                View::List(ListView::new(ListKind::Retirable { principal }))
            }
            ListKind::Grants { .. } | ListKind::Retirable { .. } => {
                let Some(grant) = list::grant_at(&self.data, &kind, index) else {
                    return Vec::new();
                };
                View::Detail(Box::new(DetailView {
                    target: self.target_for(grant),
                    scroll: Cell::new(0),
                }))
            }
        };
        self.push_view(next);
        commands
    }

    fn push_view(&mut self, mut view: View) {
        if let View::List(list) = &mut view {
            list.recompute(self.cell_context());
        }
        self.screen.stacks[self.screen.tab as usize].push(view);
    }

    fn back(&mut self) -> Vec<Command> {
        let ctx = CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        };
        let stack = &mut self.screen.stacks[self.screen.tab as usize];
        // Esc first clears what narrows the list: the filter, then the finding.
        if let Some(View::List(list)) = stack.last_mut()
            && (!list.filter.is_empty() || list.finding.is_some())
        {
            if list.filter.is_empty() {
                list.finding = None;
            } else {
                list.filter.clear();
            }
            list.refilter(ctx);
            return Vec::new();
        }
        if stack.len() > 1 {
            stack.pop();
        }
        Vec::new()
    }

    fn reload(&mut self) -> Vec<Command> {
        let kind = match self.current_view() {
            View::List(list) => list.kind.clone(),
            View::Detail(detail) => ListKind::Grants {
                key_id: key_id_of(detail.target.key_id()).to_owned(),
            },
        };
        let command = match &kind {
            ListKind::Keys => self.load_keys(),
            ListKind::Grants { key_id } => self.load_grants_now(key_id, true),
            ListKind::Principals => self.load_principals(),
            ListKind::Retirable { principal } => self.load_retirable(principal),
        };
        self.refresh(None, |list| list.kind == kind);
        // The list stays on screen and its frame says "reloading…" until the answer comes.
        self.clear_info();
        vec![command]
    }

    fn target_for(&self, grant: &Grant) -> GrantTarget {
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
    fn selected_grant(&self) -> Option<GrantTarget> {
        match self.current_view() {
            View::Detail(detail) => Some(detail.target.clone()),
            View::List(list) => {
                let grant = list::grant_at(&self.data, &list.kind, list.selected_index()?)?;
                Some(self.target_for(grant))
            }
        }
    }

    fn ask_delete(&mut self, kind: WriteKind) -> Vec<Command> {
        if self.session.read_only {
            self.say(
                Level::Warning,
                format!(
                    "this session is read-only ({}): {} is turned off",
                    self.session.read_only_reason,
                    kind.api_action()
                ),
            );
            return Vec::new();
        }
        // No deletion goes unrecorded: without an audit log, nothing is even offered.
        if let Some(Err(reason)) = &self.session.audit_log {
            let text = reason.clone();
            self.say(Level::Error, text);
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
    fn marked_targets(&mut self) -> (Vec<GrantTarget>, usize) {
        use std::collections::HashMap;
        // One pass over each marked key's grants and the retirable lists, not one per mark:
        // 50,000 marks on one key would otherwise scan its 50,000 grants 50,000 times.
        let mut by_id: HashMap<(&str, &str), &Grant> = HashMap::new();
        for grant in self
            .data
            .retirable
            .values()
            .filter_map(Load::loaded)
            .flatten()
        {
            by_id
                .entry((key_id_of(&grant.key_id), &grant.grant_id))
                .or_insert(grant);
        }
        let mut last_key: Option<&str> = None;
        for (key_id, _) in &self.writes.marks {
            if last_key == Some(key_id.as_str()) {
                continue;
            }
            last_key = Some(key_id);
            for grant in self.data.grants_of(key_id).into_iter().flatten() {
                // A key's own list comes first, as the scan it replaces found it.
                by_id.insert((key_id_of(&grant.key_id), &grant.grant_id), grant);
            }
        }
        let mut targets = Vec::with_capacity(self.writes.marks.len());
        let mut missing = Vec::new();
        // What the dialog shows of a key is the same for each of its grants: looked up once.
        let mut key_part: Option<(&str, GrantTarget)> = None;
        for mark @ (key_id, grant_id) in &self.writes.marks {
            let Some(&grant) = by_id.get(&(key_id.as_str(), grant_id.as_str())) else {
                missing.push(mark.clone());
                continue;
            };
            // Grants already deleted, or whose delete is still on its way, are not sent again.
            if (!self.data.pending.is_empty() && self.data.pending.contains_key(mark))
                || (!self.writes.in_flight_ids.is_empty()
                    && self.writes.in_flight_ids.contains_key(mark))
            {
                continue;
            }
            let target = match &key_part {
                Some((key, part)) if *key == key_id.as_str() => GrantTarget {
                    grant: grant.clone(),
                    ..part.clone()
                },
                _ => {
                    let target = self.target_for(grant);
                    key_part = Some((key_id, target.clone()));
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

    fn ask_delete_marked(&mut self, kind: WriteKind) -> Vec<Command> {
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
        for (flag, target) in change.service.iter_mut().zip(&change.targets) {
            *flag =
                self.data
                    .is_for_a_service(&target.grant, self.now, self.session.stale_after_days);
        }
        self.screen.modal = Modal::Confirm(change);
        Vec::new()
    }

    /// `:export FILE`: the current list as it is shown (filtered and sorted), with full values.
    fn export(&mut self, path: &str, overwrite: bool) -> Vec<Command> {
        let Some(format) = export::Format::from_path(path) else {
            self.say(
                Level::Error,
                format!(":export writes .csv or .json files, and \"{path}\" is neither"),
            );
            return Vec::new();
        };
        let Some(list) = self.current_list() else {
            self.say(
                Level::Info,
                "open a list to export it (the detail view has no rows)",
            );
            return Vec::new();
        };
        let (contents, rows) = export::render(
            &self.data,
            list,
            format,
            self.now,
            self.session.stale_after_days,
        );
        vec![Command::Effect(Effect::Export {
            path: path.to_owned(),
            contents,
            rows,
            overwrite,
        })]
    }

    /// Sends the restore of history entry `entry` (after the operator's `y`).
    fn restore_entry(&mut self, entry: usize) -> Vec<Command> {
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

    /// `y`: the grant id, key ARN or principal ARN under the cursor, to the clipboard.
    fn copy_selected(&mut self) -> Vec<Command> {
        let (what, text) = match self.current_view() {
            View::Detail(detail) => ("grant id", detail.target.grant.grant_id.to_string()),
            View::List(list) => {
                let Some(index) = list.selected_index() else {
                    return Vec::new();
                };
                match &list.kind {
                    ListKind::Keys => match list::key_at(&self.data, index) {
                        Some(key) => ("key ARN", key.metadata.arn.clone()),
                        None => return Vec::new(),
                    },
                    ListKind::Principals => match list::principal_at(&self.data, index) {
                        Some(p) => ("principal", p.to_owned()),
                        None => return Vec::new(),
                    },
                    kind => match list::grant_at(&self.data, kind, index) {
                        Some(grant) => ("grant id", grant.grant_id.to_string()),
                        None => return Vec::new(),
                    },
                }
            }
        };
        // What is copied is pasted somewhere next, often a shell: a control character (a
        // newline, the end-of-paste marker ESC [201~) could run a command there.
        if !input::safe_to_copy(&text) {
            self.say(
                Level::Warning,
                format!(
                    "the {what} holds control or invisible characters, so it was not copied (pasted into a shell it could run a command)"
                ),
            );
            return Vec::new();
        }
        self.say(
            Level::Info,
            format!("copied the {what} {text} (through the terminal, OSC 52)"),
        );
        vec![Command::Effect(Effect::Copy { text })]
    }

    fn toggle_mark(&mut self) -> Vec<Command> {
        let Some(list) = self.current_list() else {
            return Vec::new();
        };
        if !list.kind.holds_grants() {
            self.say(Level::Info, "marks are for grants: open a key first");
            return Vec::new();
        }
        let Some(grant) = list
            .selected_index()
            .and_then(|i| list::grant_at(&self.data, &list.kind, i))
        else {
            return Vec::new();
        };
        let id = grant.id_pair();
        if !self.writes.marks.remove(&id) {
            self.writes.marks.insert(id);
        }
        self.move_by(1)
    }

    fn confirm(&mut self) -> Vec<Command> {
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
        if self.session.read_only {
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

    fn run_command(&mut self, line: &str) -> Vec<Command> {
        let line = line.trim();
        let (name, arg) = match line.split_once(char::is_whitespace) {
            Some((name, arg)) => (name, arg.trim()),
            None => (line, ""),
        };
        match (name, arg) {
            ("", _) => Vec::new(),
            ("q" | "quit", _) => self.update(Action::Intent(Intent::Quit)),
            ("profile" | "region", "") => {
                self.say(
                    Level::Error,
                    format!(
                        ":{name} needs a name, e.g. :{name} {} (Tab completes)",
                        if name == "profile" {
                            "prod"
                        } else {
                            "eu-west-1"
                        }
                    ),
                );
                Vec::new()
            }
            ("profile", profile) => self.switch_profile(profile),
            ("region", region) => self.switch_region(region),
            ("retirable", "") => {
                self.say(Level::Error, ":retirable needs a principal ARN, e.g. :retirable arn:aws:iam::111122223333:role/admin");
                Vec::new()
            }
            ("retirable", principal) if is_principal(principal) => self.show_retirable(principal),
            ("export" | "export!", "") => {
                self.say(
                    Level::Error,
                    ":export needs a file name ending in .csv or .json",
                );
                Vec::new()
            }
            ("export", path) => self.export(path, false),
            ("export!", path) => self.export(path, true),
            ("retire-token", "") => {
                self.say(
                    Level::Error,
                    ":retire-token needs the grant token, e.g. :retire-token AQpAM2RhZ…",
                );
                Vec::new()
            }
            ("retire-token", token) => {
                if let Some(Err(reason)) = &self.session.audit_log
                    && !self.session.read_only
                {
                    let text = reason.clone();
                    self.say(Level::Error, text);
                } else if self.session.read_only {
                    let text = format!(
                        "this session is read-only ({}): kms:RetireGrant is turned off",
                        self.session.read_only_reason
                    );
                    self.say(Level::Warning, text);
                } else {
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
            ("retirable", other) => {
                self.say(
                    Level::Error,
                    format!(
                        ":retirable needs a principal ARN (arn:aws:iam::…) or a service principal (….amazonaws.com), not \"{other}\""
                    ),
                );
                Vec::new()
            }
            ("dry-run", "on") | ("dry-run", "off") => {
                self.session.dry_run = arg == "on";
                let text = if self.session.dry_run {
                    "dry run on: writes are sent with DryRun=true and change nothing"
                } else {
                    "dry run off: retire and revoke delete grants for real"
                };
                self.say(Level::Info, text);
                Vec::new()
            }
            ("dry-run", other) => {
                self.say(
                    Level::Error,
                    format!(":dry-run takes on or off, not \"{other}\""),
                );
                Vec::new()
            }
            (other, _) => {
                self.say(
                    Level::Error,
                    format!("unknown command :{other} (commands: :profile NAME, :region NAME, :retirable ARN, :export FILE, :retire-token TOKEN, :dry-run on|off, :quit)"),
                );
                Vec::new()
            }
        }
    }

    fn show_retirable(&mut self, principal: &str) -> Vec<Command> {
        let principal = principal.to_owned();
        if let Some(known) = self.data.principals.loaded_mut()
            && !known.contains(&principal)
        {
            known.push(principal.clone());
        }
        let mut commands = Vec::new();
        if !matches!(
            self.data.retirable.get(&principal),
            Some(load) if load.loaded().is_some() || load.is_pending()
        ) {
            commands.push(self.load_retirable(&principal));
        }
        self.screen.tab = Tab::Retirable;
        let stack = &mut self.screen.stacks[Tab::Retirable as usize];
        stack.truncate(1);
        self.refresh(None, |list| list.kind == ListKind::Principals);
        self.settle();
        // Put the cursor of the principals list on this principal, so Back lands on it.
        let data = &self.data;
        if let Some(View::List(list)) = self.screen.stacks[Tab::Retirable as usize].first_mut()
            && let Some(position) = list
                .rows
                .iter()
                .position(|&i| list::principal_at(data, i) == Some(principal.as_str()))
        {
            list.move_to(position, data);
        }
        self.push_view(View::List(ListView::new(ListKind::Retirable { principal })));
        commands
    }
}

/// Whether `text` can name a retiring principal: an ARN or a service principal, one word.
fn is_principal(text: &str) -> bool {
    let one_word = !text.is_empty() && !text.chars().any(char::is_whitespace);
    let arn = text.starts_with("arn:") && text.split(':').count() >= 6;
    let service = text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn");
    one_word && (arn || service)
}

/// `grant 0c237476… (name) on alias/payments`.
pub fn describe_grant(target: &GrantTarget) -> String {
    let grant = &target.grant;
    let key = target
        .key_aliases
        .first()
        .cloned()
        .unwrap_or_else(|| key_id_of(&target.key_arn).to_owned());
    match grant.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => format!(
            "grant {} ({name}) on {key}",
            list::short_id(&grant.grant_id)
        ),
        None => format!("grant {} on {key}", list::short_id(&grant.grant_id)),
    }
}

#[cfg(test)]
mod tests;
