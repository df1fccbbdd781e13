//! `trailwarden iam-policy`: the least-privilege, read-only IAM policy a scan needs, built
//! from the collector's own action list ([`crate::collect::iam::READ_ACTIONS`]).

use super::{AppError, print_stdout};
use crate::cli::PolicyFor;
use crate::collect::iam::READ_ACTIONS;
use crate::model::{ExitCode, Partition};
use crate::settings::DEFAULT_ROLE_NAME;

/// `trailwarden iam-policy [--for scanner|member] [--role-name NAME] [--partition P]`.
pub fn print(role_name: Option<&str>, partition: &str, policy_for: PolicyFor) -> Result<ExitCode, AppError> {
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
        return Err(AppError::Usage(format!("--partition: `{partition}` is not a partition; use aws, aws-cn or aws-us-gov")));
    }
    let document = match policy_for {
        PolicyFor::Scanner => policy_document(role_name.unwrap_or(DEFAULT_ROLE_NAME), &Partition::new(partition)),
        PolicyFor::Member => member_policy_document(&Partition::new(partition)),
    };
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| AppError::Usage(format!("cannot serialise the policy: {e}")))?;
    text.push('\n');
    print_stdout(text.as_bytes())
}

/// The one read of object content: CloudTrail's own log and digest files, for
/// `--verify-integrity` and `validate-logs`. Granted on those keys only, never on every object.
const LOG_FILE_READ: &str = "s3:GetObject";

/// The read-only actions the scan performs inside a member account: everything the collector
/// calls except listing the organization and STS (those run as the scanner identity only),
/// and the log-file read (its own statement).
pub fn member_actions() -> Vec<&'static str> {
    READ_ACTIONS.iter().copied().filter(|a| !a.starts_with("organizations:") && !a.starts_with("sts:") && *a != LOG_FILE_READ).collect()
}

/// Reading the trail log and digest files (`[prefix/]AWSLogs/…` in any bucket), and
/// decrypting them through S3 when they are SSE-KMS encrypted (S3 calls kms:Decrypt on the
/// caller's behalf; the condition allows nothing else).
fn log_file_statements(partition: &Partition) -> [serde_json::Value; 2] {
    let p = partition.as_str();
    [
        serde_json::json!({
            "Sid": "TrailwardenReadTrailLogFiles",
            "Effect": "Allow",
            "Action": LOG_FILE_READ,
            "Resource": [format!("arn:{p}:s3:::*/AWSLogs/*"), format!("arn:{p}:s3:::*/*/AWSLogs/*")]
        }),
        serde_json::json!({
            "Sid": "TrailwardenDecryptTrailLogFiles",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": { "StringLike": { "kms:ViaService": "s3.*.amazonaws.com" } }
        }),
    ]
}

/// The audit role's policy in member accounts: read-only, nothing about the organization,
/// no role assumption.
pub fn member_policy_document(partition: &Partition) -> serde_json::Value {
    let [logs, decrypt] = log_file_statements(partition);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Sid": "TrailwardenMemberReadOnly", "Effect": "Allow", "Action": member_actions(), "Resource": "*" }, logs, decrypt]
    })
}

/// The policy document, with `sts:AssumeRole` limited to the scan role in member accounts
/// of `partition` (`aws`, `aws-cn`, `aws-us-gov`).
pub fn policy_document(role_name: &str, partition: &Partition) -> serde_json::Value {
    let read: Vec<&str> = READ_ACTIONS.iter().copied().filter(|a| *a != LOG_FILE_READ).collect();
    let [logs, decrypt] = log_file_statements(partition);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrailwardenReadOnly",
                "Effect": "Allow",
                "Action": read,
                "Resource": "*"
            },
            {
                "Sid": "TrailwardenAssumeScanRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": partition.role_arn("*", role_name)
            },
            logs,
            decrypt
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The IAM action labels used in the collector's sources.
    fn actions_in_source() -> BTreeSet<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("aws"), root.join("collect")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { dirs.push(path) } else { files.push(path) }
            }
        }
        // The declared list itself is not a call site.
        files.retain(|f| !f.ends_with("collect/iam.rs"));
        let services = ["account", "cloudtrail", "cloudwatch", "ec2", "kms", "logs", "organizations", "s3", "sns", "sts"];
        let mut found = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                if let Some((service, action)) = piece.split_once(':')
                    && services.contains(&service)
                    && !action.is_empty()
                    && action.chars().all(|c| c.is_ascii_alphanumeric())
                    && action.starts_with(|c: char| c.is_ascii_uppercase())
                {
                    found.insert(piece.to_string());
                }
            }
        }
        found
    }

    #[test]
    fn policy_lists_exactly_the_actions_the_code_calls() {
        let declared: BTreeSet<String> = READ_ACTIONS.iter().map(|s| s.to_string()).chain(["sts:AssumeRole".to_string()]).collect();
        assert_eq!(actions_in_source(), declared);
    }

    #[test]
    fn the_member_policy_reads_only_inside_the_account() {
        let actions = member_actions();
        assert!(actions.iter().all(|a| !a.starts_with("organizations:") && !a.starts_with("sts:")), "{actions:?}");
        assert_eq!(actions.len(), READ_ACTIONS.len() - 7, "every other action of the collector is there");
        let doc = member_policy_document(&Partition::new("aws"));
        let statements = doc["Statement"].as_array().unwrap();
        assert!(statements.iter().all(|s| s["Action"] != "sts:AssumeRole"), "no sts:AssumeRole statement");
        assert_eq!(statements[1]["Action"], "s3:GetObject", "object reads have their own statement");
        assert_eq!(statements[1]["Resource"][0], "arn:aws:s3:::*/AWSLogs/*", "only CloudTrail's files");
    }

    #[test]
    fn assume_role_statement_is_in_the_asked_partition() {
        let doc = policy_document("Audit", &Partition::new("aws-us-gov"));
        assert_eq!(doc["Statement"][1]["Resource"], "arn:aws-us-gov:iam::*:role/Audit");
    }

    #[test]
    fn policy_is_read_only() {
        for action in READ_ACTIONS {
            let verb = action.split(':').nth(1).unwrap();
            assert!(["Get", "List", "Describe"].iter().any(|p| verb.starts_with(p)), "{action} is not a read action");
        }
    }
}
