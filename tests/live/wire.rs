//! The live source against the KMS wire protocol, over real HTTP with `wiremock`: the edges a
//! local KMS-compatible server does not honour (pagination markers, throttling, DryRun,
//! AccessDenied, server errors, malformed bodies, timeouts, unreachable endpoints).

use crate::common;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use kms_grants::app::{Action, Command, GrantTarget, Write, Wrote};
use kms_grants::audit::{self, AuditLog, AuditRecord, Outcome, Phase};
use kms_grants::runtime::Executor;
use kms_grants::source::pace::{Backoff, Op, RateLimits};
use kms_grants::source::{
    KmsSource, LiveKms, LiveOptions, LostAnswer, LostWrite, Settlement, SourceError, WriteKind,
    WriteOutcome,
};
use kms_grants::writer::Audit;
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{body_partial_json, header, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN: &str = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// A live source pointed at `endpoint`, with `attempts` tries per call and quick backoff.
async fn source_at(endpoint: &str, attempts: u32, timeout: Duration) -> LiveKms {
    let config = live_config(endpoint, attempts, timeout).await;
    LiveKms::from_sdk_config(
        &config,
        &LiveOptions {
            backoff: QUICK_BACKOFF,
            ..LiveOptions::default()
        },
    )
    .unwrap()
}

/// The SDK config of [`source_at`].
async fn live_config(endpoint: &str, attempts: u32, timeout: Duration) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-2"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_timeout(timeout)
                .build(),
        )
        .load()
        .await
}

/// Throttling that outlasts the SDK's retries pauses a millisecond, then two, and a call is
/// tried twice more before it fails (the default pauses start at 250 ms).
const QUICK_BACKOFF: Backoff = Backoff {
    first: Duration::from_millis(1),
    max: Duration::from_millis(4),
    retries: 2,
};

async fn source(server: &MockServer) -> LiveKms {
    source_at(&server.uri(), 3, Duration::from_secs(10)).await
}

fn target(action: &str) -> wiremock::matchers::HeaderExactMatcher {
    header("x-amz-target", format!("TrentService.{action}").as_str())
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .set_body_json(body)
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .set_body_json(json!({"__type": code, "message": message}))
}

/// Matches a request without a `Marker` (the first page).
struct FirstPage;

impl wiremock::Match for FirstPage {
    fn matches(&self, request: &Request) -> bool {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        body.get("Marker").is_none()
    }
}

fn grant(id: &str) -> Value {
    json!({
        "KeyId": KEY_ARN, "GrantId": id, "Name": format!("name-{id}"),
        "CreationDate": 1572216195.0,
        "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
        "RetiringPrincipal": "arn:aws:iam::111122223333:role/admin",
        "IssuingAccount": "arn:aws:iam::111122223333:root",
        "Operations": ["Decrypt", "SomeFutureOperation"],
        "Constraints": {"EncryptionContextSubset": {"Department": "IT"}}
    })
}

/// Serves `pages` of a list call: page i answers to marker `m{i}` and points at `m{i+1}`.
async fn mount_pages(
    server: &MockServer,
    action: &str,
    field: &str,
    pages: Vec<Vec<Value>>,
    limit: i64,
) {
    let count = pages.len();
    for (i, items) in pages.into_iter().enumerate() {
        let mut body = json!({ field: items, "Truncated": i + 1 < count });
        if i + 1 < count {
            body["NextMarker"] = json!(format!("m{}", i + 1));
        }
        let mock = Mock::given(method("POST"))
            .and(target(action))
            .and(body_partial_json(json!({"Limit": limit})));
        let mock = if i == 0 {
            mock.and(FirstPage)
        } else {
            mock.and(body_partial_json(json!({"Marker": format!("m{i}")})))
        };
        mock.respond_with(ok(body)).expect(1).mount(server).await;
    }
}

#[tokio::test]
async fn list_grants_follows_every_page_with_the_largest_page_size() {
    let server = MockServer::start().await;
    mount_pages(
        &server,
        "ListGrants",
        "Grants",
        vec![
            vec![grant("g1"), grant("g2")],
            vec![grant("g3")],
            vec![grant("g4")],
        ],
        100,
    )
    .await;
    let grants = source(&server).await.list_grants(KEY).await.unwrap();
    let ids: Vec<&str> = grants.iter().map(|g| g.grant_id.as_str()).collect();
    assert_eq!(ids, ["g1", "g2", "g3", "g4"]);
    // Every field of the entry arrives, unknown operations included.
    let first = &grants[0];
    assert_eq!(first.name.as_deref(), Some("name-g1"));
    assert_eq!(first.operations_full(), "Decrypt, SomeFutureOperation");
    assert_eq!(first.constraints_summary(), "⊆{Department=IT}");
    assert_eq!(first.creation_date.unwrap().date(), "2019-10-27");
    assert_eq!(
        first.issuing_account.as_deref(),
        Some("arn:aws:iam::111122223333:root")
    );
}

