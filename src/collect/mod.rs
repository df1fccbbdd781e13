//! Collect: the only code that talks to AWS.
//!
//! It enumerates the accounts to scan, gets a session for each (own credentials or an
//! assumed role), lists each account's trails once, reads each trail's details from its home
//! region, and reads every resource a trail references — bucket, KMS key, SNS topic, log
//! group — exactly once, from the account that owns it, however many trails share it.
//!
//! It turns SDK responses into the plain types of [`crate::inventory`] and must not judge
//! anything: no verdicts, no severities, no configuration beyond what says where to look.
//! Failures are recorded as `Unavailable` facts; one account's failure never stops the others.
//!
//! How it scales: the accounts go through one bounded stream (`--concurrency` at once). Each
//! is entered (one AssumeRole), its account-wide facts and own trails read in one unit, and
//! its result appended (and checkpointed) as it finishes; the OU tree is walked meanwhile.
//! What spans accounts is read after, once per resource: it grows with the distinct buckets,
//! keys, topics and log groups the trails reference, not with the accounts. What is kept per
//! account is its facts and a session (a shared configuration and one set of credentials).

mod accounts;
mod buckets;
mod checkpoint;
pub mod doctor;
pub mod iam;
pub mod integrity;
mod monitoring;
mod progress;
mod read;
mod resources;
mod trails;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{SubsecRound, Utc};

use crate::aws::{ConnectOptions, Session, describe_error, load_base_config};
use crate::inventory::shard::{ShardAccount, ShardInfo, shard_of};
use crate::inventory::{Account, Caller, INVENTORY_VERSION, Inventory, ScanMetadata, Trail};
use crate::model::{Arn, Partition};
use crate::model::ScanMode;

pub use accounts::AccountSelection;

/// Everything the collector needs to know about where to look.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub connect: ConnectOptions,
    pub organization: bool,
    pub role_name: String,
    pub external_id: Option<String>,
    pub selection: AccountSelection,
    /// `None`: the regions enabled in each account.
    pub regions: Option<Vec<String>>,
    /// How many units of work (an account's facts, a trail, a bucket, a key …) are read at
    /// once, across every stage.
    pub concurrency: usize,
    /// `--quiet`: no progress bar on stderr (it is drawn only on a terminal anyway).
    pub quiet: bool,
    /// `--verify-integrity`: walk every trail's digest chains over this past window.
    pub verify_integrity: Option<chrono::Duration>,
    /// `--shard I/N --scan-id ID`: read only the accounts of shard I.
    pub shard: Option<ShardSpec>,
    /// `--checkpoint FILE`: save each finished account; skip those an earlier run finished.
    pub checkpoint: Option<std::path::PathBuf>,
}

/// `--shard I/N --scan-id ID`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardSpec {
    /// 1-based.
    pub index: u32,
    pub count: u32,
    pub scan_id: String,
}

/// A fatal problem before any account could be scanned.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The caller's identity could not be determined (no or bad credentials, no endpoint).
    #[error("{0}")]
    Identity(String),
    /// `--org` was asked for and the organization could not be read.
    #[error("{0}")]
    Organization(String),
    /// `--checkpoint`: the file belongs to another scan, is corrupt, or cannot be written.
    #[error("{0}")]
    Checkpoint(String),
}

/// The base session and the caller's identity: the first thing every command that reads AWS does.
pub async fn connect(connect: &ConnectOptions) -> Result<(Session, Caller), CollectError> {
    let base_config = load_base_config(connect).await.map_err(CollectError::Identity)?;
    // --endpoint-url, or AWS_ENDPOINT_URL from the environment (the SDK's own setting).
    let endpoint_url = connect.endpoint_url.clone().or_else(|| base_config.endpoint_url().map(str::to_string));
    let base = Session::new("", base_config, endpoint_url);

    // Who the scan runs as, asked once, fast: a missing credential or an unreachable endpoint
    // is a one-line error before anything else is tried, not minutes of retries.
    let identity = base.sts_first_contact().get_caller_identity().send().await.map_err(|e| identity_error(&e, base.endpoint_url.as_deref(), connect))?;
    let caller = Caller {
        account_id: identity.account().unwrap_or_default().to_string(),
        arn: identity.arn().unwrap_or_default().to_string(),
        user_id: identity.user_id().unwrap_or_default().to_string(),
    };
    let base = Session::new(&caller.account_id, base.config.clone(), base.endpoint_url.clone());
    Ok((base, caller))
}

