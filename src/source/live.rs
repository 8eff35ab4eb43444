//! `LiveKms`: the [`KmsSource`] of a real account, over aws-sdk-kms.
//!
//! Every list call is paginated to the end with the largest page KMS allows, with a guard
//! against a marker loop that never ends. The SDK's standard retries (with backoff) apply to
//! every read; a write (retire, revoke, create) is sent once, and an answer lost after it may
//! have been sent is [`SourceError::AnswerLost`]. Explicit connect/operation timeouts apply to
//! every call; errors are mapped to [`SourceError`] sentences that name the action and the
//! resource. A read-only source refuses writes itself.

use super::pace::{Backoff, Op, Pacer, RateLimits};
use super::{
    CallerIdentity, KmsSource, LostAnswer, LostWrite, Settlement, SourceError, SourceInfo,
    SourceKind, WriteKind, WriteOutcome,
};
use crate::domain::shared::{intern, intern_operations};
use crate::domain::{
    Alias, Constraints, Grant, Key, KeyMetadata, KeyState, Operation, SharedStr, Timestamp,
};
use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_types::DateTime;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How to reach the account: what `--profile`, `--region`, `--endpoint-url` and the config say.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub read_only: bool,
    /// Extra retiring principals to offer in the retirable tab (besides the caller).
    pub retiring_principals: Vec<String>,
    pub connect_timeout: Duration,
    pub operation_timeout: Duration,
    /// Attempts per call, the first included (the SDK's standard retry mode with backoff).
    pub max_attempts: u32,
    /// The most calls per second of each operation; `None` picks by endpoint
    /// ([`RateLimits::for_endpoint`]).
    pub rate_limits: Option<RateLimits>,
    /// How throttling that outlasts the SDK's retries slows the pace.
    pub backoff: Backoff,
    /// Where the profiles are (the standard AWS files unless a test names others).
    pub profile_files: crate::places::ProfileFiles,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            read_only: false,
            retiring_principals: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(30),
            max_attempts: 3,
            rate_limits: None,
            backoff: Backoff::default(),
            profile_files: crate::places::ProfileFiles::default(),
        }
    }
}

/// The largest pages KMS serves.
const KEYS_PAGE: i32 = 1000;
const PAGE: i32 = 100;
/// More pages than any real list has (100,000 keys / 1,000; 50,000 grants / 100): a server that
/// keeps answering "truncated" past this is looping.
const MAX_PAGES: usize = 10_000;

/// How many calls of each kind were made (for `record`'s report and the tests).
#[derive(Debug, Default)]
pub struct CallCounts {
    pub list_keys: AtomicU64,
    pub list_aliases: AtomicU64,
    pub describe_key: AtomicU64,
    pub list_grants: AtomicU64,
    pub list_retirable_grants: AtomicU64,
    pub writes: AtomicU64,
}

