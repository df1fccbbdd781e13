//! SDK configuration, per-account sessions and clients.
//!
//! This module exists so that `collect` never has to know how credentials, regions, retries,
//! emulator endpoints or SDK error shapes work: [`Session`] hands out clients for one
//! account (its assumed-role credentials refresh themselves before they expire), and
//! [`errors`] turns every SDK error into "there is none" or a typed [`Unavailable`].
//!
//! It knows nothing of the inventory, must not decide verdicts, and must never issue a call
//! that changes anything in AWS.
//!
//! # Retries and timeouts
//!
//! What a throttled-but-healthy AWS needs is a prompt retry, not a slower client. The numbers
//! (read in the sources of aws-smithy-runtime 1.16.2 / aws-smithy-types 1.9.3, the versions
//! in Cargo.lock):
//!
//! - **Standard retry mode**, not adaptive. Adaptive mode puts a client-side rate limiter in
//!   front of every attempt; one throttle drops its rate to the minimum, so the retry after it
//!   waited 10–20 s and later calls to that service were spaced about 1 s apart (measured:
//!   17–134 s for a 25-request scan at 20 % throttling, against ~1 s without).
//! - **[`MAX_ATTEMPTS`] = 10 attempts, backoff from [`INITIAL_BACKOFF`] = 100 ms doubling up to
//!   [`MAX_BACKOFF`] = 2 s, full jitter** (`StandardRetryStrategy::calculate_backoff`: a random
//!   fraction of `initial × 2^(attempt-1)`, capped). At 20 % throttling a call fails all ten
//!   attempts with probability 0.2¹⁰ ≈ 1e-7; the ten attempts wait at most 11.1 s in all
//!   (0.1+0.2+0.4+0.8+1.6+2+2+2+2), about half of that on average. No `AWS_NEW_RETRIES_2026`
//!   "retry behavior 2.1" (an explicit retry config ignores it): the same backoff for every
//!   retryable error.
//! - **The retry quota cannot run dry on throttles.** Standard mode also draws every retry
//!   from a token bucket (500 tokens; a retry costs 5, a retry after a timeout or transient
//!   error 10; a first-attempt success gives 1 back, a successful retry returns its cost), shared
//!   process-wide by every client of one service and region. An empty bucket ends the retries:
//!   the error is returned as is, and the fact becomes an ERROR. Each [`Session`] (one account)
//!   therefore has its own bucket (a custom `RetryPartition` used by every client it builds)
//!   in which a throttling retry costs **0**: sustained throttling never empties it, while
//!   500s, resets and timeouts still draw on it, so an account whose service is failing gives
//!   up after ~50 retries (then each such call fails at its first error) instead of spending every call's ten attempts, and one account's
//!   failures never take another account's quota. (The SDK's assume-role provider builds its
//!   own STS client with the default bucket: one AssumeRole per account and refresh, whose
//!   throttle retries a success pays back.)
//! - **Attempt timeout [`ATTEMPT_TIMEOUT`] = 3 s**: a request with no answer by then is cut and
//!   retried (a timeout is a transient error to the SDK's classifier). AWS answers these reads
//!   in well under a second; a slow answer cut by it is retried, and one that is always slower
//!   than 3 s ends as an ERROR naming the action and the timeout, never as a verdict. Each hang
//!   on a chain of dependent reads costs 3 s: with 3 % of requests hanging 30 s a one-account
//!   scan (~45 requests) stays under 20 s even when four or five of them hang (measured below). The
//!   attempt timeout runs until the *response is deserialised*: for a streaming output
//!   (S3 GetObject) that is when the headers arrive (`orchestrator::try_attempt` calls
//!   `deserialize_streaming`, which hands back the body unread), so it never cuts the reading
//!   of a large log file's body, which the integrity verifier streams. A body that stalls is
//!   cut by the SDK's stalled-stream protection instead (on by default: below 1 B/s for a
//!   5 s grace period), and a healthy body takes as long as it needs.
//! - **Connect timeout [`CONNECT_TIMEOUT`] = 2 s** (the SDK's own default is 3.1 s; a TCP and
//!   TLS handshake with AWS takes milliseconds, an ocean away a few hundred), within the
//!   attempt timeout, so a connection that cannot be made is retried on a fresh one.
//! - **Operation timeout [`OPERATION_TIMEOUT`] = 30 s**: one call, every attempt and backoff
//!   included, ends by then (it also ends before the body of a streaming output is read).
//!   So no fact takes longer than 30 s to become a value or an ERROR, and however AWS fails,
//!   a scan ends within 30 s × (the calls on its longest chain of dependent reads + the calls
//!   that wait behind `--concurrency` for a permit); in practice far sooner, since an
//!   account's failing calls empty its retry quota and then fail at their first attempt.
//!
//! Measured through `tests/harness/fault_proxy.py` on the shared 2-core test machine
//! (`tests/e2e_faults.rs` prints the figures): the `failing` scenario (40 requests) scans in
//! 0.3–1.4 s fault-free and 0.4–0.6 s with 20 % of requests throttled (5 throttles; adaptive
//! mode took 17–134 s); `compliant` (42 requests) with 3 % hanging 30 s (a draw in which 5
//! requests hung, one of them twice) in 15.9 s against 0.5–0.9 s; persistent 500s, resets,
//! AccessDenied and a read that always hangs in 33–39 s, of which 30 s is the hung read's
//! operation timeout.
//!
//! The STS client of the first call of a scan ([`Session::sts_first_contact`]) keeps failing
//! fast: a wrong endpoint or a missing network is reported within its 10 s operation timeout.

