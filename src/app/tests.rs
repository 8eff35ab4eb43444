//! `update` unit tests: plain calls on small hand-made data, no source, no terminal.

use super::*;
use crate::domain::{Alias, KeyMetadata, KeyState, Operation};
use crate::places::Places;
use crate::source::{SourceKind, WriteKind};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Pasted text and the confirmation's quiet time.
mod input;

const NOW: Timestamp = Timestamp::from_secs(1_800_000_000);

fn key(id: &str, alias: Option<&str>, state: KeyState) -> Key {
    Key {
        metadata: KeyMetadata {
            key_id: id.to_owned(),
            arn: format!("arn:aws:kms:us-east-2:111122223333:key/{id}"),
            aws_account_id: Some("111122223333".to_owned()),
            creation_date: Some(Timestamp::from_secs(1_600_000_000)),
            enabled: Some(state == KeyState::Enabled),
            description: Some(format!("key {id}")),
            key_usage: Some("ENCRYPT_DECRYPT".to_owned()),
            key_state: state,
            deletion_date: None,
            origin: None,
            key_manager: Some("CUSTOMER".to_owned()),
            key_spec: Some("SYMMETRIC_DEFAULT".to_owned()),
            multi_region: None,
        },
        aliases: alias
            .map(|a| {
                vec![Alias {
                    alias_name: format!("alias/{a}"),
                    alias_arn: None,
                    target_key_id: Some(id.to_owned()),
                }]
            })
            .unwrap_or_default(),
        described: true,
    }
}

fn grant(key_id: &str, id: &str, name: &str, grantee: &str, days_old: i64) -> Grant {
    Grant {
        key_id: format!("arn:aws:kms:us-east-2:111122223333:key/{key_id}").into(),
        grant_id: id.to_owned().into(),
        name: (!name.is_empty()).then(|| name.into()),
        creation_date: Some(Timestamp::from_secs(1_800_000_000 - days_old * 86_400)),
        grantee_principal: Some(format!("arn:aws:iam::111122223333:role/{grantee}").into()),
        grantee_service_principal: None,
        retiring_principal: None,
        retiring_service_principal: None,
        issuing_account: Some("arn:aws:iam::111122223333:root".to_owned().into()),
        operations: vec![Operation::Decrypt].into(),
        constraints: None,
    }
}

fn info() -> SourceInfo {
    SourceInfo {
        kind: SourceKind::Demo,
        profile: None,
        account: Some("111122223333".to_owned()),
        region: Some("us-east-2".to_owned()),
        recorded_at: None,
    }
}

/// An app whose keys (`k1` payments, `k2` orders, `k3` disabled, no alias) and grants are
/// loaded, answering each load command with the data directly.
fn loaded(read_only: bool) -> App {
    let mut app = App::new(info(), read_only, false, NOW);
    let commands = app.start();
    feed(&mut app, commands);
    app
}

fn data_for(command: &Command) -> Option<Action> {
    Some(match command {
        Command::LoadKeys { req } => Action::KeysLoaded {
            req: *req,
            result: Ok(vec![
                key("k1", Some("payments"), KeyState::Enabled),
                key("k2", Some("orders"), KeyState::Enabled),
                key("k3", None, KeyState::Disabled),
            ]),
        },
        Command::LoadGrants { req, key_id, .. } => Action::GrantsLoaded {
            req: *req,
            key_id: key_id.clone(),
            result: Ok(match key_id.as_str() {
                "k1" => vec![
                    grant("k1", "g-new", "lambda", "payments-api", 3),
                    grant("k1", "g-old", "", "batch", 900),
                    grant("k1", "g-mid", "etl", "etl-runner", 100),
                ],
                "k2" => vec![grant("k2", "g-orders", "orders", "orders-api", 10)],
                _ => vec![],
            }),
        },
        Command::LoadPrincipals { req } => Action::PrincipalsLoaded {
            req: *req,
            result: Ok(vec!["arn:aws:iam::111122223333:role/admin".to_owned()]),
        },
        Command::LoadRetirable { req, principal } => Action::RetirableLoaded {
            req: *req,
            principal: principal.clone(),
            result: Ok(vec![grant("k2", "g-orders", "orders", "orders-api", 10)]),
        },
        _ => return None,
    })
}

/// Presses `key` (x or X) and confirms with `y`; returns the one grant the write names.
fn confirm_delete(app: &mut App, key: char) -> Box<GrantTarget> {
    press(app, KeyCode::Char(key));
    let commands = press(app, KeyCode::Char('y'));
    match commands.as_slice() {
        [Command::DeleteGrant { target, .. }] => target.clone(),
        other => panic!("one write expected: {other:?}"),
    }
}

/// The LoadKeys command among `commands`.
fn keys_load(commands: &[Command]) -> Command {
    commands
        .iter()
        .find(|c| matches!(c, Command::LoadKeys { .. }))
        .cloned()
        .expect("a LoadKeys command")
}

fn feed(app: &mut App, mut commands: Vec<Command>) {
    while !commands.is_empty() {
        let command = commands.remove(0);
        if let Some(action) = data_for(&command) {
            commands.extend(app.update(action));
        }
    }
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn list(app: &App) -> &ListView {
    app.current_list().expect("a list is shown")
}

/// The stable ids of the rows, in display order.
fn row_ids(app: &App) -> Vec<String> {
    let list = list(app);
    list.rows
        .iter()
        .filter_map(|&i| list::row_id(&app.data, &list.kind, i))
        .collect()
}

fn selected_id(app: &App) -> Option<String> {
    list(app).selected_id.clone()
}

#[test]
fn start_loads_keys_then_every_grant_count() {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    assert!(matches!(commands[0], Command::LoadCaller { .. }));
    assert!(matches!(commands[1], Command::LoadKeys { .. }));
    assert!(matches!(commands[2], Command::LoadPrincipals { .. }));
    let answer = data_for(&commands[1]).unwrap();
    let follow_up = app.update(answer);
    let keys: Vec<&str> = follow_up
        .iter()
        .filter_map(|c| match c {
            Command::LoadGrants { key_id, .. } => Some(key_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(keys, ["k1", "k2", "k3"]);
    // Counts show as loading until they arrive.
    assert_eq!(app.data.grant_count_text("k1"), "…");
    feed(&mut app, follow_up);
    assert_eq!(app.data.grant_count_text("k1"), "3");
    assert_eq!(app.data.grant_count_text("k3"), "0");
}

#[test]
fn navigation_moves_and_clamps() {
    let mut app = loaded(false);
    // Sorted by alias: orders, payments, then the key without alias ("—").
    assert_eq!(row_ids(&app), ["k2", "k1", "k3"]);
    assert_eq!(selected_id(&app).as_deref(), Some("k2"));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(selected_id(&app).as_deref(), Some("k1"));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k3"),
        "the cursor stops at the end"
    );
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(selected_id(&app).as_deref(), Some("k2"));
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(selected_id(&app).as_deref(), Some("k3"));
    press(&mut app, KeyCode::PageUp);
    assert_eq!(selected_id(&app).as_deref(), Some("k2"));
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k2"),
        "the cursor stops at the top"
    );
}

#[test]
fn drill_in_and_back() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j')); // payments
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        list(&app).kind,
        ListKind::Grants {
            key_id: "k1".to_owned()
        }
    );
    // Grants sort oldest first.
    assert_eq!(row_ids(&app), ["k1/g-old", "k1/g-mid", "k1/g-new"]);
    press(&mut app, KeyCode::Enter);
    match app.current_view() {
        View::Detail(detail) => {
            assert_eq!(detail.target.grant.grant_id, "g-old");
            assert_eq!(detail.target.key_aliases, ["alias/payments"]);
            assert_eq!(
                detail.target.key_arn,
                "arn:aws:kms:us-east-2:111122223333:key/k1"
            );
        }
        View::List(_) => panic!("Enter on a grant opens its detail"),
    }
    press(&mut app, KeyCode::Esc);
    assert!(matches!(list(&app).kind, ListKind::Grants { .. }));
    press(&mut app, KeyCode::Char('h'));
    assert_eq!(list(&app).kind, ListKind::Keys);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k1"),
        "back lands on the key we opened"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).kind, ListKind::Keys, "Esc at the root stays");
}

