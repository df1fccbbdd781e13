//! `--checkpoint FILE`: the per-account stage of a scan, saved as each account finishes, so
//! that an interrupted scan run again with the same flags skips the accounts it finished.
//!
//! The file is JSON lines: a header naming the scope it belongs to (caller, `--org`, role,
//! a SHA-256 of the external id, `--accounts`, `--exclude-accounts`, `--regions`, `--shard`,
//! endpoint, tool version), then one line per finished account (its account-wide facts and
//! the trails it owns). Each line is appended and fsync'd before the next account is
//! counted done, so a SIGKILL loses at most the line being written; a torn last line is cut
//! off when the file is opened again. Only an account read completely is saved: one with any
//! Unavailable fact is read again on resume. What spans accounts (other accounts' trails,
//! buckets, keys, topics, log groups, alarms) is not checkpointed: it is read again on
//! resume, with the sessions of the accounts that own it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::{CollectError, CollectOptions};
use crate::inventory::{Account, Trail};

const FORMAT: u32 = 1;

/// What a checkpoint belongs to: a run with other values must not reuse it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointScope {
    pub tool_version: String,
    pub caller_account: String,
    pub organization: bool,
    pub role_name: String,
    pub external_id_sha256: Option<String>,
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
    pub regions: Option<Vec<String>>,
    pub shard: Option<String>,
    pub endpoint_url: Option<String>,
}

impl CheckpointScope {
    pub fn of(options: &CollectOptions, caller_account: &str) -> CheckpointScope {
        CheckpointScope {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            caller_account: caller_account.to_string(),
            organization: options.organization,
            role_name: options.role_name.clone(),
            external_id_sha256: options.external_id.as_ref().map(|e| hex(&sha2::Sha256::digest(e.as_bytes()))),
            accounts: options.selection.only.clone(),
            exclude_accounts: options.selection.exclude.clone(),
            regions: options.regions.clone(),
            shard: options.shard.as_ref().map(|s| format!("{}/{} scan {}", s.index, s.count, s.scan_id)),
            endpoint_url: options.connect.endpoint_url.clone(),
        }
    }

    /// The names of the fields that differ, as the flags that set them.
    fn differences(&self, other: &CheckpointScope) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |same: bool, name: &'static str| {
            if !same {
                out.push(name);
            }
        };
        check(self.tool_version == other.tool_version, "the trailwarden version");
        check(self.caller_account == other.caller_account, "the caller's account");
        check(self.organization == other.organization, "--org");
        check(self.role_name == other.role_name, "--role-name");
        check(self.external_id_sha256 == other.external_id_sha256, "--external-id");
        check(self.accounts == other.accounts, "--accounts");
        check(self.exclude_accounts == other.exclude_accounts, "--exclude-accounts");
        check(self.regions == other.regions, "--regions");
        check(self.shard == other.shard, "--shard/--scan-id");
        check(self.endpoint_url == other.endpoint_url, "--endpoint-url");
        out
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize, Deserialize)]
struct Header {
    trailwarden_checkpoint: u32,
    scope: CheckpointScope,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    account: Account,
    trails: BTreeMap<String, Trail>,
}

pub struct Checkpoint {
    path: PathBuf,
    file: std::fs::File,
    /// The accounts finished by earlier runs, by id.
    pub restored: BTreeMap<String, (Account, BTreeMap<String, Trail>)>,
    error: Option<String>,
}

fn fail(path: &Path, what: impl std::fmt::Display) -> CollectError {
    CollectError::Checkpoint(format!("--checkpoint {}: {what}", path.display()))
}

impl Checkpoint {
    /// Open (or create) the checkpoint of this scope; refuse one written for another scope.
    pub fn open(path: &Path, scope: CheckpointScope) -> Result<Checkpoint, CollectError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| fail(path, "not a trailwarden checkpoint (not UTF-8); delete it or give another path"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(fail(path, format!("cannot read ({e})"))),
        };
        let mut restored = BTreeMap::new();
        // Only lines ending in a newline were written whole; a torn last line is dropped.
        let complete = text.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let mut lines = text[..complete].lines();
        let fresh = match lines.next() {
            None => true,
            Some(first) => {
                let header: Header = serde_json::from_str(first)
                    .map_err(|_| fail(path, "not a trailwarden checkpoint (its first line is not a checkpoint header); delete it or give another path"))?;
                if header.trailwarden_checkpoint != FORMAT {
                    return Err(fail(path, format!("checkpoint format {} is not supported (this trailwarden writes {FORMAT}); delete it", header.trailwarden_checkpoint)));
                }
                let differs = header.scope.differences(&scope);
                if !differs.is_empty() {
                    return Err(fail(
                        path,
                        format!("written by a scan with other flags (differs in: {}); run with the same flags to resume it, or delete it (or give another --checkpoint) to start over", differs.join(", ")),
                    ));
                }
                for (n, line) in lines.enumerate() {
                    let entry: Entry = serde_json::from_str(line).map_err(|e| fail(path, format!("line {}: not a checkpoint entry ({e}); delete the file to start over", n + 2)))?;
                    restored.insert(entry.account.id.clone(), (entry.account, entry.trails));
                }
                false
            }
        };
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| fail(path, format!("cannot open for writing ({e})")))?;
        if complete < text.len() {
            file.set_len(complete as u64).map_err(|e| fail(path, format!("cannot cut off its torn last line ({e})")))?;
        }
        let mut checkpoint = Checkpoint { path: path.to_path_buf(), file, restored, error: None };
        if fresh {
            if complete < text.len() || !text.is_empty() {
                checkpoint.file.set_len(0).map_err(|e| fail(path, format!("cannot truncate ({e})")))?;
            }
            let header = serde_json::to_string(&Header { trailwarden_checkpoint: FORMAT, scope }).expect("a header serialises");
            checkpoint.append(&header).map_err(|e| fail(path, format!("cannot write ({e})")))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && let Ok(dir) = std::fs::File::open(dir)
            {
                let _ = dir.sync_all();
            }
        }
        Ok(checkpoint)
    }

    fn append(&mut self, line: &str) -> std::io::Result<()> {
        self.file.write_all(format!("{line}\n").as_bytes())?;
        self.file.sync_data()
    }

    /// Save a finished account, when everything of it was read.
    pub fn record(&mut self, account: &Account, trails: &BTreeMap<String, Trail>) {
        if self.error.is_some() || !complete(account, trails) {
            return;
        }
        let line = serde_json::to_string(&Entry { account: account.clone(), trails: trails.clone() }).expect("an account serialises");
        if let Err(e) = self.append(&line) {
            self.error = Some(format!("cannot write ({e})"));
        }
    }

    /// The first write error, if any: the scan's evidence is fine but the file cannot be trusted.
    pub fn finish(self) -> Result<(), CollectError> {
        match self.error {
            Some(e) => Err(fail(&self.path, e)),
            None => Ok(()),
        }
    }
}

/// Everything of the account was read: no Unavailable fact.
fn complete(account: &Account, trails: &BTreeMap<String, Trail>) -> bool {
    account.access.unavailable().is_none()
        && account.regions.unavailable().is_none()
        && account.listed_trails.unavailable().is_none()
        && account.public_access_block.unavailable().is_none()
        && account.owned_buckets.unavailable().is_none()
        && trails.values().all(|t| {
            t.config.unavailable().is_none() && t.status.unavailable().is_none() && t.event_selectors.unavailable().is_none() && t.insight_selectors.unavailable().is_none()
        })
}
