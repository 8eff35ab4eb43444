//! Bad input, in bulk: fuzzed fixtures and config files (proptest, a bounded number of cases
//! per run), random `:` commands, every screen drawn at sizes from 1×1 up, and paths that
//! cannot be read or written. Each must end in a sentence (or a drawing), never a panic.

use crate::common;

use crossterm::event::KeyCode;
use kms_grants::app::{Action, App, AppOptions, Input, Intent};
use kms_grants::fixture::{self, FixtureError};
use proptest::prelude::*;
use std::path::Path;

/// Enough cases to find the easy crashes on every run, few enough to stay under a few seconds.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A fixture error must name the file and, for content, a position inside it.
fn assert_names_where(err: &FixtureError, bytes: &[u8]) {
    let text = err.to_string();
    assert!(text.starts_with("f.json"), "{text}");
    assert!(!text.contains('\n'), "one line: {text}");
    if let FixtureError::Invalid { line, column, .. } = err {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        assert!(
            *line >= 1 && *line <= lines,
            "line {line} of {lines}: {text}"
        );
        assert!(*column >= 1, "{text}");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_a_fixture_or_a_sentence(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Err(err) = fixture::parse(&bytes, Path::new("f.json")) {
            assert_names_where(&err, &bytes);
        }
    }

    #[test]
    fn the_demo_with_bytes_changed_is_a_fixture_or_a_sentence(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8)
    ) {
        let mut bytes = fixture::DEMO_JSON.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let at = at.index(bytes.len().max(1));
            match how {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at.min(bytes.len()), byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        if let Err(err) = fixture::parse(&bytes, Path::new("f.json")) {
            assert_names_where(&err, &bytes);
        }
    }

    #[test]
    fn any_json_in_the_keys_is_a_fixture_or_a_sentence(value in arbitrary_json()) {
        let document = serde_json::json!({
            "format": "kms-grants/fixture",
            "version": 1,
            "keys": [value.clone(), {"KeyMetadata": value.clone(), "Grants": [value.clone()]}],
            "retirable": {"arn:aws:iam::111122223333:role/a": [value]},
        });
        let bytes = serde_json::to_vec_pretty(&document).unwrap();
        if let Err(err) = fixture::parse(&bytes, Path::new("f.json")) {
            assert_names_where(&err, &bytes);
        }
    }

    #[test]
    fn any_config_text_is_a_config_or_a_sentence(text in config_text()) {
        if let Err(err) = kms_grants::config::parse(&text, Path::new("c.toml")) {
            let message = err.to_string();
            assert!(message.starts_with("config file c.toml:"), "{message}");
            assert!(!message.contains('\n'), "one line: {message}");
        }
    }

    #[test]
    fn any_command_line_is_carried_out_or_refused_in_a_sentence(line in "\\PC{0,40}") {
        let mut h = common::Harness::demo();
        h.app.screen.status = None;
        h.act(Action::Intent(Intent::RunCommand(line.clone())));
        // Anything but a blank line or quitting is answered: a sentence, or a dialog.
        let name = line.split_whitespace().next().unwrap_or("");
        if !name.is_empty() && !matches!(name, "q" | "quit") {
            assert!(
                h.app.screen.status.is_some() || h.app.screen.modal != kms_grants::app::Modal::None,
                "no answer to {line:?}"
            );
        }
        // Whatever it was, the app still draws and still answers keys.
        let _ = h.screen(80, 24);
        h.press(KeyCode::Char('j'));
    }
}

/// Any JSON value, a few levels deep, with the field names a fixture uses.
fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let names = prop::sample::select(vec![
        "KeyId",
        "Arn",
        "KeyState",
        "GrantId",
        "Operations",
        "Constraints",
        "CreationDate",
        "GranteePrincipal",
        "Aliases",
        "AliasName",
        "Name",
        "EncryptionContextEquals",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("Decrypt")),
        Just(serde_json::Value::from("Enabled")),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec((names.clone(), inner), 0..5).prop_map(|fields| {
                serde_json::Value::Object(
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                )
            }),
        ]
    })
}

