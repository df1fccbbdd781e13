//! Shards: which shard owns an account, what a shard inventory records, and the merge of
//! the N shard inventories of one scan into the one inventory an unsharded scan would have
//! collected.
//!
//! This module exists so that `scan --shard I/N` on N machines followed by
//! `trailwarden merge` evaluates once, over the whole organization: organization-level
//! checks and shared log buckets span shards, so per-shard outcomes are never concatenated.
//! It is pure: no AWS, no files.
//!
//! Membership is FNV-1a (64-bit) of the account id's ASCII digits, mod N, plus one; the
//! same on every machine and every release (never Rust's randomized hasher). Every shard lists
//! the organization and records the whole scope with the owner shard of each account, so a
//! missing, duplicated or foreign shard is detected at merge.
//!
//! What spans shards is read by every shard that needs it, with the owner account's session
//! (collect enters an owner account of another shard just for that), so each copy is what an
//! unsharded scan reads. The merge keeps, for each resource, the copy read by the shard that
//! owns the resource's account; a log bucket is owned by the account whose ListBuckets lists
//! it. A bucket whose owner's shard did not read it (no trail listed by that shard's accounts
//! delivers to it) cannot be read offline: it is Unavailable (`not_scanned`), never PASS.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Bucket, Fact, Inventory, InventoryError, Unavailable, UnavailableKind};
use crate::model::Arn;

/// What a shard inventory records about the sharded scan it is part of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 1-based: shard `index` of `count`.
    pub index: u32,
    pub count: u32,
    /// `--scan-id`: the same for every shard of one scan.
    pub scan_id: String,
    /// Every account in scope (all shards), with the shard that owns it, sorted by id.
    pub accounts: Vec<ShardAccount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardAccount {
    pub id: String,
    pub shard: u32,
}

/// After `merge`: the scan the shards came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedShards {
    pub scan_id: String,
    pub count: u32,
}

/// FNV-1a, 64-bit.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The 1-based shard (of `count`) that owns `account_id`.
pub fn shard_of(account_id: &str, count: u32) -> u32 {
    assert!(count >= 1);
    (fnv1a(account_id.as_bytes()) % u64::from(count)) as u32 + 1
}

/// `--shard I/N`: (I, N) with 1 ≤ I ≤ N.
pub fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--shard {text}: expected I/N with 1 <= I <= N, e.g. --shard 2/4 (in a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX+1))/N)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

fn err(message: String) -> InventoryError {
    InventoryError { message }
}

