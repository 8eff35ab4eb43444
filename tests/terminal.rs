//! The real binary in a pseudo-terminal, as a person uses it: start, navigate, filter, revoke
//! with confirmation, read-only refusal, quit, and the terminal left as it was found
//! (alternate screen left, cursor shown, line editing and echo back on). Also what must never
//! reach the terminal (a grant name that tries to retitle it), a terminal shrunk to 20×5 and
//! back, a panic, and a server that never answers.
//!
//! Its own test binary, as tests/bulk_terminal.rs is: cargo runs test binaries one after
//! another, so the timing these tests check (keys 30 ms apart are a burst, a quit answers
//! within 3 s) does not share the cores with the CPU-bound tests of tests/offline/ (proptest
//! cases, every screen at every size) or the `moto_server`s of tests/live/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests state what must hold

mod common;

use common::pty::{Tty, assert_restored};

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
    tty.answer("y");
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
    // The header says READ-ONLY from the first frame, before the keys are listed: Enter waits
    // for the list (on a loaded machine it came too early and opened nothing).
    tty.wait_for("Keys (32)", 10);
    assert!(tty.screen().contains("READ-ONLY"));
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

/// The crash modes exist only in debug builds, which is what `cargo test` builds.
#[cfg(debug_assertions)]
#[test]
fn a_crash_restores_the_terminal_and_says_where_the_details_are() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("kms-grants.log");
    let mut tty = Tty::spawn(
        &["--demo", "--log-file", log.to_str().unwrap()],
        &[("KMS_GRANTS_CRASH_TEST", "ui")],
        100,
        30,
    );
    let code = tty.wait_exit(10);
    assert_ne!(code, 0);
    assert_restored(&tty);
    let screen = tty.screen();
    let message = format!(
        "kms-grants crashed (KMS_GRANTS_CRASH_TEST is set); the details are in {}. Please report it.",
        log.display()
    );
    assert!(screen.contains(&message), "{screen}");
    // Only that: no Rust panic text or backtrace on the operator's terminal.
    assert!(!tty.output().contains("panicked at"), "{}", tty.output());
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("panic at src/runtime/mod.rs"), "{logged}");
    assert!(logged.contains("KMS_GRANTS_CRASH_TEST is set"), "{logged}");
}

/// A KMS endpoint over an empty account (no keys, aliases or retirable grants) whose caller is
/// `user/ops` of 111122223333, answering RetireGrant with `retire`.
fn empty_account(
    runtime: &tokio::runtime::Runtime,
    retire: wiremock::ResponseTemplate,
) -> wiremock::MockServer {
    use common::wire::kms;
    runtime.block_on(async {
        let server = wiremock::MockServer::start().await;
        let json = |body: &str| common::wire::ok(serde_json::from_str(body).unwrap());
        for (action, body) in [
            ("ListKeys", r#"{"Keys": [], "Truncated": false}"#),
            ("ListAliases", r#"{"Aliases": [], "Truncated": false}"#),
            (
                "ListRetirableGrants",
                r#"{"Grants": [], "Truncated": false}"#,
            ),
        ] {
            kms(action).respond_with(json(body)).mount(&server).await;
        }
        kms("RetireGrant").respond_with(retire).mount(&server).await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        server
    })
}

/// A server that accepts connections and never answers.
fn silent_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    format!("http://{address}")
}

#[test]
fn a_server_that_never_answers_times_out_and_input_works_throughout() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "timeout_seconds = 3\n").unwrap();
    let endpoint = silent_server();
    let open = || {
        Tty::spawn(
            &[
                "--endpoint-url",
                &endpoint,
                "--region",
                "us-east-1",
                "--config",
                config.to_str().unwrap(),
            ],
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            120,
            36,
        )
    };
    let started = std::time::Instant::now();
    let mut tty = open();
    tty.wait_for("Keys", 10);
    // While the calls hang, keys still work: the help opens and closes.
    tty.send("?");
    tty.wait_for("Help", 5);
    tty.send(ESC);
    // The timeout fires and says so.
    tty.wait_for("timed out", 15);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
    // And q quits at once while the calls still hang (a long timeout this time).
    std::fs::write(&config, "timeout_seconds = 600\n").unwrap();
    let mut tty = open();
    tty.wait_for("Keys", 10);
    let quitting = std::time::Instant::now();
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert!(quitting.elapsed() < std::time::Duration::from_secs(3));
    assert_restored(&tty);
}

