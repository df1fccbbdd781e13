//! The least-privilege, read-only IAM policy a scan needs: exactly the actions the collector
//! calls. Every AWS call in `collect` and `aws` names its IAM action in its error label
//! (`fact("s3:GetBucketPolicy", …)`), and a test holds that set and [`READ_ACTIONS`] together.

/// Read-only actions called in every scanned account (and, in an organization, by the caller).
pub const READ_ACTIONS: &[&str] = &[
    "account:ListRegions",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetTrail",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListTrails",
    "ec2:DescribeRegions",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "logs:DescribeLogGroups",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketVersioning",
    "s3:GetLifecycleConfiguration",
    "s3:ListAllMyBuckets",
    "s3:ListBucket",
    "sns:GetTopicAttributes",
    "sts:GetCallerIdentity",
];

/// The policy document, with `sts:AssumeRole` limited to the scan role in member accounts.
pub fn policy_document(role_name: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrailwardenReadOnly",
                "Effect": "Allow",
                "Action": READ_ACTIONS,
                "Resource": "*"
            },
            {
                "Sid": "TrailwardenAssumeScanRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": format!("arn:aws:iam::*:role/{role_name}")
            }
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
        let mut files = vec![root.join("aws.rs")];
        for entry in std::fs::read_dir(root.join("collect")).unwrap() {
            files.push(entry.unwrap().path());
        }
        let services = ["account", "cloudtrail", "ec2", "kms", "logs", "organizations", "s3", "sns", "sts"];
        let mut found = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                if let Some((service, action)) = piece.split_once(':') {
                    if services.contains(&service) && !action.is_empty() && action.chars().all(|c| c.is_ascii_alphanumeric()) && action.starts_with(|c: char| c.is_ascii_uppercase()) {
                        found.insert(piece.to_string());
                    }
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
    fn policy_is_read_only() {
        for action in READ_ACTIONS {
            let verb = action.split(':').nth(1).unwrap();
            assert!(["Get", "List", "Describe"].iter().any(|p| verb.starts_with(p)), "{action} is not a read action");
        }
    }
}
