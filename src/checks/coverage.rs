//! CT1xx — coverage: is every account and region recorded by a logging trail?

use serde_json::json;

use super::selectors::management_events;
use super::*;

fn is_covering(trail: &Trail) -> Result<bool, Unavailable> {
    Ok(trail_status(trail)?.is_logging)
}

/// Logging, multi-region, management read+write, no excluded sources.
fn is_full_management_trail(trail: &Trail) -> Result<bool, Unavailable> {
    let f = trail_facts(trail)?;
    let mgmt = management_events(f.selectors);
    Ok(f.status.is_logging && f.config.is_multi_region_trail && mgmt.read_write() && mgmt.excluded_sources.is_empty())
}

fn trails_evidence(trails: &[&Trail]) -> serde_json::Value {
    json!({ "trails": trails.iter().map(|t| trail_summary(t)).collect::<Vec<_>>() })
}

/// Shared shape of "some covering trail has property P" account checks.
fn account_has_trail(
    ctx: &Context,
    code: &str,
    predicate: fn(&Trail) -> Result<bool, Unavailable>,
    pass: impl Fn(&Trail) -> String,
    fail: &str,
) -> Vec<Outcome> {
    per_account(ctx, code, |account, trails| {
        let evidence = trails_evidence(&trails);
        match find_trail(&trails, predicate) {
            Search::Found(t) => outcome(code, Status::Pass, &account.id, None, &account.id, pass(t), evidence),
            Search::NotFound => outcome(code, Status::Fail, &account.id, None, &account.id, fail, evidence),
            Search::Unknown(u) => outcome(code, Status::Error, &account.id, None, &account.id, format!("no trail is known to qualify and some could not be read: {}", describe_unknown(&u)), evidence),
        }
    })
}

pub fn ct101_no_logging_trail(ctx: &Context) -> Vec<Outcome> {
    account_has_trail(ctx, ctx.code, is_covering, |t| format!("trail {} is logging", t.arn), "no trail that applies to this account is logging")
}

pub fn ct102_no_multi_region_management_trail(ctx: &Context) -> Vec<Outcome> {
    account_has_trail(
        ctx,
        ctx.code,
        is_full_management_trail,
        |t| format!("trail {} is multi-region, logging, and records all management events (read+write)", t.arn),
        "no logging multi-region trail records all management events (read+write, no excluded event sources)",
    )
}

pub fn ct103_region_not_logged(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    let mut out = Vec::new();
    for account in &ctx.inventory.accounts {
        // The regions in scope: the account's own, else those asked for with --regions. When
        // the account cannot be read, every region in scope still gets its ERROR, so nothing
        // in scope silently drops out of counts and maps; with neither known, one ERROR
        // stands for the account.
        let known: Option<&Vec<String>> = account.regions.present().or(ctx.inventory.scan.requested_regions.as_ref());
        let mut errors = |message: String, evidence: serde_json::Value, cause: &Unavailable| match known {
            Some(regions) if !regions.is_empty() => {
                for region in regions {
                    let mut o = outcome(code, Status::Error, &account.id, Some(region), region, message.clone(), evidence.clone());
                    o.cause = Some(cause.clone());
                    out.push(o);
                }
            }
            _ => {
                let mut o = outcome(code, Status::Error, &account.id, None, &account.id, message, evidence);
                o.cause = Some(cause.clone());
                out.push(o);
            }
        };
        if let Fact::Unavailable(r) = &account.access {
            errors(format!("account could not be scanned: {r}"), json!({"access": r}), r);
            continue;
        }
        if let Fact::Unavailable(r) = &account.listed_trails {
            errors(format!("the account's trails could not be listed: {r}"), json!({"listed_trails": r}), r);
            continue;
        }
        let regions = match &account.regions {
            Fact::Present(regions) => regions,
            other => {
                let r = other.unavailable().cloned().unwrap_or_else(|| Unavailable::new(UnavailableKind::NotFound, Some("account:ListRegions"), "account:ListRegions returned nothing"));
                errors(format!("the account's enabled regions could not be read: {r}"), json!({"regions": r}), &r);
                continue;
            }
        };
        let trails = trails_applying_to(ctx.inventory, account);
        for region in regions {
            let records_here = |t: &Trail| -> Result<bool, Unavailable> {
                let f = trail_facts(t)?;
                Ok(f.status.is_logging && management_events(f.selectors).recorded() && (f.config.is_multi_region_trail || t.home_region == *region))
            };
            // `recording_trail` is the trail that records the region (null when none does):
            // the coverage map reads it from here, never from the message.
            let mut evidence = json!({ "region": region, "recording_trail": null, "trails": trails.iter().map(|t| trail_summary(t)).collect::<Vec<_>>() });
            let o = match find_trail(&trails, records_here) {
                Search::Found(t) => {
                    evidence["recording_trail"] = json!(t.arn);
                    outcome(code, Status::Pass, &account.id, Some(region), region, format!("management events in {region} are recorded by trail {}", t.arn), evidence)
                }
                Search::NotFound => outcome(code, Status::Fail, &account.id, Some(region), region, format!("no logging trail records management events in {region}"), evidence),
                Search::Unknown(u) => outcome(code, Status::Error, &account.id, Some(region), region, format!("no trail is known to record {region} and some could not be read: {}", describe_unknown(&u)), evidence),
            };
            out.push(o);
        }
    }
    out
}