#[cfg(debug_assertions)]
#[test]
fn a_password_in_the_endpoint_and_the_access_key_id_never_reach_the_screen_or_a_file() {
    const PASSWORD: &str = "S3cretPassw0rd";
    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = empty_account(&runtime, common::wire::ok(serde_json::json!({})));
    let endpoint = format!("http://admin:{PASSWORD}@{}", server.address());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("kms-grants.log");
    let audit = dir.path().join("audit.jsonl");
    let mut tty = Tty::spawn(
        &[
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
            "--log-file",
            log.to_str().unwrap(),
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        &[
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            ("RUST_LOG", "trace"),
        ],
        160,
        36,
    );
    // The header shows where the calls go, without the password.
    tty.wait_for("caller user/ops", 10);
    tty.wait_for("endpoint admin:•••@127.0.0.1", 5);
    // A write, so the audit log names the endpoint.
    tty.send(": retire-token AQpAM2RhZ6789");
    tty.send(ENTER);
    tty.wait_for("Retire", 5);
    tty.answer("y");
    tty.wait_for("retired", 5);
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("admin:•••@127.0.0.1"), "{logged}");
    let audited = std::fs::read_to_string(&audit).unwrap();
    assert!(
        audited.contains(r#""endpoint":"http://admin:•••@127.0.0.1"#),
        "{audited}"
    );
    for secret in [PASSWORD, KEY_ID] {
        assert!(
            !logged.contains(secret),
            "{secret} is in the log:\n{}",
            logged
                .lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(!audited.contains(secret), "{secret} is in the audit log");
        assert!(
            !tty.output().contains(secret),
            "{secret} reached the terminal"
        );
        assert!(
            !tty.titles().iter().any(|t| t.contains(secret)),
            "{secret} is in the window title"
        );
    }
}

#[test]
fn a_panic_in_a_task_is_an_error_in_the_app_which_goes_on() {
    let mut tty = Tty::spawn(&["--demo"], &[("KMS_GRANTS_CRASH_TEST", "task")], 120, 36);
    tty.wait_for("Keys (32)", 10);
    // Every grant list's task panicked: the rows say so, the terminal is still the app's.
    tty.send(ENTER);
    tty.wait_for(
        "an internal error stopped LoadGrants (KMS_GRANTS_CRASH_TEST=task)",
        5,
    );
    let (alternate, _) = tty.modes();
    assert!(
        alternate,
        "the panic hook gave the terminal back while the app ran"
    );
    assert!(!tty.output().contains("panicked at"), "{}", tty.output());
    // The app goes on: the help opens, q quits normally.
    tty.send(ESC);
    tty.send("?");
    tty.wait_for("Help", 5);
    tty.send(ESC);
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
}

#[test]
fn credentials_and_grant_tokens_never_reach_the_log_or_the_screen() {
    const SECRET_KEY: &str = "SECRETKEY4567890abcdef";
    const SESSION_TOKEN: &str = "SESSIONTOKEN1234567890xyz";
    const GRANT_TOKEN: &str = "GRANTTOKENAQpAM2RhZ6789secret";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = empty_account(&runtime, common::wire::ok(serde_json::json!({})));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("kms-grants.log");
    let audit = dir.path().join("audit.jsonl");
    let mut tty = Tty::spawn(
        &[
            "--endpoint-url",
            &server.uri(),
            "--region",
            "us-east-1",
            "--log-file",
            log.to_str().unwrap(),
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_SESSION_TOKEN", SESSION_TOKEN),
            // Everything kms-grants and the SDK will write.
            ("RUST_LOG", "trace"),
        ],
        120,
        36,
    );
    tty.wait_for("caller user/ops", 10);
    // Typed after a blank, and completed with Tab: neither shows it.
    tty.send(&format!(": retire-token {GRANT_TOKEN}"));
    tty.send("\t");
    tty.wait_for("retire-token •••", 5);
    tty.send(ENTER);
    tty.wait_for("Retire", 5);
    tty.answer("y");
    tty.wait_for("retired", 5);
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    let requests = runtime.block_on(server.received_requests()).unwrap();
    assert!(
        requests
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains(GRANT_TOKEN)),
        "the token was sent to KMS"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("RetireGrant by grant token"), "{logged}");
    assert!(logged.lines().count() > 20, "trace writes plenty: {logged}");
    let audited = std::fs::read_to_string(&audit).unwrap();
    for (what, secret) in [
        ("the secret key", SECRET_KEY),
        ("the session token", SESSION_TOKEN),
        ("the grant token", GRANT_TOKEN),
    ] {
        assert!(!logged.contains(secret), "{what} is in the log");
        assert!(!audited.contains(secret), "{what} is in the audit log");
        assert!(
            !tty.output().contains(secret),
            "{what} reached the terminal"
        );
    }
}

#[test]
fn over_moto_browse_filter_revoke_and_a_read_only_refusal() {
    use common::moto::Moto;
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let key = runtime.block_on(async {
        let key = moto.key("us-east-1", "payments").await;
        moto.key("us-east-1", "orders").await;
        let kms = moto.kms().await;
        for n in 0..2 {
            kms.create_grant()
                .key_id(&key)
                .name(format!("app-{n}"))
                .grantee_principal(format!(
                    "arn:aws:iam::{}:role/app-{n}",
                    common::moto::ACCOUNT
                ))
                .operations(aws_sdk_kms::types::GrantOperation::Decrypt)
                .send()
                .await
                .unwrap();
        }
        key
    });
    let env: Vec<(&str, String)> = moto.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_dir, audit) = audit_log();
    // Read-only first: the refusal, and nothing sent.
    let mut tty = Tty::spawn(&["--read-only"], &env, 120, 36);
    tty.wait_for("payments ", 15);
    tty.send("/pay");
    tty.send(ENTER);
    tty.send(ENTER);
    tty.wait_for("app-0", 10);
    tty.send("X");
    tty.wait_for(
        "this session is read-only (--read-only): kms:RevokeGrant is turned off",
        5,
    );
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
    // Then for real: filter, open, revoke one grant with confirmation.
    let mut tty = Tty::spawn(&["--audit-log", &audit], &env, 120, 36);
    tty.wait_for("payments ", 15);
    tty.send("/pay");
    tty.wait_for("filter \"pay\"", 5);
    tty.send(ENTER);
    tty.send(ENTER);
    tty.wait_for("app-0", 10);
    tty.send("X");
    tty.wait_for("Revoke 1 grant?", 5);
    tty.answer("y");
    tty.wait_for("revoked", 10);
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
    let left = runtime.block_on(async {
        moto.kms()
            .await
            .list_grants()
            .key_id(&key)
            .send()
            .await
            .unwrap()
            .grants()
            .len()
    });
    assert_eq!(left, 1, "one of the two grants was revoked");
}

