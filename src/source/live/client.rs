//! Building a [`LiveKms`]: the options that say how to reach the account, the SDK config they
//! resolve to (profile, region, endpoint, timeouts, retries), and the cap on every answer's size.
//!
//! Nothing here sends a request: credentials are checked by the first call, so a bad profile
//! shows in the app as a sentence. The retry policy set here is the SDK's standard one for
//! reads; writes turn it off per call (see `writes`), and the pace of calls is the pacer's.

use super::{CallCounts, LiveKms};
use crate::source::pace::{Backoff, Pacer, RateLimits};
use crate::source::{SourceError, SourceInfo, SourceKind};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use std::sync::Arc;
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
pub(super) const MAX_ANSWER_SHOWN: &str = "16 MiB";

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
pub(super) fn cut_off(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        next = err.source();
    }
    false
}
