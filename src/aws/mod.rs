//! SDK configuration, per-account sessions and clients.
//!
//! This module exists so that `collect` never has to know how credentials, regions, retries,
//! emulator endpoints or SDK error shapes work: [`Session`] hands out clients for one
//! account (its assumed-role credentials refresh themselves before they expire), and
//! [`errors`] turns every SDK error into "there is none" or a typed [`Unavailable`].
//!
//! It knows nothing of the inventory, must not decide verdicts, and must never issue a call
//! that changes anything in AWS.

mod endpoints;
pub mod errors;

pub use errors::{Classified, classify, describe_error, error_code, kind_of, unavailable};

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_types::error::display::DisplayErrorContext;
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

/// Load the base SDK configuration from the default credential chain (env, profile, web
/// identity, instance/container roles), with adaptive retry and bounded timeouts. With
/// `--profile`, that profile's credentials are used whatever the environment holds (as the
/// AWS CLI does), and a profile that is not defined is an error naming the files searched.
pub async fn load_base_config(options: &ConnectOptions) -> Result<SdkConfig, String> {
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
}

impl Session {
    pub fn new(account_id: &str, config: SdkConfig, endpoint_url: Option<String>) -> Session {
        Session { account_id: account_id.to_string(), config, endpoint_url }
    }

    pub fn default_region(&self) -> String {
        self.config.region().map(|r| r.to_string()).unwrap_or_else(|| DEFAULT_REGION.to_string())
    }

    /// STS for the first call of a scan: two attempts and short timeouts, so a wrong endpoint
    /// or missing network is reported in seconds.
    pub fn sts_first_contact(&self) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&self.config)
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .timeout_config(TimeoutConfig::builder().connect_timeout(Duration::from_secs(3)).operation_attempt_timeout(Duration::from_secs(10)).build())
            .build();
        aws_sdk_sts::Client::from_conf(conf)
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

    #[cfg(feature = "ec2-region-fallback")]
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
            .endpoint_resolver(endpoints::S3ControlEndpoint::new(self.endpoint_url.clone()))
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

    pub fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_cloudwatch::Client::from_conf(conf)
    }

    pub fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
        aws_sdk_cloudwatchlogs::Client::from_conf(conf)
    }

    /// A session for `account_id` through `role_arn`. The credentials come from the SDK's
    /// assume-role provider behind the SDK's identity cache: they are fetched once here (so
    /// an account whose role cannot be assumed is known before anything else is read) and
    /// fetched again before they expire, however long the scan runs.
    pub async fn assume_role(&self, account_id: &str, role_arn: &str, external_id: Option<&str>) -> Result<Session, Unavailable> {
        let mut builder = AssumeRoleProvider::builder(role_arn)
            .session_name("trailwarden-scan")
            .session_length(Duration::from_secs(3600))
            .configure(&self.config);
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        if let Err(e) = provider.provide_credentials().await {
            return Err(assume_role_failure(&e));
        }
        let config = self.config.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
        Ok(Session::new(account_id, config, self.endpoint_url.clone()))
    }
}

/// Why AssumeRole failed, from the STS error inside the credentials error (its Debug form is
/// a page long): the same one-line shape as every other call's reason.
fn assume_role_failure(e: &aws_credential_types::provider::error::CredentialsError) -> Unavailable {
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::SdkError;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if let Some(sdk) = err.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>() {
            return errors::unavailable("sts:AssumeRole", sdk);
        }
        cause = err.source();
    }
    let text = errors::one_line(&DisplayErrorContext(e).to_string());
    Unavailable::new(UnavailableKind::guess_from_text(&text), Some("sts:AssumeRole"), format!("sts:AssumeRole: {text}"))
}
