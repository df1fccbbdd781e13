//! The streaming gzip reader: every fault, and chunks split at every byte boundary.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

use super::super::gzip::{FirstMember, GzipFault, inflate_first_member};
use super::super::*;
use super::chain_builder::{gzip, sha256_hex};

const TEXT: &str = "{\"Records\":[{\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"203.0.113.7\"},{\"eventName\":\"StopLogging\"}]}";

/// A gzip member with every optional header part (extra, name, comment, header CRC16).
fn full_header_member(content: &[u8]) -> Vec<u8> {
    let mut header = vec![0x1f, 0x8b, 0x08, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 255];
    header.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
    header.extend_from_slice(b"name.json\0comment\0");
    let mut crc = Crc::new();
    crc.update(&header);
    header.extend_from_slice(&((crc.sum() & 0xffff) as u16).to_le_bytes());
    let mut deflate = DeflateEncoder::new(Vec::new(), Compression::default());
    deflate.write_all(content).unwrap();
    header.extend(deflate.finish().unwrap());
    let mut data_crc = Crc::new();
    data_crc.update(content);
    header.extend_from_slice(&data_crc.sum().to_le_bytes());
    header.extend_from_slice(&(content.len() as u32).to_le_bytes());
    header
}

fn verdict_in_two(body: &[u8], split: usize, expected: &str) -> LogVerdict {
    let mut hasher = LogHasher::new();
    hasher.push(&body[..split]);
    hasher.push(&body[split..]);
    hasher.finish(expected)
}

#[test]
fn every_split_point_gives_the_same_verdict() {
    let hash = sha256_hex(TEXT.as_bytes());
    for body in [gzip(TEXT.as_bytes()), full_header_member(TEXT.as_bytes())] {
        for split in 0..=body.len() {
            assert_eq!(verdict_in_two(&body, split, &hash), LogVerdict::Valid, "split at {split}");
        }
        let mut hasher = LogHasher::new();
        body.iter().for_each(|b| hasher.push(std::slice::from_ref(b)));
        assert_eq!(hasher.compressed_bytes(), body.len() as u64);
        assert_eq!(hasher.inflated_bytes(), TEXT.len() as u64);
        assert_eq!(hasher.finish(&hash), LogVerdict::Valid, "byte by byte");
        let mut extended = body.clone();
        extended.extend(gzip(b"{\"Records\":[]}"));
        for split in 0..=extended.len() {
            assert_eq!(verdict_in_two(&extended, split, &hash), LogVerdict::TrailingData, "second member, split at {split}");
        }
    }
}

#[test]
fn every_truncation_is_incomplete_never_valid() {
    let body = full_header_member(TEXT.as_bytes());
    let hash = sha256_hex(TEXT.as_bytes());
    for length in 0..body.len() {
        let verdict = verdict_in_two(&body[..length], length / 2, &hash);
        let LogVerdict::Incomplete { reference_says_valid, .. } = verdict else { panic!("length {length}: {verdict:?}") };
        // A cut inside the 8-byte trailer (or the deflate data's last bits) leaves the
        // reference all the data, so it says valid; a cut earlier leaves it a part.
        if length >= body.len() - 8 {
            assert!(reference_says_valid, "length {length}");
        }
        if length < body.len() - 12 {
            assert!(!reference_says_valid, "length {length}");
        }
    }
}

#[test]
fn faults_are_told_apart() {
    let body = gzip(TEXT.as_bytes());
    let fault = |bytes: &[u8]| {
        let mut member = FirstMember::new();
        member.push(bytes, &mut |_| {});
        member.finish().err()
    };
    assert_eq!(fault(b""), Some(GzipFault::Empty));
    assert_eq!(fault(b"{}"), Some(GzipFault::NotGzip), "told from the first byte");
    assert_eq!(fault(&body[..2]), Some(GzipFault::Truncated));
    assert_eq!(fault(b"{\"Records\":[]}"), Some(GzipFault::NotGzip));
    assert_eq!(fault(&body[..5]), Some(GzipFault::Truncated));
    assert_eq!(fault(&body[..body.len() - 8]), Some(GzipFault::TrailerMissing));
    let mut bad_crc = body.clone();
    let at = bad_crc.len() - 8;
    bad_crc[at] ^= 1;
    assert_eq!(fault(&bad_crc), Some(GzipFault::CrcMismatch));
    let mut bad_length = body.clone();
    let at = bad_length.len() - 1;
    bad_length[at] ^= 1;
    assert_eq!(fault(&bad_length), Some(GzipFault::LengthMismatch));
    let mut reserved = body.clone();
    reserved[3] = 0x20;
    assert!(matches!(fault(&reserved), Some(GzipFault::BadHeader(_))));
    let mut bad_header_crc = full_header_member(b"{}");
    bad_header_crc[26] ^= 1;
    assert!(matches!(fault(&bad_header_crc), Some(GzipFault::BadHeader(_))), "header CRC16");
    let mut corrupt = body.clone();
    corrupt[10] = 0xff;
    assert!(matches!(fault(&corrupt), Some(GzipFault::Corrupt(_) | GzipFault::CrcMismatch | GzipFault::LengthMismatch)));
}

#[test]
fn log_verdicts_read_as_the_reference_where_it_agrees() {
    let hash = sha256_hex(TEXT.as_bytes());
    let body = gzip(TEXT.as_bytes());
    let verdict = |bytes: &[u8]| {
        let mut hasher = LogHasher::new();
        hasher.push(bytes);
        hasher.finish(&hash)
    };
    assert_eq!(verdict(TEXT.as_bytes()).to_string(), "INVALID: invalid format");
    assert_eq!(verdict(&[body.clone(), b"junk".to_vec()].concat()).to_string(), "INVALID: unexpected data after end of compressed stream");
    assert_eq!(verdict(&gzip(b"{}")).to_string(), "INVALID: hash value doesn't match");
    assert_eq!(verdict(b"").to_string(), "INVALID: invalid format: empty body (aws cloudtrail validate-logs reports \"hash value doesn't match\")");
    assert_eq!(verdict(&body[..body.len() - 8]).to_string(), "INVALID: invalid format: missing or incomplete gzip trailer (CRC32, ISIZE) (aws cloudtrail validate-logs reports this file valid)");
}

#[test]
fn a_digest_body_is_inflated_whole_and_its_trailing_bytes_counted() {
    let body = [gzip(b"{}"), gzip(b"{}")].concat();
    let (inflated, trailing) = inflate_first_member(&body).unwrap();
    assert_eq!((inflated.as_slice(), trailing), (b"{}".as_slice(), gzip(b"{}").len() as u64));
}
