//! The detail view of one grant: every field, full ids, the whole constraint maps, who may
//! remove it and the AWS CLI commands that would.
//!
//! Only drawing: who may retire a grant is `domain::removal`'s answer and the commands are
//! `aws_cli`'s; this module words the one and lays out the other (one argument a line).

use super::text::{clean, wrap};
use super::theme::Theme;
use crate::app::{App, DetailView};
use crate::aws_cli::{self, AwsCliCommand};
use crate::domain::removal::Retirers;
use crate::domain::{Constraints, Grant, key_id_of};
use crate::source::SourceInfo;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::collections::BTreeMap;

const LABEL_WIDTH: usize = 22;

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, view: &DetailView, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(" Grant detail ");
    let inner = block.inner(area);
    // Lines are wrapped here (values continue under the value column), so the number of lines
    // is the number of rows and scrolling reaches the last one.
    let lines = lines(app, view, theme, inner.width as usize);
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = view.scroll.get().min(max_scroll);
    view.scroll.set(scroll);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

/// Builds the detail as lines no wider than `width`.
struct Lines<'t> {
    out: Vec<Line<'static>>,
    width: usize,
    theme: &'t Theme,
}

impl Lines<'_> {
    /// `label  value`, the value wrapped under itself.
    fn field(&mut self, label: &str, value: Option<&str>) {
        let value_width = self.width.saturating_sub(LABEL_WIDTH + 1).max(8);
        let label_span = Span::styled(format!(" {label:<LABEL_WIDTH$}"), self.theme.label);
        match value {
            Some(v) if !v.is_empty() => {
                for (i, piece) in wrap(&clean(v), value_width).into_iter().enumerate() {
                    let head = if i == 0 {
                        label_span.clone()
                    } else {
                        Span::raw(" ".repeat(LABEL_WIDTH + 1))
                    };
                    self.out.push(Line::from(vec![head, Span::raw(piece)]));
                }
            }
            _ => self.out.push(Line::from(vec![
                label_span,
                Span::styled("—", self.theme.dim),
            ])),
        }
    }

    /// An indented line of text, wrapped with the same indent.
    fn text(&mut self, indent: usize, text: &str, style: ratatui::style::Style) {
        let room = self.width.saturating_sub(indent).max(8);
        for piece in wrap(text, room) {
            self.out.push(Line::styled(
                format!("{}{piece}", " ".repeat(indent)),
                style,
            ));
        }
    }

    fn blank(&mut self) {
        self.out.push(Line::raw(""));
    }
}

fn lines(app: &App, view: &DetailView, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let grant: &Grant = &view.target.grant;
    let key = app.data.key(&grant.key_id);
    let mut out = Lines {
        out: Vec::new(),
        width,
        theme,
    };
    out.field("Grant ID", Some(&grant.grant_id));
    out.field("Name", grant.name.as_deref());
    let aliases = view.target.key_aliases.join(", ");
    out.field("Key aliases", Some(&aliases));
    out.field("Key ARN", Some(&view.target.key_arn));
    out.field("Key ID (as listed)", Some(&grant.key_id));
    match key {
        Some(key) => {
            out.out.push(Line::from(vec![
                Span::styled(format!(" {:<LABEL_WIDTH$}", "Key state"), theme.label),
                Span::styled(
                    clean(&super::table::state_text(key)).into_owned(),
                    theme.key_state(&key.metadata.key_state),
                ),
            ]));
        }
        None => out.field(
            "Key state",
            Some(&format!(
                "not listed here (a key of another account: {})",
                key_id_of(&grant.key_id)
            )),
        ),
    }
    if let Some(done) = app
        .data
        .pending_delete(&grant.key_id, &grant.grant_id, app.now)
    {
        out.field(
            "This session",
            Some(&format!(
                "{} · pending: KMS may list it for a few minutes (ctrl-r reloads)",
                done.past()
            )),
        );
    }
    let created = grant
        .creation_date
        .map(|t| format!("{} ({} ago)", t.rfc3339(), t.age(app.now)));
    out.field("Created", created.as_deref());
    out.field("Grantee principal", grant.grantee_principal.as_deref());
    if grant.grantee_service_principal.is_some() {
        out.field(
            "Grantee service",
            grant.grantee_service_principal.as_deref(),
        );
    }
    out.field("Retiring principal", grant.retiring_principal.as_deref());
    if grant.retiring_service_principal.is_some() {
        out.field(
            "Retiring service",
            grant.retiring_service_principal.as_deref(),
        );
    }
    out.field("Issuing account", grant.issuing_account.as_deref());
    out.blank();
    let found = app
        .data
        .findings_of(grant, app.now, app.session.stale_after_days);
    out.out.push(Line::styled(
        format!(" Findings ({})", found.len()),
        theme.label,
    ));
    if found.is_empty() {
        out.text(3, "none", theme.dim);
    }
    for finding in &found {
        let style = if finding.is_caution() {
            theme.warning
        } else {
            ratatui::style::Style::default()
        };
        out.text(
            3,
            &format!("{}: {}", finding.code(), clean(&finding.to_string())),
            style,
        );
    }
    out.blank();
    out.out.push(Line::styled(
        format!(" Operations ({})", grant.operations.len()),
        theme.label,
    ));
    for op in grant.operations.iter() {
        out.text(3, &clean(op.as_str()), ratatui::style::Style::default());
    }
    out.blank();
    out.out.push(Line::styled(" Constraints", theme.label));
    match &grant.constraints {
        Some(c) if !c.is_empty() => constraint_lines(&mut out, c),
        _ => out.text(
            3,
            "none: the grant applies to every encryption context",
            theme.dim,
        ),
    }
    out.blank();
    who_can_remove(&mut out, grant, &view.target.key_arn, &app.session.info);
    out.blank();
    let hint = if app.session.read_only {
        "Esc back (read-only session: retire and revoke are off)"
    } else {
        "x retire · X revoke · Esc back"
    };
    out.text(1, hint, theme.dim);
    out.out
}

