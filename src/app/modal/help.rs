//! The help overlay (`?`): it scrolls line by line, and any other key closes it.
//!
//! Its text comes from the keymap and is drawn by `ui::dialog`; only the scroll is kept here.

use super::Modal;
use super::scroll::Step;
use crate::app::{App, Command};
use crossterm::event::KeyEvent;

impl App {
    /// `?`: opens the help, or closes it when open.
    pub(in crate::app) fn toggle_help(&mut self) -> Vec<Command> {
        self.screen.modal = match self.screen.modal {
            Modal::Help { .. } => Modal::None,
            _ => Modal::Help { scroll: 0 },
        };
        Vec::new()
    }

    /// Keys while the help is open.
    pub(super) fn on_help_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let Modal::Help { scroll } = &mut self.screen.modal else {
            return Vec::new();
        };
        match Step::of(&event).filter(|step| step.is_line()) {
            // The renderer clamps what is past the end.
            Some(step) => *scroll = step.apply(usize::from(*scroll), usize::from(u16::MAX)) as u16,
            None => self.screen.modal = Modal::None,
        }
        Vec::new()
    }
}
