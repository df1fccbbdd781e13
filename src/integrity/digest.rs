//! One digest file: the string CloudTrail signs, and its verification in the reference's
//! order (design §3, §4.4), followed by the strict pins once the reference would say valid.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::gzip::inflate_first_member;
use super::keys::{KeyLookup, KeyRing, LoadedKey};
use super::{ChainLocation, DigestObject, Unreadable, format_time};

const SIGNATURE: &str = "signature";
const SIGNATURE_ALGORITHM: &str = "signature-algorithm";
const BACKFILL_GENERATION: &str = "backfill-generation-timestamp";
const SHA256_WITH_RSA: &str = "SHA256withRSA";
const SHA_256: &str = "SHA-256";
/// The keys the reference requires to be present (null allowed), §2.
const REQUIRED_KEYS: [&str; 6] = ["digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"];

/// The verdict on one digest object.
#[derive(Debug, Clone)]
pub enum DigestVerdict {
    Valid(Arc<VerifiedDigest>),
    Invalid(DigestProblem),
    /// S3 answered NoSuchKey.
    NotFound,
    Unverifiable(Unreadable),
}

/// A digest whose signature verified: what the walk, the link checks and the log checks need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VerifiedDigest {
    pub bucket: String,
    pub key: String,
    pub backfill: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `digestEndTime` and `digestStartTime` as written (the end time is signed as is).
    pub end_raw: String,
    pub start_raw: String,
    pub previous_bucket: Option<String>,
    pub previous_key: Option<String>,
    pub previous_hash: Option<String>,
    pub previous_signature: Option<String>,
    /// Lowercase hex SHA-256 of the inflated digest bytes.
    pub inflated_sha256: String,
    /// Lowercase hex, from the object's metadata.
    pub signature: String,
    /// The key that verified it.
    pub fingerprint: String,
    pub log_files: Vec<LogRef>,
    /// Not wrong enough to be invalid: bytes after the first gzip member, `logFiles` absent,
    /// a key whose DER does not hash to its fingerprint or whose validity does not cover it.
    pub warnings: Vec<String>,
}

/// A log file as a digest lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct LogRef {
    pub bucket: String,
    pub key: String,
    /// `hashValue` as written in the digest.
    pub hash: String,
}

/// Which algorithm name a strict pin rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "field")]
pub enum AlgorithmField {
    /// The object's `signature-algorithm` metadata.
    SignatureMetadata,
    DigestSignatureAlgorithm,
    PreviousDigestHashAlgorithm,
    /// `logFiles[].hashAlgorithm` of this log.
    LogHashAlgorithm { log_key: String },
}

/// Why a digest is invalid. `Display` is the text after `INVALID: `, the reference's where
/// it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigestProblem {
    InvalidFormat,
    SignatureFailed,
    Moved,
    PublicKeyNotFound { region: String, fingerprint: String },
    UnloadableKey { fingerprint: String },
    /// Backfill: `ListPublicKeys` around the generation time returned nothing.
    NoPublicKeys { from: DateTime<Utc>, to: DateTime<Utc> },
    /// Strict only: the reference verifies as SHA-256 whatever the names say.
    UnsupportedAlgorithm { field: AlgorithmField, algorithm: String },
    /// What the reference prints for an unexpected exception, e.g. a non-hex signature.
    Other(String),
}

impl DigestProblem {
    /// False for the strict-only kinds (the reference reports the file valid).
    pub fn reference_agrees(&self) -> bool {
        !matches!(self, DigestProblem::UnsupportedAlgorithm { .. })
    }
}

