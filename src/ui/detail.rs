//! The detail view of one grant: every field, full ids, the whole constraint maps.

use super::text::clean;
use super::theme::Theme;
use crate::app::{App, DetailView};
use crate::domain::{Constraints, Grant, key_id_of};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use std::collections::BTreeMap;

const LABEL_WIDTH: usize = 22;

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, view: &DetailView, theme: &Theme) {
    let lines = lines(app, view, theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(" Grant detail ");
    let inner = block.inner(area);
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = view.scroll.get().min(max_scroll);
    view.scroll.set(scroll);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(paragraph, area);
}

fn field(theme: &Theme, label: &str, value: Option<&str>) -> Line<'static> {
    let value = match value {
        Some(v) if !v.is_empty() => Span::raw(clean(v).into_owned()),
        _ => Span::styled("—", theme.dim),
    };
    Line::from(vec![
        Span::styled(format!(" {label:<LABEL_WIDTH$}"), theme.label),
        value,
    ])
}

fn lines(app: &App, view: &DetailView, theme: &Theme) -> Vec<Line<'static>> {
    let grant: &Grant = &view.target.grant;
    let key = app.data.key(&grant.key_id);
    let mut out = Vec::new();
    out.push(field(theme, "Grant ID", Some(&grant.grant_id)));
    out.push(field(theme, "Name", grant.name.as_deref()));
    let aliases = view.target.key_aliases.join(", ");
    out.push(field(theme, "Key aliases", Some(&aliases)));
    out.push(field(theme, "Key ARN", Some(&view.target.key_arn)));
    out.push(field(theme, "Key ID (as listed)", Some(&grant.key_id)));
    match key {
        Some(key) => {
            let state = key.metadata.key_state.as_str().to_owned();
            out.push(Line::from(vec![
                Span::styled(format!(" {:<LABEL_WIDTH$}", "Key state"), theme.label),
                Span::styled(state, theme.key_state(&key.metadata.key_state)),
            ]));
        }
        None => out.push(field(
            theme,
            "Key state",
            Some(&format!(
                "not listed here (key {} of another account?)",
                key_id_of(&grant.key_id)
            )),
        )),
    }
    let created = grant
        .creation_date
        .map(|t| format!("{} ({} ago)", t.rfc3339(), t.age(app.now)));
    out.push(field(theme, "Created", created.as_deref()));
    out.push(field(
        theme,
        "Grantee principal",
        grant.grantee_principal.as_deref(),
    ));
    if grant.grantee_service_principal.is_some() {
        out.push(field(
            theme,
            "Grantee service",
            grant.grantee_service_principal.as_deref(),
        ));
    }
    out.push(field(
        theme,
        "Retiring principal",
        grant.retiring_principal.as_deref(),
    ));
    if grant.retiring_service_principal.is_some() {
        out.push(field(
            theme,
            "Retiring service",
            grant.retiring_service_principal.as_deref(),
        ));
    }
    out.push(field(
        theme,
        "Issuing account",
        grant.issuing_account.as_deref(),
    ));
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!(" Operations ({})", grant.operations.len()),
        theme.label,
    ));
    for op in &grant.operations {
        out.push(Line::raw(format!("   {}", clean(op.as_str()))));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(" Constraints", theme.label));
    match &grant.constraints {
        Some(c) if !c.is_empty() => constraint_lines(&mut out, c, theme),
        _ => out.push(Line::styled(
            "   none: the grant applies to every encryption context",
            theme.dim,
        )),
    }
    out.push(Line::raw(""));
    out.push(Line::styled(" x retire · X revoke · Esc back", theme.dim));
    out
}

fn constraint_lines(out: &mut Vec<Line<'static>>, c: &Constraints, theme: &Theme) {
    let mut map = |title: &str, meaning: &str, m: &BTreeMap<String, String>| {
        out.push(Line::from(vec![
            Span::raw(format!("   {title} ")),
            Span::styled(format!("({meaning})"), theme.dim),
        ]));
        for (k, v) in m {
            out.push(Line::raw(format!("     {} = {}", clean(k), clean(v))));
        }
    };
    if let Some(m) = &c.encryption_context_equals {
        map(
            "EncryptionContextEquals",
            "the context must be exactly this",
            m,
        );
    }
    if let Some(m) = &c.encryption_context_subset {
        map(
            "EncryptionContextSubset",
            "the context must include these pairs",
            m,
        );
    }
    for (name, value) in &c.other {
        out.push(Line::raw(format!(
            "   {} = {}",
            clean(name),
            clean(&value.to_string())
        )));
    }
}
