//! Test harness: runs moto's server (patched by `tests/harness/moto_launcher.py`) on a free
//! loopback port, seeds scenarios through the AWS APIs (`tests/harness/seed.py`), and runs
//! the real `trailwarden` binary against it.
//!
//! The emulator is installed by `tests/harness/setup.sh` into `.venv`; a missing emulator is
//! a test failure with the command to fix it, never a skip.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    assert!(python.exists(), "the AWS emulator is not installed: run `bash tests/harness/setup.sh` (creates .venv with moto[server])");
    python
}

/// `--record-operations DIR` when scripts/test.sh asks for it (TRAILWARDEN_RECORD_OPERATIONS):
/// every AWS operation the binary calls in any test is then checked against `iam-policy`.
fn record_operations() -> Vec<String> {
    match std::env::var("TRAILWARDEN_RECORD_OPERATIONS") {
        Ok(dir) if !dir.is_empty() => vec!["--record-operations".to_string(), dir],
        _ => Vec::new(),
    }
}

pub struct Emulator {
    child: Child,
    pub url: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// Start with extra launcher flags (e.g. `--without-account-api`).
    pub fn start_with(flags: &[&str]) -> Emulator {
        let mut child = Command::new(python())
            .arg(repo_root().join("tests/harness/moto_launcher.py"))
            .args(["--port", "0", "--watch-stdin"])
            .args(record_operations())
            .args(flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the moto launcher");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).expect("read launcher output");
            assert!(n > 0, "the moto launcher exited before it was ready");
            if let Some(url) = line.trim().strip_prefix("READY ") {
                let url = url.to_string();
                // Keep draining stdout so the launcher never blocks on a full pipe.
                std::thread::spawn(move || for _ in reader.lines() {});
                return Emulator { child, url };
            }
        }
    }