#[test]
fn opening_a_key_whose_grants_failed_loads_them_again() {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    let keys = app.update(data_for(&keys_load(&commands)).unwrap());
    // Every grant list fails.
    for command in keys {
        if let Command::LoadGrants { req, key_id, .. } = command {
            app.update(Action::GrantsLoaded {
                req,
                key_id,
                result: Err(SourceError::AccessDenied {
                    action: "kms:ListGrants".into(),
                    resource: "k".into(),
                }),
            });
        }
    }
    assert_eq!(app.data.grant_count_text("k2"), "error");
    let commands = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::LoadGrants { key_id, .. }] if key_id == "k2"),
        "{commands:?}"
    );
}

#[test]
fn stale_results_are_dropped() {
    let mut app = App::new(info(), false, false, NOW);
    let first = app.start();
    let Command::LoadKeys { req: old } = keys_load(&first) else {
        panic!("keys load first")
    };
    // A reload supersedes the first request.
    let reload = app.update(Action::Reload);
    let Command::LoadKeys { req: new } = reload[0] else {
        panic!("ctrl-r reloads keys")
    };
    assert_ne!(old, new);
    app.update(Action::KeysLoaded {
        req: old,
        result: Ok(vec![key("stale", None, KeyState::Enabled)]),
    });
    assert!(
        app.data.keys.loaded().is_none(),
        "the old answer is dropped"
    );
    app.update(Action::KeysLoaded {
        req: new,
        result: Ok(vec![key("fresh", None, KeyState::Enabled)]),
    });
    assert_eq!(app.data.keys.loaded().map(Vec::len), Some(1));
    assert_eq!(row_ids(&app), ["fresh"]);
}

#[test]
fn filter_matches_any_column_and_esc_clears() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.modal, Modal::Filter);
    for c in "PAY".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(row_ids(&app), ["k1"], "case-insensitive match on the alias");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.modal, Modal::None);
    assert_eq!(list(&app).filter, "PAY", "Enter keeps the filter");
    // The filter matches every visible column: the state column here.
    press(&mut app, KeyCode::Char('/'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "disabled".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(row_ids(&app), ["k3"]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).filter, "", "Esc while typing clears");
    assert_eq!(row_ids(&app).len(), 3);
    // Esc on a filtered list clears the filter before going back.
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter); // open "orders"
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).kind, ListKind::Keys);
    assert_eq!(list(&app).filter, "o");
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).filter, "");
}

#[test]
fn filter_with_no_match_and_cursor_stays_valid() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('/'));
    for c in "zzz".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(row_ids(&app).is_empty());
    assert_eq!(list(&app).selected_index(), None);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.modal, Modal::None);
    // Opening or deleting with nothing selected does nothing.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(list(&app).kind, ListKind::Keys);
    press(&mut app, KeyCode::Esc);
    assert_eq!(row_ids(&app).len(), 3);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k3"),
        "the cursor comes back in range"
    );
}

#[test]
fn sort_cycles_columns_and_reverses_keeping_the_selection() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(selected_id(&app).as_deref(), Some("k1"));
    press(&mut app, KeyCode::Char('s')); // key id
    assert_eq!(list(&app).sort_column, 1);
    assert_eq!(row_ids(&app), ["k1", "k2", "k3"]);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k1"),
        "the same key stays selected"
    );
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(row_ids(&app), ["k3", "k2", "k1"]);
    // Grants column: numeric, not text ("10" after "9").
    for _ in 0..4 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(list(&app).sort_column, 5);
    assert!(!list(&app).sort_reverse, "a new column starts ascending");
    assert_eq!(row_ids(&app), ["k3", "k2", "k1"]);
    // The findings count sorts as a number too; then cycling wraps around.
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(list(&app).sort_column, 8);
    for _ in 0..1 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(list(&app).sort_column, 0);
}

#[test]
fn retire_asks_first_and_cancel_changes_nothing() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let commands = press(&mut app, KeyCode::Char('x'));
    assert!(commands.is_empty(), "nothing is sent before the answer");
    let Modal::Confirm(change) = &app.modal else {
        panic!("x opens the confirmation")
    };
    assert_eq!(change.kind, WriteKind::Retire);
    assert_eq!(change.targets.len(), 1);
    assert_eq!(change.targets[0].grant.grant_id, "g-old");
    assert!(!change.yes_focused, "No has the focus");
    // The key that opened the dialog does not answer it; Enter presses No.
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert!(matches!(app.modal, Modal::Confirm(_)));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.modal, Modal::None);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("nothing was changed")
    );
    // n and Esc cancel too.
    for cancel in [KeyCode::Char('n'), KeyCode::Esc] {
        press(&mut app, KeyCode::Char('X'));
        assert!(press(&mut app, cancel).is_empty());
        assert_eq!(app.modal, Modal::None);
    }
}

#[test]
fn confirm_sends_exactly_the_grant_shown() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    // Data changes under the open dialog: the payload does not.
    app.update(Action::MoveDown);
    let commands = press(&mut app, KeyCode::Char('y'));
    let [
        Command::DeleteGrant {
            kind,
            target,
            dry_run,
        },
    ] = &commands[..]
    else {
        panic!("one write: {commands:?}")
    };
    assert_eq!(*kind, WriteKind::Revoke);
    assert_eq!(target.grant.grant_id, "g-old");
    assert!(!dry_run);
    assert_eq!(app.writes_in_flight, 1);
    // The outcome removes the grant and says so.
    let target = target.clone();
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    });
    assert_eq!(app.writes_in_flight, 0);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Success);
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "revoked grant g-old on alias/payments"
    );
    // KMS is eventually consistent: the grant stays listed, marked pending.
    assert_eq!(row_ids(&app), ["k1/g-old", "k1/g-mid", "k1/g-new"]);
    let name_cell = |app: &App| {
        let ctx = list::CellContext {
            data: &app.data,
            now: app.now,
            stale_after_days: app.stale_after_days,
        };
        list::cell_text(ctx, &list(app).kind, list(app).rows[0], 0)
    };
    assert_eq!(name_cell(&app), "revoked · pending");
    // A reload within five minutes that still lists it keeps it pending…
    app.update(Action::Tick(Timestamp::from_secs(NOW.millis() / 1000 + 60)));
    let reload = app.update(Action::Reload);
    feed(&mut app, reload);
    assert_eq!(name_cell(&app), "revoked · pending");
    // …after five minutes a grant KMS still lists is shown live again.
    app.update(Action::Tick(Timestamp::from_secs(
        NOW.millis() / 1000 + 301,
    )));
    let reload = app.update(Action::Reload);
    feed(&mut app, reload);
    assert_eq!(name_cell(&app), "");
    assert!(app.data.pending.is_empty());
}

