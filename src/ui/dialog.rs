//! Dialogs drawn over the views: the retire/revoke confirmation, quit confirmation and help.

use super::centered;
use super::text::{clean, fit, wrap};
use super::theme::Theme;
use crate::app::keymap;
use crate::app::modal::{PickKind, Picker};
use crate::app::{App, ConfirmLine, Level, PendingChange};
use crate::domain::display::short_id;
use crate::source::WriteKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};
use unicode_width::UnicodeWidthStr;

const LABEL: usize = 12;

pub(super) fn draw_confirm(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    change: &PendingChange,
    theme: &Theme,
) {
    if change.needs_count() {
        draw_bulk_confirm(frame, area, app, change, theme);
        return;
    }
    let count = change
        .targets
        .len()
        .max(usize::from(change.token.is_some()));
    let noun = if count == 1 { "grant" } else { "grants" };
    let verb = match change.kind {
        WriteKind::Retire => "Retire",
        WriteKind::Revoke => "Revoke",
    };
    let dry = if change.dry_run { " (dry run)" } else { "" };
    let width = area.width.saturating_sub(4).min(100);
    // Borders and padding take two columns on each side.
    let text_width = width.saturating_sub(4) as usize;
    let value_width = text_width.saturating_sub(LABEL + 1);
    let mut lines = Vec::new();
    let consequence = match (change.kind, change.dry_run) {
        (_, true) => "DryRun=true: KMS checks the call and changes nothing.".to_owned(),
        (WriteKind::Retire, false) => {
            "RetireGrant deletes it: whoever uses it loses access at once.".to_owned()
        }
        (WriteKind::Revoke, false) => {
            "RevokeGrant deletes it: whoever uses it loses access at once.".to_owned()
        }
    };
    lines.push(Line::styled(
        fit(&consequence, text_width).into_owned(),
        theme.warning,
    ));
    if let Some(token) = &change.token {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL$} ", "Grant token"), theme.label),
            Span::raw(mask_token(token)),
        ]));
        lines.push(Line::styled(
            fit(
                "The grant this token names is retired, whichever key it is on.",
                text_width,
            )
            .into_owned(),
            theme.dim,
        ));
    }
    for target in &change.targets {
        lines.push(Line::raw(""));
        let grant = &target.grant;
        let aliases = if target.key_aliases.is_empty() {
            "(no alias)".to_owned()
        } else {
            target.key_aliases.join(", ")
        };
        // Values wrap instead of being cut: the operator must see exactly what goes.
        let mut row = |label: &str, value: &str| {
            for (i, piece) in wrap(&clean(value), value_width).into_iter().enumerate() {
                let label = if i == 0 { label } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("{label:<LABEL$} "), theme.label),
                    Span::raw(piece),
                ]));
            }
        };
        row("Key", &aliases);
        row("", &target.key_arn);
        if let Some(state) = &target.key_state {
            row("Key state", state);
        }
        row("Grant ID", &grant.grant_id);
        row(
            "Name",
            grant
                .name
                .as_deref()
                .filter(|n| !n.is_empty())
                .unwrap_or("—"),
        );
        row("Grantee", grant.grantee().unwrap_or("—"));
        row("Operations", &grant.operations_full());
    }
    lines.push(Line::raw(""));
    let (no_style, yes_style) = if change.yes_focused {
        (theme.dim, theme.danger.add_modifier(Modifier::REVERSED))
    } else {
        (theme.selected.add_modifier(Modifier::BOLD), theme.danger)
    };
    lines.push(Line::from(vec![
        Span::raw("    "),
        Span::styled("[ No ]", no_style),
        Span::raw("   "),
        Span::styled(format!("[ Yes, {} ]", verb.to_lowercase()), yes_style),
    ]));
    lines.push(Line::styled(
        fit(
            "y confirm · n/Esc cancel · ←/→ choose · Enter presses the highlighted button",
            text_width,
        )
        .into_owned(),
        theme.dim,
    ));
    // Confirming is only possible while the whole dialog is on screen.
    let fits = lines.len() as u16 + 2 <= area.height;
    app.screen.confirm_fits.set(fits);
    if !fits {
        lines.insert(
            0,
            Line::styled(
                fit(
                    "⚠ enlarge the terminal to see all of this: confirming is off",
                    text_width,
                )
                .into_owned(),
                theme.danger,
            ),
        );
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.danger)
        .padding(Padding::horizontal(1))
        .title(Span::styled(
            format!(" {verb} {count} {noun}?{dry} "),
            theme.danger,
        ));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The confirmation of a bulk change: every grant that goes, grouped by key, with a warning for
