//! The title line: the app's name, where it points (source, profile, endpoint, account,
//! region, caller, recording date) and the session's badges (read-only, dry run, switching, no
//! audit log), shortened and then dropped by priority so the account and region stay on a
//! narrow terminal.
//!
//! It only lays out what `App::session` says; nothing here decides the badges' meaning.

use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::domain::display;
use crate::source::SourceKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Draws the title line.
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
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
