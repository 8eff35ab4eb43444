//! Several accounts and regions: two `moto_server`s stand in for two accounts, reached through
//! a temporary AWS config file with an `endpoint_url` per profile. The app switches profile and
//! region and shows the right account each time; `record` covers several targets, one of them
//! down; a directory of fixtures switches the same way.

use crate::common;

use common::moto::Moto;
use kms_grants::connect::{Connector, FixtureDir};
use kms_grants::places::{Places, ProfileFiles, Target, WriteFlags};
use kms_grants::source::{KmsSource, LiveKms, LiveOptions};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

const ALPHA: &str = "111111111111";
const BETA: &str = "222222222222";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A port nothing listens on.
fn dead_endpoint() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// Two accounts: alpha with two keys in us-east-1 and one in eu-west-1, beta with one key.
struct World {
    _alpha: Moto,
    _beta: Moto,
    dir: tempfile::TempDir,
    files: ProfileFiles,
}

impl World {
    fn config(&self) -> std::path::PathBuf {
        self.dir.path().join("config")
    }

    fn credentials(&self) -> std::path::PathBuf {
        self.dir.path().join("credentials")
    }
}

fn world(runtime: &tokio::runtime::Runtime) -> World {
    let alpha = Moto::start_as(ALPHA);
    let beta = Moto::start_as(BETA);
    runtime.block_on(async {
        alpha.key("us-east-1", "alpha-orders").await;
        alpha.key("us-east-1", "alpha-payments").await;
        alpha.key("eu-west-1", "alpha-eu-orders").await;
        beta.key("us-east-1", "beta-orders").await;
    });
    let dir = tempfile::tempdir().unwrap();
    // Credentials in both files, as operators have them; "nocreds" has none at all.
    std::fs::write(
        dir.path().join("config"),
        format!(
            "[default]\nregion = us-east-1\nendpoint_url = {}\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default\n\n\
             [profile alpha]\nregion = us-east-1\nendpoint_url = {}\naws_access_key_id = AKIAALPHA\naws_secret_access_key = alpha\n\n\
             [profile beta]\nregion = us-east-1\nendpoint_url = {}\n\n\
             [profile alpha-again]\nregion = us-east-1\nendpoint_url = {}\naws_access_key_id = AKIAAGAIN\naws_secret_access_key = again\n\n\
             [profile nocreds]\nregion = us-east-1\nendpoint_url = {}\n\n\
             [profile ops]\nrole_arn = arn:aws:iam::{ALPHA}:role/ops\nsource_profile = alpha\nregion = us-east-1\nendpoint_url = {}\n\n\
             [profile down]\nregion = us-east-1\nendpoint_url = {}\naws_access_key_id = AKIADOWN\naws_secret_access_key = down\n",
            alpha.endpoint,
            alpha.endpoint,
            beta.endpoint,
            alpha.endpoint,
            alpha.endpoint,
            alpha.endpoint,
            dead_endpoint()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[beta]\naws_access_key_id = AKIABETA\naws_secret_access_key = beta\n",
    )
    .unwrap();
    let files = ProfileFiles::at(dir.path().join("config"), dir.path().join("credentials"));
    World {
        _alpha: alpha,
        _beta: beta,
        dir,
        files,
    }
}

/// The aliases shown in the keys list.
fn aliases(h: &common::Harness) -> Vec<String> {
    let mut out: Vec<String> = h
        .app
        .data
        .keys
        .loaded()
        .unwrap()
        .iter()
        .flat_map(|k| k.aliases.iter().map(|a| a.alias_name.clone()))
        .collect();
    out.sort();
    out
}

fn header(h: &common::Harness) -> String {
    h.screen(160, 30).lines().next().unwrap().to_owned()
}

fn command(h: &mut common::Harness, line: &str) {
    h.type_text(":");
    h.type_text(line);
    h.press(crossterm::event::KeyCode::Enter);
}

#[test]
fn the_app_switches_region_and_profile_and_always_says_where_it_is() {
    let runtime = runtime();
    let world = world(&runtime);
    let options = LiveOptions {
        profile: Some("alpha".to_owned()),
        profile_files: world.files.clone(),
        ..LiveOptions::default()
    };
    let (live, places) = runtime.block_on(async {
        (
            LiveKms::connect(&options).await.unwrap(),
            Places::load(&world.files, &[]).await.unwrap(),
        )
    });
    let mut h = common::Harness::over(Arc::new(live), runtime, false, false);
    h.app.session.places = places.clone();
    h.connector = Connector::Live {
        options: Box::new(options),
        places,
        flags: WriteFlags::default(),
    };
    let top = header(&h);
    for part in [
        "profile alpha",
        &format!("account {ALPHA}"),
        "us-east-1",
        "caller ",
    ] {
        assert!(top.contains(part), "{part} missing: {top}");
    }
    assert_eq!(aliases(&h), ["alias/alpha-orders", "alias/alpha-payments"]);
    // A filter set here carries over.
    h.type_text("/orders");
    h.press(crossterm::event::KeyCode::Enter);
    assert_eq!(h.app.current_list().unwrap().rows.len(), 1);

    command(&mut h, "region eu-west-1");
    assert_eq!(aliases(&h), ["alias/alpha-eu-orders"]);
    let top = header(&h);
    assert!(
        top.contains("profile alpha") && top.contains("eu-west-1"),
        "{top}"
    );
    assert!(top.contains(&format!("account {ALPHA}")), "{top}");
    assert_eq!(h.app.current_list().unwrap().filter, "orders");

    // Tab completes the profile name; the switch goes to beta's own region.
    h.type_text(":profile be");
    h.press(crossterm::event::KeyCode::Tab);
    h.press(crossterm::event::KeyCode::Enter);
    assert_eq!(aliases(&h), ["alias/beta-orders"]);
    let top = header(&h);
    for part in ["profile beta", &format!("account {BETA}"), "us-east-1"] {
        assert!(top.contains(part), "{part} missing: {top}");
    }
    assert!(!top.contains(ALPHA), "{top}");
    assert_eq!(
        kms_grants::runtime::title(&h.app),
        format!("kms-grants · profile beta · account {BETA} · us-east-1 · user/moto")
    );
    assert_eq!(h.app.current_list().unwrap().rows.len(), 1);

    // A profile without credentials says so, and beta stays on screen, usable.
    command(&mut h, "profile nocreds");
    let status = h.status();
    assert!(
        status.starts_with("cannot switch to profile nocreds in us-east-1: "),
        "{status}"
    );
    assert!(
        status.ends_with("(still on profile beta in us-east-1)"),
        "{status}"
    );
    assert!(header(&h).contains(&format!("account {BETA}")));
    assert_eq!(aliases(&h), ["alias/beta-orders"]);
    h.press(crossterm::event::KeyCode::Enter);
    assert!(matches!(
        h.app.current_list().unwrap().kind,
        kms_grants::app::list::ListKind::Grants { .. }
    ));
    // The picker switches back to alpha.
    h.press(crossterm::event::KeyCode::Esc);
    h.type_text("P");
    h.type_text("alpha");
    h.press(crossterm::event::KeyCode::Enter);
    assert!(header(&h).contains(&format!("account {ALPHA}")));
    assert_eq!(aliases(&h), ["alias/alpha-orders", "alias/alpha-payments"]);
}

fn kms_grants_bin(world: &World, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(args)
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("AWS_CONFIG_FILE", world.config())
        .env("AWS_SHARED_CREDENTIALS_FILE", world.credentials())
        // Credentials in the environment must not make every profile the same account.
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT")
        .env("AWS_SECRET_ACCESS_KEY", "environment")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("the binary runs")
}

#[test]
fn record_covers_several_targets_and_one_down_loses_nothing_else() {
    let runtime = runtime();
    let world = world(&runtime);
    let out_dir = world.dir.path().join("snapshots");
    let out = kms_grants_bin(
        &world,
        &[
            "record",
            "--profile",
            "alpha",
            "--profile",
            "beta",
            "--profile",
            "down",
            "--profile",
            "alpha-again",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "-o",
            out_dir.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stderr.ends_with("kms-grants: 2 of 8 targets failed; the others were recorded\n"),
        "{stderr}"
    );
    // One progress line per target (stderr is not a terminal: the closing line of each).
    for target in [
        "profile alpha in us-east-1",
        "profile alpha in eu-west-1",
        "profile beta in us-east-1",
        "profile beta in eu-west-1",
    ] {
        assert!(
            stderr.contains(&format!("✓ {target}: ")),
            "{target}: {stderr}"
        );
    }
    assert!(stderr.contains("✗ profile down in us-east-1: "), "{stderr}");
    assert!(stderr.contains("✗ profile down in eu-west-1: "), "{stderr}");
    // A second profile into the same account is recorded once, and that is not a failure.
    assert!(
        stderr.contains(
            "- profile alpha-again in us-east-1: skipped, it reaches the account and region profile alpha in us-east-1 recorded"
        ),
        "{stderr}"
    );
    // The summary table: a header and one row per target, in the order asked.
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 9, "{stdout}");
    assert!(
        rows[0].starts_with("TARGET") && rows[0].contains("FINDINGS"),
        "{stdout}"
    );
    let alpha = rows[1].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        &alpha[..8],
        [
            "profile",
            "alpha",
            "in",
            "us-east-1",
            ALPHA,
            "us-east-1",
            "2",
            "0"
        ],
        "{stdout}"
    );
    assert!(
        rows[3].contains(BETA) && rows[3].contains("beta in us-east-1"),
        "{stdout}"
    );
    assert!(rows[5].contains("failed: "), "{stdout}");
    assert!(rows[7].contains("skipped: "), "{stdout}");
    // One fixture per account and region, each recording its profile.
    let mut files: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            format!("{ALPHA}-eu-west-1.json"),
            format!("{ALPHA}-us-east-1.json"),
            format!("{BETA}-eu-west-1.json"),
            format!("{BETA}-us-east-1.json"),
        ]
    );
    let snapshot =
        kms_grants::fixture::load(&out_dir.join(format!("{BETA}-us-east-1.json"))).unwrap();
    assert_eq!(snapshot.profile.as_deref(), Some("beta"));
    assert_eq!(snapshot.account.as_deref(), Some(BETA));
    assert_eq!(snapshot.keys.len(), 1);

    // The directory opens and switches between its snapshots like live accounts.
    fixture_dir_switches(&out_dir);
}

