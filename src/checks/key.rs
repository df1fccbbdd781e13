//! CT4xx — the KMS keys that encrypt trail logs, each evaluated once.

use serde_json::json;

use super::*;
use crate::inventory::Key;

fn key_check(ctx: &Context, code: &str, judge: impl Fn(&Key) -> (Status, String, serde_json::Value)) -> Vec<Outcome> {
    ctx.inventory
        .keys
        .values()
        .map(|key| {
            let (status, message, mut evidence) = judge(key);
            let trails: Vec<&str> = ctx
                .inventory
                .trails
                .values()
                .filter(|t| t.config.present().and_then(|c| c.kms_key_id.as_deref()) == Some(key.reference.as_str()))
                .map(|t| t.arn.as_str())
                .collect();
            evidence["trails"] = json!(trails);
            evidence["key_reference"] = json!(key.reference);
            let resource = key.metadata.present().map(|m| m.arn.as_str()).unwrap_or(&key.reference);
            outcome(code, status, &key.account_id, Some(&key.region), resource, message, evidence)
        })
        .chain(unknown_trail_resources(ctx, code, "KMS key"))
        .collect()
}

pub fn ct401_kms_key_rotation_disabled(ctx: &Context) -> Vec<Outcome> {
    key_check(ctx, ctx.code, |key| {
        let metadata = match &key.metadata {
            Fact::Present(m) => m,
            Fact::Absent => return (Status::NotApplicable, "the key does not exist (see CT402)".into(), json!({"key_exists": false})),
            Fact::Unavailable(r) => return (Status::Error, format!("the key could not be described: {r}"), json!({"metadata": r})),
        };
        if metadata.key_state == "PendingDeletion" || metadata.key_state == "PendingReplicaDeletion" {
            return (Status::NotApplicable, format!("the key is {} (see CT402)", metadata.key_state), json!({"metadata": metadata}));
        }
        match &key.rotation_enabled {
            Fact::Present(true) => (Status::Pass, "automatic key rotation is enabled".into(), json!({"metadata": metadata, "rotation_enabled": true})),
            Fact::Present(false) => (Status::Fail, "automatic key rotation is disabled".into(), json!({"metadata": metadata, "rotation_enabled": false})),
            Fact::Absent => (Status::Error, "rotation status was not returned".into(), json!({"metadata": metadata})),
            Fact::Unavailable(r) => (Status::Error, format!("rotation status could not be read: {r}"), json!({"metadata": metadata, "rotation_enabled": r})),
        }
    })
}

pub fn ct402_kms_key_unusable(ctx: &Context) -> Vec<Outcome> {
    key_check(ctx, ctx.code, |key| match &key.metadata {
        Fact::Present(m) if m.key_state == "Enabled" => (Status::Pass, "the key exists and is enabled".into(), json!({"metadata": m})),
        Fact::Present(m) => (Status::Fail, format!("the key is {}: CloudTrail cannot encrypt log files with it, so delivery fails", m.key_state), json!({"metadata": m})),
        Fact::Absent => (Status::Fail, format!("the key {} does not exist: CloudTrail cannot deliver log files", key.reference), json!({"key_exists": false})),
        Fact::Unavailable(r) => (Status::Error, format!("the key could not be described: {r}"), json!({"metadata": r})),
    })
}