#[tokio::test]
async fn list_keys_joins_every_page_of_keys_and_aliases() {
    let server = MockServer::start().await;
    let key = |id: &str| json!({"KeyId": id, "KeyArn": format!("arn:aws:kms:us-east-2:111122223333:key/{id}")});
    let alias = |name: &str, target: Option<&str>| match target {
        Some(t) => {
            json!({"AliasName": name, "AliasArn": format!("arn:aws:kms:us-east-2:111122223333:{name}"), "TargetKeyId": t})
        }
        None => json!({"AliasName": name}),
    };
    mount_pages(
        &server,
        "ListKeys",
        "Keys",
        vec![vec![key("k1")], vec![key("k2")], vec![key("k3")]],
        1000,
    )
    .await;
    mount_pages(
        &server,
        "ListAliases",
        "Aliases",
        vec![
            vec![
                alias("alias/b", Some("k1")),
                alias("alias/aws/unused", None),
            ],
            vec![alias("alias/a", Some("k1"))],
            vec![alias("alias/c", Some("k3"))],
        ],
        100,
    )
    .await;
    let live = source(&server).await;
    let keys = live.list_keys().await.unwrap();
    let summary: Vec<(String, String)> = keys
        .iter()
        .map(|k| (k.id().to_owned(), k.alias_list()))
        .collect();
    assert_eq!(
        summary,
        [
            ("k1".to_owned(), "alias/a, alias/b".to_owned()),
            ("k2".to_owned(), String::new()),
            ("k3".to_owned(), "alias/c".to_owned()),
        ]
    );
    assert!(
        keys.iter().all(|k| !k.described),
        "metadata comes from DescribeKey"
    );
    assert_eq!(
        live.calls().to_string(),
        "ListKeys 3, ListAliases 3, DescribeKey 0, ListGrants 0, ListRetirableGrants 0"
    );
}

#[tokio::test]
async fn list_retirable_grants_pages_by_principal_and_by_service_principal() {
    let server = MockServer::start().await;
    let principal = "arn:aws:iam::111122223333:role/admin";
    Mock::given(method("POST"))
        .and(target("ListRetirableGrants"))
        .and(body_partial_json(json!({"RetiringPrincipal": principal})))
        .and(FirstPage)
        .respond_with(ok(
            json!({"Grants": [grant("g1")], "Truncated": true, "NextMarker": "m1"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListRetirableGrants"))
        .and(body_partial_json(
            json!({"RetiringPrincipal": principal, "Marker": "m1"}),
        ))
        .respond_with(ok(
            json!({"Grants": [grant("g2")], "Truncated": true, "NextMarker": "m2"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListRetirableGrants"))
        .and(body_partial_json(
            json!({"RetiringPrincipal": principal, "Marker": "m2"}),
        ))
        .respond_with(ok(json!({"Grants": [grant("g3")], "Truncated": false})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListRetirableGrants"))
        .and(body_partial_json(
            json!({"RetiringServicePrincipal": "dynamodb.amazonaws.com"}),
        ))
        .respond_with(ok(json!({"Grants": [grant("g9")], "Truncated": false})))
        .expect(1)
        .mount(&server)
        .await;
    let live = source(&server).await;
    let grants = live.list_retirable_grants(principal).await.unwrap();
    assert_eq!(grants.len(), 3);
    let grants = live
        .list_retirable_grants("dynamodb.amazonaws.com")
        .await
        .unwrap();
    assert_eq!(grants[0].grant_id, "g9");
}

#[tokio::test]
async fn a_marker_that_repeats_is_stopped_with_a_sentence() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(ok(
            json!({"Grants": [grant("g1")], "Truncated": true, "NextMarker": "same"}),
        ))
        .mount(&server)
        .await;
    let err = source(&server).await.list_grants(KEY).await.unwrap_err();
    assert!(matches!(err, SourceError::Malformed { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "kms:ListGrants returned an unusable answer: the server returned the same NextMarker twice, so the list would never end"
    );
}

#[tokio::test]
async fn throttling_is_retried_and_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(error(400, "ThrottlingException", "Rate exceeded"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(ok(json!({"Grants": [grant("g1")], "Truncated": false})))
        .expect(1)
        .mount(&server)
        .await;
    let grants = source(&server).await.list_grants(KEY).await.unwrap();
    assert_eq!(grants.len(), 1);
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_a_sentence() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(error(400, "ThrottlingException", "Rate exceeded"))
        // Three SDK attempts, three times: the first call and the pacer's two retries.
        .expect(9)
        .mount(&server)
        .await;
    let err = source(&server).await.list_grants(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "kms:ListGrants was throttled by KMS even after retries; wait a moment and reload, or lower rate_limits in the config"
    );
}

#[tokio::test]
async fn dry_run_retire_and_revoke_send_dry_run_and_report_would_succeed() {
    let server = MockServer::start().await;
    for action in ["RetireGrant", "RevokeGrant"] {
        Mock::given(method("POST"))
            .and(target(action))
            .and(body_partial_json(
                json!({"KeyId": KEY, "GrantId": "g1", "DryRun": true}),
            ))
            .respond_with(error(
                412,
                "DryRunOperationException",
                "The request would have succeeded, but the DryRun option is set.",
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let live = source(&server).await;
    for kind in [WriteKind::Retire, WriteKind::Revoke] {
        let outcome = live.delete_grant(kind, KEY, "g1", true).await;
        assert_eq!(outcome, Ok(WriteOutcome::DryRunWouldSucceed), "{kind:?}");
    }
}

#[tokio::test]
async fn a_dry_run_that_would_fail_says_why() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("RevokeGrant"))
        .respond_with(error(
            400,
            "AccessDeniedException",
            "User is not authorized to perform kms:RevokeGrant",
        ))
        .mount(&server)
        .await;
    let err = source(&server)
        .await
        .delete_grant(WriteKind::Revoke, KEY, "g1", true)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("access denied: kms:RevokeGrant on grant g1 on key {KEY}")
    );
}

#[tokio::test]
async fn real_writes_do_not_send_dry_run_and_not_found_means_already_gone() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("RetireGrant"))
        .and(body_partial_json(json!({"KeyId": KEY, "GrantId": "g1"})))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            assert!(
                body.get("DryRun").is_none(),
                "a real write carries no DryRun: {body}"
            );
            ok(json!({}))
        })
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("RevokeGrant"))
        .respond_with(error(400, "NotFoundException", "Grant id not found"))
        .mount(&server)
        .await;
    let live = source(&server).await;
    assert_eq!(
        live.delete_grant(WriteKind::Retire, KEY, "g1", false).await,
        Ok(WriteOutcome::Done)
    );
    let gone = live.delete_grant(WriteKind::Revoke, KEY, "g2", false).await;
    assert!(
        matches!(gone, Err(SourceError::GrantNotFound { .. })),
        "{gone:?}"
    );
}

#[tokio::test]
async fn access_denied_names_the_action_and_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(error(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:ListGrants",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = source(&server)
        .await
        .list_grants(KEY_ARN)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("access denied: kms:ListGrants on {KEY_ARN}")
    );
}

#[tokio::test]
async fn a_disabled_key_and_an_unknown_key_are_sentences() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("DescribeKey"))
        .respond_with(error(
            400,
            "KMSInvalidStateException",
            "arn:… is pending deletion.",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(error(400, "NotFoundException", "Key 'x' does not exist"))
        .mount(&server)
        .await;
    let live = source(&server).await;
    let err = live.describe_key(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{KEY} is in a state that does not allow this: arn:… is pending deletion.")
    );
    let err = live.list_grants("x").await.unwrap_err();
    assert_eq!(err.to_string(), "key x was not found");
}

#[tokio::test]
async fn http_500_with_an_html_body_is_a_sentence() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string("<html><body>Internal Server Error</body></html>"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let err = source(&server).await.list_grants(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "kms:ListGrants failed with HTTP 500: the server failed without saying why"
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_sentence() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_string("{\"Grants\": [ this is not json"),
        )
        .mount(&server)
        .await;
    let err = source(&server).await.list_grants(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "kms:ListGrants returned an unusable answer: the server's answer could not be read"
    );
}

#[tokio::test]
async fn a_response_slower_than_the_operation_timeout_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(
            ok(json!({"Grants": [], "Truncated": false})).set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let live = source_at(&server.uri(), 1, Duration::from_millis(300)).await;
    let err = live.list_grants(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "kms:ListGrants timed out: the endpoint did not answer in time"
    );
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_a_sentence() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let live = source_at(
        &format!("http://127.0.0.1:{port}"),
        1,
        Duration::from_secs(5),
    )
    .await;
    let err = live.list_grants(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "kms:ListGrants could not reach the endpoint: connection refused"
    );
}

/// A raw TCP server: for each connection it reads the request, writes `reply`, then (when
/// `endless`) one 64 KiB chunk of JSON whitespace after another until the client goes away.
fn raw_server(reply: &'static [u8], endless: bool) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buffer = [0u8; 65536];
                let _ = stream.read(&mut buffer);
                if stream.write_all(reply).is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                while endless && stream.write_all(chunk.as_bytes()).is_ok() {}
            });
        }
    });
    format!("http://{address}")
}

const CHUNKED_OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ntransfer-encoding: chunked\r\n\r\n";

#[tokio::test]
async fn an_endless_answer_is_cut_off_at_the_cap_and_named() {
    let endpoint = raw_server(CHUNKED_OK, true);
    // A minute is far longer than reading the cap takes: the call fails for its size, not
    // for the time.
    let live = source_at(&endpoint, 1, Duration::from_secs(60)).await;
    let err = live.list_grants(KEY).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the answer to kms:ListGrants was larger than 16 MiB, so it was cut off: is the endpoint a KMS endpoint?"
    );
    assert_eq!(kms_grants::source::live::MAX_ANSWER_BYTES, 16 * 1024 * 1024);
    // STS's answers are read with the same cap.
    let err = live.caller().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the answer to sts:GetCallerIdentity was larger than 16 MiB, so it was cut off: is the endpoint a KMS endpoint?"
    );
}

