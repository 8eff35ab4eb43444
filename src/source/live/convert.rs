//! SDK types as domain types, and back: a `GrantListEntry` as a [`Grant`], an `AliasListEntry`
//! as an [`Alias`], the SDK's `KeyMetadata` as ours, and a grant's constraints as the
//! `GrantConstraints` a CreateGrant sends.
//!
//! Pure functions, no calls and no errors: a field KMS leaves out stays `None` (moto, for one,
//! sends no `CreationDate` on grants), and an operation or key state this build does not know
//! is kept by name.

use crate::domain::shared::{intern, intern_operations};
use crate::domain::{
    Alias, Constraints, Grant, KeyMetadata, KeyState, Operation, SharedStr, Timestamp,
};
use aws_smithy_types::DateTime;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

fn timestamp(date: &DateTime) -> Option<Timestamp> {
    let millis = date
        .secs()
        .checked_mul(1000)?
        .checked_add(i64::from(date.subsec_nanos() / 1_000_000))?;
    Some(Timestamp::from_millis(millis))
}

fn to_map(map: &HashMap<String, String>) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A `GrantListEntry` as a domain grant; `key_id` fills in when the entry has none.
pub(super) fn grant_from(entry: &aws_sdk_kms::types::GrantListEntry, key_id: &str) -> Grant {
    let constraints = entry.constraints().map(|c| Constraints {
        encryption_context_subset: c.encryption_context_subset().map(to_map),
        encryption_context_equals: c.encryption_context_equals().map(to_map),
        other: BTreeMap::new(),
    });
    Grant {
        key_id: intern(entry.key_id().unwrap_or(key_id)),
        grant_id: entry.grant_id().unwrap_or_default().into(),
        name: entry.name().filter(|n| !n.is_empty()).map(SharedStr::from),
        creation_date: entry.creation_date().and_then(timestamp),
        grantee_principal: entry.grantee_principal().map(intern),
        grantee_service_principal: entry.grantee_service_principal().map(intern),
        retiring_principal: entry.retiring_principal().map(intern),
        retiring_service_principal: entry.retiring_service_principal().map(intern),
        issuing_account: entry.issuing_account().map(intern),
        operations: intern_operations(
            entry
                .operations()
                .iter()
                .map(|op| Operation::from_name(op.as_str()))
                .collect(),
        ),
        constraints: constraints.filter(|c| !c.is_empty()).map(Arc::new),
    }
}

pub(super) fn metadata_from(meta: &aws_sdk_kms::types::KeyMetadata) -> KeyMetadata {
    KeyMetadata {
        key_id: meta.key_id().to_owned(),
        arn: meta.arn().unwrap_or_default().to_owned(),
        aws_account_id: meta.aws_account_id().map(str::to_owned),
        creation_date: meta.creation_date().and_then(timestamp),
        enabled: Some(meta.enabled()),
        description: meta
            .description()
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        key_usage: meta.key_usage().map(|u| u.as_str().to_owned()),
        key_state: meta
            .key_state()
            .map(|s| KeyState::from_name(s.as_str()))
            .unwrap_or(KeyState::Other("Unknown".to_owned())),
        deletion_date: meta.deletion_date().and_then(timestamp),
        origin: meta.origin().map(|o| o.as_str().to_owned()),
        key_manager: meta.key_manager().map(|m| m.as_str().to_owned()),
        key_spec: meta.key_spec().map(|s| s.as_str().to_owned()),
        multi_region: meta.multi_region(),
    }
}

/// An `AliasListEntry` as a domain alias, or `None` for an entry without a name.
pub(super) fn alias_from(entry: &aws_sdk_kms::types::AliasListEntry) -> Option<Alias> {
    Some(Alias {
        alias_name: entry.alias_name()?.to_owned(),
        alias_arn: entry.alias_arn().map(str::to_owned),
        target_key_id: entry.target_key_id().map(str::to_owned),
    })
}

/// A grant's constraints as CreateGrant sends them; `None` when it has none.
pub(super) fn constraints_to_sdk(grant: &Grant) -> Option<aws_sdk_kms::types::GrantConstraints> {
    grant
        .constraints
        .as_ref()
        .filter(|c| !c.is_empty())
        .map(|c| {
            aws_sdk_kms::types::GrantConstraints::builder()
                .set_encryption_context_subset(
                    c.encryption_context_subset
                        .as_ref()
                        .map(|m| m.clone().into_iter().collect()),
                )
                .set_encryption_context_equals(
                    c.encryption_context_equals
                        .as_ref()
                        .map(|m| m.clone().into_iter().collect()),
                )
                .build()
        })
}