    /// Seed a scenario; returns what seed.py printed (ids, names, ARNs of what it created).
    pub fn seed(&self, scenario: &str) -> serde_json::Value {
        let out = Command::new(python())
            .arg(repo_root().join("tests/harness/seed.py"))
            .args(["--endpoint", &self.url, "--scenario", scenario])
            .output()
            .expect("run seed.py");
        assert!(out.status.success(), "seeding {scenario} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("seed.py printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Apply a named change (`tests/harness/change.py`) through the AWS APIs.
    pub fn change(&self, change: &str) {
        let out = Command::new(python())
            .arg(repo_root().join("tests/harness/change.py"))
            .args(["--endpoint", &self.url, "--change", change])
            .output()
            .expect("run change.py");
        assert!(out.status.success(), "change {change} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }

    /// Write a signed digest chain and its log files (`tests/harness/chain.py`, moto has no
    /// CloudTrail delivery); returns its manifest (digest and log keys, times, tampered objects).
    pub fn chain(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new(python())
            .arg(repo_root().join("tests/harness/chain.py"))
            .args(["--endpoint", &self.url, "--quiet"])
            .args(args)
            .output()
            .expect("run chain.py");
        assert!(out.status.success(), "chain.py {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("chain.py printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Run `trailwarden scan --endpoint-url <emulator> <args>` with the emulator's credentials.
    pub fn scan(&self, args: &[&str]) -> Output {
        self.scan_in(&std::env::temp_dir(), args)
    }

    /// Any command (`doctor …`) with `--endpoint-url <emulator>` appended and the emulator's credentials.
    pub fn scan_like(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--endpoint-url", &self.url]);
        trailwarden_in(&std::env::temp_dir(), &all)
    }

    /// As [`Emulator::scan`], from `dir` (where `./trailwarden.toml` is found).
    pub fn scan_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut all = vec!["scan", "--endpoint-url", &self.url];
        all.extend_from_slice(args);
        trailwarden_in(dir, &all)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run the real binary with credentials for the emulator and nothing from the user's AWS config.
pub fn trailwarden(args: &[&str]) -> Output {
    trailwarden_in(&std::env::temp_dir(), args)
}

/// As [`trailwarden`], from a given working directory (where `trailwarden.toml` is looked for).
pub fn trailwarden_in(dir: &Path, args: &[&str]) -> Output {
    trailwarden_with_env(dir, args, &[])
}

/// As [`trailwarden_in`], with extra environment variables (they replace the defaults of the
/// same name, e.g. `AWS_SECRET_ACCESS_KEY`).
pub fn trailwarden_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trailwarden"));
    command
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run trailwarden")
}

/// One HTTP/1.0 request to a loopback harness route; returns (status, body).
pub fn http(url: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).unwrap_or_else(|e| panic!("connect to {address}: {e}"));
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer.as_str(), ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no HTTP status in {head:?}"));
    (status, body.to_string())
}

/// `tests/harness/fault_proxy.py` in front of an [`Emulator`]: scans sent to [`FaultProxy::url`]
/// meet the faults of its configuration (throttling, 500s, resets, hangs, AccessDenied per
/// operation and account; see the "fault proxy" section of tests/harness/README.md). The
/// proxy does hangs itself, so a 30 s hang costs the emulator nothing. Seed through the
/// emulator, scan through the proxy.
pub struct FaultProxy {
    child: Child,
    pub url: String,
}

impl FaultProxy {
    /// Start in front of `emulator` with a configuration in the JSON shape of `--config`
    /// (`{"seed": 7, "faults": [...]}`; `{"faults": []}` forwards everything untouched).
    pub fn start(emulator: &Emulator, config: &serde_json::Value) -> FaultProxy {
        let mut child = Command::new(python())
            .arg(repo_root().join("tests/harness/fault_proxy.py"))
            .args(["--upstream", &emulator.url, "--port", "0", "--watch-stdin", "--config", &config.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the fault proxy");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).expect("read proxy output");
            assert!(n > 0, "the fault proxy exited before it was ready");
            if let Some(url) = line.trim().strip_prefix("READY ") {
                let url = url.to_string();
                std::thread::spawn(move || for _ in reader.lines() {});
                return FaultProxy { child, url };
            }
        }
    }

    /// Replace the fault configuration (`POST /_proxy/config`); restarts the draws.
    pub fn set_config(&self, config: &serde_json::Value) {
        let (status, body) = http(&self.url, "POST", "/_proxy/config", &config.to_string());
        assert_eq!(status, 200, "the proxy refused the configuration {config}: {body}");
    }

    /// Counts since the start or the last reset (`GET /_proxy/stats`, `reset=1` resets after answering).
    pub fn stats(&self, reset: bool) -> serde_json::Value {
        let (status, body) = http(&self.url, "GET", if reset { "/_proxy/stats?reset=1" } else { "/_proxy/stats" }, "");
        assert_eq!(status, 200, "proxy stats: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("proxy stats are not JSON ({e}): {body}"))
    }

    /// `trailwarden scan --endpoint-url <proxy> <args>`, from `dir`.
    pub fn scan_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut all = vec!["scan", "--endpoint-url", &self.url];
        all.extend_from_slice(args);
        trailwarden_in(dir, &all)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))).unwrap()
}

/// A scratch directory removed at the end of the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("trailwarden-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
    pub fn str(&self, file: &str) -> String {
        self.path(file).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The findings of a JSON report as (check, resource) -> (status, finding).
pub struct Findings(pub Vec<serde_json::Value>);

impl Findings {
    pub fn of(report: &serde_json::Value) -> Findings {
        Findings(report["findings"].as_array().expect("findings array").clone())
    }

    /// The single finding of `check` whose resource is `resource`.
    pub fn get(&self, check: &str, resource: &str) -> &serde_json::Value {
        let matches: Vec<_> = self.0.iter().filter(|f| f["check"] == check && f["resource"] == resource).collect();
        assert_eq!(matches.len(), 1, "expected one {check} finding for {resource}, got {}: {:#?}", matches.len(), self.0.iter().filter(|f| f["check"] == check).map(|f| (&f["resource"], &f["status"])).collect::<Vec<_>>());
        matches[0]
    }

    pub fn status(&self, check: &str, resource: &str) -> String {
        self.get(check, resource)["status"].as_str().unwrap().to_string()
    }

    /// Assert statuses of several (check, resource) pairs at once, reporting every mismatch.
    pub fn assert_statuses(&self, expected: &[(&str, &str, &str)]) {
        let mut wrong = Vec::new();
        for (check, resource, status) in expected {
            let found: Vec<_> = self.0.iter().filter(|f| f["check"] == *check && f["resource"] == *resource).collect();
            match found.as_slice() {
                [one] if one["status"] == *status => {}
                [one] => wrong.push(format!("{check} {resource}: expected {status}, got {} ({})", one["status"], one["message"])),
                other => wrong.push(format!("{check} {resource}: expected one finding, got {}", other.len())),
            }
        }
        assert!(wrong.is_empty(), "wrong statuses:\n{}", wrong.join("\n"));
    }

    pub fn for_check(&self, check: &str) -> Vec<&serde_json::Value> {
        self.0.iter().filter(|f| f["check"] == check).collect()
    }
}

impl Emulator {
    /// Refuse `service:Operation` to `account` from now on (the launcher's deny-action knob).
    pub fn deny_action(&self, account: &str, operation: &str) {
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect to the emulator");
        write!(stream, "POST /_trailwarden/deny-action?rule={account}/{operation} HTTP/1.0\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.0 204") || answer.starts_with("HTTP/1.1 204"), "deny-action refused: {answer}");
    }
}
