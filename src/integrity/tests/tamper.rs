//! One test per row of the tamper matrix (design §8.3) over a 5-hour chain: the exact
//! verdict, the exact reference line where the reference completes, and where our verdict
//! differs, the reference's in a comment.

use serde_json::json;

use super::super::*;
use super::chain_builder::*;

const HOURS: usize = 5;

fn chain() -> (Store, Vec<Built>) {
    let mut store = Store::default();
    let built = build(&Spec::new(HOURS), &mut store);
    (store, built)
}

fn line(text: &str) -> String {
    format!("{text}\n\n")
}

fn digest_line(built: &Built, verdict: &str) -> String {
    line(&format!("Digest file\t{}\t{verdict}", s3(&built.bucket, &built.key)))
}

fn log_line(log: &LogRef, verdict: &str) -> String {
    line(&format!("Log file\t{}\t{verdict}", s3(&log.bucket, &log.key)))
}

/// Ours only: the span no valid digest covers.
fn window(from: i64, to: i64, estimated: u32) -> String {
    let files = if estimated == 1 { "digest file" } else { "digest files" };
    line(&format!(
        "Digest files\t{} to {}\tINVALID: no valid digest file covers this span: about {estimated} {files} missing or invalid (aws cloudtrail validate-logs does not report this)",
        format_time(hour(from)),
        format_time(hour(to))
    ))
}

fn summary(found: Option<(i64, i64)>, ratios: &[&str]) -> Vec<String> {
    let mut lines = vec![format!("Results requested for {} to {}", format_time(hour(0)), format_time(hour(HOURS as i64)))];
    lines.push(match found {
        Some((from, to)) => format!("Results found for {} to {}:", format_time(hour(from)), format_time(hour(to))),
        None => "No valid digests found in range".to_string(),
    });
    lines.push(String::new());
    lines.extend(ratios.iter().map(|r| r.to_string()));
    lines
}

/// Replaces a stored digest's body by the gzip of `inflated`, keeping its metadata.
fn rewrite_digest(store: &mut Store, built: &Built, inflated: Vec<u8>) {
    store.get_mut(&built.bucket, &built.key).body = gzip(&inflated);
}

/// The middle digest fails: the walk jumps from D3 over D2 to D1, a 1 h window.
fn assert_middle_digest_invalid(store: &Store, built: &[Built], verdict: &str) {
    let run = run_default(store, HOURS);
    assert_eq!(run.stderr(), digest_line(&built[2], verdict) + &window(2, 3, 1));
    assert_eq!(run.summary(), summary(Some((0, 5)), &["4/5 digest files valid, 1/5 digest files INVALID", "8/8 log files valid"]));
    assert_eq!(run.report.outcome(), Outcome::Invalid);
}

#[test]
fn an_untouched_chain_is_valid_throughout() {
    let (store, _) = chain();
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), "");
    assert_eq!(run.summary(), summary(Some((0, 5)), &["5/5 digest files valid", "10/10 log files valid"]));
    assert_eq!(run.report.outcome(), Outcome::Valid);
    assert_eq!((run.report.digest_chain_verdict(), run.report.log_files_verdict()), (Verdict::Intact, Verdict::Intact));
    assert_eq!(run.report.keys_used(), vec![genuine().fingerprint.clone()]);
}

#[test]
fn a_changed_log_does_not_match_its_hash() {
    let (mut store, built) = chain();
    let log = &built[2].logs[0];
    store.get_mut(&log.bucket, &log.key).body = gzip(b"{\"Records\":[{\"eventName\":\"DeleteTrail\"}]}");
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), log_line(log, "INVALID: hash value doesn't match"));
    assert_eq!(run.summary(), summary(Some((0, 5)), &["5/5 digest files valid", "9/10 log files valid, 1/10 log files INVALID"]));
    assert_eq!(run.report.log_files_verdict(), Verdict::Broken);
}