/// service grants; the operator types the number of grants to confirm.
fn draw_bulk_confirm(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    change: &PendingChange,
    theme: &Theme,
) {
    let count = change.targets.len();
    let verb = match change.kind {
        WriteKind::Retire => "Retire",
        WriteKind::Revoke => "Revoke",
    };
    let dry = if change.dry_run { " (dry run)" } else { "" };
    let width = area.width.saturating_sub(4).min(110);
    let text_width = width.saturating_sub(4) as usize;
    let height = area.height.saturating_sub(2);
    let mut head = vec![Line::styled(
        fit(
            &if change.dry_run {
                format!("DryRun=true: KMS checks each of the {count} calls and changes nothing.")
            } else {
                format!("{verb}Grant deletes all {count}: whoever uses them loses access at once.")
            },
            text_width,
        )
        .into_owned(),
        theme.warning,
    )];
    let services = change.services();
    if services > 0 {
        for piece in wrap(
            &format!(
                "⚠ {services} of these were created for AWS services (marked service below): deleting them can break those services."
            ),
            text_width,
        ) {
            head.push(Line::styled(piece, theme.danger));
        }
    }
    let prompt = vec![
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                format!("Type {count} and press Enter to {}: ", verb.to_lowercase()),
                theme.warning,
            ),
            Span::styled(change.typed.clone(), theme.selected),
            Span::styled("▏", theme.key_hint),
        ]),
        Line::styled(
            fit("Esc cancels · j/k PgDn/PgUp scroll the list", text_width).into_owned(),
            theme.dim,
        ),
    ];
    // Head and prompt always show; the list scrolls in what is left. Only the lines shown are
    // built: a confirmation of 50,000 grants costs a frame what one of 20 does.
    let room = (height as usize)
        .saturating_sub(2 + head.len() + 1 + prompt.len())
        .max(1);
    let total = change.lines.len();
    let scroll = change.scroll.min(total.saturating_sub(room));
    let shown = total.min(room);
    let mut lines = head;
    lines.push(Line::styled(
        format!("{}–{} of {} lines", scroll + 1, scroll + shown, total),
        theme.dim,
    ));
    lines.extend(
        change.lines[scroll..scroll + shown]
            .iter()
            .map(|line| confirm_line(change, *line, text_width, theme)),
    );
    lines.extend(prompt);
    // The list scrolls, but the head and the prompt must both be visible to confirm.
    app.screen
        .confirm_fits
        .set(lines.len() as u16 + 2 <= height);
    let rect = centered(area, width, (lines.len() as u16 + 2).min(height));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.danger)
        .padding(Padding::horizontal(1))
        .title(Span::styled(
            format!(" {verb} {count} grants?{dry} "),
            theme.danger,
        ));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// One line of a bulk confirmation's list: a key's heading, or one grant.