pub fn ct104_global_service_events_not_logged(ctx: &Context) -> Vec<Outcome> {
    account_has_trail(
        ctx,
        ctx.code,
        |t| Ok(trail_status(t)?.is_logging && trail_config(t)?.include_global_service_events),
        |t| format!("trail {} logs global service events", t.arn),
        "no logging trail includes global service events (IAM, STS, CloudFront)",
    )
}

pub fn ct105_global_service_events_duplicated(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    per_account(ctx, code, |account, trails| {
        // A trail counts when it is logging AND includes global service events. One fact read
        // as false rules it out whatever the other says; otherwise an unread fact leaves it a
        // "maybe". The count is between the sure ones and the sure ones plus the maybes.
        let mut logging_global = Vec::new();
        let mut unknown = Vec::new();
        let mut not_read = serde_json::Map::new();
        for t in &trails {
            let (status, config) = (trail_status(t), trail_config(t));
            let logging = status.as_ref().map(|s| s.is_logging);
            let global = config.as_ref().map(|c| c.include_global_service_events);
            match (logging, global) {
                (Ok(true), Ok(true)) => logging_global.push(t.arn.clone()),
                (Ok(false), _) | (_, Ok(false)) => {}
                _ => unknown.push((t.arn.clone(), status.err().or(config.err()).expect("one of the two is unread"))),
            }
            let mut missing = serde_json::Map::new();
            if let Err(r) = trail_status(t) {
                missing.insert("trail_status".into(), json!(r));
            }
            if let Err(r) = trail_config(t) {
                missing.insert("trail_configuration".into(), json!(r));
            }
            if !missing.is_empty() {
                not_read.insert(t.arn.clone(), missing.into());
            }
        }
        let mut evidence = json!({ "trails_logging_global_service_events": logging_global, "trails": trails.iter().map(|t| trail_summary(t)).collect::<Vec<_>>() });
        if !not_read.is_empty() {
            evidence["not_read"] = not_read.into();
        }
        let unread_note = || if unknown.is_empty() { String::new() } else { format!("; not read, and unable to change this verdict: {}", describe_unknown(&unknown)) };
        if logging_global.len() > 1 {
            outcome(code, Status::Fail, &account.id, None, &account.id, format!("{} trails log global service events, so each global event is recorded {} times: {}{}", logging_global.len(), logging_global.len(), logging_global.join(", "), unread_note()), evidence)
        } else if logging_global.len() + unknown.len() > 1 {
            outcome(code, Status::Error, &account.id, None, &account.id, format!("could not tell how many trails log global service events: {}", describe_unknown(&unknown)), evidence)
        } else {
            let counted = if unknown.is_empty() { format!("{}", logging_global.len()) } else { format!("at most {}", logging_global.len() + unknown.len()) };
            outcome(code, Status::Pass, &account.id, None, &account.id, format!("{counted} logging trail(s) log global service events{}", unread_note()), evidence)
        }
    })
}