#[test]
fn a_reload_that_no_longer_lists_a_deleted_grant_drops_it() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'x');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Ok(WriteOutcome::Done),
    });
    assert_eq!(app.data.pending.len(), 1);
    let reload = app.update(Action::Reload);
    let Command::LoadGrants { req, key_id, .. } = &reload[0] else {
        panic!("{reload:?}")
    };
    app.update(Action::GrantsLoaded {
        req: *req,
        key_id: key_id.clone(),
        result: Ok(vec![grant("k1", "g-new", "lambda", "payments-api", 3)]),
    });
    assert!(app.data.pending.is_empty());
    assert_eq!(row_ids(&app), ["k1/g-new"]);
}

#[test]
fn arrow_then_enter_confirms() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Right);
    let commands = press(&mut app, KeyCode::Enter);
    assert!(matches!(&commands[..], [Command::DeleteGrant { .. }]));
}

#[test]
fn failed_write_keeps_the_grant_and_says_why() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'x');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Err(SourceError::AccessDenied {
            action: "kms:RetireGrant".into(),
            resource: "arn:aws:kms:us-east-2:111122223333:key/k1".into(),
        }),
    });
    assert_eq!(row_ids(&app).len(), 3);
    let status = app.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    assert_eq!(
        status.text,
        "could not retire grant g-old on alias/payments: access denied: kms:RetireGrant on arn:aws:kms:us-east-2:111122223333:key/k1"
    );
}

#[test]
fn grant_already_gone_is_removed_with_a_warning() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter); // detail of g-old
    let target = confirm_delete(&mut app, 'x');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Err(SourceError::GrantNotFound {
            key_id: "k1".into(),
            grant_id: "g-old".into(),
        }),
    });
    assert!(
        matches!(app.current_view(), View::List(_)),
        "the detail of a deleted grant closes"
    );
    assert_eq!(row_ids(&app), ["k1/g-mid", "k1/g-new"]);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Warning);
}

#[test]
fn read_only_opens_no_dialog() {
    let mut app = loaded(true);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    for key in ['x', 'X'] {
        let commands = press(&mut app, KeyCode::Char(key));
        assert!(commands.is_empty());
        assert_eq!(app.modal, Modal::None);
        let status = app.status.clone().unwrap();
        assert_eq!(status.level, Level::Warning);
        assert!(
            status
                .text
                .starts_with("this session is read-only (--read-only)"),
            "{}",
            status.text
        );
    }
    // Even a confirmation forced into the state sends nothing.
    app.modal = Modal::Confirm(PendingChange {
        yes_focused: true,
        ..PendingChange::new(WriteKind::Revoke, vec![], None, false)
    });
    assert!(app.update(Action::ConfirmChange).is_empty());
}

#[test]
fn retire_and_revoke_do_nothing_on_the_keys_list() {
    let mut app = loaded(false);
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(app.modal, Modal::None);
}

#[test]
fn dry_run_is_carried_into_the_write_and_reported() {
    let mut app = loaded(false);
    app.update(Action::RunCommand("dry-run on".into()));
    assert!(app.dry_run);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    let commands = press(&mut app, KeyCode::Char('y'));
    let [
        Command::DeleteGrant {
            dry_run: true,
            target,
            ..
        },
    ] = &commands[..]
    else {
        panic!("{commands:?}")
    };
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target: target.clone(),
        result: Ok(WriteOutcome::DryRunWouldSucceed),
    });
    assert_eq!(row_ids(&app).len(), 3, "a dry run removes nothing");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("dry run: kms:RevokeGrant of grant g-old")
    );
    app.update(Action::RunCommand("dry-run maybe".into()));
    assert!(app.dry_run);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
}

#[test]
fn tab_switches_to_retirable_and_command_line_picks_a_principal() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Retirable);
    assert_eq!(list(&app).kind, ListKind::Principals);
    assert_eq!(
        app.data
            .retirable_count_text("arn:aws:iam::111122223333:role/admin"),
        "1"
    );
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Keys);
    // `:retirable ARN` opens that principal's grants, typed key by key.
    press(&mut app, KeyCode::Char(':'));
    for c in "retirable arn:aws:iam::111122223333:role/other".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let commands = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::LoadRetirable { principal, .. }] if principal == "arn:aws:iam::111122223333:role/other")
    );
    assert_eq!(app.tab, Tab::Retirable);
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
    app.update(Action::GrantDeleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Ok(WriteOutcome::Done),
    });
    assert!(
        app.data
            .pending_delete("k2", "g-orders", app.now)
            .is_some_and(|kind| kind == WriteKind::Retire)
    );
}

#[test]
fn unknown_commands_and_missing_arguments_say_so() {
    let mut app = loaded(false);
    app.update(Action::RunCommand("frobnicate now".into()));
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "unknown command :frobnicate (commands: :profile NAME, :region NAME, :retirable ARN, :export FILE, :retire-token TOKEN, :dry-run on|off, :quit)"
    );
    app.update(Action::RunCommand("retirable".into()));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with(":retirable needs a principal ARN")
    );
    assert!(app.update(Action::RunCommand("   ".into())).is_empty());
}

#[test]
fn quit_asks_while_a_write_is_in_flight() {
    let mut app = loaded(false);
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Command::Quit]);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('y'));
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.modal, Modal::ConfirmQuit);
    assert!(
        press(&mut app, KeyCode::Char('n')).is_empty(),
        "any other key keeps waiting"
    );
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(press(&mut app, KeyCode::Char('y')), vec![Command::Quit]);
}

#[test]
fn help_opens_and_any_key_closes() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.modal, Modal::Help { scroll: 0 });
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.modal, Modal::Help { scroll: 1 });
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.modal, Modal::None, "q closes help instead of quitting");
}

#[test]
fn a_failed_key_list_is_shown_not_hidden() {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    let Command::LoadKeys { req } = keys_load(&commands) else {
        panic!()
    };
    app.update(Action::KeysLoaded {
        req,
        result: Err(SourceError::AccessDenied {
            action: "kms:ListKeys".into(),
            resource: "*".into(),
        }),
    });
    assert!(matches!(app.data.keys, Load::Failed(_)));
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "could not list keys: access denied: kms:ListKeys on *"
    );
    // ctrl-r tries again.
    let commands = app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )));
    assert!(matches!(&commands[..], [Command::LoadKeys { .. }]));
}

#[test]
fn ctrl_c_quits_from_any_dialog_or_input() {
    let ctrl_c = Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.update(ctrl_c.clone()), vec![Command::Quit]);
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char(':'));
    assert_eq!(app.update(ctrl_c.clone()), vec![Command::Quit]);
    // With a write in flight it asks, and a second ctrl-c confirms.
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.update(ctrl_c.clone()).is_empty());
    assert_eq!(app.modal, Modal::ConfirmQuit);
    assert_eq!(app.update(ctrl_c), vec![Command::Quit]);
}

#[test]
fn left_never_lands_on_yes_and_tab_does_not_move_the_focus() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    for key in [KeyCode::Left, KeyCode::Tab, KeyCode::BackTab, KeyCode::Left] {
        press(&mut app, key);
        let Modal::Confirm(change) = &app.modal else {
            panic!("the dialog stays open")
        };
        assert!(!change.yes_focused, "{key:?} must not focus Yes");
    }
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "Enter presses No"
    );
    press(&mut app, KeyCode::Char('X'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Left);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "→ then ← is back on No"
    );
}

