//! Mapping an SDK error to a [`SourceError`]: a sentence that names the action and the resource
//! and says what to do, never the SDK's debug dump, an endpoint's password or an access key id.
//!
//! [`classify`] reads the error code (KMS sends `ThrottlingException` and `AccessDeniedException`
//! unmodelled, so the code is matched as a string), the HTTP status and, for failures that never
//! got an answer, the words of the error chain. For a write, `lost_answer` first decides whether
//! the request may have reached KMS: then the failure is [`SourceError::AnswerLost`] (whether it
//! happened is unknown until the runtime lists the key), not a sentence saying it failed.

use super::LiveKms;
use super::client::{MAX_ANSWER_SHOWN, cut_off};
use crate::source::{LostAnswer, LostWrite, Settlement, SourceError};
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// What every SDK call of this source fails with.
pub(super) type SdkFailure<E> = SdkError<E, aws_sdk_kms::config::http::HttpResponse>;

impl LiveKms {
    /// A failed write: [`SourceError::AnswerLost`] when the request may have reached KMS,
    /// otherwise the error's sentence (it was refused, or never sent).
    pub(super) fn write_error<E>(
        &self,
        write: LostWrite,
        resource: &str,
        err: SdkFailure<E>,
    ) -> SourceError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match lost_answer(&err) {
            Some(lost) => {
                tracing::warn!("{write}: {lost}: {}", DisplayErrorContext(&err).to_string());
                SourceError::AnswerLost {
                    write,
                    lost,
                    settled: Settlement::Unsettled,
                }
            }
            None => self.error(write.api_action(), resource, err),
        }
    }

    /// Maps an SDK error to a sentence naming `action` and `resource`.
    pub(super) fn error<E>(&self, action: &str, resource: &str, err: SdkFailure<E>) -> SourceError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        classify(action, resource, self.profile.as_deref(), err)
    }
}

/// Why a write's answer is missing when the request may have reached KMS, or `None` when it
/// certainly did not do the work: KMS answered with a 4xx error, or the request was never
/// sent (it could not be built, the connection was never made, the name did not resolve).
fn lost_answer<E>(err: &SdkFailure<E>) -> Option<LostAnswer>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            if status >= 500 {
                Some(LostAnswer::ServerError(status))
            } else if (200..300).contains(&status) {
                // A success status whose body could not be read: it may have been done.
                Some(LostAnswer::Unreadable)
            } else {
                None
            }
        }
        SdkError::ConstructionFailure(_) => None,
        SdkError::TimeoutError(_) => Some(LostAnswer::Timeout),
        SdkError::DispatchFailure(failure) => {
            // hyper-util says "client error (Connect)" for a connection it could not make
            // (refused, TLS, unreachable), the SDK "HTTP connect timeout" and "failed to
            // perform DNS lookup": in those the request never left.
            let chain = DisplayErrorContext(err).to_string();
            let unsent = failure.is_user()
                || chain.contains("client error (Connect)")
                || chain.contains("HTTP connect timeout")
                || chain.contains("failed to perform DNS lookup");
            if unsent {
                None
            } else if failure.is_timeout() {
                Some(LostAnswer::Timeout)
            } else {
                Some(LostAnswer::ConnectionLost)
            }
        }
        SdkError::ResponseError(_) => Some(LostAnswer::Unreadable),
        // Nothing says it was not sent.
        _ => Some(LostAnswer::ConnectionLost),
    }
}

