//! Credentials never leak: neither the caller's secret key and session token nor any secret
//! key or session token the emulator issued for sts:AssumeRole appear in any output of a
//! run — every report format, the saved inventory, stdout and stderr of `scan`, `doctor`
//! (with `-vv`: the SDK's debug log of every call and credential load) and `validate-logs --verbose`.

mod common;

use common::{Emulator, TempDir, http, trailwarden_with_env};

#[test]
fn no_secret_appears_in_any_output() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("credentials");
    // Distinct from every other string of a run (the harness default secret, `testing`, is
    // also the access key id, which is not a secret and is printed on purpose).
    let secret = format!("twSecretKey{}x9Q", std::process::id());
    let token = format!("twSessionToken{}Zq7", std::process::id());
    let env = [("AWS_SECRET_ACCESS_KEY", secret.as_str()), ("AWS_SESSION_TOKEN", token.as_str())];

    let formats = ["json", "html", "sarif", "junit", "markdown", "csv", "ocsf"];
    // -vv: the SDK's debug log of every call, credential load and AssumeRole on stderr.
    let mut args: Vec<String> = ["scan", "-vv", "--org", "--verify-integrity=1h", "--endpoint-url", &emulator.url].iter().map(|s| s.to_string()).collect();
    for format in formats {
        args.extend(["-o".to_string(), format!("{format}={}", dir.str(&format!("report.{format}")))]);
    }
    args.extend(["--save-inventory".to_string(), dir.str("inventory.json")]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let scan = trailwarden_with_env(&dir.0, &args, &env);
    assert!(matches!(scan.status.code(), Some(1 | 3)), "scan: {}", String::from_utf8_lossy(&scan.stderr));
    outputs.push(("scan stdout".into(), scan.stdout));
    assert!(String::from_utf8_lossy(&scan.stderr).contains("aws_smithy_runtime"), "-vv logs the SDK's calls, so the check below reads a real log");
    outputs.push(("scan stderr".into(), scan.stderr));
    // The summary on stdout too (no -o to stdout).
    let summary = trailwarden_with_env(&dir.0, &["scan", "--org", "--endpoint-url", &emulator.url], &env);
    outputs.push(("scan summary stdout".into(), summary.stdout));
    outputs.push(("scan summary stderr".into(), summary.stderr));

    let doctor = trailwarden_with_env(&dir.0, &["doctor", "--org", "--endpoint-url", &emulator.url], &env);
    outputs.push(("doctor stdout".into(), doctor.stdout));
    outputs.push(("doctor stderr".into(), doctor.stderr));

    let trail = seed["trails"]["org-trail"]["arn"].as_str().unwrap();
    let management = seed["accounts"]["management"]["id"].as_str().unwrap();
    for extra in [&[][..], &["--json"][..]] {
        let mut validate = vec!["validate-logs", "--trail-arn", trail, "--start-time", "2020-01-01", "--account-id", management, "--verbose", "--endpoint-url", &emulator.url];
        validate.extend_from_slice(extra);
        let out = trailwarden_with_env(&dir.0, &validate, &env);
        outputs.push((format!("validate-logs {extra:?} stdout"), out.stdout));
        outputs.push((format!("validate-logs {extra:?} stderr"), out.stderr));
    }
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        let path = entry.unwrap().path();
        outputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    for format in formats {
        assert!(outputs.iter().any(|(name, body)| name.ends_with(&format!("report.{format}")) && !body.is_empty()), "no {format} report written");
    }
    assert!(outputs.iter().any(|(name, _)| name.ends_with("inventory.json")), "no inventory written");

    // Every credential the emulator issued for AssumeRole (moto's model dump lists them).
    let (status, body) = http(&emulator.url, "GET", "/moto-api/data.json", "");
    assert_eq!(status, 200, "moto-api: {body}");
    let data: serde_json::Value = serde_json::from_str(&body).unwrap();
    let assumed = data["sts"]["AssumedRole"].as_array().cloned().unwrap_or_default();
    assert!(assumed.len() >= 3, "the scans assumed roles in the member accounts: {assumed:?}");
    let mut secrets = vec![("caller secret key".to_string(), secret.clone()), ("caller session token".to_string(), token.clone())];
    for role in &assumed {
        let session = role["arn"].as_str().unwrap_or("?");
        for field in ["secret_access_key", "session_token"] {
            let value = role[field].as_str().unwrap_or_default();
            assert!(value.len() >= 20, "{session}: no {field} in {role}");
            secrets.push((format!("{field} of {session}"), value.to_string()));
        }
    }

    let mut leaks = Vec::new();
    for (name, body) in &outputs {
        let text = String::from_utf8_lossy(body);
        for (what, value) in &secrets {
            if text.contains(value.as_str()) {
                leaks.push(format!("{what} in {name}"));
            }
        }
    }
    println!("checked {} outputs ({} bytes) for {} secrets", outputs.len(), outputs.iter().map(|(_, b)| b.len()).sum::<usize>(), secrets.len());
    assert!(leaks.is_empty(), "credentials leaked:\n{}", leaks.join("\n"));
}
