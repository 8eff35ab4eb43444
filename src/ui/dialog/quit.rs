//! The question asked when the operator quits with writes still in flight.
//!
//! Waiting for those writes is the runtime's; this module only asks.

use crate::app::App;
use crate::ui::centered;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws the quit question, with the number of writes in flight.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let lines = vec![
        Line::raw(format!(
            "{} write(s) still in flight. Quitting sends nothing more, waits up to 5 s",
            app.writes.in_flight
        )),
        Line::raw("for their answers, and records any still unanswered as interrupted."),
        Line::raw(""),
        Line::styled("y quit anyway · any other key keeps waiting", theme.dim),
    ];
    let rect = centered(area, 78, 6);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.warning)
        .title(" Quit? ");
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
