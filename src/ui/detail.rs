//! The detail view of one grant: every field, full ids, the whole constraint maps.

use super::text::{clean, wrap};
use super::theme::Theme;
use crate::app::{App, DetailView};
use crate::domain::{Constraints, Grant, key_id_of};
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
                    clean(&super::state_text(key)).into_owned(),
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
fn who_can_remove(
    out: &mut Lines<'_>,
    grant: &Grant,
    key_arn: &str,
    app_info: &crate::source::SourceInfo,
) {
    let theme = out.theme;
    let plain = ratatui::style::Style::default();
    out.out
        .push(Line::styled(" Who can remove it", theme.label));
    let retiree = grant
        .retiree()
        .unwrap_or("nobody named (no retiring principal)");
    let grantee_may = grant
        .operations
        .contains(&crate::domain::Operation::RetireGrant);
    let grantee = grant.grantee().unwrap_or("—");
    out.text(
        3,
        &format!("retire (x): the retiring principal, {}", clean(retiree)),
        plain,
    );
    out.text(
        3,
        &if grantee_may {
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
        &match grant.issuing_account.as_deref() {
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
    let key = clean(key_arn).into_owned();
    let id = clean(&grant.grant_id).into_owned();
    let target = cli_target(app_info);
    // One argument a line, each line ending in a backslash, so a copy pastes as one command.
    let command = |out: &mut Lines<'_>, parts: Vec<String>| {
        // A flag whose value would not fit on its line gets the value on a line of its own, so
        // every line still ends in a backslash.
        let room = out.width.saturating_sub(9);
        let mut lines: Vec<String> = Vec::new();
        for part in parts {
            match part.split_once(' ') {
                Some((flag, value)) if part.chars().count() > room && flag.starts_with("--") => {
                    lines.push(flag.to_owned());
                    lines.push(value.to_owned());
                }
                _ => lines.push(part),
            }
        }
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.into_iter().enumerate() {
            let indent = if i == 0 { 3 } else { 7 };
            let tail = if i == last { "" } else { " \\" };
            out.text(indent, &format!("{}{tail}", clean(&line)), theme.dim);
        }
    };
    for verb in ["retire-grant", "revoke-grant"] {
        let mut parts = vec![format!("aws kms {verb}")];
        parts.extend(target.iter().cloned());
        // Every value is quoted: ids from a shared fixture could hold shell syntax.
        parts.push(format!("--key-id {}", shell_quote(&key)));
        parts.push(format!("--grant-id {}", shell_quote(&id)));
        command(out, parts);
    }
    let mut parts = create_grant_parts(grant, &key);
    parts.splice(1..1, target);
    command(out, parts);
}

/// `--profile P`, `--region X` and, for a non-AWS endpoint, `--endpoint-url Y`, so a pasted
/// command goes where this session goes.
fn cli_target(info: &crate::source::SourceInfo) -> Vec<String> {
    let mut out = Vec::new();
    if let (crate::source::SourceKind::Live { .. }, Some(profile)) = (&info.kind, &info.profile) {
        out.push(format!("--profile {profile}"));
    }
    if let Some(region) = &info.region {
        out.push(format!("--region {region}"));
    }
    if let crate::source::SourceKind::Live {
        endpoint: Some(endpoint),
        ..
    } = &info.kind
    {
        out.push(format!("--endpoint-url {endpoint}"));
    }
    out
}

/// `text` as one shell word: left bare when it is plainly safe, else single-quoted.
fn shell_quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_:/.=@+".contains(c));
    if safe {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The arguments of the `aws kms create-grant` that would recreate `grant`.
pub(crate) fn create_grant_parts(grant: &Grant, key: &str) -> Vec<String> {
    let quote = |s: &str| shell_quote(s);
    let mut parts = vec![
        "aws kms create-grant".to_owned(),
        format!("--key-id {}", quote(key)),
    ];
    if let Some(p) = &grant.grantee_principal {
        parts.push(format!("--grantee-principal {}", quote(p)));
    }
    if let Some(p) = &grant.retiring_principal {
        parts.push(format!("--retiring-principal {}", quote(p)));
    }
    let ops: Vec<&str> = grant.operations.iter().map(|o| o.as_str()).collect();
    let ops: Vec<String> = ops.iter().map(|op| quote(op)).collect();
    parts.push(format!("--operations {}", ops.join(" ")));
    if let Some(c) = grant.constraints.as_ref().filter(|c| !c.is_empty()) {
        parts.push(format!(
            "--constraints {}",
            quote(&serde_json::to_string(c).unwrap_or_default())
        ));
    }
    if let Some(name) = grant.name.as_deref().filter(|n| !n.is_empty()) {
        parts.push(format!("--name {}", quote(name)));
    }
    parts
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceInfo, SourceKind};

    #[test]
    fn pasted_commands_go_where_the_session_goes() {
        let live = SourceInfo {
            kind: SourceKind::Live {
                profile: Some("prod".to_owned()),
                endpoint: Some("http://127.0.0.1:4566".to_owned()),
            },
            profile: Some("prod".to_owned()),
            account: None,
            region: Some("eu-west-1".to_owned()),
            recorded_at: None,
        };
        assert_eq!(
            cli_target(&live),
            [
                "--profile prod",
                "--region eu-west-1",
                "--endpoint-url http://127.0.0.1:4566"
            ]
        );
        // A fixture's recorded profile is not where a pasted command should go by itself.
        let fixture = SourceInfo {
            kind: SourceKind::Fixture("a.json".to_owned()),
            ..live
        };
        assert_eq!(cli_target(&fixture), ["--region eu-west-1"]);
    }
}
