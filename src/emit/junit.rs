//! `-o junit=PATH`: JUnit XML that GitLab, Jenkins and most CI systems display as tests.
//!
//! `<testsuites>` holds one `<testsuite>` per check, named `CT201 log-file-validation-disabled`,
//! with its tests / failures / errors / skipped counts, and one `<testcase>` per finding:
//! classname = the suite's name, name = `account / region / resource`. A FAIL is a
//! `<failure type=SEVERITY>` whose message is the finding's message and whose text adds the
//! evidence; an ERROR is an `<error type="evidence-unreadable">`; NOT_APPLICABLE and suppressed
//! findings are `<skipped>` (suppressed ones with the reason and expiry). PASS is a bare
//! testcase. Counts follow the same rules, so a suppressed FAIL is skipped, not failed.
//!
//! The shape is the JUnit schema of Jenkins' xUnit plugin (`junit-10.xsd`), the common
//! denominator of the consumers: `<testsuites>` carries only name, tests, failures, errors and
//! time. Everything is written through quick-xml, which escapes attribute values and text;
//! characters XML 1.0 cannot carry at all (most control characters) become U+FFFD, and
//! attribute values are kept on one line (parsers would fold the newlines anyway).

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Finding, Report};
use crate::model::Status;

pub struct Junit;

/// The longest evidence text put in a failure, in bytes; the JSON report has all of it.
const MAX_EVIDENCE: usize = 4000;

/// Replace what XML 1.0 cannot represent, even escaped, with U+FFFD.
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// An attribute value: XML-safe and on one line.
fn attr(text: &str) -> String {
    xml_safe(text).split(['\r', '\n', '\t']).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

fn case_name(f: &Finding) -> String {
    format!("{} / {} / {}", f.account, f.region_label(), f.resource)
}

fn evidence(f: &Finding) -> String {
    let mut text = serde_json::to_string(&*f.evidence).unwrap_or_default();
    if text.len() > MAX_EVIDENCE {
        let mut cut = MAX_EVIDENCE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("… (truncated; see the JSON report)");
    }
    text
}

/// The body of a failure or error: message, where, evidence, and policy context.
fn body(f: &Finding) -> String {
    let mut text = format!(
        "{}\n\ncheck: {}\naccount: {}\nregion: {}\nresource: {}\nseverity: {}\nfinding id: {}\n",
        f.message,
        f.check,
        f.account,
        f.region_label(),
        f.resource,
        f.severity.as_str(),
        f.id
    );
    if let Some(b) = &f.baseline {
        text.push_str(&format!("baseline: {b}\n"));
    }
    if let Some(s) = &f.expired_suppression {
        text.push_str(&format!("suppression expired ({}): {}\n", s.expires.as_deref().unwrap_or("?"), s.reason));
    }
    text.push_str(&format!("evidence: {}\n", evidence(f)));
    text
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            c.tests += 1;
            match (f.suppression.is_some(), f.status) {
                (true, _) | (false, Status::NotApplicable) => c.skipped += 1,
                (false, Status::Fail) => c.failures += 1,
                (false, Status::Error) => c.errors += 1,
                (false, Status::Pass) => {}
            }
        }
        c
    }
}

fn write_case<W: io::Write>(w: &mut Writer<W>, suite: &str, f: &Finding) -> io::Result<()> {
    let element = w.create_element("testcase").with_attribute(("classname", attr(suite).as_str())).with_attribute(("name", attr(&case_name(f)).as_str()));
    match (&f.suppression, f.status) {
        (Some(s), status) => {
            let why = format!("suppressed: {}{}", s.reason, s.expires.as_ref().map(|e| format!(" (expires {e})")).unwrap_or_default());
            let text = format!("{} ({} while suppressed)\n\n{}", why, status.as_str(), body(f));
            element.write_inner_content(|w| {
                w.create_element("skipped").with_attribute(("message", attr(&why).as_str())).write_text_content(BytesText::new(&xml_safe(&text)))?;
                Ok(())
            })?;
        }
        (None, Status::Fail) => {
            element.write_inner_content(|w| {
                w.create_element("failure")
                    .with_attribute(("message", attr(&f.message).as_str()))
                    .with_attribute(("type", f.severity.as_str()))
                    .write_text_content(BytesText::new(&xml_safe(&body(f))))?;
                Ok(())
            })?;
        }
        (None, Status::Error) => {
            let message = format!("evidence could not be read: {}", f.message);
            element.write_inner_content(|w| {
                w.create_element("error")
                    .with_attribute(("message", attr(&message).as_str()))
                    .with_attribute(("type", "evidence-unreadable"))
                    .write_text_content(BytesText::new(&xml_safe(&body(f))))?;
                Ok(())
            })?;
        }
        (None, Status::NotApplicable) => {
            element.write_inner_content(|w| {
                w.create_element("skipped").with_attribute(("message", attr(&format!("not applicable: {}", f.message)).as_str())).write_empty()?;
                Ok(())
            })?;
        }
        (None, Status::Pass) => {
            element.write_empty()?;
        }
    }
    Ok(())
}

fn write(report: &Report, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    // Suites in the report's check order, then any check a finding names that is not listed.
    let mut suites: Vec<(String, String)> = report.checks.iter().map(|c| (c.code.clone(), format!("{} {}", c.code, c.name))).collect();
    for f in &report.findings {
        if !suites.iter().any(|(code, _)| code == &f.check) {
            let name = crate::checks::metadata::get(&f.check).map(|m| format!("{} {}", m.code, m.name)).unwrap_or_else(|| f.check.clone());
            suites.push((f.check.clone(), name));
        }
    }
    let total = Counts::of(&report.findings);
    let duration = (report.scan.finished_at - report.scan.started_at).num_milliseconds().max(0) as f64 / 1000.0;
    let timestamp = report.scan.started_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    w.create_element("testsuites")
        .with_attribute(("name", attr(&report.tool.name).as_str()))
        .with_attribute(("tests", total.tests.to_string().as_str()))
        .with_attribute(("failures", total.failures.to_string().as_str()))
        .with_attribute(("errors", total.errors.to_string().as_str()))
        .with_attribute(("time", format!("{duration:.3}").as_str()))
        .write_inner_content(|w| {
            for (code, suite) in &suites {
                let cases: Vec<&Finding> = report.findings.iter().filter(|f| &f.check == code).collect();
                let c = Counts::of(cases.iter().copied());
                let title = report.checks.iter().find(|c| &c.code == code).map(|c| (c.title.clone(), c.severity.as_str()));
                w.create_element("testsuite")
                    .with_attribute(("name", attr(suite).as_str()))
                    .with_attribute(("tests", c.tests.to_string().as_str()))
                    .with_attribute(("failures", c.failures.to_string().as_str()))
                    .with_attribute(("errors", c.errors.to_string().as_str()))
                    .with_attribute(("skipped", c.skipped.to_string().as_str()))
                    .with_attribute(("timestamp", timestamp.as_str()))
                    .write_inner_content(|w| {
                        if let Some((title, severity)) = &title {
                            w.create_element("properties").write_inner_content(|w| {
                                for (name, value) in [("title", title.as_str()), ("severity", severity)] {
                                    w.create_element("property").with_attribute(("name", name)).with_attribute(("value", attr(value).as_str())).write_empty()?;
                                }
                                Ok(())
                            })?;
                        }
                        for f in &cases {
                            write_case(w, suite, f)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    w.get_mut().push(b'\n');
    Ok(())
}

impl Renderer for Junit {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        write(report, &mut writer).map_err(|e| RenderError::new("JUnit", e.to_string()))?;
        Ok(writer.into_inner())
    }
}
