//! A list view drawn as a table: its title and bottom line (count, sort, filter, finding),
//! the column widths for the terminal's width, the visible window of rows, the marks gutter and
//! the colours that carry meaning.
//!
//! Rows come already filtered and sorted in `ListView::rows` and their text from
//! `app::list::cell_text`; this module builds `Row`s only for the window it shows, and moves
//! nothing but the view's scroll offset.

use super::text::{self, clean, fit};
use super::theme::Theme;
use crate::app::App;
use crate::app::data::Load;
use crate::app::list::{self, CellContext, ListKind, ListView, Width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// The title above a list: what it shows.
fn list_title(app: &App, list: &ListView) -> Line<'static> {
    match &list.kind {
        ListKind::Keys => Line::raw(" Keys "),
        ListKind::Principals => {
            Line::raw(" Retiring principals — Enter lists the grants each may retire ")
        }
        ListKind::Grants { key_id } => match app.data.key(key_id) {
            Some(key) => {
                let aliases = if key.aliases.is_empty() {
                    "(no alias)".to_owned()
                } else {
                    key.alias_list()
                };
                Line::raw(format!(
                    " Grants of {} · {} · {} ",
                    clean(&aliases),
                    clean(&state_text(key)),
                    clean(&key.metadata.arn)
                ))
            }
            None => Line::raw(format!(" Grants of {} ", clean(key_id))),
        },
        ListKind::Retirable { principal } => {
            Line::raw(format!(" Grants that {} may retire ", clean(principal)))
        }
    }
}

/// `PendingDeletion (deleted on 2026-11-29)` when the key has a deletion date.
pub(super) fn state_text(key: &crate::domain::Key) -> String {
    let state = key.metadata.key_state.as_str();
    match key.metadata.deletion_date {
        Some(date) => format!("{state} (deleted on {})", date.date()),
        None => state.to_owned(),
    }
}

/// Whether the list's data is being reloaded (the old data is shown meanwhile).
fn reloading(app: &App, kind: &ListKind) -> bool {
    let refreshing = |load: Option<&Load<_>>| matches!(load, Some(Load::Refreshing(..)));
    match kind {
        ListKind::Keys => matches!(app.data.keys, Load::Refreshing(..)),
        ListKind::Principals => matches!(app.data.principals, Load::Refreshing(..)),
        ListKind::Grants { key_id } => refreshing(app.data.grants.get(key_id)),
        ListKind::Retirable { principal } => refreshing(app.data.retirable.get(principal)),
    }
}

/// The load state of the list's data, when it is not loaded.
fn load_message(app: &App, kind: &ListKind) -> Option<(String, bool)> {
    fn of<T>(load: Option<&Load<T>>) -> Option<(String, bool)> {
        match load {
            Some(Load::Loaded(_) | Load::Refreshing(..)) => None,
            Some(Load::Loading(_)) => Some(("loading…".to_owned(), false)),
            Some(Load::Failed(text)) => Some((text.clone(), true)),
            Some(Load::NotAsked) | None => Some(("not loaded (ctrl-r loads it)".to_owned(), false)),
        }
    }
    match kind {
        ListKind::Keys => of(Some(&app.data.keys)),
        ListKind::Principals => of(Some(&app.data.principals)),
        ListKind::Grants { key_id } => of(app.data.grants.get(key_id)),
        ListKind::Retirable { principal } => of(app.data.retirable.get(principal)),
    }
}