/// Merge the shard inventories of one scan (`(file name, inventory)`, in any order).
/// Refuses, naming the files: an inventory saved without `--shard`, shards of different
/// scans, tool versions or shard counts, a duplicated or missing shard, shards that disagree
/// about the scope.
pub fn merge(inputs: Vec<(String, Inventory)>) -> Result<Inventory, InventoryError> {
    if inputs.is_empty() {
        return Err(err("merge: no inventory given; pass the inventories of every `scan --shard I/N`".into()));
    }
    let mut shards: Vec<(String, ShardInfo, Inventory)> = Vec::with_capacity(inputs.len());
    for (path, inventory) in inputs {
        let Some(info) = inventory.shard.clone() else {
            return Err(err(format!("{path} is not a shard inventory (it was saved without --shard); merge takes the inventories of `scan --shard I/N --scan-id ID --save-inventory FILE` (evaluate a whole inventory with `scan --inventory {path}`)")));
        };
        shards.push((path, info, inventory));
    }
    shards.sort_by_key(|(_, i, _)| i.index);
    let (first_path, first, first_inv) = (&shards[0].0, &shards[0].1, &shards[0].2);

    // Same scan: the scan id, the tool version and the shard count.
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, i, _) in &shards {
        *votes.entry(i.scan_id.as_str()).or_default() += 1;
    }
    let majority = votes.iter().max_by_key(|(_, n)| **n).map(|(id, _)| *id).unwrap_or_default();
    let differing: Vec<&(String, ShardInfo, Inventory)> = shards.iter().filter(|(_, i, _)| i.scan_id != majority).collect();
    if !differing.is_empty() {
        let ids: BTreeSet<&str> = shards.iter().map(|(_, i, _)| i.scan_id.as_str()).collect();
        if differing.len() == 1 && shards.len() > 2 {
            let (path, info, _) = differing[0];
            return Err(err(format!("{path} is from scan {}, the others from scan {majority}; merge the shards of one scan (same --scan-id)", info.scan_id)));
        }
        let listed: Vec<String> = shards.iter().map(|(p, i, _)| format!("{p} ({})", i.scan_id)).collect();
        return Err(err(format!("the inventories are from {} different scans: {}; merge the shards of one scan (same --scan-id)", ids.len(), listed.join(", "))));
    }
    for (path, _, inv) in &shards {
        if inv.scan.tool_version != first_inv.scan.tool_version || inv.scan.tool_name != first_inv.scan.tool_name {
            return Err(err(format!(
                "{path} was saved by {} {}, {first_path} by {} {}; scan every shard with the same trailwarden version",
                inv.scan.tool_name, inv.scan.tool_version, first_inv.scan.tool_name, first_inv.scan.tool_version
            )));
        }
    }
    if let Some((path, info, _)) = shards.iter().find(|(_, i, _)| i.count != first.count) {
        return Err(err(format!("{path} is shard {}/{}, {first_path} is shard {}/{}: the shards of one scan share N; scan every shard with the same --shard I/N", info.index, info.count, first.index, first.count)));
    }
    let count = first.count;
    let mut by_index: BTreeMap<u32, &str> = BTreeMap::new();
    for (path, info, _) in &shards {
        if let Some(other) = by_index.insert(info.index, path) {
            return Err(err(format!("{other} and {path} are both shard {}/{count}; pass each shard once", info.index)));
        }
    }
    let missing: Vec<u32> = (1..=count).filter(|i| !by_index.contains_key(i)).collect();
    if !missing.is_empty() {
        let got: Vec<String> = by_index.iter().map(|(i, p)| format!("{p} ({i}/{count})")).collect();
        let what = missing.iter().map(|i| format!("{i}/{count}")).collect::<Vec<_>>().join(", ");
        let verb = if missing.len() == 1 { "is" } else { "are" };
        return Err(err(format!(
            "shard {what} {verb} missing: got {}; add the inventory of `scan --shard {}/{count} --scan-id {}`",
            got.join(", "),
            missing[0],
            first.scan_id
        )));
    }

    // Same scope: the accounts, their owner shards, the organization, the regions asked for.
    for (path, info, inv) in &shards {
        if info.accounts != first.accounts {
            return Err(err(format!(
                "{path} and {first_path} disagree about the accounts in scope ({} vs {} accounts): the shards ran with different --accounts/--exclude-accounts or the organization changed between them; scan every shard again",
                info.accounts.len(),
                first.accounts.len()
            )));
        }
        let org = |i: &Inventory| i.organization.as_ref().map(|o| o.id.clone());
        if org(inv) != org(first_inv) || inv.scan.requested_regions != first_inv.scan.requested_regions || inv.scan.mode != first_inv.scan.mode {
            return Err(err(format!("{path} and {first_path} were scanned with a different organization, --org or --regions; scan every shard with the same flags")));
        }
        if inv.integrity.is_some() {
            return Err(err(format!("{path}: holds a --verify-integrity walk, which sharded scans do not do; scan without --verify-integrity")));
        }
    }
    // The OU tree: every shard reads it (one organization, the same caller). Copies that
    // were read must be the same tree, else the organization changed between the shards;
    // a shard that could not read it is outvoted by one that could (one whole read is a
    // read); when none could, the first shard's reason stands.
    let units_of = |i: &Inventory| i.organization.as_ref().and_then(|o| o.units.clone());
    let mut units = units_of(first_inv);
    for (path, _, inv) in &shards {
        match (units_of(inv), &units) {
            (Some(Fact::Present(tree)), Some(Fact::Present(held))) if &tree != held => {
                return Err(err(format!(
                    "{path} and {first_path} disagree about the organization's OU tree ({} vs {} units, or accounts moved between them): the organization changed between the shards; scan every shard again",
                    tree.len(),
                    held.len()
                )));
            }
            (Some(Fact::Present(tree)), _) => units = Some(Fact::Present(tree)),
            (Some(other), None) => units = Some(other),
            _ => {}
        }
    }
    let owner_shard: BTreeMap<&str, u32> = first.accounts.iter().map(|a| (a.id.as_str(), a.shard)).collect();
    for (path, info, inv) in &shards {
        if let Some(a) = inv.accounts.iter().find(|a| owner_shard.get(a.id.as_str()) != Some(&info.index)) {
            return Err(err(format!("{path} (shard {}/{count}) holds account {}, which is not one of its accounts; the file was altered, scan that shard again", info.index, a.id)));
        }
        let held: BTreeSet<&str> = inv.accounts.iter().map(|a| a.id.as_str()).collect();
        if let Some(a) = first.accounts.iter().find(|a| a.shard == info.index && !held.contains(a.id.as_str())) {
            return Err(err(format!("{path} (shard {}/{count}) lacks its account {}; the file was altered, scan that shard again", info.index, a.id)));
        }
    }

    // The merge. Shards in index order; each resource from its owner's shard when it has it.
    let scan_id = first.scan_id.clone();
    let mut merged = shards[0].2.clone();
    merged.shard = None;
    if let Some(org) = merged.organization.as_mut() {
        org.units = units;
    }
    merged.merged = Some(MergedShards { scan_id, count });
    merged.accounts = shards.iter().flat_map(|(_, _, inv)| inv.accounts.iter().cloned()).collect();
    merged.accounts.sort_by(|a, b| a.id.cmp(&b.id));
    merged.scan.started_at = shards.iter().map(|(_, _, i)| i.scan.started_at).min().unwrap();
    merged.scan.finished_at = shards.iter().map(|(_, _, i)| i.scan.finished_at).max().unwrap();
    let mut notes = Vec::new();
    for note in shards.iter().flat_map(|(_, _, i)| i.scan.notes.iter()) {
        if !notes.contains(note) {
            notes.push(note.clone());
        }
    }
    merged.scan.notes = notes;
    let shard_of_account = |id: &str| owner_shard.get(id).copied();

    merged.trails = pick(shards.iter().map(|(_, i, inv)| (i.index, &inv.trails)), |t| shard_of_account(&t.account_id));
    merged.keys = pick(shards.iter().map(|(_, i, inv)| (i.index, &inv.keys)), |k| shard_of_account(&k.account_id));
    merged.topics = pick(shards.iter().map(|(_, i, inv)| (i.index, &inv.topics)), |t| Arn::parse(&t.arn).and_then(|a| shard_of_account(a.account)));
    merged.log_groups = pick(shards.iter().map(|(_, i, inv)| (i.index, &inv.log_groups)), |g| shard_of_account(&g.account_id));
    merged.metric_alarms = pick(shards.iter().map(|(_, i, inv)| (i.index, &inv.metric_alarms)), |m| shard_of_account(&m.account_id));

    // Buckets: the owner is the account whose ListBuckets lists it (any shard's account).
    let bucket_owner = |name: &str| merged.accounts.iter().find(|a| a.owned_buckets.present().is_some_and(|b| b.iter().any(|n| n == name))).map(|a| a.id.clone());
    let owners: BTreeMap<String, String> = shards
        .iter()
        .flat_map(|(_, _, inv)| inv.buckets.keys())
        .filter_map(|name| bucket_owner(name).map(|owner| (name.clone(), owner)))
        .collect();
    let mut buckets = pick(shards.iter().map(|(_, i, inv)| (i.index, &inv.buckets)), |b| owners.get(&b.name).and_then(|o| shard_of_account(o)));
    for (name, bucket) in buckets.iter_mut() {
        let Some(owner) = owners.get(name) else { continue };
        let shard = shard_of_account(owner).unwrap_or(0);
        let read_by_owner = shards.iter().any(|(_, i, inv)| i.index == shard && inv.buckets.contains_key(name));
        if !read_by_owner {
            *bucket = not_read_by_owner(name, owner, shard, count);
        }
    }
    merged.buckets = buckets;
    Ok(merged)
}

