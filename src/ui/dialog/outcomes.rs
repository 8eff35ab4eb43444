//! The outcomes of the last bulk run: one line (or a few, wrapped) per grant, filled in as the
//! answers arrive, with the counts so far in the title.
//!
//! Only the grants in the window are wrapped; the scroll is `app::modal`'s.

use crate::app::{App, Level};
use crate::ui::centered;
use crate::ui::text::{clean, wrap};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

/// The per-grant outcomes of the last bulk run, filled in as answers arrive.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let Some(bulk) = &app.writes.bulk else {
        return;
    };
    let width = area.width.saturating_sub(4).min(110);
    let text_width = width.saturating_sub(4) as usize;
    let total = bulk.outcomes.len();
    // The list scrolls by grant, and only the grants shown are wrapped: the outcomes of 50,000
    // grants cost a frame what those of 20 do.
    let height = area
        .height
        .saturating_sub(2)
        .min(u16::try_from(total).unwrap_or(u16::MAX).saturating_add(4));
    let room = height.saturating_sub(3) as usize;
    let first = scroll.min(total.saturating_sub(1));
    let mut shown: Vec<Line<'static>> = Vec::new();
    let mut last = first;
    for outcome in bulk.outcomes.iter().skip(first) {
        let (mark, style, text) = match &outcome.result {
            None => (
                "…",
                theme.dim,
                format!("{} (waiting for KMS)", outcome.what),
            ),
            Some((Level::Error, text)) => ("✗", theme.danger, text.clone()),
            Some((Level::Warning, text)) => ("!", theme.warning, text.clone()),
            Some((_, text)) => ("✓", theme.ok, text.clone()),
        };
        let pieces = wrap(&clean(&text), text_width.saturating_sub(2));
        if shown.len() + pieces.len() > room && !shown.is_empty() {
            break;
        }
        for (i, piece) in pieces.into_iter().enumerate() {
            let head = if i == 0 { mark } else { " " };
            shown.push(Line::styled(format!("{head} {piece}"), style));
        }
        last += 1;
    }
    shown.truncate(room);
    let in_flight = !bulk.finished();
    shown.push(Line::styled(
        if in_flight {
            "j/k scroll · any other key closes (the calls go on)"
        } else {
            "j/k scroll · any other key closes"
        },
        theme.dim,
    ));
    let verb = if bulk.dry_run {
        format!("Dry run of {}", bulk.kind.verb())
    } else {
        let v = bulk.kind.verb();
        let mut c = v.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    let title = format!(
        " {verb}: {}/{} answered · ✓ {} · ! {} · ✗ {} · grants {}–{} of {} ",
        bulk.done(),
        total,
        bulk.count(Level::Success) + bulk.count(Level::Info),
        bulk.count(Level::Warning),
        bulk.count(Level::Error),
        (first + 1).min(total),
        last,
        total
    );
    let rect = centered(area, width, height.max(4));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .padding(Padding::horizontal(1))
        .title(title);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}
