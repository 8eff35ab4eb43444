//! Rendering: a pure function of the app state into a ratatui `Frame`.
//!
//! Nothing here sorts, filters, loads or changes state, except the scroll offsets the renderer
//! owns (`ListView::offset`, `DetailView::scroll`, `App::page_rows`). Tables build rows only for
//! the visible window. Every string from AWS or a fixture passes through [`text::clean`].

pub mod text;
pub mod theme;

mod detail;
mod dialog;

use self::text::{clean, fit};
use self::theme::Theme;
use crate::app::data::Load;
use crate::app::keymap;
use crate::app::list::{self, CellContext, ListKind, ListView, Width};
use crate::app::{App, Level, Modal, Tab, View};
use crate::domain::display;
use crate::source::SourceKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

pub use crate::app::{MIN_HEIGHT, MIN_WIDTH};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, area, theme);
        return;
    }
    let status_height = status_lines(app, area.width);
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(status_height),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app, theme);
    draw_tabs(frame, tabs, app, theme);
    match app.current_view() {
        View::List(list) => draw_list(frame, body, app, list, theme),
        View::Detail(view) => detail::draw(frame, body, app, view, theme),
    }
    draw_status(frame, status, app, theme);
    draw_footer(frame, footer, app, theme);
    match &app.screen.modal {
        Modal::Help { scroll } => dialog::draw_help(frame, area, app, *scroll, theme),
        Modal::Confirm(change) => dialog::draw_confirm(frame, area, app, change, theme),
        Modal::ConfirmQuit => dialog::draw_confirm_quit(frame, area, app, theme),
        Modal::Outcomes { scroll } => dialog::draw_outcomes(frame, area, app, *scroll, theme),
        Modal::History { cursor, confirming } => {
            dialog::draw_history(frame, area, app, *cursor, *confirming, theme)
        }
        Modal::Picker(picker) => dialog::draw_picker(frame, area, picker, theme),
        Modal::None | Modal::Filter | Modal::Command(_) => {}
    }
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

