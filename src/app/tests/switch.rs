//! Switching profiles and regions: `:profile`, `:region`, the pickers, and what a switch keeps and drops.

use super::*;

#[test]
fn profile_and_region_commands_ask_for_a_switch() {
    let mut app = switchable();
    // An account entry's name stands for its profile, in the profile's own region.
    let (_, target) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile prod".into()))));
    assert_eq!(target.profile.as_deref(), Some("beta"));
    assert_eq!(target.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "switching to profile beta in eu-west-1…"
    );
    // A profile without a region keeps the current one.
    let (_, target) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile alpine".into()))));
    assert_eq!(target.region.as_deref(), Some("us-east-2"));
    // :region keeps the profile.
    let (_, target) = the_switch(&app.update(Action::Intent(Intent::RunCommand(
        "region ap-south-1".into(),
    ))));
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
            app.update(Action::Intent(Intent::RunCommand(line.into())))
                .is_empty(),
            "{line}"
        );
        assert_eq!(app.screen.status.as_ref().unwrap().text, expected);
    }
    // The demo has nowhere to go.
    let mut demo = loaded(false);
    demo.session.places = Places::fixed("the demo is one account and region");
    assert!(
        demo.update(Action::Intent(Intent::RunCommand("profile alpha".into())))
            .is_empty()
    );
    assert!(demo.update(Action::Intent(Intent::PickProfile)).is_empty());
    assert_eq!(
        demo.screen.status.as_ref().unwrap().text,
        "the demo is one account and region"
    );
    assert_eq!(demo.screen.modal, Modal::None);
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
    assert_eq!(app.writes.marks.len(), 1);
    let old_keys_req = app.data.keys_req;
    let (seq, target) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile beta".into()))));
    // Until the answer comes, the old view stays usable.
    assert!(matches!(list(&app).kind, ListKind::Grants { .. }));
    let commands = app.update(Action::Done(Done::Switched {
        seq,
        result: switched_to(&target, "222222222222", true),
    }));
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::Read(Read::Keys { .. })))
    );
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::Read(Read::Principals { .. })))
    );
    // The caller came with the switch: no second STS call.
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Command::Read(Read::Caller { .. })))
    );
    assert_eq!(app.session.target, target);
    assert!(
        app.session.read_only,
        "beta is marked read-only in the config"
    );
    assert_eq!(app.session.info.account.as_deref(), Some("222222222222"));
    assert_eq!(
        app.where_now(),
        "profile beta · account 222222222222 · eu-west-1"
    );
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "now on profile beta · account 222222222222 · eu-west-1 (read-only)"
    );
    // Back on the keys list, with its filter and sort; nothing of the old account is left.
    assert_eq!(list(&app).kind, ListKind::Keys);
    assert_eq!(list(&app).filter, "ord");
    assert_eq!((list(&app).sort_column, list(&app).sort_reverse), sort);
    assert!(app.writes.marks.is_empty());
    assert!(app.data.keys.loaded().is_none());
    // An answer the old account still sends is dropped.
    app.update(Action::Loaded(Loaded::Keys {
        req: old_keys_req,
        result: Ok(vec![key("k1", Some("payments"), KeyState::Enabled)]),
    }));
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
        app.screen.status.as_ref().unwrap().text,
        "this session is read-only (account prod is read_only in the config; --allow-writes lifts it): kms:RetireGrant is turned off"
    );
}

#[test]
fn a_failed_switch_leaves_everything_as_it_was() {
    let mut app = switchable();
    press(&mut app, KeyCode::Enter);
    let before = row_ids(&app);
    let (seq, _) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile beta".into()))));
    let commands = app.update(Action::Done(Done::Switched {
        seq,
        result: Err("the SSO session has expired; run `aws sso login --profile beta`".into()),
    }));
    assert!(commands.is_empty());
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "cannot switch to profile beta in eu-west-1: the SSO session has expired; run `aws sso login --profile beta` (still on profile alpha in us-east-2)"
    );
    assert_eq!(row_ids(&app), before);
    assert_eq!(app.session.target.profile.as_deref(), Some("alpha"));
    assert!(!app.session.read_only);
}

