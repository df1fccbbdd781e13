use chrono::{TimeZone, Utc};
use trailwarden::checks::{Outcome, Status};
use trailwarden::inventory::*;

use super::fixtures::*;

// =======================================================================================
// CT101 — no-logging-trail

#[test]
fn ct101_pass_when_own_trail_is_logging() {
    let t = trail("main", ACCT, "us-east-1");
    let arn = t.arn();
    let o = only(&account_with(vec![t]), "CT101");
    expect(&o, Status::Pass, &[&arn]);
    assert_eq!(o.account, ACCT);
}

#[test]
fn ct101_fail_when_no_trail_at_all() {
    let inv = inventory(vec![account(ACCT)], vec![], vec![], vec![], vec![]);
    expect(&only(&inv, "CT101"), Status::Fail, &[]);
}

#[test]
fn ct101_fail_when_only_trail_is_not_logging() {
    let inv = account_with(vec![trail("stopped", ACCT, "us-east-1").logging(false)]);
    expect(&only(&inv, "CT101"), Status::Fail, &[]);
}

#[test]
fn ct101_error_when_trail_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT101"), "AccessDenied");
}

#[test]
fn ct101_pass_when_one_trail_logs_even_if_another_is_unreadable() {
    let good = trail("good", ACCT, "us-east-1");
    let inv = account_with(vec![good, trail("other", ACCT, "eu-west-1").unreadable_status(DENIED)]);
    expect(&only(&inv, "CT101"), Status::Pass, &[]);
}

#[test]
fn ct101_error_when_trails_cannot_be_listed() {
    let inv = inventory(vec![Account { listed_trails: unavailable("ThrottlingException: Rate exceeded"), ..account(ACCT) }], vec![], vec![], vec![], vec![]);
    expect_error(&only(&inv, "CT101"), "ThrottlingException");
}

#[test]
fn ct101_org_trail_of_management_account_covers_member_without_trails() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail();
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    // The member's own ListTrails returned nothing: only the organization rule attributes the trail.
    let member = Account { listed_trails: Fact::Present(vec![]), ..account(MEMBER) };
    let inv = in_org(inventory(vec![mgmt, member], vec![org_trail], vec![bucket("logs", MGMT)], vec![], vec![]));
    let out = run(&inv, "CT101");
    assert_eq!(out.len(), 2);
    expect(for_account(&out, MEMBER), Status::Pass, &["trail/org"]);
    expect(for_account(&out, MGMT), Status::Pass, &[]);
    // Same for CT102.
    let out = run(&inv, "CT102");
    expect(for_account(&out, MEMBER), Status::Pass, &[]);
}

#[test]
fn ct101_non_org_trail_of_management_account_does_not_cover_member() {
    let mgmt_trail = trail("mgmt-only", MGMT, "us-east-1").multi_region();
    let mgmt = Account { listed_trails: Fact::Present(vec![mgmt_trail.trail_ref()]), ..account(MGMT) };
    let inv = in_org(inventory(vec![mgmt, account(MEMBER)], vec![mgmt_trail], vec![], vec![], vec![]));
    let out = run(&inv, "CT101");
    expect(for_account(&out, MEMBER), Status::Fail, &[]);
    expect(for_account(&out, MGMT), Status::Pass, &[]);
}

#[test]
fn account_scoped_checks_error_when_account_access_unavailable() {
    let inv = inventory(vec![unscannable_account(MEMBER), account(ACCT)], vec![trail("main", ACCT, "us-east-1").multi_region()], vec![bucket("logs", ACCT)], vec![], vec![]);
    for code in ["CT101", "CT102", "CT104", "CT105", "CT205", "CT206"] {
        let out = run(&inv, code);
        assert_eq!(out.len(), 2, "{code}: one outcome per account");
        expect_error(for_account(&out, MEMBER), "AssumeRole");
    }
    // CT103 (region scope) cannot list the regions either: still an ERROR, never PASS/FAIL.
    let out = run(&inv, "CT103");
    let member: Vec<&Outcome> = out.iter().filter(|o| o.account == MEMBER).collect();
    assert!(!member.is_empty(), "CT103 must report the unscannable account");
    for o in member {
        expect_error(o, "AssumeRole");
    }
}

// =======================================================================================
// CT102 — no-multi-region-management-trail