#[test]
fn keys_do_nothing_while_the_terminal_is_too_small() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    app.update(Action::Resize {
        width: 40,
        height: 10,
    });
    assert!(app.too_small());
    // The open dialog cannot be confirmed unseen, and nothing else moves.
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert!(matches!(app.modal, Modal::Confirm(_)));
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    press(&mut app, KeyCode::Esc);
    app.update(Action::Resize {
        width: 40,
        height: 10,
    });
    let before = selected_id(&app);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('X'));
    assert_eq!(selected_id(&app), before);
    assert_eq!(app.modal, Modal::None);
    // q still quits.
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Command::Quit]);
}

#[test]
fn retirable_command_checks_its_argument() {
    let mut app = loaded(false);
    for bad in ["foo bar", "admin", "arn:aws:iam"] {
        assert!(
            app.update(Action::RunCommand(format!("retirable {bad}")))
                .is_empty()
        );
        assert_eq!(app.tab, Tab::Keys, "{bad}");
        let status = app.status.clone().unwrap();
        assert_eq!(status.level, Level::Error);
        assert!(
            status.text.contains(&format!("not \"{bad}\"")),
            "{}",
            status.text
        );
    }
    let commands = app.update(Action::RunCommand(
        "retirable dynamodb.us-east-2.amazonaws.com".into(),
    ));
    assert_eq!(commands.len(), 1, "a service principal is accepted");
}

#[test]
fn informational_messages_clear_when_the_operator_moves_on() {
    let mut app = loaded(false);
    assert!(app.status.as_ref().unwrap().text.starts_with("3 keys"));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.status, None);
    // Errors stay until the next message.
    app.update(Action::RunCommand("nonsense".into()));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
}

#[test]
fn keys_of_other_accounts_are_labelled_by_id_first() {
    let app = loaded(false);
    assert_eq!(
        app.data
            .key_label("arn:aws:kms:us-east-2:444455556666:key/93f47049-4761"),
        "93f47049… (444455556666)"
    );
    assert_eq!(app.data.key_label("k1"), "payments");
}

#[test]
fn opening_a_key_still_queued_loads_it_ahead_and_drops_the_queued_answer() {
    let mut app = App::new(info(), false, false, NOW);
    let start = app.start();
    let background = app.update(data_for(&keys_load(&start)).unwrap());
    let queued = background
        .iter()
        .find(|c| matches!(c, Command::LoadGrants { key_id, .. } if key_id == "k2"))
        .cloned()
        .unwrap();
    assert!(matches!(queued, Command::LoadGrants { urgent: false, .. }));
    // The cursor is on "orders" (k2): open it before its background load answered.
    let opened = press(&mut app, KeyCode::Enter);
    let [
        Command::LoadGrants {
            urgent: true,
            key_id,
            ..
        },
    ] = &opened[..]
    else {
        panic!("{opened:?}")
    };
    assert_eq!(key_id, "k2");
    // The queued answer arrives first, with an outdated list: it is dropped.
    let Command::LoadGrants { req, .. } = queued else {
        panic!()
    };
    app.update(Action::GrantsLoaded {
        req,
        key_id: "k2".into(),
        result: Ok(vec![]),
    });
    assert_eq!(app.data.grant_count_text("k2"), "…");
    feed(&mut app, opened);
    assert_eq!(row_ids(&app), ["k2/g-orders"]);
}

#[test]
fn retire_by_token_asks_first_masks_the_token_and_sends_it() {
    let mut app = loaded(false);
    let token = "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM0ZmZiYzEzNjJiNjI";
    app.update(Action::RunCommand(format!("retire-token {token}")));
    let Modal::Confirm(change) = &app.modal else {
        panic!("the token retire asks first")
    };
    assert_eq!(change.token.as_deref(), Some(token));
    assert!(change.targets.is_empty());
    let commands = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        commands,
        vec![Command::RetireToken {
            token: token.to_owned(),
            dry_run: false
        }]
    );
    app.update(Action::TokenRetired {
        result: Ok(WriteOutcome::Done),
    });
    let status = app.status.clone().unwrap();
    assert_eq!(status.level, Level::Success);
    assert!(
        !status.text.contains(token),
        "the token never reaches the status line"
    );
    // Read-only refuses it without a dialog.
    let mut app = loaded(true);
    app.update(Action::RunCommand(format!("retire-token {token}")));
    assert_eq!(app.modal, Modal::None);
    assert_eq!(app.status.unwrap().level, Level::Warning);
}

#[test]
fn a_failed_reload_keeps_the_list_from_before() {
    let mut app = loaded(false);
    let reload = app.update(Action::Reload);
    let [Command::LoadKeys { req }] = reload[..] else {
        panic!("{reload:?}")
    };
    assert_eq!(row_ids(&app).len(), 3, "the list stays while it reloads");
    app.update(Action::KeysLoaded {
        req,
        result: Err(SourceError::Network {
            action: "kms:ListKeys".into(),
            detail: "connection refused".into(),
        }),
    });
    assert_eq!(row_ids(&app), ["k2", "k1", "k3"]);
    assert_eq!(app.data.grant_count_text("k1"), "3");
    let status = app.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    assert_eq!(
        status.text,
        "could not list keys: kms:ListKeys could not reach the endpoint: connection refused (still showing the list from before)"
    );
    // The same for a key's grants.
    press(&mut app, KeyCode::Enter);
    let reload = app.update(Action::Reload);
    let Command::LoadGrants { req, key_id, .. } = &reload[0] else {
        panic!()
    };
    app.update(Action::GrantsLoaded {
        req: *req,
        key_id: key_id.clone(),
        result: Err(SourceError::Timeout {
            action: "kms:ListGrants".into(),
        }),
    });
    assert_eq!(row_ids(&app), ["k2/g-orders"]);
    assert!(
        app.status
            .unwrap()
            .text
            .ends_with("(still showing the list from before)")
    );
}

#[test]
fn a_dry_run_the_endpoint_ignored_is_reported_as_a_real_delete() {
    let mut app = loaded(false);
    app.update(Action::RunCommand("dry-run on".into()));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target: target.clone(),
        result: Ok(WriteOutcome::DoneDespiteDryRun),
    });
    let status = app.status.clone().unwrap();
    assert_eq!(status.level, Level::Warning);
    assert_eq!(
        status.text,
        "the endpoint ignored DryRun: grant g-old on alias/payments was really revoked"
    );
    assert!(app.data.pending_delete("k1", "g-old", app.now).is_some());
}

#[test]
fn a_retirable_list_that_no_longer_shows_a_deleted_grant_settles_it_everywhere() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'x');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Ok(WriteOutcome::Done),
    });
    assert!(app.data.pending_delete("k2", "g-orders", app.now).is_some());
    let reload = app.update(Action::Reload);
    let Command::LoadRetirable { req, principal } = &reload[0] else {
        panic!("{reload:?}")
    };
    app.update(Action::RetirableLoaded {
        req: *req,
        principal: principal.clone(),
        result: Ok(vec![]),
    });
    assert!(app.data.pending.is_empty());
    assert_eq!(
        app.data.grant_count_text("k2"),
        "0",
        "gone from the key's own list too"
    );
}

