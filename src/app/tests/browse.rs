//! Browsing: the first loads, moving, drilling in and back, reloads, and answers that come late or fail.

use super::*;

#[test]
fn start_loads_keys_then_every_grant_count() {
    let mut app = App::new(AppOptions::new(info(), NOW));
    let commands = app.start();
    assert!(matches!(commands[0], Command::Read(Read::Caller { .. })));
    assert!(matches!(commands[1], Command::Read(Read::Keys { .. })));
    assert!(matches!(
        commands[2],
        Command::Read(Read::Principals { .. })
    ));
    let answer = data_for(&commands[1]).unwrap();
    let follow_up = app.update(answer);
    let keys: Vec<&str> = follow_up
        .iter()
        .filter_map(|c| match c {
            Command::Read(Read::Grants { key_id, .. }) => Some(key_id.as_str()),
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
    let mut app = App::new(AppOptions::new(info(), NOW));
    let commands = app.start();
    let keys = app.update(data_for(&keys_load(&commands)).unwrap());
    // Every grant list fails.
    for command in keys {
        if let Command::Read(Read::Grants { req, key_id, .. }) = command {
            app.update(Action::Loaded(Loaded::Grants {
                req,
                key_id,
                result: Err(SourceError::AccessDenied {
                    action: "kms:ListGrants".into(),
                    resource: "k".into(),
                }),
            }));
        }
    }
    assert_eq!(app.data.grant_count_text("k2"), "error");
    let commands = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::Read(Read::Grants { key_id, .. })] if key_id == "k2"),
        "{commands:?}"
    );
}

#[test]
fn stale_results_are_dropped() {
    let mut app = App::new(AppOptions::new(info(), NOW));
    let first = app.start();
    let Command::Read(Read::Keys { req: old }) = keys_load(&first) else {
        panic!("keys load first")
    };
    // A reload supersedes the first request.
    let reload = app.update(Action::Intent(Intent::Reload));
    let Command::Read(Read::Keys { req: new }) = reload[0] else {
        panic!("ctrl-r reloads keys")
    };
    assert_ne!(old, new);
    app.update(Action::Loaded(Loaded::Keys {
        req: old,
        result: Ok(vec![key("stale", None, KeyState::Enabled)]),
    }));
    assert!(
        app.data.keys.loaded().is_none(),
        "the old answer is dropped"
    );
    app.update(Action::Loaded(Loaded::Keys {
        req: new,
        result: Ok(vec![key("fresh", None, KeyState::Enabled)]),
    }));
    assert_eq!(app.data.keys.loaded().map(Vec::len), Some(1));
    assert_eq!(row_ids(&app), ["fresh"]);
}

#[test]
fn a_failed_key_list_is_shown_not_hidden() {
    let mut app = App::new(AppOptions::new(info(), NOW));
    let commands = app.start();
    let Command::Read(Read::Keys { req }) = keys_load(&commands) else {
        panic!()
    };
    app.update(Action::Loaded(Loaded::Keys {
        req,
        result: Err(SourceError::AccessDenied {
            action: "kms:ListKeys".into(),
            resource: "*".into(),
        }),
    }));
    assert!(matches!(app.data.keys, Load::Failed(_)));
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "could not list keys: access denied: kms:ListKeys on *"
    );
    // ctrl-r tries again.
    let commands = app.update(Action::Input(Input::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    ))));
    assert!(matches!(&commands[..], [Command::Read(Read::Keys { .. })]));
}

#[test]
fn informational_messages_clear_when_the_operator_moves_on() {
    let mut app = loaded(false);
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .starts_with("3 keys")
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen.status, None);
    // Errors stay until the next message.
    app.update(Action::Intent(Intent::RunCommand("nonsense".into())));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen.status.as_ref().unwrap().level, Level::Error);
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
    let mut app = App::new(AppOptions::new(info(), NOW));
    let start = app.start();
    let background = app.update(data_for(&keys_load(&start)).unwrap());
    let queued = background
        .iter()
        .find(|c| matches!(c, Command::Read(Read::Grants { key_id, .. }) if key_id == "k2"))
        .cloned()
        .unwrap();
    assert!(matches!(
        queued,
        Command::Read(Read::Grants { urgent: false, .. })
    ));
    // The cursor is on "orders" (k2): open it before its background load answered.
    let opened = press(&mut app, KeyCode::Enter);
    let [
        Command::Read(Read::Grants {
            urgent: true,
            key_id,
            ..
        }),
    ] = &opened[..]
    else {
        panic!("{opened:?}")
    };
    assert_eq!(key_id, "k2");
    // The queued answer arrives first, with an outdated list: it is dropped.
    let Command::Read(Read::Grants { req, .. }) = queued else {
        panic!()
    };
    app.update(Action::Loaded(Loaded::Grants {
        req,
        key_id: "k2".into(),
        result: Ok(vec![]),
    }));
    assert_eq!(app.data.grant_count_text("k2"), "…");
    feed(&mut app, opened);
    assert_eq!(row_ids(&app), ["k2/g-orders"]);
}

#[test]
fn a_failed_reload_keeps_the_list_from_before() {
    let mut app = loaded(false);
    let reload = app.update(Action::Intent(Intent::Reload));
    let [Command::Read(Read::Keys { req })] = reload[..] else {
        panic!("{reload:?}")
    };
    assert_eq!(row_ids(&app).len(), 3, "the list stays while it reloads");
    app.update(Action::Loaded(Loaded::Keys {
        req,
        result: Err(SourceError::Network {
            action: "kms:ListKeys".into(),
            detail: "connection refused".into(),
        }),
    }));
    assert_eq!(row_ids(&app), ["k2", "k1", "k3"]);
    assert_eq!(app.data.grant_count_text("k1"), "3");
    let status = app.screen.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    assert_eq!(
        status.text,
        "could not list keys: kms:ListKeys could not reach the endpoint: connection refused (still showing the list from before)"
    );
    // The same for a key's grants.
    press(&mut app, KeyCode::Enter);
    let reload = app.update(Action::Intent(Intent::Reload));
    let Command::Read(Read::Grants { req, key_id, .. }) = &reload[0] else {
        panic!()
    };
    app.update(Action::Loaded(Loaded::Grants {
        req: *req,
        key_id: key_id.clone(),
        result: Err(SourceError::Timeout {
            action: "kms:ListGrants".into(),
        }),
    }));
    assert_eq!(row_ids(&app), ["k2/g-orders"]);
    assert!(
        app.screen
            .status
            .unwrap()
            .text
            .ends_with("(still showing the list from before)")
    );
}

#[test]
fn a_burst_of_answers_recomputes_the_rows_once_settled() {
    let mut app = App::new(AppOptions::new(info(), NOW));
    let commands = app.start();
    let Command::Read(Read::Keys { req }) = keys_load(&commands) else {
        unreachable!()
    };
    app.apply(Action::Loaded(Loaded::Keys {
        req,
        result: Ok(vec![key("k1", Some("payments"), KeyState::Enabled)]),
    }));
    // Applied, not yet settled: the view is marked, its rows are still the old ones.
    assert!(list(&app).dirty);
    assert!(list(&app).rows.is_empty());
    app.settle();
    assert!(!list(&app).dirty);
    assert_eq!(list(&app).rows, vec![0]);
}