/// An SDK error as a [`SourceError`] naming `action` and `resource`, by the error code of KMS
/// errors, unmodelled ones (`ThrottlingException`, `AccessDeniedException`) as well as modelled
/// ones, and by the words of failures that got no answer.
pub fn classify<E>(
    action: &str,
    resource: &str,
    profile: Option<&str>,
    err: SdkFailure<E>,
) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let action = action.to_owned();
    let resource = resource.to_owned();
    if cut_off(&err) {
        return SourceError::TooLarge {
            action,
            limit: MAX_ANSWER_SHOWN.to_owned(),
        };
    }
    // The SDK's words can hold the endpoint (with its password) and the access key id.
    let chain = crate::secrets::scrub(&DisplayErrorContext(&err).to_string()).into_owned();
    // A profile's own chain (an assumed role) can be refused by STS on the way.
    let credentials = || SourceError::Credentials {
        detail: credentials_detail(&chain),
        profile: profile.map(str::to_owned),
        rejected: chain.contains("InvalidClientTokenId")
            || chain.contains("UnrecognizedClientException"),
    };
    match &err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let service_error = ctx.err();
            let detail = service_error.message().unwrap_or_default().to_owned();
            match service_error.code() {
                Some("AccessDeniedException") => SourceError::AccessDenied { action, resource },
                Some("NotFoundException") => SourceError::NotFound { resource, detail },
                Some("KMSInvalidStateException") => {
                    SourceError::InvalidKeyState { resource, detail }
                }
                Some("ThrottlingException" | "Throttling" | "TooManyRequestsException") => {
                    SourceError::Throttled { action }
                }
                Some(
                    "UnrecognizedClientException"
                    | "InvalidClientTokenId"
                    | "ExpiredTokenException"
                    | "InvalidSignatureException"
                    | "IncompleteSignature"
                    | "MissingAuthenticationToken",
                ) => SourceError::Credentials {
                    detail: if detail.is_empty() {
                        service_error.code().unwrap_or_default().to_owned()
                    } else {
                        detail
                    },
                    profile: profile.map(str::to_owned),
                    rejected: true,
                },
                Some(
                    code @ ("InvalidGrantIdException"
                    | "InvalidGrantTokenException"
                    | "InvalidArnException"
                    | "ValidationException"
                    | "DisabledException"),
                ) => SourceError::Invalid(if detail.is_empty() {
                    code.to_owned()
                } else {
                    format!("{code}: {detail}")
                }),
                Some(code) => SourceError::Service {
                    action,
                    code: code.to_owned(),
                    detail,
                },
                // A success status whose body could not be parsed.
                None if (200..300).contains(&status) => SourceError::Malformed {
                    action,
                    detail: "the server's answer could not be read".to_owned(),
                },
                None => SourceError::Service {
                    action,
                    code: format!("HTTP {status}"),
                    detail: if status >= 500 {
                        "the server failed without saying why".to_owned()
                    } else {
                        "the server's answer had no error code".to_owned()
                    },
                },
            }
        }
        SdkError::TimeoutError(_) => SourceError::Timeout { action },
        SdkError::DispatchFailure(failure) => {
            if failure.is_timeout() {
                SourceError::Timeout { action }
            } else if looks_like_credentials(&chain) {
                credentials()
            } else {
                SourceError::Network {
                    action,
                    detail: network_detail(&chain, &err),
                }
            }
        }
        SdkError::ResponseError(_) => SourceError::Malformed {
            action,
            detail: if closed_early(&chain.to_lowercase()) {
                "the connection was closed before the whole answer came".to_owned()
            } else {
                "the server's answer could not be read".to_owned()
            },
        },
        SdkError::ConstructionFailure(_) if looks_like_credentials(&chain) => credentials(),
        _ => SourceError::Service {
            action,
            code: "request failed".to_owned(),
            detail: chain,
        },
    }
}

fn looks_like_credentials(chain: &str) -> bool {
    // ASCII only: its byte offsets are the chain's, so a slice at one is safe.
    let lower = chain.to_ascii_lowercase();
    lower.contains("credential") || lower.contains("sso") || lower.contains("token has expired")
}

fn credentials_detail(chain: &str) -> String {
    // ASCII only: its byte offsets are the chain's, so a slice at one is safe.
    let lower = chain.to_ascii_lowercase();
    if lower.contains("expired") {
        "the credentials or SSO session have expired".to_owned()
    } else {
        "no AWS credentials were found".to_owned()
    }
}

/// Whether a failure means the server closed the connection before its answer was complete.
fn closed_early(lower: &str) -> bool {
    lower.contains("connection closed before message completed")
        || lower.contains("end of file before message length reached")
        || lower.contains("incompletemessage")
        || lower.contains("incompletebody")
        || lower.contains("connection reset")
        || lower.contains("broken pipe")
}

/// The most telling part of a connection failure, as words an operator can act on: never the
/// SDK's debug dump.
fn network_detail(chain: &str, err: &(dyn std::error::Error + 'static)) -> String {
    // ASCII only: its byte offsets are the chain's, so a slice at one is safe.
    let lower = chain.to_ascii_lowercase();
    if lower.contains("connection refused") {
        "connection refused".to_owned()
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "the host name could not be resolved (DNS)".to_owned()
    } else if lower.contains("certificate") {
        "the server's TLS certificate was not accepted: check the host name, or the CA bundle (AWS_CA_BUNDLE)".to_owned()
    } else if lower.contains("tls handshake")
        || lower.contains("invalidcontenttype")
        || lower.contains("corrupt message")
    {
        "the TLS handshake failed: is it an http:// endpoint rather than https://?".to_owned()
    } else if let Some(at) = lower.find("unsupported scheme ") {
        let scheme: String = chain[at + "unsupported scheme ".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .collect();
        format!("the endpoint URL's scheme is {scheme}, and only http and https are served")
    } else if lower.contains("failed to apply endpoint") || lower.contains("invaliduri") {
        "the endpoint URL is not a valid URL: give it as http://HOST:PORT or https://HOST"
            .to_owned()
    } else if closed_early(&lower) {
        "the connection was closed before an answer came".to_owned()
    } else if lower.contains("invalid http version")
        || lower.contains("parse(")
        || lower.contains("invalid status")
        || lower.contains("invalid header")
    {
        "the server's answer was not HTTP: is the endpoint a KMS endpoint?".to_owned()
    } else {
        deepest_reason(err)
    }
}

/// The message of the innermost error (the root cause), without the OS error number.
fn deepest_reason(err: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest = err;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    let text = crate::secrets::scrub(&deepest.to_string()).into_owned();
    let text = match text.find(" (os error") {
        Some(cut) => &text[..cut],
        None => &text,
    };
    crate::ui::text::clean(text).into_owned()
}
