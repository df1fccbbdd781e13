//! `trailwarden validate-logs`: `aws cloudtrail validate-logs` with the same flags, summary
//! lines and exit status, plus what the reference misses (see `integrity`'s module docs).
//!
//! Exit status: 0 every digest and log file examined is valid (also "No digests found",
//! as the reference); 1 something is invalid, missing or tampered; 3 nothing is invalid but
//! some object could not be read (the reference aborts there); 2 usage or fatal errors
//! (a malformed ARN or time, the trail not found, no public keys for the range).

use std::io::Write;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::AppError;
use crate::aws::ConnectOptions;
use crate::cli::ValidateLogsArgs;
use crate::collect::integrity::{ChainJob, describe_trail, organization_id, verify_chain};
use crate::integrity::{ChainLocation, Outcome};
use crate::model::ExitCode;

/// The parts of a trail ARN the digest paths are built from.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailArn {
    pub home_region: String,
    pub account: String,
    pub name: String,
}

/// `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`, as the reference requires.
pub fn parse_trail_arn(arn: &str) -> Result<TrailArn, String> {
    let invalid = || format!("--trail-arn {arn}: Invalid trail ARN provided; give arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME (`aws cloudtrail describe-trails` lists them)");
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, account, resource] = parts.as_slice() else { return Err(invalid()) };
    let name = resource.strip_prefix("trail/").ok_or_else(invalid)?;
    let ok = *scheme == "arn" && !partition.is_empty() && *service == "cloudtrail" && crate::model::is_region_shaped(region) && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty();
    if !ok {
        return Err(invalid());
    }
    let name = name.rsplit('/').next().unwrap_or(name);
    Ok(TrailArn { home_region: region.to_string(), account: account.to_string(), name: name.to_string() })
}

/// RFC 3339 (`2026-11-30T12:00:00Z`, `…+02:00` converted to UTC), or without an offset
/// (`2026-11-30T12:00:00`, `2026-11-30 12:00`) or a date (`2026-11-30`), both taken as UTC.
pub fn parse_time(flag: &str, text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(format!("{flag} {text}: not a time; give RFC 3339 such as 2026-11-30T00:00:00Z, or a date such as 2026-11-30 (UTC)"))
}

pub fn run(args: &ValidateLogsArgs) -> Result<ExitCode, AppError> {
    let arn = parse_trail_arn(&args.trail_arn).map_err(AppError::Usage)?;
    let start = parse_time("--start-time", &args.start_time).map_err(AppError::Usage)?;
    let end = match &args.end_time {
        Some(text) => parse_time("--end-time", text).map_err(AppError::Usage)?,
        None => chrono::SubsecRound::trunc_subsecs(Utc::now(), 0),
    };
    if start > end {
        return Err(AppError::Usage("Invalid time range specified: start-time must occur before end-time".into()));
    }
    if let Some(region) = args.region.as_ref().filter(|r| !crate::model::is_region_shaped(r)) {
        return Err(AppError::Usage(format!("--region: `{region}` is not an AWS region; use a name like us-east-1 (the region that delivered the digests)")));
    }
    if let Some(account) = args.account_id.as_ref().filter(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit())) {
        return Err(AppError::Usage(format!("--account-id {account}: not an AWS account id; give the 12 digits")));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(AppError::Runtime)?;
    runtime.block_on(validate(args, &arn, start, end))
}