#[test]
fn ct102_pass_default_selectors_are_management_all() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region()]);
    expect(&only(&inv, "CT102"), Status::Pass, &["trail/main"]);
}

#[test]
fn ct102_pass_classic_all() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("All", true)])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_pass_classic_read_only_plus_write_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("ReadOnly", true), classic("WriteOnly", true)])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_fail_classic_read_only_alone() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("ReadOnly", true)])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_classic_write_only_alone() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("WriteOnly", true)])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_classic_without_management_events() {
    let sel = ClassicEventSelector { include_management_events: false, ..classic_s3("All", &["arn:aws:s3"]) };
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![sel])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_pass_advanced_management_without_read_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![])])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_pass_advanced_management_read_only_true_plus_false() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1")
        .multi_region()
        .advanced(vec![adv_management(vec![eq("readOnly", &["true"])]), adv_management(vec![eq("readOnly", &["false"])])])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_fail_advanced_management_read_only_true_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![eq("readOnly", &["true"])])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_advanced_data_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_s3(vec![])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_classic_excluded_management_sources() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic_excluding(&["kms.amazonaws.com"])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_advanced_event_source_not_equals() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![not_eq("eventSource", &["rdsdata.amazonaws.com"])])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_single_region_trail() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1")]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_multi_region_but_not_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().logging(false)]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_error_when_selectors_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().unreadable_selectors(DENIED)]);
    expect_error(&only(&inv, "CT102"), "AccessDenied");
}

#[test]
fn ct102_error_when_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT102"), "AccessDenied");
}

#[test]
fn ct102_error_when_config_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)]);
    expect_error(&only(&inv, "CT102"), "AccessDenied");
}

// =======================================================================================
// CT103 — region-not-logged

fn three_regions() -> Fact<Vec<String>> {
    Fact::Present(strings(&["us-east-1", "eu-west-1", "ap-southeast-2"]))
}

#[test]
fn ct103_one_outcome_per_enabled_region_with_multi_region_trail() {
    let t = trail("main", ACCT, "us-east-1").multi_region();
    let inv = inventory(vec![Account { regions: three_regions(), listed_trails: Fact::Present(vec![t.trail_ref()]), ..account(ACCT) }], vec![t], vec![], vec![], vec![]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 3, "{out:#?}");
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let o = for_resource(&out, region);
        expect(o, Status::Pass, &[region]);
        assert_eq!(o.region.as_deref(), Some(region));
        assert_eq!(o.account, ACCT);
    }
}

#[test]
fn ct103_single_region_trail_covers_only_its_home_region() {
    let t = trail("home", ACCT, "us-east-1");
    let inv = inventory(vec![Account { regions: three_regions(), listed_trails: Fact::Present(vec![t.trail_ref()]), ..account(ACCT) }], vec![t], vec![], vec![], vec![]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 3);
    expect(for_resource(&out, "us-east-1"), Status::Pass, &[]);
    expect(for_resource(&out, "eu-west-1"), Status::Fail, &["eu-west-1"]);
    expect(for_resource(&out, "ap-southeast-2"), Status::Fail, &["ap-southeast-2"]);
}

#[test]
fn ct103_single_region_trail_in_other_region_leaves_region_uncovered() {
    let t = trail("elsewhere", ACCT, "eu-west-1");
    let inv = inventory(
        vec![Account { regions: Fact::Present(strings(&["us-east-1"])), listed_trails: Fact::Present(vec![t.trail_ref()]), ..account(ACCT) }],
        vec![t],
        vec![],
        vec![],
        vec![],
    );
    expect(&only(&inv, "CT103"), Status::Fail, &["us-east-1"]);
}

#[test]
fn ct103_fail_when_trail_records_no_management_events() {
    let inv = account_with(vec![trail("data", ACCT, "us-east-1").multi_region().advanced(vec![adv_s3(vec![])])]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| o.status == Status::Fail), "{out:#?}");
}

#[test]
fn ct103_fail_when_multi_region_trail_not_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().logging(false)]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| o.status == Status::Fail), "{out:#?}");
}

#[test]
fn ct103_classic_and_advanced_management_selectors_count() {
    for t in [
        trail("c", ACCT, "us-east-1").multi_region().classic(vec![classic("All", true)]),
        trail("a", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![])]),
    ] {
        let out = run(&account_with(vec![t]), "CT103");
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|o| o.status == Status::Pass), "{out:#?}");
    }
}