mod endpoints;
pub mod errors;

pub use errors::{Classified, classify, describe_error, error_code, kind_of, unavailable};

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_sts::config::retry::{RetryPartition, TokenBucket};
use aws_types::SdkConfig;
use aws_types::region::Region;

use crate::model::{Unavailable, UnavailableKind};

/// Region used for global APIs (STS, Organizations, Account, S3 ListBuckets) when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How the user asked us to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Attempts per call, the first included (see "Retries and timeouts" above).
pub const MAX_ATTEMPTS: u32 = 10;
/// The backoff before the first retry (before jitter); it doubles per retry.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The longest backoff between two attempts (before jitter).
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// One attempt's limit, until its response headers (a streamed body is not included).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// One call's limit, every attempt and backoff included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
/// Establishing a TCP (and TLS) connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Capacity of each account's retry quota (the SDK's default).
const RETRY_QUOTA: usize = 500;

/// The retry policy of every client: standard mode, short backoff.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS).with_initial_backoff(INITIAL_BACKOFF).with_max_backoff(MAX_BACKOFF)
}

/// The timeouts of every client but the first-contact STS one.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// One account's retry quota: the SDK's token bucket with its costs, except that a retry
/// after throttling is free, so throttling never empties it (see the module docs).
fn retry_partition(account_id: &str) -> RetryPartition {
    let bucket = TokenBucket::builder().capacity(RETRY_QUOTA).retry_cost(5).timeout_retry_cost(10).throttling_retry_cost(0).build();
    RetryPartition::custom(format!("trailwarden-{account_id}")).token_bucket(bucket).build()
}

/// Load the base SDK configuration from the default credential chain (env, profile, web
/// identity, instance/container roles), with standard retry and bounded timeouts (see the
/// module docs). With `--profile`, that profile's credentials are used whatever the
/// environment holds (as the AWS CLI does), and a profile that is not defined is an error
/// naming the files searched.
pub async fn load_base_config(options: &ConnectOptions) -> Result<SdkConfig, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config()).timeout_config(timeout_config());
    if let Some(profile) = &options.profile {
        check_profile_exists(profile).await?;
        let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder().profile_name(profile).build();
        loader = loader.profile_name(profile).credentials_provider(credentials);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Ok(config.to_builder().region(Region::new(DEFAULT_REGION)).build());
    }
    Ok(config)
}

/// `--profile NAME` must name a profile of the AWS config or credentials file.
async fn check_profile_exists(profile: &str) -> Result<(), String> {
    use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let files = format!(
        "{} and {}",
        std::env::var("AWS_CONFIG_FILE").unwrap_or_else(|_| "~/.aws/config".into()),
        std::env::var("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_else(|_| "~/.aws/credentials".into())
    );
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &ProfileFiles::default(), None)
        .await
        .map_err(|e| format!("--profile {profile}: the AWS config files ({files}) cannot be read: {}", errors::one_line(&e.to_string())))?;
    if set.get_profile(profile).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = set.profiles().collect();
    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    Err(format!("--profile {profile}: no such profile in {files} (profiles there: {known}); give one of those, or create it with `aws configure --profile {profile}`"))
}

