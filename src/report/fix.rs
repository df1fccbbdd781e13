//! Per-finding fixes: a check's `[fix]` templates (`checks/CTnnn.toml`) filled in with the
//! failing resource, its account and region.
//!
//! Why it exists: a generic `--name <trail-name>` leaves the reader to find which trail, in
//! which region; the finding knows. The checks stay pure (they judge, they never render a
//! fix) and the generic text stays in the check's documentation; this module only fills
//! templates. What the change is made on (`target`) is usually the finding's own resource;
//! for account-scoped checks whose fix lands on a trail (CT205, CT206) or on its log group
//! (CT5xx) it is the logging organization trail that applies to the account, else the
//! account's only trail — so the findings one change fixes share a target.

use super::model::{Finding, Remediation};
use crate::checks::metadata::{CheckMeta, ResourceFix};
use crate::inventory::{Fact, Inventory, Trail};
use crate::model::Status;

/// The fix of `finding` (None unless it fails and its check has a `[fix]` whose target is known).
pub fn remediation(meta: &CheckMeta, finding: &Finding, inventory: &Inventory) -> Option<Remediation> {
    if finding.status != Status::Fail {
        return None;
    }
    let fix = meta.fix.as_ref()?;
    let (target, account, region) = match fix.target.as_str() {
        "trail" => {
            let trail = applying_trail(inventory, &finding.account, false)?;
            (trail.arn.clone(), trail.account_id.clone(), Some(trail.home_region.clone()))
        }
        "trail-log-group" => {
            let trail = applying_trail(inventory, &finding.account, true)?;
            let group = log_group_of(trail)?;
            let mut parts = group.split(':');
            let (region, account) = (parts.nth(3).map(str::to_string), parts.next().map(str::to_string));
            (group.to_string(), account.unwrap_or_else(|| trail.account_id.clone()), region.or_else(|| Some(trail.home_region.clone())))
        }
        _ => (finding.resource.clone(), finding.account.clone(), finding.region.clone()),
    };
    let fill = |text: &str| render(fix, text, &target, &account, region.as_deref());
    let cli = fill(fix.cli.as_deref().unwrap_or(&meta.doc.fix_cli)).trim().to_string();
    let terraform = fill(fix.terraform.as_deref().unwrap_or(&meta.doc.fix_terraform)).trim().to_string();
    Some(Remediation { target, account, region, cli, terraform: (!terraform.is_empty()).then_some(terraform) })
}

/// Apply `fill` (doc placeholders → templates), then the `{…}` placeholders.
fn render(fix: &ResourceFix, text: &str, target: &str, account: &str, region: Option<&str>) -> String {
    let mut out = text.to_string();
    for (placeholder, template) in &fix.fill {
        out = out.replace(placeholder.as_str(), template);
    }
    out.replace("{target}", target).replace("{name}", short_name(target)).replace("{account}", account).replace("{region}", region.unwrap_or("us-east-1"))
}

/// The short name of an ARN: a bucket's or trail's name, a key's id, a log group's name.
pub fn short_name(arn: &str) -> &str {
    if let Some(bucket) = arn.strip_prefix("arn:aws:s3:::").or_else(|| arn.split_once(":s3:::").map(|(_, b)| b)) {
        return bucket;
    }
    if let Some((_, group)) = arn.split_once(":log-group:") {
        return group.strip_suffix(":*").unwrap_or(group);
    }
    for marker in [":trail/", ":key/"] {
        if let Some((_, name)) = arn.split_once(marker) {
            return name;
        }
    }
    arn
}

/// The trail a fix for an account-wide gap lands on: a logging organization trail that the
/// account lists (one change there fixes every member account), else the account's only
/// logging trail of its own. With `with_log_group`, only trails that deliver to CloudWatch Logs.
fn applying_trail<'a>(inventory: &'a Inventory, account: &str, with_log_group: bool) -> Option<&'a Trail> {
    let listed = inventory.accounts.iter().find(|a| a.id == account)?.listed_trails.present()?;
    let usable = |t: &&Trail| matches!(&t.status, Fact::Present(s) if s.is_logging) && (!with_log_group || log_group_of(t).is_some());
    let trails: Vec<&Trail> = listed.iter().filter_map(|r| inventory.trails.get(&r.arn)).filter(usable).collect();
    let organization = trails.iter().find(|t| matches!(&t.config, Fact::Present(c) if c.is_organization_trail));
    if let Some(t) = organization {
        return Some(t);
    }
    let own: Vec<&&Trail> = trails.iter().filter(|t| t.account_id == account).collect();
    (own.len() == 1).then(|| *own[0])
}