/// Column widths for `available` cells: hides the lowest-priority columns until the minimums
/// fit, then shares what is left among the fill columns by weight. `None` marks a hidden column.
fn column_widths(columns: &[list::Column], available: u16) -> Vec<Option<u16>> {
    let min_of = |c: &list::Column| match c.width {
        Width::Fixed(n) => n,
        Width::Fill { min, .. } => min,
    };
    let mut shown: Vec<bool> = vec![true; columns.len()];
    loop {
        let count = shown.iter().filter(|s| **s).count() as u16;
        let needed: u16 = columns
            .iter()
            .zip(&shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| min_of(c))
            .sum::<u16>()
            + count.saturating_sub(1);
        if needed <= available || count <= 1 {
            let mut spare = available.saturating_sub(needed);
            let total_weight: u16 = columns
                .iter()
                .zip(&shown)
                .filter(|(_, s)| **s)
                .map(|(c, _)| match c.width {
                    Width::Fill { weight, .. } => weight,
                    Width::Fixed(_) => 0,
                })
                .sum();
            let mut widths: Vec<Option<u16>> = columns
                .iter()
                .zip(&shown)
                .map(|(c, s)| s.then(|| min_of(c)))
                .collect();
            if total_weight > 0 {
                let share = spare;
                for (width, column) in widths.iter_mut().zip(columns) {
                    if let (Some(w), Width::Fill { weight, .. }) = (width.as_mut(), column.width) {
                        let extra =
                            (u32::from(share) * u32::from(weight) / u32::from(total_weight)) as u16;
                        *w += extra;
                        spare -= extra;
                    }
                }
                // Rounding leftovers go to the last fill column.
                if let Some(w) = widths
                    .iter_mut()
                    .zip(columns)
                    .rev()
                    .find(|(w, c)| w.is_some() && matches!(c.width, Width::Fill { .. }))
                    .and_then(|(w, _)| w.as_mut())
                {
                    *w += spare;
                }
            }
            return widths;
        }
        // Hide the shown column with the lowest priority (the rightmost among equals).
        let victim = columns
            .iter()
            .enumerate()
            .filter(|(i, _)| shown[*i])
            .min_by_key(|(i, c)| (c.priority, usize::MAX - i))
            .map(|(i, _)| i);
        match victim {
            Some(i) => shown[i] = false,
            None => return vec![None; columns.len()],
        }
    }
}

/// Draws a list view in `area`: its block, the visible rows and the marks gutter.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, view: &ListView, theme: &Theme) {
    let columns = view.kind.columns();
    let total = list::item_count(&app.data, &view.kind);
    let sort_arrow = if view.sort_reverse { "↓" } else { "↑" };
    let sort_title = columns.get(view.sort_column).map(|c| c.title).unwrap_or("");
    let mut bottom = vec![Span::raw(format!(
        " {} of {} · sorted by {sort_title} {sort_arrow} ",
        view.rows.len(),
        total
            .map(|t| t.to_string())
            .unwrap_or_else(|| "?".to_owned()),
    ))];
    if !view.filter.is_empty() {
        bottom.push(Span::styled(
            format!("· filter \"{}\" ", clean(&view.filter)),
            theme.warning,
        ));
    }
    if let Some(code) = view.finding {
        bottom.push(Span::styled(format!("· finding {code} "), theme.warning));
    }
    if reloading(app, &view.kind) {
        bottom.push(Span::styled("· reloading… ", theme.warning));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(list_title(app, view))
        .title_bottom(Line::from(bottom));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if let Some((message, failed)) = load_message(app, &view.kind) {
        let style = if failed { theme.danger } else { theme.dim };
        frame.render_widget(
            Paragraph::new(Line::styled(clean(&message).into_owned(), style)),
            inner,
        );
        return;
    }

    // Grant lists get a two-column gutter for marks.
    let gutter = if view.kind.holds_grants() { 2 } else { 0 };
    let table_area = Rect {
        x: inner.x + gutter,
        width: inner.width.saturating_sub(gutter),
        ..inner
    };
    let widths = column_widths(columns, table_area.width);
    let visible_rows = inner.height.saturating_sub(1) as usize;
    app.screen.page_rows.set(visible_rows.max(1));

    // Keep the cursor in sight: the offset follows it.
    let mut offset = view.offset.get();
    if view.cursor < offset {
        offset = view.cursor;
    } else if visible_rows > 0 && view.cursor >= offset + visible_rows {
        offset = view.cursor + 1 - visible_rows;
    }
    offset = offset.min(view.rows.len().saturating_sub(visible_rows));
    view.offset.set(offset);

    let header = Row::new(
        columns
            .iter()
            .zip(&widths)
            .enumerate()
            .filter_map(|(i, (c, w))| {
                w.map(|_| {
                    let title = if i == view.sort_column {
                        format!("{} {sort_arrow}", c.title)
                    } else {
                        c.title.to_owned()
                    };
                    Cell::from(title)
                })
            }),
    )
    .style(theme.table_header);

    let ctx = CellContext {
        data: &app.data,
        now: app.now,
        stale_after_days: app.session.stale_after_days,
    };
    let end = (offset + visible_rows).min(view.rows.len());
    let rows = view.rows[offset..end]
        .iter()
        .enumerate()
        .map(|(n, &index)| {
            let cells = widths.iter().enumerate().filter_map(|(column, width)| {
                let width = (*width)?;
                let text = list::cell_text(ctx, &view.kind, index, column);
                // Role paths are told apart by their end; service principals by their start.
                // A principal of another account starts with its account id, which must stay.
                let foreign = text.len() > 13
                    && text.as_bytes()[..12].iter().all(u8::is_ascii_digit)
                    && text.as_bytes()[12] == b':';
                let shown = if columns[column].keep_end && text.contains('/') && !foreign {
                    text::fit_end(&clean(&text), width as usize).into_owned()
                } else {
                    fit(&clean(&text), width as usize).into_owned()
                };
                Some(Cell::from(Span::styled(
                    shown,
                    cell_style(app, &view.kind, index, column, theme),
                )))
            });
            // A grant deleted by this session that KMS still lists: struck through and dimmed,
            // on the cursor row too.
            let pending = list::grant_at(&app.data, &view.kind, index).is_some_and(|g| {
                app.data
                    .pending_delete(&g.key_id, &g.grant_id, app.now)
                    .is_some()
            });
            let mut style = Style::default();
            if offset + n == view.cursor {
                style = style.patch(theme.selected);
            }
            if pending {
                style = style.patch(theme.dim).add_modifier(Modifier::CROSSED_OUT);
            }
            Row::new(cells).style(style)
        });
    let constraints: Vec<Constraint> = widths
        .iter()
        .flatten()
        .map(|w| Constraint::Length(*w))
        .collect();
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(1);
    frame.render_widget(table, table_area);
    if gutter > 0 {
        for (n, &index) in view.rows[offset..end].iter().enumerate() {
            let marked = list::grant_at(&app.data, &view.kind, index)
                .is_some_and(|g| app.writes.marks.contains(&g.id_pair()));
            if marked {
                let y = inner.y + 1 + n as u16;
                let style = if offset + n == view.cursor {
                    theme.selected.patch(theme.key_hint)
                } else {
                    theme.key_hint
                };
                frame.render_widget(Span::styled("●", style), Rect::new(inner.x, y, 1, 1));
            }
        }
    }

    if view.rows.is_empty() {
        let message = if view.filter.is_empty() {
            format!("no {}", view.kind.title().to_lowercase())
        } else {
            "nothing matches the filter (Esc clears it)".to_owned()
        };
        let below_header = Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Line::styled(message, theme.dim)),
            below_header,
        );
    }
}

