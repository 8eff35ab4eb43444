//! Retire and revoke of one grant: the confirmation, what is sent, and every kind of answer (failed, already gone, dry run, lost, no audit log).

use super::*;

#[test]
fn retire_asks_first_and_cancel_changes_nothing() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let commands = press(&mut app, KeyCode::Char('x'));
    assert!(commands.is_empty(), "nothing is sent before the answer");
    let Modal::Confirm(change) = &app.screen.modal else {
        panic!("x opens the confirmation")
    };
    assert_eq!(change.kind, WriteKind::Retire);
    assert_eq!(change.targets.len(), 1);
    assert_eq!(change.targets[0].grant.grant_id, "g-old");
    assert!(!change.yes_focused, "No has the focus");
    // The key that opened the dialog does not answer it; Enter presses No.
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert!(matches!(app.screen.modal, Modal::Confirm(_)));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.screen.modal, Modal::None);
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("nothing was changed")
    );
    // n and Esc cancel too.
    for cancel in [KeyCode::Char('n'), KeyCode::Esc] {
        press(&mut app, KeyCode::Char('X'));
        assert!(press(&mut app, cancel).is_empty());
        assert_eq!(app.screen.modal, Modal::None);
    }
}

#[test]
fn confirm_sends_exactly_the_grant_shown() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    // Data changes under the open dialog: the payload does not.
    app.update(Action::Intent(Intent::MoveDown));
    let commands = press(&mut app, KeyCode::Char('y'));
    let [
        Command::Write(Write::Delete {
            kind,
            target,
            dry_run,
        }),
    ] = &commands[..]
    else {
        panic!("one write: {commands:?}")
    };
    assert_eq!(*kind, WriteKind::Revoke);
    assert_eq!(target.grant.grant_id, "g-old");
    assert!(!dry_run);
    assert_eq!(app.writes.in_flight, 1);
    // The outcome removes the grant and says so.
    let target = target.clone();
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    }));
    assert_eq!(app.writes.in_flight, 0);
    assert_eq!(app.screen.status.as_ref().unwrap().level, Level::Success);
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "revoked grant g-old on alias/payments"
    );
    // KMS is eventually consistent: the grant stays listed, marked pending.
    assert_eq!(row_ids(&app), ["k1/g-old", "k1/g-mid", "k1/g-new"]);
    let name_cell = |app: &App| {
        let ctx = list::CellContext {
            data: &app.data,
            now: app.now,
            stale_after_days: app.session.stale_after_days,
        };
        list::cell_text(ctx, &list(app).kind, list(app).rows[0], 0)
    };
    assert_eq!(name_cell(&app), "revoked · pending");
    // A reload within five minutes that still lists it keeps it pending…
    app.update(Action::Input(Input::Tick(Timestamp::from_secs(
        NOW.millis() / 1000 + 60,
    ))));
    let reload = app.update(Action::Intent(Intent::Reload));
    feed(&mut app, reload);
    assert_eq!(name_cell(&app), "revoked · pending");
    // …after five minutes a grant KMS still lists is shown live again.
    app.update(Action::Input(Input::Tick(Timestamp::from_secs(
        NOW.millis() / 1000 + 301,
    ))));
    let reload = app.update(Action::Intent(Intent::Reload));
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
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Ok(WriteOutcome::Done),
    }));
    assert_eq!(app.data.pending.len(), 1);
    let reload = app.update(Action::Intent(Intent::Reload));
    let Command::Read(Read::Grants { req, key_id, .. }) = &reload[0] else {
        panic!("{reload:?}")
    };
    app.update(Action::Loaded(Loaded::Grants {
        req: *req,
        key_id: key_id.clone(),
        result: Ok(vec![grant("k1", "g-new", "lambda", "payments-api", 3)]),
    }));
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
    assert!(matches!(
        &commands[..],
        [Command::Write(Write::Delete { .. })]
    ));
}

