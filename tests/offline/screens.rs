//! Every screen at 120×40 (and the main ones at 80×24) as `insta` snapshots, over the demo.
//! A changed screen fails the test (CI runs with INSTA_UPDATE=no); review with `cargo insta`.

use crate::common;

use common::Harness;
use crossterm::event::KeyCode;
use insta::assert_snapshot;
use kms_grants::app::{Action, Input, Intent, Loaded};
use ratatui::style::{Color, Modifier};

#[test]
fn keys_view() {
    let h = Harness::demo();
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn keys_view_80x24() {
    let h = Harness::demo();
    assert_snapshot!(h.screen(80, 24));
}

#[test]
fn grants_view() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn grants_view_80x24() {
    let mut h = Harness::demo();
    h.select_row_containing("orders, ");
    h.press(KeyCode::Enter);
    assert_snapshot!(h.screen(80, 24));
}

#[test]
fn grant_detail() {
    let mut h = Harness::demo();
    h.select_row_containing("data-lake");
    h.press(KeyCode::Enter);
    h.select_row_containing("⊆{");
    h.press(KeyCode::Enter);
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn retirable_principals() {
    let mut h = Harness::demo();
    h.press(KeyCode::Tab);
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn retirable_grants() {
    let mut h = Harness::demo();
    h.press(KeyCode::Tab);
    h.select_row_containing("ci-deployer");
    h.press(KeyCode::Enter);
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn revoke_confirmation() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('X'));
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn retire_confirmation_80x24_wraps_instead_of_cutting() {
    let mut h = Harness::demo();
    h.select_row_containing("analytics-warehouse");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('x'));
    let screen = h.screen(80, 24);
    // The whole grant id is on screen, split over two lines, never cut with an ellipsis.
    let Some(kms_grants::app::Modal::Confirm(change)) = Some(&h.app.screen.modal) else {
        panic!("no confirmation open");
    };
    let id = &change.targets[0].grant.grant_id;
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("Grant ID"))
        .expect("the grant id row");
    let value = |line: &str, from: usize| -> String {
        line.chars()
            .skip(from)
            .take_while(|c| *c != '│')
            .collect::<String>()
            .trim()
            .to_owned()
    };
    let column = lines[at]
        .find("Grant ID")
        .map(|b| lines[at][..b].chars().count())
        .unwrap_or(0)
        + 13;
    let shown = value(lines[at], column) + &value(lines[at + 1], column);
    assert_eq!(&shown, id, "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn dry_run_confirmation() {
    let mut h = Harness::with(common::demo_snapshot(), false, true);
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('x'));
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn help_overlay() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('?'));
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn filter_in_progress() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('/'));
    h.type_text("pay");
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn read_only_refusal() {
    let mut h = Harness::with(common::demo_snapshot(), true, false);
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('X'));
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn terminal_too_small() {
    let h = Harness::demo();
    assert_snapshot!(h.screen(50, 10));
}

#[test]
fn colour_carries_meaning() {
    let mut h = Harness::demo();
    let terminal = h.draw(120, 40);
    let buffer = terminal.backend().buffer();
    let find = |text: &str| -> (u16, u16) {
        for y in 0..buffer.area.height {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            if let Some(x) = line.find(text) {
                // Byte offset to cell column: the lines here are ASCII up to the match.
                return (line[..x].chars().count() as u16, y);
            }
        }
        panic!("{text} not on screen");
    };
    let (x, y) = find("PendingDeletion");
    assert_eq!(
        buffer[(x, y)].fg,
        Color::Red,
        "pending deletion is drawn as danger"
    );
    let (x, y) = find("Disabled ");
    assert_eq!(
        buffer[(x, y)].fg,
        Color::Yellow,
        "a disabled key is drawn as a warning"
    );

    // In the confirmation, No has the focus (reversed) and the border is the danger colour.
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('X'));
    let terminal = h.draw(120, 40);
    let buffer = terminal.backend().buffer();
    let mut no_button = None;
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        if let Some(x) = line.find("[ No ]") {
            no_button = Some((line[..x].chars().count() as u16, y));
        }
    }
    let (x, y) = no_button.expect("the No button is drawn");
    assert!(
        buffer[(x + 2, y)].modifier.contains(Modifier::REVERSED),
        "No is focused"
    );
    h.act(Action::Input(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Right,
        crossterm::event::KeyModifiers::NONE,
    ))));
    let terminal = h.draw(120, 40);
    assert!(
        !terminal.backend().buffer()[(x + 2, y)]
            .modifier
            .contains(Modifier::REVERSED),
        "after → the focus moves to Yes"
    );
}

