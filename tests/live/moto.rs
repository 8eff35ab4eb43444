//! End to end against a real KMS-compatible server (`moto_server`): the real SDK, seeded through
//! aws-sdk-kms itself, then listing, `record` (and `check` of its output), retire, revoke, and
//! the whole app driven by keys. Moto ignores pagination and DryRun (a dry-run revoke really
//! deletes there), so neither is tested here: see tests/live/wire.rs.

use crate::common;

use common::moto::{ACCOUNT, Moto};
use crossterm::event::KeyCode;
use kms_grants::app::list::ListKind;
use kms_grants::domain::KeyState;
use kms_grants::fixture;
use kms_grants::source::{KmsSource, LiveKms, LiveOptions, SourceError, WriteKind, WriteOutcome};
use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use std::sync::Arc;

const ADMIN: &str = "arn:aws:iam::123456789012:role/admin";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What was seeded: key id → (alias, grant ids).
struct Seeded {
    keys: Vec<(String, String, Vec<String>)>,
}

/// Creates `keys` keys, each with an alias and `grants` grants (every other one retirable by
/// ADMIN, the first with a name and an encryption context constraint); disables the last key.
async fn seed(moto: &Moto, prefix: &str, keys: usize, grants: usize) -> Seeded {
    use aws_sdk_kms::types::{GrantConstraints, GrantOperation};
    let kms = moto.kms().await;
    let mut out = Vec::new();
    for k in 0..keys {
        let key = kms
            .create_key()
            .description(format!("{prefix} key {k}"))
            .send()
            .await
            .unwrap();
        let key_id = key.key_metadata().unwrap().key_id().to_owned();
        let alias = format!("alias/{prefix}-{k}");
        kms.create_alias()
            .alias_name(&alias)
            .target_key_id(&key_id)
            .send()
            .await
            .unwrap();
        let mut ids = Vec::new();
        for g in 0..grants {
            let mut request = kms
                .create_grant()
                .key_id(&key_id)
                .grantee_principal(format!("arn:aws:iam::{ACCOUNT}:role/app-{g}"))
                .operations(GrantOperation::Decrypt)
                .operations(GrantOperation::GenerateDataKey);
            if g % 2 == 0 {
                request = request.retiring_principal(ADMIN);
            }
            if g == 0 {
                request = request.name(format!("{prefix}-first")).constraints(
                    GrantConstraints::builder()
                        .encryption_context_subset("Department", "IT")
                        .build(),
                );
            }
            ids.push(request.send().await.unwrap().grant_id().unwrap().to_owned());
        }
        out.push((key_id, alias, ids));
    }
    if let Some((last, _, _)) = out.last() {
        kms.disable_key().key_id(last).send().await.unwrap();
    }
    Seeded { keys: out }
}

#[test]
fn listing_returns_what_was_seeded() {
    let moto = Moto::start();
    let rt = runtime();
    let seeded = rt.block_on(seed(&moto, "list", 3, 4));
    let live = LiveKms::from_sdk_config(&rt.block_on(moto.sdk_config(3)), &LiveOptions::default())
        .unwrap();
    let keys = rt.block_on(live.list_keys()).unwrap();
    assert_eq!(keys.len(), 3);
    for (key_id, alias, grant_ids) in &seeded.keys {
        let key = keys.iter().find(|k| k.id() == key_id).unwrap();
        assert_eq!(key.alias_list(), *alias);
        let meta = rt.block_on(live.describe_key(key_id)).unwrap();
        assert_eq!(meta.key_manager.as_deref(), Some("CUSTOMER"));
        let grants = rt.block_on(live.list_grants(key_id)).unwrap();
        let mut listed: Vec<&str> = grants.iter().map(|g| g.grant_id.as_str()).collect();
        let mut expected: Vec<&str> = grant_ids.iter().map(String::as_str).collect();
        listed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(listed, expected);
        let first = grants.iter().find(|g| g.grant_id == grant_ids[0]).unwrap();
        assert_eq!(first.name.as_deref(), Some("list-first"));
        assert_eq!(first.retiring_principal.as_deref(), Some(ADMIN));
        assert_eq!(first.operations_full(), "Decrypt, GenerateDataKey");
        assert_eq!(first.constraints_summary(), "⊆{Department=IT}");
    }
    let disabled = &seeded.keys[2].0;
    assert_eq!(
        rt.block_on(live.describe_key(disabled)).unwrap().key_state,
        KeyState::Disabled
    );
    // Two of every four grants name ADMIN as retiring principal.
    let retirable = rt.block_on(live.list_retirable_grants(ADMIN)).unwrap();
    assert_eq!(retirable.len(), 3 * 2);
    // STS says who the caller is.
    let caller = rt.block_on(live.caller()).unwrap().unwrap();
    assert_eq!(caller.account, ACCOUNT);
}

