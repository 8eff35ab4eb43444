//! Typing a `/` filter: the list narrows as each key is typed; Enter keeps the filter, Esc
//! clears it, ↑/↓ still move the cursor.
//!
//! The filtering itself is the list's ([`ListView::refilter`](crate::app::list::ListView::refilter)).

use super::Modal;
use crate::app::list::{CellContext, ListView};
use crate::app::{App, Command, Level, View, input};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    /// `/`: builds the text the filter searches (once) and opens the filter line.
    pub(in crate::app) fn start_filter(&mut self) -> Vec<Command> {
        let ctx = CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        };
        if let Some(View::List(list)) = self.screen.stacks[self.screen.tab as usize].last_mut() {
            list.prepare_filter(ctx);
            self.screen.modal = Modal::Filter;
        }
        Vec::new()
    }

    /// Keys while the filter is typed.
    pub(super) fn on_filter_key(&mut self, event: KeyEvent) -> Vec<Command> {
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

    /// Edits the current list's filter and filters again.
    pub(in crate::app) fn set_filter(&mut self, edit: impl FnOnce(&mut String)) {
        self.edit_list(|list| edit(&mut list.filter));
    }

    /// Changes the current list's filter, finding or sort, then filters and sorts again.
    pub(in crate::app) fn edit_list(&mut self, change: impl FnOnce(&mut ListView)) {
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
    }
}