#[test]
fn ct103_error_per_region_when_only_trail_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().unreadable_status(DENIED)]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 2);
    for o in &out {
        expect_error(o, "AccessDenied");
    }
}

#[test]
fn ct103_error_when_regions_unreadable() {
    let inv = inventory(
        vec![Account { regions: unavailable("account:ListRegions AccessDenied"), ..account(ACCT) }],
        vec![trail("main", ACCT, "us-east-1").multi_region()],
        vec![],
        vec![],
        vec![],
    );
    let out = run(&inv, "CT103");
    assert!(!out.is_empty());
    for o in &out {
        expect_error(o, "ListRegions");
    }
}

#[test]
fn ct103_org_trail_covers_member_regions() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail();
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    let member = Account { regions: three_regions(), ..account(MEMBER) };
    let inv = in_org(inventory(vec![mgmt, member], vec![org_trail], vec![], vec![], vec![]));
    let out: Vec<Outcome> = run(&inv, "CT103").into_iter().filter(|o| o.account == MEMBER).collect();
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:#?}");
}

// =======================================================================================
// CT104 — global-service-events-not-logged

#[test]
fn ct104_pass_when_logging_trail_includes_global_events() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").global_events(true)]);
    expect(&only(&inv, "CT104"), Status::Pass, &["trail/main"]);
}

#[test]
fn ct104_fail_when_no_trail_includes_global_events() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().global_events(false)]);
    expect(&only(&inv, "CT104"), Status::Fail, &[]);
}

#[test]
fn ct104_fail_when_global_trail_is_not_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").global_events(true).logging(false), trail("other", ACCT, "us-east-1").global_events(false)]);
    expect(&only(&inv, "CT104"), Status::Fail, &[]);
}

#[test]
fn ct104_error_when_config_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)]);
    expect_error(&only(&inv, "CT104"), "AccessDenied");
}

#[test]
fn ct104_error_when_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT104"), "AccessDenied");
}

// =======================================================================================
// CT105 — global-service-events-duplicated

#[test]
fn ct105_pass_with_one_global_trail() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").global_events(true), trail("regional", ACCT, "eu-west-1").global_events(false)]);
    expect(&only(&inv, "CT105"), Status::Pass, &[]);
}

#[test]
fn ct105_pass_with_no_trail() {
    let inv = inventory(vec![account(ACCT)], vec![], vec![], vec![], vec![]);
    expect(&only(&inv, "CT105"), Status::Pass, &[]);
}

#[test]
fn ct105_fail_with_two_logging_global_trails() {
    let a = trail("a", ACCT, "us-east-1").multi_region().global_events(true);
    let b = trail("b", ACCT, "eu-west-1").global_events(true);
    let (arn_a, arn_b) = (a.arn(), b.arn());
    let inv = account_with(vec![a, b]);
    expect(&only(&inv, "CT105"), Status::Fail, &["2", &arn_a, &arn_b]);
}

#[test]
fn ct105_pass_when_second_global_trail_is_not_logging() {
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").global_events(true), trail("b", ACCT, "eu-west-1").global_events(true).logging(false)]);
    expect(&only(&inv, "CT105"), Status::Pass, &[]);
}

#[test]
fn ct105_fail_when_member_has_own_global_trail_besides_org_trail() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail().global_events(true);
    let own = trail("own", MEMBER, "us-east-1").global_events(true);
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    let member = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref(), own.trail_ref()]), ..account(MEMBER) };
    let inv = in_org(inventory(vec![mgmt, member], vec![org_trail, own], vec![], vec![], vec![]));
    let out = run(&inv, "CT105");
    expect(for_account(&out, MEMBER), Status::Fail, &[]);
    expect(for_account(&out, MGMT), Status::Pass, &[]);
}

#[test]
fn ct105_error_when_one_global_trail_and_another_unreadable() {
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").global_events(true), trail("b", ACCT, "eu-west-1").unreadable_config(DENIED)]);
    let o = only(&inv, "CT105");
    expect_error(&o, "AccessDenied");
    assert!(o.evidence["not_read"][trail_arn("b", ACCT, "eu-west-1")]["trail_configuration"].is_object(), "{}", o.evidence);
}

