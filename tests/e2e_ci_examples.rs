//! The CI and scheduling examples in docs/ci/ run as written against the emulator in place
//! of AWS: the scan commands of the GitHub Actions workflow, the GitLab job, the cron script
//! and the Kubernetes CronJob are extracted from the files and executed with bash, with the
//! real binary first on PATH and AWS_ENDPOINT_URL pointing at the emulator.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Emulator, TempDir, read_json, repo_root};
use serde_json::Value;

fn yaml(file: &str) -> Value {
    let out = Command::new(repo_root().join(".venv/bin/python"))
        .args(["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"])
        .arg(repo_root().join("docs/ci").join(file))
        .output()
        .expect("python with PyYAML (scripts/setup-emulator.sh installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Run a shell script the way a CI runner would, against the emulator.
fn run_bash(emulator: &Emulator, dir: &Path, script: &str, env: &[(&str, &str)]) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_trailwarden")).parent().unwrap().display().to_string();
    let mut cmd = Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{bin_dir}:/usr/local/bin:/usr/bin:/bin"))
        .env("HOME", dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &emulator.url)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn org_with_audit_role() -> Emulator {
    let emulator = Emulator::start();
    emulator.seed("org");
    emulator.change("create-audit-role");
    emulator
}

fn assert_scanned_through_audit_role(report: &Value) {
    let accounts = report["scan"]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 5);
    assert_eq!(accounts.iter().filter(|a| a["status"] == "scanned").count(), 4, "every member but the one without roles: {accounts:#?}");
}

#[test]
fn github_actions_scan_step_runs_as_written() {
    let emulator = org_with_audit_role();
    let workflow = yaml("github-actions.yml");
    let step = workflow["jobs"]["cloudtrail-posture"]["steps"].as_array().unwrap().iter().find(|s| s["name"] == "Scan").expect("a Scan step").clone();
    let script = step["run"].as_str().unwrap();
    let role = step["env"]["TRAILWARDEN_ROLE"].as_str().unwrap();
    let dir = TempDir::new("gha");
    let summary = dir.str("step-summary.md");
    let out = run_bash(&emulator, &dir.0, script, &[("TRAILWARDEN_ROLE", role), ("GITHUB_STEP_SUMMARY", &summary)]);
    let code = out.status.code().unwrap();
    assert!(code == 1 || code == 3, "the gate reports problems: exit {code}: {}", String::from_utf8_lossy(&out.stderr));
    assert_scanned_through_audit_role(&read_json(&dir.path("trailwarden.json")));
    let sarif = read_json(&dir.path("trailwarden.sarif"));
    assert_eq!(sarif["version"], "2.1.0");
    assert!(std::fs::read_to_string(dir.path("trailwarden.html")).unwrap().contains("<html"));
    assert!(std::fs::read_to_string(&summary).unwrap().contains("trailwarden"));

    // With the current state committed as the baseline, nothing is new: only the
    // unreadable account keeps the scan incomplete (exit 3), no failure gate trips.
    std::fs::create_dir_all(dir.path("security")).unwrap();
    std::fs::copy(dir.path("trailwarden.json"), dir.path("security/trailwarden-baseline.json")).unwrap();
    let out = run_bash(&emulator, &dir.0, script, &[("TRAILWARDEN_ROLE", role), ("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_json(&dir.path("trailwarden.json"));
    assert_eq!(report["baseline"]["counts"]["new"], 0);
}

#[test]
fn gitlab_job_script_runs_as_written() {
    let emulator = org_with_audit_role();
    let ci = yaml("gitlab-ci.yml");
    let job = &ci["trailwarden"];
    let script: Vec<&str> = job["script"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    let dir = TempDir::new("gitlab");
    let out = run_bash(&emulator, &dir.0, &script.join("\n"), &[("TRAILWARDEN_ROLE", job["variables"]["TRAILWARDEN_ROLE"].as_str().unwrap())]);
    assert!(matches!(out.status.code(), Some(1) | Some(3)), "{}", String::from_utf8_lossy(&out.stderr));
    let junit = std::fs::read_to_string(dir.path("trailwarden-junit.xml")).unwrap();
    assert!(junit.contains("<testsuites") && junit.contains("<testcase"), "{junit}");
    for artifact in job["artifacts"]["paths"].as_array().unwrap() {
        assert!(dir.path(artifact.as_str().unwrap()).exists(), "artifact {artifact} was not written");
    }
    assert_scanned_through_audit_role(&read_json(&dir.path("trailwarden.json")));
}

#[test]
fn cron_script_keeps_dated_reports_and_compares_with_the_last_night() {
    let emulator = org_with_audit_role();
    let dir = TempDir::new("cron");
    let reports = dir.str("reports");
    let script = repo_root().join("docs/ci/nightly-scan.sh").display().to_string();
    let first = run_bash(&emulator, &dir.0, &script, &[("REPORT_DIR", &reports)]);
    assert!(matches!(first.status.code(), Some(1) | Some(3)), "{}", String::from_utf8_lossy(&first.stderr));
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a new dated folder
    let second = run_bash(&emulator, &dir.0, &script, &[("REPORT_DIR", &reports)]);
    assert!(matches!(second.status.code(), Some(1) | Some(3)), "{}", String::from_utf8_lossy(&second.stderr));
    let latest = dir.path("reports/latest");
    let report = read_json(&latest.join("report.json"));
    assert_scanned_through_audit_role(&report);
    assert_eq!(report["baseline"]["counts"]["new"], 0, "the second night compares with the first");
    assert!(latest.join("inventory.json").exists() && latest.join("report.html").exists() && latest.join("findings.csv").exists());
    let nights = std::fs::read_dir(dir.path("reports")).unwrap().count();
    assert_eq!(nights, 3, "two dated folders and the latest link");
}

#[test]
fn kubernetes_cronjob_command_runs_as_written() {
    let emulator = org_with_audit_role();
    let job = yaml("kubernetes-cronjob.yaml");
    let container = &job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
    let dir = TempDir::new("cronjob");
    let reports = dir.str("reports");
    std::fs::create_dir_all(&reports).unwrap();
    // The only substitution: the mounted volume path becomes a local folder.
    let mut argv: Vec<String> = container["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
    argv.extend(container["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().replace("/reports", &reports)));
    let quoted: Vec<String> = argv.iter().map(|a| format!("'{a}'")).collect();
    let out = run_bash(&emulator, &dir.0, &quoted.join(" "), &[]);
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "--allow-incomplete: the job succeeds or reports failures: {}", String::from_utf8_lossy(&out.stderr));
    assert_scanned_through_audit_role(&read_json(&dir.path("reports/report.json")));
    assert!(dir.path("reports/inventory.json").exists() && dir.path("reports/report.html").exists());
}

/// The shards of docs/ci/kubernetes-indexed-job.yaml: each completion index's pod command, as
/// written (JOB_COMPLETION_INDEX and the downward-API SCAN_ID in its environment, the volume a
/// local folder), then the merge Job's command.
#[test]
fn kubernetes_indexed_job_shards_and_merge_run_as_written() {
    let emulator = org_with_audit_role();
    let list = yaml("kubernetes-indexed-job.yaml");
    let jobs = list["items"].as_array().unwrap();
    let shards = &jobs[0]["spec"];
    assert_eq!(shards["completionMode"], "Indexed");
    let completions = shards["completions"].as_u64().unwrap();
    let dir = TempDir::new("indexed-job");
    let volume = dir.str("inventories");
    std::fs::create_dir_all(&volume).unwrap();
    let script_of = |job: &Value| -> String {
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["command"], serde_json::json!(["sh", "-c"]));
        assert_eq!(container["env"].as_array().unwrap().iter().find(|e| e["name"] == "SCAN_ID").unwrap()["valueFrom"]["fieldRef"]["fieldPath"], "metadata.labels['trailwarden/scan-id']");
        container["args"][0].as_str().unwrap().replace("/inventories", &volume)
    };
    let scan_id = "20261201T0217Z"; // what `envsubst '$SCAN_ID'` puts in the pod label
    for index in 0..completions {
        let out = run_bash(&emulator, &dir.0, &script_of(&jobs[0]), &[("JOB_COMPLETION_INDEX", &index.to_string()), ("SCAN_ID", scan_id)]);
        assert_eq!(out.status.code(), Some(0), "shard pod {index}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = run_bash(&emulator, &dir.0, &script_of(&jobs[1]), &[("SCAN_ID", scan_id)]);
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "--allow-incomplete: {}", String::from_utf8_lossy(&out.stderr));
    let folder = dir.path("inventories").join(scan_id);
    assert_scanned_through_audit_role(&read_json(&folder.join("report.json")));
    assert!(folder.join("report.html").exists() && folder.join("inventory.json").exists());
    for i in 1..=completions {
        assert!(!folder.join(format!("shard-{i}.checkpoint")).exists(), "a finished shard removes its checkpoint");
    }
}

/// docs/ci/github-actions-shards.yml: every matrix job's scan step, then the merge job's step,
/// with GitHub's expressions replaced by the values a run gives them.
#[test]
fn github_actions_shard_matrix_and_merge_job_run_as_written() {
    let emulator = org_with_audit_role();
    let workflow = yaml("github-actions-shards.yml");
    let shard_job = &workflow["jobs"]["shard"];
    let step = |job: &Value, name: &str| job["steps"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("a {name} step")).clone();
    let scan = step(shard_job, "Scan shard");
    let role = scan["env"]["TRAILWARDEN_ROLE"].as_str().unwrap().to_string();
    let dir = TempDir::new("gha-shards");
    let summary = dir.str("step-summary.md");
    for shard in shard_job["strategy"]["matrix"]["shard"].as_array().unwrap() {
        let script = scan["run"].as_str().unwrap().replace("${{ matrix.shard }}", &shard.to_string()).replace("${{ github.run_id }}", "9876543210").replace("${{ github.run_attempt }}", "1");
        let out = run_bash(&emulator, &dir.0, &script, &[("TRAILWARDEN_ROLE", &role)]);
        assert_eq!(out.status.code(), Some(0), "shard {shard}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(dir.path(&format!("inventory-{shard}.json")).exists(), "the file the upload step uploads");
    }
    let merge = &workflow["jobs"]["merge"];
    assert_eq!(merge["needs"], "shard");
    let script = step(merge, "Merge and evaluate")["run"].as_str().unwrap().to_string();
    let out = run_bash(&emulator, &dir.0, &script, &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert!(matches!(out.status.code(), Some(1) | Some(3)), "the gate reports problems: {}", String::from_utf8_lossy(&out.stderr));
    assert_scanned_through_audit_role(&read_json(&dir.path("trailwarden.json")));
    assert_eq!(read_json(&dir.path("trailwarden.sarif"))["version"], "2.1.0");
    assert!(std::fs::read_to_string(&summary).unwrap().contains("trailwarden"));
    assert!(dir.path("trailwarden-inventory.json").exists());
}