pub async fn collect(options: &CollectOptions) -> Result<Inventory, CollectError> {
    // Reports cite times to the second.
    let started_at = Utc::now().trunc_subsecs(0);
    let (base, caller) = connect(&options.connect).await?;

    let progress = progress::Progress::new(options.quiet);
    let limit = read::Limit::new(options.concurrency);
    let mut notes = Vec::new();
    let (mut organization, in_scope) = accounts::enumerate(&base, &caller, options, &mut notes).await?;
    // Every shard lists the whole scope (cheap) and reads only its own accounts.
    let shard = options.shard.as_ref().map(|spec| ShardInfo {
        index: spec.index,
        count: spec.count,
        scan_id: spec.scan_id.clone(),
        accounts: in_scope.iter().map(|t| ShardAccount { id: t.id.clone(), shard: shard_of(&t.id, spec.count) }).collect(),
    });
    let targets: Vec<accounts::Target> = match &options.shard {
        Some(spec) => in_scope.iter().filter(|t| shard_of(&t.id, spec.count) == spec.index).cloned().collect(),
        None => in_scope.clone(),
    };
    let mut checkpoint = match &options.checkpoint {
        Some(path) => Some(checkpoint::Checkpoint::open(path, checkpoint::CheckpointScope::of(options, &caller.account_id))?),
        None => None,
    };
    let mut restored: Vec<(Account, BTreeMap<String, Trail>)> = Vec::new();
    let mut to_read = Vec::with_capacity(targets.len());
    for target in &targets {
        match checkpoint.as_mut().and_then(|c| c.restored.remove(&target.id)) {
            Some(done) => restored.push(done),
            None => to_read.push(target.clone()),
        }
    }
    if !restored.is_empty() {
        eprintln!("trailwarden: --checkpoint: {} of {} accounts finished by an earlier run, not read again", restored.len(), targets.len());
    }
    // The OU tree is only for the report: it is walked while the accounts are read, not
    // before (at 1,000 accounts in one OU that is 51 pages of ListAccountsForParent in turn).
    let walk_units = async {
        match (&organization, options.organization) {
            (Some(_), true) => Some(accounts::organization_units(&base.organizations()).await),
            _ => None,
        }
    };
    let read_accounts = accounts::collect_accounts(&base, &caller, &to_read, options, &limit, &progress, |account, trails| {
        if let Some(c) = checkpoint.as_mut() {
            c.record(account, trails)
        }
    });
    let (units, accounts_with_sessions) = tokio::join!(walk_units, read_accounts);
    if let (Some(org), Some(units)) = (organization.as_mut(), units) {
        org.units = Some(units);
    }
    if let Some(c) = checkpoint {
        c.finish()?;
    }

    let mut sessions: BTreeMap<String, Session> = BTreeMap::new();
    let mut trails: BTreeMap<String, Trail> = BTreeMap::new();
    let mut accounts = Vec::with_capacity(targets.len());
    for (account, session, own_trails) in accounts_with_sessions {
        if let Some(session) = session {
            sessions.insert(account.id.clone(), session);
        }
        trails.extend(own_trails);
        accounts.push(account);
    }
    for (account, own_trails) in restored {
        trails.extend(own_trails);
        accounts.push(account);
    }
    accounts.sort_by(|a, b| a.id.cmp(&b.id));

    // Accounts in scope without a session here (another shard's, or restored from the
    // checkpoint) are entered only when they own something this stage reads, so that it is
    // read as an unsharded, uninterrupted scan reads it: with its owner's session.
    let entry = Entry { base: &base, caller: &caller, options, in_scope: in_scope.iter().map(|t| t.id.clone()).collect(), failed: accounts.iter().filter(|a| a.access.unavailable().is_some()).map(|a| a.id.clone()).collect() };
    let listed_owners: BTreeSet<String> = accounts
        .iter()
        .filter_map(|a| a.listed_trails.present())
        .flatten()
        .filter(|t| !trails.contains_key(&t.arn))
        .filter_map(|t| Arn::parse(&t.arn).map(|a| a.account.to_string()))
        .collect();
    entry.ensure(&mut sessions, listed_owners).await;

    // What spans accounts: trails owned outside the scan, log buckets (their owner is found
    // through every account's ListBuckets), and what trails reference, each read once with its
    // owner's session.
    let others = trails::collect_other_trails(&accounts, &trails, &sessions, options.concurrency, &limit, &progress).await;
    trails.extend(others);
    entry.ensure(&mut sessions, referenced_owners(&trails, &accounts)).await;
    let buckets = buckets::collect_buckets(&trails, &accounts, &sessions, options.concurrency, &limit, &progress).await;
    let (keys, mut topics, log_groups) = resources::collect_resources(&trails, &sessions, options.concurrency, &limit, &progress).await;
    let metric_alarms = monitoring::collect_metric_alarms(&log_groups, &sessions, options.concurrency, &limit).await;
    let alarm_topics = monitoring::alarm_topics(&metric_alarms, &topics);
    entry.ensure(&mut sessions, alarm_topics.values().map(|(owner, _, _)| owner.clone()).collect()).await;
    for topic in monitoring::collect_alarm_topics(alarm_topics, &sessions, options.concurrency, &limit).await {
        topics.insert(topic.arn.clone(), topic);
    }
    let integrity = match options.verify_integrity {
        Some(window) => Some(integrity::verify_trails(&trails, &accounts, organization.as_ref(), &buckets, &sessions, started_at - window, started_at, &progress).await),
        None => None,
    };
    progress.finish();

    Ok(Inventory {
        inventory_version: INVENTORY_VERSION,
        scan: ScanMetadata {
            tool_name: env!("CARGO_PKG_NAME").to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at: Utc::now().trunc_subsecs(0),
            caller,
            mode: if options.organization { ScanMode::Organization } else { ScanMode::Account },
            requested_regions: options.regions.clone(),
            notes,
        },
        organization,
        accounts,
        trails,
        buckets,
        keys,
        topics,
        log_groups,
        metric_alarms,
        integrity,
        shard,
        merged: None,
    })
}