#[test]
fn ct105_error_when_two_trails_unreadable() {
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").unreadable_status(DENIED), trail("b", ACCT, "eu-west-1").unreadable_config(DENIED)]);
    expect_error(&only(&inv, "CT105"), "AccessDenied");
}

#[test]
fn ct105_pass_when_the_only_trail_is_unreadable() {
    // One trail cannot be two, whatever its status says.
    let t = trail("a", ACCT, "us-east-1").global_events(true).unreadable_status(DENIED);
    let arn = t.arn();
    let o = only(&account_with(vec![t]), "CT105");
    expect(&o, Status::Pass, &["at most 1", "not read", "AccessDenied"]);
    assert!(o.evidence["not_read"][&arn]["trail_status"].to_string().contains("AccessDenied"), "{}", o.evidence);
    assert!(o.evidence["not_read"][&arn].get("trail_configuration").is_none(), "{}", o.evidence);
}

#[test]
fn ct105_pass_when_one_global_trail_and_the_unreadable_one_cannot_count() {
    // b's status is unreadable, but its configuration excludes global events: it cannot count.
    let b = trail("b", ACCT, "eu-west-1").global_events(false).unreadable_status(DENIED);
    // c's configuration is unreadable, but it is not logging: it cannot count either.
    let c = trail("c", ACCT, "eu-west-2").logging(false).unreadable_config(DENIED);
    let (arn_b, arn_c) = (b.arn(), c.arn());
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").global_events(true), b, c]);
    let o = only(&inv, "CT105");
    expect(&o, Status::Pass, &["1 logging trail"]);
    assert!(o.evidence["not_read"][&arn_b]["trail_status"].is_object(), "{}", o.evidence);
    assert!(o.evidence["not_read"][&arn_c]["trail_configuration"].is_object(), "{}", o.evidence);
}

#[test]
fn ct105_error_when_one_global_trail_and_another_might_count() {
    // b includes global events; whether it is logging was not read: the count is 1 or 2.
    let b = trail("b", ACCT, "eu-west-1").global_events(true).unreadable_status(DENIED);
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").global_events(true), b]);
    expect_error(&only(&inv, "CT105"), "AccessDenied");
}

#[test]
fn ct105_fail_when_two_count_whatever_the_unread_one_says() {
    let a = trail("a", ACCT, "us-east-1").multi_region().global_events(true);
    let b = trail("b", ACCT, "eu-west-1").global_events(true);
    let c = trail("c", ACCT, "eu-west-2").unreadable_status(DENIED);
    let arn_c = c.arn();
    let o = only(&account_with(vec![a, b, c]), "CT105");
    expect(&o, Status::Fail, &["2 trails", "not read"]);
    assert!(o.evidence["not_read"][&arn_c].is_object(), "{}", o.evidence);
}

// =======================================================================================
// CT106 — management-event-sources-excluded

#[test]
fn ct106_pass_default_selectors() {
    let t = trail("main", ACCT, "us-east-1");
    let arn = t.arn();
    let o = only(&account_with(vec![t]), "CT106");
    expect(&o, Status::Pass, &[]);
    assert_eq!(o.resource, arn);
}

#[test]
fn ct106_pass_classic_and_advanced_without_exclusions() {
    let inv = account_with(vec![
        trail("c", ACCT, "us-east-1").classic(vec![classic("ReadOnly", true), classic("WriteOnly", true)]),
        trail("a", ACCT, "us-east-1").advanced(vec![adv_management(vec![]), adv_s3(vec![])]),
    ]);
    let out = run(&inv, "CT106");
    assert_eq!(out.len(), 2);
    for o in &out {
        expect(o, Status::Pass, &[]);
    }
}

#[test]
fn ct106_fail_classic_exclude_management_event_sources() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").classic(vec![classic_excluding(&["kms.amazonaws.com", "rdsdata.amazonaws.com"])])]);
    expect(&only(&inv, "CT106"), Status::Fail, &["kms.amazonaws.com", "rdsdata.amazonaws.com"]);
}

#[test]
fn ct106_fail_advanced_event_source_not_equals() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").advanced(vec![adv_management(vec![not_eq("eventSource", &["kms.amazonaws.com"])])])]);
    expect(&only(&inv, "CT106"), Status::Fail, &["kms.amazonaws.com"]);
}

