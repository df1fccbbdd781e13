//! Suppressions from the config file, applied to FAIL and ERROR findings.

use chrono::NaiveDate;

use crate::config::Suppression as Rule;
use crate::model::Status;
use crate::report::{Finding, Report, Suppression};

/// Apply suppressions to FAIL and ERROR findings. Returns warnings for stderr: expired
/// suppressions that matched, and suppressions that matched no failing finding.
pub fn apply_suppressions(report: &mut Report, rules: &[Rule], today: NaiveDate) -> Vec<String> {
    let mut matched = vec![false; rules.len()];
    let mut warnings = Vec::new();
    for finding in report.findings.iter_mut().filter(|f| matches!(f.status, Status::Fail | Status::Error)) {
        for (i, rule) in rules.iter().enumerate() {
            if !rule_matches(rule, finding) {
                continue;
            }
            matched[i] = true;
            let as_reported = Suppression { reason: rule.reason.clone(), expires: rule.expires.map(|d| d.to_string()) };
            match rule.expires {
                Some(expires) if today > expires => {
                    if finding.suppression.is_none() && finding.expired_suppression.is_none() {
                        finding.expired_suppression = Some(as_reported);
                        warnings.push(format!(
                            "{}: suppression expired on {expires}; {} {} fails again",
                            rule.location, finding.check, finding.resource
                        ));
                    }
                }
                _ => {
                    if finding.suppression.is_none() {
                        finding.suppression = Some(as_reported);
                        finding.expired_suppression = None;
                    }
                }
            }
        }
    }
    for (rule, used) in rules.iter().zip(matched) {
        if !used {
            warnings.push(format!("{}: suppression for {} matched no failing finding; remove it if the risk is gone", rule.location, rule.check));
        }
    }
    report.recount();
    warnings
}

fn rule_matches(rule: &Rule, finding: &Finding) -> bool {
    let field = |matcher: &Option<globset::GlobMatcher>, value: &str| matcher.as_ref().is_none_or(|m| m.is_match(value));
    finding.check.starts_with(&rule.check)
        && field(&rule.account, &finding.account)
        && field(&rule.region, finding.region.as_deref().unwrap_or(""))
        && field(&rule.resource, &finding.resource)
}

