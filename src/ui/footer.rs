//! The bottom of the screen: the status line (or, while typing, the filter or command line)
//! and the key hints, the least useful dropped first when they do not fit.
//!
//! The hints come from `app::keymap`; a typed grant token is masked here, never shown.

use super::text::{self, clean};
use super::theme::Theme;
use crate::app::keymap;
use crate::app::{App, Level, Modal};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Rows the status line needs: a long message wraps onto up to four.
pub(super) fn status_lines(app: &App, width: u16) -> u16 {
    match (&app.screen.modal, &app.screen.status) {
        (Modal::Filter | Modal::Command(_), _) | (_, None) => 1,
        (_, Some(status)) => text::wrap(&clean(&status.text), width as usize)
            .len()
            .clamp(1, 4) as u16,
    }
}

/// Draws the status line, or the filter or command line being typed.
pub(super) fn draw_status(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let line = match &app.screen.modal {
        Modal::Filter => {
            let filter = app.current_list().map(|l| l.filter.as_str()).unwrap_or("");
            Line::from(vec![
                Span::styled("/", theme.key_hint),
                Span::raw(clean(filter).into_owned()),
                Span::styled("▏", theme.key_hint),
                Span::styled("   Enter keeps · Esc clears", theme.dim),
            ])
        }
        Modal::Command(input) => Line::from(vec![
            Span::styled(":", theme.key_hint),
            Span::raw(match input.trim_start().split_once(char::is_whitespace) {
                // A grant token is a credential: not even its typing is shown (the command is
                // read the same way: leading blanks, any blank after the name).
                Some(("retire-token", token)) => {
                    format!("retire-token {}", "•".repeat(token.chars().count()))
                }
                _ => clean(input).into_owned(),
            }),
            Span::styled("▏", theme.key_hint),
            match &app.screen.completions {
                // Names from the AWS files: cleaned like any other outside text.
                Some(found) => Span::styled(format!("   {}", clean(found)), theme.key_hint),
                None => Span::styled(
                    "   profile NAME · region NAME · retirable ARN · export FILE · retire-token TOKEN · dry-run on|off · quit · Tab completes",
                    theme.dim,
                ),
            },
        ]),
        _ => match &app.screen.status {
            Some(status) => {
                let style = match status.level {
                    Level::Info => theme.info,
                    Level::Success => theme.ok,
                    Level::Warning => theme.warning,
                    Level::Error => theme.danger,
                };
                // Long messages wrap (the layout gives the status up to four lines) so the
                // part that says what to do is never cut off.
                let lines: Vec<Line<'static>> =
                    text::wrap(&clean(&status.text), area.width as usize)
                        .into_iter()
                        .map(|l| Line::styled(l, style))
                        .collect();
                frame.render_widget(Paragraph::new(lines), area);
                return;
            }
            None => Line::raw(""),
        },
    };
    frame.render_widget(line, area);
}

/// Draws the key hints that fit, and the marks and writes in flight.
pub(super) fn draw_footer(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let writes = !app.session.read_only && !matches!(app.session.audit_log, Some(Err(_)));
    let mut hints: Vec<(String, String, u8)> =
        keymap::footer_hints(app.context(), writes, app.session.places.fixed.is_none())
            .map(|(key, what, priority)| (key.to_owned(), what.to_owned(), priority))
            .collect();
    if !app.writes.marks.is_empty() {
        // Marks the current list does not show (filtered out, or on other keys) count too.
        let shown = app.marks_shown();
        let hidden = app.writes.marks.len() - shown.min(app.writes.marks.len());
        let text = if hidden > 0 {
            format!("{} marked ({hidden} not shown)", app.writes.marks.len())
        } else {
            format!("{} marked", app.writes.marks.len())
        };
        hints.insert(0, ("●".to_owned(), text, 11));
    }
    if app.writes.in_flight > 0 {
        hints.push((
            "⋯".to_owned(),
            format!("{} in flight", app.writes.in_flight),
            10,
        ));
    }
    let width_of = |hints: &[(String, String, u8)]| -> usize {
        hints
            .iter()
            .map(|(k, w, _)| k.width() + w.width() + 3)
            .sum()
    };
    // Drop the least useful hints until the rest fit.
    while width_of(&hints) > area.width as usize && !hints.is_empty() {
        if let Some(lowest) = hints
            .iter()
            .enumerate()
            .min_by_key(|(i, h)| (h.2, usize::MAX - i))
            .map(|(i, _)| i)
        {
            hints.remove(lowest);
        }
    }
    let spans: Vec<Span<'static>> = hints
        .into_iter()
        .flat_map(|(key, what, _)| {
            [
                Span::styled(format!(" {key}"), theme.key_hint),
                Span::styled(format!(" {what} "), theme.dim),
            ]
        })
        .collect();
    frame.render_widget(Line::from(spans), area);
}
