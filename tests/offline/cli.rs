//! The binary's start-up contract: `check`, bad files, bad config and bad flags end with one
//! sentence on stderr and a non-zero exit, before the terminal is touched.

use std::path::Path;
use std::process::{Command, Output};

fn kms_grants(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(args)
        // A config in the real config dir of the machine must not change what the tests see.
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        // Nor may the AWS settings of whoever runs the tests.
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn demo_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json").to_owned()
}

/// Writes `text` to a file in a fresh temporary directory.
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

/// An error ends the program with exactly one line on stderr, nothing on stdout (so no escape
/// sequence reached the terminal) and exit code 1.
fn assert_one_sentence_error(out: &Output, expected_start: &str) {
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(expected_start), "{err}");
    assert!(stdout(out).is_empty(), "stdout: {:?}", stdout(out));
}

#[test]
fn check_prints_a_summary() {
    let out = kms_grants(&["check", &demo_path()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("valid kms-grants fixture (version 1)"),
        "{text}"
    );
    assert!(
        text.contains("account:              111122223333"),
        "{text}"
    );
    assert!(
        text.contains("keys:                 32 (27 customer managed, 5 AWS managed"),
        "{text}"
    );
    assert!(text.contains("grants:               181"), "{text}");
    assert!(text.contains("retirable principals: 3"), "{text}");
}

#[test]
fn check_rejects_each_kind_of_bad_file() {
    let demo = std::fs::read_to_string(demo_path()).unwrap();
    let cases = [
        (
            "version.json",
            demo.replacen("\"version\": 1", "\"version\": 7", 1),
            ":3:14: fixture version 7 is not supported",
        ),
        (
            "format.json",
            demo.replacen("kms-grants/fixture", "terraform-state", 1),
            ":2:",
        ),
        (
            "malformed.json",
            demo.replacen("\"region\": \"us-east-2\",", "\"region\": \"us-east-2\"", 1),
            ": malformed JSON: expected `,` or `}`",
        ),
        ("empty.json", String::new(), ":1:1: the file is empty"),
        (
            "truncated.json",
            demo[..demo.len() / 2].to_owned(),
            ": the file ends in the middle of the JSON document",
        ),
        (
            "array.json",
            "[]".to_owned(),
            ":1:1: a fixture is a JSON object",
        ),
    ];
    for (name, text, expected) in cases {
        let (_dir, path) = temp_file(name, &text);
        let out = kms_grants(&["check", &path]);
        assert_one_sentence_error(&out, &format!("kms-grants: {path}"));
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
}

#[test]
fn check_names_a_grant_listed_under_the_wrong_key() {
    let text = r#"{"format": "kms-grants/fixture", "version": 1, "keys": [
  {"KeyMetadata": {"KeyId": "a", "Arn": "arn:aws:kms:us-east-2:111122223333:key/a"},
   "Grants": [{"KeyId": "b", "GrantId": "g1"}]}
]}"#;
    let (_dir, path) = temp_file("wrong-key.json", text);
    let out = kms_grants(&["check", &path]);
    assert_one_sentence_error(
        &out,
        &format!(
            "kms-grants: {path}:3:46: Grants[0]: grant g1 has KeyId b but is listed under key a (at keys[0].Grants)"
        ),
    );
}

#[test]
fn check_of_a_missing_file() {
    let out = kms_grants(&["check", "/nonexistent/fixture.json"]);
    assert_one_sentence_error(
        &out,
        "kms-grants: cannot read fixture /nonexistent/fixture.json: ",
    );
}

#[test]
fn a_bad_fixture_ends_the_program_before_the_terminal_is_touched() {
    let (_dir, path) = temp_file(
        "bad.json",
        "{\"format\": \"kms-grants/fixture\", \"version\": 1, \"keys\": [}",
    );
    let out = kms_grants(&["--fixture", &path]);
    assert_one_sentence_error(&out, &format!("kms-grants: {path}:1:"));
}

#[test]
fn a_broken_config_file_names_file_and_line() {
    let (_dir, path) = temp_file("config.toml", "read_only = true\nstale_days = 30\n");
    let out = kms_grants(&["--config", &path, "--demo"]);
    assert_one_sentence_error(
        &out,
        &format!("kms-grants: config file {path}:2:1: unknown field `stale_days`"),
    );
    let out = kms_grants(&["--config", "/nonexistent/config.toml", "--demo"]);
    assert_one_sentence_error(
        &out,
        "kms-grants: cannot read config file /nonexistent/config.toml: ",
    );
}