#[test]
fn an_appended_gzip_member_is_trailing_data() {
    let (mut store, built) = chain();
    let log = &built[1].logs[1];
    store.get_mut(&log.bucket, &log.key).body.extend(gzip(b"{\"Records\":[]}"));
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), log_line(log, "INVALID: unexpected data after end of compressed stream"));
}

#[test]
fn appended_junk_is_trailing_data() {
    let (mut store, built) = chain();
    let log = &built[1].logs[1];
    store.get_mut(&log.bucket, &log.key).body.extend_from_slice(b"junk");
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), log_line(log, "INVALID: unexpected data after end of compressed stream"));
}

#[test]
fn a_log_that_is_not_gzip_truncated_empty_or_trailerless_is_invalid_format() {
    let (store, built) = chain();
    let log = &built[0].logs[0];
    let original = store.objects[&(log.bucket.clone(), log.key.clone())].body.clone();
    let cases: [(Vec<u8>, &str); 4] = [
        (b"{\"Records\":[]}".to_vec(), "INVALID: invalid format"),
        // The reference: "hash value doesn't match" (it hashes what it could inflate).
        (original[..original.len() / 2].to_vec(), "INVALID: invalid format: truncated compressed stream (aws cloudtrail validate-logs reports \"hash value doesn't match\")"),
        (Vec::new(), "INVALID: invalid format: empty body (aws cloudtrail validate-logs reports \"hash value doesn't match\")"),
        // The reference: valid (the data is whole, only the CRC32/ISIZE trailer is gone).
        (original[..original.len() - 8].to_vec(), "INVALID: invalid format: missing or incomplete gzip trailer (CRC32, ISIZE) (aws cloudtrail validate-logs reports this file valid)"),
    ];
    for (body, verdict) in cases {
        let mut store = Store { objects: store.objects.clone(), ..Store::default() };
        store.get_mut(&log.bucket, &log.key).body = body;
        let run = run_default(&store, HOURS);
        assert_eq!(run.stderr(), log_line(log, verdict));
        assert_eq!(run.report.counts().logs.invalid, 1);
    }
}

#[test]
fn a_deleted_log_is_not_found() {
    let (mut store, built) = chain();
    let log = &built[3].logs[0];
    store.remove(&log.bucket, &log.key);
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), log_line(log, "INVALID: not found"));
    assert_eq!(run.report.counts().logs.missing, 1);
}

#[test]
fn an_edited_digest_fails_its_signature_and_its_logs_are_not_checked() {
    let (mut store, built) = chain();
    let mut json = built[2].json.clone();
    json["logFiles"].as_array_mut().unwrap().remove(0);
    rewrite_digest(&mut store, &built[2], serde_json::to_vec(&json).unwrap());
    // Reference: the same INVALID line and ratios; the window line is ours.
    assert_middle_digest_invalid(&store, &built, "INVALID: signature verification failed");
}

#[test]
fn a_whitespace_change_fails_the_signature() {
    let (mut store, built) = chain();
    let mut inflated = built[2].inflated.clone();
    inflated.push(b' ');
    rewrite_digest(&mut store, &built[2], inflated);
    assert_middle_digest_invalid(&store, &built, "INVALID: signature verification failed");
}

#[test]
fn a_digest_copied_to_another_key_has_been_moved() {
    let (mut store, built) = chain();
    let copy = store.objects[&(BUCKET.to_string(), built[1].key.clone())].clone();
    store.put(BUCKET, &built[2].key, copy.body, copy.metadata);
    assert_middle_digest_invalid(&store, &built, "INVALID: has been moved from its original location");
}

#[test]
fn dropped_signature_metadata_fails_the_signature() {
    for name in ["signature", "signature-algorithm"] {
        let (mut store, built) = chain();
        store.get_mut(BUCKET, &built[2].key).metadata.remove(name);
        assert_middle_digest_invalid(&store, &built, "INVALID: signature verification failed");
    }
}

