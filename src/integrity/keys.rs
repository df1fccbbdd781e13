//! CloudTrail's public keys of one region, by fingerprint (design §3.4). Each DER value
//! (PKCS#1 `RSAPublicKey` as documented, or SPKI, which the docs also show) is parsed once.

use std::collections::BTreeMap;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use chrono::{DateTime, Utc};
use md5::{Digest, Md5};

/// One key as `cloudtrail:ListPublicKeys` returns it (`Value` already base64-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub fingerprint: String,
    pub der: Vec<u8>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
}

/// A key of the ring, parsed (or not: "Unable to load PKCS #1 key").
#[derive(Debug, Clone)]
pub(crate) struct LoadedKey {
    pub parsed: Option<ParsedPublicKey>,
    /// Whether lowercase hex MD5 of the DER is the fingerprint the API gave (the reference
    /// does not check; a mismatch becomes a warning on the digests it verifies).
    pub fingerprint_matches_der: bool,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
}

/// The lookup of a digest's fingerprint.
pub(crate) enum KeyLookup<'a> {
    Missing,
    Unloadable,
    Found(&'a LoadedKey),
}

/// Keys of one source region, by fingerprint; parses each DER once.
#[derive(Debug, Clone)]
pub struct KeyRing {
    region: String,
    keys: BTreeMap<String, LoadedKey>,
}

impl KeyRing {
    pub fn new(region: &str, keys: Vec<PublicKey>) -> KeyRing {
        let mut ring = KeyRing { region: region.to_string(), keys: BTreeMap::new() };
        ring.add(keys);
        ring
    }

    /// Merges more keys (the backfill lookups); a fingerprint already held is kept.
    pub fn add(&mut self, keys: Vec<PublicKey>) {
        for key in keys {
            self.keys.entry(key.fingerprint.clone()).or_insert_with(|| load(&key));
        }
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.keys.contains_key(fingerprint)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn fingerprints(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Exact, case-sensitive, as the reference matches `digestPublicKeyFingerprint`.
    pub(crate) fn lookup(&self, fingerprint: &str) -> KeyLookup<'_> {
        match self.keys.get(fingerprint) {
            None => KeyLookup::Missing,
            Some(LoadedKey { parsed: None, .. }) => KeyLookup::Unloadable,
            Some(key) => KeyLookup::Found(key),
        }
    }
}

fn load(key: &PublicKey) -> LoadedKey {
    LoadedKey {
        parsed: ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key.der).ok(),
        fingerprint_matches_der: md5_hex(&key.der) == key.fingerprint,
        valid_from: key.valid_from,
        valid_to: key.valid_to,
    }
}

/// Lowercase hex MD5: how CloudTrail fingerprints a key's DER value.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}