#[test]
fn no_region_is_a_sentence_not_a_crash() {
    let out = kms_grants(&[]);
    assert_one_sentence_error(
        &out,
        "kms-grants: no AWS region is set: pass --region, set AWS_REGION, or give the profile a region",
    );
    let out = kms_grants(&["record", "-o", "/tmp/never-written.json"]);
    assert_one_sentence_error(&out, "kms-grants: no AWS region is set");
}

#[test]
fn the_app_opens_one_profile_and_region_at_a_time() {
    let out = kms_grants(&["--profile", "a", "--profile", "b"]);
    assert_one_sentence_error(
        &out,
        "kms-grants: --profile was given 2 times; the app opens one at a time (switch inside it with :profile NAME), and only `kms-grants record` takes several",
    );
    let out = kms_grants(&["--demo", "--region", "us-east-1", "--region", "eu-west-1"]);
    assert_one_sentence_error(&out, "kms-grants: --region was given 2 times;");
    // Several targets go to a directory, not a .json file.
    let out = kms_grants(&[
        "record",
        "--profile",
        "a",
        "--profile",
        "b",
        "-o",
        "/tmp/x.json",
    ]);
    assert_one_sentence_error(
        &out,
        "kms-grants: 2 targets are recorded into a directory, one file each, and -o /tmp/x.json names a .json file; pass a directory",
    );
    // A directory without fixtures is named.
    let dir = tempfile::tempdir().unwrap();
    let out = kms_grants(&["--fixture", dir.path().to_str().unwrap()]);
    assert_one_sentence_error(
        &out,
        &format!(
            "kms-grants: {} holds no fixtures (*.json);",
            dir.path().display()
        ),
    );
}

