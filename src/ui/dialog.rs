//! Dialogs drawn over the views: the retire/revoke confirmation, quit confirmation and help.

use super::centered;
use super::text::{clean, fit, wrap};
use super::theme::Theme;
use crate::app::keymap;
use crate::app::{App, PendingChange};
use crate::source::WriteKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

const LABEL: usize = 12;

pub(super) fn draw_confirm(
    frame: &mut Frame<'_>,
    area: Rect,
    change: &PendingChange,
    theme: &Theme,
) {
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

pub(super) fn draw_confirm_quit(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let lines = vec![
        Line::raw(format!(
            "{} write(s) still in flight: quitting now leaves their outcome unknown.",
            app.writes_in_flight
        )),
        Line::raw(""),
        Line::styled("y quit anyway · any other key keeps waiting", theme.dim),
    ];
    let rect = centered(area, 76, 5);
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
    let mode = match (app.read_only, app.dry_run) {
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
        Span::raw(clean(&app.info.kind.to_string()).into_owned()),
    ]));
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
