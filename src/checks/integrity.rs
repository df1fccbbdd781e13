//! CT601 and CT602: the digest chain and the log files, verified (`scan --verify-integrity`).
//!
//! CT201 only reads the setting; these judge what `collect` found when it walked each
//! chain (trail × log account × source region) over the window. One outcome per trail,
//! naming every chain's figures, its first break and what could not be read. A scan that
//! did not verify has no evidence here, and these checks then report nothing at all
//! (the report's run parameters say integrity was not verified), never PASS.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{Context, Outcome, Status, outcome, trail_config, trail_status};
use crate::inventory::{ChainEvidence, ChainFindings, ChainGap, Fact, Trail};

pub fn ct601_digest_chain_broken(ctx: &Context) -> Vec<Outcome> {
    per_verified_trail(ctx, |trail, chains| {
        let mut problems = Vec::new();
        let mut unverifiable = Vec::new();
        let restarts = explained_restarts(trail);
        for chain in chains {
            match &chain.result {
                Fact::Present(found) => {
                    problems.extend(found.digest_problems.iter().map(|p| format!("{} {}: {} {}", chain.account, chain.region, p.object, p.problem)));
                    for gap in found.gaps.iter().filter(|g| !restarts.iter().any(|t| explains(g, *t))) {
                        problems.push(format!("{} {}: no digest from {} to {}, and the trail's StartLogging time does not explain it (validation or logging was off, or the trail was recreated)", chain.account, chain.region, stamp(gap.from), stamp(gap.to)));
                    }
                    unverifiable.extend(found.unverifiable_digests.iter().map(|p| format!("{} {}: {} {}", chain.account, chain.region, p.object, p.problem)));
                }
                Fact::Absent => {}
                Fact::Unavailable(reason) => unverifiable.push(format!("{} {}: the chain could not be walked: {reason}", chain.account, chain.region)),
            }
        }
        let digests: u32 = present(chains).map(|f| f.digests_checked).sum();
        let valid: u32 = present(chains).map(|f| f.digests_valid).sum();
        let figures = format!("{valid}/{digests} digest files valid in {} chain(s)", chains.len());
        if let Some(first) = problems.first() {
            (Status::Fail, format!("the digest chain is broken ({figures}); first break: {first}"), problems, unverifiable)
        } else if let Some(first) = unverifiable.first() {
            (Status::Error, format!("the digest chain could not be verified completely ({figures}): {first}"), problems, unverifiable)
        } else {
            (Status::Pass, format!("every digest is present and signed by CloudTrail, and the chain links ({figures})"), problems, unverifiable)
        }
    })
}

pub fn ct602_log_file_altered_or_missing(ctx: &Context) -> Vec<Outcome> {
    per_verified_trail(ctx, |_, chains| {
        let mut problems = Vec::new();
        let mut unverifiable = Vec::new();
        for chain in chains {
            match &chain.result {
                Fact::Present(found) => {
                    problems.extend(found.log_problems.iter().map(|p| format!("{} {}: {} {}", chain.account, chain.region, p.object, p.problem)));
                    unverifiable.extend(found.unverifiable_logs.iter().map(|p| format!("{} {}: {} {}", chain.account, chain.region, p.object, p.problem)));
                }
                Fact::Absent => {}
                Fact::Unavailable(reason) => unverifiable.push(format!("{} {}: the chain could not be walked, so its log files are unknown: {reason}", chain.account, chain.region)),
            }
        }
        let logs: u32 = present(chains).map(|f| f.logs_checked).sum();
        let valid: u32 = present(chains).map(|f| f.logs_valid).sum();
        let figures = format!("{valid}/{logs} log files valid");
        if let Some(first) = problems.first() {
            (Status::Fail, format!("log files were altered or removed after delivery ({figures}); first: {first}"), problems, unverifiable)
        } else if let Some(first) = unverifiable.first() {
            (Status::Error, format!("some log files could not be verified ({figures}): {first}"), problems, unverifiable)
        } else {
            (Status::Pass, format!("every log file the valid digests list is present and unchanged ({figures})"), problems, unverifiable)
        }
    })
}

/// A verdict for one trail from its chains: status, message, problems, unverifiable objects.
type Judged = (Status, String, Vec<String>, Vec<String>);

/// One outcome per trail the verification covered; nothing when the scan did not verify.
fn per_verified_trail(ctx: &Context, judge: impl Fn(&Trail, &[ChainEvidence]) -> Judged) -> Vec<Outcome> {
    let Some(verification) = &ctx.inventory.integrity else { return Vec::new() };
    let window = json!({"from": verification.window_start, "to": verification.window_end});
    ctx.inventory
        .trails
        .values()
        .map(|t| {
            let region = Some(t.home_region.as_str());
            let config = match trail_config(t) {
                Ok(config) => config,
                Err(reason) => return outcome(ctx.code, Status::Error, &t.account_id, region, &t.arn, format!("trail configuration could not be read: {reason}"), json!({"config": reason})),
            };
            if !config.log_file_validation_enabled {
                return outcome(ctx.code, Status::NotApplicable, &t.account_id, region, &t.arn, "log file validation is disabled: there are no digests to verify (CT201)", json!({"log_file_validation_enabled": false}));
            }
            let chains = verification.trails.get(&t.arn).map(Vec::as_slice).unwrap_or_default();
            if chains.is_empty() {
                return outcome(ctx.code, Status::Error, &t.account_id, region, &t.arn, "the trail's digest chains were not walked by this scan", json!({"window": window}));
            }
            let (status, message, problems, unverifiable) = judge(t, chains);
            let evidence = json!({"window": window, "chains": chains.iter().map(chain_evidence).collect::<Vec<_>>(), "problems": problems, "unverifiable": unverifiable});
            outcome(ctx.code, status, &t.account_id, region, &t.arn, message, evidence)
        })
        .collect()
}

fn present(chains: &[ChainEvidence]) -> impl Iterator<Item = &ChainFindings> {
    chains.iter().filter_map(|c| match &c.result {
        Fact::Present(found) => Some(found),
        _ => None,
    })
}

fn chain_evidence(chain: &ChainEvidence) -> serde_json::Value {
    match &chain.result {
        Fact::Present(f) => json!({
            "account": chain.account, "region": chain.region, "location": chain.location,
            "digests_checked": f.digests_checked, "digests_valid": f.digests_valid,
            "logs_checked": f.logs_checked, "logs_valid": f.logs_valid,
            "verified_from": f.verified_from, "verified_to": f.verified_to,
            "keys_used": f.keys_used,
            "first_break": f.digest_problems.first(),
            "gaps": f.gaps,
        }),
        Fact::Absent => json!({"account": chain.account, "region": chain.region, "location": chain.location}),
        Fact::Unavailable(reason) => json!({"account": chain.account, "region": chain.region, "location": chain.location, "unavailable": reason}),
    }
}

/// When logging was last started: a chain restart around then is explained.
fn explained_restarts(trail: &Trail) -> Vec<DateTime<Utc>> {
    trail_status(trail).ok().and_then(|s| s.start_logging_time).into_iter().collect()
}

/// A restart within the gap (an hour of slack either side: digests are hourly).
fn explains(gap: &ChainGap, restart: DateTime<Utc>) -> bool {
    restart >= gap.from - Duration::hours(1) && restart <= gap.to + Duration::hours(1)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