#[tokio::test]
async fn an_answer_that_says_its_length_is_over_the_cap_is_refused_too() {
    // Retried three times, as any failed read: each read stops at the cap.
    let endpoint = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 100000000000\r\n\r\n",
        true,
    );
    let live = source_at(&endpoint, 3, Duration::from_secs(60)).await;
    let err = live.list_keys().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("was larger than 16 MiB, so it was cut off"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_failures_are_said_in_words() {
    // https to a port that speaks http.
    let server = MockServer::start().await;
    let https = server.uri().replace("http://", "https://");
    let live = source_at(&https, 1, Duration::from_secs(10)).await;
    assert_eq!(
        live.list_grants(KEY).await.unwrap_err().to_string(),
        "kms:ListGrants could not reach the endpoint: the TLS handshake failed: is it an http:// endpoint rather than https://?"
    );
    // A server that is not HTTP (here, SSH's greeting).
    let live = source_at(
        &raw_server(b"SSH-2.0-OpenSSH_9.6\r\n", false),
        1,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        live.list_grants(KEY).await.unwrap_err().to_string(),
        "kms:ListGrants could not reach the endpoint: the server's answer was not HTTP: is the endpoint a KMS endpoint?"
    );
    // A server that closes the connection without answering.
    let live = source_at(&raw_server(b"", false), 1, Duration::from_secs(10)).await;
    assert_eq!(
        live.list_grants(KEY).await.unwrap_err().to_string(),
        "kms:ListGrants could not reach the endpoint: the connection was closed before an answer came"
    );
    // A server that dies in the middle of its answer.
    let live = source_at(
        &raw_server(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 100\r\n\r\n{\"Grants\": [",
            false,
        ),
        1,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        live.list_grants(KEY).await.unwrap_err().to_string(),
        "kms:ListGrants returned an unusable answer: the connection was closed before the whole answer came"
    );
}

#[tokio::test]
async fn an_endpoint_from_the_environment_or_a_profile_is_checked_too() {
    // The flag is checked at start-up (tests/offline/cli.rs); AWS_ENDPOINT_URL and a profile's
    // endpoint_url reach the source through the SDK's config.
    for (url, expected) in [
        (
            "ftp://x",
            "the endpoint URL ftp://x has the scheme ftp, and only http:// and https:// are served: check --endpoint-url, AWS_ENDPOINT_URL and the profile's endpoint_url",
        ),
        (
            "http://admin:S3cret@[::1",
            "the endpoint URL http://admin:•••@[::1 is not a valid URL (invalid authority): check --endpoint-url, AWS_ENDPOINT_URL and the profile's endpoint_url",
        ),
    ] {
        let config = live_config(url, 1, Duration::from_secs(1)).await;
        let err = LiveKms::from_sdk_config(&config, &LiveOptions::default()).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us east"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .load()
        .await;
    let err = LiveKms::from_sdk_config(&config, &LiveOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"us east\" is not an AWS region name (like us-east-1): check --region, AWS_REGION and the profile's region"
    );
}

#[test]
fn record_never_shows_or_writes_the_endpoints_password() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        mount_account(&server, 1).await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(target("ListGrants"))
            .respond_with(ok(json!({"Grants": [], "Truncated": false})))
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("account.json");
    let endpoint = format!("http://admin:S3cret@{}", server.address());
    let result = common::wire::record(&["--region", "us-east-2"], &endpoint, &out);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!stderr.contains("S3cret") && !written.contains("S3cret"));
    // Nor when the endpoint cannot be reached and the error says so.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let result = common::wire::record(
        &["--region", "us-east-2"],
        &format!("http://admin:S3cret@127.0.0.1:{port}"),
        &out,
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(!stderr.contains("S3cret"), "{stderr}");
}

#[tokio::test]
async fn the_endpoint_a_source_shows_has_no_password() {
    // However it came (flag, AWS_ENDPOINT_URL, a profile's endpoint_url), the SDK config holds
    // it; what the source shows (header, title, audit records, copied commands) is masked.
    let config = live_config(
        "http://admin:S3cret@127.0.0.1:4566",
        1,
        Duration::from_secs(1),
    )
    .await;
    let live = LiveKms::from_sdk_config(&config, &LiveOptions::default()).unwrap();
    let kms_grants::source::SourceKind::Live { endpoint, .. } = live.info().kind else {
        panic!("a live source");
    };
    assert_eq!(endpoint.as_deref(), Some("http://admin:•••@127.0.0.1:4566"));
    assert!(!live.info().kind.to_string().contains("S3cret"));
}

#[tokio::test]
async fn a_profiles_endpoint_url_is_masked_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &config,
        "[profile local]\nregion = us-east-1\nendpoint_url = http://admin:S3cret@127.0.0.1:4566\n\n[profile bad]\nregion = us-east-1\nendpoint_url = ftp://x\n",
    )
    .unwrap();
    std::fs::write(
        &credentials,
        "[local]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n\n[bad]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let options = |profile: &str| LiveOptions {
        profile: Some(profile.to_owned()),
        profile_files: kms_grants::places::ProfileFiles::at(&config, &credentials),
        ..LiveOptions::default()
    };
    let live = LiveKms::connect(&options("local")).await.unwrap();
    assert_eq!(
        live.info().kind.to_string(),
        "profile local │ endpoint http://admin:•••@127.0.0.1:4566"
    );
    let err = LiveKms::connect(&options("bad")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the endpoint URL ftp://x has the scheme ftp, and only http:// and https:// are served: check --endpoint-url, AWS_ENDPOINT_URL and the profile's endpoint_url"
    );
}

