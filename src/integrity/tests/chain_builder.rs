//! Test support: hourly digest chains made and signed exactly as CloudTrail does (design
//! §8.2), an in-memory bucket, and a `DigestSource` over it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use chrono::{DateTime, Duration, TimeZone, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use super::super::keys::md5_hex;
use super::super::*;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
pub const BUCKET: &str = "trail-bucket";
pub const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/foo";

/// A signing key and its CloudTrail-style fingerprint.
pub struct Signer {
    pub pair: KeyPair,
    pub der: Vec<u8>,
    pub fingerprint: String,
}

fn make_signer() -> Signer {
    let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
    let der = pair.public_key().as_ref().to_vec();
    let fingerprint = md5_hex(&der);
    Signer { pair, der, fingerprint }
}

/// CloudTrail's key for the region, made once per test binary.
pub fn genuine() -> &'static Signer {
    static KEY: OnceLock<Signer> = OnceLock::new();
    KEY.get_or_init(make_signer)
}

/// Someone else's key.
pub fn attacker() -> &'static Signer {
    static KEY: OnceLock<Signer> = OnceLock::new();
    KEY.get_or_init(make_signer)
}

impl Signer {
    pub fn sign_hex(&self, message: &str) -> String {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message.as_bytes(), &mut signature).expect("signing");
        hex::encode(signature)
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey { fingerprint: self.fingerprint.clone(), der: self.der.clone(), valid_from: None, valid_to: None }
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 5, 31).unwrap()
}

/// `T_i`: the end of hour `i - 1`.
pub fn hour(i: i64) -> DateTime<Utc> {
    t0() + Duration::hours(i)
}

pub fn location(trail: &str) -> ChainLocation {
    ChainLocation {
        bucket: BUCKET.into(),
        prefix: Some("prefix".into()),
        org_id: None,
        account: ACCOUNT.into(),
        trail_name: trail.into(),
        home_region: REGION.into(),
        source_region: REGION.into(),
    }
}

/// An object in the in-memory bucket.
#[derive(Debug, Clone)]
pub struct Stored {
    pub body: Vec<u8>,
    pub metadata: BTreeMap<String, String>,
}

/// The buckets: objects, objects that cannot be read, buckets whose listing fails.
#[derive(Debug, Default)]
pub struct Store {
    pub objects: BTreeMap<(String, String), Stored>,
    pub unreadable: BTreeMap<(String, String), Unreadable>,
    pub unlistable: BTreeSet<String>,
}

impl Store {
    pub fn put(&mut self, bucket: &str, key: &str, body: Vec<u8>, metadata: BTreeMap<String, String>) {
        self.objects.insert((bucket.into(), key.into()), Stored { body, metadata });
    }

    pub fn get_mut(&mut self, bucket: &str, key: &str) -> &mut Stored {
        self.objects.get_mut(&(bucket.to_string(), key.to_string())).expect("object in store")
    }

    pub fn remove(&mut self, bucket: &str, key: &str) -> Stored {
        self.objects.remove(&(bucket.to_string(), key.to_string())).expect("object in store")
    }
}

/// One digest as built.
#[derive(Debug, Clone)]
pub struct Built {
    pub bucket: String,
    pub key: String,
    pub json: Value,
    pub inflated: Vec<u8>,
    pub signature: String,
    pub logs: Vec<LogRef>,
}

/// What chain to build.
pub struct Spec {
    pub location: ChainLocation,
    pub hours: usize,
    /// Hours without log files (the digest is still delivered).
    pub empty_hours: Vec<usize>,
    /// Hours while logging was off: no logs, no digest; the next digest starts a new chain.
    pub off_hours: Vec<usize>,
    pub backfill: bool,
    /// Digests of hours before this one are written to this other bucket.
    pub older_bucket: Option<(usize, String)>,
    /// Changes a digest's JSON before it is signed (the later digests chain to the change).
    pub edit: fn(usize, &mut Value),
}

impl Spec {
    pub fn new(hours: usize) -> Spec {
        Spec { location: location("foo"), hours, empty_hours: Vec::new(), off_hours: Vec::new(), backfill: false, older_bucket: None, edit: |_, _| {} }
    }
}

