//! `-o junit=PATH`: JUnit XML that GitLab, Jenkins and most CI systems display as tests.
//!
//! One `<testsuite>` per check, one `<testcase>` per finding (account / region / resource).
//! FAIL is a `<failure>`, ERROR an `<error>`, NOT_APPLICABLE and suppressed findings are
//! `<skipped>` (with the suppression's reason). Every value is XML-escaped by quick-xml.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::{Finding, RenderContext, Renderer, Report};
use crate::checks::Status;

pub struct Junit;

fn case_name(f: &Finding) -> String {
    format!("{} / {} / {}", f.account, f.region.as_deref().unwrap_or("global"), f.resource)
}

impl Renderer for Junit {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, String> {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let count = |s: Status| report.findings.iter().filter(|f| f.status == s && f.suppression.is_none()).count();
        let skipped_total = report.findings.iter().filter(|f| f.status == Status::NotApplicable || f.suppression.is_some()).count();
        let _ = writeln!(
            out,
            "<testsuites name=\"trailwarden\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">",
            report.findings.len(),
            count(Status::Fail),
            count(Status::Error),
            skipped_total,
            report.scan.started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        for check in &report.checks {
            let cases: Vec<&Finding> = report.findings.iter().filter(|f| f.check == check.code).collect();
            let of = |s: Status| cases.iter().filter(|f| f.status == s && f.suppression.is_none()).count();
            let skipped = cases.iter().filter(|f| f.status == Status::NotApplicable || f.suppression.is_some()).count();
            let suite = format!("{} {}", check.code, check.name);
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
                escape(suite.as_str()),
                cases.len(),
                of(Status::Fail),
                of(Status::Error),
                skipped
            );
            for f in cases {
                let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", escape(suite.as_str()), escape(case_name(f).as_str()));
                let evidence = serde_json::to_string(&f.evidence).unwrap_or_default();
                let body = format!("{}\nevidence: {evidence}", f.message);
                match (&f.suppression, f.status) {
                    (Some(s), _) => {
                        let why = format!("suppressed: {}{}", s.reason, s.expires.as_ref().map(|e| format!(" (expires {e})")).unwrap_or_default());
                        let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", escape(why.as_str()));
                    }
                    (None, Status::Fail) => {
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                            escape(f.message.as_str()),
                            f.severity.as_str(),
                            escape(body.as_str())
                        );
                    }
                    (None, Status::Error) => {
                        let _ = writeln!(
                            out,
                            ">\n      <error message=\"{}\" type=\"evidence-unreadable\">{}</error>\n    </testcase>",
                            escape(f.message.as_str()),
                            escape(body.as_str())
                        );
                    }
                    (None, Status::NotApplicable) => {
                        let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", escape(f.message.as_str()));
                    }
                    (None, Status::Pass) => {
                        let _ = writeln!(out, "/>");
                    }
                }
            }
            let _ = writeln!(out, "  </testsuite>");
        }
        out.push_str("</testsuites>\n");
        Ok(out.into_bytes())
    }
}
