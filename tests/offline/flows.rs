//! Whole-app flows over the demo snapshot: key presses in, source calls out, screens checked.

use crate::common;

use common::Harness;
use crossterm::event::KeyCode;
use kms_grants::app::{Command, Effect, Modal, Read, View, Write};
use kms_grants::domain::findings::FindingKind;
use kms_grants::source::{KmsSource, WriteKind};

fn grants_on(h: &Harness, key_id: &str) -> usize {
    h.source()
        .current()
        .keys
        .iter()
        .find(|k| k.key.id() == key_id)
        .map(|k| k.grants.len())
        .unwrap()
}

fn key_id_of_current_list(h: &Harness) -> String {
    match &h.app.current_list().unwrap().kind {
        kms_grants::app::list::ListKind::Grants { key_id } => key_id.clone(),
        other => panic!("not a grants list: {other:?}"),
    }
}

#[test]
fn demo_loads_every_key_and_grant_count() {
    let h = Harness::demo();
    let keys = h.app.data.keys.loaded().unwrap();
    assert_eq!(keys.len(), h.source().current().keys.len());
    for key in keys {
        assert_eq!(
            h.app.data.grant_count_text(key.id()),
            grants_on(&h, key.id()).to_string()
        );
    }
    // Grant counts are loaded one request per key.
    let grant_loads = h
        .commands
        .iter()
        .filter(|c| matches!(c, Command::Read(Read::Grants { .. })))
        .count();
    assert_eq!(grant_loads, keys.len());
}

#[test]
fn revoke_a_grant_through_the_keyboard() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let before = grants_on(&h, &key_id);
    let screen = h.screen(120, 40);
    assert!(
        screen.contains(&format!("{before} of {before}")),
        "{screen}"
    );

    // Open the detail of the grant to revoke, then revoke it from there.
    h.select_row_containing("fraud-scoring");
    h.press(KeyCode::Enter);
    let View::Detail(detail) = h.app.current_view() else {
        panic!("Enter opens the detail");
    };
    let grant_id = detail.target.grant.grant_id.clone();
    h.press(KeyCode::Char('X'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Revoke 1 grant?"), "{screen}");
    assert!(
        screen.contains(&*grant_id),
        "the dialog shows the full grant id"
    );
    assert!(screen.contains("alias/payments"), "and the key alias");
    assert!(screen.contains(&format!("key/{key_id}")), "and the key ARN");
    h.press(KeyCode::Char('y'));

    // The source no longer has it, the detail closed, the list and the count are updated.
    assert_eq!(grants_on(&h, &key_id), before - 1);
    assert!(
        !h.source()
            .current()
            .keys
            .iter()
            .flat_map(|k| &k.grants)
            .any(|g| g.grant_id == grant_id)
    );
    assert!(matches!(h.app.current_view(), View::List(_)));
    // Until a reload no longer lists it, the grant shows as revoked and pending.
    let screen = h.screen(120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("fraud-scoring") && l.starts_with('│'))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("revoked · pending"), "{row}");
    assert!(screen.contains("revoked grant"), "{screen}");
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::Reload,
    ));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains(&format!("{} of {}", before - 1, before - 1)),
        "{screen}"
    );
    let table: Vec<&str> = screen.lines().take(38).collect();
    assert!(
        !table.iter().any(|l| l.contains("fraud-scoring")),
        "{screen}"
    );
    assert_eq!(h.app.writes.in_flight, 0);
    h.press(KeyCode::Esc);
    let screen = h.screen(120, 40);
    let payments_row = screen.lines().find(|l| l.contains("payments, ")).unwrap();
    assert!(
        payments_row.contains(&format!(" {} ", before - 1)),
        "{payments_row}"
    );
}