/// Builds the chain into `store`: for hour `i`, the logs, then the digest covering
/// `[T_i, T_{i+1}]`, linked to the digest of hour `i - 1`.
pub fn build(spec: &Spec, store: &mut Store) -> Vec<Built> {
    let mut built: Vec<Built> = Vec::new();
    for i in 0..spec.hours {
        if spec.off_hours.contains(&i) {
            continue;
        }
        let bucket = match &spec.older_bucket {
            Some((before, other)) if i < *before => other.clone(),
            _ => spec.location.bucket.clone(),
        };
        let logs = if spec.empty_hours.contains(&i) { Vec::new() } else { put_logs(store, &spec.location, i) };
        let key = spec.location.digest_key(hour(i as i64 + 1), spec.backfill);
        let previous = built.last().filter(|_| i > 0 && !spec.off_hours.contains(&(i - 1)));
        let mut json = digest_json(&bucket, &key, i, &logs, previous);
        (spec.edit)(i, &mut json);
        let digest = sign_and_put(store, &bucket, &key, json, genuine(), spec.backfill);
        built.push(Built { logs, ..digest });
    }
    built
}

fn put_logs(store: &mut Store, location: &ChainLocation, i: usize) -> Vec<LogRef> {
    (0..2)
        .map(|n| {
            let delivered = hour(i as i64) + Duration::minutes(10 + 20 * n);
            let key = format!(
                "prefix/AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{}/{ACCOUNT}_CloudTrail_{REGION}_{}_{:016}.json.gz",
                delivered.format("%Y/%m/%d"),
                delivered.format("%Y%m%dT%H%MZ"),
                i * 10 + n as usize
            );
            let content = format!("{{\"Records\":[{{\"eventName\":\"PutObject\",\"hour\":{i},\"n\":{n}}}]}}");
            store.put(&location.bucket, &key, gzip(content.as_bytes()), BTreeMap::new());
            LogRef { bucket: location.bucket.clone(), key, hash: sha256_hex(content.as_bytes()) }
        })
        .collect()
}

fn digest_json(bucket: &str, key: &str, i: usize, logs: &[LogRef], previous: Option<&Built>) -> Value {
    let time = |t: DateTime<Utc>| format_time(t);
    let log_files: Vec<Value> = logs
        .iter()
        .map(|l| json!({"s3Bucket": l.bucket, "s3Object": l.key, "hashValue": l.hash, "hashAlgorithm": "SHA-256", "newestEventTime": time(hour(i as i64)), "oldestEventTime": time(hour(i as i64))}))
        .collect();
    let events = if logs.is_empty() { Value::Null } else { Value::String(time(hour(i as i64))) };
    json!({
        "awsAccountId": ACCOUNT,
        "digestStartTime": time(hour(i as i64)),
        "digestEndTime": time(hour(i as i64 + 1)),
        "digestS3Bucket": bucket,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": genuine().fingerprint,
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": events,
        "oldestEventTime": events,
        "previousDigestS3Bucket": previous.map(|p| p.bucket.clone()),
        "previousDigestS3Object": previous.map(|p| p.key.clone()),
        "previousDigestHashValue": previous.map(|p| sha256_hex(&p.inflated)),
        "previousDigestHashAlgorithm": previous.map(|_| "SHA-256"),
        "previousDigestSignature": previous.map(|p| p.signature.clone()),
        "logFiles": log_files,
    })
}

/// Serializes, signs with `signer` (§3.1) and stores a digest with CloudTrail's metadata.
pub fn sign_and_put(store: &mut Store, bucket: &str, key: &str, json: Value, signer: &Signer, backfill: bool) -> Built {
    let inflated = serde_json::to_vec(&json).expect("json");
    sign_bytes_and_put(store, bucket, key, &json, inflated, signer, backfill)
}

/// As `sign_and_put`, over exactly these inflated bytes.
pub fn sign_bytes_and_put(store: &mut Store, bucket: &str, key: &str, json: &Value, inflated: Vec<u8>, signer: &Signer, backfill: bool) -> Built {
    let text = |f: &str| json.get(f).and_then(Value::as_str).unwrap_or("None").to_string();
    let previous = json.get("previousDigestSignature").and_then(Value::as_str);
    let message = signed_string(&text("digestEndTime"), &text("digestS3Bucket"), &text("digestS3Object"), &inflated, previous);
    let signature = signer.sign_hex(&message);
    let mut metadata = BTreeMap::from([("signature".to_string(), signature.clone()), ("signature-algorithm".to_string(), "SHA256withRSA".to_string())]);
    if backfill {
        metadata.insert("backfill-generation-timestamp".into(), "2026-03-01T12:00:00Z".into());
    }
    store.put(bucket, key, gzip(&inflated), metadata);
    Built { bucket: bucket.into(), key: key.into(), json: json.clone(), inflated, signature, logs: Vec::new() }
}