#[tokio::test]
async fn a_read_only_live_source_sends_no_write() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-2"))
        .endpoint_url(server.uri())
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .load()
        .await;
    let options = LiveOptions {
        read_only: true,
        ..LiveOptions::default()
    };
    let live = LiveKms::from_sdk_config(&config, &options).unwrap();
    for kind in [WriteKind::Retire, WriteKind::Revoke] {
        for dry_run in [false, true] {
            assert_eq!(
                live.delete_grant(kind, KEY, "g1", dry_run).await,
                Err(SourceError::ReadOnly { action: kind })
            );
        }
    }
    assert!(matches!(
        live.retire_with_token("token", false).await,
        Err(SourceError::ReadOnly { .. })
    ));
}

#[tokio::test]
async fn missing_credentials_name_the_fix() {
    let server = MockServer::start().await;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-2"))
        .endpoint_url(server.uri())
        .credentials_provider(NoCredentials)
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    let options = LiveOptions {
        profile: Some("prod".to_owned()),
        ..LiveOptions::default()
    };
    let live = LiveKms::from_sdk_config(&config, &options).unwrap();
    let err = live.list_grants(KEY).await.unwrap_err();
    assert!(matches!(err, SourceError::Credentials { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "no AWS credentials were found; run `aws sso login --profile prod` or check the profile's credentials"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing unsigned is sent"
    );
}

#[derive(Debug)]
struct NoCredentials;

impl aws_credential_types::provider::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no providers in chain provided credentials",
            ),
        ))
    }
}

