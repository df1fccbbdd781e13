//! Known-answer vectors (design §8.4).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::PublicEncryptingKey;
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use chrono::{TimeZone, Utc};

use super::super::keys::{KeyLookup, md5_hex};
use super::super::naming::positional_stamp;
use super::super::*;
use super::chain_builder::*;

const VALID_TEST_KEY: &str = "MIIBCgKCAQEAn11L2YZ9h7onug2ILi1MWyHiMRsTQjfWE+pHVRLk1QjfWhirG+lpOa8NrwQ/r7Ah5bNL6HepznOU9XTDSfmmnP97mqyc7z/upfZdS/AHhYcGaz7n6Wc/RRBU6VmiPCrAUojuSk6/GjvA8iOPFsYDuBtviXarvuLPlrT9kAd4Lb+rFfR5peEgBEkhlzc5HuWO7S0y+KunqxX6jQBnXGMtxmPBPP0FylgWGNdFtks/4YSKcgqwH0YDcawP9GGGDAeCIqPWIXDLG1jOjRRzWfCmD0iJUkz8vTsn4hq/5ZxRFE7UBAUiVcGbdnDdvVfhF9C3dQiDq3k7adQIziLT0cShgQIDAQAB";

#[test]
fn the_signed_string_is_four_lf_separated_fields() {
    assert_eq!(signed_string("a", "b", "c", b"abc", None), "a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull");
    assert!(signed_string("a", "b", "c", b"abc", Some("ff00")).ends_with("\nff00"));
}