#[test]
fn retire_from_the_retirable_tab() {
    let mut h = Harness::demo();
    h.press(KeyCode::Tab);
    h.select_row_containing("ci-deployer");
    h.press(KeyCode::Enter);
    let principal = "arn:aws:iam::111122223333:role/ci-deployer";
    let before = h
        .runtime
        .block_on(h.source().list_retirable_grants(principal))
        .unwrap()
        .len();
    h.press(KeyCode::Char('x'));
    let Modal::Confirm(change) = &h.app.screen.modal else {
        panic!("x opens the confirmation")
    };
    assert_eq!(change.kind, WriteKind::Retire);
    h.press(KeyCode::Char('y'));
    let after = h
        .runtime
        .block_on(h.source().list_retirable_grants(principal))
        .unwrap()
        .len();
    assert_eq!(after, before - 1);
    assert!(h.status().starts_with("retired grant"), "{}", h.status());
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::Reload,
    ));
    let list = h.app.current_list().unwrap();
    assert_eq!(list.rows.len(), before - 1);
}

#[test]
fn read_only_session_never_reaches_the_source() {
    let mut h = Harness::with(common::demo_snapshot(), true, false);
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let before = grants_on(&h, &key_id);
    for key in ['x', 'X'] {
        h.press(KeyCode::Char(key));
        let screen = h.screen(120, 40);
        assert!(screen.contains("READ-ONLY"), "{screen}");
        assert!(screen.contains("this session is read-only"), "{screen}");
        // A `y` that would have confirmed only copies the id: no dialog was open.
        h.press(KeyCode::Char('y'));
        assert_eq!(h.app.screen.modal, Modal::None);
    }
    assert_eq!(grants_on(&h, &key_id), before);
    assert!(
        !h.commands
            .iter()
            .any(|c| matches!(c, Command::Write(Write::Delete { .. })))
    );
    // Restore is refused by the source itself as well.
    let grant = h.source().current().keys[0].grants.first().cloned();
    if let Some(grant) = grant {
        let result = h.runtime.block_on(h.source().create_grant(&grant));
        assert_eq!(result, Err(kms_grants::source::SourceError::ReadOnlyCreate));
    }
}

#[test]
fn dry_run_changes_nothing_and_says_it_would_succeed() {
    let mut h = Harness::with(common::demo_snapshot(), false, true);
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let before = grants_on(&h, &key_id);
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    assert!(
        h.commands
            .iter()
            .any(|c| matches!(c, Command::Write(Write::Delete { dry_run: true, .. })))
    );
    assert_eq!(grants_on(&h, &key_id), before);
    assert!(
        h.status().starts_with("dry run: kms:RevokeGrant of grant"),
        "{}",
        h.status()
    );
    assert!(
        h.status().ends_with("would succeed; nothing was changed"),
        "{}",
        h.status()
    );
    assert_eq!(h.app.current_list().unwrap().rows.len(), before);
    // :dry-run off turns real writes back on.
    h.press(KeyCode::Char(':'));
    h.type_text("dry-run off");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    assert_eq!(grants_on(&h, &key_id), before - 1);
}

#[test]
fn reload_after_a_revoke_shows_the_source_state() {
    let mut h = Harness::demo();
    h.select_row_containing("orders, ");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let before = grants_on(&h, &key_id);
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    h.act(kms_grants::app::Action::Input(kms_grants::app::Input::Key(
        crossterm::event::KeyEvent::new(
            KeyCode::Char('r'),
            crossterm::event::KeyModifiers::CONTROL,
        ),
    )));
    assert_eq!(h.app.current_list().unwrap().rows.len(), before - 1);
}

#[test]
fn filter_then_sort_then_open_keeps_the_right_key() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('/'));
    h.type_text("aws/");
    h.press(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert!(screen.contains("5 of 32"), "{screen}");
    assert!(screen.contains("filter \"aws/\""), "{screen}");
    // Sort by grant count, biggest first.
    for _ in 0..5 {
        h.press(KeyCode::Char('s'));
    }
    h.press(KeyCode::Char('S'));
    h.press(KeyCode::Char('g'));
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let most = h
        .source()
        .current()
        .keys
        .iter()
        .filter(|k| {
            k.key
                .aliases
                .iter()
                .any(|a| a.alias_name.starts_with("alias/aws/"))
        })
        .map(|k| k.grants.len())
        .max()
        .unwrap();
    assert_eq!(grants_on(&h, &key_id), most);
}