impl fmt::Display for DigestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestProblem::InvalidFormat => f.write_str("invalid format"),
            DigestProblem::SignatureFailed => f.write_str("signature verification failed"),
            DigestProblem::Moved => f.write_str("has been moved from its original location"),
            DigestProblem::PublicKeyNotFound { region, fingerprint } => write!(f, "public key not found in region {region} for fingerprint {fingerprint}"),
            DigestProblem::UnloadableKey { fingerprint } => write!(f, "Unable to load PKCS #1 key with fingerprint {fingerprint}"),
            DigestProblem::NoPublicKeys { from, to } => write!(f, "No public keys found between {} and {}", format_time(*from), format_time(*to)),
            DigestProblem::UnsupportedAlgorithm { field, algorithm } => {
                let (name, expected) = match field {
                    AlgorithmField::SignatureMetadata => ("signature algorithm".to_string(), SHA256_WITH_RSA),
                    AlgorithmField::DigestSignatureAlgorithm => ("digestSignatureAlgorithm".to_string(), SHA256_WITH_RSA),
                    AlgorithmField::PreviousDigestHashAlgorithm => ("previousDigestHashAlgorithm".to_string(), SHA_256),
                    AlgorithmField::LogHashAlgorithm { log_key } => (format!("hashAlgorithm of log file {log_key}"), SHA_256),
                };
                write!(f, "{name} {algorithm} is not {expected}")
            }
            DigestProblem::Other(message) => f.write_str(message),
        }
    }
}

/// The exact string CloudTrail signs (§3.2): four fields joined by LF, no trailing newline.
pub fn signed_string(end_time: &str, bucket: &str, key: &str, inflated: &[u8], previous_signature: Option<&str>) -> String {
    let hash = hex::encode(digest(&SHA256, inflated).as_ref());
    format!("{end_time}\n{bucket}/{key}\n{hash}\n{}", previous_signature.unwrap_or("null"))
}

