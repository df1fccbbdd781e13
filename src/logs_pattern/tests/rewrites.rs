//! Equivalent rewrites of the benchmark patterns still cover their class; broken ones (an
//! event name or a condition dropped, operands regrouped) do not.

use std::collections::BTreeSet;

use super::{cis_classes, event_names, json_expr, pat};
use crate::logs_pattern::ast::{Expr, GlobPiece, Test, Value, render_selector};
use crate::logs_pattern::{CisVersion, class, covers};

/// Renders a JSON expression with every operand parenthesised, no blanks around operators,
/// text values unquoted where they need no quotes, and (if `reverse`) operands reversed.
fn rewrite(e: &Expr, reverse: bool) -> String {
    let join = |items: &[Expr], sep: &str| {
        let mut parts: Vec<String> = items
            .iter()
            .map(|i| format!("({})", rewrite(i, reverse)))
            .collect();
        if reverse {
            parts.reverse();
        }
        parts.join(sep)
    };
    match e {
        Expr::Or(items) => join(items, "||"),
        Expr::And(items) => join(items, "&&"),
        Expr::Cond(c) => {
            let sel = render_selector(&c.selector);
            match &c.test {
                Test::Cmp(op, Value::Text(g)) => {
                    let bare = !g.0.is_empty()
                        && g.0.iter().all(|p| match p {
                            GlobPiece::Lit(l) => {
                                l.chars().all(|ch| ch.is_ascii_alphabetic() || ch == '.')
                            }
                            GlobPiece::Star => true,
                        });
                    let mut v = String::new();
                    for p in &g.0 {
                        match p {
                            GlobPiece::Star => v.push('*'),
                            GlobPiece::Lit(l) => v.push_str(
                                &l.replace('\\', "\\\\")
                                    .replace('"', "\\\"")
                                    .replace('*', "\\*"),
                            ),
                        }
                    }
                    if bare {
                        format!("{sel}{}{v}", op.symbol())
                    } else {
                        format!("{sel}{}\"{v}\"", op.symbol())
                    }
                }
                Test::Cmp(op, Value::Number(n)) => format!("{sel}{}{}", op.symbol(), n.text),
                Test::Cmp(op, Value::Regex(_)) => panic!("no regex in CIS patterns ({op:?})"),
                Test::IsTrue => format!("{sel} IS TRUE"),
                Test::IsFalse => format!("{sel} is false"),
                Test::IsNull => format!("{sel} Is Null"),
                Test::NotExists => format!("{sel} not EXISTS"),
            }
        }
    }
}