#[tokio::test]
async fn a_server_that_ignores_dry_run_is_reported_as_a_real_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("RevokeGrant"))
        .and(body_partial_json(json!({"DryRun": true})))
        .respond_with(ok(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = source(&server)
        .await
        .delete_grant(WriteKind::Revoke, KEY, "g1", true)
        .await;
    assert_eq!(outcome, Ok(WriteOutcome::DoneDespiteDryRun));
}

/// A ListKeys answer naming `keys`, a DescribeKey answer for whichever key is asked for, and no
/// aliases: an account the record test can inventory.
async fn mount_account(server: &MockServer, keys: usize) {
    let listed: Vec<Value> = (0..keys)
        .map(|i| json!({"KeyId": format!("key-{i}"), "KeyArn": format!("arn:aws:kms:us-east-2:111122223333:key/key-{i}")}))
        .collect();
    Mock::given(method("POST"))
        .and(target("ListKeys"))
        .respond_with(ok(json!({"Keys": listed, "Truncated": false})))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListAliases"))
        .respond_with(ok(json!({"Aliases": [], "Truncated": false})))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(target("DescribeKey"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let id = body["KeyId"].as_str().unwrap().to_owned();
            ok(json!({"KeyMetadata": {
                "KeyId": id,
                "Arn": format!("arn:aws:kms:us-east-2:111122223333:key/{id}"),
                "KeyState": "Enabled", "Enabled": true
            }}))
        })
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_throttling_storm_slows_record_down_instead_of_failing_it() {
    let server = MockServer::start().await;
    mount_account(&server, 6).await;
    // Twelve throttles in a row, more than the SDK (one attempt here) and the pacer's two
    // retries could absorb for one call, spread over the six keys' ListGrants calls.
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(error(400, "ThrottlingException", "Rate exceeded"))
        .up_to_n_times(12)
        .expect(12)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let mut entry = grant("g1");
            entry["KeyId"] = body["KeyId"].clone();
            ok(json!({"Grants": [entry], "Truncated": false}))
        })
        .expect(6)
        .mount(&server)
        .await;
    let live = LiveKms::from_sdk_config(
        &live_config(&server.uri(), 1, Duration::from_secs(10)).await,
        &LiveOptions {
            backoff: Backoff {
                retries: 8,
                ..QUICK_BACKOFF
            },
            // The server stands for AWS here: the ceilings of a real account.
            rate_limits: Some(RateLimits::default()),
            ..LiveOptions::default()
        },
    )
    .unwrap();
    let progress = indicatif::ProgressBar::hidden();
    let (snapshot, report) = kms_grants::record::record(&live, &[], 2, false, &progress)
        .await
        .expect("a throttled inventory still completes");
    assert_eq!(snapshot.keys.len(), 6);
    assert!(snapshot.keys.iter().all(|k| k.grants.len() == 1));
    assert_eq!(report.throttled, 12);
    // The pace of ListGrants was cut (80/s → 40 → … → at least 1) and the report says so.
    let slowdowns = live.pacer().slowdowns();
    assert_eq!(slowdowns.len(), 1, "{slowdowns:?}");
    assert_eq!(slowdowns[0].0, Op::ListGrants);
    assert!(slowdowns[0].1 < 80);
    assert!(
        report.slowdowns.starts_with("ListGrants slowed to "),
        "{}",
        report.slowdowns
    );
    // Every throttled attempt was a real call: 6 + 12 ListGrants.
    assert_eq!(report.calls, 1 + 1 + 6 + 18);
    // The app's progress line can say why the load is slow.
    let pace = live.pace().expect("throttling is still slowing ListGrants");
    assert!(
        pace.starts_with("KMS is throttling: ListGrants at "),
        "{pace}"
    );
    assert!(pace.ends_with("/s of 80/s"), "{pace}");
}

#[tokio::test]
async fn a_throttled_write_is_not_sent_again_by_the_pacer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("RevokeGrant"))
        .respond_with(error(400, "ThrottlingException", "Rate exceeded"))
        // Sent once: neither the SDK nor the pacer sends a write again.
        .expect(1)
        .mount(&server)
        .await;
    let live = source(&server).await;
    let result = live.delete_grant(WriteKind::Revoke, KEY, "g1", false).await;
    assert!(
        matches!(result, Err(SourceError::Throttled { .. })),
        "{result:?}"
    );
    // It still slows RevokeGrant down for the writes after it.
    assert_eq!(live.pacer().throttles(), 1);
}