/// Colour that carries meaning: key states, missing values, failed counts.
fn cell_style(app: &App, kind: &ListKind, index: usize, column: usize, theme: &Theme) -> Style {
    match (kind, column) {
        (ListKind::Keys, 2) => list::key_at(&app.data, index)
            .map(|k| theme.key_state(&k.metadata.key_state))
            .unwrap_or_default(),
        (ListKind::Keys, 5) => {
            match list::key_at(&app.data, index).and_then(|k| app.data.grants.get(k.id())) {
                Some(Load::Failed(_)) => theme.danger,
                _ => Style::default(),
            }
        }
        (ListKind::Keys, 0) => match list::key_at(&app.data, index) {
            Some(k) if k.aliases.is_empty() => theme.dim,
            _ => Style::default(),
        },
        _ => Style::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_tables_hide_low_priority_columns() {
        let columns = ListKind::Keys.columns();
        let wide = column_widths(columns, 200);
        assert!(wide.iter().all(Option::is_some));
        assert_eq!(
            wide.iter().flatten().sum::<u16>() + columns.len() as u16 - 1,
            200
        );
        let narrow = column_widths(columns, 78);
        let description = columns
            .iter()
            .position(|c| c.title == "Description")
            .unwrap();
        assert_eq!(narrow[description], None);
        let shown = narrow.iter().flatten().count() as u16;
        assert!(narrow.iter().flatten().sum::<u16>() + shown - 1 <= 78);
        // The alias and grant count never go.
        assert!(narrow[0].is_some() && narrow[5].is_some());
    }
}
