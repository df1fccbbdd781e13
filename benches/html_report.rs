//! HTML report benchmark: a synthetic organization of 1,000 accounts (17 regions of CT103
//! each, ~30 more outcomes per account), rendered to HTML, then opened in headless Chromium.
//! Prints size, render time and time to open (load and script ready) and to apply a filter.
//!
//!   cargo bench --bench html_report                 # 1,000 accounts
//!   TW_BENCH_ACCOUNTS=200 cargo bench --bench html_report
//!
//! The browser figures need Chromium and the driver's venv (`bash scripts/setup-browser.sh`);
//! without them only the render figures are printed. The HTML is kept in
//! target/html-bench/ for a look.

#[path = "support/synthetic.rs"]
mod synthetic;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use trailwarden::emit::html::{Html, HtmlOptions};
use trailwarden::emit::json::Json;
use trailwarden::emit::{RenderContext, Renderer, sha256_hex};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let accounts: usize = std::env::var("TW_BENCH_ACCOUNTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let runs: usize = std::env::var("TW_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target")).join("html-bench");
    std::fs::create_dir_all(&out_dir).unwrap();

    let t = Instant::now();
    let report = synthetic::report(accounts);
    let build_ms = t.elapsed().as_secs_f64() * 1000.0;
    let json = Json.render(&report, &RenderContext::default()).unwrap();
    let ctx = RenderContext { framework: String::new(), json_sha256: Some(sha256_hex(&json)), ..Default::default() };
    let passing = report.findings.iter().filter(|f| matches!(f.status, trailwarden::checks::Status::Pass | trailwarden::checks::Status::NotApplicable) && f.suppression.is_none()).count();
    println!("html_report bench: {accounts} accounts, {} regions, {} outcomes ({} passing/n.a.), JSON report {} bytes (synthetic report built in {build_ms:.0} ms)", report.scan.regions.len(), report.findings.len(), passing, json.len());

    let mut results = Vec::new();
    for (label, opts) in [("default (passing rows as data)", HtmlOptions::default()), ("all rows as HTML", HtmlOptions { inline_passing_limit: usize::MAX })] {
        let mut times = Vec::new();
        let mut bytes = Vec::new();
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            bytes = Html::render_with(&report, &ctx, &opts).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let file = out_dir.join(if opts.inline_passing_limit == usize::MAX { format!("report-{accounts}-all-rows.html") } else { format!("report-{accounts}.html") });
        std::fs::write(&file, &bytes).unwrap();
        println!("  {label}: {} bytes ({:.1} MiB), render median {:.0} ms over {} runs (min {:.0}, max {:.0})", bytes.len(), bytes.len() as f64 / 1048576.0, median(times.clone()), times.len(), times.iter().cloned().fold(f64::MAX, f64::min), times.iter().cloned().fold(0.0, f64::max));
        results.push((label, file));
    }

    let python = root.join(".venv/bin/python");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !python.exists() || !PathBuf::from(&chromium).exists() {
        println!("  browser: skipped (run `bash scripts/setup-browser.sh` for Chromium and the driver)");
        return;
    }
    for (label, file) in results {
        let out = Command::new(&python)
            .arg(root.join("tests/browser/check_report.py"))
            .args(["--report", file.to_str().unwrap(), "--timing-runs", "3", "--filter-status", "FAIL", "--chromium", &chromium])
            .output()
            .expect("run the browser driver");
        let stdout = String::from_utf8_lossy(&out.stdout);
        match serde_json::from_str::<serde_json::Value>(stdout.trim()) {
            Ok(v) => {
                let t = &v["timing"];
                println!(
                    "  browser, {label}: open (navigation to load event) median {} ms, script ready {} ms, filter status=FAIL {} ms, scroll to the coverage matrix {} ms, to the last check {} ms, JS heap {} MiB, console errors {}",
                    t["load_ms"], t["ready_ms"], t["filter_ms"], t["scroll_to_coverage_ms"], t["scroll_to_last_check_ms"], t["heap_mib"], v["console_errors"].as_array().map(|a| a.len()).unwrap_or(0)
                );
            }
            Err(_) => println!("  browser, {label}: the driver failed: {}\n{}", stdout.trim(), String::from_utf8_lossy(&out.stderr)),
        }
    }
}