/// The `backfill-generation-timestamp` of a backfill digest: the collector fetches the keys
/// of `[t − 1 h, t + 1 h]` with it when the digest's fingerprint is not in the ring.
pub fn backfill_generation_time(object: &DigestObject) -> Option<DateTime<Utc>> {
    let text = object.metadata_value(BACKFILL_GENERATION)?;
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// §4.4 in the reference's order, then the strict pins (algorithm names, times, `logFiles`).
pub fn verify_digest(location: &ChainLocation, bucket: &str, key: &str, object: &DigestObject, keys: &KeyRing) -> DigestVerdict {
    match verify(location, bucket, key, object, keys) {
        Ok(verified) => DigestVerdict::Valid(Arc::new(verified)),
        Err(problem) => DigestVerdict::Invalid(problem),
    }
}

/// What the reference's steps 2–6 establish about a digest.
struct ReadDigest {
    inflated: Vec<u8>,
    trailing_bytes: u64,
    json: Map<String, Value>,
    signature: String,
    algorithm: String,
}

fn verify(location: &ChainLocation, bucket: &str, key: &str, object: &DigestObject, keys: &KeyRing) -> Result<VerifiedDigest, DigestProblem> {
    let backfill = key.ends_with("_backfill.json.gz");
    let read = read_digest(bucket, key, object, backfill)?;
    let fingerprint = python_text(read.json.get("digestPublicKeyFingerprint"));
    let loaded = match keys.lookup(&fingerprint) {
        KeyLookup::Missing => return Err(DigestProblem::PublicKeyNotFound { region: location.home_region.clone(), fingerprint }),
        KeyLookup::Unloadable => return Err(DigestProblem::UnloadableKey { fingerprint }),
        KeyLookup::Found(loaded) => loaded,
    };
    check_signature(&read, loaded)?;
    pin_algorithms(&read)?;
    let mut verified = verified_digest(bucket, key, backfill, &read, fingerprint)?;
    verified.warnings.extend(key_warnings(loaded, verified.end));
    Ok(verified)
}

/// Steps 2–6: inflate and parse, the signature metadata, the backfill stamp, the required
/// keys, and the recorded location.
fn read_digest(bucket: &str, key: &str, object: &DigestObject, backfill: bool) -> Result<ReadDigest, DigestProblem> {
    let (inflated, trailing_bytes) = inflate_first_member(&object.body).map_err(|_| DigestProblem::InvalidFormat)?;
    let text = std::str::from_utf8(&inflated).map_err(|_| DigestProblem::InvalidFormat)?;
    let Ok(Value::Object(json)) = serde_json::from_str::<Value>(text) else { return Err(DigestProblem::InvalidFormat) };
    let (Some(signature), Some(algorithm)) = (object.metadata_value(SIGNATURE), object.metadata_value(SIGNATURE_ALGORITHM)) else {
        return Err(DigestProblem::SignatureFailed);
    };
    if backfill && object.metadata_value(BACKFILL_GENERATION).is_none() {
        return Err(DigestProblem::InvalidFormat);
    }
    if REQUIRED_KEYS.iter().any(|k| !json.contains_key(*k)) {
        return Err(DigestProblem::InvalidFormat);
    }
    let recorded = |field: &str| json.get(field).and_then(Value::as_str);
    if recorded("digestS3Bucket") != Some(bucket) || recorded("digestS3Object") != Some(key) {
        return Err(DigestProblem::Moved);
    }
    let (signature, algorithm) = (signature.to_string(), algorithm.to_string());
    Ok(ReadDigest { inflated, trailing_bytes, json, signature, algorithm })
}

/// Steps 9–10: RSASSA-PKCS1-v1_5 SHA-256 over the signed string.
fn check_signature(read: &ReadDigest, loaded: &LoadedKey) -> Result<(), DigestProblem> {
    let Some(public_key) = &loaded.parsed else { return Err(DigestProblem::SignatureFailed) };
    let signature = decode_hex_as_python(&read.signature).map_err(DigestProblem::Other)?;
    let text = |field: &str| python_text(read.json.get(field));
    let previous = read.json.get("previousDigestSignature").filter(|v| !v.is_null()).map(|v| python_text(Some(v)));
    let message = signed_string(&text("digestEndTime"), &text("digestS3Bucket"), &text("digestS3Object"), &read.inflated, previous.as_deref());
    public_key.verify_sig(message.as_bytes(), &signature).map_err(|_| DigestProblem::SignatureFailed)
}

/// Strict: the names of the algorithms must be the ones verified.
fn pin_algorithms(read: &ReadDigest) -> Result<(), DigestProblem> {
    let unsupported = |field: AlgorithmField, algorithm: &str| Err(DigestProblem::UnsupportedAlgorithm { field, algorithm: algorithm.to_string() });
    if read.algorithm != SHA256_WITH_RSA {
        return unsupported(AlgorithmField::SignatureMetadata, &read.algorithm);
    }
    let named = |value: Option<&Value>| value.map_or_else(|| "(absent)".to_string(), |v| python_text(Some(v)));
    let declared = read.json.get("digestSignatureAlgorithm");
    if declared.and_then(Value::as_str) != Some(SHA256_WITH_RSA) {
        return unsupported(AlgorithmField::DigestSignatureAlgorithm, &named(declared));
    }
    match read.json.get("previousDigestHashAlgorithm") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == SHA_256 => {}
        other => return unsupported(AlgorithmField::PreviousDigestHashAlgorithm, &named(other)),
    }
    for log in read.json.get("logFiles").and_then(Value::as_array).into_iter().flatten() {
        let algorithm = log.get("hashAlgorithm");
        if algorithm.and_then(Value::as_str) != Some(SHA_256) {
            let log_key = log.get("s3Object").and_then(Value::as_str).unwrap_or_default().to_string();
            return unsupported(AlgorithmField::LogHashAlgorithm { log_key }, &named(algorithm));
        }
    }
    Ok(())
}

