//! `trailwarden validate-logs` and `scan --verify-integrity` through the real binary, against
//! digest chains that `tests/harness/chain.py` signs and writes into the emulator's S3 the way
//! CloudTrail does (moto never writes digests, and has no ListPublicKeys: the launcher's
//! patch o serves the keys chain.py registers).
//!
//! One test per row of the tamper matrix: the exact line and exit status, and in a comment
//! what `aws cloudtrail validate-logs` says where it differs.

mod common;

use common::{Emulator, Findings, TempDir, stderr, stdout, trailwarden};
use serde_json::Value;

const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/audit";
const BUCKET: &str = "tw-chain-logs";

/// A 6-hour chain (digest 2 empty) for trail `audit`, with these tampers.
fn chain(emulator: &Emulator, extra: &[&str]) -> Value {
    let mut args = vec!["--bucket", BUCKET, "--create-bucket", "--trail-arn", ARN, "--hours", "6", "--seed", "7", "--empty-hours", "2"];
    args.extend_from_slice(extra);
    emulator.chain(&args)
}

/// `validate-logs` over the chain's whole span, reading the bucket given (no DescribeTrails).
fn validate(emulator: &Emulator, manifest: &Value, extra: &[&str]) -> std::process::Output {
    let (start, end) = (manifest["start_time"].as_str().unwrap(), manifest["end_time"].as_str().unwrap());
    let mut args = vec!["validate-logs", "--trail-arn", ARN, "--start-time", start, "--end-time", end, "--s3-bucket", BUCKET, "--endpoint-url", &emulator.url];
    args.extend_from_slice(extra);
    trailwarden(&args)
}

fn s3(object: &Value) -> String {
    format!("s3://{}/{}", object["bucket"].as_str().unwrap(), object["key"].as_str().unwrap())
}

/// The first object the (only) tamper touched.
fn tampered(manifest: &Value) -> String {
    s3(&manifest["tampers"][0]["objects"][0])
}

fn digest(manifest: &Value, index: usize) -> String {
    s3(&manifest["digests"][index])
}

fn exit(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// stderr holds this problem line (tab-separated, as the reference prints it).
fn assert_line(out: &std::process::Output, kind: &str, object: &str, verdict: &str) {
    let line = format!("{kind}\t{object}\t{verdict}");
    assert!(stderr(out).lines().any(|l| l.starts_with(&line)), "expected line {line:?} on stderr:\n{}\nstdout:\n{}", stderr(out), stdout(out));
}

fn assert_summary(out: &std::process::Output, line: &str) {
    assert!(stdout(out).lines().any(|l| l == line), "expected summary line {line:?}:\n{}", stdout(out));
}

#[test]
fn an_untampered_chain_is_valid_with_the_reference_summary() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &[]);
    let logs = manifest["logs"].as_array().unwrap().len();
    let out = validate(&emulator, &manifest, &["--verbose"]);
    assert_eq!(exit(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let (start, end) = (manifest["start_time"].as_str().unwrap(), manifest["end_time"].as_str().unwrap());
    let text = stdout(&out);
    assert!(text.starts_with(&format!("Validating log files for trail {ARN} between {start} and {end}\n\n")), "{text}");
    assert_summary(&out, &format!("Results requested for {start} to {end}"));
    assert_summary(&out, &format!("Results found for {start} to {end}:"));
    assert_summary(&out, "6/6 digest files valid");
    assert_summary(&out, &format!("{logs}/{logs} log files valid"));
    // --verbose: every digest and log file, valid.
    for d in manifest["digests"].as_array().unwrap() {
        assert!(text.contains(&format!("Digest file\t{}\tvalid\n", s3(d))), "{text}");
    }
    for l in manifest["logs"].as_array().unwrap() {
        assert!(text.contains(&format!("Log file\t{}\tvalid\n", s3(l))), "{text}");
    }
    // Like the reference, only the newline that ends the verbose block goes to stderr.
    assert!(stderr(&out).trim().is_empty(), "{}", stderr(&out));
}

#[test]
fn json_output_carries_the_counts_and_problems() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "log-byte"]);
    let out = validate(&emulator, &manifest, &["--json"]);
    assert_eq!(exit(&out), 1);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["counts"]["digests"]["valid"], 6);
    assert_eq!(report["counts"]["logs"]["invalid"], 1);
    assert_eq!(report["trail_arn"], ARN);
}