/// `record --all-regions` where the account has enabled no opt-in region: each of those
/// refuses the credentials (as AWS does), is skipped and is not a failure; a region that
/// refuses them without being opt-in is a failure.
#[test]
fn record_all_regions_skips_opt_in_regions_the_account_has_not_enabled() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        // SigV4 names the region in the credential scope: `…/20261123/af-south-1/sts/…`.
        let refused = format!(
            "/({}|us-west-1)/",
            kms_grants::region::OPT_IN_REGIONS.join("|")
        );
        Mock::given(method("POST"))
            .and(wiremock::matchers::header_regex("authorization", &refused))
            .respond_with(
                ResponseTemplate::new(403)
                    .insert_header("content-type", "text/xml")
                    .set_body_string(
                        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
                         <Message>The security token included in the request is invalid.</Message></Error>\
                         <RequestId>r1</RequestId></ErrorResponse>",
                    ),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(target("ListKeys"))
            .respond_with(ok(json!({"Keys": [], "Truncated": false})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(target("ListAliases"))
            .respond_with(ok(json!({"Aliases": [], "Truncated": false})))
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let out = common::wire::record(&["--all-regions"], &server.uri(), dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let regions = kms_grants::region::KMS_REGIONS.len();
    assert!(
        stderr.ends_with(&format!(
            "kms-grants: 1 of {regions} targets failed; the others were recorded\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("- profile (default chain) in af-south-1: skipped, af-south-1 is an opt-in region and refused these credentials: it is not enabled for this account"),
        "{stderr}"
    );
    assert!(
        stderr.contains("✗ profile (default chain) in us-west-1: The security token included in the request is invalid."),
        "{stderr}"
    );
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(
        files,
        regions - kms_grants::region::OPT_IN_REGIONS.len() - 1,
        "one file per enabled region"
    );
    assert!(dir.path().join("111122223333-us-east-1.json").exists());
}

/// An endpoint that serves KMS but not STS (a KMS-only emulator) can still be recorded over
/// several regions: the account comes from the keys' ARNs.
#[test]
fn record_over_several_regions_needs_no_sts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::body_string_contains(
                "Action=GetCallerIdentity",
            ))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        for (action, body) in [
            (
                "ListKeys",
                json!({"Keys": [{"KeyId": KEY, "KeyArn": KEY_ARN}], "Truncated": false}),
            ),
            ("ListAliases", json!({"Aliases": [], "Truncated": false})),
            (
                "DescribeKey",
                json!({"KeyMetadata": {"KeyId": KEY, "Arn": KEY_ARN, "KeyState": "Enabled"}}),
            ),
            (
                "ListGrants",
                json!({"Grants": [grant("g1")], "Truncated": false}),
            ),
        ] {
            Mock::given(method("POST"))
                .and(target(action))
                .respond_with(ok(body))
                .mount(&server)
                .await;
        }
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let out = common::wire::record(
        &["--region", "us-east-1", "--region", "eu-west-1"],
        &server.uri(),
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for region in ["us-east-1", "eu-west-1"] {
        let snapshot =
            kms_grants::fixture::load(&dir.path().join(format!("111122223333-{region}.json")))
                .unwrap();
        assert_eq!(snapshot.keys[0].grants.len(), 1, "{region}");
    }
}

/// A TCP proxy to `upstream` that dies (every connection cut, the port closed) as soon as a
/// request carrying `trigger` passes through it: a server going away in the middle of a run,
/// at a known point rather than after a guessed time.
fn dying_proxy(upstream: std::net::SocketAddr, trigger: &'static str) -> String {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let dead = Arc::new(AtomicBool::new(false));
    let open: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
    let kill = {
        let (dead, open) = (Arc::clone(&dead), Arc::clone(&open));
        move || {
            dead.store(true, Ordering::SeqCst);
            for stream in open.lock().unwrap().iter() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    };
    std::thread::spawn(move || {
        while !dead.load(Ordering::SeqCst) {
            let Ok((client, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(2));
                continue;
            };
            client.set_nonblocking(false).unwrap();
            let server = TcpStream::connect(upstream).unwrap();
            open.lock()
                .unwrap()
                .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
            // Requests: watched for the trigger, which kills everything instead of passing.
            let (mut from, mut to, kill) = (
                client.try_clone().unwrap(),
                server.try_clone().unwrap(),
                kill.clone(),
            );
            std::thread::spawn(move || {
                let mut buffer = [0u8; 16384];
                while let Ok(n) = from.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    if String::from_utf8_lossy(&buffer[..n]).contains(trigger) {
                        kill();
                        break;
                    }
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            });
            let (mut from, mut to) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from, &mut to);
            });
        }
        // The listener goes with the thread: new connections are refused.
    });
    format!("http://{address}")
}

#[test]
fn a_server_dying_mid_record_leaves_the_previous_file_and_says_so() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        mount_account(&server, 3).await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(target("ListGrants"))
            .respond_with(ok(json!({"Grants": [], "Truncated": false})))
            .mount(&server)
            .await;
        server
    });
    // The server dies when the first grant list is asked for, after the keys were listed.
    let endpoint = dying_proxy(*server.address(), "TrentService.ListGrants");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("account.json");
    std::fs::write(&out, "previous content").unwrap();
    let result = common::wire::record(&["--region", "us-east-2"], &endpoint, &out);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "kms-grants: recording failed and {} was left as it was: kms:",
            out.display()
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous content");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

// ----- Writes are sent once; a lost answer is settled by listing (issue 12, item 2) -----

const KEY2: &str = "2234abcd-12ab-34cd-56ef-1234567890ab";
const KEY2_ARN: &str =
    "arn:aws:kms:us-east-2:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab";

/// An executor over `live` writing its audit records to a fresh log.
fn audited(live: LiveKms) -> (Executor, tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let executor = Executor {
        source: std::sync::Arc::new(live),
        audit: Audit::Log(std::sync::Arc::new(AuditLog::open(&path).unwrap())),
    };
    (executor, dir, path)
}

/// The revoke of grant `g1` on [`KEY_ARN`], as the app sends it.
fn revoke_g1() -> Command {
    Command::Write(Write::Delete {
        kind: WriteKind::Revoke,
        target: Box::new(GrantTarget {
            grant: serde_json::from_value(grant("g1")).unwrap(),
            key_aliases: vec![],
            key_arn: KEY_ARN.to_owned(),
            key_state: None,
        }),
        dry_run: false,
    })
}

/// The phase, outcome and error of each record, checking they share one operation id.
fn one_operation(records: &[AuditRecord]) -> Vec<(Phase, Option<Outcome>, Option<String>)> {
    assert!(records[0].op.is_some());
    assert!(records.iter().all(|r| r.op == records[0].op), "{records:?}");
    records
        .iter()
        .map(|r| (r.phase, r.outcome, r.error.clone()))
        .collect()
}

#[tokio::test]
async fn a_revoke_answered_500_is_sent_once_and_settled_by_listing_the_key() {
    for still_listed in [false, true] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(target("RevokeGrant"))
            .respond_with(
                ResponseTemplate::new(500)
                    .set_body_string("<html><body>Internal Server Error</body></html>"),
            )
            // Once: it was three times, each of which may have revoked.
            .expect(1)
            .mount(&server)
            .await;
        let listed = if still_listed {
            vec![grant("g1")]
        } else {
            vec![]
        };
        Mock::given(method("POST"))
            .and(target("ListGrants"))
            .and(body_partial_json(
                json!({"KeyId": KEY_ARN, "GrantId": "g1"}),
            ))
            .respond_with(ok(json!({"Grants": listed, "Truncated": false})))
            .expect(1)
            .mount(&server)
            .await;
        let (executor, _dir, log) = audited(source(&server).await);
        let actions = executor.perform(revoke_g1()).await;
        let [Action::Wrote(Wrote::Deleted { result, .. })] = &actions[..] else {
            panic!("{actions:?}")
        };
        let records = audit::read(&log).unwrap();
        let records = one_operation(&records);
        assert_eq!(records[0].0, Phase::Intent);
        assert_eq!(records[1].1, Some(Outcome::Unknown));
        assert_eq!(
            records[1].2.as_deref(),
            Some(
                format!(
                    "the answer to kms:RevokeGrant of grant g1 on key {KEY_ARN} was lost (HTTP 500), so whether it happened is unknown until the key's grants are listed"
                )
                .as_str()
            )
        );
        if still_listed {
            assert_eq!(
                result,
                &Err(SourceError::AnswerLost {
                    write: LostWrite::Delete {
                        kind: WriteKind::Revoke,
                        key_id: KEY_ARN.to_owned(),
                        grant_id: "g1".to_owned()
                    },
                    lost: LostAnswer::ServerError(500),
                    settled: Settlement::NotDone,
                })
            );
            assert_eq!(
                records[2],
                (Phase::Settled, Some(Outcome::NotDeleted), None)
            );
        } else {
            assert_eq!(
                result,
                &Ok(WriteOutcome::DoneAnswerLost(LostAnswer::ServerError(500)))
            );
            assert_eq!(records[2], (Phase::Settled, Some(Outcome::Deleted), None));
            // Restorable like any other deletion.
            assert!(audit::find_deletion(&audit::read(&log).unwrap(), "g1").is_some());
        }
    }
}

