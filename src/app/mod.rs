//! Application state and the one synchronous `update(state, action) -> commands` function.
//!
//! Key presses, ticks and source results all arrive as [`Action`]s; [`App::update`] changes the
//! state and returns the [`Command`]s (loads, writes, quit) for the runtime to carry out. Nothing
//! here does IO, awaits, or reads the clock: that keeps every behaviour testable as plain calls.
//!
//! This file only routes: an action goes by its origin to input and the dialogs ([`modal`]),
//! browsing (`browse`), loads (`loads`), writes ([`writes`]) or switching ([`switch`]); `:`
//! commands are parsed in [`command_line`]; the state's parts are in [`state`].

pub mod action;
mod browse;
pub mod command;
pub mod command_line;
pub mod data;
pub mod export;
pub mod input;
pub mod keymap;
pub mod list;
mod loads;
pub mod marks;
pub mod modal;
pub mod state;
pub mod status;
pub mod switch;
pub mod writes;

pub use self::action::{Action, Done, Input, Intent, Loaded, Wrote};
pub use self::command::{Command, Effect, Read, Write};
use self::data::{Data, RequestId};
use self::keymap::Context;
use self::list::{CellContext, ListKind, ListView};
pub use self::modal::{ConfirmLine, Modal, PendingChange};
pub use self::state::{AppOptions, DetailView, Screen, Session, Tab, View, Writes};
pub use self::status::{Level, Status};
pub use self::writes::bulk::{BulkRun, Outcome};
pub use self::writes::{GrantTarget, HistoryEntry, Refusal, describe_grant};
use crate::domain::{Timestamp, key_id_of};
use crate::places::Target;
use crate::source::WriteKind;
use std::cell::Cell;

/// The smallest terminal the layout works in.
pub const MIN_WIDTH: u16 = 60;
/// The smallest terminal height the layout works in.
pub const MIN_HEIGHT: u16 = 12;

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
        self.say_writes_are_off();
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
            Intent::StartFilter => self.start_filter(),
            Intent::CycleSort => self.cycle_sort(),
            Intent::ReverseSort => self.reverse_sort(),
            Intent::CycleFinding => self.cycle_finding(),
            Intent::ToggleMark => self.toggle_mark(),
            Intent::MarkAllShown => self.mark_all_shown(),
            Intent::ClearMarks => self.clear_marks(),
            Intent::Retire => self.ask_delete(WriteKind::Retire),
            Intent::Revoke => self.ask_delete(WriteKind::Revoke),
            Intent::StartCommand => self.start_command(),
            Intent::RunCommand(line) => self.run_command(&line),
            Intent::PickProfile => self.pick_profile(),
            Intent::PickRegion => self.pick_region(),
            Intent::Reload => self.reload(),
            Intent::ToggleHelp => self.toggle_help(),
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
            Intent::ShowHistory => self.show_history(),
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

    // ----- keys -----
}

#[cfg(test)]
mod tests;