#[test]
fn a_signature_that_is_not_hex_gives_the_decoders_text() {
    let (mut store, built) = chain();
    store.get_mut(BUCKET, &built[2].key).metadata.insert("signature".into(), "zz".repeat(256));
    assert_middle_digest_invalid(&store, &built, "INVALID: Non-hexadecimal digit found");
    store.get_mut(BUCKET, &built[2].key).metadata.insert("signature".into(), "abc".into());
    assert_middle_digest_invalid(&store, &built, "INVALID: Odd-length string");
}

#[test]
fn the_attacker_key_under_the_genuine_fingerprint_fails_the_signature() {
    let (mut store, built) = chain();
    sign_bytes_and_put(&mut store, BUCKET, &built[2].key, &built[2].json, built[2].inflated.clone(), attacker(), false);
    assert_middle_digest_invalid(&store, &built, "INVALID: signature verification failed");
}

#[test]
fn the_attacker_key_under_its_own_fingerprint_is_not_found() {
    let (mut store, built) = chain();
    let mut json = built[2].json.clone();
    json["digestPublicKeyFingerprint"] = json!(attacker().fingerprint);
    sign_and_put(&mut store, BUCKET, &built[2].key, json, attacker(), false);
    let verdict = format!("INVALID: public key not found in region us-east-1 for fingerprint {}", attacker().fingerprint);
    assert_middle_digest_invalid(&store, &built, &verdict);
}

#[test]
fn garbage_der_for_the_fingerprint_cannot_be_loaded() {
    let (store, built) = chain();
    let garbage = PublicKey { fingerprint: genuine().fingerprint.clone(), der: vec![0x30, 0x03, 0x02, 0x01, 0x01], valid_from: None, valid_to: None };
    let run = run(&store, &request(HOURS), vec![garbage]);
    let unloadable = format!("INVALID: Unable to load PKCS #1 key with fingerprint {}", genuine().fingerprint);
    let expected: String = (0..HOURS).rev().map(|i| digest_line(&built[i], &unloadable) + &window(i as i64, i as i64 + 1, 1)).collect();
    assert_eq!(run.stderr(), expected);
    assert_eq!(run.summary(), summary(None, &["0/5 digest files valid, 5/5 digest files INVALID"]));
}

#[test]
fn no_public_keys_make_every_digest_invalid_instead_of_aborting() {
    let (store, built) = chain();
    // Reference: the standard pass aborts with "No public keys found between …".
    let run = run(&store, &request(HOURS), Vec::new());
    let not_found = format!("INVALID: public key not found in region us-east-1 for fingerprint {}", genuine().fingerprint);
    assert!(run.stderr().starts_with(&digest_line(&built[4], &not_found)), "{}", run.stderr());
    assert_eq!(run.report.counts().digests.invalid, 5);
    // Backfill: the collector hands over this problem when the ±1 h lookup finds nothing.
    let problem = DigestProblem::NoPublicKeys { from: hour(0), to: hour(2) };
    assert_eq!(problem.to_string(), "No public keys found between 2026-03-01T00:05:31Z and 2026-03-01T02:05:31Z");
}

#[test]
fn a_digest_body_not_gzip_json_or_utf8_is_invalid_format() {
    for body in [b"{\"not\":\"gzip\"}".to_vec(), gzip(b"not json"), gzip(&[0xff, 0xfe, 0x7b, 0x7d]), gzip(b"[1, 2]")] {
        let (mut store, built) = chain();
        store.get_mut(BUCKET, &built[2].key).body = body;
        assert_middle_digest_invalid(&store, &built, "INVALID: invalid format");
    }
}

#[test]
fn a_digest_without_a_required_key_is_invalid_format() {
    let (mut store, built) = chain();
    let mut json = built[2].json.clone();
    json.as_object_mut().unwrap().remove("digestStartTime");
    rewrite_digest(&mut store, &built[2], serde_json::to_vec(&json).unwrap());
    assert_middle_digest_invalid(&store, &built, "INVALID: invalid format");
}