#[test]
fn retire_and_revoke_delete_grants_and_a_second_revoke_is_already_gone() {
    let moto = Moto::start();
    let rt = runtime();
    let seeded = rt.block_on(seed(&moto, "write", 1, 3));
    let live = LiveKms::from_sdk_config(&rt.block_on(moto.sdk_config(1)), &LiveOptions::default())
        .unwrap();
    let (key_id, _, ids) = &seeded.keys[0];
    // Retire as the retiring principal would (moto checks no caller).
    let retired = rt.block_on(live.delete_grant(WriteKind::Retire, key_id, &ids[0], false));
    assert_eq!(retired, Ok(WriteOutcome::Done));
    let revoked = rt.block_on(live.delete_grant(WriteKind::Revoke, key_id, &ids[1], false));
    assert_eq!(revoked, Ok(WriteOutcome::Done));
    let left: Vec<String> = rt
        .block_on(live.list_grants(key_id))
        .unwrap()
        .into_iter()
        .map(|g| g.grant_id.to_string())
        .collect();
    assert_eq!(left, vec![ids[2].clone()]);
    let again = rt.block_on(live.delete_grant(WriteKind::Revoke, key_id, &ids[1], false));
    assert!(
        matches!(again, Err(SourceError::GrantNotFound { .. })),
        "{again:?}"
    );
}

fn kms_grants(moto: &Moto, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-grants"));
    command
        .args(args)
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env_remove("AWS_PROFILE");
    for (name, value) in moto.env() {
        command.env(name, value);
    }
    command.output().unwrap()
}