#[test]
fn a_revoked_grant_is_struck_through_even_under_the_cursor() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    let terminal = h.draw(120, 40);
    let buffer = terminal.backend().buffer();
    let row = (0..buffer.area.height)
        .find(|&y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line.contains("revoked · pending")
        })
        .expect("the revoked grant is still listed");
    let cell = &buffer[(5, row)];
    assert!(cell.modifier.contains(Modifier::CROSSED_OUT), "{cell:?}");
    assert!(
        cell.modifier.contains(Modifier::REVERSED),
        "and still shows the cursor"
    );
    // Asking to delete it again says it is already gone instead of opening a dialog.
    h.press(KeyCode::Char('X'));
    assert_eq!(h.app.screen.modal, kms_grants::app::Modal::None);
    assert!(
        h.status().contains("was already revoked this session"),
        "{}",
        h.status()
    );
}

#[test]
fn a_narrow_header_keeps_account_region_and_badges() {
    let h = Harness::with(common::demo_snapshot(), true, true);
    let screen = h.screen(80, 24);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("account 111122223333"), "{header}");
    assert!(header.contains("us-east-2"), "{header}");
    assert!(
        header.contains(" READ-ONLY ") && header.contains(" DRY-RUN"),
        "{header}"
    );
    assert!(
        !header.contains("recorded"),
        "the least important segment goes first: {header}"
    );
}

#[test]
fn a_long_error_wraps_instead_of_being_cut() {
    let mut h = Harness::demo();
    let long = "arn:aws:iam::111122223333:role/a-long-role-name-that-goes-on";
    h.act(Action::Intent(Intent::RunCommand(format!(
        "retirable {long} extra"
    ))));
    let message = h.status();
    let screen = h.screen(80, 24);
    let tail: Vec<&str> = screen.lines().rev().skip(1).take(4).collect();
    let shown: String = tail.iter().rev().copied().collect::<Vec<_>>().join(" ");
    for word in message.split_whitespace() {
        assert!(
            shown.contains(word),
            "{word:?} of {message:?} is not on screen:\n{screen}"
        );
    }
}

#[test]
fn bulk_confirmation_and_outcomes() {
    let mut h = Harness::demo();
    h.select_row_containing("aws/ebs");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('a'));
    h.press(KeyCode::Char('x'));
    h.type_text("1");
    assert_snapshot!("bulk_confirmation", h.screen(120, 40));
    h.type_text("2");
    h.press(KeyCode::Enter);
    assert_snapshot!("bulk_outcomes", h.screen(120, 40));
}

#[test]
fn an_empty_history_says_so_and_any_key_closes_it() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('H'));
    let screen = h.screen(80, 24);
    assert!(screen.contains("This session's deletions"), "{screen}");
    assert!(
        screen.contains("Nothing was retired or revoked in this session."),
        "{screen}"
    );
    h.press(KeyCode::Char('q'));
    assert_eq!(h.app.screen.modal, kms_grants::app::Modal::None);
}

#[test]
fn a_long_history_keeps_its_cursor_and_prompt_on_screen() {
    let mut h = Harness::demo();
    h.select_row_containing("aws/ebs");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('a'));
    h.press(KeyCode::Char('X'));
    h.type_text("12");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('H'));
    h.press(KeyCode::Char('r'));
    let screen = h.screen(80, 16);
    assert!(screen.contains("of 12 (j/k move)"), "{screen}");
    assert!(
        screen.contains("Recreate grant"),
        "the prompt shows: {screen}"
    );
    let terminal = h.draw(80, 16);
    let buffer = terminal.backend().buffer();
    let reversed_rows = (0..buffer.area.height)
        .filter(|&y| buffer[(10, y)].modifier.contains(Modifier::REVERSED))
        .count();
    assert_eq!(
        reversed_rows, 1,
        "exactly one highlighted entry is visible: {screen}"
    );
}

#[test]
fn a_confirmation_that_does_not_fit_cannot_be_confirmed() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('X'));
    let screen = h.screen(60, 12);
    assert!(screen.contains("enlarge the terminal"), "{screen}");
    h.press(KeyCode::Char('y'));
    assert!(
        h.status().contains("does not fit this terminal"),
        "{}",
        h.status()
    );
    assert!(!h.commands.iter().any(|c| matches!(
        c,
        kms_grants::app::Command::Write(kms_grants::app::Write::Delete { .. })
    )));
    // Drawn whole again, it confirms.
    h.screen(120, 40);
    h.press(KeyCode::Char('y'));
    assert!(h.commands.iter().any(|c| matches!(
        c,
        kms_grants::app::Command::Write(kms_grants::app::Write::Delete { .. })
    )));
}