fn fixture_dir_switches(dir: &Path) {
    let runtime = runtime();
    let fixtures = FixtureDir::open(dir).unwrap();
    let places = fixtures.places(&[]);
    let connector = Connector::Fixtures {
        dir: fixtures,
        places: places.clone(),
        flags: WriteFlags::default(),
    };
    let first = runtime
        .block_on(connector.connect(&Target {
            profile: Some("alpha".to_owned()),
            region: Some("us-east-1".to_owned()),
        }))
        .unwrap();
    let source: Arc<dyn KmsSource> = first.source;
    let mut h = common::Harness::over(source, runtime, false, false);
    h.app.session.places = places;
    h.connector = connector;
    assert_eq!(aliases(&h), ["alias/alpha-orders", "alias/alpha-payments"]);
    command(&mut h, "region eu-west-1");
    assert_eq!(aliases(&h), ["alias/alpha-eu-orders"]);
    command(&mut h, "profile beta");
    assert!(aliases(&h).is_empty());
    let top = header(&h);
    assert!(top.contains("profile beta") && top.contains(BETA), "{top}");
    assert!(
        top.contains("eu-west-1"),
        "beta was recorded in eu-west-1 too: {top}"
    );
    command(&mut h, "region us-east-1");
    assert_eq!(aliases(&h), ["alias/beta-orders"]);
    command(&mut h, "region ap-south-1");
    assert!(
        h.status().contains("has no snapshot of beta in ap-south-1"),
        "{}",
        h.status()
    );
}

