//! The tab line: the two tabs (with the key count), the background loading progress and the
//! breadcrumb of where the operator is, right-aligned.
//!
//! The progress numbers come from `App::load_progress`; this module only words them.

use super::text::{clean, fit};
use super::theme::Theme;
use crate::app::list::ListKind;
use crate::app::{App, Tab, View};
use crate::domain::display;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Draws the tab line.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
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
