//! Which accounts to scan, a session for each, and the few account-wide facts:
//! enabled regions, the trails the account lists, account-level Block Public Access,
//! and the buckets the account owns (how a log bucket's owner is found). In an organization
//! scan, also the organization's OU tree (for the per-OU views of the report): it is only
//! recorded, never used to choose which accounts are scanned, and a tree that could not be
//! read whole is recorded as unavailable, never as the part that was read.

use std::collections::BTreeMap;

use futures::StreamExt;

use super::CollectOptions;
use super::progress::Progress;
use super::read::{Limit, fact};
use super::CollectError;
use crate::aws::{Session, describe_error, unavailable};
use crate::inventory::{Account, AccountAccess, Caller, Fact, Organization, OrganizationalUnit, PublicAccessBlock, Trail, TrailRef};
#[cfg(feature = "ec2-region-fallback")]
use crate::model::region_partition;
use crate::model::{Partition, Unavailable, UnavailableKind};

/// `--accounts` / `--exclude-accounts`.
#[derive(Debug, Clone, Default)]
pub struct AccountSelection {
    pub only: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub name: Option<String>,
}

/// The organization (when the caller may see it) and the accounts to scan.
pub async fn enumerate(base: &Session, caller: &Caller, options: &CollectOptions, notes: &mut Vec<String>) -> Result<(Option<Organization>, Vec<Target>), CollectError> {
    let org_client = base.organizations();
    let described = org_client.describe_organization().send().await;

    if !options.organization {
        // One account (or an explicit --accounts list). The organization, when visible, tells
        // which organization trails apply; not being able to see it is not an error.
        let organization = described.ok().and_then(|o| o.organization().map(to_organization));
        let ids = if options.selection.only.is_empty() { vec![caller.account_id.clone()] } else { options.selection.only.clone() };
        let targets = ids.into_iter().filter(|id| !options.selection.exclude.contains(id)).map(|id| Target { id, name: None }).collect();
        return Ok((organization, targets));
    }

    let organization = match described {
        Ok(output) => output
            .organization()
            .map(to_organization)
            .ok_or_else(|| CollectError::Organization("organizations:DescribeOrganization answered without an organization".into()))?,
        Err(e) => {
            return Err(CollectError::Organization(format!(
                "--org: cannot read the organization ({}); run from the management account or a delegated administrator, or drop --org to scan one account",
                describe_error("organizations:DescribeOrganization", &e)
            )));
        }
    };

    let mut pages = org_client.list_accounts().into_paginator().send();
    let mut targets = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            CollectError::Organization(format!(
                "--org: cannot list the organization's accounts ({}); the caller needs organizations:ListAccounts",
                describe_error("organizations:ListAccounts", &e)
            ))
        })?;
        for account in page.accounts() {
            let active = match (account.state(), account.status()) {
                (Some(state), _) => state.as_str() == "ACTIVE",
                (None, Some(status)) => status.as_str() == "ACTIVE",
                (None, None) => true,
            };
            let Some(id) = account.id() else { continue };
            if !active {
                notes.push(format!("account {id} is not ACTIVE; not scanned"));
                continue;
            }
            targets.push(Target { id: id.to_string(), name: account.name().map(str::to_string) });
        }
    }
    for wanted in &options.selection.only {
        if !targets.iter().any(|t| &t.id == wanted) {
            notes.push(format!("--accounts {wanted}: not an ACTIVE account of organization {}; skipped", organization.id));
        }
    }
    for excluded in targets.iter().filter(|t| options.selection.exclude.contains(&t.id)) {
        notes.push(format!("account {} excluded (--exclude-accounts)", excluded.id));
    }
    targets.retain(|t| (options.selection.only.is_empty() || options.selection.only.contains(&t.id)) && !options.selection.exclude.contains(&t.id));
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((Some(organization), targets))
}

/// The OU tree: `ListRoots`, then breadth first from each root `ListOrganizationalUnitsForParent`
/// and `ListAccountsForParent` (every page): 1 + 2 × (OUs + roots) calls, however many
/// accounts each OU holds. Any failure makes the whole tree Unavailable (naming the action):
/// a tree with a branch missing would score accounts under the wrong OU.
pub async fn organization_units(client: &aws_sdk_organizations::Client) -> Fact<Vec<OrganizationalUnit>> {
    let mut units = Vec::new();
    let mut pages = client.list_roots().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => return Fact::Unavailable(unavailable("organizations:ListRoots", &e)),
        };
        for root in page.roots() {
            let Some(id) = root.id() else { continue };
            units.push(OrganizationalUnit { id: id.to_string(), name: root.name().unwrap_or("Root").to_string(), parent_id: None, accounts: Vec::new() });
        }
    }
    let mut next = 0;
    while next < units.len() {
        let parent = units[next].id.clone();
        let (children, accounts) = tokio::join!(child_units(client, &parent), accounts_for_parent(client, &parent));
        let (children, accounts) = match (children, accounts) {
            (Ok(c), Ok(a)) => (c, a),
            (Err(reason), _) | (_, Err(reason)) => return Fact::Unavailable(reason),
        };
        units[next].accounts = accounts;
        units.extend(children);
        next += 1;
    }
    Fact::Present(units)
}

