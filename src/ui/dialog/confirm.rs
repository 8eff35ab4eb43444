//! The confirmation of a retire or revoke: the exact grants that go, and the buttons (No by
//! default) for one or a few; for a bulk change the list grouped by key, scrolled, with the
//! service grants flagged, confirmed by typing the count.
//!
//! It draws the `PendingChange` it is given, never "what is selected now"; it tells the app
//! through `Screen::confirm_fits` whether the whole dialog is on screen, and nothing else.

use crate::app::{App, ConfirmLine, PendingChange};
use crate::domain::display::short_id;
use crate::source::WriteKind;
use crate::ui::centered;
use crate::ui::text::{clean, fit, wrap};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

const LABEL: usize = 12;

/// Draws the confirmation of `change`: the bulk form when it asks for the count.
pub(super) fn draw(
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