#[test]
fn a_deleted_middle_digest_is_not_found_with_a_one_hour_window() {
    let (mut store, built) = chain();
    store.remove(BUCKET, &built[2].key);
    assert_middle_digest_invalid(&store, &built, "INVALID: not found");
}

#[test]
fn two_adjacent_deleted_digests_are_one_not_found_and_a_two_hour_window() {
    let (mut store, built) = chain();
    store.remove(BUCKET, &built[2].key);
    store.remove(BUCKET, &built[1].key);
    let run = run_default(&store, HOURS);
    // Reference: only the not-found line (aws-cli #7054); the window is ours.
    assert_eq!(run.stderr(), digest_line(&built[2], "INVALID: not found") + &window(1, 3, 2));
    assert_eq!(run.summary(), summary(Some((0, 5)), &["3/4 digest files valid, 1/4 digest files INVALID", "6/6 log files valid"]));
    assert_eq!(run.report.counts().estimated_missing_digests, 2);
}

#[test]
fn a_deleted_newest_digest_is_a_truncated_tail() {
    let (mut store, built) = chain();
    store.remove(BUCKET, &built[4].key);
    let request = WalkRequest { latest_digest_delivery: Some(hour(5) + chrono::Duration::minutes(2)), ..request(HOURS) };
    let run = run(&store, &request, vec![genuine().public_key()]);
    // Reference: nothing at all (4/4 valid, exit 0).
    let place = s3(BUCKET, &location("foo").list_prefix());
    let expected = format!(
        "Digest files\t{place}\tINVALID: the newest digest file ends at {}, but one should end at or after {}: the newest digest files are missing (aws cloudtrail validate-logs does not report this)",
        format_time(hour(4)),
        format_time(hour(5) - chrono::Duration::minutes(13))
    );
    assert_eq!(run.stderr(), line(&expected));
    assert_eq!(run.summary(), summary(Some((0, 4)), &["4/4 digest files valid", "8/8 log files valid"]));
    assert_eq!((run.report.outcome(), run.report.digest_chain_verdict()), (Outcome::Invalid, Verdict::Broken));
}

#[test]
fn a_chain_restart_is_a_gap_and_not_a_failure() {
    let mut store = Store::default();
    let spec = Spec { off_hours: vec![2], ..Spec::new(HOURS) };
    let built = build(&spec, &mut store);
    let run = run_default(&store, HOURS);
    assert_eq!(built.len(), 4);
    assert_eq!(run.stderr(), line(&format!("No log files were delivered by CloudTrail between {} and {}", format_time(hour(2)), format_time(hour(3)))));
    assert_eq!(run.summary(), summary(Some((0, 5)), &["4/4 digest files valid", "8/8 log files valid"]));
    assert_eq!(run.report.outcome(), Outcome::Valid);
    assert_eq!(run.report.gaps(), vec![(hour(2), hour(3))]);
}

#[test]
fn a_wrong_previous_hash_in_a_resigned_digest_is_a_link_mismatch() {
    let mut store = Store::default();
    let spec = Spec { edit: |i, json| if i == 3 { json["previousDigestHashValue"] = json!("00".repeat(32)) }, ..Spec::new(HOURS) };
    let built = build(&spec, &mut store);
    let run = run_default(&store, HOURS);
    // Reference: every digest valid.
    let expected = format!(
        "INVALID: its SHA-256 is {}, but {} records previousDigestHashValue {} (aws cloudtrail validate-logs reports this file valid)",
        sha256_hex(&built[2].inflated),
        s3(BUCKET, &built[3].key),
        "00".repeat(32)
    );
    assert_eq!(run.stderr(), digest_line(&built[2], &expected));
    assert_eq!(run.summary(), summary(Some((0, 5)), &["4/5 digest files valid, 1/5 digest files INVALID", "10/10 log files valid"]));
    assert_eq!(run.report.counts().link_mismatches, 1);
}

