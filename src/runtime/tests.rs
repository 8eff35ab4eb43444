//! The runtime's own tests: tasks that panic, switches racing reads, and writes whose audit
//! records cannot be written, driven through the dispatcher and the executor.

use super::dispatch::{Dispatcher, Limits, Message};
use super::executor::Executor;
use crate::app::{
    Action, App, AppOptions, Command, Done, Effect, GrantTarget, Intent, Loaded, Read, Write, Wrote,
};
use crate::audit::{AuditError, AuditLog};
use crate::connect::{Connected, Connector};
use crate::domain::Timestamp;
use crate::fixture;
use crate::places::{Places, Target};
use crate::source::{FixtureKms, KmsSource, SourceKind, WriteKind, WriteOutcome};
use crate::writer::Audit;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

fn source(account: &str, keys: usize) -> Arc<dyn KmsSource> {
    let mut snapshot = fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
    snapshot.account = Some(account.to_owned());
    snapshot.keys.truncate(keys);
    Arc::new(FixtureKms::new(snapshot, SourceKind::Demo, false))
}

/// A dispatcher over `source` with `slots` background and urgent slots, and no audit log.
fn dispatcher(
    source: Arc<dyn KmsSource>,
    tx: mpsc::UnboundedSender<Message>,
    slots: usize,
) -> Dispatcher {
    Dispatcher {
        executor: Arc::new(Executor {
            source,
            audit: Audit::Unavailable(AuditError {
                path: "(none)".to_owned(),
                reason: "test".to_owned(),
            }),
        }),
        current: Arc::new(AtomicBool::new(true)),
        connector: Arc::new(Connector::Fixed),
        tx,
        limits: Limits {
            background: Arc::new(Semaphore::new(slots)),
            urgent: Arc::new(Semaphore::new(slots)),
        },
    }
}

#[cfg(debug_assertions)]
#[tokio::test]
async fn a_panic_in_a_task_becomes_an_error_the_app_shows() {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let source: Arc<dyn KmsSource> = Arc::new(super::crash_test::PanicsListingGrants(source(
        "111122223333",
        3,
    )));
    let dispatcher = dispatcher(Arc::clone(&source), tx, 2);
    let mut app = App::new(AppOptions::new(source.info(), Timestamp::now()));
    // The app starts and asks for every key's grants; each of those panics.
    let mut pending = app.start();
    let mut answered = 0;
    while !pending.is_empty() {
        assert!(!dispatcher.dispatch(std::mem::take(&mut pending)));
        let Ok(Some(Message::Action(action))) =
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
        else {
            break;
        };
        if let Action::Loaded(Loaded::Grants { result, .. }) = &action {
            let err = result.as_ref().unwrap_err().to_string();
            assert_eq!(
                err,
                "an internal error stopped LoadGrants (KMS_GRANTS_CRASH_TEST=task); the log has the details"
            );
            answered += 1;
        }
        pending = app.update(action);
        while let Ok(Message::Action(action)) = rx.try_recv() {
            if matches!(action, Action::Loaded(Loaded::Grants { .. })) {
                answered += 1;
            }
            pending.extend(app.update(action));
        }
    }
    assert_eq!(answered, 3, "every key's grants were answered");
    // Each key's row says why instead of loading forever; the app goes on.
    assert_eq!(app.load_progress(), (3, 3, 3));
    assert!(
        app.data
            .grant_count_text(app.data.keys.loaded().unwrap()[0].id())
            .contains("error")
    );
}

#[tokio::test]
async fn after_a_switch_commands_go_to_the_new_source_and_old_reads_are_dropped() {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let mut dispatcher = dispatcher(source("111111111111", 3), tx, 1);
    let mut app = App::new(AppOptions::new(
        dispatcher.executor.source.info(),
        Timestamp::now(),
    ));
    app.session.places =
        Places::from_profiles([("other".to_owned(), Some("us-east-1".to_owned()))], &[]);
    let commands = app.update(Action::Intent(Intent::RunCommand("profile other".into())));
    let [Command::Effect(Effect::Switch { seq, .. })] = commands.as_slice() else {
        panic!("a switch: {commands:?}");
    };
    // A read of the old account waits for the only background slot…
    let slot = Arc::clone(&dispatcher.limits.background)
        .acquire_owned()
        .await
        .unwrap();
    assert!(!dispatcher.dispatch(vec![Command::Read(Read::Keys { req: 1 })]));
    // …while the switch lands.
    let connected = Connected {
        source: source("222222222222", 1),
        target: Target::default(),
        caller: None,
        read_only: None,
    };
    let action = dispatcher.receive(
        Message::Switched {
            seq: *seq,
            result: Ok(connected),
        },
        &app,
    );
    assert!(matches!(
        action,
        Action::Done(Done::Switched { result: Ok(_), .. })
    ));
    assert!(!dispatcher.dispatch(vec![Command::Read(Read::Keys { req: 2 })]));
    drop(slot);
    // Only the new account's answer comes back; the old read was dropped unsent.
    let Some(Message::Action(Action::Loaded(Loaded::Keys { req, result }))) = rx.recv().await
    else {
        panic!("keys expected");
    };
    assert_eq!((req, result.unwrap().len()), (2, 1));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rx.try_recv().is_err(), "the old account's read was sent");
}

