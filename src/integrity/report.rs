//! One chain's result: the walk and every log verdict, rendered as the reference's output
//! (design §4.6) with our extra lines in the same style, and counted for the checks.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ChainEvent, ChainLocation, ChainWalk, LinkField, LogRef, LogVerdict, TailTruncation, Unreadable, VerifiedDigest, WalkRequest, format_time};

const BACKFILL_PREFIX: &str = "(backfill) ";
const REFERENCE_SAYS_VALID: &str = " (aws cloudtrail validate-logs reports this file valid)";
const REFERENCE_SILENT: &str = " (aws cloudtrail validate-logs does not report this)";

/// One write of the reference's output: `text` carries its own newlines, so writing every
/// line's text to its stream in order gives the reference's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Line {
    pub stderr: bool,
    pub text: String,
}

/// A log file of a valid digest and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LogCheck {
    pub log: LogRef,
    pub verdict: LogVerdict,
}

/// Digests of one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DigestCounts {
    pub valid: u32,
    /// Invalid for any reason, missing and strict-only included.
    pub invalid: u32,
    /// Of `invalid`: not found.
    pub missing: u32,
    /// Of `invalid`: the reference reports these valid.
    pub strict_only: u32,
    pub unverifiable: u32,
}

impl DigestCounts {
    pub fn examined(&self) -> u32 {
        self.valid + self.invalid + self.unverifiable
    }
}

/// Log files of the valid digests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LogCounts {
    pub valid: u32,
    pub invalid: u32,
    pub missing: u32,
    pub strict_only: u32,
    pub unverifiable: u32,
    /// Listed by a valid digest, but no verdict was handed over (e.g. digests only).
    pub unchecked: u32,
}

/// The figures of one chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    pub digests: DigestCounts,
    pub backfill_digests: DigestCounts,
    pub logs: LogCounts,
    pub gaps: u32,
    pub unverified_windows: u32,
    pub estimated_missing_digests: u32,
    pub link_mismatches: u32,
    pub warnings: u32,
    pub tail_truncated: bool,
    pub listing_failed: bool,
}

/// `validate-logs`' exit status: 0, 1, or "nothing invalid but not everything read".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Valid,
    Invalid,
    Unverifiable,
}

/// A verdict for CT601 (the chain) or CT602 (the log files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Intact,
    Broken,
    Unverifiable,
    NothingToVerify,
}

/// What a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemSubject {
    Digest,
    Log,
    /// An unverified window or a truncated tail: a span of time, not one object.
    Span,
    Listing,
}

/// One problem line, as data: for the inventory's findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    pub subject: ProblemSubject,
    /// `s3://bucket/key`, or `from..to` for a span.
    pub object: String,
    /// `INVALID: …` or `UNVERIFIABLE: …`, as on the line (without the reference note).
    pub problem: String,
    /// False where `aws cloudtrail validate-logs` reports it valid, or not at all.
    pub reference_agrees: bool,
    /// Could not be read: neither valid nor invalid.
    pub unverifiable: bool,
}

/// One chain's verdicts: the walk plus every log verdict, in the order the reference prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChainReport {
    pub trail_arn: String,
    pub location: ChainLocation,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub standard: Vec<ChainEvent>,
    pub backfill: Vec<ChainEvent>,
    /// In the order the valid digests list them; any not listed by one come last.
    pub logs: Vec<LogCheck>,
    pub tail: Option<TailTruncation>,
    pub listing_error: Option<Unreadable>,
    pub counts: Counts,
}

impl ChainReport {
    pub fn new(trail_arn: &str, request: &WalkRequest, walk: ChainWalk, logs: Vec<(LogRef, LogVerdict)>) -> ChainReport {
        let logs = in_walk_order(&walk, logs);
        let mut report = ChainReport {
            trail_arn: trail_arn.to_string(),
            location: request.location.clone(),
            start: request.start,
            end: request.end,
            standard: walk.standard,
            backfill: walk.backfill,
            logs,
            tail: walk.tail,
            listing_error: walk.listing_error,
            counts: Counts::default(),
        };
        report.counts = Render::run(&report, false).counts;
        report
    }