/// The header of a live session on an account marked read-only, mid-switch, at `width`.
fn live_header(width: u16) -> String {
    use kms_grants::app::{App, AppOptions};
    use kms_grants::source::{CallerIdentity, SourceInfo, SourceKind};
    let info = SourceInfo {
        kind: SourceKind::Live {
            profile: Some("prod-admin".to_owned()),
            endpoint: Some("http://127.0.0.1:4566".to_owned()),
        },
        profile: Some("prod-admin".to_owned()),
        account: Some("111122223333".to_owned()),
        region: Some("eu-west-1".to_owned()),
        recorded_at: None,
    };
    let mut app = App::new(AppOptions {
        read_only: Some("--read-only".to_owned()),
        ..AppOptions::new(info, common::NOW)
    });
    app.session.places = kms_grants::places::Places::from_profiles(
        [("prod-admin".to_owned(), Some("eu-west-1".to_owned()))],
        &[kms_grants::config::Account {
            name: "prod".to_owned(),
            profile: "prod-admin".to_owned(),
            regions: Vec::new(),
            read_only: true,
        }],
    );
    app.session.caller = Some(CallerIdentity {
        account: "111122223333".to_owned(),
        arn: "arn:aws:sts::111122223333:assumed-role/Admin/alice".to_owned(),
    });
    app.update(Action::Intent(Intent::RunCommand(
        "region us-east-1".into(),
    )));
    assert!(app.session.switching.is_some());
    app.update(Action::Input(Input::Resize { width, height: 24 }));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, 24)).unwrap();
    let theme = kms_grants::ui::theme::Theme::new(kms_grants::ui::theme::ThemeName::Mono, true);
    terminal
        .draw(|f| kms_grants::ui::draw(f, &app, &theme))
        .unwrap();
    common::buffer_text(terminal.backend())
        .lines()
        .next()
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn the_header_says_where_writes_go_at_any_width() {
    // The segments, then the badges at the right edge.
    let parts = |width: u16| -> (String, String) {
        let header = live_header(width);
        let (segments, badges) = header.split_once("  ").expect("badges after the segments");
        (
            segments.to_owned(),
            badges.split_whitespace().collect::<Vec<_>>().join(" "),
        )
    };
    let (segments, badges) = parts(170);
    assert_eq!(
        segments,
        " kms-grants │ profile prod-admin (prod) │ endpoint 127.0.0.1:4566 │ account 111122223333 │ eu-west-1 │ caller assumed-role/Admin/alice"
    );
    assert_eq!(badges, "SWITCHING… READ-ONLY");
    // Narrower, what matters least goes first (the caller), and what fits after a wide part
    // went stays: never the account, the region or the badges.
    assert_eq!(
        parts(130).0,
        " kms-grants │ profile prod-admin (prod) │ endpoint 127.0.0.1:4566 │ account 111122223333 │ eu-west-1"
    );
    assert_eq!(
        parts(100).0,
        " kms-grants │ endpoint 127.0.0.1:4566 │ account 111122223333 │ eu-west-1"
    );
    let (segments, badges) = parts(70);
    assert_eq!(segments, " kms-grants │ 111122223333 │ eu-west-1");
    assert_eq!(badges, "SWITCHING… READ-ONLY");
    // At the narrowest the app draws, the badges shorten rather than being cut.
    let (segments, badges) = parts(60);
    assert_eq!(segments, " kms-grants │ account 111122223333 │ eu-west-1");
    assert_eq!(badges, "SW… RO");
}

#[test]
fn a_throttled_load_says_so_beside_its_progress() {
    use kms_grants::app::{App, AppOptions};
    let mut h = Harness::demo();
    // The demo's keys, their grants not answered yet.
    let keys = h.app.data.keys.loaded().unwrap().clone();
    let mut app = App::new(AppOptions::new(h.app.session.info.clone(), common::NOW));
    app.session.places = h.app.session.places.clone();
    let commands = app.start();
    let req = commands
        .iter()
        .find_map(|c| match c {
            kms_grants::app::Command::Read(kms_grants::app::Read::Keys { req }) => Some(*req),
            _ => None,
        })
        .unwrap();
    app.update(Action::Loaded(Loaded::Keys {
        req,
        result: Ok(keys),
    }));
    app.screen.pace = Some("KMS is throttling: ListGrants at 10/s of 80/s".to_owned());
    h.app = app;
    let tabs = h.screen(160, 30).lines().nth(1).unwrap().to_owned();
    assert!(
        tabs.contains("loading: grants 0/32 keys (KMS is throttling: ListGrants at 10/s of 80/s)"),
        "{tabs}"
    );
}
