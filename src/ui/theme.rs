//! Colours and text styles, in one place. `NO_COLOR` (or `theme = "mono"`) turns colour off and
//! leaves meaning to bold, reverse and underline.

use crate::domain::KeyState;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes a user can pick in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    Mono,
}

/// The styles every view draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub base: Style,
    pub header: Style,
    pub header_title: Style,
    pub dim: Style,
    pub table_header: Style,
    pub selected: Style,
    pub border: Style,
    pub tab_active: Style,
    pub tab_inactive: Style,
    pub badge_read_only: Style,
    pub badge_dry_run: Style,
    pub ok: Style,
    pub warning: Style,
    pub danger: Style,
    pub info: Style,
    pub label: Style,
    pub key_hint: Style,
}

impl Theme {
    /// The theme for `name`, or `Mono` when `no_color` is set.
    pub fn new(name: ThemeName, no_color: bool) -> Self {
        if no_color {
            return Self::mono();
        }
        match name {
            ThemeName::Dark => Self::colored(Color::Cyan, Color::DarkGray),
            ThemeName::Light => Self::colored(Color::Blue, Color::Gray),
            ThemeName::Mono => Self::mono(),
        }
    }

    /// Whether `NO_COLOR` asks for no colour (any non-empty value, per no-color.org).
    pub fn no_color_from_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    fn colored(accent: Color, muted: Color) -> Self {
        let bold = Modifier::BOLD;
        Self {
            base: Style::default(),
            header: Style::default().fg(Color::White).bg(Color::Blue),
            header_title: Style::default()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(bold),
            dim: Style::default().fg(muted),
            table_header: Style::default().fg(accent).add_modifier(bold),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            border: Style::default().fg(muted),
            tab_active: Style::default()
                .fg(accent)
                .add_modifier(bold | Modifier::UNDERLINED),
            tab_inactive: Style::default().fg(muted),
            badge_read_only: Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(bold),
            badge_dry_run: Style::default()
                .fg(Color::Black)
                .bg(Color::Magenta)
                .add_modifier(bold),
            ok: Style::default().fg(Color::Green),
            warning: Style::default().fg(Color::Yellow),
            danger: Style::default().fg(Color::Red).add_modifier(bold),
            info: Style::default(),
            label: Style::default().fg(accent),
            key_hint: Style::default().fg(accent).add_modifier(bold),
        }
    }

    fn mono() -> Self {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Self {
            base: Style::default(),
            header: Style::default().add_modifier(Modifier::REVERSED),
            header_title: Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            dim: Style::default().add_modifier(Modifier::DIM),
            table_header: bold.add_modifier(Modifier::UNDERLINED),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            border: Style::default(),
            tab_active: bold.add_modifier(Modifier::UNDERLINED),
            tab_inactive: Style::default().add_modifier(Modifier::DIM),
            badge_read_only: bold.add_modifier(Modifier::REVERSED),
            badge_dry_run: bold.add_modifier(Modifier::REVERSED),
            ok: Style::default(),
            warning: bold,
            danger: bold.add_modifier(Modifier::UNDERLINED),
            info: Style::default(),
            label: bold,
            key_hint: bold,
        }
    }

    /// The style of a key state: usable keys plain or green, others as a warning.
    pub fn key_state(&self, state: &KeyState) -> Style {
        match state {
            KeyState::Enabled => self.ok,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => self.danger,
            _ => self.warning,
        }
    }
}