    pub fn counts(&self) -> Counts {
        self.counts.clone()
    }

    /// The reference's output (§4.6) for this chain, plus our extra lines in its style.
    pub fn reference_lines(&self, verbose: bool) -> Vec<Line> {
        Render::run(self, verbose).lines
    }

    /// The summary's stdout lines: "Results requested for …", the ratios, "No digests found" ….
    pub fn summary_lines(&self) -> Vec<String> {
        let render = Render::run(self, false);
        render.summary_text().lines().map(str::to_string).collect()
    }

    /// Every problem line, as data.
    pub fn problems(&self) -> Vec<Problem> {
        Render::run(self, false).problems
    }

    /// The reference's gaps (chain restarts), both passes.
    pub fn gaps(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.events().filter_map(|(_, e)| match e {
            ChainEvent::Gap { from, to } => Some((*from, *to)),
            _ => None,
        }).collect()
    }

    /// "Results found for": the span the valid digests cover, clamped to the request.
    pub fn found_range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Render::run(self, false).found
    }

    /// Fingerprints of the keys that verified the valid digests, sorted, once each.
    pub fn keys_used(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.valid_digests().map(|d| d.fingerprint.clone()).collect();
        keys.sort();
        keys.dedup();
        keys
    }

    pub fn valid_digests(&self) -> impl Iterator<Item = &VerifiedDigest> {
        self.events().filter_map(|(_, e)| match e {
            ChainEvent::Valid { digest } => Some(digest.as_ref()),
            _ => None,
        })
    }

    /// The exit status of `validate-logs`: invalid wins over unverifiable.
    pub fn outcome(&self) -> Outcome {
        let c = &self.counts;
        // An unverified window follows a digest already counted (invalid, missing or
        // unreadable), so it decides nothing by itself.
        let invalid = c.digests.invalid + c.backfill_digests.invalid + c.logs.invalid > 0 || c.tail_truncated;
        let unverifiable = c.digests.unverifiable + c.backfill_digests.unverifiable + c.logs.unverifiable > 0 || c.listing_failed;
        if invalid {
            Outcome::Invalid
        } else if unverifiable {
            Outcome::Unverifiable
        } else {
            Outcome::Valid
        }
    }

    /// CT601: the chain itself.
    pub fn digest_chain_verdict(&self) -> Verdict {
        let c = &self.counts;
        if c.digests.invalid + c.backfill_digests.invalid > 0 || c.tail_truncated {
            Verdict::Broken
        } else if c.digests.unverifiable + c.backfill_digests.unverifiable > 0 || c.listing_failed {
            Verdict::Unverifiable
        } else if c.digests.examined() + c.backfill_digests.examined() == 0 {
            Verdict::NothingToVerify
        } else {
            Verdict::Intact
        }
    }

    /// CT602: the log files the valid digests list.
    pub fn log_files_verdict(&self) -> Verdict {
        let c = &self.counts.logs;
        if c.invalid > 0 {
            Verdict::Broken
        } else if c.unverifiable + c.unchecked > 0 {
            Verdict::Unverifiable
        } else if c.valid == 0 {
            Verdict::NothingToVerify
        } else {
            Verdict::Intact
        }
    }

    /// Both passes' events, with whether each is of the backfill pass.
    fn events(&self) -> impl Iterator<Item = (bool, &ChainEvent)> {
        self.standard.iter().map(|e| (false, e)).chain(self.backfill.iter().map(|e| (true, e)))
    }
}

/// The log verdicts in the order the walk lists the logs.
fn in_walk_order(walk: &ChainWalk, logs: Vec<(LogRef, LogVerdict)>) -> Vec<LogCheck> {
    let mut pending: Vec<Option<(LogRef, LogVerdict)>> = logs.into_iter().map(Some).collect();
    let mut index: HashMap<LogRef, usize> = HashMap::new();
    for (i, entry) in pending.iter().enumerate() {
        if let Some((log, _)) = entry {
            index.entry(log.clone()).or_insert(i);
        }
    }
    let mut ordered = Vec::with_capacity(pending.len());
    for log in walk.valid_digests().flat_map(|d| d.log_files.iter()) {
        if let Some(entry) = index.remove(log).and_then(|i| pending[i].take()) {
            ordered.push(LogCheck { log: entry.0, verdict: entry.1 });
        }
    }
    ordered.extend(pending.into_iter().flatten().map(|(log, verdict)| LogCheck { log, verdict }));
    ordered
}

