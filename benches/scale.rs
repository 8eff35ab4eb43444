//! How kms-grants behaves at the size of a large account: drawing the keys and grants views at
//! 100,000 rows, one filter keystroke over 100,000 grants, applying a background answer while
//! 100,000 keys are shown, opening and starting a bulk revoke of 50,000 marked grants (the most
//! one key can hold), and reading the large fixture.
//!
//! Inputs come from the deterministic generator (`kms_grants::synth`); run with `cargo bench`
//! (`cargo bench -- filter` for one group). docs/performance.md quotes these.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kms_grants::app::{
    Action, App, AppOptions, Command, Input, Intent, Loaded, Read, Write, Wrote,
};
use kms_grants::domain::Timestamp;
use kms_grants::fixture::{self, Snapshot};
use kms_grants::source::{SourceInfo, SourceKind};
use kms_grants::synth::{self, Spec};
use kms_grants::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const NOW: Timestamp = Timestamp::from_secs(1_800_000_000);

fn app_over(snapshot: &Snapshot) -> App {
    let info = SourceInfo {
        kind: SourceKind::Demo,
        profile: None,
        account: snapshot.account.clone(),
        region: snapshot.region.clone(),
        recorded_at: None,
    };
    let mut app = App::new(AppOptions::new(info, NOW));
    app.update(Action::Input(Input::Resize {
        width: 120,
        height: 40,
    }));
    let commands = app.start();
    synth::feed(&mut app, snapshot, commands);
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Action::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))));
}

/// One key holding every grant: the grants view of that key has `grants` rows.
fn one_hot_key(grants: usize) -> Snapshot {
    synth::snapshot(Spec {
        keys: 1,
        grants,
        hot_keys: 1,
        hot_share: 1.0,
        seed: 1,
    })
}

fn render(c: &mut Criterion) {
    let theme = Theme::new(Default::default(), false);
    let mut group = c.benchmark_group("render");
    let keys = app_over(&synth::snapshot(Spec {
        keys: 100_000,
        grants: 100_000,
        hot_keys: 0,
        hot_share: 0.0,
        seed: 1,
    }));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("keys view, 100k keys, 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| ui::draw(frame, black_box(&keys), &theme))
                .map(|_| ())
        })
    });
    let mut grants = app_over(&one_hot_key(100_000));
    press(&mut grants, KeyCode::Enter);
    group.bench_function("grants view, 100k grants, 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| ui::draw(frame, black_box(&grants), &theme))
                .map(|_| ())
        })
    });
    group.finish();
}

fn filter(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter");
    let snapshot = one_hot_key(100_000);
    let mut app = app_over(&snapshot);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('/'));
    // Warm: the cells' text is cached once the first filter ran.
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Backspace);
    group.bench_function("keystroke over 100k grants (type 'r', erase it)", |b| {
        b.iter(|| {
            press(&mut app, KeyCode::Char('r'));
            press(&mut app, KeyCode::Backspace);
        })
    });
    group.bench_function(
        "narrowing keystroke over 100k grants ('ro' after 'r')",
        |b| {
            press(&mut app, KeyCode::Char('r'));
            b.iter(|| {
                press(&mut app, KeyCode::Char('o'));
                press(&mut app, KeyCode::Backspace);
            })
        },
    );
    group.sample_size(10);
    group.bench_function("opening the filter after a reload, 100k grants", |b| {
        b.iter_batched(
            || {
                let mut app = app_over(&snapshot);
                press(&mut app, KeyCode::Enter);
                app
            },
            |mut app| {
                press(&mut app, KeyCode::Char('/'));
                app
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn background(c: &mut Criterion) {
    let mut group = c.benchmark_group("background");
    group.sample_size(20);
    let snapshot = synth::snapshot(Spec {
        keys: 100_000,
        grants: 100_000,
        hot_keys: 0,
        hot_share: 0.0,
        seed: 1,
    });
    let mut app = app_over(&snapshot);
    // A reload asks for every key's grants again; each answer that arrives while 100,000 keys
    // are shown costs this before the next frame (applying it, settling the views, and the
    // progress count the next frame shows).
    let grants = snapshot.keys[0].grants.clone();
    let mut pending: Vec<(u64, String)> = Vec::new();
    group.bench_function("a grants answer arrives, 100k keys shown", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                if pending.is_empty() {
                    pending = reload_requests(&mut app, &snapshot);
                }
                let Some((req, key_id)) = pending.pop() else {
                    break;
                };
                let started = Instant::now();
                app.apply(Action::Loaded(Loaded::Grants {
                    req,
                    key_id,
                    result: Ok(grants.clone()),
                }));
                app.settle();
                black_box(app.load_progress());
                spent += started.elapsed();
            }
            spent
        })
    });
    group.finish();
}