#[test]
fn failed_write_keeps_the_grant_and_says_why() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'x');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Err(SourceError::AccessDenied {
            action: "kms:RetireGrant".into(),
            resource: "arn:aws:kms:us-east-2:111122223333:key/k1".into(),
        }),
    }));
    assert_eq!(row_ids(&app).len(), 3);
    let status = app.screen.status.clone().unwrap();
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
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Retire,
        target: target.clone(),
        result: Err(SourceError::GrantNotFound {
            key_id: "k1".into(),
            grant_id: "g-old".into(),
        }),
    }));
    assert!(
        matches!(app.current_view(), View::List(_)),
        "the detail of a deleted grant closes"
    );
    assert_eq!(row_ids(&app), ["k1/g-mid", "k1/g-new"]);
    assert_eq!(app.screen.status.as_ref().unwrap().level, Level::Warning);
}

#[test]
fn read_only_opens_no_dialog() {
    let mut app = loaded(true);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    for key in ['x', 'X'] {
        let commands = press(&mut app, KeyCode::Char(key));
        assert!(commands.is_empty());
        assert_eq!(app.screen.modal, Modal::None);
        let status = app.screen.status.clone().unwrap();
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
    app.screen.modal = Modal::Confirm(PendingChange {
        yes_focused: true,
        ..PendingChange::new(WriteKind::Revoke, vec![], None, false)
    });
    assert!(app.update(Action::Intent(Intent::ConfirmChange)).is_empty());
}

#[test]
fn retire_and_revoke_do_nothing_on_the_keys_list() {
    let mut app = loaded(false);
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(app.screen.modal, Modal::None);
}

#[test]
fn dry_run_is_carried_into_the_write_and_reported() {
    let mut app = loaded(false);
    app.update(Action::Intent(Intent::RunCommand("dry-run on".into())));
    assert!(app.session.dry_run);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    let commands = press(&mut app, KeyCode::Char('y'));
    let [
        Command::Write(Write::Delete {
            dry_run: true,
            target,
            ..
        }),
    ] = &commands[..]
    else {
        panic!("{commands:?}")
    };
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target: target.clone(),
        result: Ok(WriteOutcome::DryRunWouldSucceed),
    }));
    assert_eq!(row_ids(&app).len(), 3, "a dry run removes nothing");
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .starts_with("dry run: kms:RevokeGrant of grant g-old")
    );
    app.update(Action::Intent(Intent::RunCommand("dry-run maybe".into())));
    assert!(app.session.dry_run);
    assert_eq!(app.screen.status.as_ref().unwrap().level, Level::Error);
}

#[test]
fn retire_by_token_asks_first_masks_the_token_and_sends_it() {
    let mut app = loaded(false);
    let token = "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM0ZmZiYzEzNjJiNjI";
    app.update(Action::Intent(Intent::RunCommand(format!(
        "retire-token {token}"
    ))));
    let Modal::Confirm(change) = &app.screen.modal else {
        panic!("the token retire asks first")
    };
    assert_eq!(change.token.as_deref(), Some(token));
    assert!(change.targets.is_empty());
    let commands = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        commands,
        vec![Command::Write(Write::RetireToken {
            token: token.to_owned(),
            dry_run: false
        })]
    );
    app.update(Action::Wrote(Wrote::TokenRetired {
        result: Ok(WriteOutcome::Done),
    }));
    let status = app.screen.status.clone().unwrap();
    assert_eq!(status.level, Level::Success);
    assert!(
        !status.text.contains(token),
        "the token never reaches the status line"
    );
    // Read-only refuses it without a dialog.
    let mut app = loaded(true);
    app.update(Action::Intent(Intent::RunCommand(format!(
        "retire-token {token}"
    ))));
    assert_eq!(app.screen.modal, Modal::None);
    assert_eq!(app.screen.status.unwrap().level, Level::Warning);
}

#[test]
fn a_dry_run_the_endpoint_ignored_is_reported_as_a_real_delete() {
    let mut app = loaded(false);
    app.update(Action::Intent(Intent::RunCommand("dry-run on".into())));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target: target.clone(),
        result: Ok(WriteOutcome::DoneDespiteDryRun),
    }));
    let status = app.screen.status.clone().unwrap();
    assert_eq!(status.level, Level::Warning);
    assert_eq!(
        status.text,
        "the endpoint ignored DryRun: grant g-old on alias/payments was really revoked"
    );
    assert!(app.data.pending_delete("k1", "g-old", app.now).is_some());
}