macro_rules! log_tamper {
    ($name:ident, $tamper:expr, $verdict:expr) => {
        #[test]
        fn $name() {
            let emulator = Emulator::start();
            let manifest = chain(&emulator, &["--tamper", $tamper]);
            let out = validate(&emulator, &manifest, &[]);
            assert_line(&out, "Log file", &tampered(&manifest), $verdict);
            assert_summary(&out, "6/6 digest files valid");
            assert_eq!(exit(&out), 1, "{}", stdout(&out));
        }
    };
}

log_tamper!(a_changed_byte_in_a_log_is_a_hash_mismatch, "log-byte", "INVALID: hash value doesn't match");
log_tamper!(an_appended_gzip_member_is_unexpected_data, "log-append-member", "INVALID: unexpected data after end of compressed stream");
log_tamper!(appended_junk_is_unexpected_data, "log-append-junk", "INVALID: unexpected data after end of compressed stream");
log_tamper!(a_log_that_is_not_gzip_is_invalid_format, "log-not-gzip", "INVALID: invalid format");
// The reference says "hash value doesn't match" for the next two (Python's zlib returns the partial data).
log_tamper!(a_truncated_log_is_invalid_format, "log-truncated", "INVALID: invalid format");
log_tamper!(an_empty_log_is_invalid_format, "log-empty", "INVALID: invalid format");
// The reference reports a log without its CRC32/ISIZE trailer valid.
log_tamper!(a_log_without_its_gzip_trailer_is_invalid_format, "log-no-trailer", "INVALID: invalid format");
log_tamper!(a_deleted_log_is_not_found, "log-delete", "INVALID: not found");

macro_rules! digest_tamper {
    ($name:ident, [$($tamper:expr),*], $verdict:expr) => {
        #[test]
        fn $name() {
            let emulator = Emulator::start();
            let manifest = chain(&emulator, &[$("--tamper", $tamper),*]);
            let out = validate(&emulator, &manifest, &[]);
            assert_line(&out, "Digest file", &tampered(&manifest), $verdict);
            assert!(stdout(&out).contains("5/6 digest files valid, 1/6 digest files INVALID"), "{}", stdout(&out));
            assert_eq!(exit(&out), 1);
        }
    };
}

digest_tamper!(an_edited_digest_fails_its_signature, ["digest-edit"], "INVALID: signature verification failed");
digest_tamper!(a_whitespace_change_fails_the_signature, ["digest-whitespace"], "INVALID: signature verification failed");
digest_tamper!(a_digest_without_signature_metadata_fails, ["digest-drop-signature"], "INVALID: signature verification failed");
digest_tamper!(a_digest_without_algorithm_metadata_fails, ["digest-drop-algorithm"], "INVALID: signature verification failed");
digest_tamper!(a_digest_signed_by_another_key_under_the_genuine_fingerprint_fails, ["digest-attacker-genuine-fp"], "INVALID: signature verification failed");
digest_tamper!(a_digest_signed_by_an_unknown_key_has_no_public_key, ["digest-attacker-own-fp"], "INVALID: public key not found in region us-east-1 for fingerprint");
digest_tamper!(a_digest_that_is_not_gzip_is_invalid_format, ["digest-not-gzip"], "INVALID: invalid format");
digest_tamper!(a_digest_that_is_not_json_is_invalid_format, ["digest-not-json"], "INVALID: invalid format");
digest_tamper!(a_digest_that_is_not_utf8_is_invalid_format, ["digest-not-utf8"], "INVALID: invalid format");
digest_tamper!(a_digest_missing_a_required_field_is_invalid_format, ["digest-drop-field=digestStartTime"], "INVALID: invalid format");
// The reference prints the decoder's exception text; the line is INVALID either way.
digest_tamper!(a_signature_that_is_not_hex_is_invalid, ["digest-signature-not-hex"], "INVALID: ");
// Strict only: the reference says valid.
digest_tamper!(a_sha1_algorithm_claim_is_unsupported, ["algorithm-sha1=3"], "INVALID: ");