impl CallCounts {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Every list and describe call so far.
    pub fn reads(&self) -> u64 {
        [
            &self.list_keys,
            &self.list_aliases,
            &self.describe_key,
            &self.list_grants,
            &self.list_retirable_grants,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

impl fmt::Display for CallCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        write!(
            f,
            "ListKeys {}, ListAliases {}, DescribeKey {}, ListGrants {}, ListRetirableGrants {}",
            get(&self.list_keys),
            get(&self.list_aliases),
            get(&self.describe_key),
            get(&self.list_grants),
            get(&self.list_retirable_grants)
        )
    }
}

/// A live account and region.
#[derive(Debug, Clone)]
pub struct LiveKms {
    kms: aws_sdk_kms::Client,
    sts: aws_sdk_sts::Client,
    info: SourceInfo,
    read_only: bool,
    profile: Option<String>,
    retiring_principals: Vec<String>,
    calls: Arc<CallCounts>,
    /// The rate ceilings and throttling slowdown, shared by every call of this source.
    pacer: Arc<Pacer>,
    /// STS answers once per session: the header and the retirable tab both ask.
    caller: Arc<tokio::sync::OnceCell<CallerIdentity>>,
}

impl LiveKms {
    /// Resolves the standard AWS chain (flags, env, shared config, SSO, credential_process) and
    /// builds the clients. Fails only when no region can be found; credentials are checked by
    /// the first call, so a bad profile shows in the app as a sentence.
    pub async fn connect(options: &LiveOptions) -> Result<Self, SourceError> {
        if let Some(url) = &options.endpoint_url {
            crate::secrets::remember_url(url);
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if options.profile_files.explicit.is_some() {
            loader = loader.profile_files(options.profile_files.to_sdk());
        }
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(endpoint) = &options.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let mut config = loader
            .timeout_config(timeouts(options))
            .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts))
            .load()
            .await;
        if let Some(profile) = &options.profile {
            // A profile named on purpose (a flag, the config, a switch) gives the credentials,
            // as with the AWS CLI: AWS_ACCESS_KEY_ID in the environment must not quietly make
            // every profile the same account. The SDK's default chain would try it first. The
            // profile's own chain (SSO, credential_process, an assumed role) gets the region
            // resolved above, which its STS calls need.
            let provider = aws_config::provider_config::ProviderConfig::without_region()
                .with_region(config.region().cloned());
            let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider)
                .profile_name(profile)
                .profile_files(options.profile_files.to_sdk())
                .build();
            config = config
                .to_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
                )
                .build();
        }
        // The profile the chain used, for the header and for error hints.
        let mut shown = options.clone();
        if shown.profile.is_none() {
            shown.profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        }
        Self::from_sdk_config(&config, &shown)
    }

    /// Builds the source from an already resolved SDK config (tests point one at a local server).
    pub fn from_sdk_config(
        config: &aws_config::SdkConfig,
        options: &LiveOptions,
    ) -> Result<Self, SourceError> {
        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(SourceError::Setup(
                "no AWS region is set: pass --region, set AWS_REGION, or give the profile a region"
                    .to_owned(),
            ));
        };
        if !crate::region::looks_like_region(&region) {
            return Err(SourceError::Setup(format!(
                "\"{}\" is not an AWS region name (like us-east-1): check --region, AWS_REGION and the profile's region",
                crate::ui::text::clean(&region)
            )));
        }
        if let Some(url) = config.endpoint_url()
            && let Err(reason) = crate::places::check_endpoint_url(url)
        {
            return Err(SourceError::Setup(format!(
                "the endpoint URL {} {reason}: check --endpoint-url, AWS_ENDPOINT_URL and the profile's endpoint_url",
                crate::ui::text::clean(&crate::secrets::mask_userinfo(url))
            )));
        }
        // Shown in the header and the title, written to the audit log: never a password.
        if let Some(url) = config.endpoint_url() {
            crate::secrets::remember_url(url);
        }
        let endpoint = config
            .endpoint_url()
            .map(|url| crate::secrets::mask_userinfo(url).into_owned());
        // Every answer is read with a cap (see [`MAX_ANSWER_BYTES`]).
        let kms = aws_sdk_kms::config::Builder::from(config)
            .interceptor(BoundedAnswers)
            .build();
        let sts = aws_sdk_sts::config::Builder::from(config)
            .interceptor(BoundedAnswers)
            .build();
        Ok(Self {
            kms: aws_sdk_kms::Client::from_conf(kms),
            sts: aws_sdk_sts::Client::from_conf(sts),
            info: SourceInfo {
                kind: SourceKind::Live {
                    profile: options.profile.clone(),
                    endpoint,
                },
                profile: options.profile.clone(),
                account: None,
                region: Some(region),
                recorded_at: None,
            },
            read_only: options.read_only,
            profile: options.profile.clone(),
            retiring_principals: options.retiring_principals.clone(),
            calls: Arc::new(CallCounts::default()),
            pacer: Arc::new(Pacer::new(
                options
                    .rate_limits
                    .unwrap_or_else(|| RateLimits::for_endpoint(config.endpoint_url())),
                options.backoff,
            )),
            caller: Arc::new(tokio::sync::OnceCell::new()),
        })
    }

    /// The calls made so far.
    pub fn calls(&self) -> &CallCounts {
        &self.calls
    }

    /// Calls `fetch` for each page until the list ends: `fetch` gets the marker (none for the
    /// first page) and returns the page's items, `Truncated` and `NextMarker`.
    async fn paginate<T, F, Fut>(
        &self,
        op: Op,
        counter: &AtomicU64,
        mut fetch: F,
    ) -> Result<Vec<T>, SourceError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: std::future::Future<Output = Result<Page<T>, SourceError>>,
    {
        let mut out = Vec::new();
        let mut pages = Pages::new(op.action());
        let mut marker: Option<String> = None;
        loop {
            let page = self.paced(op, counter, || fetch(marker.clone())).await?;
            out.extend(page.items);
            match pages.next(page.truncated, page.next_marker.as_deref())? {
                Some(next) => marker = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Makes one call of `op` at the pace the pacer allows. A call KMS still throttles after
    /// the SDK's own retries slows `op` down; a read is then tried again (up to the pacer's
    /// retries), so a big inventory slows instead of failing. A write is not: an earlier attempt
    /// may have gone through, and the operator should see the failure, not a second create.
    /// Every attempt counts in `counter`.
    async fn paced<T, F, Fut>(
        &self,
        op: Op,
        counter: &AtomicU64,
        mut call: F,
    ) -> Result<T, SourceError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, SourceError>>,
    {
        let retry = !matches!(op, Op::RetireGrant | Op::RevokeGrant | Op::CreateGrant);
        let mut retries = 0;
        loop {
            let started = self.pacer.acquire(op).await;
            CallCounts::bump(counter);
            match call().await {
                Ok(value) => {
                    self.pacer.succeeded(op).await;
                    return Ok(value);
                }
                Err(err @ SourceError::Throttled { .. }) => {
                    self.pacer.throttled(op, started).await;
                    if !retry || retries >= self.pacer.retries() {
                        return Err(err);
                    }
                    retries += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// The pace of this source's calls (throttling seen, ceilings lowered).
    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// Every key id and ARN (ListKeys, all pages).
    async fn all_key_ids(&self) -> Result<Vec<(String, String)>, SourceError> {
        self.paginate(Op::ListKeys, &self.calls.list_keys, |marker| async move {
            let page = self
                .kms
                .list_keys()
                .limit(KEYS_PAGE)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.error("kms:ListKeys", "*", e))?;
            Ok(Page {
                items: page
                    .keys()
                    .iter()
                    .filter_map(|k| Some((k.key_id()?.to_owned(), k.key_arn()?.to_owned())))
                    .collect(),
                truncated: page.truncated(),
                next_marker: page.next_marker().map(str::to_owned),
            })
        })
        .await
    }

    /// Every alias (ListAliases, all pages).
    async fn all_aliases(&self) -> Result<Vec<Alias>, SourceError> {
        self.paginate(
            Op::ListAliases,
            &self.calls.list_aliases,
            |marker| async move {
                let page = self
                    .kms
                    .list_aliases()
                    .limit(PAGE)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| self.error("kms:ListAliases", "*", e))?;
                Ok(Page {
                    items: page
                        .aliases()
                        .iter()
                        .filter_map(|entry| {
                            Some(Alias {
                                alias_name: entry.alias_name()?.to_owned(),
                                alias_arn: entry.alias_arn().map(str::to_owned),
                                target_key_id: entry.target_key_id().map(str::to_owned),
                            })
                        })
                        .collect(),
                    truncated: page.truncated(),
                    next_marker: page.next_marker().map(str::to_owned),
                })
            },
        )
        .await
    }

    /// What a retire or revoke answer means. `DryRunOperationException` is KMS's "would have
    /// succeeded"; plain success to a DryRun request means the server ignored DryRun and the
    /// write really happened. An answer lost after the request may have been sent is
    /// [`SourceError::AnswerLost`], for the runtime to settle.
    fn write_outcome<E>(
        &self,
        write: LostWrite,
        resource: &str,
        dry_run: bool,
        sent: Result<(), SdkError<E, aws_sdk_kms::config::http::HttpResponse>>,
    ) -> Result<WriteOutcome, SourceError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match sent {
            Ok(()) if dry_run => Ok(WriteOutcome::DoneDespiteDryRun),
            Ok(()) => Ok(WriteOutcome::Done),
            Err(e)
                if e.as_service_error().and_then(ProvideErrorMetadata::code)
                    == Some("DryRunOperationException") =>
            {
                Ok(WriteOutcome::DryRunWouldSucceed)
            }
            Err(e) => Err(self.write_error(write, resource, e)),
        }
    }

    /// A failed write: [`SourceError::AnswerLost`] when the request may have reached KMS,
    /// otherwise the error's sentence (it was refused, or never sent).
    fn write_error<E>(
        &self,
        write: LostWrite,
        resource: &str,
        err: SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
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
    fn error<E>(
        &self,
        action: &str,
        resource: &str,
        err: SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
    ) -> SourceError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        classify(action, resource, self.profile.as_deref(), err)
    }
}

/// The per-call config of a write: sent once. The SDK's standard retries would send it again
/// after a timeout or a 5xx, when the first attempt may have been carried out.
fn sent_once() -> aws_sdk_kms::config::Builder {
    aws_sdk_kms::config::Builder::default().retry_config(RetryConfig::disabled())
}

/// Why a write's answer is missing when the request may have reached KMS, or `None` when it
/// certainly did not do the work: KMS answered with a 4xx error, or the request was never
/// sent (it could not be built, the connection was never made, the name did not resolve).
fn lost_answer<E>(err: &SdkError<E, aws_sdk_kms::config::http::HttpResponse>) -> Option<LostAnswer>
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

fn timeouts(options: &LiveOptions) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(options.connect_timeout)
        .operation_timeout(options.operation_timeout)
        .build()
}

/// The most bytes one answer of KMS or STS may hold. KMS pages are small (100 grants with
/// constraints are well under 1 MiB); an answer this large is not from KMS, and reading it
/// without a cap let a server streaming an endless body take gigabytes of memory.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// [`MAX_ANSWER_BYTES`] as the messages say it.
const MAX_ANSWER_SHOWN: &str = "16 MiB";

/// Reads every answer through a body that fails past [`MAX_ANSWER_BYTES`].
#[derive(Debug)]
struct BoundedAnswers;

impl aws_sdk_kms::config::Intercept for BoundedAnswers {
    fn name(&self) -> &'static str {
        "BoundedAnswers"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_kms::config::interceptors::BeforeDeserializationInterceptorContextMut<
            '_,
        >,
        _: &aws_sdk_kms::config::RuntimeComponents,
        _: &mut aws_sdk_kms::config::ConfigBag,
    ) -> Result<(), aws_sdk_kms::error::BoxError> {
        let response = context.response_mut();
        let body = response.take_body();
        *response.body_mut() = aws_smithy_types::body::SdkBody::from_body_1_x(
            http_body_util::Limited::new(body, MAX_ANSWER_BYTES),
        );
        Ok(())
    }
}

/// Whether `err` (or what caused it) is an answer cut off at [`MAX_ANSWER_BYTES`].
fn cut_off(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        next = err.source();
    }
    false
}