async fn validate(args: &ValidateLogsArgs, arn: &TrailArn, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<ExitCode, AppError> {
    let connect = ConnectOptions { profile: args.profile.clone(), region: Some(args.region.clone().unwrap_or_else(|| arn.home_region.clone())), endpoint_url: args.endpoint_url.clone() };
    let (session, _caller) = crate::collect::connect(&connect).await?;
    let account = args.account_id.clone().unwrap_or_else(|| arn.account.clone());
    let mut notes = Vec::new();
    let (bucket, prefix, org_id, delivery) = match &args.s3_bucket {
        Some(bucket) => (bucket.clone(), args.s3_prefix.clone().filter(|p| !p.is_empty()), args.organization_id.clone(), None),
        None => {
            let trail = describe_trail(&session, &arn.home_region, &args.trail_arn).await.map_err(AppError::Usage)?;
            let trail = trail.ok_or_else(|| AppError::Usage(format!("A trail could not be found for {}; check the ARN and --region (`aws cloudtrail describe-trails`)", args.trail_arn)))?;
            let org_id = if trail.is_organization_trail {
                if args.account_id.is_none() {
                    return Err(AppError::Usage("Missing required parameter for organization trail: '--account-id' (the member account whose logs to validate)".into()));
                }
                Some(organization_id(&session).await.map_err(AppError::Usage)?)
            } else {
                None
            };
            if let Some(reason) = &trail.status_unread {
                notes.push(format!("the newest digests could not be checked against CloudTrail's latest delivery: {reason}"));
            }
            (trail.bucket, trail.prefix, org_id, trail.status)
        }
    };
    let location = ChainLocation {
        bucket,
        prefix,
        org_id,
        account,
        trail_name: arn.name.clone(),
        home_region: arn.home_region.clone(),
        source_region: args.region.clone().unwrap_or_else(|| arn.home_region.clone()),
    };
    let job = ChainJob {
        trail_arn: args.trail_arn.clone(),
        location,
        start,
        end,
        latest_digest_delivery: delivery.as_ref().and_then(|d| d.latest_digest_delivery),
        trail_logging: delivery.as_ref().is_some_and(|d| d.is_logging),
    };
    let report = verify_chain(&session, &job, &Default::default()).await.map_err(|e| AppError::Usage(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let written = if args.json {
        let json = serde_json::to_string_pretty(&report).expect("a chain report serializes");
        writeln!(stdout, "{json}")
    } else {
        write_lines(&mut stdout, &mut stderr, &report, args.verbose, &notes)
    };
    written.and_then(|_| stdout.flush()).map_err(|source| crate::emit::WriteError { path: "to stdout".into(), source })?;
    Ok(match report.outcome() {
        Outcome::Valid => ExitCode::Clean,
        Outcome::Invalid => ExitCode::Failures,
        Outcome::Unverifiable => ExitCode::Incomplete,
    })
}

fn write_lines(stdout: &mut impl Write, stderr: &mut impl Write, report: &crate::integrity::ChainReport, verbose: bool, notes: &[String]) -> std::io::Result<()> {
    for line in report.reference_lines(verbose) {
        if line.stderr {
            stderr.write_all(line.text.as_bytes())?;
        } else {
            stdout.write_all(line.text.as_bytes())?;
        }
    }
    for note in notes {
        writeln!(stderr, "Note: {note}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_arns_are_parsed_as_the_reference_requires() {
        let arn = parse_trail_arn("arn:aws:cloudtrail:us-east-2:123456789012:trail/org-trail").unwrap();
        assert_eq!(arn, TrailArn { home_region: "us-east-2".into(), account: "123456789012".into(), name: "org-trail".into() });
        assert_eq!(parse_trail_arn("arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/a_b.c-d").unwrap().name, "a_b.c-d");
        for bad in ["", "trail/x", "arn:aws:s3:::bucket", "arn:aws:cloudtrail:us-east-1:12345:trail/x", "arn:aws:cloudtrail:us-east-1:123456789012:trail/", "arn:aws:cloudtrail:nowhere:123456789012:trail/x"] {
            let err = parse_trail_arn(bad).unwrap_err();
            assert!(err.contains("Invalid trail ARN provided") && err.contains("give arn:aws:cloudtrail"), "{bad}: {err}");
        }
    }

    #[test]
    fn times_are_rfc3339_or_utc_without_an_offset() {
        let t = |s| parse_time("--start-time", s).unwrap().to_rfc3339();
        assert_eq!(t("2026-11-30T12:00:00Z"), "2026-11-30T12:00:00+00:00");
        // Converted, not re-labelled as the reference does.
        assert_eq!(t("2026-11-30T12:00:00+02:00"), "2026-11-30T10:00:00+00:00");
        assert_eq!(t("2026-11-30T12:00"), "2026-11-30T12:00:00+00:00");
        assert_eq!(t("2026-11-30"), "2026-11-30T00:00:00+00:00");
        let err = parse_time("--end-time", "yesterday").unwrap_err();
        assert!(err.starts_with("--end-time yesterday: not a time; give RFC 3339"), "{err}");
    }
}