/// The verified fields, with the times parsed (an unparsable time is the reference's
/// exception text) and `logFiles` read.
fn verified_digest(bucket: &str, key: &str, backfill: bool, read: &ReadDigest, fingerprint: String) -> Result<VerifiedDigest, DigestProblem> {
    let json = &read.json;
    let (start_raw, start) = parse_time_field(json, "digestStartTime")?;
    let (end_raw, end) = parse_time_field(json, "digestEndTime")?;
    let (log_files, mut warnings) = read_log_files(json)?;
    if read.trailing_bytes > 0 {
        warnings.push(format!("{} bytes after the end of the first gzip member (aws cloudtrail validate-logs ignores them)", read.trailing_bytes));
    }
    Ok(VerifiedDigest {
        bucket: bucket.to_string(),
        key: key.to_string(),
        backfill,
        start,
        end,
        end_raw,
        start_raw,
        previous_bucket: optional_text(json, "previousDigestS3Bucket")?,
        previous_key: optional_text(json, "previousDigestS3Object")?,
        previous_hash: optional_text(json, "previousDigestHashValue")?,
        previous_signature: optional_text(json, "previousDigestSignature")?,
        inflated_sha256: hex::encode(digest(&SHA256, &read.inflated).as_ref()),
        signature: read.signature.to_ascii_lowercase(),
        fingerprint,
        log_files,
        warnings,
    })
}

/// `logFiles`: absent or null is none, with a warning (decided in the module docs); an entry
/// without its bucket, key or hash is invalid format.
fn read_log_files(json: &Map<String, Value>) -> Result<(Vec<LogRef>, Vec<String>), DigestProblem> {
    let entries = match json.get("logFiles") {
        None | Some(Value::Null) => return Ok((Vec::new(), vec!["logFiles is absent: read as no log files".to_string()])),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(DigestProblem::InvalidFormat),
    };
    let text = |entry: &Value, field: &str| entry.get(field).and_then(Value::as_str).map(str::to_string).ok_or(DigestProblem::InvalidFormat);
    let logs = entries
        .iter()
        .map(|entry| Ok(LogRef { bucket: text(entry, "s3Bucket")?, key: text(entry, "s3Object")?, hash: text(entry, "hashValue")? }))
        .collect::<Result<Vec<_>, DigestProblem>>()?;
    Ok((logs, Vec::new()))
}

fn key_warnings(loaded: &LoadedKey, end: DateTime<Utc>) -> Vec<String> {
    let mut warnings = Vec::new();
    if !loaded.fingerprint_matches_der {
        warnings.push("the public key's DER value does not hash (MD5) to its fingerprint".to_string());
    }
    let before = loaded.valid_from.is_some_and(|from| end < from);
    let after = loaded.valid_to.is_some_and(|to| end > to);
    if before || after {
        warnings.push("the digest's end time is outside the signing key's validity window".to_string());
    }
    warnings
}

fn parse_time_field(json: &Map<String, Value>, field: &str) -> Result<(String, DateTime<Utc>), DigestProblem> {
    let value = json.get(field);
    let Some(text) = value.and_then(Value::as_str) else {
        let message = format!("Parser must be a string or character stream, not {}", python_type(value));
        return Err(DigestProblem::Other(message));
    };
    let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| DigestProblem::Other(format!("Unknown string format: {text}")))?;
    Ok((text.to_string(), parsed.with_timezone(&Utc)))
}

fn optional_text(json: &Map<String, Value>, field: &str) -> Result<Option<String>, DigestProblem> {
    match json.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DigestProblem::InvalidFormat),
    }
}

/// A JSON value as Python's `%s` prints it (`None` for null), as the reference builds strings.
fn python_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "None".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "True".to_string(),
        Some(Value::Bool(false)) => "False".to_string(),
        Some(other) => other.to_string(),
    }
}

fn python_type(value: Option<&Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "NoneType",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Number(n)) if n.is_f64() => "float",
        Some(Value::Number(_)) => "int",
        Some(Value::String(_)) => "str",
        Some(Value::Array(_)) => "list",
        Some(Value::Object(_)) => "dict",
    }
}

/// Hex decoding with `binascii.unhexlify`'s error texts (either case accepted).
fn decode_hex_as_python(text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text).map_err(|e| match e {
        hex::FromHexError::OddLength => "Odd-length string".to_string(),
        _ => "Non-hexadecimal digit found".to_string(),
    })
}