#[test]
fn a_dry_run_that_would_fail_says_so() {
    let mut app = loaded(false);
    app.update(Action::RunCommand("dry-run on".into()));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target: target.clone(),
        result: Err(SourceError::AccessDenied {
            action: "kms:RevokeGrant".into(),
            resource: "k1".into(),
        }),
    });
    let status = app.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    assert_eq!(
        status.text,
        "dry run: kms:RevokeGrant of grant g-old on alias/payments would fail: access denied: kms:RevokeGrant on k1"
    );
    assert_eq!(row_ids(&app).len(), 3);
}

#[test]
fn grants_on_their_way_are_not_sent_twice() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('X'));
    press(&mut app, KeyCode::Char('3'));
    let first = press(&mut app, KeyCode::Enter);
    assert_eq!(first.len(), 3);
    // No answer yet: X again sends nothing.
    press(&mut app, KeyCode::Esc);
    assert!(press(&mut app, KeyCode::Char('X')).is_empty());
    assert_eq!(app.modal, Modal::None);
    assert!(app.status.clone().unwrap().text.contains("nothing to do"));
}

#[test]
fn a_restore_on_its_way_makes_quit_ask() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    });
    press(&mut app, KeyCode::Char('H'));
    press(&mut app, KeyCode::Char('r'));
    let commands = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(&commands[..], [Command::RestoreGrant { .. }]));
    press(&mut app, KeyCode::Esc);
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.modal, Modal::ConfirmQuit);
}

#[test]
fn a_bulk_dry_run_that_would_fail_is_not_reported_as_clean() {
    let mut app = loaded(false);
    app.update(Action::RunCommand("dry-run on".into()));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('X'));
    press(&mut app, KeyCode::Char('3'));
    let commands = press(&mut app, KeyCode::Enter);
    for (i, command) in commands.into_iter().enumerate() {
        let Command::DeleteGrant { target, kind, .. } = command else {
            panic!()
        };
        let result = if i == 0 {
            Err(SourceError::AccessDenied {
                action: "kms:RevokeGrant".into(),
                resource: "k1".into(),
            })
        } else {
            Ok(WriteOutcome::DryRunWouldSucceed)
        };
        app.update(Action::GrantDeleted {
            kind,
            target,
            result,
        });
    }
    let status = app.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    assert!(status.text.contains("1 failed"), "{}", status.text);
}

#[test]
fn a_deleted_grant_stays_pending_until_a_reload_settles_it() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    });
    // An hour later, with no reload, it is still shown as revoked, and not offered again.
    app.update(Action::Tick(Timestamp::from_secs(
        NOW.millis() / 1000 + 3600,
    )));
    assert!(app.data.pending_delete("k1", "g-old", app.now).is_some());
    press(&mut app, KeyCode::Char('g'));
    assert!(press(&mut app, KeyCode::Char('X')).is_empty());
    assert_eq!(app.modal, Modal::None);
}

/// An app over a synthetic snapshot, every load answered from it.
fn over_snapshot(snapshot: &crate::fixture::Snapshot) -> App {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    crate::synth::feed(&mut app, snapshot, commands);
    app
}

/// The rows a fresh view with the same filter, finding and sort derives from scratch.
fn rows_from_scratch(app: &App) -> Vec<usize> {
    let shown = list(app);
    let mut fresh = ListView::new(shown.kind.clone());
    fresh.filter = shown.filter.clone();
    fresh.finding = shown.finding;
    fresh.sort_column = shown.sort_column;
    fresh.sort_reverse = shown.sort_reverse;
    fresh.recompute(app.cell_context());
    fresh.rows
}

#[test]
fn cached_filtering_shows_what_a_fresh_filter_would() {
    let snapshot = crate::synth::snapshot(crate::synth::Spec {
        keys: 3,
        grants: 3_000,
        hot_keys: 1,
        hot_share: 0.9,
        seed: 11,
    });
    let mut app = over_snapshot(&snapshot);
    // Open the hot key (the first one generated), wherever the alias sort puts it.
    let hot = snapshot.keys[0].key.id().to_owned();
    let position = list(&app)
        .rows
        .iter()
        .position(|&i| list::key_at(&app.data, i).is_some_and(|k| k.id() == hot))
        .unwrap();
    for _ in 0..position {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(list(&app).rows.len(), snapshot.keys[0].grants.len());
    press(&mut app, KeyCode::Char('/'));
    let mut seen = Vec::new();
    // Typing narrows, erasing widens, and a jump to another text starts over.
    for step in [
        "r", "o", "l", "e", "/", "s", "\u{8}", "\u{8}", "\u{8}", "x", "\u{8}",
    ] {
        let code = match step {
            "\u{8}" => KeyCode::Backspace,
            text => KeyCode::Char(text.chars().next().unwrap()),
        };
        press(&mut app, code);
        let shown = list(&app);
        assert_eq!(
            shown.rows,
            rows_from_scratch(&app),
            "filter {:?}",
            shown.filter
        );
        // And every row shown holds the filter in one of its cells.
        let ctx = app.cell_context();
        let columns = shown.kind.columns().len();
        for &i in &shown.rows {
            assert!(
                (0..columns).any(|c| list::cell_text(ctx, &shown.kind, i, c)
                    .to_lowercase()
                    .contains(&shown.filter)),
                "row {i} does not match {:?}",
                shown.filter
            );
        }
        seen.push((shown.filter.clone(), shown.rows.len()));
    }
    // The steps really narrowed and widened (so both paths ran).
    let counts: Vec<usize> = seen.iter().map(|(_, n)| *n).collect();
    assert!(counts[0] > counts[4] && counts[4] > 0, "{seen:?}");
    assert_eq!(counts[6], counts[4], "{seen:?}");
    press(&mut app, KeyCode::Enter);
    // Sorting and the finding filter reuse the cached text and still agree.
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
    press(&mut app, KeyCode::Char('f'));
    assert!(list(&app).finding.is_some());
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
    assert!(!list(&app).rows.is_empty());
}

#[test]
fn a_burst_of_answers_recomputes_the_rows_once_settled() {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    let Command::LoadKeys { req } = keys_load(&commands) else {
        unreachable!()
    };
    app.apply(Action::KeysLoaded {
        req,
        result: Ok(vec![key("k1", Some("payments"), KeyState::Enabled)]),
    });
    // Applied, not yet settled: the view is marked, its rows are still the old ones.
    assert!(list(&app).dirty);
    assert!(list(&app).rows.is_empty());
    app.settle();
    assert!(!list(&app).dirty);
    assert_eq!(list(&app).rows, vec![0]);
}

#[test]
fn the_filter_searches_cells_that_changed_after_its_text_was_cached() {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    let Command::LoadKeys { req } = keys_load(&commands) else {
        unreachable!()
    };
    // Keys listed, not yet described: their state cells say "…".
    let undescribed = |id: &str| Key {
        described: false,
        metadata: KeyMetadata::unknown(
            id.to_owned(),
            format!("arn:aws:kms:us-east-2:111122223333:key/{id}"),
        ),
        aliases: Vec::new(),
    };
    app.update(Action::KeysLoaded {
        req,
        result: Ok(vec![undescribed("k1"), undescribed("k2")]),
    });
    // Filtering once caches the cells' text; clearing the filter keeps the cache.
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert!(list(&app).filter.is_empty());
    // DescribeKey answers: k2 is disabled. The keys list is not re-sorted for that, but the
    // filter must see the new state.
    let mut described = key("k2", None, KeyState::Disabled).metadata;
    described.description = Some("old billing key".to_owned());
    app.update(Action::KeyDescribed {
        req,
        key_id: "k2".to_owned(),
        result: Ok(described),
    });
    press(&mut app, KeyCode::Char('/'));
    for c in "disabled".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1);
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
    for _ in 0.."disabled".len() {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "billing".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1);
}