#[tokio::test]
async fn a_write_that_times_out_is_unknown_not_failed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(target("RetireGrant"))
        .respond_with(ok(json!({})).set_delay(Duration::from_secs(3)))
        // Two retires below, each sent once (the SDK would have sent each three times).
        .expect(2)
        .mount(&server)
        .await;
    // Listing fails too: still unknown, and the log says why.
    Mock::given(method("POST"))
        .and(target("ListGrants"))
        .respond_with(error(400, "AccessDeniedException", "not for you"))
        .mount(&server)
        .await;
    // Three attempts for reads; the write still goes once.
    let live = source_at(&server.uri(), 3, Duration::from_millis(300)).await;
    let err = live
        .delete_grant(WriteKind::Retire, KEY, "g1", false)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the answer to kms:RetireGrant of grant g1 on key {KEY} was lost (no answer in time), so whether it happened is unknown until the key's grants are listed"
        )
    );
    let (executor, _dir, log) = audited(live);
    let Command::Write(Write::Delete { target, .. }) = revoke_g1() else {
        unreachable!()
    };
    let actions = executor
        .perform(Command::Write(Write::Delete {
            kind: WriteKind::Retire,
            target,
            dry_run: false,
        }))
        .await;
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
        format!(
            "the answer to kms:RetireGrant of grant g1 on key {KEY_ARN} was lost (no answer in time), and whether it happened is still unknown (listing the key failed: access denied: kms:ListGrants on {KEY_ARN}): list the key's grants to see"
        )
    );
    let records = audit::read(&log).unwrap();
    let records = one_operation(&records);
    assert_eq!(records[1].1, Some(Outcome::Unknown));
    assert_eq!(
        records[2],
        (
            Phase::Settled,
            Some(Outcome::StillUnknown),
            Some(format!(
                "listing the key failed: access denied: kms:ListGrants on {KEY_ARN}"
            ))
        )
    );
}