#[test]
fn revoking_a_grant_on_another_accounts_key_is_refused() {
    let mut h = Harness::demo();
    h.press(KeyCode::Tab);
    h.select_row_containing("adminRole");
    h.press(KeyCode::Enter);
    h.select_row_containing("(444455556666)");
    h.press(KeyCode::Char('X'));
    let Modal::Confirm(change) = &h.app.screen.modal else {
        panic!("X opens the confirmation")
    };
    let grant_id = change.targets[0].grant.grant_id.clone();
    assert!(change.targets[0].key_arn.contains(":444455556666:key/"));
    h.press(KeyCode::Char('y'));
    assert!(
        h.status().starts_with("could not revoke grant")
            && h.status().contains("access denied: kms:RevokeGrant"),
        "{}",
        h.status()
    );
    let screen = h.screen(120, 40);
    let listed = screen.lines().take(38).any(|l| l.contains(&grant_id[..8]));
    assert!(listed, "the grant is still listed:\n{screen}");
}

#[test]
fn findings_narrow_the_grants_and_explain_themselves() {
    let mut h = Harness::demo();
    h.select_row_containing("orders, orders-v2");
    h.press(KeyCode::Enter);
    let all = h.app.current_list().unwrap().rows.len();
    // `f` cycles: old, then duplicate.
    h.press(KeyCode::Char('f'));
    assert_eq!(
        h.app.current_list().unwrap().finding,
        Some(FindingKind::Old)
    );
    h.press(KeyCode::Char('f'));
    assert_eq!(
        h.app.current_list().unwrap().finding,
        Some(FindingKind::Duplicate)
    );
    let duplicates = h.app.current_list().unwrap().rows.len();
    assert_eq!(
        duplicates, 9,
        "ten identical retries: one original, nine duplicates"
    );
    let screen = h.screen(120, 40);
    assert!(
        screen.contains(&format!("{duplicates} of {all}")),
        "{screen}"
    );
    assert!(screen.contains("· finding duplicate"), "{screen}");
    // The detail says which grant it duplicates.
    h.press(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("duplicate: duplicates the older grant"),
        "{screen}"
    );
    h.press(KeyCode::Esc);
    // Esc clears the finding, then leaves.
    h.press(KeyCode::Esc);
    assert_eq!(h.app.current_list().unwrap().finding, None);
    assert_eq!(h.app.current_list().unwrap().rows.len(), all);
    // The filter matches the findings column too.
    h.press(KeyCode::Char('/'));
    h.type_text("dup");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.current_list().unwrap().rows.len(), duplicates);
}