#[test]
fn a_later_switch_replaces_an_earlier_one_and_writes_block_switching() {
    let mut app = switchable();
    let (first, one) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile beta".into()))));
    let (second, two) = the_switch(&app.update(Action::Intent(Intent::RunCommand(
        "region ca-central-1".into(),
    ))));
    assert!(!app.wants_switch(first) && app.wants_switch(second));
    app.update(Action::Done(Done::Switched {
        seq: first,
        result: switched_to(&one, "222222222222", false),
    }));
    assert_eq!(
        app.session.target.profile.as_deref(),
        Some("alpha"),
        "the first answer came too late"
    );
    app.update(Action::Done(Done::Switched {
        seq: second,
        result: switched_to(&two, "111111111111", false),
    }));
    assert_eq!(app.session.target.region.as_deref(), Some("ca-central-1"));
    // While a write is on its way, no switch: its answer belongs to this account.
    feed(&mut app, Vec::new());
    app.writes.in_flight = 1;
    assert!(
        app.update(Action::Intent(Intent::RunCommand("profile beta".into())))
            .is_empty()
    );
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "1 write(s) are still on their way; switch once they have answered"
    );
}

#[test]
fn pickers_list_narrow_and_switch() {
    let mut app = switchable();
    assert!(app.update(Action::Intent(Intent::PickProfile)).is_empty());
    let Modal::Picker(picker) = &app.screen.modal else {
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
    assert_eq!(app.screen.modal, Modal::None);
    // The region picker offers the profile's account regions first, cursor on the current one.
    app.update(Action::Intent(Intent::PickRegion));
    let Modal::Picker(picker) = &app.screen.modal else {
        panic!("no picker");
    };
    assert_eq!(picker.items[0].value, "us-east-1");
    assert_eq!(picker.items[picker.cursor].value, "us-east-2");
    press(&mut app, KeyCode::Down);
    let commands = press(&mut app, KeyCode::Enter);
    let (_, target) = the_switch(&commands);
    assert_eq!(target.region.as_deref(), Some("us-west-1"));
    // Esc closes without switching.
    app.update(Action::Intent(Intent::PickRegion));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.screen.modal, Modal::None);
}

#[test]
fn an_old_callers_answer_is_dropped() {
    let mut app = App::new(AppOptions::new(info(), NOW));
    let commands = app.start();
    let Some(Command::Read(Read::Caller { req })) = commands.first().cloned() else {
        panic!("no caller load");
    };
    app.session.places = places();
    let (seq, target) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile beta".into()))));
    app.update(Action::Done(Done::Switched {
        seq,
        result: switched_to(&target, "222222222222", false),
    }));
    app.update(Action::Loaded(Loaded::Caller {
        req,
        result: Ok(Some(CallerIdentity {
            account: "111122223333".to_owned(),
            arn: "arn:aws:iam::111122223333:user/old".to_owned(),
        })),
    }));
    assert_eq!(app.session.caller.as_ref().unwrap().account, "222222222222");
}

#[test]
fn no_write_crosses_a_switch() {
    let mut app = switchable();
    // A grant of alpha deleted, so the history has an entry from alpha.
    retire_first_grant(&mut app);
    // A confirmation opened while a switch is on its way cannot be confirmed until it answers…
    let (seq, to) =
        the_switch(&app.update(Action::Intent(Intent::RunCommand("profile beta".into()))));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    assert!(
        matches!(app.screen.modal, Modal::Confirm(_)),
        "{:?} {:?}",
        app.screen.status,
        row_ids(&app)
    );
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "a switch to profile beta in eu-west-1 is on its way: nothing was sent (confirm again once it has answered)"
    );
    // Nor can a restore from the history start.
    press(&mut app, KeyCode::Esc);
    app.update(Action::Intent(Intent::ShowHistory));
    press(&mut app, KeyCode::Char('r'));
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "a switch to profile beta in eu-west-1 is on its way: nothing was created (restore once it has answered)"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('x'));
    assert!(matches!(app.screen.modal, Modal::Confirm(_)));
    // …and the answer closes it: its grant belongs to the account left behind.
    app.update(Action::Done(Done::Switched {
        seq,
        result: switched_to(&to, "222222222222", false),
    }));
    assert_eq!(app.screen.modal, Modal::None);
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .ends_with("; the open confirmation was closed, nothing was sent")
    );
    // A grant deleted in alpha is not restored into beta.
    app.update(Action::Intent(Intent::ShowHistory));
    assert!(press(&mut app, KeyCode::Char('r')).is_empty());
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "that grant was deleted on profile alpha in us-east-2: switch back there to restore it (or use kms-grants restore)"
    );
    assert!(matches!(
        app.screen.modal,
        Modal::History {
            confirming: false,
            ..
        }
    ));
}