/// Every key of every shard's map, the value from the owner's shard when it has one, else
/// from the lowest shard.
fn pick<'a, T: Clone + 'a>(maps: impl Iterator<Item = (u32, &'a BTreeMap<String, T>)>, owner: impl Fn(&T) -> Option<u32>) -> BTreeMap<String, T> {
    let mut out: BTreeMap<String, (u32, T)> = BTreeMap::new();
    for (shard, map) in maps {
        for (key, value) in map {
            let from_owner = owner(value) == Some(shard);
            match out.get(key) {
                Some((held, held_value)) if owner(held_value) == Some(*held) || !from_owner => {}
                _ => {
                    out.insert(key.clone(), (shard, value.clone()));
                }
            }
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

fn not_read_by_owner(name: &str, owner: &str, shard: u32, count: u32) -> Bucket {
    let reason = Unavailable::new(
        UnavailableKind::NotScanned,
        None,
        format!("bucket {name} is owned by account {owner} (shard {shard}/{count}), whose shard did not read it: no trail its accounts list delivers to it; scan without --shard to evaluate it"),
    );
    fn r<T>(reason: &Unavailable) -> Fact<T> {
        Fact::Unavailable(reason.clone())
    }
    Bucket {
        name: name.to_string(),
        owner: r(&reason),
        policy: r(&reason),
        policy_is_public: r(&reason),
        acl_grants: r(&reason),
        public_access_block: r(&reason),
        logging: r(&reason),
        versioning: r(&reason),
        object_lock: r(&reason),
        lifecycle_rules: r(&reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_is_a_stable_hash_of_the_account_id() {
        // Known ids → known shards: these values are part of the contract (a shard of one
        // release must own the same accounts as the same shard of the next).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let ids = ["111111111111", "222222222222", "123456789012", "000000000000", "999999999999"];
        let got: Vec<u32> = ids.iter().map(|id| shard_of(id, 3)).collect();
        assert_eq!(got, KNOWN_SHARDS_OF_3);
        for id in ids {
            assert_eq!(shard_of(id, 1), 1);
            assert!((1..=4).contains(&shard_of(id, 4)));
        }
    }

    /// Computed independently (Python) from the FNV-1a definition.
    const KNOWN_SHARDS_OF_3: [u32; 5] = [1, 1, 3, 2, 3];

    #[test]
    fn shard_flags_parse() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0", "-1/3"] {
            assert!(parse_shard(bad).unwrap_err().starts_with(&format!("--shard {bad}:")), "{bad}");
        }
    }
}