#[test]
fn record_captures_what_the_server_lists_and_check_accepts_it() {
    let moto = Moto::start();
    let rt = runtime();
    let seeded = rt.block_on(seed(&moto, "rec", 4, 5));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("account.json");
    let out_str = out.to_str().unwrap();
    let result = kms_grants(
        &moto,
        &["record", "-o", out_str, "--retiring-principal", ADMIN],
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains("recorded 4 keys, 4 aliases, 20 grants and 1 retirable principal(s)"),
        "{stderr}"
    );
    // One ListKeys, one ListAliases, one DescribeKey and one ListGrants per key, one
    // ListRetirableGrants: exactly the lower bound.
    assert!(
        stderr.contains("API calls: 11 in all (ListKeys 1, ListAliases 1, DescribeKey 4, ListGrants 4, ListRetirableGrants 1); the lower bound for this account is 11"),
        "{stderr}"
    );
    let check = kms_grants(&moto, &["check", out_str]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The file equals what the server lists.
    let snapshot = fixture::load(&out).unwrap();
    assert_eq!(snapshot.account.as_deref(), Some(ACCOUNT));
    assert_eq!(snapshot.region.as_deref(), Some(common::moto::REGION));
    let recorded: HashMap<String, (String, Vec<String>)> = snapshot
        .keys
        .iter()
        .map(|k| {
            let mut ids: Vec<String> = k.grants.iter().map(|g| g.grant_id.to_string()).collect();
            ids.sort();
            (k.key.id().to_owned(), (k.key.alias_list(), ids))
        })
        .collect();
    let expected: HashMap<String, (String, Vec<String>)> = seeded
        .keys
        .iter()
        .map(|(k, alias, ids)| {
            let mut ids = ids.clone();
            ids.sort();
            (k.clone(), (alias.clone(), ids))
        })
        .collect();
    assert_eq!(recorded, expected);
    assert!(snapshot.keys.iter().all(|k| k.key.described));
    let states: BTreeMap<String, KeyState> = snapshot
        .keys
        .iter()
        .map(|k| (k.key.id().to_owned(), k.key.metadata.key_state.clone()))
        .collect();
    assert_eq!(states[&seeded.keys[3].0], KeyState::Disabled);
    assert_eq!(snapshot.retirable[ADMIN].len(), 4 * 3);

    // --redact: the same shape, no account id.
    let redacted = dir.path().join("shareable.json");
    let result = kms_grants(
        &moto,
        &[
            "record",
            "-o",
            redacted.to_str().unwrap(),
            "--redact",
            "--retiring-principal",
            ADMIN,
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let text = std::fs::read_to_string(&redacted).unwrap();
    assert!(!text.contains(ACCOUNT));
    let shared = fixture::load(&redacted).unwrap();
    assert_eq!(shared.summary(), snapshot.summary());
}

#[test]
fn a_failed_record_leaves_the_previous_file_untouched() {
    let moto = Moto::start();
    let endpoint = moto.endpoint.clone();
    drop(moto); // the server is gone
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("account.json");
    std::fs::write(&out, "previous content").unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args([
            "record",
            "-o",
            out.to_str().unwrap(),
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("kms-grants:"))
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "kms-grants: recording failed and {} was left as it was: kms:List",
            out.display()
        )) && stderr.contains("could not reach the endpoint: connection refused"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous content");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn the_app_over_a_few_hundred_grants_behaves_as_over_the_demo() {
    let moto = Moto::start();
    let rt = runtime();
    let seeded = rt.block_on(seed(&moto, "app", 3, 100));
    let live = Arc::new(
        LiveKms::from_sdk_config(
            &rt.block_on(moto.sdk_config(1)),
            &LiveOptions {
                retiring_principals: vec![ADMIN.to_owned()],
                ..LiveOptions::default()
            },
        )
        .unwrap(),
    );
    let mut h = common::Harness::over(live.clone(), rt, false, false);
    // Keys, descriptions and counts are all filled in.
    let screen = h.screen(120, 40);
    assert!(screen.contains("Keys (3)"), "{screen}");
    assert!(
        screen.contains("caller"),
        "the header names the caller: {screen}"
    );
    assert!(!screen.contains("loading"), "{screen}");
    for (_, alias, _) in &seeded.keys {
        let row = screen
            .lines()
            .find(|l| l.contains(alias.trim_start_matches("alias/")))
            .unwrap_or_else(|| panic!("{alias} missing:\n{screen}"));
        assert!(row.contains(" 100 "), "{row}");
    }
    assert!(screen.contains("Disabled"), "{screen}");
    // Open the first key, filter to one grant, revoke it with the keyboard.
    h.select_row_containing("app-0");
    h.press(KeyCode::Enter);
    let key_id = match &h.app.current_list().unwrap().kind {
        ListKind::Grants { key_id } => key_id.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(h.app.current_list().unwrap().rows.len(), 100);
    h.press(KeyCode::Char('/'));
    h.type_text("app-first");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.current_list().unwrap().rows.len(), 1);
    h.press(KeyCode::Char('X'));
    h.press(KeyCode::Char('y'));
    assert!(h.status().starts_with("revoked grant"), "{}", h.status());
    let left = h.runtime.block_on(live.list_grants(&key_id)).unwrap();
    assert_eq!(left.len(), 99);
    assert!(left.iter().all(|g| g.name.as_deref() != Some("app-first")));
    // A reload no longer lists it.
    h.press(KeyCode::Esc);
    assert_eq!(
        h.app.current_list().unwrap().rows.len(),
        100,
        "the filter is cleared"
    );
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::Reload,
    ));
    assert_eq!(h.app.current_list().unwrap().rows.len(), 99);
    // The retirable tab lists the configured principal's grants across keys.
    h.press(KeyCode::Tab);
    h.select_row_containing("role/admin");
    h.press(KeyCode::Enter);
    // The reload of the key confirmed the grant gone, so it left this list too.
    assert_eq!(h.app.current_list().unwrap().rows.len(), 3 * 50 - 1);
    h.act(kms_grants::app::Action::Intent(
        kms_grants::app::Intent::Reload,
    ));
    assert_eq!(h.app.current_list().unwrap().rows.len(), 3 * 50 - 1);
}

#[test]
fn a_revoked_grant_is_restored_from_the_audit_log() {
    use kms_grants::app::GrantTarget;
    use kms_grants::audit::{self, AuditLog};
    use kms_grants::runtime::Executor;
    use kms_grants::writer::Audit;
    let moto = Moto::start();
    let rt = runtime();
    let seeded = rt.block_on(seed(&moto, "restore", 1, 2));
    let (key_id, _, ids) = &seeded.keys[0];
    let live: Arc<dyn KmsSource> = Arc::new(
        LiveKms::from_sdk_config(&rt.block_on(moto.sdk_config(1)), &LiveOptions::default())
            .unwrap(),
    );
    let original = rt
        .block_on(live.list_grants(key_id))
        .unwrap()
        .into_iter()
        .find(|g| g.grant_id == ids[0])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("audit.jsonl");
    let executor = Executor {
        source: live.clone(),
        audit: Audit::Log(Arc::new(AuditLog::open(&log_path).unwrap())),
    };
    // Revoke it through the same path the app uses (audited).
    let target = GrantTarget {
        grant: original.clone(),
        key_aliases: vec![],
        key_arn: key_id.clone(),
        key_state: None,
    };
    let actions = rt.block_on(executor.perform(kms_grants::app::Command::Write(
        kms_grants::app::Write::Delete {
            kind: WriteKind::Revoke,
            target: Box::new(target),
            dry_run: false,
        },
    )));
    assert!(matches!(
        &actions[..],
        [kms_grants::app::Action::Wrote(
            kms_grants::app::Wrote::Deleted {
                result: Ok(WriteOutcome::Done),
                ..
            }
        )]
    ));
    assert_eq!(rt.block_on(live.list_grants(key_id)).unwrap().len(), 1);

    // Unknown id: a sentence, exit 1, nothing created.
    let log = log_path.to_str().unwrap();
    let out = kms_grants(
        &moto,
        &["restore", "--audit-log", log, "--grant-id", "nope", "--yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("has no successful retire or revoke of grant nope")
    );
    // Without --yes and with "n" on stdin: cancelled.
    let mut child = {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kms-grants"));
        command.args(["restore", "--audit-log", log, "--grant-id", &ids[0]]);
        for (name, value) in moto.env() {
            command.env(name, value);
        }
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("restore cancelled: nothing was created")
    );
    assert_eq!(rt.block_on(live.list_grants(key_id)).unwrap().len(), 1);

    // A dry run shows what would be created and creates nothing.
    let out = kms_grants(
        &moto,
        &[
            "--dry-run",
            "restore",
            "--audit-log",
            log,
            "--grant-id",
            &ids[0],
            "--yes",
        ],
    );
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("dry run: kms:CreateGrant was not sent; nothing was created")
    );
    assert_eq!(rt.block_on(live.list_grants(key_id)).unwrap().len(), 1);
    // Another region than the one it was deleted in is refused.
    let out = kms_grants(
        &moto,
        &[
            "restore",
            "--region",
            "eu-west-1",
            "--audit-log",
            log,
            "--grant-id",
            &ids[0],
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("was deleted in region us-east-1, but this restore points at eu-west-1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With --yes: recreated, same grantee, retiring principal, operations, constraints, name.
    let out = kms_grants(
        &moto,
        &[
            "restore",
            "--audit-log",
            log,
            "--grant-id",
            &ids[0],
            "--yes",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_id = stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix(&format!("restored grant {} as new grant ", ids[0])))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_owned();
    let grants = rt.block_on(live.list_grants(key_id)).unwrap();
    let restored = grants.iter().find(|g| g.grant_id == new_id).unwrap();
    assert_eq!(restored.grantee_principal, original.grantee_principal);
    assert_eq!(restored.retiring_principal, original.retiring_principal);
    assert_eq!(restored.operations, original.operations);
    assert_eq!(restored.constraints, original.constraints);
    assert_eq!(restored.name, original.name);
    // The restore has its own records in the log.
    let records = audit::read(&log_path).unwrap();
    let last = records.last().unwrap();
    assert_eq!(last.action, audit::AuditAction::CreateGrant);
    assert_eq!(last.new_grant_id.as_deref(), Some(new_id.as_str()));
    assert_eq!(
        records
            .iter()
            .filter(|r| r.action == audit::AuditAction::CreateGrant)
            .count(),
        2
    );
    // A second restore of the same grant is refused: it would rebuild what was cleaned up.
    let out = kms_grants(
        &moto,
        &[
            "restore",
            "--audit-log",
            log,
            "--grant-id",
            &ids[0],
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("was already restored as {new_id}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rt.block_on(live.list_grants(key_id)).unwrap().len(), 2);
}

#[test]
fn hundreds_of_retry_duplicates_are_revoked_with_one_typed_confirmation() {
    use aws_sdk_kms::types::GrantOperation;
    let moto = Moto::start();
    let rt = runtime();
    // One key, and what a CreateGrant retry loop without Name leaves: 200 identical grants.
    let kms = rt.block_on(moto.kms());
    let key_id = rt
        .block_on(kms.create_key().description("retry storm").send())
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_owned();
    rt.block_on(
        kms.create_alias()
            .alias_name("alias/storm")
            .target_key_id(&key_id)
            .send(),
    )
    .unwrap();
    for _ in 0..200 {
        rt.block_on(
            kms.create_grant()
                .key_id(&key_id)
                .grantee_principal(format!("arn:aws:iam::{ACCOUNT}:role/worker"))
                .retiring_principal(ADMIN)
                .operations(GrantOperation::Decrypt)
                .send(),
        )
        .unwrap();
    }
    let live = Arc::new(
        LiveKms::from_sdk_config(&rt.block_on(moto.sdk_config(1)), &LiveOptions::default())
            .unwrap(),
    );
    let mut h = common::Harness::over(live.clone(), rt, false, false);
    h.select_row_containing("storm");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('/'));
    h.type_text("duplicate");
    h.press(KeyCode::Enter);
    // moto gives no creation dates, so the first listed grant counts as the original.
    assert_eq!(h.app.current_list().unwrap().rows.len(), 199);
    h.press(KeyCode::Char('a'));
    h.press(KeyCode::Char('X'));
    assert!(
        h.screen(120, 40)
            .contains("Type 199 and press Enter to revoke")
    );
    h.type_text("199");
    h.press(KeyCode::Enter);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Revoke: 199/199 answered"), "{screen}");
    assert_eq!(h.status(), "revoke of 199 grants finished: no errors");
    let left = h.runtime.block_on(live.list_grants(&key_id)).unwrap();
    assert_eq!(left.len(), 1, "only the original is left");
    // Every deleted grant is whole in the audit log, before and after.
    let records = h.audit();
    assert_eq!(records.len(), 2 * 199);
    let deleted: Vec<_> = records.iter().filter(|r| r.is_deletion()).collect();
    assert_eq!(deleted.len(), 199);
    assert!(deleted.iter().all(|r| {
        r.grant.as_ref().is_some_and(|g| {
            g.grantee_principal.as_deref() == Some(&format!("arn:aws:iam::{ACCOUNT}:role/worker"))
                && g.retiring_principal.as_deref() == Some(ADMIN)
        })
    }));
    // And one comes back with restore.
    let grant_id = deleted[0].grant.as_ref().unwrap().grant_id.clone();
    let out = kms_grants(
        &moto,
        &[
            "restore",
            "--audit-log",
            h.audit_path.to_str().unwrap(),
            "--grant-id",
            &grant_id,
            "--yes",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        h.runtime.block_on(live.list_grants(&key_id)).unwrap().len(),
        2
    );
}
