//! The help dialog: every key from the keymap, the confirmation's keys, the tables' shorthand
//! and what this session is (its mode, source and audit log).
//!
//! The key rows are `app::keymap`'s, so help and the footer never disagree; the scroll is
//! `app::modal::help`'s.

use crate::app::{App, keymap};
use crate::ui::centered;
use crate::ui::text::clean;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws the help, scrolled by `scroll` lines (clamped to its end).
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, scroll: u16, theme: &Theme) {
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