/// A ListGrants answer as a page of this key's grants.
fn grants_page(
    page: &aws_sdk_kms::operation::list_grants::ListGrantsOutput,
    key_id: &str,
) -> Page<Grant> {
    Page {
        items: page
            .grants()
            .iter()
            .map(|g| grant_from(g, key_id))
            .collect(),
        truncated: page.truncated(),
        next_marker: page.next_marker().map(str::to_owned),
    }
}

/// One page of a list call.
struct Page<T> {
    items: Vec<T>,
    truncated: bool,
    next_marker: Option<String>,
}

/// Follows `NextMarker` while `Truncated`, refusing a marker seen before or too many pages.
struct Pages {
    action: &'static str,
    seen: HashSet<String>,
    count: usize,
}

impl Pages {
    fn new(action: &'static str) -> Self {
        Self {
            action,
            seen: HashSet::new(),
            count: 0,
        }
    }

    /// The marker of the next page, or `None` at the end.
    fn next(
        &mut self,
        truncated: bool,
        marker: Option<&str>,
    ) -> Result<Option<String>, SourceError> {
        self.count += 1;
        let Some(marker) = marker.filter(|m| truncated && !m.is_empty()) else {
            return Ok(None);
        };
        if !self.seen.insert(marker.to_owned()) {
            return Err(SourceError::Malformed {
                action: self.action.to_owned(),
                detail:
                    "the server returned the same NextMarker twice, so the list would never end"
                        .to_owned(),
            });
        }
        if self.count >= MAX_PAGES {
            return Err(SourceError::Malformed {
                action: self.action.to_owned(),
                detail: format!("the list did not end after {MAX_PAGES} pages"),
            });
        }
        Ok(Some(marker.to_owned()))
    }
}

