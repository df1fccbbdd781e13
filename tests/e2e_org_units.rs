//! The organization's OU tree, end to end through the real binary and the emulator (`org`
//! scenario: Root → Core (log-archive), Members (member-b) → Team-A (member-a); member-norole
//! and the management account at the root).
//!
//! What is held: an organization scan reads the tree with 1 + 2 × (OUs + root) Organizations
//! calls and carries it, and a score per OU, in the JSON report and the HTML page; an
//! inventory saved before the tree existed still loads (no tree, no OU scores, the same
//! findings); a tree that cannot be read is reported as such, naming the refused action,
//! and changes no finding — it is never guessed from what was read.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use common::{Emulator, TempDir, read_json, stderr};
use serde_json::Value;

/// GET /_trailwarden/requests (`--count-requests`): counts per operation since the last read.
fn request_counts(url: &str) -> Value {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the emulator");
    write!(stream, "GET /_trailwarden/requests HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    serde_json::from_str(text.split("\r\n\r\n").nth(1).expect("an HTTP body")).expect("JSON counts")
}

fn statuses(report: &Value) -> BTreeMap<String, String> {
    report["findings"].as_array().unwrap().iter().map(|f| (f["id"].as_str().unwrap().to_string(), f["status"].as_str().unwrap().to_string())).collect()
}

fn scan(emulator: &Emulator, dir: &TempDir, name: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let json = dir.str(&format!("{name}.json"));
    let mut args = vec!["--org", "--regions", "us-east-1,us-west-2", "-o"];
    let output = format!("json={json}");
    args.push(&output);
    args.extend_from_slice(extra);
    let out = emulator.scan(&args);
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "scan {name}: {}", stderr(&out));
    (out.status.code(), read_json(Path::new(&json)))
}

#[test]
fn an_organization_scan_carries_the_ou_tree_and_a_score_per_ou() {
    let emulator = Emulator::start_with(&["--count-requests"]);
    let seed = emulator.seed("org");
    let dir = TempDir::new("org-units");
    request_counts(&emulator.url);
    let html = dir.str("report.html");
    let output = format!("html={html}");
    let (_, report) = scan(&emulator, &dir, "report", &["-o", &output]);
    let counts = request_counts(&emulator.url);

    let org = &seed["organization"];
    let ous = org["organizational_units"].as_object().unwrap();
    let tree = &report["scan"]["organization_tree"];
    assert_eq!(tree["unavailable"], Value::Null, "{tree}");
    let units = tree["units"].as_array().unwrap();
    assert_eq!(units.len(), ous.len() + 1, "the root and every OU: {tree}");
    assert_eq!(units[0]["id"], org["root_id"], "the root first");
    assert_eq!(units[0]["parent"], Value::Null);
    // Each OU under the parent the harness created it under, holding the accounts moved there.
    let id_of = |name: &str| ous[name].as_str().unwrap().to_string();
    for (name, parent) in org["ou_parents"].as_object().unwrap() {
        let unit = units.iter().find(|u| u["id"] == id_of(name)).unwrap_or_else(|| panic!("OU {name} in {tree}"));
        assert_eq!(unit["name"], name.as_str());
        let want_parent = parent.as_str().map(id_of).unwrap_or_else(|| org["root_id"].as_str().unwrap().to_string());
        assert_eq!(unit["parent"], want_parent.as_str(), "{name}");
    }
    for (key, account) in seed["accounts"].as_object().unwrap() {
        let holder = account["ou"].as_str().map(id_of).unwrap_or_else(|| org["root_id"].as_str().unwrap().to_string());
        let unit = units.iter().find(|u| u["id"] == holder.as_str()).unwrap();
        assert!(unit["accounts"].as_array().unwrap().contains(&account["id"]), "{key} directly in {holder}: {unit}");
    }

    // Few calls: ListRoots once, the two per-parent listings once per root and OU.
    let nodes = units.len() as u64;
    for (op, n) in [("organizations:ListRoots", 1), ("organizations:ListOrganizationalUnitsForParent", nodes), ("organizations:ListAccountsForParent", nodes)] {
        assert_eq!(counts[op].as_u64(), Some(n), "{op}: {counts}");
    }

    // A score per unit: Members aggregates Team-A; the root is the organization.
    let scores: BTreeMap<&str, &Value> = report["scores"]["units"].as_array().unwrap().iter().map(|u| (u["id"].as_str().unwrap(), u)).collect();
    assert_eq!(scores.len(), units.len());
    let account_score = |id: &Value| report["scores"]["accounts"].as_array().unwrap().iter().find(|a| a["id"] == *id).unwrap()["score"].as_f64().unwrap();
    let (a, b) = (&seed["accounts"]["member-a"]["id"], &seed["accounts"]["member-b"]["id"]);
    let members = scores[id_of("Members").as_str()];
    assert_eq!(members["accounts"].as_array().unwrap().len(), 2, "{members}");
    assert_eq!(members["score"].as_f64(), Some(((account_score(a) + account_score(b)) / 2.0 * 10.0).floor() / 10.0), "{members}");
    assert_eq!(scores[id_of("Team-A").as_str()]["score"].as_f64(), Some(account_score(a)));
    let root = scores[org["root_id"].as_str().unwrap()];
    assert_eq!(root["score"], report["scores"]["organization"]["score"]);
    assert_eq!(root["unscanned_accounts"], report["scores"]["organization"]["unscanned_accounts"], "member-norole is at the root");
    assert!(root["frameworks"]["cis-6.0"]["controls"].as_object().is_some_and(|c| !c.is_empty()), "{root}");

    // The page shows the tree with the JSON's scores.
    let page = std::fs::read_to_string(&html).unwrap();
    for (id, unit) in &scores {
        let row = &page[page.find(&format!("<tr class=\"ou\" data-ou=\"{id}\">")).unwrap_or_else(|| panic!("row of {id}"))..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains(&format!(">{:.1}</span>", unit["score"].as_f64().unwrap())), "{row}");
    }
}

