//! The confirmation of a retire or revoke: the exact grants it will send, No focused at first.
//! One grant is answered with `y` (or → then Enter); several only by typing their number. And
//! the question asked when quitting with writes in flight.
//!
//! Opening and sending are [`writes`](crate::app::writes)' business; this module holds the
//! dialog's state and keys only.

use super::Modal;
use super::scroll::Step;
use crate::app::writes::GrantTarget;
use crate::app::{Action, App, Command, Effect, Intent, Level};
use crate::source::WriteKind;
use crossterm::event::{KeyCode, KeyEvent};

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

impl App {
    /// Keys while a confirmation of one grant (or of a grant token) is open.
    pub(super) fn on_confirm_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let Modal::Confirm(change) = &mut self.screen.modal else {
            return Vec::new();
        };
        match event.code {
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
        }
    }

    /// Keys while a confirmation of several grants is open: only the typed number confirms.
    pub(super) fn on_bulk_confirm_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let Modal::Confirm(change) = &mut self.screen.modal else {
            return Vec::new();
        };
        match event.code {
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
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                self.update(Action::Intent(Intent::CancelChange))
            }
            // The list scrolls; the renderer clamps what is past the end.
            _ => {
                if let Some(step) = Step::of(&event).filter(|step| step.is_relative()) {
                    change.scroll = step.apply(change.scroll, usize::MAX);
                }
                Vec::new()
            }
        }
    }

    /// Keys while quitting asks (writes in flight): `y` quits, anything else stays.
    pub(super) fn on_confirm_quit_key(&mut self, event: KeyEvent) -> Vec<Command> {
        match event.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => vec![Command::Effect(Effect::Quit)],
            _ => {
                self.screen.modal = Modal::None;
                Vec::new()
            }
        }
    }
}
