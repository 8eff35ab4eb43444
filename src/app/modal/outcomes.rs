//! The outcome list of a bulk retire or revoke: one line per grant, filled in as the answers
//! arrive. It scrolls by grant and stops at the last one; any other key closes it.
//!
//! The outcomes themselves are the bulk run's ([`BulkRun`](crate::app::writes::BulkRun)); only
//! the scroll is kept here.

use super::Modal;
use super::scroll::Step;
use crate::app::{App, Command};
use crossterm::event::KeyEvent;

impl App {
    /// Keys while the outcome list is open.
    pub(super) fn on_outcomes_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let last = self
            .writes
            .bulk
            .as_ref()
            .map_or(0, |b| b.outcomes.len())
            .saturating_sub(1);
        let Modal::Outcomes { scroll } = &mut self.screen.modal else {
            return Vec::new();
        };
        match Step::of(&event) {
            Some(step) => *scroll = step.apply(*scroll, last),
            None => self.screen.modal = Modal::None,
        }
        Vec::new()
    }
}