#[test]
fn an_inventory_without_the_tree_still_loads_and_a_denied_tree_is_reported_not_guessed() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("org-units-missing");
    let inventory = dir.str("inventory.json");
    let (code, full) = scan(&emulator, &dir, "full", &["--save-inventory", &inventory]);

    // An inventory written before the tree was read: no `units` on the organization.
    let mut old: Value = read_json(Path::new(&inventory));
    assert!(old["organization"]["units"]["present"].is_array(), "the saved inventory holds the tree: {}", old["organization"]);
    old["organization"].as_object_mut().unwrap().remove("units");
    let old_path = dir.path("old-inventory.json");
    std::fs::write(&old_path, serde_json::to_vec(&old).unwrap()).unwrap();
    let again = dir.str("again.json");
    let out = common::trailwarden(&["scan", "--inventory", old_path.to_str().unwrap(), "-o", &format!("json={again}")]);
    assert_eq!(out.status.code(), code, "{}", stderr(&out));
    let again = read_json(Path::new(&again));
    assert_eq!(again["scan"]["organization_tree"], Value::Null);
    assert_eq!(again["scores"]["units"], serde_json::json!([]));
    assert_eq!(statuses(&again), statuses(&full), "the same findings");
    assert_eq!(again["scores"]["organization"], full["scores"]["organization"]);

    // The tree refused (one of its calls): said, naming the action; no tree, no OU scores; every
    // finding as before and the exit code unchanged (the tree is no check's evidence).
    let management = seed["organization"]["management_account_id"].as_str().unwrap();
    emulator.deny_action(management, "organizations:ListAccountsForParent");
    let html = dir.str("denied.html");
    let output = format!("html={html}");
    let (denied_code, denied) = scan(&emulator, &dir, "denied", &["-o", &output]);
    let tree = &denied["scan"]["organization_tree"];
    assert_eq!(tree["units"], serde_json::json!([]), "no partial tree: {tree}");
    assert_eq!(tree["unavailable"]["action"], "organizations:ListAccountsForParent", "{tree}");
    assert_eq!(tree["unavailable"]["kind"], "access_denied", "{tree}");
    assert_eq!(denied["scores"]["units"], serde_json::json!([]));
    assert!(denied["scan"]["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("OU tree could not be read")), "{}", denied["scan"]["notes"]);
    assert_eq!(statuses(&denied), statuses(&full));
    assert_eq!(denied_code, code);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("OU tree could not be read:</strong> organizations:ListAccountsForParent: AccessDenied"), "the page says so");
    assert!(!page.contains("<table class=\"data compact ou-tree\">"));
}
