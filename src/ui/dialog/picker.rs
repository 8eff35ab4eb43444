//! The profile (`P`) and region (`R`) pickers: the typed filter, a window of the choices and
//! the keys.
//!
//! Narrowing and the cursor are `app::modal::picker`'s; this module only draws them.

use crate::app::modal::{PickKind, Picker};
use crate::ui::centered;
use crate::ui::text::{clean, fit};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The `P` / `R` picker: the filter line, a window of the choices that follows the cursor, and
/// what the keys do.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, picker: &Picker, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(72);
    let text_width = width.saturating_sub(4) as usize;
    let shown = picker.shown();
    let mut lines: Vec<Line<'static>> = vec![Line::from(vec![
        Span::styled("> ", theme.dim),
        Span::raw(fit(&clean(&picker.filter), text_width.saturating_sub(3)).into_owned()),
        Span::styled("▏", theme.dim),
    ])];
    // The list keeps the height of every item (narrowing does not move the input line), and
    // its window keeps the cursor in the middle where it can.
    let room = (area.height as usize)
        .saturating_sub(2 + 2 + 3)
        .clamp(1, picker.items.len().max(1));
    let first = picker
        .cursor
        .saturating_sub(room / 2)
        .min(shown.len().saturating_sub(room));
    if shown.is_empty() {
        lines.push(Line::styled("nothing matches", theme.dim));
    }
    for (at, &index) in shown.iter().enumerate().skip(first).take(room) {
        let item = &picker.items[index];
        let value = clean(&item.value).into_owned();
        let note = clean(&item.note).into_owned();
        let gap = text_width
            .saturating_sub(value.width() + note.width())
            .max(2);
        let text = fit(&format!("{value}{}{note}", " ".repeat(gap)), text_width).into_owned();
        let style = if at == picker.cursor {
            theme.selected
        } else {
            theme.base
        };
        lines.push(Line::styled(text, style));
    }
    let drawn = shown.len().saturating_sub(first).min(room).max(1);
    for _ in drawn..room {
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(""));
    let window = if shown.len() > room {
        format!(
            "{}–{} of {}",
            first + 1,
            (first + room).min(shown.len()),
            shown.len()
        )
    } else {
        format!("{} of {}", shown.len(), picker.items.len())
    };
    lines.push(Line::styled(
        fit(
            &format!("{window} · type to narrow · ↑/↓ move · Enter switch · Esc close"),
            text_width,
        )
        .into_owned(),
        theme.dim,
    ));
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    let title = match picker.kind {
        PickKind::Profile => " Switch profile ",
        PickKind::Region => " Switch region ",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .padding(Padding::horizontal(1))
        .title(title);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
