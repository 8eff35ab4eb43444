//! The history of this session's deletions: a window of entries that follows the cursor, the
//! restore state of each, and the question before a restore.
//!
//! Restoring is the app's (`app::writes`); this module only shows the entries and the question.

use crate::app::App;
use crate::domain::display::short_id;
use crate::ui::centered;
use crate::ui::text::{clean, fit, wrap};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

/// This session's deletions, newest last, with the restore state of each.
pub(super) fn draw(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    cursor: usize,
    confirming: bool,
    theme: &Theme,
) {
    let width = area.width.saturating_sub(4).min(110);
    let text_width = width.saturating_sub(4) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if app.writes.history.is_empty() {
        lines.push(Line::styled(
            "Nothing was retired or revoked in this session.",
            theme.dim,
        ));
    }
    // Only a window of the entries fits; it follows the cursor, and the prompt below it always
    // shows.
    let room = (area.height as usize).saturating_sub(2 + 2 + 4).max(1);
    let first = cursor.saturating_sub(room.saturating_sub(1));
    if app.writes.history.len() > room {
        lines.push(Line::styled(
            format!(
                "{}–{} of {} (j/k move)",
                first + 1,
                (first + room).min(app.writes.history.len()),
                app.writes.history.len()
            ),
            theme.dim,
        ));
    }
    for (i, entry) in app.writes.history.iter().enumerate().skip(first).take(room) {
        let state = match &entry.restored {
            None => String::new(),
            Some(Ok(id)) if id.is_empty() => " · restoring…".to_owned(),
            Some(Ok(id)) => format!(" · restored as {}", short_id(id)),
            Some(Err(_)) => " · restore failed".to_owned(),
        };
        let text = format!(
            "{} {} {}{}",
            entry.at.rfc3339(),
            entry.kind.past(),
            crate::app::describe_grant(&entry.target),
            state
        );
        let style = if i == cursor {
            theme.selected
        } else {
            theme.base
        };
        lines.push(Line::styled(
            fit(&clean(&text), text_width).into_owned(),
            style,
        ));
    }
    lines.push(Line::raw(""));
    if confirming {
        let what = app
            .writes
            .history
            .get(cursor)
            .map(|e| crate::app::describe_grant(&e.target))
            .unwrap_or_default();
        // `what` holds the grant's name, from AWS or a fixture: cleaned like every such string.
        for piece in wrap(
            &clean(&format!(
                "Recreate {what} with kms:CreateGrant (same key, grantee, retiring principal, operations, constraints, name)? y restores, any other key cancels"
            )),
            text_width,
        ) {
            lines.push(Line::styled(piece, theme.warning));
        }
    } else {
        lines.push(Line::styled(
            fit(
                "j/k move · r restore (asks first) · any other key closes",
                text_width,
            )
            .into_owned(),
            theme.dim,
        ));
    }
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .padding(Padding::horizontal(1))
        .title(" This session's deletions ");
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
