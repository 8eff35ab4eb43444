//! The app over the live source when calls fail: each failure is a sentence on screen and the
//! app keeps working (KMS and STS answered over real HTTP by `wiremock`).

use crate::common;

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use common::wire::{kms, ok};
use crossterm::event::KeyCode;
use kms_grants::source::{KmsSource, LiveKms, LiveOptions};
use serde_json::json;
use std::sync::Arc;
use wiremock::matchers::body_partial_json;
use wiremock::{MockServer, ResponseTemplate};

fn arn(id: &str) -> String {
    format!("arn:aws:kms:us-east-2:111122223333:key/{id}")
}

async fn mount(server: &MockServer) {
    kms("ListKeys")
        .respond_with(ok(json!({"Keys": [{"KeyId": "k1", "KeyArn": arn("k1")}, {"KeyId": "k2", "KeyArn": arn("k2")}], "Truncated": false})))
        .mount(server)
        .await;
    kms("ListAliases")
        .respond_with(ok(json!({"Aliases": [
            {"AliasName": "alias/locked", "TargetKeyId": "k1"},
            {"AliasName": "alias/open", "TargetKeyId": "k2"}], "Truncated": false})))
        .mount(server)
        .await;
    for id in ["k1", "k2"] {
        kms("DescribeKey")
            .and(body_partial_json(json!({"KeyId": id})))
            .respond_with(ok(json!({"KeyMetadata": {
                "KeyId": id, "Arn": arn(id), "AWSAccountId": "111122223333", "KeyState": "Enabled",
                "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT",
                "Enabled": true, "CreationDate": 1572216195.0, "Description": format!("key {id}")}})))
            .mount(server)
            .await;
    }
    kms("ListGrants")
        .and(body_partial_json(json!({"KeyId": "k1"})))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_json(
                    json!({"__type": "AccessDeniedException", "message": "not authorized"}),
                ),
        )
        .mount(server)
        .await;
    kms("ListGrants")
        .and(body_partial_json(json!({"KeyId": "k2"})))
        .respond_with(ok(json!({"Grants": [
            {"KeyId": arn("k2"), "GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"]}
        ], "Truncated": false})))
        .mount(server)
        .await;
    kms("ListRetirableGrants")
        .respond_with(ok(json!({"Grants": [], "Truncated": false})))
        .mount(server)
        .await;
    common::wire::sts_caller(
        "111122223333",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    )
    .mount(server)
    .await;
}

#[test]
fn a_key_whose_grants_cannot_be_listed_says_why_in_its_row() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        mount(&server).await;
        server
    });
    let config = runtime.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-2"))
            .endpoint_url(server.uri())
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load(),
    );
    let live = Arc::new(LiveKms::from_sdk_config(&config, &LiveOptions::default()).unwrap());
    let mut h = common::Harness::over(live, runtime, false, false);
    let screen = h.screen(200, 30);
    // The header names the caller and the endpoint; the account comes from STS.
    let header = screen.lines().next().unwrap();
    assert!(header.contains("account 111122223333"), "{header}");
    assert!(
        header.contains("caller assumed-role/Admin/alice"),
        "{header}"
    );
    assert!(
        header.contains(&format!(
            "endpoint {}",
            server.uri().trim_start_matches("http://")
        )),
        "{header}"
    );
    // The failing key says why, in its own row, and is not "0".
    let locked = screen.lines().find(|l| l.contains("locked")).unwrap();
    assert!(locked.contains(" error "), "{locked}");
    assert!(
        locked.contains("cannot list grants: access denied: kms:ListGrants on k1"),
        "{locked}"
    );
    let open = screen.lines().find(|l| l.contains("open")).unwrap();
    assert!(open.contains(" 1 ") && open.contains("key k2"), "{open}");
    // The app keeps working: the other key opens.
    h.select_row_containing("open");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.current_list().unwrap().rows.len(), 1);
    // The caller's role is offered as a retiring principal.
    h.press(KeyCode::Tab);
    let screen = h.screen(140, 30);
    assert!(
        screen.contains("arn:aws:iam::111122223333:role/Admin"),
        "{screen}"
    );
}