#[test]
fn a_named_profile_never_falls_back_to_credentials_in_the_environment() {
    let runtime = runtime();
    let world = world(&runtime);
    let file = world.dir.path().join("nocreds.json");
    let out = kms_grants_bin(
        &world,
        &[
            "record",
            "--profile",
            "nocreds",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nocreds"), "{stderr}");
    assert!(!file.exists());
}

#[test]
fn an_account_marked_read_only_stays_so_when_switched_to_unless_writes_were_allowed() {
    let runtime = runtime();
    let world = world(&runtime);
    let accounts = [kms_grants::config::Account {
        name: "production".to_owned(),
        profile: "beta".to_owned(),
        regions: vec!["us-east-1".to_owned()],
        read_only: true,
    }];
    for (allow_writes, expect_read_only) in [(false, true), (true, false)] {
        let options = LiveOptions {
            profile: Some("alpha".to_owned()),
            profile_files: world.files.clone(),
            ..LiveOptions::default()
        };
        let (live, places) = runtime.block_on(async {
            (
                LiveKms::connect(&options).await.unwrap(),
                Places::load(&world.files, &accounts).await.unwrap(),
            )
        });
        let mut h = common::Harness::over(Arc::new(live), self::runtime(), false, false);
        h.app.session.places = places.clone();
        h.connector = Connector::Live {
            options: Box::new(options),
            places,
            flags: WriteFlags {
                allow_writes,
                ..WriteFlags::default()
            },
        };
        assert!(!h.app.session.read_only, "alpha is not marked");
        // The account entry's name works as a profile name.
        command(&mut h, "profile production");
        assert_eq!(aliases(&h), ["alias/beta-orders"]);
        assert_eq!(
            h.app.session.read_only, expect_read_only,
            "allow_writes {allow_writes}"
        );
        assert_eq!(
            h.kms.is_read_only(),
            expect_read_only,
            "the source refuses too"
        );
        assert_eq!(
            header(&h).contains("READ-ONLY"),
            expect_read_only,
            "{}",
            header(&h)
        );
    }
}

#[test]
fn a_profile_that_assumes_a_role_connects() {
    let runtime = runtime();
    let world = world(&runtime);
    let options = LiveOptions {
        profile: Some("ops".to_owned()),
        profile_files: world.files.clone(),
        ..LiveOptions::default()
    };
    let caller = runtime.block_on(async {
        let live = LiveKms::connect(&options).await.unwrap();
        live.caller().await
    });
    let caller = caller.unwrap().unwrap();
    assert!(
        caller.arn.contains(":assumed-role/ops/"),
        "the role's session, not the source profile: {}",
        caller.arn
    );
}

#[test]
fn redacted_snapshots_of_several_accounts_stay_apart() {
    let runtime = runtime();
    let world = world(&runtime);
    let out_dir = world.dir.path().join("redacted");
    let out = kms_grants_bin(
        &world,
        &[
            "record",
            "--profile",
            "alpha",
            "--profile",
            "beta",
            "--region",
            "us-east-1",
            "--redact",
            "-o",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut accounts: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| kms_grants::fixture::load(&e.unwrap().path()).unwrap())
        .map(|s| {
            assert!(
                s.profile.is_none(),
                "a profile name can say whose account it is"
            );
            s.account.unwrap()
        })
        .collect();
    accounts.sort();
    assert_eq!(accounts, ["000000000001", "000000000002"]);
    let text = std::fs::read_to_string(out_dir.join("000000000001-us-east-1.json")).unwrap()
        + &std::fs::read_to_string(out_dir.join("000000000002-us-east-1.json")).unwrap();
    assert!(!text.contains(ALPHA) && !text.contains(BETA));
}

#[test]
fn the_default_profiles_read_only_mark_holds_across_a_region_switch() {
    let runtime = runtime();
    let world = world(&runtime);
    let accounts = [kms_grants::config::Account {
        name: "main".to_owned(),
        profile: "default".to_owned(),
        regions: Vec::new(),
        read_only: true,
    }];
    let places = runtime
        .block_on(Places::load(&world.files, &accounts))
        .unwrap();
    // No profile named: the chain's `default`, whose mark must still count.
    let connector = Connector::Live {
        options: Box::new(LiveOptions {
            profile_files: world.files.clone(),
            ..LiveOptions::default()
        }),
        places,
        flags: WriteFlags::default(),
    };
    let connected = runtime
        .block_on(connector.connect(&Target {
            profile: None,
            region: Some("eu-west-1".to_owned()),
        }))
        .unwrap();
    assert_eq!(
        connected.read_only.as_deref(),
        Some("account main is read_only in the config; --allow-writes lifts it")
    );
    assert!(connected.source.is_read_only());
    assert_eq!(connected.caller.unwrap().account, ALPHA);
}
