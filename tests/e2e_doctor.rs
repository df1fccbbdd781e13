//! `trailwarden doctor` through the binary: all good is exit 0; an account whose role cannot be
//! assumed and an action an SCP denies are each one line naming the account, the action and
//! the fix, with exit 1.

mod common;

use common::{Emulator, stderr, stdout, trailwarden};

#[test]
fn doctor_passes_when_everything_can_be_read() {
    let emulator = Emulator::start();
    emulator.seed("compliant");
    let out = emulator.scan_like(&["doctor"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("0 problem(s)"), "{}", stdout(&out));
}

#[test]
fn doctor_names_the_account_the_action_and_the_fix() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let member = seed["accounts"]["member-a"]["id"].as_str().unwrap();
    let norole = seed["accounts"]["member-norole"]["id"].as_str().unwrap();
    emulator.deny_action(member, "kms:DescribeKey");
    let out = emulator.scan_like(&["doctor", "--org"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let problems: Vec<&str> = text.lines().filter(|l| l.starts_with("PROBLEM")).collect();
    assert_eq!(problems.len(), 2, "{text}");
    assert!(problems.iter().any(|l| l.contains(norole) && l.contains("sts:AssumeRole") && l.contains("fix: deploy deploy/cloudformation/member-role.json")), "{text}");
    assert!(problems.iter().any(|l| l.contains(member) && l.contains("kms:DescribeKey is denied") && l.contains("fix: allow kms:DescribeKey")), "{text}");
    // Without the broken account and the denial, the rest is fine.
    let out = emulator.scan_like(&["doctor", "--org", "--exclude-accounts", &format!("{norole},{member}")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = trailwarden(&["doctor", "--accounts", "123"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn doctor_reports_an_organization_it_cannot_list_as_a_problem() {
    // The compliant scenario has no organization: --org cannot list one.
    let emulator = Emulator::start();
    emulator.seed("compliant");
    let out = emulator.scan_like(&["doctor", "--org"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).lines().any(|l| l.starts_with("PROBLEM") && l.contains("organizations:DescribeOrganization")), "{}", stdout(&out));
}