#[test]
fn the_filter_sees_ages_as_the_clock_moves() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Enter); // orders, first by alias: one grant, 10 days old
    assert_eq!(
        list(&app).kind,
        ListKind::Grants {
            key_id: "k2".to_owned()
        }
    );
    press(&mut app, KeyCode::Char('/'));
    for c in "10d".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1, "the 10-day-old grant");
    // A day later it is 11 days old: the cached text is from another minute.
    app.update(Action::Tick(Timestamp::from_millis(
        NOW.millis() + 86_400_000,
    )));
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    for c in "11d".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1, "the grant is 11 days old now");
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
}

// ----- switching profiles and regions -----

fn places() -> Places {
    Places::from_profiles(
        [
            ("alpha".to_owned(), Some("us-east-1".to_owned())),
            ("alpine".to_owned(), None),
            ("beta".to_owned(), Some("eu-west-1".to_owned())),
        ],
        &[crate::config::Account {
            name: "prod".to_owned(),
            profile: "beta".to_owned(),
            regions: vec!["eu-west-1".to_owned(), "eu-central-1".to_owned()],
            read_only: true,
        }],
    )
}

fn switchable() -> App {
    let mut app = loaded(false);
    app.places = places();
    app.target = Target {
        profile: Some("alpha".to_owned()),
        region: Some("us-east-2".to_owned()),
    };
    app
}

fn type_line(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The answer of a switch to `target` in account `account`, as the runtime gives it.
fn switched_to(target: &Target, account: &str, read_only: bool) -> Result<SwitchedTo, String> {
    Ok(SwitchedTo {
        target: target.clone(),
        info: SourceInfo {
            kind: SourceKind::Live {
                profile: target.profile.clone(),
                endpoint: None,
            },
            profile: target.profile.clone(),
            account: None,
            region: target.region.clone(),
            recorded_at: None,
        },
        caller: Some(CallerIdentity {
            account: account.to_owned(),
            arn: format!("arn:aws:sts::{account}:assumed-role/Ops/bob"),
        }),
        read_only: read_only
            .then(|| "account prod is read_only in the config; --allow-writes lifts it".to_owned()),
    })
}

fn the_switch(commands: &[Command]) -> (u64, Target) {
    match commands {
        [Command::Switch { seq, target }] => (*seq, target.clone()),
        other => panic!("one switch expected: {other:?}"),
    }
}

#[test]
fn profile_and_region_commands_ask_for_a_switch() {
    let mut app = switchable();
    // An account entry's name stands for its profile, in the profile's own region.
    let (_, target) = the_switch(&app.update(Action::RunCommand("profile prod".into())));
    assert_eq!(target.profile.as_deref(), Some("beta"));
    assert_eq!(target.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "switching to profile beta in eu-west-1…"
    );
    // A profile without a region keeps the current one.
    let (_, target) = the_switch(&app.update(Action::RunCommand("profile alpine".into())));
    assert_eq!(target.region.as_deref(), Some("us-east-2"));
    // :region keeps the profile.
    let (_, target) = the_switch(&app.update(Action::RunCommand("region ap-south-1".into())));
    assert_eq!(target.profile.as_deref(), Some("alpha"));
    assert_eq!(target.region.as_deref(), Some("ap-south-1"));
}

#[test]
fn bad_switches_say_why_and_send_nothing() {
    let mut app = switchable();
    for (line, expected) in [
        (
            "profile gamma",
            "no profile called \"gamma\" (there are alpha, alpine, beta, prod; Tab completes)",
        ),
        (
            "region mars",
            "\"mars\" is not a region (like us-east-1; Tab completes)",
        ),
        (
            "profile",
            ":profile needs a name, e.g. :profile prod (Tab completes)",
        ),
        ("region us-east-2", "already on profile alpha in us-east-2"),
    ] {
        assert!(
            app.update(Action::RunCommand(line.into())).is_empty(),
            "{line}"
        );
        assert_eq!(app.status.as_ref().unwrap().text, expected);
    }
    // The demo has nowhere to go.
    let mut demo = loaded(false);
    demo.places = Places::fixed("the demo is one account and region");
    assert!(
        demo.update(Action::RunCommand("profile alpha".into()))
            .is_empty()
    );
    assert!(demo.update(Action::PickProfile).is_empty());
    assert_eq!(
        demo.status.as_ref().unwrap().text,
        "the demo is one account and region"
    );
    assert_eq!(demo.modal, Modal::None);
}

#[test]
fn a_switch_starts_over_on_the_new_account_keeping_filter_and_sort() {
    let mut app = switchable();
    // A filter and a sort on the keys list, a grants view open, a mark.
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('/'));
    type_line(&mut app, "ord");
    press(&mut app, KeyCode::Enter);
    let sort = (list(&app).sort_column, list(&app).sort_reverse);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 1);
    let old_keys_req = app.data.keys_req;
    let (seq, target) = the_switch(&app.update(Action::RunCommand("profile beta".into())));
    // Until the answer comes, the old view stays usable.
    assert!(matches!(list(&app).kind, ListKind::Grants { .. }));
    let commands = app.update(Action::Switched {
        seq,
        result: switched_to(&target, "222222222222", true),
    });
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::LoadKeys { .. }))
    );
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::LoadPrincipals { .. }))
    );
    // The caller came with the switch: no second STS call.
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Command::LoadCaller { .. }))
    );
    assert_eq!(app.target, target);
    assert!(app.read_only, "beta is marked read-only in the config");
    assert_eq!(app.info.account.as_deref(), Some("222222222222"));
    assert_eq!(
        app.where_now(),
        "profile beta · account 222222222222 · eu-west-1"
    );
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "now on profile beta · account 222222222222 · eu-west-1 (read-only)"
    );
    // Back on the keys list, with its filter and sort; nothing of the old account is left.
    assert_eq!(list(&app).kind, ListKind::Keys);
    assert_eq!(list(&app).filter, "ord");
    assert_eq!((list(&app).sort_column, list(&app).sort_reverse), sort);
    assert!(app.marks.is_empty());
    assert!(app.data.keys.loaded().is_none());
    // An answer the old account still sends is dropped.
    app.update(Action::KeysLoaded {
        req: old_keys_req,
        result: Ok(vec![key("k1", Some("payments"), KeyState::Enabled)]),
    });
    assert!(app.data.keys.loaded().is_none());
    feed(&mut app, commands);
    assert_eq!(
        row_ids(&app).len(),
        1,
        "the filter still applies: only orders"
    );
    // The refusal names why the account is read-only.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "this session is read-only (account prod is read_only in the config; --allow-writes lifts it): kms:RetireGrant is turned off"
    );
}

#[test]
fn a_failed_switch_leaves_everything_as_it_was() {
    let mut app = switchable();
    press(&mut app, KeyCode::Enter);
    let before = row_ids(&app);
    let (seq, _) = the_switch(&app.update(Action::RunCommand("profile beta".into())));
    let commands = app.update(Action::Switched {
        seq,
        result: Err("the SSO session has expired; run `aws sso login --profile beta`".into()),
    });
    assert!(commands.is_empty());
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "cannot switch to profile beta in eu-west-1: the SSO session has expired; run `aws sso login --profile beta` (still on profile alpha in us-east-2)"
    );
    assert_eq!(row_ids(&app), before);
    assert_eq!(app.target.profile.as_deref(), Some("alpha"));
    assert!(!app.read_only);
}

