//! `update` unit tests: plain calls on small hand-made data, no source, no terminal.
//!
//! One file per feature; the helpers they share (the hand-made keys and grants, an app with
//! them loaded, pressing keys, reading the rows) are here, once.

use super::action::SwitchedTo;
use super::data::Load;
use super::list::{self, ListKind, ListView};
use super::*;
use crate::domain::{Alias, KeyMetadata, KeyState, Operation};
use crate::domain::{Grant, Key};
use crate::places::Places;
use crate::source::{CallerIdentity, LostWrite, Settlement, SourceError, SourceInfo, WriteOutcome};
use crate::source::{SourceKind, WriteKind};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod browse;
mod bulk;
mod commands;
mod delete;
mod dialogs;
mod filter;
/// Pasted text and the confirmation's quiet time.
mod input;
mod marks;
mod restore;
mod retirable;
mod sort;
mod switch;

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
    let mut app = App::new(AppOptions {
        read_only: read_only.then(|| "--read-only".to_owned()),
        ..AppOptions::new(info(), NOW)
    });
    let commands = app.start();
    feed(&mut app, commands);
    app
}

fn data_for(command: &Command) -> Option<Action> {
    Some(match command {
        Command::Read(Read::Keys { req }) => Action::Loaded(Loaded::Keys {
            req: *req,
            result: Ok(vec![
                key("k1", Some("payments"), KeyState::Enabled),
                key("k2", Some("orders"), KeyState::Enabled),
                key("k3", None, KeyState::Disabled),
            ]),
        }),
        Command::Read(Read::Grants { req, key_id, .. }) => Action::Loaded(Loaded::Grants {
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
        }),
        Command::Read(Read::Principals { req }) => Action::Loaded(Loaded::Principals {
            req: *req,
            result: Ok(vec!["arn:aws:iam::111122223333:role/admin".to_owned()]),
        }),
        Command::Read(Read::Retirable { req, principal }) => Action::Loaded(Loaded::Retirable {
            req: *req,
            principal: principal.clone(),
            result: Ok(vec![grant("k2", "g-orders", "orders", "orders-api", 10)]),
        }),
        _ => return None,
    })
}

/// Presses `key` (x or X) and confirms with `y`; returns the one grant the write names.
fn confirm_delete(app: &mut App, key: char) -> Box<GrantTarget> {
    press(app, KeyCode::Char(key));
    let commands = press(app, KeyCode::Char('y'));
    match commands.as_slice() {
        [Command::Write(Write::Delete { target, .. })] => target.clone(),
        other => panic!("one write expected: {other:?}"),
    }
}

/// The LoadKeys command among `commands`.
fn keys_load(commands: &[Command]) -> Command {
    commands
        .iter()
        .find(|c| matches!(c, Command::Read(Read::Keys { .. })))
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
    app.update(Action::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))))
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

/// An app over a synthetic snapshot, every load answered from it.
fn over_snapshot(snapshot: &crate::fixture::Snapshot) -> App {
    let mut app = App::new(AppOptions::new(info(), NOW));
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
    app.session.places = places();
    app.session.target = Target {
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
        [Command::Effect(Effect::Switch { seq, target })] => (*seq, target.clone()),
        other => panic!("one switch expected: {other:?}"),
    }
}

/// Opens the first key, retires its first grant with `x` `y`, and answers that it is gone.
fn retire_first_grant(app: &mut App) {
    press(app, KeyCode::Enter);
    let target = confirm_delete(app, 'x');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Retire,
        target,
        result: Ok(WriteOutcome::Done),
    }));
}

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
            Command::Write(Write::Delete { target, .. }) => *target,
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