#[test]
fn conflicting_or_unknown_flags_exit_2() {
    let out = kms_grants(&["--demo", "--fixture", "x.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    let out = kms_grants(&["--read-only", "--allow-writes", "--demo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    let out = kms_grants(&[
        "record",
        "--all-regions",
        "--region",
        "us-east-1",
        "-o",
        "d",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    let out = kms_grants(&["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument '--no-such-flag'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_lists_every_flag() {
    let out = kms_grants(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for flag in [
        "--demo",
        "--fixture",
        "--read-only",
        "--dry-run",
        "--config",
        "--allow-writes",
        "--profile",
        "--region",
        "check",
        "record",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help:\n{text}");
    }
    assert!(Path::new(&demo_path()).exists());
}

#[test]
fn restore_refuses_a_delete_that_only_changed_a_fixture_in_memory() {
    let record = r#"{"time":"2026-11-23T10:00:00Z","phase":"outcome","source":"demo","profile":null,"region":"us-east-2","account":"111122223333","caller":null,"action":"RevokeGrant","dry_run":false,"key":"arn:aws:kms:us-east-2:111122223333:key/k1","grant":{"KeyId":"k1","GrantId":"g1","Operations":["Decrypt"]},"outcome":"done"}"#;
    let (_dir, path) = temp_file("audit.jsonl", &format!("{record}\n"));
    let out = kms_grants(&["restore", "--audit-log", &path, "--grant-id", "g1", "--yes"]);
    assert_one_sentence_error(
        &out,
        "kms-grants: grant g1 was deleted in a demo session, which changed only memory: there is nothing to restore",
    );
}

#[test]
fn an_account_marked_read_only_is_read_only_however_its_profile_is_reached() {
    let (_dir, config) = temp_file(
        "config.toml",
        "[[accounts]]\nname = \"production\"\nprofile = \"prod\"\nread_only = true\n\n[[accounts]]\nname = \"main\"\nprofile = \"default\"\nread_only = true\n",
    );
    let refused = |out: &Output, account: &str| {
        assert_one_sentence_error(
            out,
            &format!(
                "kms-grants: the session is read-only (account {account} is read_only in the config; --allow-writes lifts it), so kms:CreateGrant was not sent"
            ),
        );
    };
    // Named, by AWS_PROFILE, or not at all (the chain's `default`).
    let out = kms_grants(&[
        "--config",
        &config,
        "--profile",
        "prod",
        "restore",
        "--grant-id",
        "g",
    ]);
    refused(&out, "production");
    let out = Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(["--config", &config, "restore", "--grant-id", "g"])
        .env("AWS_PROFILE", "prod")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .output()
        .unwrap();
    refused(&out, "production");
    let out = kms_grants(&["--config", &config, "restore", "--grant-id", "g"]);
    refused(&out, "main");
    // --allow-writes lifts it: the restore goes on to the audit log.
    let out = kms_grants(&[
        "--config",
        &config,
        "--allow-writes",
        "--audit-log",
        "/nonexistent/audit.jsonl",
        "restore",
        "--grant-id",
        "g",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("read-only"), "{}", stderr(&out));
}

#[test]
fn an_error_quoting_the_file_cannot_drive_the_terminal() {
    let text = "{\"format\": \"kms-grants/fixture\", \"version\": 1, \"keys\": [], \"retirable\": {\"\\u001b]2;pwned\\u0007\": [{}]}}";
    let (_dir, path) = temp_file("evil.json", text);
    let out = kms_grants(&["check", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("␛]2;pwned␇"), "shown, replaced: {err}");
}

/// Runs kms-grants with `args` as [`kms_grants`] does, killing it if it has not ended within
/// `seconds` (then `None`: it hung).
fn kms_grants_within(args: &[&str], seconds: u64) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(args)
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env_remove("AWS_REGION")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[cfg(unix)]
#[test]
fn a_device_or_fifo_is_never_an_output_and_is_left_as_it_is() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let fifo = fifo.to_str().unwrap();
    let is_fifo = || std::fs::metadata(fifo).unwrap().file_type().is_fifo();
    // Nothing listens on port 9: had record listed the account first, it would say so.
    let endpoint = [
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ];
    let out = kms_grants(&[&["record", "-o", "/dev/null"][..], &endpoint].concat());
    assert_one_sentence_error(
        &out,
        "kms-grants: -o /dev/null is a character device, not a regular file: give a file path",
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let out = kms_grants(&[&["record", "-o", fifo][..], &endpoint].concat());
    assert_one_sentence_error(
        &out,
        &format!("kms-grants: -o {fifo} is a FIFO, not a regular file: give a file path"),
    );
    assert!(is_fifo());
    // Several targets go to a directory: a FIFO is not one either.
    let out = kms_grants(
        &[
            &["record", "-o", fifo, "--region", "eu-west-1"][..],
            &endpoint,
        ]
        .concat(),
    );
    assert_one_sentence_error(
        &out,
        &format!("kms-grants: -o {fifo} is a FIFO, not a directory: give a directory path"),
    );
    assert!(is_fifo());
    // Opening a FIFO to append blocks until someone reads it: start-up used to hang here.
    for flag in ["--audit-log", "--log-file"] {
        let out = kms_grants_within(&["--demo", flag, fifo], 20)
            .unwrap_or_else(|| panic!("--demo {flag} FIFO hung"));
        assert_one_sentence_error(
            &out,
            &format!("kms-grants: {flag} {fifo} is a FIFO, not a regular file: give a file path"),
        );
        assert!(is_fifo());
    }
    let out = kms_grants(&["--demo", "--audit-log", "/dev/full"]);
    assert_one_sentence_error(
        &out,
        "kms-grants: --audit-log /dev/full is a character device, not a regular file: give a file path",
    );
    let out = kms_grants(&["--demo", "--log-file", dir.path().to_str().unwrap()]);
    assert_one_sentence_error(
        &out,
        &format!(
            "kms-grants: --log-file {} is a directory, not a regular file: give a file path",
            dir.path().display()
        ),
    );
}

#[test]
fn a_bad_region_or_endpoint_flag_is_one_sentence_naming_the_flag() {
    for (args, expected) in [
        (
            &["--region", "us east"][..],
            "kms-grants: --region \"us east\" is not an AWS region name: give one like us-east-1 or eu-west-2",
        ),
        (
            &["record", "-o", "/tmp/never.json", "--region", "../x"][..],
            "kms-grants: --region \"../x\" is not an AWS region name: give one like us-east-1 or eu-west-2",
        ),
        (
            &["--region", "us-east-1", "--endpoint-url", "ftp://x"][..],
            "kms-grants: --endpoint-url ftp://x has the scheme ftp, and only http:// and https:// are served",
        ),
        (
            &["--region", "us-east-1", "--endpoint-url", "http://[::1"][..],
            "kms-grants: --endpoint-url http://[::1 is not a valid URL (invalid authority)",
        ),
        (
            &["--endpoint-url", "http://admin:S3cret@[::1"][..],
            "kms-grants: --endpoint-url http://admin:•••@[::1 is not a valid URL (invalid authority)",
        ),
        (
            &["--endpoint-url", "localhost:4566"][..],
            "kms-grants: --endpoint-url localhost:4566 has no scheme: write it as http://HOST:PORT or https://HOST",
        ),
    ] {
        let out = kms_grants(args);
        assert_one_sentence_error(&out, expected);
        assert_eq!(stderr(&out).trim_end(), expected, "{args:?}");
    }
    // AWS_ENDPOINT_URL is named as such.
    let out = Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(["--region", "us-east-1"])
        .env("AWS_ENDPOINT_URL", "ftp://y")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .output()
        .unwrap();
    assert_one_sentence_error(
        &out,
        "kms-grants: AWS_ENDPOINT_URL ftp://y has the scheme ftp, and only http:// and https:// are served",
    );
}

#[test]
fn the_app_without_a_terminal_says_so_and_points_at_the_subcommands() {
    // `output()` gives the program pipes, not a terminal.
    let out = kms_grants(&["--demo"]);
    assert_one_sentence_error(
        &out,
        "kms-grants: the app needs a terminal (stdout is not a tty): run it in a terminal, or use `kms-grants check` or `kms-grants record` in scripts",
    );
}

#[test]
fn an_os_reason_is_said_once() {
    let out = kms_grants(&["check", "/nonexistent/fixture.json"]);
    assert_eq!(
        stderr(&out),
        "kms-grants: cannot read fixture /nonexistent/fixture.json: no such file\n"
    );
    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let a = a.to_str().unwrap();
        let out = kms_grants(&["check", a]);
        assert_eq!(
            stderr(&out),
            format!("kms-grants: cannot read fixture {a}: Too many levels of symbolic links\n")
        );
        let out = kms_grants(&["--config", a, "--demo"]);
        assert_eq!(
            stderr(&out),
            format!("kms-grants: cannot read config file {a}: Too many levels of symbolic links\n")
        );
    }
}

#[test]
fn a_byte_order_mark_is_skipped_and_utf16_is_named() {
    let demo = std::fs::read_to_string(demo_path()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, [&b"\xEF\xBB\xBF"[..], demo.as_bytes()].concat()).unwrap();
    let out = kms_grants(&["check", bom.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (name, bytes) in [
        (
            "le.json",
            [&[0xFF, 0xFE][..], &utf16(&demo, u16::to_le_bytes)].concat(),
        ),
        ("be-no-bom.json", utf16(&demo, u16::to_be_bytes)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let path = path.to_str().unwrap();
        let out = kms_grants(&["check", path]);
        assert_one_sentence_error(
            &out,
            &format!(
                "kms-grants: {path}:1:1: the file is UTF-16 text, and fixtures are UTF-8: save it as UTF-8"
            ),
        );
    }
}

fn utf16(text: &str, bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    text.encode_utf16().flat_map(bytes).collect()
}

#[test]
fn a_trailing_comma_is_placed_by_line_and_column() {
    let demo = std::fs::read_to_string(demo_path()).unwrap();
    let text = demo.replacen(
        "\"region\": \"us-east-2\",",
        "\"region\": \"us-east-2\",}",
        1,
    );
    let (_dir, path) = temp_file("comma.json", &text);
    let line = demo
        .lines()
        .position(|l| l.contains("\"region\": \"us-east-2\","))
        .unwrap()
        + 1;
    let column = demo.lines().nth(line - 1).unwrap().find(',').unwrap() + 2;
    let out = kms_grants(&["check", &path]);
    assert_eq!(
        stderr(&out),
        format!(
            "kms-grants: {path}:{line}:{column}: malformed JSON: a comma before a closing bracket, which JSON does not allow; remove it\n"
        )
    );
}

#[cfg(unix)]
#[test]
fn check_into_a_closed_pipe_ends_quietly() {
    // As `kms-grants check f | head -1` once the reader has gone: no panic, no message.
    let (read, write) = nix::unistd::pipe().unwrap();
    drop(read);
    let out = Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(["check", &demo_path()])
        .stdout(std::process::Stdio::from(write))
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}