#[test]
fn log_hashes_are_over_the_inflated_bytes() {
    for (content, hash) in [
        ("{}", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
        ("{\"foo\":\"bar\"}", "7a38bf81f383f69433ad6e900d35b3e2385593f76a7b7ab5d4355b8ba41ee24b"),
        ("{\"baz\":\"qux\"}", "5b1070294963f40cb5b3c7a05d3fbaf7ffe4e5d226632026e39cfeb32d349c0c"),
    ] {
        let mut hasher = LogHasher::new();
        hasher.push(&gzip(content.as_bytes()));
        assert_eq!(hasher.inflated_bytes(), content.len() as u64);
        assert_eq!(hasher.finish(hash), LogVerdict::Valid, "{content}");
    }
}

#[test]
fn key_names_give_their_stamp_backfill_or_not() {
    let location = ChainLocation { prefix: None, ..location("foo") };
    let key = "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2015/08/16/123456789012_CloudTrail-Digest_us-east-1_foo_us-east-1_20150816T230550Z.json.gz";
    let name = location.parse_key(key).unwrap();
    assert_eq!((name.stamp.as_str(), name.backfill), ("20150816T230550Z", false));
    assert_eq!(name.end, Utc.with_ymd_and_hms(2015, 8, 16, 23, 5, 50).unwrap());
    let backfill = key.replace(".json.gz", "_backfill.json.gz");
    let name = location.parse_key(&backfill).unwrap();
    assert_eq!((name.stamp.as_str(), name.backfill), ("20150816T230550Z", true));
    assert_eq!(positional_stamp(key), "20150816T230550Z");
    assert_eq!(positional_stamp(&backfill), "20150816T230550Z");
    assert_eq!(positional_stamp("short"), "");
}

#[test]
fn the_strict_key_pattern_keeps_sibling_trails_apart() {
    let foo = ChainLocation { prefix: None, ..location("foo") };
    let sibling = ChainLocation { prefix: None, ..location("foo_us-east-1") };
    let sibling_key = sibling.digest_key(hour(1), false);
    assert!(sibling_key.contains("_foo_us-east-1_us-east-1_"));
    assert_eq!(foo.parse_key(&sibling_key), None, "trail foo must not claim {sibling_key}");
    assert!(sibling.parse_key(&sibling_key).is_some());
    assert!(foo.parse_key(&foo.digest_key(hour(1), true)).is_some());
    for bad in ["x/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2015/08/16/123456789012_CloudTrail-Digest_us-east-1_foo_us-east-1_20150816T230550Z.json.gz", "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2015/aa/16/123456789012_CloudTrail-Digest_us-east-1_foo_us-east-1_20150816T230550Z.json.gz", "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2015/08/16/123456789012_CloudTrail-Digest_us-east-1_foo_us-east-1_20150816T230550.json.gz"] {
        assert_eq!(foo.parse_key(bad), None, "{bad}");
    }
}

#[test]
fn the_marker_and_list_prefix_are_the_references() {
    let start = Utc.with_ymd_and_hms(2014, 8, 10, 0, 0, 0).unwrap();
    let location = location("foo");
    assert_eq!(location.list_prefix(), "prefix/AWSLogs/123456789012/CloudTrail-Digest/us-east-1");
    assert_eq!(location.start_after(start), "prefix/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2014/08/09/123456789012_CloudTrail-Digest_us-east-1_foo_us-east-1_20140809T235900Z.json.gz");
    let org = ChainLocation { org_id: Some("o-12345".into()), account: "987654321098".into(), ..location };
    assert_eq!(org.list_prefix(), "prefix/AWSLogs/o-12345/987654321098/CloudTrail-Digest/us-east-1");
    assert_eq!(org.start_after(start), "prefix/AWSLogs/o-12345/987654321098/CloudTrail-Digest/us-east-1/2014/08/09/987654321098_CloudTrail-Digest_us-east-1_foo_us-east-1_20140809T235900Z.json.gz");
    let bare = ChainLocation { prefix: Some(String::new()), ..super::chain_builder::location("foo") };
    assert_eq!(bare.list_prefix(), "AWSLogs/123456789012/CloudTrail-Digest/us-east-1");
}

#[test]
fn the_aws_cli_test_key_has_its_fingerprint_and_loads_as_2048_bits() {
    let der = base64::engine::general_purpose::STANDARD.decode(VALID_TEST_KEY).unwrap();
    assert_eq!(md5_hex(&der), "8eba5db5bea9b640d1c96a77256fe7f2");
    let ring = KeyRing::new(REGION, vec![PublicKey { fingerprint: md5_hex(&der), der: der.clone(), valid_from: None, valid_to: None }]);
    assert!(matches!(ring.lookup("8eba5db5bea9b640d1c96a77256fe7f2"), KeyLookup::Found(k) if k.parsed.is_some() && k.fingerprint_matches_der));
    let spki = aws_lc_rs::rsa::PublicKey::from_der(&der).unwrap().as_der().unwrap();
    assert_eq!(PublicEncryptingKey::from_der(spki.as_ref()).unwrap().key_size_bits(), 2048);
}

#[test]
fn an_spki_encoded_key_verifies_too() {
    let mut store = Store::default();
    let built = build(&Spec::new(1), &mut store);
    let spki = genuine().pair.public_key().as_der().unwrap().as_ref().to_vec();
    assert_ne!(spki, genuine().der, "SPKI and PKCS#1 differ");
    let keys = KeyRing::new(REGION, vec![PublicKey { fingerprint: genuine().fingerprint.clone(), der: spki, valid_from: None, valid_to: None }]);
    let stored = &store.objects[&(BUCKET.to_string(), built[0].key.clone())];
    let object = DigestObject { body: stored.body.clone(), metadata: stored.metadata.clone() };
    let DigestVerdict::Valid(digest) = verify_digest(&location("foo"), BUCKET, &built[0].key, &object, &keys) else { panic!("SPKI key should verify") };
    // The fingerprint is MD5 of the PKCS#1 bytes, so the cross-check warns.
    assert_eq!(digest.warnings, vec!["the public key's DER value does not hash (MD5) to its fingerprint".to_string()]);
}

#[test]
fn garbage_der_is_unloadable() {
    let ring = KeyRing::new(REGION, vec![PublicKey { fingerprint: "f".into(), der: b"not a key".to_vec(), valid_from: None, valid_to: None }]);
    assert!(matches!(ring.lookup("f"), KeyLookup::Unloadable));
    assert!(matches!(ring.lookup("g"), KeyLookup::Missing));
}

#[test]
fn the_report_is_json_and_has_a_schema() {
    let mut store = Store::default();
    build(&Spec::new(2), &mut store);
    let run = run_default(&store, 2);
    let json = serde_json::to_string(&run.report).unwrap();
    let back: ChainReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, run.report);
    let schema = serde_json::to_value(schemars::schema_for!(ChainReport)).unwrap();
    assert!(schema.to_string().contains("unverified_window"), "{schema}");
}