/// Digest 3 names a previous digest other than the one found at its link: the previous one
/// (digest 2) is not what the chain recorded. The reference checks neither link field.
fn link_mismatch(tamper: &str, field: &str) {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", tamper]);
    let out = validate(&emulator, &manifest, &[]);
    assert_line(&out, "Digest file", &digest(&manifest, 2), "INVALID: ");
    let line = stderr(&out).lines().find(|l| l.contains(&digest(&manifest, 2))).unwrap().to_string();
    assert!(line.contains(field) && line.contains(&digest(&manifest, 3)) && line.contains("(aws cloudtrail validate-logs reports this file valid)"), "{line}");
    assert!(stdout(&out).contains("5/6 digest files valid, 1/6 digest files INVALID"), "{}", stdout(&out));
    assert_eq!(exit(&out), 1);
}

#[test]
fn a_wrong_previous_hash_is_a_link_mismatch() {
    link_mismatch("link-wrong-hash=3", "previousDigestHashValue");
}

#[test]
fn a_wrong_previous_signature_is_a_link_mismatch() {
    link_mismatch("link-wrong-signature=3", "previousDigestSignature");
}

#[test]
fn garbage_key_bytes_cannot_be_loaded() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "key-garbage"]);
    let out = validate(&emulator, &manifest, &[]);
    let fingerprint = manifest["fingerprint"].as_str().unwrap();
    assert_line(&out, "Digest file", &digest(&manifest, 5), &format!("INVALID: Unable to load PKCS #1 key with fingerprint {fingerprint}"));
    assert_eq!(exit(&out), 1);
}

#[test]
fn no_public_keys_stop_the_run_with_exit_2_like_the_reference() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "key-none"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_eq!(exit(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no public keys found between"), "{}", stderr(&out));
}

#[test]
fn a_public_key_served_as_subject_public_key_info_verifies() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--key-encoding", "spki"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_eq!(exit(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_summary(&out, "6/6 digest files valid");
}

#[test]
fn a_copied_digest_has_been_moved() {
    let emulator = Emulator::start();
    // The newest digest copied to a later stamp in the same folder: the walk starts there.
    let manifest = chain(&emulator, &["--tamper", "digest-copy"]);
    let out = validate(&emulator, &manifest, &[]);
    let copy = &manifest["tampers"][0]["objects"];
    let moved = s3(copy.as_array().unwrap().last().unwrap());
    assert_line(&out, "Digest file", &moved, "INVALID: has been moved from its original location");
    assert_summary(&out, "6/7 digest files valid, 1/7 digest files INVALID");
    assert_eq!(exit(&out), 1);
}

#[test]
fn one_deleted_digest_is_not_found_with_its_unverified_window() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "digest-delete=3"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_line(&out, "Digest file", &digest(&manifest, 3), "INVALID: not found");
    assert!(stdout(&out).contains("5/6 digest files valid, 1/6 digest files INVALID"), "{}", stdout(&out));
    assert!(stderr(&out).contains("about 1 "), "the unverified window is named:\n{}", stderr(&out));
    assert_eq!(exit(&out), 1);
}

#[test]
fn two_adjacent_deleted_digests_leave_a_two_hour_window() {
    // The reference reports one "not found" and nothing about the second (aws-cli #7054).
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "digest-delete=2", "--tamper", "digest-delete=3"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_line(&out, "Digest file", &digest(&manifest, 3), "INVALID: not found");
    let err = stderr(&out);
    assert!(err.contains("about 2 "), "both missing digests are counted:\n{err}");
    assert_eq!(exit(&out), 1);
}