async fn child_units(client: &aws_sdk_organizations::Client, parent: &str) -> Result<Vec<OrganizationalUnit>, Unavailable> {
    let mut pages = client.list_organizational_units_for_parent().parent_id(parent).into_paginator().send();
    let mut children = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unavailable("organizations:ListOrganizationalUnitsForParent", &e))?;
        for ou in page.organizational_units() {
            let Some(id) = ou.id() else { continue };
            children.push(OrganizationalUnit { id: id.to_string(), name: ou.name().unwrap_or_default().to_string(), parent_id: Some(parent.to_string()), accounts: Vec::new() });
        }
    }
    children.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(children)
}

async fn accounts_for_parent(client: &aws_sdk_organizations::Client, parent: &str) -> Result<Vec<String>, Unavailable> {
    let mut pages = client.list_accounts_for_parent().parent_id(parent).into_paginator().send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unavailable("organizations:ListAccountsForParent", &e))?;
        ids.extend(page.accounts().iter().filter_map(|a| a.id().map(str::to_string)));
    }
    ids.sort();
    Ok(ids)
}

fn to_organization(org: &aws_sdk_organizations::types::Organization) -> Organization {
    Organization {
        id: org.id().unwrap_or_default().to_string(),
        management_account_id: org.master_account_id().unwrap_or_default().to_string(),
        units: None,
    }
}

/// One account's unit of work: its facts, its session (when it could be entered) and the
/// trails it owns.
pub type AccountHarvest = (Account, Option<Session>, BTreeMap<String, Trail>);

/// Read every target account concurrently (bounded: one permit per account in flight).
/// Each account is entered, its account-wide facts read, and its own trails read with its own
/// session, in one unit of work; what spans accounts comes after (see `collect`).
pub async fn collect_accounts(
    base: &Session,
    caller: &Caller,
    targets: &[Target],
    options: &CollectOptions,
    limit: &Limit,
    progress: &Progress,
    mut on_done: impl FnMut(&Account, &BTreeMap<String, Trail>),
) -> Vec<AccountHarvest> {
    let partition = Partition::of_arn(&caller.arn);
    let total = targets.len();
    let mut done = 0;
    let mut results: Vec<AccountHarvest> = Vec::with_capacity(total);
    let mut stream = futures::stream::iter(targets.iter().cloned())
        .map(|target| {
            let partition = partition.clone();
            async move { limit.run(collect_account(base, caller, &partition, target, options)).await }
        })
        .buffer_unordered(options.concurrency.max(1));
    while let Some(result) = stream.next().await {
        done += 1;
        progress.update("accounts", done, total);
        on_done(&result.0, &result.2);
        results.push(result);
    }
    results.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    results
}

/// A session for the account: the caller's own, or the role assumed in it; and how.
pub async fn enter(base: &Session, caller: &Caller, partition: &Partition, id: &str, options: &CollectOptions) -> Result<(Session, String), Unavailable> {
    if id == caller.account_id {
        Ok((base.clone(), "caller".to_string()))
    } else {
        let role_arn = partition.role_arn(id, &options.role_name);
        base.assume_role(id, &role_arn, options.external_id.as_deref())
            .await
            .map(|s| (s, role_arn.clone()))
            .map_err(|reason| reason.context(&format!("cannot assume role {role_arn}: ")))
    }
}

async fn collect_account(base: &Session, caller: &Caller, partition: &Partition, target: Target, options: &CollectOptions) -> AccountHarvest {
    let session = enter(base, caller, partition, &target.id, options).await;
    let (session, via) = match session {
        Ok(pair) => pair,
        Err(reason) => {
            let account = Account {
                id: target.id,
                name: target.name,
                regions: Fact::Unavailable(reason.with_kind(UnavailableKind::NotScanned)),
                listed_trails: Fact::Unavailable(reason.with_kind(UnavailableKind::NotScanned)),
                public_access_block: Fact::Unavailable(reason.with_kind(UnavailableKind::NotScanned)),
                owned_buckets: Fact::Unavailable(reason.with_kind(UnavailableKind::NotScanned)),
                access: Fact::Unavailable(reason),
            };
            return (account, None, BTreeMap::new());
        }
    };

    let (regions, listed, public_access_block, owned_buckets) = tokio::join!(
        enabled_regions(&session, partition, options.regions.as_ref()),
        list_trails(&session),
        account_public_access_block(&session),
        owned_buckets(&session),
    );
    let account = Account {
        id: target.id,
        name: target.name,
        access: Fact::Present(AccountAccess { via }),
        regions,
        listed_trails: listed,
        public_access_block,
        owned_buckets,
    };
    let trails = super::trails::own_trails(&account, &session).await;
    (account, Some(session), trails)
}