#[test]
fn ct106_error_when_selectors_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_selectors(DENIED)]);
    expect_error(&only(&inv, "CT106"), "AccessDenied");
}

#[test]
fn ct106_one_outcome_per_trail_even_when_listed_by_several_accounts() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail();
    let listed = Fact::Present(vec![org_trail.trail_ref()]);
    let inv = in_org(inventory(
        vec![Account { listed_trails: listed.clone(), ..account(MGMT) }, Account { listed_trails: listed, ..account(MEMBER) }],
        vec![org_trail],
        vec![],
        vec![],
        vec![],
    ));
    let o = only(&inv, "CT106");
    assert_eq!(o.account, MGMT);
}

// =======================================================================================
// CT107 — no-organization-trail

fn org_with(trails: Vec<TrailBuilder>) -> Inventory {
    let mgmt = Account { listed_trails: Fact::Present(trails.iter().map(|t| t.trail_ref()).collect()), ..account(MGMT) };
    in_org(inventory(vec![mgmt, account(MEMBER)], trails, vec![], vec![], vec![]))
}

#[test]
fn ct107_not_applicable_outside_organization_mode() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region()]);
    expect(&only(&inv, "CT107"), Status::NotApplicable, &["--org"]);
    // Organization known, but scanning one account: still not judged.
    let mut inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail()]);
    inv.scan.mode = ScanMode::Account;
    expect(&only(&inv, "CT107"), Status::NotApplicable, &[]);
}

#[test]
fn ct107_pass_logging_multi_region_org_trail() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail()]);
    let o = only(&inv, "CT107");
    expect(&o, Status::Pass, &["trail/org"]);
    assert_eq!(o.resource, "o-abc123def4");
}

#[test]
fn ct107_pass_classic_read_only_plus_write_only() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().classic(vec![classic("ReadOnly", true), classic("WriteOnly", true)])]);
    expect(&only(&inv, "CT107"), Status::Pass, &[]);
}

#[test]
fn ct107_pass_advanced_management() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().advanced(vec![adv_management(vec![])])]);
    expect(&only(&inv, "CT107"), Status::Pass, &[]);
}

#[test]
fn ct107_fail_advanced_management_read_only_true() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().advanced(vec![adv_management(vec![eq("readOnly", &["true"])])])]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_classic_read_only() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().classic(vec![classic("ReadOnly", true)])]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_single_region_org_trail() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").org_trail()]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_org_trail_not_logging() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().logging(false)]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_multi_region_trail_that_is_not_an_org_trail() {
    let inv = org_with(vec![trail("mgmt", MGMT, "us-east-1").multi_region()]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_error_when_org_trail_status_unreadable() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT107"), "AccessDenied");
}

#[test]
fn ct107_error_when_management_trails_cannot_be_listed() {
    let mgmt = Account { listed_trails: unavailable("ThrottlingException: Rate exceeded"), ..account(MGMT) };
    let inv = in_org(inventory(vec![mgmt, account(MEMBER)], vec![], vec![], vec![], vec![]));
    expect_error(&only(&inv, "CT107"), "ThrottlingException");
}

#[test]
fn ct107_error_when_management_account_not_scanned() {
    let inv = in_org(inventory(vec![account(MEMBER)], vec![], vec![], vec![], vec![]));
    expect(&only(&inv, "CT107"), Status::Error, &[MGMT]);
}

// =======================================================================================
// CT108 — trail-not-logging

#[test]
fn ct108_pass_when_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1")]);
    let o = only(&inv, "CT108");
    expect(&o, Status::Pass, &[]);
    assert_eq!(o.region.as_deref(), Some("us-east-1"));
}

#[test]
fn ct108_fail_names_when_logging_stopped() {
    let stopped = Utc.with_ymd_and_hms(2025, 5, 20, 8, 30, 0).unwrap();
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").stopped(stopped)]);
    expect(&only(&inv, "CT108"), Status::Fail, &["2025-05-20"]);
}

#[test]
fn ct108_fail_without_stop_time() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").logging(false)]);
    expect(&only(&inv, "CT108"), Status::Fail, &[]);
}

#[test]
fn ct108_error_when_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT108"), "AccessDenied");
}