#[tokio::test]
async fn a_write_refused_before_sending_or_cut_after_it_are_told_apart() {
    // Nothing listens: the request never left, so it certainly did nothing.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let live = source_at(
        &format!("http://127.0.0.1:{port}"),
        1,
        Duration::from_secs(5),
    )
    .await;
    let err = live
        .delete_grant(WriteKind::Revoke, KEY, "g1", false)
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Network { .. }), "{err:?}");
    // A server that reads the request and hangs up: it may have done it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&received);
    std::thread::spawn(move || {
        use std::io::Read;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buffer = [0u8; 65536];
            let _ = stream.read(&mut buffer);
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let live = source_at(&format!("http://{address}"), 3, Duration::from_secs(5)).await;
    let err = live
        .delete_grant(WriteKind::Revoke, KEY, "g1", false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SourceError::AnswerLost {
                lost: LostAnswer::ConnectionLost,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(received.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// An audit log where grant `g1` (unnamed) was revoked through `endpoint` on each of `keys`.
fn deletion_log(dir: &std::path::Path, endpoint: &str, keys: &[&str]) -> std::path::PathBuf {
    let path = dir.join("audit.jsonl");
    let mut text = String::new();
    for key in keys {
        let mut entry = grant("g1");
        entry["KeyId"] = json!(key);
        entry.as_object_mut().unwrap().remove("Name");
        let mut record = AuditRecord {
            time: "2026-11-23T10:00:00Z".into(),
            phase: Phase::Intent,
            op: Some(format!("op-{key}")),
            source: "live".into(),
            profile: None,
            endpoint: Some(endpoint.to_owned()),
            region: Some("us-east-2".into()),
            account: Some("111122223333".into()),
            caller: None,
            action: audit::AuditAction::RevokeGrant,
            dry_run: false,
            key: (*key).to_owned(),
            grant: Some(serde_json::from_value(entry).unwrap()),
            outcome: None,
            error: None,
            new_grant_id: None,
        };
        text.push_str(&serde_json::to_string(&record).unwrap());
        text.push('\n');
        record.phase = Phase::Outcome;
        record.outcome = Some(Outcome::Done);
        text.push_str(&serde_json::to_string(&record).unwrap());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `kms-grants ARGS` against `endpoint` in us-east-2, with test credentials and no AWS
/// files, profile or region of the machine's.
fn kms_grants_at(endpoint: &str, args: &[&str]) -> std::process::Output {
    let log = tempfile::NamedTempFile::new().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .args(["--endpoint-url", endpoint, "--region", "us-east-2"])
        .arg("--log-file")
        .arg(log.path())
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("the binary runs")
}

#[test]
fn a_restore_answered_500_is_sent_once_with_a_name_and_settles_to_that_grant() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        // The grant had no name: the restore sends one derived from its id.
        Mock::given(method("POST"))
            .and(target("CreateGrant"))
            .and(body_partial_json(
                json!({"KeyId": KEY_ARN, "Name": "kms-grants-restore-g1"}),
            ))
            .respond_with(ResponseTemplate::new(500))
            .expect(1)
            .mount(&server)
            .await;
        let mut created = grant("new1");
        created["Name"] = json!("kms-grants-restore-g1");
        Mock::given(method("POST"))
            .and(target("ListGrants"))
            .and(body_partial_json(json!({"KeyId": KEY_ARN})))
            .respond_with(ok(
                json!({"Grants": [grant("other"), created], "Truncated": false}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let log = deletion_log(dir.path(), &server.uri(), &[KEY_ARN]);
    let log = log.to_str().unwrap();
    let out = kms_grants_at(
        &server.uri(),
        &["restore", "--audit-log", log, "--grant-id", "g1", "--yes"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "the answer to kms:CreateGrant was lost (HTTP 500); listing the key shows grant new1 named kms-grants-restore-g1"
        ),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("restored grant g1 as new grant new1")
    );
    let records = audit::read(std::path::Path::new(log)).unwrap();
    let restore = one_operation(&records[2..]);
    assert_eq!(restore[1].1, Some(Outcome::Unknown));
    assert_eq!(restore[2], (Phase::Settled, Some(Outcome::Created), None));
    assert_eq!(records[4].new_grant_id.as_deref(), Some("new1"));
    // Now restored: another restore, even a dry run, says so and sends nothing.
    for dry_run in [false, true] {
        let mut args = vec!["restore", "--audit-log", log, "--grant-id", "g1", "--yes"];
        if dry_run {
            args.insert(0, "--dry-run");
        }
        let out = kms_grants_at(&server.uri(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("grant g1 was already restored as new1"),
            "{stderr}"
        );
    }
}

/// A server whose STS says the caller is `user/ops` of `account`, and that fails the test if
/// any CreateGrant reaches it (checked when it is dropped).
fn caller_that_must_not_create(runtime: &tokio::runtime::Runtime, account: &str) -> MockServer {
    runtime.block_on(async {
        let server = MockServer::start().await;
        common::wire::sts_caller(account, &format!("arn:aws:iam::{account}:user/ops"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(target("CreateGrant"))
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        server
    })
}

#[test]
fn a_dry_run_restore_makes_the_checks_of_a_real_one() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = caller_that_must_not_create(&runtime, "999999999999");
    let dir = tempfile::tempdir().unwrap();
    let log = deletion_log(dir.path(), &server.uri(), &[KEY_ARN]);
    let out = kms_grants_at(
        &server.uri(),
        &[
            "--dry-run",
            "restore",
            "--audit-log",
            log.to_str().unwrap(),
            "--grant-id",
            "g1",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "grant g1 was deleted in account 111122223333, but these credentials are for account 999999999999"
        ),
        "{stderr}"
    );
}

#[test]
fn a_grant_id_deleted_on_several_keys_asks_which_and_key_chooses() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        common::wire::sts_caller("111122223333", "arn:aws:iam::111122223333:user/ops")
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(target("DescribeKey"))
            .and(body_partial_json(json!({"KeyId": "alias/two"})))
            .respond_with(ok(json!({"KeyMetadata": {
                "KeyId": KEY2, "Arn": KEY2_ARN, "AWSAccountId": "111122223333",
                "Enabled": true, "KeyState": "Enabled"
            }})))
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let log = deletion_log(dir.path(), &server.uri(), &[KEY_ARN, KEY2_ARN]);
    let log = log.to_str().unwrap();
    let restore = |key: Option<&str>| {
        let mut args = vec![
            "--dry-run",
            "restore",
            "--audit-log",
            log,
            "--grant-id",
            "g1",
        ];
        if let Some(key) = key {
            args.extend(["--key", key]);
        }
        kms_grants_at(&server.uri(), &args)
    };
    let out = restore(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "kms-grants: grant g1 was deleted on 2 keys ({KEY_ARN}, {KEY2_ARN}); pass --key KEY (its id, ARN or alias) to say which one to restore"
        )
    );
    for key in [KEY2, KEY2_ARN, "alias/two"] {
        let out = restore(Some(key));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "would create a grant named kms-grants-restore-g1 on key {KEY2_ARN}"
            )),
            "{key}: {stdout}"
        );
    }
    let out = restore(Some("3334abcd-12ab-34cd-56ef-1234567890ab"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the audit log has no deletion of grant g1 on key 3334abcd"),
        "{stderr}"
    );
}

/// The full disk, for real: `ulimit -f` leaves the log no room for the restore's intent line
/// (SIGXFSZ ignored, as a shell's `trap` passes on, so the write fails with EFBIG instead).
#[cfg(unix)]
#[test]
fn a_restore_whose_intent_cannot_be_written_is_not_sent() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = caller_that_must_not_create(&runtime, "111122223333");
    let dir = tempfile::tempdir().unwrap();
    let log = deletion_log(dir.path(), &server.uri(), &[KEY_ARN]);
    // Fill the log up to 60 bytes short of the limit with a blank line (readers skip it).
    let mut text = std::fs::read_to_string(&log).unwrap();
    let blocks = text.len() / 512 + 2;
    text.push_str(&" ".repeat(blocks * 512 - 60 - text.len()));
    text.push('\n');
    std::fs::write(&log, &text).unwrap();
    let log_file = dir.path().join("kms-grants.log");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_kms-grants"))
        .args(["--endpoint-url", &server.uri(), "--region", "us-east-2"])
        .arg("--log-file")
        .arg(&log_file)
        .args(["restore", "--audit-log", log.to_str().unwrap()])
        .args(["--grant-id", "g1", "--yes"])
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the audit log {} cannot be written (File too large), so kms:CreateGrant was not sent",
            log.display()
        )),
        "{stderr}"
    );
    // No cut-off line left behind: the log is as it was, and still reads.
    assert_eq!(std::fs::read_to_string(&log).unwrap(), text);
    assert_eq!(audit::read(&log).unwrap().len(), 2);
}