#[test]
fn the_keys_view_counts_and_sorts_by_findings() {
    let mut h = Harness::demo();
    for _ in 0..8 {
        h.press(KeyCode::Char('s'));
    }
    h.press(KeyCode::Char('S'));
    let screen = h.screen(160, 40);
    assert!(screen.contains("Findings ↓"), "{screen}");
    // The first row has the most grants with findings.
    let list = h.app.current_list().unwrap();
    let counts: Vec<usize> = list
        .rows
        .iter()
        .map(|&i| {
            let key = &h.app.data.keys.loaded().unwrap()[i];
            h.app.data.grants_with_findings(key.id()).unwrap()
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(counts[0] > 0);
}

#[test]
fn filter_to_duplicates_mark_them_and_revoke_them_with_one_typed_confirmation() {
    let mut h = Harness::demo();
    h.select_row_containing("orders, orders-v2");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let before = grants_on(&h, &key_id);
    h.press(KeyCode::Char('/'));
    h.type_text("duplicate");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('a'));
    assert_eq!(h.app.writes.marks.len(), 9);
    // Marks survive clearing the filter and re-sorting; the footer counts them.
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('s'));
    assert_eq!(h.app.writes.marks.len(), 9);
    let screen = h.screen(120, 40);
    assert!(screen.contains("9 marked"), "{screen}");
    assert_eq!(
        screen.matches('●').count(),
        10,
        "nine row marks and the footer's: {screen}"
    );
    // X opens the bulk dialog: it lists them and wants the number typed.
    h.press(KeyCode::Char('X'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Revoke 9 grants?"), "{screen}");
    assert!(
        screen.contains("Type 9 and press Enter to revoke"),
        "{screen}"
    );
    h.press(KeyCode::Char('y'));
    h.press(KeyCode::Char('X'));
    assert!(
        matches!(h.app.screen.modal, Modal::Confirm(_)),
        "y and X do not confirm a bulk change"
    );
    assert_eq!(grants_on(&h, &key_id), before);
    h.type_text("8");
    h.press(KeyCode::Enter);
    assert!(
        matches!(h.app.screen.modal, Modal::Confirm(_)),
        "a wrong number does not confirm"
    );
    assert_eq!(grants_on(&h, &key_id), before);
    h.type_text("9");
    h.press(KeyCode::Enter);
    // Every grant went, and the outcome list says so, one line each.
    assert_eq!(grants_on(&h, &key_id), before - 9);
    assert!(matches!(h.app.screen.modal, Modal::Outcomes { .. }));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Revoke: 9/9 answered"), "{screen}");
    assert_eq!(screen.matches("✓ revoked grant").count(), 9, "{screen}");
    assert!(h.app.writes.marks.is_empty(), "deleted grants are unmarked");
    assert_eq!(h.status(), "revoke of 9 grants finished: no errors");
}

#[test]
fn failed_grants_of_a_bulk_run_stay_marked() {
    let mut h = Harness::demo();
    h.press(KeyCode::Tab);
    h.select_row_containing("adminRole");
    h.press(KeyCode::Enter);
    // One grant on another account's key (revoke refused) and one on our own.
    h.select_row_containing("(444455556666)");
    h.press(KeyCode::Char(' '));
    h.select_row_containing("terraform");
    h.press(KeyCode::Char(' '));
    assert_eq!(h.app.writes.marks.len(), 2);
    h.press(KeyCode::Char('X'));
    h.type_text("2");
    h.press(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert!(screen.contains("✗ could not revoke"), "{screen}");
    assert!(screen.contains("✓ revoked grant"), "{screen}");
    assert_eq!(h.app.writes.marks.len(), 1, "the failed one stays marked");
    assert!(
        h.status().contains("1 failed and stay marked"),
        "{}",
        h.status()
    );
    // Any key closes the outcome list.
    h.press(KeyCode::Char('q'));
    assert_eq!(h.app.screen.modal, Modal::None);
}

#[test]
fn every_write_is_in_the_audit_log_before_and_after_with_the_whole_grant() {
    use kms_grants::audit::Phase;
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.select_row_containing("fraud-scoring");
    h.press(KeyCode::Enter);
    let View::Detail(detail) = h.app.current_view() else {
        panic!()
    };
    let grant = detail.target.grant.clone();
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    let records = h.audit();
    assert_eq!(records.len(), 2);
    let (intent, outcome) = (&records[0], &records[1]);
    assert_eq!(intent.phase, Phase::Intent);
    assert_eq!(outcome.phase, Phase::Outcome);
    for record in [intent, outcome] {
        assert_eq!(record.action, kms_grants::audit::AuditAction::RevokeGrant);
        assert_eq!(
            record.grant.as_ref(),
            Some(&grant),
            "the whole grant, as listed"
        );
        assert_eq!(record.source, "demo");
        assert_eq!(record.account.as_deref(), Some("111122223333"));
        assert_eq!(record.region.as_deref(), Some("us-east-2"));
        assert!(!record.dry_run);
        assert!(record.key.ends_with(&format!(
            "key/{}",
            kms_grants::domain::key_id_of(&grant.key_id)
        )));
    }
    assert_eq!(outcome.outcome, Some(kms_grants::audit::Outcome::Done));
    assert_eq!(intent.op, outcome.op, "one operation id pairs them");
    assert!(outcome.is_deletion());
    // A dry run and a failure are recorded as such.
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::RunCommand("dry-run on".into()),
    ));
    h.press(KeyCode::Char('g')); // a grant that is not the one just revoked
    h.press(KeyCode::Char('x'));
    h.press(KeyCode::Char('y'));
    let records = h.audit();
    assert_eq!(records.len(), 4);
    assert!(records[3].dry_run);
    assert_eq!(
        records[3].outcome,
        Some(kms_grants::audit::Outcome::DryRunWouldSucceed)
    );
    assert!(!records[3].is_deletion());
}

#[test]
fn an_unwritable_audit_log_blocks_writes() {
    let mut h = Harness::demo();
    h.executor.audit = kms_grants::writer::Audit::Unavailable(kms_grants::audit::AuditError {
        path: "/readonly/audit.jsonl".into(),
        reason: "permission denied".into(),
    });
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    let before = grants_on(&h, &key_id);
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    assert_eq!(grants_on(&h, &key_id), before, "nothing was sent");
    assert!(
        h.status().ends_with(
            "the audit log /readonly/audit.jsonl cannot be written (permission denied), so kms:RevokeGrant was not sent"
        ),
        "{}",
        h.status()
    );
    // The app also refuses up front once it knows.
    h.app.session.audit_log = Some(Err(
        "the audit log /readonly/audit.jsonl cannot be written (permission denied)".into(),
    ));
    h.press(KeyCode::Char('X'));
    assert_eq!(h.app.screen.modal, Modal::None);
}

#[test]
fn export_writes_the_filtered_sorted_view_with_full_values() {
    let mut h = Harness::demo();
    h.select_row_containing("orders, orders-v2");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('/'));
    h.type_text("duplicate");
    h.press(KeyCode::Enter);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("dups.csv");
    let json = dir.path().join("dups.json");
    for path in [&csv, &json] {
        h.act(kms_grants::app::Action::Intent(
            kms_grants::app::Intent::RunCommand(format!("export {}", path.display())),
        ));
        assert!(
            h.status().starts_with("exported 9 rows to"),
            "{}",
            h.status()
        );
    }
    // An existing file is only replaced with `:export!`.
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::RunCommand(format!("export {}", csv.display())),
    ));
    assert!(
        h.status().ends_with(&format!(
            "it exists; :export! {} replaces it",
            csv.display()
        )),
        "{}",
        h.status()
    );
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::RunCommand(format!("export! {}", csv.display())),
    ));
    assert!(
        h.status().starts_with("exported 9 rows to"),
        "{}",
        h.status()
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "a header and nine rows");
    assert!(lines[0].starts_with("KeyId,KeyAliases,GrantId,Name,CreationDate,GranteePrincipal"));
    assert!(
        lines[1].contains("alias/orders alias/orders-v2"),
        "{}",
        lines[1]
    );
    // Full grant ids, not the shortened cells.
    let shown = h.app.current_list().unwrap();
    let first = kms_grants::app::list::grant_at(&h.app.data, &shown.kind, shown.rows[0]).unwrap();
    assert!(lines[1].contains(&*first.grant_id), "{}", lines[1]);
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = parsed.as_array().unwrap();
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0]["GrantId"], first.grant_id.as_str());
    assert!(rows.iter().all(|r| {
        r["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "duplicate")
    }));
    // A bad extension or an unwritable place is a sentence.
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::RunCommand("export /tmp/x.txt".into()),
    ));
    assert!(
        h.status().contains("writes .csv or .json files"),
        "{}",
        h.status()
    );
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::RunCommand("export /nonexistent/dir/x.csv".into()),
    ));
    assert_eq!(
        h.status(),
        "cannot write /nonexistent/dir/x.csv: no such file"
    );
}