/// Reloads the keys list and returns the grant requests its answer sends.
fn reload_requests(app: &mut App, snapshot: &Snapshot) -> Vec<(u64, String)> {
    let mut commands = app.update(Action::Intent(Intent::Reload));
    if let Some(Command::Read(Read::Keys { req })) = commands
        .iter()
        .find(|c| matches!(c, Command::Read(Read::Keys { .. })))
        .cloned()
    {
        commands.extend(app.update(Action::Loaded(Loaded::Keys {
            req,
            result: Ok(snapshot.keys.iter().map(|k| k.key.clone()).collect()),
        })));
    }
    commands
        .into_iter()
        .filter_map(|command| match command {
            Command::Read(Read::Grants { req, key_id, .. }) => Some((req, key_id)),
            _ => None,
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    let text = fixture::to_json(&synth::snapshot(Spec::default()));
    group.throughput(criterion::Throughput::Bytes(text.len() as u64));
    group.bench_function("large fixture (2,000 keys, 100,000 grants)", |b| {
        b.iter(|| fixture::parse(black_box(text.as_bytes()), Path::new("large.json")))
    });
    group.finish();
}

/// The grants of one key holding 50,000 (the KMS limit per key), all marked.
fn all_marked(snapshot: &Snapshot) -> App {
    let mut app = app_over(snapshot);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('a'));
    // What the frame drawn after `a` counted (the footer's marks shown).
    black_box(app.marks_shown());
    app
}

fn bulk(c: &mut Criterion) {
    const MARKED: usize = 50_000;
    let theme = Theme::new(Default::default(), false);
    let mut group = c.benchmark_group("bulk");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(2));
    let snapshot = one_hot_key(MARKED);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap_or_else(|e| panic!("{e}"));
    group.bench_function(
        "open the confirmation of 50k marked grants (X and its first frame)",
        |b| {
            b.iter_batched(
                || all_marked(&snapshot),
                |mut app| {
                    press(&mut app, KeyCode::Char('X'));
                    let _ = terminal.draw(|frame| ui::draw(frame, &app, &theme));
                    app
                },
                BatchSize::PerIteration,
            )
        },
    );
    group.bench_function(
        "start it (type 50000, Enter: 50k writes issued, the outcome list's first frame)",
        |b| {
            b.iter_batched(
                || {
                    let mut app = all_marked(&snapshot);
                    press(&mut app, KeyCode::Char('X'));
                    app
                },
                |mut app| {
                    for c in MARKED.to_string().chars() {
                        press(&mut app, KeyCode::Char(c));
                    }
                    let commands = app.update(Action::Input(Input::Key(KeyEvent::new(
                        KeyCode::Enter,
                        KeyModifiers::NONE,
                    ))));
                    assert_eq!(commands.len(), MARKED);
                    let _ = terminal.draw(|frame| ui::draw(frame, &app, &theme));
                    (app, commands)
                },
                BatchSize::PerIteration,
            )
        },
    );
    // While it runs: one answer (applied, the views settled, one frame of the outcome list).
    let mut app = all_marked(&snapshot);
    press(&mut app, KeyCode::Char('X'));
    for c in MARKED.to_string().chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let mut writes = app.update(Action::Input(Input::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    group.bench_function(
        "an answer arrives during it (apply, settle, outcome list frame)",
        |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let Some(Command::Write(Write::Delete { kind, target, .. })) = writes.pop()
                    else {
                        break;
                    };
                    let started = Instant::now();
                    app.apply(Action::Wrote(Wrote::Deleted {
                        kind,
                        target,
                        result: Ok(kms_grants::source::WriteOutcome::Done),
                    }));
                    app.settle();
                    let _ = terminal.draw(|frame| ui::draw(frame, &app, &theme));
                    spent += started.elapsed();
                }
                spent
            })
        },
    );
    group.finish();
}

criterion_group!(benches, render, filter, background, parse, bulk);
criterion_main!(benches);