#[test]
fn a_throttling_storm_slows_the_load_which_says_so_and_completes() {
    use wiremock::matchers::body_partial_json;
    use wiremock::{MockServer, ResponseTemplate};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        use common::wire::{kms, ok as json};
        let arn = |id: &str| format!("arn:aws:kms:us-east-1:111122223333:key/{id}");
        kms("ListKeys")
            .respond_with(json(serde_json::json!({"Keys": [
                {"KeyId": "k1", "KeyArn": arn("k1")}, {"KeyId": "k2", "KeyArn": arn("k2")}], "Truncated": false})))
            .mount(&server)
            .await;
        kms("ListAliases")
            .respond_with(json(serde_json::json!({"Aliases": [
                {"AliasName": "alias/first", "TargetKeyId": "k1"},
                {"AliasName": "alias/second", "TargetKeyId": "k2"}], "Truncated": false})))
            .mount(&server)
            .await;
        for id in ["k1", "k2"] {
            kms("DescribeKey")
                .and(body_partial_json(serde_json::json!({"KeyId": id})))
                .respond_with(json(serde_json::json!({"KeyMetadata": {
                    "KeyId": id, "Arn": arn(id), "KeyState": "Enabled", "KeyManager": "CUSTOMER"}})))
                .mount(&server)
                .await;
        }
        // A storm: more throttles than the SDK's retries absorb, for a while.
        kms("ListGrants")
            .respond_with(
                ResponseTemplate::new(400)
                    .insert_header("content-type", "application/x-amz-json-1.1")
                    .set_body_json(serde_json::json!({"__type": "ThrottlingException", "message": "Rate exceeded"})),
            )
            .up_to_n_times(12)
            .with_priority(1)
            .mount(&server)
            .await;
        kms("ListGrants")
            .respond_with(json(serde_json::json!({"Grants": [], "Truncated": false})))
            .mount(&server)
            .await;
        kms("ListRetirableGrants")
            .respond_with(json(serde_json::json!({"Grants": [], "Truncated": false})))
            .mount(&server)
            .await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        server
    });
    let mut tty = Tty::spawn(
        &["--endpoint-url", &server.uri(), "--region", "us-east-1"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ],
        160,
        30,
    );
    // While it lasts, the tab line says why the load is slow…
    let screen = tty.wait_for("KMS is throttling: ListGrants at ", 20);
    assert!(screen.contains("loading: grants "), "{screen}");
    // …and the load completes: no error, no loading line, both keys counted.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let screen = tty.screen();
        if !screen.contains("loading:") {
            assert!(!screen.contains("error"), "{screen}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the load did not complete:\n{screen}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
}

/// Pastes that look like answers, in every view: none may send a write.
const PASTES: [&str; 6] = ["xy", "Xy", "proxy\n", "expiry", "3\r", "y\r"];

fn paste_all(tty: &mut Tty) {
    for text in PASTES {
        tty.paste(text);
    }
}

#[test]
fn pasted_text_never_deletes_a_grant() {
    let (_dir, audit) = audit_log();
    let mut tty = Tty::spawn(&["--demo", "--audit-log", &audit], &[], 120, 36);
    tty.wait_for("Keys (32)", 10);
    assert!(
        tty.output().contains("\x1b[?2004h"),
        "bracketed paste is turned on"
    );
    // The keys list.
    paste_all(&mut tty);
    tty.wait_for("it was ignored", 5);
    // A key's grants (orders: ten retry duplicates and more).
    tty.send("/orders");
    tty.send(ENTER);
    tty.send(ENTER);
    tty.wait_for("Grants of alias/", 5);
    paste_all(&mut tty);
    // A grant's detail.
    tty.send(ENTER);
    tty.wait_for("Grant detail", 5);
    paste_all(&mut tty);
    tty.send(ESC);
    // An open confirmation, read and waiting for its answer.
    tty.send("x");
    tty.wait_for("Retire 1 grant?", 5);
    std::thread::sleep(std::time::Duration::from_millis(400));
    paste_all(&mut tty);
    tty.wait_for("it was ignored", 5);
    assert!(tty.screen().contains("Retire 1 grant?"), "{}", tty.screen());
    tty.send(ESC);
    tty.wait_for("cancelled: nothing was changed", 5);
    // A bulk confirmation: a pasted count fills the field but does not press Enter.
    tty.send("a");
    tty.send("X");
    let dialog = tty.wait_for("and press Enter to revoke", 5);
    let count = dialog
        .split("Type ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();
    std::thread::sleep(std::time::Duration::from_millis(400));
    tty.paste(&format!("{count}\n"));
    tty.paste("\r");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        tty.screen().contains("and press Enter to revoke"),
        "{}",
        tty.screen()
    );
    tty.send(ESC);
    tty.send("A");
    // A terminal without bracketed paste types a paste as keys: the x opens the dialog, the y
    // of the same burst does not answer it.
    tty.type_burst("xy");
    tty.wait_for("Retire 1 grant?", 5);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let screen = tty.screen();
    assert!(screen.contains("Retire 1 grant?"), "{screen}");
    assert!(screen.contains("was ignored"), "{screen}");
    tty.send(ESC);
    // The history, and the filter (which takes the paste as text).
    tty.send("H");
    paste_all(&mut tty);
    tty.send(ESC);
    tty.send("/");
    tty.paste("proxy\n");
    tty.wait_for("filter \"proxy\"", 5);
    tty.send(ESC);
    tty.send("q");
    assert_eq!(tty.wait_exit(5), 0);
    assert_restored(&tty);
    assert!(
        !tty.output().contains("\x1b[?2004h\x1b[?2004l") && tty.output().contains("\x1b[?2004l"),
        "bracketed paste is turned off on exit"
    );
    let records = std::fs::read_to_string(&audit).unwrap_or_default();
    assert_eq!(records, "", "a paste sent a write");
}

#[test]
fn sigterm_sigint_and_sighup_give_the_terminal_back() {
    use nix::sys::signal::Signal;
    for (signal, code, name) in [
        (Signal::SIGTERM, 143, "SIGTERM"),
        (Signal::SIGINT, 130, "SIGINT"),
        (Signal::SIGHUP, 129, "SIGHUP"),
    ] {
        let mut tty = Tty::spawn(&["--demo"], &[], 100, 30);
        tty.wait_for("Keys (32)", 10);
        tty.signal(signal);
        assert_eq!(tty.wait_exit(10), code, "{name}");
        assert_restored(&tty);
        tty.wait_for(&format!("stopped by {name}"), 5);
    }
}

#[test]
fn a_signal_or_a_quit_with_a_write_in_flight_waits_for_it_then_records_it_interrupted() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The retire is sent, and its answer never comes in time.
    let server = empty_account(
        &runtime,
        common::wire::ok(serde_json::json!({})).set_delay(std::time::Duration::from_secs(120)),
    );
    for (sent, (how, code, why)) in [("SIGTERM", 143, "stopped by SIGTERM"), ("q", 1, "quit")]
        .into_iter()
        .enumerate()
    {
        let (_dir, audit) = audit_log();
        let mut tty = Tty::spawn(
            &[
                "--endpoint-url",
                &server.uri(),
                "--region",
                "us-east-1",
                "--audit-log",
                &audit,
            ],
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            120,
            36,
        );
        tty.wait_for("caller user/ops", 10);
        tty.send(":retire-token AQpAM2RhZTokenForTheTest");
        tty.send(ENTER);
        tty.wait_for("Retire", 5);
        tty.answer("y");
        tty.wait_for("retiring the grant of that token", 5);
        // The call is on the wire: its intent is in the log, its outcome is not.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let retires = || {
            runtime
                .block_on(server.received_requests())
                .unwrap()
                .iter()
                .filter(|r| format!("{:?}", r.headers).contains("RetireGrant"))
                .count()
        };
        while retires() < sent + 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "RetireGrant was not sent"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        if how == "q" {
            tty.send("q");
            tty.wait_for("Quit?", 5);
            tty.answer("y");
        } else {
            tty.signal(nix::sys::signal::Signal::SIGTERM);
        }
        let what = if how == "q" { "quitting" } else { how };
        tty.wait_for(
            &format!("stopping ({what}): waiting up to 5 s for 1 write"),
            5,
        );
        assert_eq!(tty.wait_exit(15), code, "{how}");
        assert_restored(&tty);
        tty.wait_for("1 write sent had not answered", 5);
        let records: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[0]["phase"], "intent");
        assert_eq!(records[1]["phase"], "outcome");
        assert_eq!(records[1]["outcome"], "interrupted");
        assert!(
            records[1]["error"]
                .as_str()
                .unwrap()
                .contains(&format!("{why} before the answer came")),
            "{records:?}"
        );
    }
}