/// One rendering of a report: lines, counts, the found range and the problems, in one walk
/// over the events so that they cannot disagree.
struct Render<'r> {
    report: &'r ChainReport,
    verbose: bool,
    verdicts: HashMap<&'r LogRef, &'r LogVerdict>,
    lines: Vec<Line>,
    /// The reference's `_is_last_status_double_space` (the header ends with a blank line).
    double_spaced: bool,
    counts: Counts,
    found: Option<(DateTime<Utc>, DateTime<Utc>)>,
    problems: Vec<Problem>,
    /// A link mismatch was just reported: the next valid digest is the one it concerns.
    next_valid_is_tainted: bool,
}

impl<'r> Render<'r> {
    fn run(report: &'r ChainReport, verbose: bool) -> Render<'r> {
        let verdicts = report.logs.iter().map(|c| (&c.log, &c.verdict)).collect();
        let mut render = Render {
            report,
            verbose,
            verdicts,
            lines: Vec::new(),
            double_spaced: true,
            counts: Counts::default(),
            found: None,
            problems: Vec::new(),
            next_valid_is_tainted: false,
        };
        render.stdout(format!("Validating log files for trail {} between {} and {}\n\n", report.trail_arn, format_time(report.start), format_time(report.end)));
        for (backfill, event) in report.events() {
            render.event(backfill, event);
        }
        render.listing_and_tail();
        render.summary();
        render
    }

    fn stdout(&mut self, text: String) {
        self.lines.push(Line { stderr: false, text });
    }

    /// A verbose (single-spaced) status line.
    fn status(&mut self, text: String) {
        if self.verbose {
            self.stdout(format!("{text}\n"));
            self.double_spaced = false;
        }
    }

    /// A problem line: on stderr, blank line after, and before unless one is there already.
    fn problem(&mut self, text: String) {
        let lead = if self.double_spaced { "" } else { "\n" };
        self.lines.push(Line { stderr: true, text: format!("{lead}{text}\n\n") });
        self.double_spaced = true;
    }

    fn record(&mut self, subject: ProblemSubject, object: String, problem: String, reference_agrees: bool, unverifiable: bool) {
        self.problems.push(Problem { subject, object, problem, reference_agrees, unverifiable });
    }

    fn pass_counts(&mut self, backfill: bool) -> &mut DigestCounts {
        if backfill { &mut self.counts.backfill_digests } else { &mut self.counts.digests }
    }

    fn event(&mut self, backfill: bool, event: &'r ChainEvent) {
        let prefix = if backfill { BACKFILL_PREFIX } else { "" };
        match event {
            ChainEvent::Valid { digest } => self.valid_digest(prefix, backfill, digest),
            ChainEvent::Invalid { bucket, key, problem } => {
                let agrees = problem.reference_agrees();
                self.invalid_digest(prefix, backfill, bucket, key, &problem.to_string(), agrees);
            }
            ChainEvent::Missing { bucket, key } => {
                self.pass_counts(backfill).missing += 1;
                self.invalid_digest(prefix, backfill, bucket, key, "not found", true);
            }
            ChainEvent::Unverifiable { bucket, key, why } => {
                self.pass_counts(backfill).unverifiable += 1;
                let (object, problem) = (format!("s3://{bucket}/{key}"), format!("UNVERIFIABLE: {why}"));
                self.problem(format!("{prefix}Digest file\t{object}\t{problem}"));
                self.record(ProblemSubject::Digest, object, problem, false, true);
            }
            ChainEvent::Gap { from, to } => {
                self.counts.gaps += 1;
                self.problem(format!("{prefix}No log files were delivered by CloudTrail between {} and {}", format_time(*from), format_time(*to)));
            }
            ChainEvent::UnverifiedWindow { from, to, estimated_missing } => self.unverified_window(prefix, *from, *to, *estimated_missing),
            ChainEvent::LinkMismatch { bucket, key, previous_bucket, previous_key, field, expected, actual } => {
                let previous = format!("s3://{previous_bucket}/{previous_key}");
                let holder = format!("s3://{bucket}/{key}");
                self.link_mismatch(prefix, &previous, &holder, *field, expected, actual);
            }
        }
    }

    fn invalid_digest(&mut self, prefix: &str, backfill: bool, bucket: &str, key: &str, reason: &str, reference_agrees: bool) {
        let counts = self.pass_counts(backfill);
        counts.invalid += 1;
        if !reference_agrees {
            counts.strict_only += 1;
        }
        let note = if reference_agrees { "" } else { REFERENCE_SAYS_VALID };
        let (object, problem) = (format!("s3://{bucket}/{key}"), format!("INVALID: {reason}"));
        self.problem(format!("{prefix}Digest file\t{object}\t{problem}{note}"));
        self.record(ProblemSubject::Digest, object, problem, reference_agrees, false);
    }

    fn valid_digest(&mut self, prefix: &str, backfill: bool, digest: &'r VerifiedDigest) {
        let object = format!("s3://{}/{}", digest.bucket, digest.key);
        if std::mem::take(&mut self.next_valid_is_tainted) {
            let counts = self.pass_counts(backfill);
            counts.invalid += 1;
            counts.strict_only += 1;
        } else {
            self.pass_counts(backfill).valid += 1;
            self.extend_found(digest);
            self.status(format!("{prefix}Digest file\t{object}\tvalid"));
        }
        for warning in &digest.warnings {
            self.counts.warnings += 1;
            self.problem(format!("{prefix}Digest file\t{object}\tWARNING: {warning}"));
        }
        for log in &digest.log_files {
            self.log_file(log);
        }
    }

    fn extend_found(&mut self, digest: &VerifiedDigest) {
        let start = digest.start.max(self.report.start);
        let end = digest.end.min(self.report.end);
        self.found = Some(match self.found {
            None => (start, end),
            Some((found_start, found_end)) => (found_start.min(start), found_end.max(end)),
        });
    }

    fn log_file(&mut self, log: &LogRef) {
        let Some(verdict) = self.verdicts.get(log).copied() else {
            self.counts.logs.unchecked += 1;
            return;
        };
        let object = format!("s3://{}/{}", log.bucket, log.key);
        let counts = &mut self.counts.logs;
        match verdict {
            LogVerdict::Valid => counts.valid += 1,
            LogVerdict::Unverifiable(_) => counts.unverifiable += 1,
            LogVerdict::NotFound => {
                counts.invalid += 1;
                counts.missing += 1;
            }
            _ => counts.invalid += 1,
        }
        if !verdict.reference_agrees() && verdict.is_invalid() {
            counts.strict_only += 1;
        }
        if verdict.is_valid() {
            self.status(format!("Log file\t{object}\tvalid"));
            return;
        }
        self.problem(format!("Log file\t{object}\t{verdict}"));
        let problem = match verdict.reference_reason() {
            Some(reason) => format!("INVALID: {reason}"),
            None => verdict.to_string(),
        };
        self.record(ProblemSubject::Log, object, problem, verdict.reference_agrees(), !verdict.is_invalid());
    }

    fn unverified_window(&mut self, prefix: &str, from: DateTime<Utc>, to: DateTime<Utc>, estimated_missing: u32) {
        self.counts.unverified_windows += 1;
        self.counts.estimated_missing_digests += estimated_missing;
        let files = if estimated_missing == 1 { "digest file" } else { "digest files" };
        let (from, to) = (format_time(from), format_time(to));
        let problem = format!("INVALID: no valid digest file covers this span: about {estimated_missing} {files} missing or invalid");
        self.problem(format!("{prefix}Digest files\t{from} to {to}\t{problem}{REFERENCE_SILENT}"));
        self.record(ProblemSubject::Span, format!("{from}..{to}"), problem, false, false);
    }

    fn link_mismatch(&mut self, prefix: &str, previous: &str, holder: &str, field: LinkField, expected: &str, actual: &str) {
        let (what, recorded) = match field {
            LinkField::HashValue => ("its SHA-256", "previousDigestHashValue"),
            LinkField::Signature => ("its signature", "previousDigestSignature"),
            LinkField::Continuity => ("its digestEndTime", "digestStartTime"),
        };
        let detail = format!("{what} is {actual}, but {holder} records {recorded} {expected}");
        if field.is_warning() {
            self.counts.warnings += 1;
            self.problem(format!("{prefix}Digest file\t{previous}\tWARNING: {detail}"));
            return;
        }
        self.counts.link_mismatches += 1;
        self.next_valid_is_tainted = true;
        let problem = format!("INVALID: {detail}");
        self.problem(format!("{prefix}Digest file\t{previous}\t{problem}{REFERENCE_SAYS_VALID}"));
        self.record(ProblemSubject::Digest, previous.to_string(), problem, false, false);
    }

    fn listing_and_tail(&mut self) {
        let place = format!("s3://{}/{}", self.report.location.bucket, self.report.location.list_prefix());
        if let Some(why) = &self.report.listing_error {
            self.counts.listing_failed = true;
            let problem = format!("UNVERIFIABLE: {why}");
            self.problem(format!("Digest listing\t{place}\t{problem}"));
            self.record(ProblemSubject::Listing, place.clone(), problem, false, true);
        }
        if let Some(tail) = &self.report.tail {
            self.counts.tail_truncated = true;
            let newest = tail.newest_end.map_or("no digest file is listed".to_string(), |t| format!("the newest digest file ends at {}", format_time(t)));
            let problem = format!("INVALID: {newest}, but one should end at or after {}: the newest digest files are missing", format_time(tail.expected_end_by));
            self.problem(format!("Digest files\t{place}\t{problem}{REFERENCE_SILENT}"));
            self.record(ProblemSubject::Span, place, problem, false, false);
        }
    }

    fn summary(&mut self) {
        if !self.double_spaced {
            self.lines.push(Line { stderr: true, text: "\n".to_string() });
        }
        let text = self.summary_text();
        self.stdout(text);
    }

    /// §4.6: the requested and found ranges, then one ratio line per kind with files.
    fn summary_text(&self) -> String {
        let c = &self.counts;
        let mut text = format!("Results requested for {} to {}\n", format_time(self.report.start), format_time(self.report.end));
        if c.digests.examined() + c.backfill_digests.examined() == 0 {
            text.push_str("No digests found\n");
            return text;
        }
        match self.found {
            None => text.push_str("No valid digests found in range\n"),
            Some((start, end)) => text.push_str(&format!("Results found for {} to {}:\n", format_time(start), format_time(end))),
        }
        text.push_str(&ratio("digest", c.digests.valid, c.digests.invalid, c.digests.unverifiable));
        text.push_str(&ratio("backfill digest", c.backfill_digests.valid, c.backfill_digests.invalid, c.backfill_digests.unverifiable));
        text.push_str(&ratio("log", c.logs.valid, c.logs.invalid, c.logs.unverifiable));
        text.push('\n');
        text
    }
}

/// `\n22/23 digest files valid, 1/23 digest files INVALID[, y/23 digest files UNVERIFIABLE]`,
/// or nothing without files.
fn ratio(kind: &str, valid: u32, invalid: u32, unverifiable: u32) -> String {
    let total = valid + invalid + unverifiable;
    if total == 0 {
        return String::new();
    }
    let mut line = format!("\n{valid}/{total} {kind} files valid");
    if invalid > 0 {
        line.push_str(&format!(", {invalid}/{total} {kind} files INVALID"));
    }
    if unverifiable > 0 {
        line.push_str(&format!(", {unverifiable}/{total} {kind} files UNVERIFIABLE"));
    }
    line
}