/// The regions enabled in the account: account:ListRegions (the API made for it), falling
/// back to ec2:DescribeRegions (enabled regions only) where the Account API is not answered —
/// some partitions, emulators, or a policy that grants only the EC2 call.
async fn enabled_regions(session: &Session, partition: &Partition, requested: Option<&Vec<String>>) -> Fact<Vec<String>> {
    if let Some(regions) = requested {
        return Fact::Present(regions.clone());
    }
    match list_regions(session).await {
        Ok(regions) => Fact::Present(regions),
        Err(refused) => ec2_regions(session, partition, refused).await,
    }
}

#[cfg(feature = "ec2-region-fallback")]
async fn ec2_regions(session: &Session, partition: &Partition, account_refused: Unavailable) -> Fact<Vec<String>> {
    match session.ec2(&session.default_region()).describe_regions().all_regions(false).send().await {
        Ok(out) => {
            let mut regions: Vec<String> = out
                .regions()
                .iter()
                .filter(|r| r.opt_in_status().is_none_or(|s| s != "not-opted-in"))
                .filter(|r| r.region_name().is_some_and(|name| region_partition(name) == partition.as_str()))
                .filter_map(|r| r.region_name().map(str::to_string))
                .collect();
            regions.sort();
            Fact::Present(regions)
        }
        Err(e) => {
            let fallback = unavailable("ec2:DescribeRegions", &e);
            Fact::Unavailable(Unavailable::new(fallback.kind, Some("account:ListRegions"), format!("{account_refused}; fallback {}", fallback.message)))
        }
    }
}

/// Built without the EC2 fallback: the Account API's answer is the only source.
#[cfg(not(feature = "ec2-region-fallback"))]
async fn ec2_regions(_session: &Session, _partition: &Partition, account_refused: Unavailable) -> Fact<Vec<String>> {
    Fact::Unavailable(account_refused)
}

async fn list_regions(session: &Session) -> Result<Vec<String>, Unavailable> {
    use aws_sdk_account::types::RegionOptStatus;
    let mut pages = session
        .account()
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    let mut regions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unavailable("account:ListRegions", &e))?;
        regions.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_string)));
    }
    regions.sort();
    Ok(regions)
}

/// ListTrails once per account: AWS answers with every trail of the account, whatever its
/// home region, and the organization trails that apply to it.
pub async fn list_trails(session: &Session) -> Fact<Vec<TrailRef>> {
    let mut pages = session.cloudtrail(&session.default_region()).list_trails().into_paginator().send();
    let mut trails = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => trails.extend(page.trails().iter().filter_map(|t| {
                Some(TrailRef {
                    arn: t.trail_arn()?.to_string(),
                    name: t.name().unwrap_or_default().to_string(),
                    home_region: t.home_region().unwrap_or_default().to_string(),
                })
            })),
            Err(e) => return Fact::Unavailable(unavailable("cloudtrail:ListTrails", &e)),
        }
    }
    Fact::Present(trails)
}

async fn account_public_access_block(session: &Session) -> Fact<PublicAccessBlock> {
    let result = session.s3control().get_public_access_block().account_id(&session.account_id).send().await;
    fact("s3:GetAccountPublicAccessBlock", result, &["NoSuchPublicAccessBlockConfiguration"]).map(|out| {
        let c = out.public_access_block_configuration();
        PublicAccessBlock {
            block_public_acls: c.and_then(|c| c.block_public_acls()).unwrap_or(false),
            ignore_public_acls: c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
            block_public_policy: c.and_then(|c| c.block_public_policy()).unwrap_or(false),
            restrict_public_buckets: c.and_then(|c| c.restrict_public_buckets()).unwrap_or(false),
        }
    })
}

async fn owned_buckets(session: &Session) -> Fact<Vec<String>> {
    let mut pages = session.s3(&session.default_region()).list_buckets().into_paginator().send();
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => names.extend(page.buckets().iter().filter_map(|b| b.name().map(str::to_string))),
            Err(e) => return Fact::Unavailable(unavailable("s3:ListAllMyBuckets", &e)),
        }
    }
    names.sort();
    Fact::Present(names)
}