#[test]
fn a_later_switch_replaces_an_earlier_one_and_writes_block_switching() {
    let mut app = switchable();
    let (first, one) = the_switch(&app.update(Action::RunCommand("profile beta".into())));
    let (second, two) = the_switch(&app.update(Action::RunCommand("region ca-central-1".into())));
    assert!(!app.wants_switch(first) && app.wants_switch(second));
    app.update(Action::Switched {
        seq: first,
        result: switched_to(&one, "222222222222", false),
    });
    assert_eq!(
        app.target.profile.as_deref(),
        Some("alpha"),
        "the first answer came too late"
    );
    app.update(Action::Switched {
        seq: second,
        result: switched_to(&two, "111111111111", false),
    });
    assert_eq!(app.target.region.as_deref(), Some("ca-central-1"));
    // While a write is on its way, no switch: its answer belongs to this account.
    feed(&mut app, Vec::new());
    app.writes_in_flight = 1;
    assert!(
        app.update(Action::RunCommand("profile beta".into()))
            .is_empty()
    );
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "1 write(s) are still on their way; switch once they have answered"
    );
}

#[test]
fn tab_completes_commands_profiles_and_regions() {
    let mut app = switchable();
    let tab = |app: &mut App| {
        press(app, KeyCode::Tab);
        match &app.modal {
            Modal::Command(line) => line.clone(),
            other => panic!("the command line closed: {other:?}"),
        }
    };
    press(&mut app, KeyCode::Char(':'));
    type_line(&mut app, "pro");
    assert_eq!(tab(&mut app), "profile ");
    type_line(&mut app, "al");
    // Two profiles start with "al": the common start, and both are listed.
    assert_eq!(tab(&mut app), "profile alp");
    assert_eq!(app.completions.as_deref(), Some("alpha  alpine"));
    type_line(&mut app, "i");
    assert_eq!(tab(&mut app), "profile alpine");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char(':'));
    type_line(&mut app, "region eu-c");
    assert_eq!(tab(&mut app), "region eu-central-");
    type_line(&mut app, "2");
    assert_eq!(tab(&mut app), "region eu-central-2");
    let commands = press(&mut app, KeyCode::Enter);
    assert_eq!(
        the_switch(&commands).1.region.as_deref(),
        Some("eu-central-2")
    );
    press(&mut app, KeyCode::Char(':'));
    type_line(&mut app, "region xx-");
    assert_eq!(tab(&mut app), "region xx-");
    assert_eq!(
        app.completions.as_deref(),
        Some("nothing completes \"xx-\"")
    );
    // The next key clears the list.
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.completions, None);
}

#[test]
fn pickers_list_narrow_and_switch() {
    let mut app = switchable();
    assert!(app.update(Action::PickProfile).is_empty());
    let Modal::Picker(picker) = &app.modal else {
        panic!("no picker");
    };
    let rows: Vec<(&str, &str)> = picker
        .items
        .iter()
        .map(|i| (i.value.as_str(), i.note.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("alpha", "us-east-1 · current"),
            ("alpine", ""),
            ("beta", "account prod · eu-west-1 · read-only"),
        ]
    );
    assert_eq!(picker.cursor, 0, "the cursor starts on the current profile");
    // Typing narrows (the note counts: "prod" finds beta), Enter switches.
    type_line(&mut app, "prod");
    let commands = press(&mut app, KeyCode::Enter);
    assert_eq!(the_switch(&commands).1.profile.as_deref(), Some("beta"));
    assert_eq!(app.modal, Modal::None);
    // The region picker offers the profile's account regions first, cursor on the current one.
    app.update(Action::PickRegion);
    let Modal::Picker(picker) = &app.modal else {
        panic!("no picker");
    };
    assert_eq!(picker.items[0].value, "us-east-1");
    assert_eq!(picker.items[picker.cursor].value, "us-east-2");
    press(&mut app, KeyCode::Down);
    let commands = press(&mut app, KeyCode::Enter);
    let (_, target) = the_switch(&commands);
    assert_eq!(target.region.as_deref(), Some("us-west-1"));
    // Esc closes without switching.
    app.update(Action::PickRegion);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.modal, Modal::None);
}

#[test]
fn an_old_callers_answer_is_dropped() {
    let mut app = App::new(info(), false, false, NOW);
    let commands = app.start();
    let Some(Command::LoadCaller { req }) = commands.first().cloned() else {
        panic!("no caller load");
    };
    app.places = places();
    let (seq, target) = the_switch(&app.update(Action::RunCommand("profile beta".into())));
    app.update(Action::Switched {
        seq,
        result: switched_to(&target, "222222222222", false),
    });
    app.update(Action::CallerLoaded {
        req,
        result: Ok(Some(CallerIdentity {
            account: "111122223333".to_owned(),
            arn: "arn:aws:iam::111122223333:user/old".to_owned(),
        })),
    });
    assert_eq!(app.caller.as_ref().unwrap().account, "222222222222");
}

/// Opens the first key, retires its first grant with `x` `y`, and answers that it is gone.
fn retire_first_grant(app: &mut App) {
    press(app, KeyCode::Enter);
    let target = confirm_delete(app, 'x');
    app.update(Action::GrantDeleted {
        kind: WriteKind::Retire,
        target,
        result: Ok(WriteOutcome::Done),
    });
}

#[test]
fn no_write_crosses_a_switch() {
    let mut app = switchable();
    // A grant of alpha deleted, so the history has an entry from alpha.
    retire_first_grant(&mut app);
    // A confirmation opened while a switch is on its way cannot be confirmed until it answers…
    let (seq, to) = the_switch(&app.update(Action::RunCommand("profile beta".into())));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    assert!(
        matches!(app.modal, Modal::Confirm(_)),
        "{:?} {:?}",
        app.status,
        row_ids(&app)
    );
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "a switch to profile beta in eu-west-1 is on its way: nothing was sent (confirm again once it has answered)"
    );
    // Nor can a restore from the history start.
    press(&mut app, KeyCode::Esc);
    app.update(Action::ShowHistory);
    press(&mut app, KeyCode::Char('r'));
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "a switch to profile beta in eu-west-1 is on its way: nothing was created (restore once it has answered)"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('x'));
    assert!(matches!(app.modal, Modal::Confirm(_)));
    // …and the answer closes it: its grant belongs to the account left behind.
    app.update(Action::Switched {
        seq,
        result: switched_to(&to, "222222222222", false),
    });
    assert_eq!(app.modal, Modal::None);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .ends_with("; the open confirmation was closed, nothing was sent")
    );
    // A grant deleted in alpha is not restored into beta.
    app.update(Action::ShowHistory);
    assert!(press(&mut app, KeyCode::Char('r')).is_empty());
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "that grant was deleted on profile alpha in us-east-2: switch back there to restore it (or use kms-grants restore)"
    );
    assert!(matches!(
        app.modal,
        Modal::History {
            confirming: false,
            ..
        }
    ));
}