/// KMS and STS for two keys, k1 and k2 (each with one grant when `grants`).
async fn mount_account(server: &MockServer, grants: bool) {
    kms("ListKeys")
        .respond_with(ok(json!({"Keys": [{"KeyId": "k1", "KeyArn": arn("k1")}, {"KeyId": "k2", "KeyArn": arn("k2")}], "Truncated": false})))
        .mount(server)
        .await;
    kms("ListAliases")
        .respond_with(ok(json!({"Aliases": [
            {"AliasName": "alias/first", "TargetKeyId": "k1"},
            {"AliasName": "alias/second", "TargetKeyId": "k2"}], "Truncated": false})))
        .mount(server)
        .await;
    for id in ["k1", "k2"] {
        kms("DescribeKey")
            .and(body_partial_json(json!({"KeyId": id})))
            .respond_with(ok(json!({"KeyMetadata": {
                "KeyId": id, "Arn": arn(id), "AWSAccountId": "111122223333", "KeyState": "Enabled",
                "KeyManager": "CUSTOMER", "CreationDate": 1572216195.0}})))
            .mount(server)
            .await;
        if grants {
            kms("ListGrants")
                .and(body_partial_json(json!({"KeyId": id})))
                .respond_with(ok(json!({"Grants": [
                    {"KeyId": arn(id), "GrantId": format!("g-{id}"), "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"]}
                ], "Truncated": false})))
                .mount(server)
                .await;
        }
    }
    kms("ListRetirableGrants")
        .respond_with(ok(json!({"Grants": [], "Truncated": false})))
        .mount(server)
        .await;
}

#[test]
fn a_server_that_dies_mid_load_shows_in_the_rows_and_ctrl_r_recovers_once_it_is_back() {
    use kms_grants::app::{Action, App, AppOptions, Command, Input, Read};
    use kms_grants::runtime::Executor;
    use kms_grants::writer::Audit;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::builder().listener(listener).start().await;
        mount_account(&server, true).await;
        server
    });
    let config = runtime.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-2"))
            .endpoint_url(server.uri())
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load(),
    );
    let live = Arc::new(LiveKms::from_sdk_config(&config, &LiveOptions::default()).unwrap());
    let executor = Executor {
        source: live.clone(),
        audit: Audit::Unavailable(kms_grants::audit::AuditError {
            path: "(none)".to_owned(),
            reason: "test".to_owned(),
        }),
    };
    let mut app = App::new(AppOptions::new(live.info(), common::NOW));
    // Carries out commands until none is left; grant lists wait in `held` when asked to.
    let run = |app: &mut App, mut queue: Vec<Command>, hold_grants: bool| -> Vec<Command> {
        let mut held = Vec::new();
        while !queue.is_empty() {
            let command = queue.remove(0);
            if hold_grants && matches!(command, Command::Read(Read::Grants { .. })) {
                held.push(command);
                continue;
            }
            for action in runtime.block_on(executor.perform(command)) {
                queue.extend(app.update(action));
            }
        }
        held
    };
    let screen = |app: &App| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 20)).unwrap();
        let theme = kms_grants::ui::theme::Theme::new(kms_grants::ui::theme::ThemeName::Mono, true);
        terminal
            .draw(|f| kms_grants::ui::draw(f, app, &theme))
            .unwrap();
        common::buffer_text(terminal.backend())
    };
    app.update(Action::Input(Input::Resize {
        width: 140,
        height: 20,
    }));
    // The keys load; then the server dies before their grant lists are asked for.
    let start = app.start();
    let held = run(&mut app, start, true);
    assert_eq!(held.len(), 2);
    drop(server);
    // Gone for good before going on: a kept-alive connection could otherwise still be served.
    while std::net::TcpStream::connect(address).is_ok() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    run(&mut app, held, false);
    let shown = screen(&app);
    for alias in ["first", "second"] {
        let row = shown.lines().find(|l| l.contains(alias)).unwrap();
        assert!(row.contains(" error "), "{row}");
    }
    // The app stays usable: a key opens and says why its grants are missing.
    let press = |app: &mut App, code: KeyCode| {
        app.update(Action::Input(Input::Key(crossterm::event::KeyEvent::from(
            code,
        ))))
    };
    let commands = press(&mut app, KeyCode::Enter);
    run(&mut app, commands, false);
    let status = app.screen.status.as_ref().unwrap().text.clone();
    assert!(status.contains("could not reach the endpoint"), "{status}");
    press(&mut app, KeyCode::Esc);
    // The server comes back on the same address; ctrl-r reloads everything.
    let listener = std::net::TcpListener::bind(address).unwrap();
    let _server = runtime.block_on(async {
        let server = MockServer::builder().listener(listener).start().await;
        mount_account(&server, true).await;
        server
    });
    let commands = app.update(Action::Input(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    ))));
    run(&mut app, commands, false);
    let shown = screen(&app);
    for alias in ["first", "second"] {
        let row = shown.lines().find(|l| l.contains(alias)).unwrap();
        assert!(!row.contains("error"), "{row}");
        assert!(row.contains(" 1 "), "one grant again: {row}");
    }
}