/// Every trail of the inventory once, in ARN order.
pub(crate) fn each_trail(ctx: &Context, judge: impl Fn(&Trail) -> Outcome) -> Vec<Outcome> {
    ctx.inventory.trails.values().map(judge).collect()
}

pub fn ct106_management_event_sources_excluded(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        match &t.event_selectors {
            Fact::Present(selectors) => {
                let mgmt = management_events(selectors);
                let evidence = json!({ "management_events": mgmt.describe(), "excluded_management_event_sources": mgmt.excluded_sources, "event_selectors": selectors });
                if mgmt.excluded_sources.is_empty() {
                    outcome(code, Status::Pass, &t.account_id, region, &t.arn, "no management event source is excluded", evidence)
                } else {
                    outcome(code, Status::Fail, &t.account_id, region, &t.arn, format!("management events are not recorded for: {}", mgmt.excluded_sources.join(", ")), evidence)
                }
            }
            other => {
                let reason = other.unavailable_reason().unwrap_or("GetEventSelectors returned nothing").to_string();
                outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("event selectors could not be read: {reason}"), json!({"event_selectors": reason}))
            }
        }
    })
}

pub fn ct107_no_organization_trail(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    let inv = ctx.inventory;
    let Some(org) = inv.organization.as_ref().filter(|_| inv.scan.mode == crate::inventory::ScanMode::Organization) else {
        let resource = inv.organization.as_ref().map(|o| o.id.as_str()).unwrap_or("organization");
        return vec![outcome(code, Status::NotApplicable, &inv.scan.caller.account_id, None, resource, "judged only when scanning an organization (--org)", json!({"mode": inv.scan.mode}))];
    };
    let management = org.management_account_id.as_str();
    let candidates: Vec<&Trail> = inv.trails.values().filter(|t| t.account_id == management).collect();
    let mgmt_account_read = inv.account(management).map(|a| &a.listed_trails);
    let evidence = json!({ "organization_id": org.id, "management_account_id": management, "management_account_trails": candidates.iter().map(|t| trail_summary(t)).collect::<Vec<_>>() });
    let is_org_trail = |t: &Trail| -> Result<bool, Unavailable> { Ok(trail_config(t)?.is_organization_trail && is_full_management_trail(t)?) };
    let o = match (find_trail(&candidates, is_org_trail), mgmt_account_read) {
        (Search::Found(t), _) => outcome(code, Status::Pass, management, None, &org.id, format!("organization trail {} is logging, multi-region and records all management events", t.arn), evidence),
        (Search::Unknown(u), _) => outcome(code, Status::Error, management, None, &org.id, format!("no organization trail is known to qualify and some trails could not be read: {}", describe_unknown(&u)), evidence),
        (Search::NotFound, Some(Fact::Present(_))) => outcome(code, Status::Fail, management, None, &org.id, "the organization has no logging, multi-region organization trail recording all management events", evidence),
        (Search::NotFound, Some(other)) => {
            let reason = other.unavailable_reason().unwrap_or("not listed").to_string();
            outcome(code, Status::Error, management, None, &org.id, format!("the management account's trails could not be listed: {reason}"), evidence)
        }
        (Search::NotFound, None) => outcome(code, Status::Error, management, None, &org.id, format!("the management account {management} was not scanned (excluded from the scan), so its organization trails are unknown"), evidence),
    };
    vec![o]
}

pub fn ct108_trail_not_logging(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        match trail_status(t) {
            Ok(s) => {
                let evidence = json!({ "is_logging": s.is_logging, "start_logging_time": s.start_logging_time, "stop_logging_time": s.stop_logging_time });
                if s.is_logging {
                    outcome(code, Status::Pass, &t.account_id, region, &t.arn, "the trail is logging", evidence)
                } else {
                    let when = s.stop_logging_time.map(|t| format!("logging stopped at {}", t.to_rfc3339())).unwrap_or_else(|| "the trail has never logged, or AWS does not say when logging stopped".to_string());
                    outcome(code, Status::Fail, &t.account_id, region, &t.arn, format!("the trail is not logging: {when}"), evidence)
                }
            }
            Err(reason) => outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail status could not be read: {reason}"), json!({"status": reason})),
        }
    })
}