#[test]
fn deleted_newest_digests_are_caught_against_the_trail_status() {
    // The reference starts at whatever is newest and reports nothing.
    let emulator = Emulator::start();
    let seeded = emulator.seed("integrity");
    let manifest = &seeded["digest_chains"]["integrity"];
    let arn = manifest["trail_arn"].as_str().unwrap();
    emulator.change("delete-newest-digests");
    let start = manifest["start_time"].as_str().unwrap();
    let out = trailwarden(&["validate-logs", "--trail-arn", arn, "--start-time", start, "--endpoint-url", &emulator.url]);
    assert_eq!(exit(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert_summary(&out, "4/4 digest files valid");
    assert!(stderr(&out).to_lowercase().contains("newest"), "the truncated tail is reported:\n{}", stderr(&out));
}

#[test]
fn a_restarted_chain_is_a_gap_not_a_failure() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "chain-restart=3"]);
    let out = validate(&emulator, &manifest, &[]);
    let older_end = manifest["digests"][2]["end"].as_str().unwrap();
    let this_start = manifest["digests"][3]["start"].as_str().unwrap();
    let gap = format!("No log files were delivered by CloudTrail between {older_end} and {this_start}");
    assert!(stderr(&out).contains(&gap), "expected {gap:?}:\n{}", stderr(&out));
    assert_summary(&out, "6/6 digest files valid");
    assert_eq!(exit(&out), 0);
}

#[test]
fn a_chain_crossing_buckets_is_followed() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--second-bucket", "tw-chain-older", "--tamper", "chain-cross-bucket=3"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_eq!(exit(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_summary(&out, "6/6 digest files valid");
}

#[test]
fn backfill_digests_are_a_second_chain_with_their_own_line() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--backfill", "2"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_eq!(exit(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_summary(&out, "2/2 backfill digest files valid");
}

#[test]
fn a_backfill_digest_without_its_generation_time_is_invalid_format() {
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--backfill", "2", "--tamper", "backfill-no-timestamp"]);
    let out = validate(&emulator, &manifest, &[]);
    assert!(stderr(&out).contains(&format!("(backfill) Digest file\t{}\tINVALID: invalid format", tampered(&manifest))), "{}", stderr(&out));
    assert_eq!(exit(&out), 1);
}

#[test]
fn an_access_denied_digest_is_unverifiable_and_the_walk_goes_on() {
    // The reference aborts the whole run (exit 255, no summary).
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "deny-object=digest:3"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_line(&out, "Digest file", &tampered(&manifest), "UNVERIFIABLE: ");
    assert!(stderr(&out).contains("access denied"), "{}", stderr(&out));
    assert!(stdout(&out).contains("digest files valid"), "the summary is printed:\n{}", stdout(&out));
    assert_eq!(exit(&out), 3);
}

#[test]
fn an_archived_log_is_unverifiable_and_the_rest_are_checked() {
    // The reference aborts on InvalidObjectState.
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "archive=log:0"]);
    let out = validate(&emulator, &manifest, &[]);
    assert_line(&out, "Log file", &tampered(&manifest), "UNVERIFIABLE: archived");
    assert_summary(&out, "6/6 digest files valid");
    assert_eq!(exit(&out), 3);
}