/// Credentials and configuration for reading one account.
#[derive(Debug, Clone)]
pub struct Session {
    pub account_id: String,
    pub config: SdkConfig,
    pub endpoint_url: Option<String>,
    /// This account's retry quota, shared by every client the session builds.
    retry_partition: RetryPartition,
}

impl Session {
    pub fn new(account_id: &str, config: SdkConfig, endpoint_url: Option<String>) -> Session {
        Session { account_id: account_id.to_string(), config, endpoint_url, retry_partition: retry_partition(account_id) }
    }

    pub fn default_region(&self) -> String {
        self.config.region().map(|r| r.to_string()).unwrap_or_else(|| DEFAULT_REGION.to_string())
    }

    /// STS for the first call of a scan: a wrong endpoint or a missing network is reported in
    /// seconds (a refused connection after four quick attempts, a black hole at the 10 s
    /// operation timeout), while a throttle or a lost request is still retried.
    pub fn sts_first_contact(&self) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&self.config)
            .retry_config(retry_config().with_max_attempts(4))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(Duration::from_secs(10))
                    .build(),
            )
            .retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts)
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(aws_sdk_sts::config::Builder::from(&self.config).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build())
    }

    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::from_conf(aws_sdk_organizations::config::Builder::from(&self.config).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build())
    }

    pub fn account(&self) -> aws_sdk_account::Client {
        aws_sdk_account::Client::from_conf(aws_sdk_account::config::Builder::from(&self.config).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build())
    }

    #[cfg(feature = "ec2-region-fallback")]
    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let conf = aws_sdk_ec2::config::Builder::from(&self.config).region(Region::new(region.to_string())).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build();
        aws_sdk_ec2::Client::from_conf(conf)
    }

    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let conf = aws_sdk_cloudtrail::config::Builder::from(&self.config).region(Region::new(region.to_string())).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build();
        aws_sdk_cloudtrail::Client::from_conf(conf)
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .force_path_style(self.endpoint_url.is_some())
            .retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// S3 Control with an endpoint resolver that keeps a configured endpoint URL unchanged:
    /// the SDK's rules would otherwise prepend the account id to the host, which does not
    /// resolve for an emulator. The account id still travels in `x-amz-account-id`.
    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let conf = aws_sdk_s3control::config::Builder::from(&self.config)
            .endpoint_resolver(endpoints::S3ControlEndpoint::new(self.endpoint_url.clone()))
            .retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts)
            .build();
        aws_sdk_s3control::Client::from_conf(conf)
    }

    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        let conf = aws_sdk_kms::config::Builder::from(&self.config).region(Region::new(region.to_string())).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build();
        aws_sdk_kms::Client::from_conf(conf)
    }

    pub fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        let conf = aws_sdk_sns::config::Builder::from(&self.config).region(Region::new(region.to_string())).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build();
        aws_sdk_sns::Client::from_conf(conf)
    }

    pub fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.config).region(Region::new(region.to_string())).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build();
        aws_sdk_cloudwatch::Client::from_conf(conf)
    }

    pub fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config).region(Region::new(region.to_string())).retry_partition(self.retry_partition.clone())
            .interceptor(CountAttempts).build();
        aws_sdk_cloudwatchlogs::Client::from_conf(conf)
    }

    /// A session for `account_id` through `role_arn`. The first credentials come from one
    /// AssumeRole call made here (so an account whose role cannot be assumed is known before
    /// anything else is read); the SDK's assume-role provider is built only if they have to
    /// be refreshed, however long the scan runs. A provider built up front kept about 110 KB
    /// per account alive (its STS client), 110 MB for an organization of 1,000 accounts.
    pub async fn assume_role(&self, account_id: &str, role_arn: &str, external_id: Option<&str>) -> Result<Session, Unavailable> {
        let answer = self
            .sts()
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(ROLE_SESSION_NAME)
            .duration_seconds(ROLE_SESSION_SECONDS)
            .set_external_id(external_id.map(str::to_string))
            .send()
            .await
            .map_err(|e| errors::unavailable("sts:AssumeRole", &e))?;
        let issued = answer
            .credentials()
            .ok_or_else(|| Unavailable::new(UnavailableKind::ServiceError, Some("sts:AssumeRole"), "sts:AssumeRole answered without credentials".to_string()))?;
        let first = aws_credential_types::Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_string()),
            std::time::SystemTime::try_from(*issued.expiration()).ok(),
            "AssumeRole",
        );
        let provider = AssumedRoleCredentials {
            current: std::sync::Mutex::new(Some(first)),
            refresh: tokio::sync::OnceCell::new(),
            role_arn: role_arn.to_string(),
            external_id: external_id.map(str::to_string),
            base: self.config.clone(),
        };
        let config = self.config.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
        Ok(Session::new(account_id, config, self.endpoint_url.clone()))
    }
}

