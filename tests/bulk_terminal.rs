//! A bulk revoke at scale in the real binary, in a pseudo-terminal. Its own test binary: cargo
//! runs test binaries one after another, so its 20,000 writes (in-memory deletes over a
//! fixture) do not share the two cores with the timing of the other terminal tests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests state what must hold

mod common;

use common::pty::{Tty, assert_restored};

const ESC: &str = "\x1b";
const ENTER: &str = "\r";

#[test]
fn a_bulk_revoke_of_20000_grants_opens_at_once_and_q_answers_while_it_runs() {
    use kms_grants::synth::{self, Spec};
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("big.json");
    let snapshot = synth::snapshot(Spec {
        keys: 1,
        grants: 20_000,
        hot_keys: 1,
        hot_share: 1.0,
        seed: 7,
    });
    std::fs::write(&fixture, kms_grants::fixture::to_json(&snapshot)).unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut tty = Tty::spawn(
        &[
            "--fixture",
            fixture.to_str().unwrap(),
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        &[],
        120,
        36,
    );
    tty.wait_for("Keys (1)", 30);
    tty.send(ENTER);
    tty.wait_for("Grants of", 30);
    tty.send("a");
    tty.wait_for("20000 marked", 30);
    tty.send("X");
    // Was quadratic: 3.8 s at 10,000 grants in a release build, minutes here. The waits are
    // generous because the test binaries run side by side on two cores.
    tty.wait_for("Revoke 20000 grants?", 30);
    // Typed as a person types (keys 30 ms apart or closer are a burst the dialog ignores).
    std::thread::sleep(std::time::Duration::from_millis(400));
    for digit in ["2", "0", "0", "0", "0"] {
        tty.send(digit);
    }
    tty.send(ENTER);
    tty.wait_for("answered", 30);
    // The run goes on in the background; q still answers, and asks first.
    tty.send(ESC);
    // (Esc read together with the next key would be alt-q: wait for the list to close.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while tty.screen().contains("answered") {
        assert!(std::time::Instant::now() < deadline, "{}", tty.screen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tty.send("q");
    let screen = tty.wait_for("Quit?", 30);
    assert!(screen.contains("in flight"), "{screen}");
    tty.answer("y");
    let code = tty.wait_exit(30);
    assert!(code == 0 || code == 1, "{code}");
    assert_restored(&tty);
    // Every write the log shows started has its outcome (done, or interrupted by the quit).
    let text = std::fs::read_to_string(&audit).unwrap();
    let intents = text.matches("\"phase\":\"intent\"").count();
    let outcomes = text.matches("\"phase\":\"outcome\"").count();
    assert!(intents > 0);
    assert_eq!(intents, outcomes, "an intent without its outcome");
}