/// The walk's view of the store, verifying with `keys`, and recording every listing.
pub struct MemorySource<'a> {
    pub store: &'a Store,
    pub location: ChainLocation,
    pub keys: KeyRing,
    pub listed: Mutex<Vec<String>>,
}

impl DigestSource for MemorySource<'_> {
    async fn list(&self, bucket: &str, prefix: &str, start_after: &str) -> Result<Vec<String>, Unreadable> {
        self.listed.lock().unwrap().push(bucket.to_string());
        if self.store.unlistable.contains(bucket) {
            return Err(Unreadable::AccessDenied { action: "s3:ListBucket".into(), message: "Access Denied".into() });
        }
        Ok(self.store.objects.keys().filter(|(b, k)| b == bucket && k.starts_with(prefix) && k.as_str() > start_after).map(|(_, k)| k.clone()).collect())
    }

    async fn digest(&self, bucket: &str, key: &str, _backfill: bool) -> DigestVerdict {
        let id = (bucket.to_string(), key.to_string());
        if let Some(why) = self.store.unreadable.get(&id) {
            return DigestVerdict::Unverifiable(why.clone());
        }
        match self.store.objects.get(&id) {
            None => DigestVerdict::NotFound,
            Some(stored) => {
                let object = DigestObject { body: stored.body.clone(), metadata: stored.metadata.clone() };
                verify_digest(&self.location, bucket, key, &object, &self.keys)
            }
        }
    }
}

/// What a run produced: the report and the buckets listed.
pub struct Run {
    pub report: ChainReport,
    pub listed: Vec<String>,
}

impl Run {
    pub fn stderr(&self) -> String {
        self.report.reference_lines(false).into_iter().filter(|l| l.stderr).map(|l| l.text).collect()
    }

    pub fn stdout(&self, verbose: bool) -> String {
        self.report.reference_lines(verbose).into_iter().filter(|l| !l.stderr).map(|l| l.text).collect()
    }

    pub fn summary(&self) -> Vec<String> {
        self.report.summary_lines()
    }
}

/// The request the tamper tests use: exactly the chain's hours, at a time long past.
pub fn request(hours: usize) -> WalkRequest {
    WalkRequest { location: location("foo"), start: hour(0), end: hour(hours as i64), latest_digest_delivery: None, now: hour(24 * 30), trail_logging: false }
}

/// Walks, checks every log of the valid digests (streamed in 7-byte chunks), and reports.
pub fn run(store: &Store, request: &WalkRequest, keys: Vec<PublicKey>) -> Run {
    let source = MemorySource { store, location: request.location.clone(), keys: KeyRing::new(REGION, keys), listed: Mutex::new(Vec::new()) };
    let walked = futures::executor::block_on(walk(&source, request));
    let logs = walked.valid_digests().flat_map(|d| d.log_files.clone()).map(|log| {
        let verdict = check_log(store, &log);
        (log, verdict)
    });
    let logs: Vec<(LogRef, LogVerdict)> = logs.collect();
    let report = ChainReport::new(ARN, request, walked, logs);
    Run { report, listed: source.listed.into_inner().unwrap() }
}

pub fn check_log(store: &Store, log: &LogRef) -> LogVerdict {
    let id = (log.bucket.clone(), log.key.clone());
    if let Some(why) = store.unreadable.get(&id) {
        return LogVerdict::Unverifiable(why.clone());
    }
    let Some(stored) = store.objects.get(&id) else { return LogVerdict::NotFound };
    let mut hasher = LogHasher::new();
    for chunk in stored.body.chunks(7) {
        hasher.push(chunk);
    }
    hasher.finish(&log.hash)
}

/// The default run: the chain's own request, the genuine key.
pub fn run_default(store: &Store, hours: usize) -> Run {
    run(store, &request(hours), vec![genuine().public_key()])
}

pub fn s3(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}