#[test]
fn y_copies_the_full_id_under_the_cursor() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('y'));
    let key_arn = h
        .app
        .data
        .keys
        .loaded()
        .unwrap()
        .iter()
        .map(|k| k.metadata.arn.clone())
        .collect::<Vec<_>>();
    let Some(Command::Effect(Effect::Copy { text })) = h.commands.last().cloned() else {
        panic!("{:?}", h.commands.last())
    };
    assert!(key_arn.contains(&text), "{text}");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('y'));
    let Some(Command::Effect(Effect::Copy { text })) = h.commands.last().cloned() else {
        panic!()
    };
    assert_eq!(text.len(), 64, "a whole grant id: {text}");
}

#[test]
fn the_detail_says_who_can_remove_the_grant_and_the_cli_equivalents() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    h.select_row_containing("payments-api");
    h.press(KeyCode::Enter);
    let screen = h.screen(160, 80);
    assert!(
        screen.contains(
            "retire (x): the retiring principal, arn:aws:iam::111122223333:role/adminRole"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("not the grantee: the grant does not allow RetireGrant"),
        "{screen}"
    );
    assert!(
        screen.contains("revoke (X): any principal with kms:RevokeGrant on the key"),
        "{screen}"
    );
    // One argument a line with backslashes, and the region, so a paste goes where this does.
    assert!(screen.contains("aws kms revoke-grant \\"), "{screen}");
    assert!(screen.contains("--region us-east-2 \\"), "{screen}");
    assert!(
        screen.contains("--key-id arn:aws:kms:us-east-2:111122223333:key/"),
        "{screen}"
    );
    assert!(screen.contains("aws kms create-grant \\"), "{screen}");
    assert!(
        screen.contains("--constraints '{\"EncryptionContextSubset\":"),
        "{screen}"
    );
}

