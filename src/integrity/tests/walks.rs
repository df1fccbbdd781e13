//! The walk over whole chains: ranges, buckets, backfill, siblings, listings, the tail.

use chrono::Duration;

use super::super::*;
use super::chain_builder::*;

#[test]
fn empty_digests_are_valid_and_the_found_range_is_clamped_to_the_request() {
    let mut store = Store::default();
    build(&Spec { empty_hours: vec![1, 3], ..Spec::new(5) }, &mut store);
    let exact = run_default(&store, 5);
    assert_eq!(exact.summary()[1], format!("Results found for {} to {}:", format_time(hour(0)), format_time(hour(5))));
    assert_eq!(exact.summary()[3..], ["5/5 digest files valid".to_string(), "6/6 log files valid".to_string()]);
    let inside = WalkRequest { start: hour(0) + Duration::minutes(30), end: hour(5) - Duration::minutes(30), ..request(5) };
    let clamped = run(&store, &inside, vec![genuine().public_key()]);
    assert_eq!(clamped.summary()[1], format!("Results found for {} to {}:", format_time(inside.start), format_time(inside.end)));
    assert_eq!(clamped.report.counts().digests.valid, 5, "the digest overlapping the start is included");
}

#[test]
fn verbose_output_is_the_references_byte_for_byte() {
    let mut store = Store::default();
    let built = build(&Spec { empty_hours: vec![0], ..Spec::new(2) }, &mut store);
    let run = run_default(&store, 2);
    let lines = run.report.reference_lines(true);
    let valid = |b: &str, k: &str, kind: &str| format!("{kind} file\t{}\tvalid\n", s3(b, k));
    let expected_stdout = [
        format!("Validating log files for trail {ARN} between {} and {}\n\n", format_time(hour(0)), format_time(hour(2))),
        valid(BUCKET, &built[1].key, "Digest"),
        valid(BUCKET, &built[1].logs[0].key, "Log"),
        valid(BUCKET, &built[1].logs[1].key, "Log"),
        valid(BUCKET, &built[0].key, "Digest"),
        format!("Results requested for {} to {}\nResults found for {} to {}:\n\n2/2 digest files valid\n2/2 log files valid\n", format_time(hour(0)), format_time(hour(2)), format_time(hour(0)), format_time(hour(2))),
    ]
    .concat();
    assert_eq!(run.stdout(true), expected_stdout);
    // After a single-spaced line the summary is preceded by a newline on stderr.
    assert_eq!(lines.iter().filter(|l| l.stderr).map(|l| l.text.as_str()).collect::<String>(), "\n");
}

#[test]
fn a_problem_after_a_verbose_line_gets_a_leading_newline() {
    let mut store = Store::default();
    let built = build(&Spec::new(3), &mut store);
    store.remove(&built[2].logs[1].bucket, &built[2].logs[1].key);
    let run = run_default(&store, 3);
    let stderr: String = run.report.reference_lines(true).into_iter().filter(|l| l.stderr).map(|l| l.text).collect();
    assert!(stderr.starts_with(&format!("\nLog file\t{}\tINVALID: not found\n\n", s3(BUCKET, &built[2].logs[1].key))), "{stderr:?}");
}

#[test]
fn a_chain_crossing_buckets_is_followed_and_the_older_bucket_listed() {
    let mut store = Store::default();
    let built = build(&Spec { older_bucket: Some((2, "older-bucket".into())), ..Spec::new(5) }, &mut store);
    assert_eq!(built[1].bucket, "older-bucket");
    let run = run_default(&store, 5);
    assert_eq!(run.stderr(), "");
    assert_eq!(run.report.counts().digests.valid, 5);
    assert_eq!(run.listed, vec![BUCKET.to_string(), "older-bucket".to_string()]);
}

#[test]
fn a_missing_digest_in_the_older_bucket_is_recovered_from_its_listing() {
    let mut store = Store::default();
    let built = build(&Spec { older_bucket: Some((3, "older-bucket".into())), ..Spec::new(5) }, &mut store);
    store.remove("older-bucket", &built[1].key);
    let run = run_default(&store, 5);
    assert!(run.stderr().starts_with(&format!("Digest file\t{}\tINVALID: not found\n\n", s3("older-bucket", &built[1].key))), "{}", run.stderr());
    assert_eq!(run.report.counts().digests.valid, 4);
}