/// Lines of `key = value` with the config's keys and values of every kind, plus noise.
fn config_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "profile",
        "region",
        "read_only",
        "dry_run",
        "stale_after_days",
        "concurrency",
        "theme",
        "timeout_seconds",
        "retiring_principals",
        "nope",
        "[rate_limits]",
        "ListGrants",
        "[[accounts]]",
        "name",
        "regions",
    ]);
    let value = prop_oneof![
        Just("true".to_owned()),
        Just("\"us-east-1\"".to_owned()),
        Just("[\"a\", \"b\"]".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec((key, value), 0..8).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(k, v)| {
                if k.starts_with('[') {
                    k.to_owned()
                } else {
                    format!("{k} = {v}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn every_view_draws_at_every_size_from_1x1() {
    let mut h = common::Harness::demo();
    // Each step leads from the state before to the next one drawn.
    let states: [fn(&mut common::Harness); 8] = [
        |_| {},
        |h| h.press(KeyCode::Enter),
        |h| h.press(KeyCode::Enter),
        |h| h.press(KeyCode::Char('x')),
        |h| {
            h.press(KeyCode::Esc);
            h.press(KeyCode::Char('?'));
        },
        |h| {
            h.press(KeyCode::Esc);
            h.type_text(":export");
        },
        |h| {
            h.press(KeyCode::Esc);
            h.press(KeyCode::Esc);
            h.press(KeyCode::Tab);
        },
        |h| h.press(KeyCode::Char('H')),
    ];
    let widths = [
        1u16, 2, 5, 19, 20, 21, 40, 59, 60, 61, 79, 80, 81, 119, 120, 250,
    ];
    let heights = [1u16, 2, 3, 5, 11, 12, 13, 23, 24, 40, 80];
    for (state, step) in states.iter().enumerate() {
        step(&mut h);
        for &width in &widths {
            for &height in &heights {
                h.act(Action::Input(Input::Resize { width, height }));
                let screen = h.screen(width, height);
                assert_eq!(
                    screen.lines().count(),
                    height as usize,
                    "state {state} at {width}×{height}"
                );
            }
        }
    }
    // Back to a normal size, the app is whole.
    h.act(Action::Input(Input::Resize {
        width: 120,
        height: 40,
    }));
    assert!(h.screen(120, 40).contains("kms-grants"));
}

#[test]
fn an_app_with_no_data_draws_at_every_size() {
    let info = kms_grants::source::SourceInfo {
        kind: kms_grants::source::SourceKind::Demo,
        profile: None,
        account: None,
        region: None,
        recorded_at: None,
    };
    let app = App::new(AppOptions::new(info, common::NOW));
    let theme = kms_grants::ui::theme::Theme::new(kms_grants::ui::theme::ThemeName::Dark, false);
    for width in [1u16, 10, 60, 200] {
        for height in [1u16, 5, 12, 50] {
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
            terminal
                .draw(|f| kms_grants::ui::draw(f, &app, &theme))
                .unwrap();
        }
    }
}

/// Paths that cannot be read or written, each a sentence naming the path and the reason.
#[test]
fn unreadable_and_unwritable_paths_are_sentences() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-grants"))
            .args(args)
            .env("HOME", env!("CARGO_TARGET_TMPDIR"))
            .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
            .output()
            .unwrap()
    };
    for (args, expected) in [
        (
            vec!["check", "/"],
            "kms-grants: cannot read fixture /: it is a directory",
        ),
        (
            vec!["check", "/nonexistent/f.json"],
            "kms-grants: cannot read fixture /nonexistent/f.json: no such file",
        ),
        (
            vec!["check", "/dev/null"],
            "kms-grants: /dev/null:1:1: the file is empty",
        ),
        (
            vec!["--fixture", "/dev/null/f.json"],
            "kms-grants: cannot read fixture /dev/null/f.json: ",
        ),
        (
            vec!["--config", "/", "--demo"],
            "kms-grants: cannot read config file /: it is a directory",
        ),
        (
            vec!["--fixture", "/proc/self"],
            "kms-grants: /proc/self holds no fixtures (*.json);",
        ),
    ] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: the terminal was touched");
    }
}

/// An export or a log that cannot be written is said in the app, which goes on.
#[test]
fn an_export_that_cannot_be_written_says_why() {
    let mut h = common::Harness::demo();
    h.type_text(":export /dev/null/keys.csv");
    h.press(KeyCode::Enter);
    let status = h.status();
    assert!(status.contains("/dev/null/keys.csv"), "{status}");
    assert!(h.screen(120, 40).contains("Keys (32)"));
}

/// A snapshot whose every outside string carries a control character, an escape sequence or a
/// bidirectional override: no view draws any of them raw.
#[test]
fn no_view_draws_a_control_character_from_outside() {
    let evil = |what: &str| format!("{what}\u{1b}]2;pwned\u{7}\u{1b}[31m\u{202E}gpj.exe\u{9b}");
    let mut value: serde_json::Value = serde_json::from_str(fixture::DEMO_JSON).unwrap();
    let key = &mut value["keys"][0];
    key["KeyMetadata"]["Description"] = evil("description").into();
    key["Aliases"][0]["AliasName"] = format!("alias/{}", evil("alias")).into();
    let grant = &mut key["Grants"][0];
    grant["Name"] = evil("name").into();
    grant["GranteePrincipal"] = evil("arn:aws:iam::111122223333:role/grantee").into();
    grant["RetiringPrincipal"] = evil("arn:aws:iam::111122223333:role/retiree").into();
    grant["IssuingAccount"] = evil("arn:aws:iam::111122223333:root").into();
    grant["Constraints"] =
        serde_json::json!({ "EncryptionContextEquals": { evil("key"): evil("value") } });
    let bytes = serde_json::to_vec(&value).unwrap();
    let snapshot = fixture::parse(&bytes, Path::new("evil.json")).unwrap();
    let mut h = common::Harness::with(snapshot, false, false);
    let raw = |screen: &str| {
        screen.chars().find(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
    };
    let mut seen = 0;
    let mut check = |h: &common::Harness, view: &str| {
        let screen = h.screen(200, 50);
        assert_eq!(raw(&screen), None, "{view}:\n{screen}");
        seen += screen.matches("pwned").count();
    };
    h.select_row_containing("alias\u{1b}");
    check(&h, "keys");
    h.press(KeyCode::Enter);
    check(&h, "grants");
    h.press(KeyCode::Enter);
    check(&h, "detail");
    h.press(KeyCode::Char('x'));
    check(&h, "confirmation");
    h.press(KeyCode::Esc);
    assert!(
        seen >= 4,
        "the evil strings were shown (replaced), not hidden: {seen}"
    );
}

/// `:export!` over a FIFO or a device is refused with a sentence, and the node stays what it
/// was (it used to be renamed over).
#[cfg(unix)]
#[test]
fn an_export_over_a_fifo_or_a_device_is_refused_and_leaves_it_alone() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("keys.csv");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let mut h = common::Harness::demo();
    h.act(Action::Intent(Intent::RunCommand(format!(
        "export! {}",
        fifo.display()
    ))));
    assert_eq!(
        h.status(),
        format!(
            "cannot write {}: it is a FIFO, not a regular file",
            fifo.display()
        )
    );
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A link to it is judged by what it points at.
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    h.act(Action::Intent(Intent::RunCommand(format!(
        "export! {}",
        link.display()
    ))));
    assert!(
        h.status().ends_with("it is a FIFO, not a regular file"),
        "{}",
        h.status()
    );
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Zero-width characters and the soft hyphen are shown as stand-ins: a row holding them keeps
/// its right border where the other rows have it.
#[test]
fn invisible_characters_are_shown_and_rows_keep_their_border() {
    let mut value: serde_json::Value = serde_json::from_str(fixture::DEMO_JSON).unwrap();
    let invisible = "pay\u{00AD}ments\u{200B}api\u{FEFF}x\u{2060}y";
    value["keys"][0]["Grants"][0]["Name"] = invisible.into();
    value["keys"][0]["Grants"][0]["GranteePrincipal"] =
        "arn:aws:iam::111122223333:role/ad\u{200D}min".into();
    let bytes = serde_json::to_vec(&value).unwrap();
    let snapshot = fixture::parse(&bytes, Path::new("invisible.json")).unwrap();
    let mut h = common::Harness::with(snapshot, false, false);
    h.press(KeyCode::Enter);
    let screen = h.screen(160, 40);
    let hidden = ['\u{00AD}', '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{2060}'];
    assert!(!screen.contains(hidden), "{screen}");
    assert!(screen.contains("pay\u{FFFD}ments\u{FFFD}api"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("pay\u{FFFD}ments"))
        .unwrap();
    let header = screen.lines().find(|l| l.contains("Grant ID")).unwrap();
    assert_eq!(row.chars().count(), header.chars().count(), "{screen}");
    assert!(row.trim_end().ends_with('│'), "{row:?}");
    h.select_row_containing("pay\u{00AD}ments");
    h.press(KeyCode::Enter);
    assert!(!h.screen(160, 40).contains(hidden));
}
