//! Region names by shape, not by a fixed list: a new region is accepted the day AWS opens it,
//! and the account's enabled regions (account:ListRegions) decide which ones are scanned.

/// The direction words every AWS region name uses (`us-east-1`, `ap-southeast-7`, `mx-central-1`).
const DIRECTIONS: &[&str] = &["east", "west", "north", "south", "central", "northeast", "northwest", "southeast", "southwest", "northcentral", "southcentral", "eastcentral", "westcentral"];

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`, …:
/// two letters, optionally a partition infix (`gov`, `iso…`), a direction word, a number.
/// A region AWS opens tomorrow has this shape too; a typo such as `us-esat-1` does not.
pub fn is_region_shaped(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let (country, middle, number) = match parts.as_slice() {
        [country, direction, number] => (*country, vec![*direction], *number),
        [country, infix, direction, number] if *infix == "gov" || infix.starts_with("iso") => (*country, vec![*direction], *number),
        _ => return false,
    };
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    country.len() == 2
        && lower(country)
        && middle.iter().all(|d| lower(d) && DIRECTIONS.contains(d))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The partition a region belongs to (emulators may answer with every partition's regions).
pub fn region_partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso") {
        "aws-iso"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_judged_by_shape() {
        for ok in ["us-east-1", "eu-central-2", "ap-southeast-7", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "mx-central-1", "zz-northwest-9"] {
            assert!(is_region_shaped(ok), "{ok}");
        }
        for bad in ["us-esat-1", "mars-1", "us-east", "US-EAST-1", "us-east-1a", "useast1", "", "us--1", "us-east-123"] {
            assert!(!is_region_shaped(bad), "{bad}");
        }
    }

    #[test]
    fn regions_map_to_their_partition() {
        assert_eq!(region_partition("cn-north-1"), "aws-cn");
        assert_eq!(region_partition("us-gov-east-1"), "aws-us-gov");
        assert_eq!(region_partition("eu-west-1"), "aws");
    }
}