#[test]
fn the_backfill_chain_is_a_second_pass_with_its_own_ratio() {
    let mut store = Store::default();
    build(&Spec::new(3), &mut store);
    let backfill = build(&Spec { backfill: true, ..Spec::new(2) }, &mut store);
    let run = run_default(&store, 3);
    let stdout = run.stdout(true);
    for b in &backfill {
        assert!(stdout.contains(&format!("(backfill) Digest file\t{}\tvalid\n", s3(BUCKET, &b.key))), "{stdout}");
    }
    assert_eq!(run.summary()[3..], ["3/3 digest files valid".to_string(), "2/2 backfill digest files valid".to_string(), "10/10 log files valid".to_string()]);
    assert_eq!(run.report.backfill.len(), 2);
}

#[test]
fn sibling_trail_foo_us_east_1_is_kept_apart_from_foo() {
    let mut store = Store::default();
    build(&Spec::new(3), &mut store);
    build(&Spec { location: location("foo_us-east-1"), ..Spec::new(3) }, &mut store);
    let foo = run_default(&store, 3);
    assert_eq!(foo.stderr(), "");
    assert_eq!(foo.report.counts().digests.valid, 3);
    let sibling = run(&store, &WalkRequest { location: location("foo_us-east-1"), ..request(3) }, vec![genuine().public_key()]);
    assert_eq!(sibling.report.counts().digests.valid, 3);
    assert!(sibling.report.valid_digests().all(|d| d.key.contains("_foo_us-east-1_us-east-1_")));
}

#[test]
fn a_refused_listing_is_recorded_and_nothing_is_found() {
    let mut store = Store::default();
    build(&Spec::new(2), &mut store);
    store.unlistable.insert(BUCKET.into());
    let run = run_default(&store, 2);
    let place = s3(BUCKET, &location("foo").list_prefix());
    assert_eq!(run.stderr(), format!("Digest listing\t{place}\tUNVERIFIABLE: access denied (s3:ListBucket): Access Denied\n\n"));
    assert_eq!(run.summary()[1], "No digests found");
    assert_eq!(run.report.outcome(), Outcome::Unverifiable);
}

#[test]
fn no_digests_at_all_is_the_references_summary() {
    let store = Store::default();
    let run = run_default(&store, 2);
    assert_eq!(run.summary(), vec![format!("Results requested for {} to {}", format_time(hour(0)), format_time(hour(2))), "No digests found".to_string()]);
    assert_eq!((run.report.outcome(), run.report.digest_chain_verdict()), (Outcome::Valid, Verdict::NothingToVerify));
}

#[test]
fn a_logging_trail_without_recent_digests_is_truncated_by_the_clock() {
    let mut store = Store::default();
    build(&Spec::new(3), &mut store);
    let live = WalkRequest { end: hour(3) + Duration::minutes(20), now: hour(3) + Duration::minutes(20), trail_logging: true, ..request(3) };
    assert_eq!(run(&store, &live, vec![genuine().public_key()]).report.tail, None, "the newest digest ended 20 minutes ago");
    let stale = WalkRequest { end: hour(6), now: hour(6), ..live };
    let tail = run(&store, &stale, vec![genuine().public_key()]).report.tail.expect("3 h without a digest");
    assert_eq!((tail.newest_end, tail.expected_end_by), (Some(hour(3)), hour(4)));
    let stopped = WalkRequest { trail_logging: false, ..stale };
    assert_eq!(run(&store, &stopped, vec![genuine().public_key()]).report.tail, None);
}

#[test]
fn the_walk_stops_after_the_first_digest_starting_before_the_request() {
    let mut store = Store::default();
    build(&Spec::new(6), &mut store);
    let late = WalkRequest { start: hour(3), end: hour(6), ..request(6) };
    let run = run(&store, &late, vec![genuine().public_key()]);
    // D5, D4, D3 are in range; D2 (ending at the start) is followed through D3's link and
    // is the first to start before the request: the walk ends there.
    let starts: Vec<_> = run.report.valid_digests().map(|d| d.start).collect();
    assert_eq!(starts, vec![hour(5), hour(4), hour(3), hour(2)]);
}
