//! The real binary in a pseudo-terminal, as a person uses it: start, navigate, filter, revoke
//! with confirmation, read-only refusal, quit, and the terminal left as it was found
//! (alternate screen left, cursor shown, line editing and echo back on). Also what must never
//! reach the terminal (a grant name that tries to retitle it), a terminal shrunk to 20×5 and
//! back, a panic, and a server that never answers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests state what must hold

mod common;

use common::pty::Tty;

const ESC: &str = "\x1b";
const ENTER: &str = "\r";

fn audit_log() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("audit.jsonl")
        .to_string_lossy()
        .into_owned();
    (dir, path)
}

/// The terminal after the program exited is as it was before: the shell's screen, a visible
/// cursor, cooked mode.
fn assert_restored(tty: &Tty) {
    let (alternate, cursor_hidden) = tty.modes();
    assert!(!alternate, "still on the alternate screen");
    assert!(!cursor_hidden, "the cursor is still hidden");
    assert!(tty.cooked(), "the terminal is still in raw mode");
}

#[test]
fn the_demo_start_navigate_filter_revoke_and_quit() {
    let (_dir, audit) = audit_log();
    let mut tty = Tty::spawn(&["--demo", "--audit-log", &audit], &[], 120, 36);
    tty.wait_for("Keys (32)", 10);
    assert!(tty.modes().0, "the app draws on the alternate screen");
    // Filter the keys, open the one left, and its first grant's revoke dialog.
    tty.send("/orders");
    tty.wait_for("filter \"orders\"", 5);
    tty.send(ENTER);
    tty.send(ENTER);
    tty.wait_for("Grants of alias/", 5);
    tty.send("X");
    let dialog = tty.wait_for("Revoke 1 grant?", 5);
    assert!(dialog.contains("[ No ]"), "{dialog}");
    // n cancels, and nothing was written.
    tty.send("n");
    tty.wait_for("cancelled: nothing was changed", 5);
    // y confirms.
    tty.send("X");
    tty.wait_for("Revoke 1 grant?", 5);
    tty.send("y");
    tty.wait_for("revoked", 5);
    let records = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(records.lines().count(), 2, "one record before, one after");
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
}

#[test]
fn read_only_refuses_and_sends_nothing() {
    let mut tty = Tty::spawn(&["--demo", "--read-only"], &[], 120, 36);
    tty.wait_for("READ-ONLY", 10);
    tty.send(ENTER);
    tty.wait_for("Grants of alias/", 5);
    tty.send("x");
    tty.wait_for(
        "this session is read-only (--read-only): kms:RetireGrant is turned off",
        5,
    );
    assert!(!tty.screen().contains("Retire 1 grant?"));
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
}

#[test]
fn a_grant_name_cannot_retitle_the_terminal() {
    // The demo with one grant renamed to an OSC title sequence (and a cursor move).
    let demo = kms_grants::fixture::DEMO_JSON;
    let mut value: serde_json::Value = serde_json::from_str(demo).unwrap();
    let grant = &mut value["keys"][0]["Grants"][0];
    grant["Name"] = serde_json::Value::String("evil\u{1b}]2;pwned\u{7}\u{1b}[2J".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.json");
    std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
    let mut tty = Tty::spawn(&["--fixture", path.to_str().unwrap()], &[], 120, 36);
    tty.wait_for("Keys (32)", 10);
    tty.send(ENTER);
    // The name is shown, its escapes replaced visibly.
    tty.wait_for("evil␛]2;pwned␇␛[2J", 5);
    tty.send(ENTER);
    tty.wait_for("evil␛]2;pwned␇␛[2J", 5);
    let titles = tty.titles();
    assert!(!titles.is_empty(), "the app sets its own title");
    assert!(
        titles.iter().all(|t| !t.contains("pwned")),
        "the terminal was retitled: {titles:?}"
    );
    assert!(titles[0].starts_with("kms-grants · "), "{titles:?}");
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
}

#[test]
fn a_terminal_shrunk_to_20x5_and_back() {
    let mut tty = Tty::spawn(&["--demo"], &[], 100, 30);
    tty.wait_for("Keys (32)", 10);
    tty.resize(20, 5);
    tty.wait_for("too small", 5);
    // Keys do nothing they could not show; the program is alive.
    tty.send("x");
    tty.resize(100, 30);
    tty.wait_for("Keys (32)", 5);
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
}