/// Replaces the blanks outside double quotes with newlines and tabs, alternately.
fn respace(text: &str) -> String {
    let mut out = String::new();
    let (mut quoted, mut escaped, mut n) = (false, false, 0);
    for c in text.chars() {
        match c {
            ' ' if !quoted => {
                out.push(if n % 2 == 0 { '\n' } else { '\t' });
                n += 1;
            }
            '"' if !escaped => {
                quoted = !quoted;
                out.push(c);
            }
            _ => out.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

#[test]
fn equivalent_rewrites_still_cover() {
    for c in cis_classes() {
        for v in CisVersion::ALL {
            let original = pat(c.cis_pattern(v).unwrap_or_default());
            let e = json_expr(&original);
            let normalised = original.describe();
            let same_order = format!("{{(({}))}}", rewrite(e, false));
            let reversed = format!("{{ {} }}", rewrite(e, true));
            let spaced = respace(&normalised);
            for text in [&normalised, &same_order, &spaced] {
                let p = pat(text);
                assert_eq!(
                    p,
                    original,
                    "{} {v}: {text} is not the same pattern",
                    c.code()
                );
                assert!(covers(&p, c, v).is_covered(), "{text}");
            }
            let cov = covers(&pat(&reversed), c, v);
            assert!(cov.is_covered(), "reversed operands: {cov}\n  {reversed}");
        }
    }
}

#[test]
fn hand_written_rewrites_cover() {
    let v = CisVersion::V4_0_0;
    let cases = [
        (
            "CT501",
            r#"{ $.errorCode = "*UnauthorizedOperation" || ($.eventName != HeadBucket && $.sourceIPAddress != "delivery.logs.amazonaws.com" && $.errorCode = AccessDenied*) }"#,
        ),
        (
            "CT503",
            r#"{$.eventType!="AwsServiceEvent"&&$.userIdentity.invokedBy not exists&&$.userIdentity.type=Root}"#,
        ),
        (
            "CT504",
            "{ $.eventName = PutUserPolicy || $.eventName = PutRolePolicy || $.eventName = PutGroupPolicy || $.eventName = DeleteUserPolicy || $.eventName = DeleteRolePolicy || $.eventName = DeleteGroupPolicy || $.eventName = CreatePolicy || $.eventName = DeletePolicy || $.eventName = CreatePolicyVersion || $.eventName = DeletePolicyVersion || $.eventName = AttachUserPolicy || $.eventName = DetachUserPolicy || $.eventName = AttachRolePolicy || $.eventName = DetachRolePolicy || $.eventName = AttachGroupPolicy || $.eventName = DetachGroupPolicy }",
        ),
        (
            "CT504",
            "{ $.eventSource = iam.amazonaws.com && ($.eventName = *Policy || $.eventName = *PolicyVersion) && $.eventName != Get* && $.eventName != List* && $.eventName != SetDefaultPolicyVersion }",
        ),
        ("CT506", r#"ConsoleLogin "Failed authentication""#),
        (
            "CT507",
            "{ ($.eventName = DisableKey || $.eventName = ScheduleKeyDeletion) && $.eventSource = kms.amazonaws.com }",
        ),
        (
            "CT515",
            "{ $.eventSource = organizations.amazonaws.com && $.readOnly IS FALSE }",
        ),
    ];
    for (code, text) in cases {
        let c = class(code).expect(code);
        let cov = covers(&pat(text), c, v);
        assert!(cov.is_covered(), "{cov}\n  {text}");
    }
    // One filter for several classes covers each of them (the near misses are read-only).
    let union = |codes: &[&str]| {
        let parts: Vec<String> = codes
            .iter()
            .map(|code| {
                rewrite(
                    json_expr(&pat(class(code)
                        .and_then(|c| c.cis_pattern(CisVersion::V5_0_0))
                        .unwrap_or_default())),
                    false,
                )
            })
            .collect();
        pat(&format!("{{{}}}", parts.join("||")))
    };
    let combined = union(&["CT511", "CT512", "CT513"]);
    let ec2_writes = pat("{ $.eventSource = ec2.amazonaws.com && $.readOnly IS FALSE }");
    for code in ["CT510", "CT511", "CT512", "CT513", "CT514"] {
        let c = class(code).expect(code);
        let cov = covers(&ec2_writes, c, CisVersion::V5_0_0);
        assert!(cov.is_covered(), "{cov}");
        let cov = covers(&combined, c, CisVersion::V5_0_0);
        assert_eq!(
            cov.is_covered(),
            ["CT511", "CT512", "CT513"].contains(&code),
            "{cov}"
        );
    }
}

#[test]
fn dropping_one_event_name_breaks_coverage() {
    let mut broken = 0;
    for c in cis_classes() {
        for v in CisVersion::ALL {
            let original = pat(c.cis_pattern(v).unwrap_or_default());
            let mut names = BTreeSet::new();
            event_names(json_expr(&original), &mut names);
            if names.len() < 2 {
                continue;
            }
            for name in &names {
                let text = c.cis_pattern(v).unwrap_or_default();
                let needle = |q: &str| format!("($.eventName{q})");
                let forms: Vec<String> = [
                    format!(" = {name}"),
                    format!("={name}"),
                    format!(" = \"{name}\""),
                ]
                .iter()
                .map(|q| needle(q))
                .collect();
                let Some(form) = forms.iter().find(|f| text.contains(f.as_str())) else {
                    panic!("{}: cannot find {name} in {text}", c.code());
                };
                // Remove the term and one adjacent `||`.
                let cut = text.replacen(&format!("{form} ||"), "", 1).replacen(
                    &format!("{form}||"),
                    "",
                    1,
                );
                let cut = if cut == text {
                    text.replacen(&format!("|| {form}"), "", 1).replacen(
                        &format!("||{form}"),
                        "",
                        1,
                    )
                } else {
                    cut
                };
                assert_ne!(cut, text);
                let cov = covers(&pat(&cut), c, v);
                let sample_names: Vec<String> = c
                    .must_match(v)
                    .iter()
                    .filter(|s| s.event.get("eventName").and_then(|n| n.as_str()) == Some(name))
                    .map(|s| s.name.clone())
                    .collect();
                assert_eq!(cov.missed, sample_names, "{} {v} without {name}", c.code());
                assert!(cov.caught.is_empty());
                broken += 1;
            }
        }
    }
    assert!(broken > 300, "{broken} broken patterns checked");
}

#[test]
fn dropping_a_condition_breaks_coverage() {
    let v = CisVersion::V6_0_0;
    let cases: [(&str, &str, &[&str], &[&str]); 9] = [
        (
            "CT501",
            r#"{ ($.errorCode="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.eventName!="HeadBucket") }"#,
            &[],
            &["GetBucketAcl AccessDenied from delivery.logs.amazonaws.com"],
        ),
        (
            "CT501",
            r#"{ ($.errorCode="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") }"#,
            &[],
            &["HeadBucket AccessDenied"],
        ),
        // Regrouping changes the meaning: the exclusions now apply to both branches.
        (
            "CT501",
            r#"{ (($.errorCode="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*")) && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
            &["UnauthorizedOperation from delivery.logs.amazonaws.com"],
            &[],
        ),
        (
            "CT502",
            r#"{ $.eventName = "ConsoleLogin" }"#,
            &[],
            &[
                "ConsoleLogin IAMUser with MFA",
                "ConsoleLogin root with MFA",
            ],
        ),
        (
            "CT503",
            r#"{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }"#,
            &[],
            &["root action invoked by an AWS service"],
        ),
        (
            "CT503",
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }"#,
            &[],
            &["CredentialVerification AwsServiceEvent"],
        ),
        (
            "CT506",
            "{ $.eventName = ConsoleLogin }",
            &[],
            &["ConsoleLogin IAMUser success", "ConsoleLogin root success", "ConsoleLogin IAMUser success without MFA"],
        ),
        (
            "CT507",
            "{ $.eventSource = kms.amazonaws.com }",
            &[],
            &["DescribeKey", "EnableKey", "CancelKeyDeletion"],
        ),
        (
            "CT515",
            r#"{ ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") }"#,
            &[
                "AcceptHandshake",
                "AttachPolicy",
                "CreateAccount",
                "CreateOrganizationalUnit",
                "DeclineHandshake",
                "DeleteOrganization",
                "DeleteOrganizationalUnit",
                "DetachPolicy",
                "DisablePolicyType",
                "EnablePolicyType",
                "InviteAccountToOrganization",
                "LeaveOrganization",
                "MoveAccount",
                "RemoveAccountFromOrganization",
                "UpdatePolicy",
                "UpdateOrganizationalUnit",
            ],
            &["IAM CreatePolicy", "IAM DeletePolicy"],
        ),
    ];
    for (code, text, missed, caught) in cases {
        let cov = covers(&pat(text), class(code).expect(code), v);
        assert_eq!(
            (cov.missed.as_slice(), cov.caught.as_slice()),
            (missed_vec(missed).as_slice(), missed_vec(caught).as_slice()),
            "{code}: {text}"
        );
        assert!(!cov.is_covered());
    }
}

fn missed_vec(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}
