//! Pieces of the wire protocol shared by the `wiremock` tests.

use std::path::Path;
use std::process::Output;
use wiremock::matchers::{body_string_contains, header, method};
use wiremock::{Mock, ResponseTemplate};

/// A mock of one KMS action (`ListKeys`, `RetireGrant`, …).
pub fn kms(action: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST")).and(header(
        "x-amz-target",
        format!("TrentService.{action}").as_str(),
    ))
}

/// KMS's success answer with `body`.
pub fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .set_body_json(body)
}

/// STS answering GetCallerIdentity with `arn` in `account`.
pub fn sts_caller(account: &str, arn: &str) -> Mock {
    Mock::given(method("POST"))
        .and(body_string_contains("Action=GetCallerIdentity"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/xml")
                .set_body_string(format!(
                    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                     <GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDAEXAMPLE</UserId>\
                     <Account>{account}</Account></GetCallerIdentityResult>\
                     <ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>\
                     </GetCallerIdentityResponse>"
                )),
        )
}

/// Runs `kms-grants record ARGS --endpoint-url ENDPOINT -o OUTPUT` with test credentials in
/// the environment and no AWS files, profile or region of the machine's.
pub fn record(args: &[&str], endpoint: &str, output: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kms-grants"))
        .arg("record")
        .args(args)
        .args(["--endpoint-url", endpoint, "-o"])
        .arg(output)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("the binary runs")
}
