//! SDK configuration, per-account sessions, clients, and error classification.
//!
//! This module exists so that the rest of `collect` never has to know how credentials,
//! regions, retries, emulator endpoints or SDK error shapes work. It turns every SDK error
//! into one of two collected facts: `Absent` (AWS says there is none, for the error codes
//! the caller names) or `Unavailable(reason)` (anything else), with a reason a reader can act on.
//!
//! It must not decide verdicts, and it must never issue a call that changes anything in AWS.

use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use aws_types::region::Region;

use crate::inventory::Fact;

/// Region used for global APIs (STS, Organizations, Account, S3 ListBuckets) when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How the user asked us to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Load the base SDK configuration from the default credential chain (env, profile, SSO,
/// web identity, instance/container roles), with adaptive retry and bounded timeouts.
pub async fn load_base_config(options: &ConnectOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(8).with_initial_backoff(Duration::from_millis(200)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return config.to_builder().region(Region::new(DEFAULT_REGION)).build();
    }
    config
}

/// Credentials and configuration for reading one account.
#[derive(Debug, Clone)]
pub struct Session {
    pub account_id: String,
    pub config: SdkConfig,
    pub endpoint_url: Option<String>,
}

impl Session {
    pub fn new(account_id: &str, config: SdkConfig, endpoint_url: Option<String>) -> Session {
        Session { account_id: account_id.to_string(), config, endpoint_url }
    }

    /// The same configuration with the credentials of an assumed role.
    pub fn with_credentials(&self, account_id: &str, credentials: Credentials) -> Session {
        let config = self.config.to_builder().credentials_provider(SharedCredentialsProvider::new(credentials)).build();
        Session::new(account_id, config, self.endpoint_url.clone())
    }

    pub fn default_region(&self) -> String {
        self.config.region().map(|r| r.to_string()).unwrap_or_else(|| DEFAULT_REGION.to_string())
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.config)
    }

    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.config)
    }

    pub fn account(&self) -> aws_sdk_account::Client {
        aws_sdk_account::Client::new(&self.config)
    }

    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let conf = aws_sdk_ec2::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_ec2::Client::from_conf(conf)
    }

    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let conf = aws_sdk_cloudtrail::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_cloudtrail::Client::from_conf(conf)
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .force_path_style(self.endpoint_url.is_some())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// S3 Control with an endpoint resolver that keeps a configured endpoint URL unchanged:
    /// the SDK's rules would otherwise prepend the account id to the host, which does not
    /// resolve for an emulator. The account id still travels in `x-amz-account-id`.
    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let conf = aws_sdk_s3control::config::Builder::from(&self.config)
            .endpoint_resolver(S3ControlEndpoint {
                fixed_url: self.endpoint_url.clone(),
                default: aws_sdk_s3control::config::endpoint::DefaultResolver::new(),
            })
            .build();
        aws_sdk_s3control::Client::from_conf(conf)
    }

    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        let conf = aws_sdk_kms::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_kms::Client::from_conf(conf)
    }

    pub fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        let conf = aws_sdk_sns::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_sns::Client::from_conf(conf)
    }

    pub fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_cloudwatchlogs::Client::from_conf(conf)
    }

    /// Assume `role_arn` and return a session for `account_id` with those credentials.
    pub async fn assume_role(&self, account_id: &str, role_arn: &str, external_id: Option<&str>) -> Result<Session, String> {
        let mut request = self.sts().assume_role().role_arn(role_arn).role_session_name("trailwarden-scan").duration_seconds(3600);
        if let Some(id) = external_id {
            request = request.external_id(id);
        }
        let output = request.send().await.map_err(|e| describe_error("sts:AssumeRole", &e))?;
        let creds = output.credentials().ok_or_else(|| "sts:AssumeRole answered without credentials".to_string())?;
        let expiry = SystemTime::try_from(*creds.expiration()).ok();
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_string()),
            expiry,
            "trailwarden-assume-role",
        );
        Ok(self.with_credentials(account_id, credentials))
    }
}

#[derive(Debug)]
struct S3ControlEndpoint {
    fixed_url: Option<String>,
    default: aws_sdk_s3control::config::endpoint::DefaultResolver,
}

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for S3ControlEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture};
        match &self.fixed_url {
            Some(url) => EndpointFuture::ready(Ok(Endpoint::builder().url(url.clone()).build())),
            None => self.default.resolve_endpoint(params),
        }
    }
}

/// The error code AWS gave, or one derived from the HTTP status when the body had none
/// (S3 HEAD requests answer 403/404 with no body).
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    match err {
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) => Some(code.to_string()),
            None => match service.raw().status().as_u16() {
                404 => Some("NotFound".to_string()),
                403 => Some("AccessDenied".to_string()),
                301 => Some("PermanentRedirect".to_string()),
                _ => None,
            },
        },
        _ => None,
    }
}

/// A one-line reason naming the call and what went wrong, for `Unavailable` facts.
pub fn describe_error<E: ProvideErrorMetadata + std::error::Error + 'static>(operation: &str, err: &SdkError<E, HttpResponse>) -> String {
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = error_code(err).unwrap_or_else(|| "UnknownError".to_string());
            match service.err().message().filter(|m| !m.is_empty()) {
                Some(message) => format!("{operation}: {code}: {message} (HTTP {status})"),
                None => format!("{operation}: {code} (HTTP {status})"),
            }
        }
        SdkError::TimeoutError(_) => format!("{operation}: timed out"),
        SdkError::DispatchFailure(failure) => {
            format!("{operation}: could not reach AWS: {}", DisplayErrorContext(failure.as_connector_error().map(|e| e as &dyn std::error::Error).unwrap_or(err)))
        }
        other => format!("{operation}: {}", DisplayErrorContext(other)),
    }
}

/// Turn a call result into a fact: `Absent` for the listed "there is none" error codes,
/// `Unavailable` with a reason for every other error.
pub fn fact<T, E>(operation: &str, result: Result<T, SdkError<E, HttpResponse>>, absent_codes: &[&str]) -> Fact<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(value) => Fact::Present(value),
        Err(err) => match error_code(&err) {
            Some(code) if absent_codes.contains(&code.as_str()) => Fact::Absent,
            _ => Fact::Unavailable(describe_error(operation, &err)),
        },
    }
}

/// Parse `arn:partition:service:region:account:resource` into (region, account, resource).
pub fn parse_arn(arn: &str) -> Option<ArnParts<'_>> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some(ArnParts { partition, service, region, account, resource })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}