#[test]
fn the_history_view_restores_a_revoked_grant() {
    let mut h = Harness::demo();
    h.select_row_containing("payments, ");
    h.press(KeyCode::Enter);
    let key_id = key_id_of_current_list(&h);
    h.select_row_containing("fraud-scoring");
    h.press(KeyCode::Enter);
    let View::Detail(detail) = h.app.current_view() else {
        panic!()
    };
    let original = detail.target.grant.clone();
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    let before = grants_on(&h, &key_id);
    h.press(KeyCode::Char('H'));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("revoked grant 92963b2c… (fraud-scoring) on alias/payments"),
        "{screen}"
    );
    // In a dry-run session a restore is not sent at all.
    h.app.session.dry_run = true;
    h.press(KeyCode::Char('r'));
    assert!(
        h.status()
            .starts_with("dry run is on: a restore would create a grant for real"),
        "{}",
        h.status()
    );
    h.app.session.dry_run = false;
    // r asks first; anything but y cancels.
    h.press(KeyCode::Char('r'));
    assert!(h.screen(120, 40).contains("Recreate grant 92963b2c…"));
    h.press(KeyCode::Char('n'));
    assert_eq!(grants_on(&h, &key_id), before);
    assert!(
        matches!(h.app.screen.modal, Modal::History { .. }),
        "the history stays open"
    );
    h.press(KeyCode::Char('r'));
    h.press(KeyCode::Char('y'));
    assert_eq!(grants_on(&h, &key_id), before + 1);
    let restored = h
        .source()
        .current()
        .keys
        .iter()
        .flat_map(|k| k.grants.clone())
        .find(|g| g.name.as_deref() == Some("fraud-scoring"))
        .expect("a grant named fraud-scoring again");
    assert_ne!(restored.grant_id, original.grant_id);
    assert_eq!(restored.grantee_principal, original.grantee_principal);
    assert_eq!(restored.retiring_principal, original.retiring_principal);
    assert_eq!(restored.operations, original.operations);
    assert_eq!(restored.constraints, original.constraints);
    assert!(
        h.status()
            .starts_with("restored grant 92963b2c… (fraud-scoring) on alias/payments as new grant"),
        "{}",
        h.status()
    );
    let records = h.audit();
    assert_eq!(
        records
            .iter()
            .filter(|r| r.action == kms_grants::audit::AuditAction::CreateGrant)
            .count(),
        2
    );
    assert_eq!(
        records.last().unwrap().new_grant_id.as_deref(),
        Some(restored.grant_id.as_str())
    );
    // The history (still open) says so, and a second restore is refused.
    assert!(matches!(h.app.screen.modal, Modal::History { .. }));
    assert!(h.screen(120, 40).contains("restored as"));
    h.press(KeyCode::Char('r'));
    assert_eq!(h.status(), "that grant was already restored");
}