fn draw_header(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let info = &app.session.info;
    // Segments after the title: a priority, the full text and a short one. A narrow terminal
    // shortens, then drops, the least important first, so the account and region (where
    // writes go) stay to the end.
    let mut segments: Vec<(u8, String, String)> = Vec::new();
    let mut push = |priority: u8, full: String, short: String| {
        segments.push((priority, full, short));
    };
    match &info.kind {
        SourceKind::Live { endpoint, .. } => {
            // Without a profile the chain decided (environment, the default profile, a role):
            // said, but the first thing a narrow header drops.
            match &info.profile {
                Some(profile) => push(7, profile_segment(app, profile), clean(profile).into()),
                None => push(3, "default credentials".into(), "default".into()),
            }
            // A local or other endpoint must never look like production: it stays long after
            // the caller and the profile have gone.
            if let Some(endpoint) = endpoint {
                let shown =
                    clean(endpoint.strip_prefix("http://").unwrap_or(endpoint)).into_owned();
                push(8, format!("endpoint {shown}"), shown);
            }
        }
        SourceKind::Fixture(path) => {
            // "fixture" never goes (a snapshot must not look live); its file name goes first.
            push(10, "fixture".into(), "fixture".into());
            let name = std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            let name = clean(&name).into_owned();
            push(4, name.clone(), name);
            if let Some(profile) = &info.profile {
                push(7, profile_segment(app, profile), clean(profile).into());
            }
        }
        SourceKind::Demo => push(10, "demo".into(), "demo".into()),
    }
    if let Some(account) = &info.account {
        let account = clean(account).into_owned();
        push(9, format!("account {account}"), account);
    }
    if let Some(region) = &info.region {
        let region = clean(region).into_owned();
        push(9, region.clone(), region);
    }
    if let Some(caller) = &app.session.caller {
        let caller = clean(&display::short_principal(
            &caller.arn,
            Some(&caller.account),
        ))
        .into_owned();
        push(6, format!("caller {caller}"), caller);
    }
    if let Some(recorded) = &info.recorded_at {
        let recorded = clean(recorded).into_owned();
        let date = recorded.get(..10).unwrap_or(&recorded).to_owned();
        push(
            4,
            format!("recorded {recorded}"),
            format!("recorded {date}"),
        );
    }
    // Badges: full, and short for a terminal too narrow for them and the account and region.
    let mut badges: Vec<(&str, &str, Style)> = Vec::new();
    if app.session.switching.is_some() {
        badges.push((" SWITCHING… ", " SW… ", theme.badge_dry_run));
    }
    if app.session.read_only {
        badges.push((" READ-ONLY ", " RO ", theme.badge_read_only));
    }
    if app.session.dry_run {
        badges.push((" DRY-RUN ", " DRY ", theme.badge_dry_run));
    }
    if !app.session.read_only && matches!(app.session.audit_log, Some(Err(_))) {
        badges.push((
            " NO AUDIT LOG: WRITES OFF ",
            " NO AUDIT ",
            theme.badge_read_only,
        ));
    }
    let title = " kms-grants ";
    let essentials_short: usize = segments
        .iter()
        .filter(|s| s.0 >= 9)
        .map(|s| s.2.width() + 3)
        .sum();
    let full_badges: usize = badges.iter().map(|b| b.0.width() + 1).sum();
    let short = title.width() + essentials_short + full_badges > area.width as usize;
    let badges: Vec<Span<'static>> = badges
        .into_iter()
        .map(|(full, brief, style)| Span::styled(if short { brief } else { full }, style))
        .collect();
    let badges_width: usize = badges.iter().map(|s| s.content.width() + 1).sum();
    // What says where writes go (the source, the account, the region) is placed first, short if
    // it must be, and made full if there is room; then the rest, most important first, full or
    // else short, each where it fits (a wide one left out leaves room for a narrower one).
    let mut by_priority: Vec<usize> = (0..segments.len()).collect();
    by_priority.sort_by_key(|&i| std::cmp::Reverse(segments[i].0));
    let room = (area.width as usize).saturating_sub(title.width() + badges_width);
    let width = |text: &str| text.width() + 3;
    // Per segment: None (left out), Some(false) short, Some(true) full.
    let mut shown: Vec<Option<bool>> = vec![None; segments.len()];
    let mut used = 0;
    let essential = |i: usize| segments[i].0 >= 9;
    for &i in by_priority.iter().filter(|&&i| essential(i)) {
        // They always show, cut by the terminal if it must.
        shown[i] = Some(false);
        used += width(&segments[i].2);
    }
    for &i in by_priority.iter().filter(|&&i| essential(i)) {
        let more = width(&segments[i].1).saturating_sub(width(&segments[i].2));
        if used + more <= room {
            shown[i] = Some(true);
            used += more;
        }
    }
    for &i in by_priority.iter().filter(|&&i| !essential(i)) {
        if used + width(&segments[i].1) <= room {
            shown[i] = Some(true);
            used += width(&segments[i].1);
        } else if used + width(&segments[i].2) <= room {
            shown[i] = Some(false);
            used += width(&segments[i].2);
        }
    }
    let segments: Vec<String> = segments
        .into_iter()
        .zip(shown)
        .filter_map(|((_, full, short), shown)| {
            shown.map(|full_form| if full_form { full } else { short })
        })
        .collect();
    let mut spans = vec![Span::styled(title, theme.header_title)];
    for segment in segments {
        spans.push(Span::styled(format!("│ {segment} "), theme.header));
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum::<usize>() + badges_width;
    spans.push(Span::styled(
        " ".repeat((area.width as usize).saturating_sub(used)),
        theme.header,
    ));
    for badge in badges {
        spans.push(Span::styled(" ", theme.header));
        spans.push(badge);
    }
    frame.render_widget(Line::from(spans), area);
}

/// `profile prod`, with the config's name for its account: `profile prod-admin (prod)`.
fn profile_segment(app: &App, profile: &str) -> String {
    match app
        .session
        .places
        .profile(profile)
        .and_then(|p| p.account.as_deref())
        .filter(|account| *account != profile)
    {
        Some(account) => format!("profile {} ({})", clean(profile), clean(account)),
        None => format!("profile {}", clean(profile)),
    }
}

fn draw_tabs(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let keys_count = match app.data.keys.loaded() {
        Some(keys) => format!(" ({})", keys.len()),
        None => String::new(),
    };
    let style = |tab: Tab| {
        if app.screen.tab == tab {
            theme.tab_active
        } else {
            theme.tab_inactive
        }
    };
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(format!("Keys{keys_count}"), style(Tab::Keys)),
        Span::styled("  │  ", theme.dim),
        Span::styled("Retirable grants", style(Tab::Retirable)),
    ];
    // Background loading, until every key is described and every grant list answered.
    let (granted, described, total) = app.load_progress();
    if granted < total || described < total {
        spans.push(Span::styled(
            format!("   loading: grants {granted}/{total} keys"),
            theme.warning,
        ));
        if described < total {
            spans.push(Span::styled(
                format!(", details {described}/{total}"),
                theme.warning,
            ));
        }
        if let Some(pace) = &app.screen.pace {
            spans.push(Span::styled(format!(" ({})", clean(pace)), theme.warning));
        }
    }
    // Where the operator is, right-aligned so it does not read as a third tab.
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let room = (area.width as usize).saturating_sub(used + 4);
    let crumb = fit(&breadcrumb(app), room).into_owned();
    let pad = (area.width as usize).saturating_sub(used + crumb.width() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(crumb, theme.dim));
    frame.render_widget(Line::from(spans), area);
}

/// Where the user is: `Keys › payments › grant 0c237476…`.
fn breadcrumb(app: &App) -> String {
    let stack = &app.screen.stacks[app.screen.tab as usize];
    let parts: Vec<String> = stack
        .iter()
        .map(|view| match view {
            View::List(list) => match &list.kind {
                ListKind::Keys => "Keys".to_owned(),
                ListKind::Principals => "Principals".to_owned(),
                ListKind::Grants { key_id } => app.data.key_label(key_id),
                ListKind::Retirable { principal } => display::short_principal(principal, None),
            },
            View::Detail(detail) => {
                format!("grant {}", display::short_id(&detail.target.grant.grant_id))
            }
        })
        .collect();
    clean(&parts.join(" › ")).into_owned()
}

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
pub(crate) fn state_text(key: &crate::domain::Key) -> String {
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

fn draw_list(frame: &mut Frame<'_>, area: Rect, app: &App, view: &ListView, theme: &Theme) {
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

/// Rows the status line needs: a long message wraps onto up to four.
fn status_lines(app: &App, width: u16) -> u16 {
    match (&app.screen.modal, &app.screen.status) {
        (Modal::Filter | Modal::Command(_), _) | (_, None) => 1,
        (_, Some(status)) => text::wrap(&clean(&status.text), width as usize)
            .len()
            .clamp(1, 4) as u16,
    }
}

fn draw_status(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
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

fn draw_footer(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
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