#[test]
fn a_wrong_previous_signature_in_a_resigned_digest_is_a_link_mismatch() {
    let mut store = Store::default();
    let spec = Spec { edit: |i, json| if i == 3 { json["previousDigestSignature"] = json!("ab".repeat(256)) }, ..Spec::new(HOURS) };
    build(&spec, &mut store);
    let run = run_default(&store, HOURS);
    assert!(run.stderr().contains("INVALID: its signature is "), "{}", run.stderr());
    assert_eq!(run.report.counts().digests.strict_only, 1);
}

#[test]
fn a_sha1_signature_algorithm_is_unsupported() {
    let (mut store, built) = chain();
    store.get_mut(BUCKET, &built[2].key).metadata.insert("signature-algorithm".into(), "SHA1withRSA".into());
    // Reference: valid (it verifies as SHA-256 whatever the name says).
    assert_middle_digest_invalid(&store, &built, "INVALID: signature algorithm SHA1withRSA is not SHA256withRSA (aws cloudtrail validate-logs reports this file valid)");
}

#[test]
fn access_denied_on_a_digest_or_a_log_is_unverifiable_and_the_run_goes_on() {
    let (mut store, built) = chain();
    let denied = Unreadable::AccessDenied { action: "s3:GetObject".into(), message: "Access Denied".into() };
    store.unreadable.insert((BUCKET.into(), built[2].key.clone()), denied.clone());
    let log = built[4].logs[0].clone();
    store.unreadable.insert((log.bucket.clone(), log.key.clone()), denied);
    let run = run_default(&store, HOURS);
    // Reference: aborts at the first of them.
    let unverifiable = "UNVERIFIABLE: access denied (s3:GetObject): Access Denied";
    assert_eq!(run.stderr(), log_line(&log, unverifiable) + &digest_line(&built[2], unverifiable) + &window(2, 3, 1));
    assert_eq!(run.summary(), summary(Some((0, 5)), &["4/5 digest files valid, 1/5 digest files UNVERIFIABLE", "7/8 log files valid, 1/8 log files UNVERIFIABLE"]));
    assert_eq!(run.report.outcome(), Outcome::Unverifiable);
    assert_eq!(run.report.digest_chain_verdict(), Verdict::Unverifiable);
}

#[test]
fn an_archived_digest_is_unverifiable() {
    let (mut store, built) = chain();
    store.unreadable.insert((BUCKET.into(), built[2].key.clone()), Unreadable::Archived { storage_class: "GLACIER".into() });
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), digest_line(&built[2], "UNVERIFIABLE: archived (storage class GLACIER)") + &window(2, 3, 1));
}

#[test]
fn a_backfill_digest_without_its_generation_time_is_invalid_format() {
    let (mut store, _) = chain();
    let backfill = build(&Spec { backfill: true, hours: 2, ..Spec::new(2) }, &mut store);
    store.get_mut(BUCKET, &backfill[1].key).metadata.remove("backfill-generation-timestamp");
    let run = run_default(&store, HOURS);
    assert_eq!(run.stderr(), line(&format!("(backfill) Digest file\t{}\tINVALID: invalid format", s3(BUCKET, &backfill[1].key))));
    assert_eq!(run.summary()[4], "1/2 backfill digest files valid, 1/2 backfill digest files INVALID");
}

#[test]
fn unknown_fields_are_ignored_and_absent_log_files_warn() {
    let mut store = Store::default();
    let spec = Spec {
        edit: |i, json| {
            json["someFutureField"] = json!({"x": 1});
            if i == 1 {
                json.as_object_mut().unwrap().remove("logFiles");
            }
        },
        ..Spec::new(2)
    };
    let built = build(&spec, &mut store);
    let run = run_default(&store, 2);
    assert_eq!(run.stderr(), digest_line(&built[1], "WARNING: logFiles is absent: read as no log files"));
    assert_eq!(run.report.counts().digests.valid, 2);
}