#[test]
fn a_dry_run_that_would_fail_says_so() {
    let mut app = loaded(false);
    app.update(Action::Intent(Intent::RunCommand("dry-run on".into())));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target: target.clone(),
        result: Err(SourceError::AccessDenied {
            action: "kms:RevokeGrant".into(),
            resource: "k1".into(),
        }),
    }));
    let status = app.screen.status.clone().unwrap();
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
    assert_eq!(app.screen.modal, Modal::None);
    assert!(
        app.screen
            .status
            .clone()
            .unwrap()
            .text
            .contains("nothing to do")
    );
}

#[test]
fn a_deleted_grant_stays_pending_until_a_reload_settles_it() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    }));
    // An hour later, with no reload, it is still shown as revoked, and not offered again.
    app.update(Action::Input(Input::Tick(Timestamp::from_secs(
        NOW.millis() / 1000 + 3600,
    ))));
    assert!(app.data.pending_delete("k1", "g-old", app.now).is_some());
    press(&mut app, KeyCode::Char('g'));
    assert!(press(&mut app, KeyCode::Char('X')).is_empty());
    assert_eq!(app.screen.modal, Modal::None);
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
        app.update(Action::Wrote(Wrote::Deleted {
            kind: WriteKind::Revoke,
            target: Box::new(target.clone()),
            result,
        }));
    }
    let bulk = app.writes.bulk.clone().unwrap();
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
    let marked: Vec<&str> = app.writes.marks.iter().map(|(_, g)| g.as_str()).collect();
    assert_eq!(marked.len(), 2);
    assert!(!marked.contains(&targets[0].grant.grant_id.as_ref()));
    assert!(
        app.data
            .pending_delete("k1", &targets[0].grant.grant_id, app.now)
            .is_some()
    );
    assert_eq!(app.writes.history.len(), 1);
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("2 failed and stay marked"),
        "{:?}",
        app.screen.status
    );
}

#[test]
fn a_failed_audit_write_turns_writes_off_at_once() {
    let mut app = loaded(false);
    app.session.audit_log = Some(Ok("/state/audit.jsonl".into()));
    let targets = bulk_revoke_k1(&mut app);
    assert!(!screen_text(&app).contains("NO AUDIT LOG"));
    // The first revoke went through; its outcome could not be recorded.
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target: Box::new(targets[0].clone()),
        result: Ok(WriteOutcome::Done),
    }));
    let said = &format!(
        "{} was revoked; its outcome could not be recorded: No space left on device in /state/audit.jsonl (writes are off for this session)",
        describe_grant(&targets[0])
    );
    app.update(Action::Wrote(Wrote::AuditFailed {
        grant: Some(targets[0].grant.id_pair()),
        said: said.to_owned(),
        reason: "the audit log /state/audit.jsonl cannot be written (No space left on device): writes are off for this session".to_owned(),
    }));
    assert_eq!(&app.screen.status.as_ref().unwrap().text, said);
    assert_eq!(app.screen.status.as_ref().unwrap().level, Level::Error);
    assert!(matches!(app.session.audit_log, Some(Err(_))));
    // Its row in the outcome list says so too.
    let bulk = app.writes.bulk.clone().unwrap();
    assert_eq!(
        bulk.outcomes[bulk.index[&targets[0].grant.id_pair()]].result,
        Some((Level::Error, said.to_owned()))
    );
    // The two queued after it come back refused by the runtime, unsent.
    for target in &targets[1..] {
        app.update(Action::Wrote(Wrote::Deleted {
            kind: WriteKind::Revoke,
            target: Box::new(target.clone()),
            result: Err(SourceError::Audit("writes are off for this session: the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent".into())),
        }));
    }
    assert_eq!(app.writes.marks.len(), 2, "the unsent ones stay marked");
    // The header says NO AUDIT LOG and the footer offers no x or X; pressing them is refused.
    app.screen.modal = Modal::None;
    let screen = screen_text(&app);
    assert!(screen.contains("NO AUDIT LOG"), "{screen}");
    assert!(!screen.contains("x retire"), "{screen}");
    assert!(!screen.contains("X revoke"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('X')).is_empty());
    assert_eq!(app.screen.modal, Modal::None);
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("(No space left on device): writes are off for this session"),
        "{:?}",
        app.screen.status
    );
}