const ROLE_SESSION_NAME: &str = "trailwarden-scan";
const ROLE_SESSION_SECONDS: i32 = 3600;

/// The assume-role credentials fetched to enter the account, handed out for as long as they
/// stay valid, and an assume-role provider, built on the first refresh, for new ones when they
/// near expiry: one AssumeRole per account, and no STS client kept per account.
///
/// It caches itself rather than relying on the SDK's identity cache: that cache asked again
/// for about one session in five (measured: 44 extra AssumeRole calls for 202 members, each
/// another round trip on the account's path), which with a take-once first credential meant
/// another AssumeRole.
#[derive(Debug)]
struct AssumedRoleCredentials {
    current: std::sync::Mutex<Option<aws_credential_types::Credentials>>,
    refresh: tokio::sync::OnceCell<AssumeRoleProvider>,
    role_arn: String,
    external_id: Option<String>,
    /// The caller's configuration (shared, reference-counted parts), to build the provider from.
    base: SdkConfig,
}

/// Credentials this close to expiry are refreshed before use.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

impl AssumedRoleCredentials {
    fn still_valid(&self) -> Option<aws_credential_types::Credentials> {
        let current = self.current.lock().ok()?.clone()?;
        current.expiry().is_none_or(|t| t > std::time::SystemTime::now() + REFRESH_BEFORE_EXPIRY).then_some(current)
    }

    async fn refreshed(&self) -> aws_credential_types::provider::Result {
        let provider = self
            .refresh
            .get_or_init(|| async {
                let mut builder = AssumeRoleProvider::builder(&self.role_arn)
                    .session_name(ROLE_SESSION_NAME)
                    .session_length(Duration::from_secs(ROLE_SESSION_SECONDS as u64))
                    .configure(&self.base);
                if let Some(id) = &self.external_id {
                    builder = builder.external_id(id);
                }
                builder.build().await
            })
            .await;
        let fresh = provider.provide_credentials().await?;
        if let Ok(mut current) = self.current.lock() {
            *current = Some(fresh.clone());
        }
        Ok(fresh)
    }
}

impl ProvideCredentials for AssumedRoleCredentials {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        match self.still_valid() {
            Some(credentials) => aws_credential_types::provider::future::ProvideCredentials::ready(Ok(credentials)),
            None => aws_credential_types::provider::future::ProvideCredentials::new(self.refreshed()),
        }
    }
}

/// Requests sent to AWS by this process's clients (each retry counts), for the progress bar.
static ATTEMPTS_SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many requests this process has sent to AWS so far (assume-role refreshes excepted).
pub fn attempts_sent() -> u64 {
    ATTEMPTS_SENT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts each attempt of every client a [`Session`] builds; changes nothing in the request.
#[derive(Debug)]
struct CountAttempts;

impl aws_smithy_runtime_api::client::interceptors::Intercept for CountAttempts {
    fn name(&self) -> &'static str {
        "CountAttempts"
    }

    fn read_before_attempt(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        ATTEMPTS_SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_is_standard_with_a_short_backoff_and_timeouts_that_nest() {
        let retry = retry_config();
        assert_eq!(retry.mode(), aws_smithy_types::retry::RetryMode::Standard, "adaptive mode's rate limiter turned one throttle into 10-20 s waits");
        assert_eq!((retry.max_attempts(), retry.initial_backoff(), retry.max_backoff()), (MAX_ATTEMPTS, INITIAL_BACKOFF, MAX_BACKOFF));
        let timeouts = timeout_config();
        assert_eq!(timeouts.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(timeouts.operation_timeout(), Some(OPERATION_TIMEOUT));
        assert!(CONNECT_TIMEOUT < ATTEMPT_TIMEOUT && ATTEMPT_TIMEOUT * 3 < OPERATION_TIMEOUT);
        // Every backoff of one call, before jitter, fits well inside its operation timeout.
        let backoffs: Duration = (0..MAX_ATTEMPTS - 1).map(|i| (INITIAL_BACKOFF * 2u32.pow(i)).min(MAX_BACKOFF)).sum();
        assert!(backoffs < OPERATION_TIMEOUT / 2, "{backoffs:?}");
    }
}
