//! `scan --verify-integrity`: the chains each trail writes (per log account and delivering
//! region), walked a few at once, and the inventory's record of each.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::{ChainJob, verify_chain};
use crate::aws::Session;
use crate::integrity::{ChainLocation, ChainReport, Problem, ProblemSubject};
use crate::inventory::{Account, Bucket, ChainEvidence, ChainFindings, ChainGap, Fact, IntegrityVerification, ObjectProblem, Organization, Trail};
use crate::model::{Unavailable, UnavailableKind};

/// Chains walked at once by a scan (each with its own digest and log bounds).
pub const CHAINS_IN_FLIGHT: usize = 4;

/// `scan --verify-integrity`: every chain of every trail with validation on, over
/// `[start, end]`. The digests are read with the bucket owner's session when its account is
/// scanned, else with the trail owner's (a bucket policy may still grant the read).
#[allow(clippy::too_many_arguments)]
pub(in crate::collect) async fn verify_trails(
    trails: &BTreeMap<String, Trail>,
    accounts: &[Account],
    organization: Option<&Organization>,
    buckets: &BTreeMap<String, Bucket>,
    sessions: &BTreeMap<String, Session>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    progress: &crate::collect::progress::Progress,
) -> IntegrityVerification {
    let bucket_regions: BTreeMap<String, String> = buckets
        .iter()
        .filter_map(|(name, b)| match &b.owner {
            Fact::Present(owner) if owner.region_known => Some((name.clone(), owner.region.clone())),
            _ => None,
        })
        .collect();
    // (trail ARN, the chain's record so far, the walk to make and the session to make it with)
    type Planned = (String, ChainEvidence, Option<(ChainJob, Session)>);
    let mut planned: Vec<Planned> = Vec::new();
    for trail in trails.values() {
        for (evidence, job) in plan_chains(trail, accounts, organization, start, end) {
            let owner = buckets.get(&evidence.bucket).and_then(|b| match &b.owner {
                Fact::Present(o) => Some(o.account_id.clone()),
                _ => None,
            });
            let session = owner.as_deref().and_then(|o| sessions.get(o)).or_else(|| sessions.get(&trail.account_id)).cloned();
            let work = match (job, session) {
                (Some(job), Some(session)) => Some((job, session)),
                _ => None,
            };
            planned.push((trail.arn.clone(), evidence, work));
        }
    }
    let total = planned.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let walked: Vec<(String, ChainEvidence)> = futures::stream::iter(planned)
        .map(|(arn, mut evidence, work)| {
            let (bucket_regions, done) = (&bucket_regions, &done);
            async move {
                evidence.result = match (work, evidence.result) {
                    (Some((job, session)), _) => match verify_chain(&session, &job, bucket_regions).await {
                        Ok(report) => Fact::Present(findings_of(&report)),
                        Err(e) => Fact::Unavailable(Unavailable::new(e.kind(), Some("cloudtrail:ListPublicKeys"), e.to_string())),
                    },
                    (None, Fact::Unavailable(reason)) => Fact::Unavailable(reason),
                    (None, _) => Fact::Unavailable(Unavailable::new(UnavailableKind::NotScanned, None, "no account of this scan can read the trail's bucket")),
                };
                progress.update("integrity chains", done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
                (arn, evidence)
            }
        })
        .buffer_unordered(CHAINS_IN_FLIGHT)
        .collect()
        .await;
    let mut by_trail: BTreeMap<String, Vec<ChainEvidence>> = trails.keys().map(|arn| (arn.clone(), Vec::new())).collect();
    for (arn, evidence) in walked {
        by_trail.entry(arn).or_default().push(evidence);
    }
    for chains in by_trail.values_mut() {
        chains.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    }
    IntegrityVerification { window_start: start, window_end: end, trails: by_trail }
}

/// The chains one trail writes: per log account (every scanned account for an organization
/// trail) and per delivering region (the account's regions for a multi-region trail). A
/// chain that cannot be planned (regions or the organization id unknown) comes back with its
/// reason and no job.
fn plan_chains(trail: &Trail, accounts: &[Account], organization: Option<&Organization>, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(ChainEvidence, Option<ChainJob>)> {
    let (Fact::Present(config), status) = (&trail.config, &trail.status) else { return Vec::new() };
    let Some(bucket) = config.s3_bucket_name.clone().filter(|_| config.log_file_validation_enabled) else { return Vec::new() };
    let (latest_digest_delivery, trail_logging) = match status {
        Fact::Present(s) => (s.latest_digest_delivery_time, s.is_logging),
        _ => (None, false),
    };
    let org_id = organization.map(|o| o.id.clone());
    let log_accounts: Vec<&Account> = if config.is_organization_trail { accounts.iter().collect() } else { accounts.iter().filter(|a| a.id == trail.account_id).collect() };
    let mut chains = Vec::new();
    for account in log_accounts {
        // A member that could not be entered still has its chains in the trail's bucket: walk
        // them in the regions enabled in the trail owner's account (an opt-in region enabled
        // only in the member is then not walked).
        let owner_regions = accounts.iter().find(|a| a.id == trail.account_id).map(|a| &a.regions);
        let regions: Result<Vec<String>, Unavailable> = if !config.is_multi_region_trail {
            Ok(vec![trail.home_region.clone()])
        } else {
            match (&account.regions, owner_regions) {
                (Fact::Present(regions), _) | (Fact::Unavailable(_), Some(Fact::Present(regions))) => Ok(regions.clone()),
                (Fact::Unavailable(reason), _) => Err(reason.clone()),
                (Fact::Absent, _) => Ok(vec![trail.home_region.clone()]),
            }
        };
        let location = |region: &str| ChainLocation {
            bucket: bucket.clone(),
            prefix: config.s3_key_prefix.clone(),
            org_id: if config.is_organization_trail { org_id.clone() } else { None },
            account: account.id.clone(),
            trail_name: trail.name.clone(),
            home_region: trail.home_region.clone(),
            source_region: region.to_string(),
        };
        match regions {
            Err(reason) => chains.push((evidence_for(&account.id, "(enabled regions)", &location(&trail.home_region), Fact::Unavailable(reason)), None)),
            Ok(regions) => {
                for region in regions {
                    let location = location(&region);
                    if config.is_organization_trail && location.org_id.is_none() {
                        let reason = Unavailable::new(UnavailableKind::NotFound, Some("organizations:DescribeOrganization"), "the organization id (the o-… folder of an organization trail's files) is not known to this scan; scan with --org");
                        chains.push((evidence_for(&account.id, &region, &location, Fact::Unavailable(reason)), None));
                        continue;
                    }
                    // GetTrailStatus' latest digest delivery describes the trail's own chain
                    // (owner account, home region); other chains are held to the clock only.
                    let own_chain = account.id == trail.account_id && region == trail.home_region;
                    let latest_digest_delivery = latest_digest_delivery.filter(|_| own_chain);
                    let job = ChainJob { trail_arn: trail.arn.clone(), location: location.clone(), start, end, latest_digest_delivery, trail_logging };
                    chains.push((evidence_for(&account.id, &region, &location, Fact::Absent), Some(job)));
                }
            }
        }
    }
    chains
}

fn evidence_for(account: &str, region: &str, location: &ChainLocation, result: Fact<ChainFindings>) -> ChainEvidence {
    ChainEvidence { account: account.to_string(), region: region.to_string(), bucket: location.bucket.clone(), location: format!("s3://{}/{}", location.bucket, location.list_prefix()), result }
}

/// The inventory's record of a walked chain: its figures and every problem, sorted by kind.
fn findings_of(report: &ChainReport) -> ChainFindings {
    let counts = report.counts();
    let problems = report.problems();
    let record = |keep: &dyn Fn(&Problem) -> bool| -> Vec<ObjectProblem> {
        problems.iter().filter(|p| keep(p)).map(|p| ObjectProblem { object: p.object.clone(), problem: p.problem.clone(), reference_agrees: p.reference_agrees }).collect()
    };
    let found = report.found_range();
    ChainFindings {
        digests_checked: counts.digests.examined() + counts.backfill_digests.examined(),
        digests_valid: counts.digests.valid + counts.backfill_digests.valid,
        logs_checked: counts.logs.valid + counts.logs.invalid + counts.logs.unverifiable,
        logs_valid: counts.logs.valid,
        verified_from: found.map(|(from, _)| from),
        verified_to: found.map(|(_, to)| to),
        keys_used: report.keys_used(),
        digest_problems: record(&|p| !p.unverifiable && matches!(p.subject, ProblemSubject::Digest | ProblemSubject::Span)),
        log_problems: record(&|p| !p.unverifiable && p.subject == ProblemSubject::Log),
        unverifiable_digests: record(&|p| p.unverifiable && matches!(p.subject, ProblemSubject::Digest | ProblemSubject::Listing | ProblemSubject::Span)),
        unverifiable_logs: record(&|p| p.unverifiable && p.subject == ProblemSubject::Log),
        gaps: report.gaps().into_iter().map(|(from, to)| ChainGap { from, to }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{TrailConfig, TrailStatus};

    fn account(id: &str, regions: Fact<Vec<String>>) -> Account {
        Account {
            id: id.into(),
            name: None,
            access: Fact::Absent,
            regions,
            listed_trails: Fact::Absent,
            public_access_block: Fact::Absent,
            owned_buckets: Fact::Absent,
        }
    }

    fn org_trail(validation: bool) -> Trail {
        let delivered = "2026-11-30T11:55:00Z".parse().unwrap();
        Trail {
            arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org".into(),
            name: "org".into(),
            home_region: "us-east-1".into(),
            account_id: "111111111111".into(),
            config: Fact::Present(TrailConfig {
                s3_bucket_name: Some("logs".into()),
                s3_key_prefix: Some("p".into()),
                is_multi_region_trail: true,
                is_organization_trail: true,
                log_file_validation_enabled: validation,
                ..Default::default()
            }),
            status: Fact::Present(TrailStatus { is_logging: true, latest_digest_delivery_time: Some(delivered), ..Default::default() }),
            event_selectors: Fact::Absent,
            insight_selectors: Fact::Absent,
        }
    }

    #[test]
    fn an_organization_trail_has_a_chain_per_account_and_region() {
        let regions = Fact::Present(vec!["eu-west-1".to_string(), "us-east-1".to_string()]);
        let accounts = [account("111111111111", regions.clone()), account("222222222222", regions)];
        let org = Organization { id: "o-abc123defg".into(), management_account_id: "111111111111".into(), units: None };
        let (start, end) = ("2026-11-29T12:00:00Z".parse().unwrap(), "2026-11-30T12:00:00Z".parse().unwrap());
        let chains = plan_chains(&org_trail(true), &accounts, Some(&org), start, end);
        let planned: Vec<(String, String, String, bool)> = chains
            .iter()
            .map(|(e, job)| {
                let job = job.as_ref().unwrap();
                (e.account.clone(), e.region.clone(), e.location.clone(), job.latest_digest_delivery.is_some())
            })
            .collect();
        assert_eq!(
            planned,
            vec![
                ("111111111111".into(), "eu-west-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/111111111111/CloudTrail-Digest/eu-west-1".into(), false),
                ("111111111111".into(), "us-east-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/111111111111/CloudTrail-Digest/us-east-1".into(), true),
                ("222222222222".into(), "eu-west-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/222222222222/CloudTrail-Digest/eu-west-1".into(), false),
                ("222222222222".into(), "us-east-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/222222222222/CloudTrail-Digest/us-east-1".into(), false),
            ],
            "only the trail's own chain is held to GetTrailStatus' latest digest delivery"
        );
    }

    #[test]
    fn chains_that_cannot_be_planned_say_why_and_validation_off_has_none() {
        let (start, end) = ("2026-11-29T12:00:00Z".parse().unwrap(), "2026-11-30T12:00:00Z".parse().unwrap());
        let denied = Fact::Unavailable(Unavailable::new(UnavailableKind::AccessDenied, Some("account:ListRegions"), "denied"));
        let accounts = [account("111111111111", denied)];
        let org = Organization { id: "o-abc123defg".into(), management_account_id: "111111111111".into(), units: None };
        let chains = plan_chains(&org_trail(true), &accounts, Some(&org), start, end);
        assert_eq!(chains.len(), 1);
        assert!(chains[0].1.is_none() && matches!(chains[0].0.result, Fact::Unavailable(_)), "regions unknown: no walk, the reason kept");
        // A member that could not be entered: its chains are walked in the owner's regions.
        let not_entered = Fact::Unavailable(Unavailable::new(UnavailableKind::NotScanned, Some("sts:AssumeRole"), "denied"));
        let accounts = [account("111111111111", Fact::Present(vec!["us-east-1".into()])), account("333333333333", not_entered)];
        let chains = plan_chains(&org_trail(true), &accounts, Some(&org), start, end);
        assert_eq!(chains.iter().filter(|(e, job)| e.account == "333333333333" && e.region == "us-east-1" && job.is_some()).count(), 1);
        let accounts = [account("111111111111", Fact::Present(vec!["us-east-1".into()]))];
        let chains = plan_chains(&org_trail(true), &accounts, None, start, end);
        assert!(chains[0].1.is_none(), "no organization id: the o-… folder is unknown");
        assert!(plan_chains(&org_trail(false), &accounts, Some(&org), start, end).is_empty());
    }
}
