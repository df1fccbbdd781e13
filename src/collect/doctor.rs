//! `doctor`'s reads: can the scan enter each account, and which of the member actions are
//! denied there? One cheap read per action, on a name that does not exist where the action
//! needs a resource (AWS checks the permission first: "not found" means allowed).
//!
//! Read-only like the rest of `collect`; it judges nothing beyond "denied or not".

use futures::StreamExt;

use super::accounts::{Target, enumerate};
use super::read::Limit;
use super::{CollectError, CollectOptions, connect};
use crate::aws::{Session, kind_of, unavailable};
use crate::inventory::Organization;
use crate::model::{Partition, Unavailable, UnavailableKind};

/// What doctor found for one account.
#[derive(Debug)]
pub struct AccountDiagnosis {
    pub id: String,
    pub name: Option<String>,
    /// Why the account could not be entered (sts:AssumeRole), if it could not.
    pub not_entered: Option<Unavailable>,
    /// The member actions AWS refused, one reason each.
    pub denied: Vec<Unavailable>,
}

#[derive(Debug)]
pub struct Diagnosis {
    pub caller_arn: String,
    pub organization: Option<Organization>,
    pub notes: Vec<String>,
    pub accounts: Vec<AccountDiagnosis>,
}

/// Enter every account in scope (concurrently, bounded) and probe the member actions.
pub async fn diagnose(options: &CollectOptions) -> Result<Diagnosis, CollectError> {
    let (base, caller) = connect(&options.connect).await?;
    let mut notes = Vec::new();
    let (organization, targets) = enumerate(&base, &caller, options, &mut notes).await?;
    let partition = Partition::of_arn(&caller.arn);
    let limit = Limit::new(options.concurrency);
    let mut accounts: Vec<AccountDiagnosis> = futures::stream::iter(targets)
        .map(|target| {
            let (base, caller, partition, limit) = (&base, &caller, &partition, &limit);
            async move { limit.run(diagnose_account(base, &caller.account_id, partition, target, options)).await }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Diagnosis { caller_arn: caller.arn, organization, notes, accounts })
}

async fn diagnose_account(base: &Session, caller_account: &str, partition: &Partition, target: Target, options: &CollectOptions) -> AccountDiagnosis {
    let session = if target.id == caller_account {
        Ok(base.clone())
    } else {
        let role_arn = partition.role_arn(&target.id, &options.role_name);
        base.assume_role(&target.id, &role_arn, options.external_id.as_deref()).await.map_err(|u| u.context(&format!("cannot assume role {role_arn}: ")))
    };
    match session {
        Err(reason) => AccountDiagnosis { id: target.id, name: target.name, not_entered: Some(reason), denied: Vec::new() },
        Ok(session) => AccountDiagnosis { id: target.id, name: target.name, not_entered: None, denied: probe(&session, partition).await },
    }
}

/// Keep a refusal; anything else (success, "not found", a validation error) means allowed.
fn refused<T, E>(action: &str, result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>>) -> Option<Unavailable>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Err(e) if kind_of(&e) == UnavailableKind::AccessDenied => Some(unavailable(action, &e)),
        _ => None,
    }
}

const PROBE: &str = "trailwarden-doctor-probe";

/// One read per member action that can be asked without a resource of the account's.
async fn probe(session: &Session, partition: &Partition) -> Vec<Unavailable> {
    let region = session.default_region();
    let (ct, logs, kms, sns, cw, s3) = (session.cloudtrail(&region), session.logs(&region), session.kms(&region), session.sns(&region), session.cloudwatch(&region), session.s3(&region));
    let topic = format!("arn:{partition}:sns:{region}:{}:{PROBE}", session.account_id);
    let results = tokio::join!(
        async { refused("account:ListRegions", session.account().list_regions().max_results(1).send().await) },
        async { refused("cloudtrail:ListTrails", ct.list_trails().send().await) },
        async { refused("cloudtrail:GetTrail", ct.get_trail().name(PROBE).send().await) },
        async { refused("cloudtrail:GetTrailStatus", ct.get_trail_status().name(PROBE).send().await) },
        async { refused("cloudtrail:GetEventSelectors", ct.get_event_selectors().trail_name(PROBE).send().await) },
        async { refused("cloudtrail:GetInsightSelectors", ct.get_insight_selectors().trail_name(PROBE).send().await) },
        async { refused("cloudwatch:DescribeAlarmsForMetric", cw.describe_alarms_for_metric().namespace("Trailwarden/Doctor").metric_name(PROBE).send().await) },
        async { refused("kms:DescribeKey", kms.describe_key().key_id(format!("alias/{PROBE}")).send().await) },
        async { refused("logs:DescribeLogGroups", logs.describe_log_groups().limit(1).send().await) },
        async { refused("logs:DescribeMetricFilters", logs.describe_metric_filters().log_group_name(format!("/{PROBE}")).send().await) },
        async { refused("s3:ListAllMyBuckets", s3.list_buckets().max_buckets(1).send().await) },
        async { refused("s3:GetAccountPublicAccessBlock", session.s3control().get_public_access_block().account_id(&session.account_id).send().await) },
        async { refused("sns:GetTopicAttributes", sns.get_topic_attributes().topic_arn(&topic).send().await) },
        async { refused("sns:ListSubscriptionsByTopic", sns.list_subscriptions_by_topic().topic_arn(&topic).send().await) },
    );
    let (a, b, c, d, e, f, g, h, i, j, k, l, m, n) = results;
    [a, b, c, d, e, f, g, h, i, j, k, l, m, n].into_iter().flatten().collect()
}