/// The error code of a KMS error, for unmodelled ones (`ThrottlingException`,
/// `AccessDeniedException`) as well as modelled ones.
pub fn classify<E>(
    action: &str,
    resource: &str,
    profile: Option<&str>,
    err: SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
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

fn timestamp(date: &DateTime) -> Option<Timestamp> {
    let millis = date
        .secs()
        .checked_mul(1000)?
        .checked_add(i64::from(date.subsec_nanos() / 1_000_000))?;
    Some(Timestamp::from_millis(millis))
}

fn to_map(map: &HashMap<String, String>) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A `GrantListEntry` as a domain grant; `key_id` fills in when the entry has none.
fn grant_from(entry: &aws_sdk_kms::types::GrantListEntry, key_id: &str) -> Grant {
    let constraints = entry.constraints().map(|c| Constraints {
        encryption_context_subset: c.encryption_context_subset().map(to_map),
        encryption_context_equals: c.encryption_context_equals().map(to_map),
        other: BTreeMap::new(),
    });
    Grant {
        key_id: intern(entry.key_id().unwrap_or(key_id)),
        grant_id: entry.grant_id().unwrap_or_default().into(),
        name: entry.name().filter(|n| !n.is_empty()).map(SharedStr::from),
        creation_date: entry.creation_date().and_then(timestamp),
        grantee_principal: entry.grantee_principal().map(intern),
        grantee_service_principal: entry.grantee_service_principal().map(intern),
        retiring_principal: entry.retiring_principal().map(intern),
        retiring_service_principal: entry.retiring_service_principal().map(intern),
        issuing_account: entry.issuing_account().map(intern),
        operations: intern_operations(
            entry
                .operations()
                .iter()
                .map(|op| Operation::from_name(op.as_str()))
                .collect(),
        ),
        constraints: constraints.filter(|c| !c.is_empty()).map(Arc::new),
    }
}

fn metadata_from(meta: &aws_sdk_kms::types::KeyMetadata) -> KeyMetadata {
    KeyMetadata {
        key_id: meta.key_id().to_owned(),
        arn: meta.arn().unwrap_or_default().to_owned(),
        aws_account_id: meta.aws_account_id().map(str::to_owned),
        creation_date: meta.creation_date().and_then(timestamp),
        enabled: Some(meta.enabled()),
        description: meta
            .description()
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        key_usage: meta.key_usage().map(|u| u.as_str().to_owned()),
        key_state: meta
            .key_state()
            .map(|s| KeyState::from_name(s.as_str()))
            .unwrap_or(KeyState::Other("Unknown".to_owned())),
        deletion_date: meta.deletion_date().and_then(timestamp),
        origin: meta.origin().map(|o| o.as_str().to_owned()),
        key_manager: meta.key_manager().map(|m| m.as_str().to_owned()),
        key_spec: meta.key_spec().map(|s| s.as_str().to_owned()),
        multi_region: meta.multi_region(),
    }
}

/// The IAM role ARN behind an STS assumed-role session ARN (the path is not in the session ARN,
/// so the operator may need to edit it): `arn:aws:sts::1:assumed-role/R/s` → `arn:aws:iam::1:role/R`.
pub fn role_of_session(arn: &str) -> Option<String> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if service != "sts" {
        return None;
    }
    let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

#[async_trait]
impl KmsSource for LiveKms {
    fn info(&self) -> SourceInfo {
        self.info.clone()
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn pace(&self) -> Option<String> {
        let slowed = self.pacer.slowed_now();
        if slowed.is_empty() {
            return None;
        }
        let parts: Vec<String> = slowed
            .iter()
            .map(|(op, now, configured)| format!("{} at {now}/s of {configured}/s", op.name()))
            .collect();
        Some(format!("KMS is throttling: {}", parts.join(", ")))
    }

    async fn caller(&self) -> Result<Option<CallerIdentity>, SourceError> {
        let identity = self
            .caller
            .get_or_try_init(|| async {
                let out = self.sts.get_caller_identity().send().await.map_err(|e| {
                    classify("sts:GetCallerIdentity", "*", self.profile.as_deref(), e)
                })?;
                Ok::<_, SourceError>(CallerIdentity {
                    account: out.account().unwrap_or_default().to_owned(),
                    arn: out.arn().unwrap_or_default().to_owned(),
                })
            })
            .await?;
        Ok(Some(identity.clone()))
    }

    async fn list_keys(&self) -> Result<Vec<Key>, SourceError> {
        let (ids, aliases) = tokio::try_join!(self.all_key_ids(), self.all_aliases())?;
        let mut by_key: HashMap<String, Vec<Alias>> = HashMap::new();
        for alias in aliases {
            if let Some(target) = alias.target_key_id.clone() {
                by_key.entry(target).or_default().push(alias);
            }
        }
        Ok(ids
            .into_iter()
            .map(|(id, arn)| {
                let mut aliases = by_key.remove(&id).unwrap_or_default();
                aliases.sort_by(|a, b| a.alias_name.cmp(&b.alias_name));
                Key {
                    metadata: KeyMetadata::unknown(id, arn),
                    aliases,
                    described: false,
                }
            })
            .collect())
    }

    async fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, SourceError> {
        let out = self
            .paced(Op::DescribeKey, &self.calls.describe_key, || async {
                self.kms
                    .describe_key()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| self.error("kms:DescribeKey", key_id, e))
            })
            .await?;
        out.key_metadata()
            .map(metadata_from)
            .ok_or_else(|| SourceError::Malformed {
                action: "kms:DescribeKey".to_owned(),
                detail: format!("no KeyMetadata for key {key_id}"),
            })
    }

    async fn list_grants(&self, key_id: &str) -> Result<Vec<Grant>, SourceError> {
        self.paginate(
            Op::ListGrants,
            &self.calls.list_grants,
            |marker| async move {
                let page = self
                    .kms
                    .list_grants()
                    .key_id(key_id)
                    .limit(PAGE)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| match self.error("kms:ListGrants", key_id, e) {
                        SourceError::NotFound { .. } => SourceError::KeyNotFound {
                            key_id: key_id.to_owned(),
                        },
                        other => other,
                    })?;
                Ok(grants_page(&page, key_id))
            },
        )
        .await
    }

    async fn known_retiring_principals(&self) -> Result<Vec<String>, SourceError> {
        let mut principals = self.retiring_principals.clone();
        // The caller is the principal an operator most often asks about. If STS cannot say
        // who that is, the list still has the configured ones.
        if let Ok(Some(caller)) = self.caller().await {
            let derived = role_of_session(&caller.arn).unwrap_or(caller.arn);
            if !derived.is_empty() && !principals.contains(&derived) {
                principals.insert(0, derived);
            }
        }
        Ok(principals)
    }

    async fn list_retirable_grants(&self, principal: &str) -> Result<Vec<Grant>, SourceError> {
        // A service principal (`dynamodb.amazonaws.com`) is asked for by its own parameter.
        let by_service = !principal.starts_with("arn:");
        let calls = &self.calls.list_retirable_grants;
        self.paginate(Op::ListRetirableGrants, calls, |marker| async move {
            let request = self
                .kms
                .list_retirable_grants()
                .limit(PAGE)
                .set_marker(marker);
            let request = if by_service {
                request.retiring_service_principal(principal)
            } else {
                request.retiring_principal(principal)
            };
            let page = request
                .send()
                .await
                .map_err(|e| self.error("kms:ListRetirableGrants", principal, e))?;
            Ok(Page {
                items: page.grants().iter().map(|g| grant_from(g, "")).collect(),
                truncated: page.truncated(),
                next_marker: page.next_marker().map(str::to_owned),
            })
        })
        .await
    }

    async fn find_grant(&self, key_id: &str, grant_id: &str) -> Result<Option<Grant>, SourceError> {
        // ListGrants with the GrantId filter: one small page, however many grants the key has.
        let grants = self
            .paginate(
                Op::ListGrants,
                &self.calls.list_grants,
                |marker| async move {
                    let page = self
                        .kms
                        .list_grants()
                        .key_id(key_id)
                        .grant_id(grant_id)
                        .limit(PAGE)
                        .set_marker(marker)
                        .send()
                        .await
                        .map_err(|e| self.error("kms:ListGrants", key_id, e))?;
                    Ok(grants_page(&page, key_id))
                },
            )
            .await?;
        // A server that ignores the filter answers with every grant.
        Ok(grants.into_iter().find(|g| &*g.grant_id == grant_id))
    }

    async fn delete_grant(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnly { action: kind });
        }
        // DryRun is only set when asked for, so a server that ignores it never sees it.
        let dry = dry_run.then_some(true);
        let resource = format!("grant {grant_id} on key {key_id}");
        let op = Op::from(kind);
        let resource = &resource;
        let write = LostWrite::Delete {
            kind,
            key_id: key_id.to_owned(),
            grant_id: grant_id.to_owned(),
        };
        let write = &write;
        // Sent once: see `sent_once`.
        let outcome = self
            .paced(op, &self.calls.writes, || async move {
                match kind {
                    WriteKind::Retire => {
                        let sent = self
                            .kms
                            .retire_grant()
                            .key_id(key_id)
                            .grant_id(grant_id)
                            .set_dry_run(dry)
                            .customize()
                            .config_override(sent_once())
                            .send()
                            .await
                            .map(|_| ());
                        self.write_outcome(write.clone(), resource, dry_run, sent)
                    }
                    WriteKind::Revoke => {
                        let sent = self
                            .kms
                            .revoke_grant()
                            .key_id(key_id)
                            .grant_id(grant_id)
                            .set_dry_run(dry)
                            .customize()
                            .config_override(sent_once())
                            .send()
                            .await
                            .map(|_| ());
                        self.write_outcome(write.clone(), resource, dry_run, sent)
                    }
                }
            })
            .await;
        outcome.map_err(|err| match err {
            SourceError::NotFound { .. } => SourceError::GrantNotFound {
                key_id: key_id.to_owned(),
                grant_id: grant_id.to_owned(),
            },
            other => other,
        })
    }

    async fn create_grant(&self, grant: &Grant) -> Result<String, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnlyCreate);
        }
        use aws_sdk_kms::types::{GrantConstraints, GrantOperation};
        let constraints = grant
            .constraints
            .as_ref()
            .filter(|c| !c.is_empty())
            .map(|c| {
                GrantConstraints::builder()
                    .set_encryption_context_subset(
                        c.encryption_context_subset
                            .as_ref()
                            .map(|m| m.clone().into_iter().collect()),
                    )
                    .set_encryption_context_equals(
                        c.encryption_context_equals
                            .as_ref()
                            .map(|m| m.clone().into_iter().collect()),
                    )
                    .build()
            });
        let constraints = &constraints;
        let write = LostWrite::Create {
            key_id: grant.key_id.to_string(),
            name: grant.name.as_deref().unwrap_or_default().to_owned(),
        };
        let write = &write;
        let out = self
            .paced(Op::CreateGrant, &self.calls.writes, || async {
                self.kms
                    .create_grant()
                    .key_id(&grant.key_id)
                    .set_grantee_principal(grant.grantee_principal.as_deref().map(str::to_owned))
                    .set_grantee_service_principal(
                        grant
                            .grantee_service_principal
                            .as_deref()
                            .map(str::to_owned),
                    )
                    .set_retiring_principal(grant.retiring_principal.as_deref().map(str::to_owned))
                    .set_retiring_service_principal(
                        grant
                            .retiring_service_principal
                            .as_deref()
                            .map(str::to_owned),
                    )
                    .set_operations(Some(
                        grant
                            .operations
                            .iter()
                            .map(|op| GrantOperation::from(op.as_str()))
                            .collect(),
                    ))
                    .set_constraints(constraints.clone())
                    .set_name(grant.name.as_deref().map(str::to_owned))
                    .customize()
                    .config_override(sent_once())
                    .send()
                    .await
                    .map_err(|e| self.write_error(write.clone(), &grant.key_id, e))
            })
            .await?;
        // A success without the new grant's id: created, but which grant is unknown.
        out.grant_id()
            .map(str::to_owned)
            .ok_or_else(|| SourceError::AnswerLost {
                write: write.clone(),
                lost: LostAnswer::Unreadable,
                settled: Settlement::Unsettled,
            })
    }

    async fn retire_with_token(
        &self,
        token: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        if self.read_only {
            return Err(SourceError::ReadOnly {
                action: WriteKind::Retire,
            });
        }
        self.paced(Op::RetireGrant, &self.calls.writes, || async {
            let sent = self
                .kms
                .retire_grant()
                .grant_token(token)
                .set_dry_run(dry_run.then_some(true))
                .customize()
                .config_override(sent_once())
                .send()
                .await
                .map(|_| ());
            // The token itself is a credential: it never goes into the message.
            self.write_outcome(LostWrite::RetireToken, "a grant token", dry_run, sent)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_arns_map_to_their_role() {
        assert_eq!(
            role_of_session("arn:aws:sts::111122223333:assumed-role/AdminRole/alice").as_deref(),
            Some("arn:aws:iam::111122223333:role/AdminRole")
        );
        assert_eq!(role_of_session("arn:aws:iam::111122223333:user/bob"), None);
    }

    #[test]
    fn pages_stop_at_the_end_and_on_a_repeated_marker() {
        let mut pages = Pages::new("kms:ListGrants");
        assert_eq!(pages.next(true, Some("a")).unwrap().as_deref(), Some("a"));
        assert_eq!(pages.next(true, Some("b")).unwrap().as_deref(), Some("b"));
        assert!(matches!(
            pages.next(true, Some("a")),
            Err(SourceError::Malformed { .. })
        ));
        let mut pages = Pages::new("kms:ListGrants");
        assert_eq!(
            pages.next(false, Some("a")).unwrap(),
            None,
            "not truncated: done"
        );
        assert_eq!(pages.next(true, None).unwrap(), None);
        assert_eq!(pages.next(true, Some("")).unwrap(), None);
    }
}
