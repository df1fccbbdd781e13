//! ARNs of every commercial and isolated partition: parsing, and building the few ARNs the
//! scan needs (bucket ARNs, role ARNs) in the partition of the account being scanned, never
//! a hard-coded `arn:aws:`.

use std::fmt;

/// An AWS partition: `aws`, `aws-cn`, `aws-us-gov`, or another the caller's ARN names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition(String);

impl Partition {
    pub fn new(name: &str) -> Partition {
        Partition(name.to_string())
    }

    /// The commercial partition, for when nothing says otherwise.
    pub fn aws() -> Partition {
        Partition::new("aws")
    }

    /// The partition of an ARN such as the caller identity's; `aws` when it is not an ARN.
    pub fn of_arn(arn: &str) -> Partition {
        Arn::parse(arn).map(|a| Partition::new(a.partition)).unwrap_or_else(Partition::aws)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `arn:PARTITION:s3:::BUCKET`.
    pub fn bucket_arn(&self, bucket: &str) -> String {
        format!("arn:{}:s3:::{bucket}", self.0)
    }

    /// `arn:PARTITION:iam::ACCOUNT:role/NAME`.
    pub fn role_arn(&self, account_id: &str, role_name: &str) -> String {
        format!("arn:{}:iam::{account_id}:role/{role_name}", self.0)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `arn:partition:service:region:account:resource`, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next().filter(|p| !p.is_empty())?;
        Some(Arn { partition, service: parts.next()?, region: parts.next()?, account: parts.next()?, resource: parts.next()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_of_every_partition_parse_and_build() {
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            let trail = format!("arn:{partition}:cloudtrail:us-west-2:111122223333:trail/main");
            let arn = Arn::parse(&trail).unwrap();
            assert_eq!((arn.partition, arn.service, arn.region, arn.account, arn.resource), (partition, "cloudtrail", "us-west-2", "111122223333", "trail/main"));
            let p = Partition::of_arn(&trail);
            assert_eq!(p.bucket_arn("logs"), format!("arn:{partition}:s3:::logs"));
            assert_eq!(p.role_arn("111122223333", "Audit"), format!("arn:{partition}:iam::111122223333:role/Audit"));
        }
        assert_eq!(Partition::of_arn("not-an-arn"), Partition::aws());
        assert!(Arn::parse("arn::s3:::x").is_none());
        // Log group ARNs keep the colons of their resource part.
        assert_eq!(Arn::parse("arn:aws-cn:logs:cn-north-1:1:log-group:g:*").unwrap().resource, "log-group:g:*");
    }
}
