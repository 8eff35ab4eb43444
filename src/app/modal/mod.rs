//! The dialogs drawn over the views, which take the keys while open: each is its own module
//! with its state and its keys (help, filter, command line, pickers, confirmations, outcomes,
//! history), sharing one [`scroll`] helper. This module only routes a key to the open one.
//!
//! Drawing them is `ui::dialog`'s business; what their answers do (send a write, switch) is the
//! rest of the app's.

pub mod confirm;
mod filter;
mod help;
mod history;
mod outcomes;
pub mod picker;
mod prompt;
pub mod scroll;

pub use self::confirm::{ConfirmLine, PendingChange};
pub use self::picker::{PickItem, PickKind, Picker};

use super::{Action, App, Command, Effect, Intent, keymap};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

impl App {
    /// A key press: ctrl-c quits from anywhere, a terminal too small takes only `q`, an open
    /// dialog takes the rest, and otherwise the keymap says what it means.
    pub(super) fn on_key(&mut self, event: KeyEvent) -> Vec<Command> {
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
        match &self.screen.modal {
            Modal::None => match keymap::action_for(&event, self.context()) {
                Some(intent) => self.update(Action::Intent(intent)),
                None => Vec::new(),
            },
            Modal::Help { .. } => self.on_help_key(event),
            Modal::Filter => self.on_filter_key(event),
            Modal::Picker(_) => self.on_picker_key(event),
            Modal::Command(_) => self.on_prompt_key(event),
            Modal::Confirm(change) if change.needs_count() => self.on_bulk_confirm_key(event),
            Modal::Confirm(_) => self.on_confirm_key(event),
            Modal::History { .. } => self.on_history_key(event),
            Modal::Outcomes { .. } => self.on_outcomes_key(event),
            Modal::ConfirmQuit => self.on_confirm_quit_key(event),
        }
    }
}