fn confirm_line(
    change: &PendingChange,
    line: ConfirmLine,
    text_width: usize,
    theme: &Theme,
) -> Line<'static> {
    match line {
        ConfirmLine::Key(i) => {
            let target = &change.targets[i];
            let aliases = if target.key_aliases.is_empty() {
                "(no alias)".to_owned()
            } else {
                target.key_aliases.join(", ")
            };
            let state = target
                .key_state
                .as_deref()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default();
            Line::styled(
                fit(
                    &clean(&format!("{aliases}{state} · {}", target.key_arn)),
                    text_width,
                )
                .into_owned(),
                theme.label,
            )
        }
        ConfirmLine::Grant(i) => {
            let grant = &change.targets[i].grant;
            let service = change.service.get(i).copied().unwrap_or(false);
            // The service tag comes first so a long grantee can never push it out of sight.
            let text = format!(
                "  {}  {}{}  {}  {}",
                short_id(&grant.grant_id),
                if service { "[service] " } else { "" },
                grant
                    .name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .unwrap_or("—"),
                grant.grantee().unwrap_or("—"),
                grant.operations_compact(),
            );
            let style = if service { theme.danger } else { theme.base };
            Line::styled(fit(&clean(&text), text_width).into_owned(), style)
        }
    }
}

/// The per-grant outcomes of the last bulk run, filled in as answers arrive.
pub(super) fn draw_outcomes(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    scroll: usize,
    theme: &Theme,
) {
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

/// This session's deletions, newest last, with the restore state of each.
pub(super) fn draw_history(
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

/// A grant token is a credential: only its ends are shown.
fn mask_token(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 12 {
        // Too short to show any of it: not even its length.
        return "••••••".to_owned();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!(
        "{}…{} ({} characters)",
        clean(&head),
        clean(&tail),
        chars.len()
    )
}

/// The `P` / `R` picker: the filter line, a window of the choices that follows the cursor, and
/// what the keys do.
pub(super) fn draw_picker(frame: &mut Frame<'_>, area: Rect, picker: &Picker, theme: &Theme) {
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

pub(super) fn draw_confirm_quit(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
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

pub(super) fn draw_help(frame: &mut Frame<'_>, area: Rect, app: &App, scroll: u16, theme: &Theme) {
    let mut lines = Vec::new();
    for (keys, what) in keymap::help_rows() {
        lines.push(Line::from(vec![
            Span::styled(format!(" {keys:<12}"), theme.key_hint),
            Span::raw(what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(" In the confirmation", theme.label));
    lines.push(Line::raw(
        " y confirms · n, Esc or Enter on [ No ] cancels; No is the default",
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled(" Shorthand in the tables", theme.label));
    lines.push(Line::raw(" GenDK GenerateDataKey · -NP WithoutPlaintext · ReEnc ReEncrypt · DeriveSS DeriveSharedSecret"));
    lines.push(Line::raw(
        " ={…} EncryptionContextEquals · ⊆{…} EncryptionContextSubset",
    ));
    lines.push(Line::raw(
        " principals of the key's own account are shown without the account id",
    ));
    lines.push(Line::raw(""));
    let mode = match (app.session.read_only, app.session.dry_run) {
        (true, _) => "read-only: retire and revoke are off",
        (false, true) => "dry run: KMS checks writes, nothing changes",
        (false, false) => "writes on: x/X delete after you confirm",
    };
    lines.push(Line::from(vec![
        Span::styled(" Session      ", theme.label),
        Span::raw(mode),
    ]));
    lines.push(Line::from(vec![
        Span::styled(" Source       ", theme.label),
        Span::raw(clean(&app.session.info.kind.to_string()).into_owned()),
    ]));
    if let Some(audit) = &app.session.audit_log {
        let text = match audit {
            Ok(path) => path.clone(),
            Err(reason) => reason.clone(),
        };
        lines.push(Line::from(vec![
            Span::styled(" Audit log    ", theme.label),
            Span::raw(clean(&text).into_owned()),
        ]));
    }
    let width = area.width.saturating_sub(4).min(100);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    let max_scroll = (lines.len() as u16).saturating_sub(height.saturating_sub(2));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(" Help — j/k scroll · any other key closes ");
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        rect,
    );
}
