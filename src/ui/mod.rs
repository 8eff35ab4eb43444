//! Rendering: a pure function of the app state into a ratatui `Frame`.
//!
//! Nothing here sorts, filters, loads or changes state, except the scroll offsets the renderer
//! owns (`ListView::offset`, `DetailView::scroll`, `App::page_rows`). Tables build rows only for
//! the visible window. Every string from AWS or a fixture passes through [`text::clean`].
//!
//! This module lays out the screen and hands each part to the module that draws it: the title
//! line (`header`), the tab line (`tabs`), the body (a list's `table`, or a grant's `detail`),
//! the status line and key hints (`footer`), and the open dialog over them (`dialog`).

pub mod text;
pub mod theme;

mod detail;
mod dialog;
mod footer;
mod header;
mod table;
mod tabs;

use self::theme::Theme;
use crate::app::{App, View};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub use crate::app::{MIN_HEIGHT, MIN_WIDTH};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, area, theme);
        return;
    }
    let status_height = footer::status_lines(app, area.width);
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(status_height),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, header, app, theme);
    tabs::draw(frame, tabs, app, theme);
    match app.current_view() {
        View::List(list) => table::draw(frame, body, app, list, theme),
        View::Detail(view) => detail::draw(frame, body, app, view, theme),
    }
    footer::draw_status(frame, status, app, theme);
    footer::draw_footer(frame, footer, app, theme);
    dialog::draw(frame, area, app, theme);
}

fn draw_too_small(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let lines = vec![
        Line::styled("Terminal too small", theme.warning),
        Line::raw(format!("kms-grants needs {MIN_WIDTH}×{MIN_HEIGHT}")),
        Line::raw(format!("this one is {}×{}", area.width, area.height)),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let inner = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(Paragraph::new(lines).centered(), inner);
}

/// A rectangle of `width` × `height` centred in `area` (clamped to it).
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