/// An executor over the demo whose audit log is `disk`.
fn on_disk(disk: &crate::audit::testing::Disk) -> Executor {
    Executor {
        source: source("111122223333", 3),
        audit: Audit::Log(Arc::new(AuditLog::with_sink(
            Path::new("/state/audit.jsonl"),
            Box::new(disk.clone()),
        ))),
    }
}

/// The revoke of each of the first `n` grants of the demo's first key with that many.
async fn revokes(executor: &Executor, n: usize) -> Vec<Command> {
    let keys = executor.source.list_keys().await.unwrap();
    for key in keys {
        let grants = executor
            .source
            .list_grants(&key.metadata.arn)
            .await
            .unwrap();
        if grants.len() >= n {
            return grants[..n]
                .iter()
                .map(|grant| {
                    Command::Write(Write::Delete {
                        kind: WriteKind::Revoke,
                        target: Box::new(GrantTarget {
                            grant: grant.clone(),
                            key_aliases: key.aliases.iter().map(|a| a.alias_name.clone()).collect(),
                            key_arn: key.metadata.arn.clone(),
                            key_state: None,
                        }),
                        dry_run: false,
                    })
                })
                .collect();
        }
    }
    panic!("no key with {n} grants")
}

async fn listed(executor: &Executor, command: &Command) -> bool {
    let Command::Write(Write::Delete { target, .. }) = command else {
        panic!()
    };
    executor
        .source
        .find_grant(&target.grant.key_id, &target.grant.grant_id)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn a_full_disk_after_a_revoke_says_so_and_refuses_the_writes_queued_after_it() {
    use std::sync::atomic::Ordering;
    let disk = crate::audit::testing::Disk::new(usize::MAX);
    // Room for the first intent, not for its outcome.
    disk.appends.store(1, Ordering::Relaxed);
    let executor = on_disk(&disk);
    let commands = revokes(&executor, 2).await;
    let actions = executor.perform(commands[0].clone()).await;
    let [
        Action::Wrote(Wrote::Deleted {
            target,
            result: Ok(WriteOutcome::Done),
            ..
        }),
        Action::Wrote(Wrote::AuditFailed {
            grant,
            said,
            reason,
        }),
    ] = &actions[..]
    else {
        panic!("{actions:?}")
    };
    assert!(!listed(&executor, &commands[0]).await, "it was revoked");
    assert_eq!(grant.as_ref(), Some(&target.grant.id_pair()));
    assert_eq!(
        said,
        &format!(
            "{} was revoked; its outcome could not be recorded: No space left on device in /state/audit.jsonl (writes are off for this session)",
            crate::app::describe_grant(target)
        )
    );
    assert_eq!(
        reason,
        "the audit log /state/audit.jsonl cannot be written (No space left on device): writes are off for this session"
    );
    // Only the intent is in the log: the part of the outcome that made it was cut off.
    let text = disk.text();
    assert_eq!(text.lines().count(), 1);
    assert!(text.ends_with('\n'));
    // The next write of the bulk run, already queued, is refused unsent.
    disk.appends.store(u64::MAX, Ordering::Relaxed);
    let actions = executor.perform(commands[1].clone()).await;
    let [
        Action::Wrote(Wrote::Deleted {
            result: Err(err), ..
        }),
    ] = &actions[..]
    else {
        panic!("{actions:?}")
    };
    assert_eq!(
        err.to_string(),
        "writes are off for this session: the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent"
    );
    assert!(listed(&executor, &commands[1]).await, "not sent");
    assert_eq!(disk.text(), text);
}

#[tokio::test]
async fn an_intent_that_cannot_be_written_is_not_sent_and_says_so() {
    use std::sync::atomic::Ordering;
    let disk = crate::audit::testing::Disk::new(usize::MAX);
    disk.appends.store(0, Ordering::Relaxed);
    let executor = on_disk(&disk);
    let commands = revokes(&executor, 1).await;
    let actions = executor.perform(commands[0].clone()).await;
    let [
        Action::Wrote(Wrote::Deleted {
            target,
            result: Err(err),
            ..
        }),
        Action::Wrote(Wrote::AuditFailed { said, .. }),
    ] = &actions[..]
    else {
        panic!("{actions:?}")
    };
    assert_eq!(
        err.to_string(),
        "the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent"
    );
    assert_eq!(
        said,
        &format!(
            "{} was not revoked: the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent (writes are off for this session)",
            crate::app::describe_grant(target)
        )
    );
    assert!(listed(&executor, &commands[0]).await, "not sent");
    assert_eq!(disk.text(), "", "no torn line");
}
