//! The one scroll helper the dialogs share: which keys move a list or a text, and by how much.
//!
//! Each dialog decides which of these steps it takes (the help only moves line by line; a key
//! a dialog does not take usually closes it). Nothing here knows a dialog.

use crossterm::event::{KeyCode, KeyEvent};

/// How far a page key moves.
pub const PAGE: usize = 10;

/// A move through a list or a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `k` / ↑ (1), PgUp ([`PAGE`]).
    Up(usize),
    /// `j` / ↓ (1), PgDn ([`PAGE`]).
    Down(usize),
    /// Home / `g`.
    Top,
    /// End / `G`.
    Bottom,
}

impl Step {
    /// The step a key stands for, if it is a scroll key.
    pub fn of(event: &KeyEvent) -> Option<Self> {
        Some(match event.code {
            KeyCode::Char('j') | KeyCode::Down => Self::Down(1),
            KeyCode::Char('k') | KeyCode::Up => Self::Up(1),
            KeyCode::PageDown => Self::Down(PAGE),
            KeyCode::PageUp => Self::Up(PAGE),
            KeyCode::Home | KeyCode::Char('g') => Self::Top,
            KeyCode::End | KeyCode::Char('G') => Self::Bottom,
            _ => return None,
        })
    }

    /// Whether it moves by one line (`j`, `k`, ↑, ↓).
    pub fn is_line(self) -> bool {
        matches!(self, Self::Up(1) | Self::Down(1))
    }

    /// Whether it moves by lines or pages (not to an end).
    pub fn is_relative(self) -> bool {
        matches!(self, Self::Up(_) | Self::Down(_))
    }

    /// `offset` moved by this step, never past `last`.
    pub fn apply(self, offset: usize, last: usize) -> usize {
        match self {
            Self::Up(n) => offset.saturating_sub(n),
            Self::Down(n) => offset.saturating_add(n).min(last),
            Self::Top => 0,
            Self::Bottom => last,
        }
        .min(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn keys_become_steps_that_stop_at_both_ends() {
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(Step::of(&key(KeyCode::Char('j'))), Some(Step::Down(1)));
        assert_eq!(Step::of(&key(KeyCode::PageUp)), Some(Step::Up(PAGE)));
        assert_eq!(Step::of(&key(KeyCode::Char('G'))), Some(Step::Bottom));
        assert_eq!(Step::of(&key(KeyCode::Char('x'))), None);
        assert_eq!(Step::Down(PAGE).apply(5, 7), 7);
        assert_eq!(Step::Up(PAGE).apply(5, 7), 0);
        assert_eq!(Step::Bottom.apply(0, 7), 7);
        assert_eq!(Step::Top.apply(3, 7), 0);
    }
}