/// Enters accounts in scope that have no session yet, as the account stage would have.
struct Entry<'a> {
    base: &'a Session,
    caller: &'a Caller,
    options: &'a CollectOptions,
    in_scope: BTreeSet<String>,
    /// Accounts this run could not enter: an unsharded scan has no session for them either.
    failed: BTreeSet<String>,
}

impl Entry<'_> {
    async fn ensure(&self, sessions: &mut BTreeMap<String, Session>, wanted: BTreeSet<String>) {
        let partition = Partition::of_arn(&self.caller.arn);
        let missing: Vec<String> = wanted.into_iter().filter(|id| self.in_scope.contains(id) && !self.failed.contains(id) && !sessions.contains_key(id)).collect();
        let entered = futures::future::join_all(missing.iter().map(|id| accounts::enter(self.base, self.caller, &partition, id, self.options))).await;
        for (id, session) in missing.into_iter().zip(entered) {
            if let Ok((session, _)) = session {
                sessions.insert(id, session);
            }
        }
    }
}

/// The accounts owning what the trails reference: buckets (through the ListBuckets of the
/// accounts read here), keys, topics and log groups (from their ARNs), and the trails' owners.
fn referenced_owners(trails: &BTreeMap<String, Trail>, accounts: &[Account]) -> BTreeSet<String> {
    let mut owners = BTreeSet::new();
    for trail in trails.values() {
        owners.insert(trail.account_id.clone());
        let Some(config) = trail.config.present() else { continue };
        if let Some(bucket) = &config.s3_bucket_name
            && let Some(owner) = accounts.iter().find(|a| a.owned_buckets.present().is_some_and(|b| b.binary_search(bucket).is_ok()))
        {
            owners.insert(owner.id.clone());
        }
        for reference in [&config.kms_key_id, &config.sns_topic_arn, &config.cloud_watch_logs_log_group_arn].into_iter().flatten() {
            if let Some(arn) = Arn::parse(reference) {
                owners.insert(arn.account.to_string());
            }
        }
    }
    owners
}

/// The session to read a resource owned by `owner` with: the owner's own when it was
/// scanned, else the session of the account that referenced it (cross-account reads may
/// still be allowed by a resource policy).
fn session_for<'a>(sessions: &'a BTreeMap<String, Session>, owner: &str, referrer: &str) -> Option<&'a Session> {
    sessions.get(owner).or_else(|| sessions.get(referrer))
}

/// One line for "the scan cannot start": no credentials (naming the sources tried and the
/// fixes), an endpoint that cannot be reached (naming it), or what STS said.
fn identity_error<E>(e: &aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>, endpoint: Option<&str>, connect: &ConnectOptions) -> CollectError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if err.downcast_ref::<aws_credential_types::provider::error::CredentialsError>().is_some() {
            let profile = connect.profile.as_deref().map(|p| format!(" for profile `{p}`")).unwrap_or_default();
            return CollectError::Identity(format!(
                "no AWS credentials found{profile} (tried: environment AWS_ACCESS_KEY_ID, the AWS_PROFILE/--profile profile in ~/.aws/config and ~/.aws/credentials, web identity, ECS container, EC2 instance metadata); pass --profile NAME, run `aws sso login --profile NAME`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ));
        }
        cause = err.source();
    }
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            let target = endpoint.map(str::to_string).unwrap_or_else(|| "the AWS STS endpoint".to_string());
            CollectError::Identity(format!("cannot reach {target} ({}); check --endpoint-url, the network or a proxy", describe_error("sts:GetCallerIdentity", e)))
        }
        _ => CollectError::Identity(format!(
            "cannot determine who is calling AWS ({}); check your credentials (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID)",
            describe_error("sts:GetCallerIdentity", e)
        )),
    }
}
