//! The IAM actions this collector calls: the single list `trailwarden iam-policy` prints.
//! Every AWS call in `collect` names its IAM action in its error label
//! (`fact("s3:GetBucketPolicy", …)`), and a test holds that set and [`READ_ACTIONS`] together.

/// Read-only actions called in every scanned account (and, in an organization, by the caller).
pub const READ_ACTIONS: &[&str] = &[
    "account:ListRegions",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetTrail",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListPublicKeys",
    "cloudtrail:ListTrails",
    "cloudwatch:DescribeAlarmsForMetric",
    "ec2:DescribeRegions",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "logs:DescribeLogGroups",
    "logs:DescribeMetricFilters",
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
    "s3:GetObject",
    "s3:ListAllMyBuckets",
    "s3:ListBucket",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sts:GetCallerIdentity",
];