#[test]
fn a_sibling_trail_sharing_the_name_prefix_is_kept_apart() {
    // The reference's `.+` lets trail `audit` take `audit_us-east-1`'s digests for its own.
    let emulator = Emulator::start();
    let manifest = chain(&emulator, &["--tamper", "sibling-trail"]);
    let out = validate(&emulator, &manifest, &["--verbose"]);
    assert_eq!(exit(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_summary(&out, "6/6 digest files valid");
    assert!(!stdout(&out).contains("_audit_us-east-1_us-east-1_"), "no digest of the sibling trail is examined:\n{}", stdout(&out));
}

#[test]
fn bad_arguments_are_one_line_errors_with_exit_2() {
    for (args, expected) in [
        (vec!["--trail-arn", "arn:aws:s3:::bucket", "--start-time", "2026-11-30"], "Invalid trail ARN provided"),
        (vec!["--trail-arn", ARN, "--start-time", "yesterday"], "--start-time yesterday: not a time"),
        (vec!["--trail-arn", ARN, "--start-time", "2026-11-30", "--end-time", "2026-11-29"], "start-time must occur before end-time"),
        (vec!["--trail-arn", ARN, "--start-time", "2026-11-30", "--region", "us-esat-1"], "is not an AWS region"),
        (vec!["--trail-arn", ARN, "--start-time", "2026-11-30", "--account-id", "12"], "not an AWS account id"),
    ] {
        let mut all = vec!["validate-logs"];
        all.extend(args);
        let out = trailwarden(&all);
        assert_eq!(exit(&out), 2, "{all:?}");
        let err = stderr(&out);
        assert!(err.contains(expected) && err.lines().count() == 1, "{all:?}: {err}");
    }
}

#[test]
fn a_trail_that_does_not_exist_is_named() {
    let emulator = Emulator::start();
    let out = trailwarden(&["validate-logs", "--trail-arn", ARN, "--start-time", "2026-11-30", "--endpoint-url", &emulator.url]);
    assert_eq!(exit(&out), 2);
    assert!(stderr(&out).contains(&format!("A trail could not be found for {ARN}")), "{}", stderr(&out));
}

#[test]
fn scan_verify_integrity_reports_ct601_and_ct602_per_trail() {
    let emulator = Emulator::start();
    emulator.seed("integrity");
    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/integrity-trail";
    let dir = TempDir::new("verify-integrity");
    let out = emulator.scan(&["--regions", "us-east-1", "--verify-integrity=12h", "-o", &format!("json={}", dir.str("report.json")), "-o", &format!("html={}", dir.str("report.html"))]);
    let report = common::read_json(&dir.path("report.json"));
    let findings = Findings::of(&report);
    assert_eq!(findings.status("CT601", arn), "PASS", "{}", stderr(&out));
    assert_eq!(findings.status("CT602", arn), "PASS");
    let evidence = &findings.get("CT601", arn)["evidence"]["chains"][0];
    assert_eq!(evidence["digests_checked"], 6);
    assert_eq!(evidence["digests_valid"], 6);
    assert!(evidence["keys_used"].as_array().is_some_and(|k| k.len() == 1), "{evidence}");
    assert!(report["scan"]["parameters"]["integrity_window"]["from"].is_string());
    let html = std::fs::read_to_string(dir.path("report.html")).unwrap();
    assert!(html.contains("Log integrity: digest chains verified"), "the HTML shows the chain verdicts");

    // Tamper with a log and delete a digest: both checks fail, naming the objects.
    emulator.change("alter-log");
    emulator.change("delete-middle-digest");
    let out = emulator.scan(&["--regions", "us-east-1", "--verify-integrity=12h", "-o", &format!("json={}", dir.str("tampered.json"))]);
    assert_eq!(out.status.code(), Some(1));
    let findings = Findings::of(&common::read_json(&dir.path("tampered.json")));
    assert_eq!(findings.status("CT601", arn), "FAIL");
    assert_eq!(findings.status("CT602", arn), "FAIL");
    assert!(findings.get("CT601", arn)["message"].as_str().unwrap().contains("not found"), "{}", findings.get("CT601", arn));
    assert!(findings.get("CT602", arn)["message"].as_str().unwrap().contains("hash value doesn't match"), "{}", findings.get("CT602", arn));
}

#[test]
fn without_verify_integrity_ct601_and_ct602_report_nothing() {
    let emulator = Emulator::start();
    emulator.seed("integrity");
    let dir = TempDir::new("no-verify");
    emulator.scan(&["--regions", "us-east-1", "-o", &format!("json={}", dir.str("report.json"))]);
    let report = common::read_json(&dir.path("report.json"));
    let findings = Findings::of(&report);
    assert!(findings.for_check("CT601").is_empty() && findings.for_check("CT602").is_empty());
    assert!(report["scan"]["parameters"]["integrity_window"].is_null());
}