fn log_group_of(trail: &Trail) -> Option<&str> {
    match &trail.config {
        Fact::Present(c) => c.cloud_watch_logs_log_group_arn.as_deref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::metadata;

    fn failing(check: &str, account: &str, region: &str, resource: &str) -> Finding {
        Finding::bare(check, Status::Fail, metadata::get(check).unwrap().severity, account, Some(region), resource)
    }

    fn inventory(accounts: serde_json::Value, trails: serde_json::Value) -> Inventory {
        serde_json::from_value(serde_json::json!({
            "inventory_version": 2,
            "scan": {"tool_name": "trailwarden", "tool_version": "0", "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:00:00Z",
                     "caller": {"account_id": "123456789012", "arn": "arn:aws:iam::123456789012:root", "user_id": "x"}, "mode": "organization",
                     "requested_regions": null},
            "organization": null, "accounts": accounts, "trails": trails, "buckets": {}, "keys": {}, "topics": {}, "log_groups": {}
        }))
        .expect("a minimal inventory")
    }

    fn empty_inventory() -> Inventory {
        inventory(serde_json::json!([]), serde_json::json!({}))
    }

    const ORG_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
    const OWN_TRAIL: &str = "arn:aws:cloudtrail:us-west-2:437341265782:trail/debug";

    /// A management account with a logging organization trail (delivering to CloudWatch Logs)
    /// and a member that lists it next to a trail of its own.
    fn organization() -> Inventory {
        let trail = |arn: &str, region: &str, account: &str, organization: bool, group: Option<&str>| {
            serde_json::json!({"arn": arn, "name": short_name(arn), "home_region": region, "account_id": account,
                "config": {"present": {"s3_bucket_name": "logs", "s3_key_prefix": null, "sns_topic_arn": null, "include_global_service_events": true,
                    "is_multi_region_trail": true, "is_organization_trail": organization, "log_file_validation_enabled": true,
                    "cloud_watch_logs_log_group_arn": group, "cloud_watch_logs_role_arn": null, "kms_key_id": null,
                    "has_custom_event_selectors": false, "has_insight_selectors": false}},
                "status": {"present": {"is_logging": true, "latest_delivery_error": null, "latest_notification_error": null, "latest_delivery_time": null, "start_logging_time": null}},
                "event_selectors": "absent", "insight_selectors": "absent"})
        };
        let account = |id: &str, listed: &[(&str, &str)]| {
            serde_json::json!({"id": id, "name": null, "access": {"present": {"via": "caller"}}, "regions": {"present": ["us-east-1"]},
                "listed_trails": {"present": listed.iter().map(|(arn, region)| serde_json::json!({"arn": arn, "name": short_name(arn), "home_region": region})).collect::<Vec<_>>()},
                "public_access_block": "absent", "owned_buckets": {"present": []}})
        };
        inventory(
            serde_json::json!([account("123456789012", &[(ORG_TRAIL, "us-east-1")]), account("437341265782", &[(ORG_TRAIL, "us-east-1"), (OWN_TRAIL, "us-west-2")])]),
            serde_json::json!({
                ORG_TRAIL: trail(ORG_TRAIL, "us-east-1", "123456789012", true, Some("arn:aws:logs:us-east-1:123456789012:log-group:/org/cloudtrail:*")),
                OWN_TRAIL: trail(OWN_TRAIL, "us-west-2", "437341265782", false, None),
            }),
        )
    }

    #[test]
    fn account_wide_gaps_are_fixed_on_the_organization_trail_they_share() {
        let inv = organization();
        for account in ["123456789012", "437341265782"] {
            let fix = remediation(metadata::get("CT205").unwrap(), &failing("CT205", account, "us-east-1", account), &inv).unwrap();
            assert_eq!((fix.target.as_str(), fix.account.as_str(), fix.region.as_deref()), (ORG_TRAIL, "123456789012", Some("us-east-1")));
            assert!(fix.cli.contains(&format!("put-event-selectors --trail-name {ORG_TRAIL} --region us-east-1 ")), "{}", fix.cli);
            let fix = remediation(metadata::get("CT511").unwrap(), &failing("CT511", account, "us-east-1", account), &inv).unwrap();
            assert_eq!(fix.target, "arn:aws:logs:us-east-1:123456789012:log-group:/org/cloudtrail:*");
            assert!(fix.cli.starts_with("aws logs put-metric-filter --region us-east-1 --log-group-name /org/cloudtrail --filter-name nacl-changes"), "{}", fix.cli);
        }
    }

    fn fix_of(check: &str, account: &str, region: &str, resource: &str) -> Remediation {
        remediation(metadata::get(check).unwrap(), &failing(check, account, region, resource), &empty_inventory()).expect("a fix")
    }

    #[test]
    fn a_trail_fix_names_the_trail_arn_and_its_home_region() {
        let arn = "arn:aws:cloudtrail:us-west-2:437341265782:trail/x";
        let fix = fix_of("CT201", "437341265782", "us-west-2", arn);
        assert_eq!(fix.cli, format!("aws cloudtrail update-trail --name {arn} --region us-west-2 --enable-log-file-validation"));
        assert_eq!((fix.target.as_str(), fix.account.as_str(), fix.region.as_deref()), (arn, "437341265782", Some("us-west-2")));
        assert!(fix.terraform.as_deref().unwrap().contains("enable_log_file_validation = true") && fix.terraform.as_deref().unwrap().contains(arn));
    }

    #[test]
    fn a_bucket_fix_names_the_bucket() {
        let fix = fix_of("CT301", "437341265782", "us-west-2", "arn:aws:s3:::sandbox-logs");
        assert!(fix.cli.contains("put-public-access-block --bucket sandbox-logs "), "{}", fix.cli);
        assert!(fix.cli.contains("put-bucket-acl --bucket sandbox-logs --acl private"));
        assert!(!fix.cli.contains("<bucket>"));
        assert!(fix.terraform.unwrap().contains("bucket                  = \"sandbox-logs\""));
        let fix = fix_of("CT309", "437341265782", "us-west-2", "arn:aws:s3:::sandbox-logs");
        assert!(fix.cli.contains("--account-id 437341265782"), "{}", fix.cli);
    }

    #[test]
    fn key_and_log_group_fixes_name_them() {
        let key = "arn:aws:kms:eu-west-1:123456789012:key/abcd";
        assert!(fix_of("CT401", "123456789012", "eu-west-1", key).cli.starts_with(&format!("aws kms enable-key-rotation --key-id {key} --region eu-west-1")));
        let group = "arn:aws:logs:us-east-1:123456789012:log-group:/org/cloudtrail:*";
        assert_eq!(fix_of("CT516", "123456789012", "us-east-1", group).cli, "aws logs put-retention-policy --region us-east-1 --log-group-name /org/cloudtrail --retention-in-days 365");
    }

    #[test]
    fn only_failures_get_a_fix_and_account_wide_gaps_need_a_known_trail() {
        let meta = metadata::get("CT201").unwrap();
        let mut passing = failing("CT201", "1", "us-east-1", "arn:aws:cloudtrail:us-east-1:1:trail/x");
        passing.status = Status::Pass;
        assert_eq!(remediation(meta, &passing, &empty_inventory()), None);
        // CT511 with no known trail: no fix is invented (the doc's generic text remains).
        assert_eq!(remediation(metadata::get("CT511").unwrap(), &failing("CT511", "1", "us-east-1", "1"), &empty_inventory()), None);
        assert_eq!(remediation(metadata::get("CT101").unwrap(), &failing("CT101", "1", "us-east-1", "1"), &empty_inventory()), None, "CT101 has no [fix]");
    }
}
