//! The history of this session's deletions (`H`), with restore: `r` (or Enter) asks, `y`
//! sends. ↑/↓ move; any other key closes it.
//!
//! Whether a restore may be sent, and sending it, are [`writes`](crate::app::writes)'
//! business; this module holds the dialog's cursor and keys only.

use super::Modal;
use super::scroll::Step;
use crate::app::{App, Command, Level};
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    /// `H`: opens the history on its last entry.
    pub(in crate::app) fn show_history(&mut self) -> Vec<Command> {
        self.screen.modal = Modal::History {
            cursor: self.writes.history.len().saturating_sub(1),
            confirming: false,
        };
        Vec::new()
    }

    /// Keys while the history is open.
    pub(super) fn on_history_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let count = self.writes.history.len();
        let Modal::History { cursor, confirming } = &mut self.screen.modal else {
            return Vec::new();
        };
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
            KeyCode::Char('r') | KeyCode::Enter if count > 0 => {
                let entry = *cursor;
                if self.may_restore(entry)
                    && let Modal::History { confirming, .. } = &mut self.screen.modal
                {
                    *confirming = true;
                }
            }
            _ => match Step::of(&event).filter(|step| step.is_line()) {
                Some(step) => *cursor = step.apply(*cursor, count.saturating_sub(1)),
                None => self.screen.modal = Modal::None,
            },
        }
        Vec::new()
    }
}