#[test]
fn an_account_learnt_after_a_delete_does_not_block_its_restore() {
    let mut app = switchable();
    app.info.account = None;
    retire_first_grant(&mut app);
    // STS answers after the delete.
    app.info.account = Some("111122223333".to_owned());
    app.update(Action::ShowHistory);
    press(&mut app, KeyCode::Char('r'));
    assert!(matches!(
        app.modal,
        Modal::History {
            confirming: true,
            ..
        }
    ));
    // Another account behind the same profile and region is another place.
    let mut app = switchable();
    retire_first_grant(&mut app);
    app.info.account = Some("444455556666".to_owned());
    app.update(Action::ShowHistory);
    press(&mut app, KeyCode::Char('r'));
    assert!(matches!(
        app.modal,
        Modal::History {
            confirming: false,
            ..
        }
    ));
}

// ----- Issue 12: writes sent once and settled; the audit log on a full disk -----

/// The screen as text (120×40).
fn screen_text(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let theme = crate::ui::theme::Theme::new(Default::default(), false);
    terminal
        .draw(|frame| crate::ui::draw(frame, app, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The revoke of every grant of `k1` (three), confirmed by typing the count.
fn bulk_revoke_k1(app: &mut App) -> Vec<GrantTarget> {
    press(app, KeyCode::Char('j'));
    press(app, KeyCode::Enter);
    press(app, KeyCode::Char('a'));
    press(app, KeyCode::Char('X'));
    press(app, KeyCode::Char('3'));
    press(app, KeyCode::Enter)
        .into_iter()
        .map(|command| match command {
            Command::DeleteGrant { target, .. } => *target,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn lost(target: &GrantTarget, settled: Settlement) -> Result<WriteOutcome, SourceError> {
    Err(SourceError::AnswerLost {
        write: LostWrite::Delete {
            kind: WriteKind::Revoke,
            key_id: target.grant.key_id.to_string(),
            grant_id: target.grant.grant_id.to_string(),
        },
        lost: crate::source::LostAnswer::ServerError(500),
        settled,
    })
}

#[test]
fn an_answer_lost_is_reported_as_the_listing_settled_it() {
    let mut app = loaded(false);
    let targets = bulk_revoke_k1(&mut app);
    let results = [
        // Gone: deleted, though the answer was lost.
        Ok(WriteOutcome::DoneAnswerLost(
            crate::source::LostAnswer::ServerError(500),
        )),
        // Still listed: not deleted.
        lost(&targets[1], Settlement::NotDone),
        // The listing failed too.
        lost(
            &targets[2],
            Settlement::StillUnknown("listing the key failed: throttled".into()),
        ),
    ];
    for (target, result) in targets.iter().zip(results) {
        app.update(Action::GrantDeleted {
            kind: WriteKind::Revoke,
            target: Box::new(target.clone()),
            result,
        });
    }
    let bulk = app.bulk.clone().unwrap();
    let said: Vec<(Level, String)> = targets
        .iter()
        .map(|t| {
            bulk.outcomes[bulk.index[&t.grant.id_pair()]]
                .result
                .clone()
                .unwrap()
        })
        .collect();
    let what: Vec<String> = targets.iter().map(describe_grant).collect();
    assert_eq!(
        said[0],
        (
            Level::Warning,
            format!(
                "the answer to kms:RevokeGrant of {} was lost (HTTP 500); listing the key shows it is gone: revoked",
                what[0]
            )
        )
    );
    assert_eq!(said[1].0, Level::Error);
    assert!(
        said[1].1.starts_with(&format!(
            "the answer to kms:RevokeGrant of {} was lost (HTTP 500); listing the key shows it is still there: not revoked",
            what[1]
        )),
        "{}",
        said[1].1
    );
    assert_eq!(said[2].0, Level::Error);
    assert!(
        said[2].1.contains(
            "was lost (HTTP 500), and whether it was revoked is still unknown (listing the key failed: throttled)"
        ),
        "{}",
        said[2].1
    );
    // The one gone is unmarked, pending and in the history; the two others stay marked for
    // another try (a revoke sent again is harmless: a grant already gone is "not found").
    let marked: Vec<&str> = app.marks.iter().map(|(_, g)| g.as_str()).collect();
    assert_eq!(marked.len(), 2);
    assert!(!marked.contains(&targets[0].grant.grant_id.as_ref()));
    assert!(
        app.data
            .pending_delete("k1", &targets[0].grant.grant_id, app.now)
            .is_some()
    );
    assert_eq!(app.history.len(), 1);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("2 failed and stay marked"),
        "{:?}",
        app.status
    );
}

#[test]
fn a_failed_audit_write_turns_writes_off_at_once() {
    let mut app = loaded(false);
    app.audit_log = Some(Ok("/state/audit.jsonl".into()));
    let targets = bulk_revoke_k1(&mut app);
    assert!(!screen_text(&app).contains("NO AUDIT LOG"));
    // The first revoke went through; its outcome could not be recorded.
    app.update(Action::GrantDeleted {
        kind: WriteKind::Revoke,
        target: Box::new(targets[0].clone()),
        result: Ok(WriteOutcome::Done),
    });
    let said = &format!(
        "{} was revoked; its outcome could not be recorded: No space left on device in /state/audit.jsonl (writes are off for this session)",
        describe_grant(&targets[0])
    );
    app.update(Action::AuditFailed {
        grant: Some(targets[0].grant.id_pair()),
        said: said.to_owned(),
        reason: "the audit log /state/audit.jsonl cannot be written (No space left on device): writes are off for this session".to_owned(),
    });
    assert_eq!(&app.status.as_ref().unwrap().text, said);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
    assert!(matches!(app.audit_log, Some(Err(_))));
    // Its row in the outcome list says so too.
    let bulk = app.bulk.clone().unwrap();
    assert_eq!(
        bulk.outcomes[bulk.index[&targets[0].grant.id_pair()]].result,
        Some((Level::Error, said.to_owned()))
    );
    // The two queued after it come back refused by the runtime, unsent.
    for target in &targets[1..] {
        app.update(Action::GrantDeleted {
            kind: WriteKind::Revoke,
            target: Box::new(target.clone()),
            result: Err(SourceError::Audit("writes are off for this session: the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent".into())),
        });
    }
    assert_eq!(app.marks.len(), 2, "the unsent ones stay marked");
    // The header says NO AUDIT LOG and the footer offers no x or X; pressing them is refused.
    app.modal = Modal::None;
    let screen = screen_text(&app);
    assert!(screen.contains("NO AUDIT LOG"), "{screen}");
    assert!(!screen.contains("x retire"), "{screen}");
    assert!(!screen.contains("X revoke"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('X')).is_empty());
    assert_eq!(app.modal, Modal::None);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("(No space left on device): writes are off for this session"),
        "{:?}",
        app.status
    );
}

#[test]
fn the_footer_counts_the_marks_the_list_shows_as_marks_and_rows_change() {
    let mut app = loaded(false);
    while selected_id(&app).as_deref() != Some("k1") {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('a'));
    assert_eq!((app.marks.len(), app.marks_shown()), (3, 3));
    // A filter that shows one of them.
    press(&mut app, KeyCode::Char('/'));
    for c in "etl".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(row_ids(&app).len(), 1);
    assert_eq!(app.marks_shown(), 1);
    // Unmarking the one shown, then clearing the filter.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!((app.marks.len(), app.marks_shown()), (2, 0));
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.marks_shown(), 2);
    // Another key's list shows none of them.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.marks_shown(), 0);
}