/// Who may delete the grant, and the AWS CLI commands that do what `x`, `X` and restore do.
fn who_can_remove(out: &mut Lines<'_>, grant: &Grant, key_arn: &str, app_info: &SourceInfo) {
    let theme = out.theme;
    let plain = ratatui::style::Style::default();
    let retirers = Retirers::of(grant);
    out.out
        .push(Line::styled(" Who can remove it", theme.label));
    let retiree = retirers
        .retiring_principal
        .unwrap_or("nobody named (no retiring principal)");
    let grantee = retirers.grantee.unwrap_or("—");
    out.text(
        3,
        &format!("retire (x): the retiring principal, {}", clean(retiree)),
        plain,
    );
    out.text(
        3,
        &if retirers.grantee_may_retire {
            format!(
                "            the grantee, {}, because the grant allows RetireGrant",
                clean(grantee)
            )
        } else {
            "            not the grantee: the grant does not allow RetireGrant".to_owned()
        },
        plain,
    );
    out.text(
        3,
        &match retirers.issuing_account {
            Some(account) => format!(
                "            the account that created it, {}",
                clean(account)
            ),
            None => {
                "            the account that created it (not listed by this server)".to_owned()
            }
        },
        plain,
    );
    out.text(
        3,
        "revoke (X): any principal with kms:RevokeGrant on the key (key administrators)",
        plain,
    );
    out.blank();
    out.out
        .push(Line::styled(" The same with the AWS CLI", theme.label));
    for command in aws_cli::grant_commands(grant, key_arn, app_info) {
        command_lines(out, &command);
    }
}

/// One argument a line, each line but the last ending in a backslash, so a copy pastes as one
/// command. A flag whose value would not fit on its line gets the value on a line of its own,
/// so every line still ends in a backslash.
fn command_lines(out: &mut Lines<'_>, command: &AwsCliCommand) {
    let room = out.width.saturating_sub(9);
    let mut lines = vec![command.head()];
    for arg in &command.args {
        let line = arg.to_string();
        if line.chars().count() > room {
            lines.push(arg.flag.to_owned());
            lines.push(arg.value.clone());
        } else {
            lines.push(line);
        }
    }
    let last = lines.len().saturating_sub(1);
    for (i, line) in lines.into_iter().enumerate() {
        let indent = if i == 0 { 3 } else { 7 };
        let tail = if i == last { "" } else { " \\" };
        out.text(indent, &format!("{}{tail}", clean(&line)), out.theme.dim);
    }
}

fn constraint_lines(out: &mut Lines<'_>, c: &Constraints) {
    let dim = out.theme.dim;
    let plain = ratatui::style::Style::default();
    let map = |out: &mut Lines<'_>, title: &str, meaning: &str, m: &BTreeMap<String, String>| {
        out.text(3, &format!("{title} ({meaning})"), plain);
        for (k, v) in m {
            out.text(5, &format!("{} = {}", clean(k), clean(v)), plain);
        }
    };
    if let Some(m) = &c.encryption_context_equals {
        map(
            out,
            "EncryptionContextEquals",
            "the context must be exactly this",
            m,
        );
    }
    if let Some(m) = &c.encryption_context_subset {
        map(
            out,
            "EncryptionContextSubset",
            "the context must include these pairs",
            m,
        );
    }
    for (name, value) in &c.other {
        out.text(
            3,
            &format!("{} = {}", clean(name), clean(&value.to_string())),
            dim,
        );
    }
}
