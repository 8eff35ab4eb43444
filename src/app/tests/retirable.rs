//! The retirable tab: principals, their grants, and deletes seen from both tabs.

use super::*;

#[test]
fn tab_switches_to_retirable_and_command_line_picks_a_principal() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.screen.tab, Tab::Retirable);
    assert_eq!(list(&app).kind, ListKind::Principals);
    assert_eq!(
        app.data
            .retirable_count_text("arn:aws:iam::111122223333:role/admin"),
        "1"
    );
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.screen.tab, Tab::Keys);
    // `:retirable ARN` opens that principal's grants, typed key by key.
    press(&mut app, KeyCode::Char(':'));
    for c in "retirable arn:aws:iam::111122223333:role/other".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let commands = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::Read(Read::Retirable { principal, .. })] if principal == "arn:aws:iam::111122223333:role/other")
    );
    assert_eq!(app.screen.tab, Tab::Retirable);
    assert_eq!(
        list(&app).kind,
        ListKind::Retirable {
            principal: "arn:aws:iam::111122223333:role/other".into()
        }
    );
    feed(&mut app, commands);
    assert_eq!(row_ids(&app), ["k2/g-orders"]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).kind, ListKind::Principals);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("arn:aws:iam::111122223333:role/other"),
        "the typed principal joins the list"
    );
}

#[test]
fn retire_from_the_retirable_view_updates_both_lists() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'x');
    assert_eq!(target.key_aliases, ["alias/orders"]);
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Ok(WriteOutcome::Done),
    }));
    assert!(
        app.data
            .pending_delete("k2", "g-orders", app.now)
            .is_some_and(|kind| kind == WriteKind::Retire)
    );
}

#[test]
fn a_retirable_list_that_no_longer_shows_a_deleted_grant_settles_it_everywhere() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'x');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Ok(WriteOutcome::Done),
    }));
    assert!(app.data.pending_delete("k2", "g-orders", app.now).is_some());
    let reload = app.update(Action::Intent(Intent::Reload));
    let Command::Read(Read::Retirable { req, principal }) = &reload[0] else {
        panic!("{reload:?}")
    };
    app.update(Action::Loaded(Loaded::Retirable {
        req: *req,
        principal: principal.clone(),
        result: Ok(vec![]),
    }));
    assert!(app.data.pending.is_empty());
    assert_eq!(
        app.data.grant_count_text("k2"),
        "0",
        "gone from the key's own list too"
    );
}
