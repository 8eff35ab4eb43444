//! The `P` and `R` pickers: a list of profiles or regions to switch to. Type to narrow it,
//! ↑/↓ (or ctrl-n/ctrl-p) to move, Enter to switch, Esc to close.
//!
//! What the lists hold and what a switch does are [`switch`](crate::app::switch)'s business.

use super::Modal;
use crate::app::{App, Command};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a picker chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    Profile,
    Region,
}

/// One choice of a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub value: String,
    /// What else to say about it: the account entry, its region, read-only, current.
    pub note: String,
}

/// The `P` / `R` list: type to narrow it, ↑/↓ to move, Enter to switch, Esc to close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub kind: PickKind,
    pub items: Vec<PickItem>,
    pub filter: String,
    /// Position in [`Picker::shown`].
    pub cursor: usize,
}

impl Picker {
    /// The items the filter lets through (any case, value or note), as indices into `items`.
    pub fn shown(&self) -> Vec<usize> {
        let filter = self.filter.to_lowercase();
        self.items
            .iter()
            .enumerate()
            .filter(|(_, item)| {
                filter.is_empty()
                    || item.value.to_lowercase().contains(&filter)
                    || item.note.to_lowercase().contains(&filter)
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn chosen(&self) -> Option<&PickItem> {
        self.shown().get(self.cursor).map(|&i| &self.items[i])
    }
}

impl App {
    pub(in crate::app) fn open_picker(
        &mut self,
        kind: PickKind,
        items: Vec<PickItem>,
        current: Option<String>,
    ) {
        let cursor = items
            .iter()
            .position(|item| Some(&item.value) == current.as_ref())
            .unwrap_or(0);
        self.screen.modal = Modal::Picker(Picker {
            kind,
            items,
            filter: String::new(),
            cursor,
        });
    }

    /// Keys while a picker is open.
    pub(super) fn on_picker_key(&mut self, event: KeyEvent) -> Vec<Command> {
        let Modal::Picker(picker) = &mut self.screen.modal else {
            return Vec::new();
        };
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let count = picker.shown().len();
        match event.code {
            KeyCode::Esc => self.screen.modal = Modal::None,
            KeyCode::Enter => {
                let chosen = picker.chosen().map(|item| item.value.clone());
                let kind = picker.kind;
                self.screen.modal = Modal::None;
                return match (chosen, kind) {
                    (Some(name), PickKind::Profile) => self.switch_profile(&name),
                    (Some(name), PickKind::Region) => self.switch_region(&name),
                    (None, _) => Vec::new(),
                };
            }
            KeyCode::Down => picker.cursor = (picker.cursor + 1).min(count.saturating_sub(1)),
            KeyCode::Char('n') if ctrl => {
                picker.cursor = (picker.cursor + 1).min(count.saturating_sub(1))
            }
            KeyCode::Up => picker.cursor = picker.cursor.saturating_sub(1),
            KeyCode::Char('p') if ctrl => picker.cursor = picker.cursor.saturating_sub(1),
            KeyCode::PageDown => picker.cursor = (picker.cursor + 10).min(count.saturating_sub(1)),
            KeyCode::PageUp => picker.cursor = picker.cursor.saturating_sub(10),
            KeyCode::Home => picker.cursor = 0,
            KeyCode::End => picker.cursor = count.saturating_sub(1),
            KeyCode::Backspace => {
                picker.filter.pop();
                picker.cursor = 0;
            }
            KeyCode::Char('u') if ctrl => {
                picker.filter.clear();
                picker.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl => {
                picker.filter.push(c);
                picker.cursor = 0;
            }
            _ => {}
        }
        Vec::new()
    }
}
