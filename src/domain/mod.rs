//! The domain model: KMS keys, aliases and grants as plain data.
//!
//! Field names follow the AWS API shapes (`KeyMetadata`, `GrantListEntry`, …) so the output of
//! `aws kms describe-key`, `list-aliases` and `list-grants` deserializes straight into these types.
//! Nothing here does IO, reads the clock or knows about the terminal.

pub mod display;
pub mod findings;
mod operation;
pub mod removal;
pub mod shared;
mod time;

pub use self::operation::Operation;
pub use self::shared::SharedStr;
pub use self::time::Timestamp;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The lifecycle state of a KMS key. Unknown states (AWS adds some) are kept by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyState {
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,
    PendingReplicaDeletion,
    Unavailable,
    Updating,
    Other(String),
}

impl KeyState {
    /// The API name of the state.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Creating => "Creating",
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::PendingDeletion => "PendingDeletion",
            Self::PendingImport => "PendingImport",
            Self::PendingReplicaDeletion => "PendingReplicaDeletion",
            Self::Unavailable => "Unavailable",
            Self::Updating => "Updating",
            Self::Other(name) => name,
        }
    }

    /// Parses an API name; unknown names are kept.
    pub fn from_name(name: &str) -> Self {
        match name {
            "Creating" => Self::Creating,
            "Enabled" => Self::Enabled,
            "Disabled" => Self::Disabled,
            "PendingDeletion" => Self::PendingDeletion,
            "PendingImport" => Self::PendingImport,
            "PendingReplicaDeletion" => Self::PendingReplicaDeletion,
            "Unavailable" => Self::Unavailable,
            "Updating" => Self::Updating,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether grants on a key in this state can be used for cryptographic operations.
    pub fn is_usable(&self) -> bool {
        matches!(self, Self::Enabled)
    }
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for KeyState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for KeyState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from_name(&name))
    }
}

/// The `KeyMetadata` of `DescribeKey`. Fields this tool does not use are ignored on input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    pub key_id: String,
    pub arn: String,
    #[serde(
        rename = "AWSAccountId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub aws_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    #[serde(default = "default_key_state")]
    pub key_state: KeyState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region: Option<bool>,
}

fn default_key_state() -> KeyState {
    KeyState::Enabled
}

impl KeyMetadata {
    /// Metadata that only knows the id and ARN (what ListKeys returns), until DescribeKey answers.
    pub fn unknown(key_id: String, arn: String) -> Self {
        Self {
            key_id,
            arn,
            aws_account_id: None,
            creation_date: None,
            enabled: None,
            description: None,
            key_usage: None,
            key_state: KeyState::Other("Unknown".to_owned()),
            deletion_date: None,
            origin: None,
            key_manager: None,
            key_spec: None,
            multi_region: None,
        }
    }

    /// Whether AWS manages this key (`KeyManager` = `AWS`).
    pub fn is_aws_managed(&self) -> bool {
        self.key_manager.as_deref() == Some("AWS")
    }

    /// The account that owns the key: `AWSAccountId`, else the account field of the ARN.
    pub fn account(&self) -> Option<&str> {
        self.aws_account_id
            .as_deref()
            .or_else(|| arn_account(&self.arn))
    }
}

/// An entry of `ListAliases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    pub alias_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_key_id: Option<String>,
}

/// A key with its aliases.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub metadata: KeyMetadata,
    pub aliases: Vec<Alias>,
    /// Whether `metadata` is complete (DescribeKey answered), or only the id and ARN that
    /// ListKeys gives.
    pub described: bool,
}

impl Key {
    /// The key id (a UUID, or `mrk-…` for multi-Region keys).
    pub fn id(&self) -> &str {
        &self.metadata.key_id
    }

    /// The first alias name, if any (`alias/payments`).
    pub fn primary_alias(&self) -> Option<&str> {
        self.aliases.first().map(|a| a.alias_name.as_str())
    }

    /// The aliases joined for display: `alias/a, alias/b`.
    pub fn alias_list(&self) -> String {
        let names: Vec<&str> = self.aliases.iter().map(|a| a.alias_name.as_str()).collect();
        names.join(", ")
    }

    /// The name a person recognises: the first alias, else the key id.
    pub fn label(&self) -> &str {
        self.primary_alias().unwrap_or(&self.metadata.key_id)
    }
}

/// Grant constraints: encryption context conditions. Newer constraint fields are kept as-is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Constraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
    /// Constraint fields newer than this build, kept so they can be shown and recreated.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Constraints {
    /// Whether no constraint is set.
    pub fn is_empty(&self) -> bool {
        self.encryption_context_subset.is_none()
            && self.encryption_context_equals.is_none()
            && self.other.is_empty()
    }

    /// A one-line summary: `⊆{Dept=IT}`, `={a=b,c=d}`; empty when there are none.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(map) = &self.encryption_context_equals {
            parts.push(format!("={{{}}}", join_map(map)));
        }
        if let Some(map) = &self.encryption_context_subset {
            parts.push(format!("⊆{{{}}}", join_map(map)));
        }
        for name in self.other.keys() {
            parts.push(name.clone());
        }
        parts.join(" ")
    }
}

fn join_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(",")
}

/// A grant, with every field of a `ListGrants` entry. Every principal field is optional: a grant
/// made for an AWS service may carry a service principal instead of `GranteePrincipal`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grant {
    pub key_id: SharedStr,
    #[serde(deserialize_with = "SharedStr::unique")]
    pub grant_id: SharedStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<SharedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_principal: Option<SharedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_service_principal: Option<SharedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<SharedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_service_principal: Option<SharedStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_account: Option<SharedStr>,
    /// Shared: most grants carry one of a few operation lists.
    #[serde(
        default = "no_operations",
        deserialize_with = "shared::deserialize_operations"
    )]
    pub operations: Arc<[Operation]>,
    /// Boxed and shared: most grants have none, and a clone should not copy the maps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Arc<Constraints>>,
}

fn no_operations() -> Arc<[Operation]> {
    Arc::from(Vec::new())
}

impl Grant {
    /// The key id (never the ARN) and the grant id: how the app names a grant in its marks,
    /// pending deletes and writes in flight.
    pub fn id_pair(&self) -> (String, String) {
        (
            key_id_of(&self.key_id).to_owned(),
            self.grant_id.to_string(),
        )
    }

    /// Who holds the grant: the grantee principal, else the service principal.
    pub fn grantee(&self) -> Option<&str> {
        self.grantee_principal
            .as_deref()
            .or(self.grantee_service_principal.as_deref())
    }

    /// Who may retire it: the retiring principal, else the retiring service principal.
    pub fn retiree(&self) -> Option<&str> {
        self.retiring_principal
            .as_deref()
            .or(self.retiring_service_principal.as_deref())
    }

    /// The operations in compact form for a table cell: `Decrypt GenDK ReEncFrom`.
    pub fn operations_compact(&self) -> String {
        let names: Vec<&str> = self.operations.iter().map(Operation::short_name).collect();
        names.join(" ")
    }

    /// The operations by their API names: `Decrypt, GenerateDataKey`.
    pub fn operations_full(&self) -> String {
        let names: Vec<&str> = self.operations.iter().map(Operation::as_str).collect();
        names.join(", ")
    }

    /// The constraints summary (empty when there are none).
    pub fn constraints_summary(&self) -> String {
        self.constraints
            .as_deref()
            .map(Constraints::summary)
            .unwrap_or_default()
    }
}

/// The account id inside an ARN (`arn:aws:kms:us-east-2:111122223333:key/…` → `111122223333`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let account = parts.nth(3)?;
    (!account.is_empty()).then_some(account)
}

/// The key id at the end of a key ARN, or the input when it is already an id.
pub fn key_id_of(key_id_or_arn: &str) -> &str {
    // Most callers pass a key id: one byte search settles those.
    if !key_id_or_arn.contains(':') {
        return key_id_or_arn;
    }
    match key_id_or_arn.rsplit_once(":key/") {
        Some((_, id)) => id,
        None => key_id_or_arn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_parses_from_list_grants_output() {
        let json = r#"{
            "KeyId": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "GrantId": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
            "Name": "",
            "CreationDate": 1572216195.0,
            "GranteePrincipal": "arn:aws:sts::111122223333:assumed-role/AdminRole/e",
            "RetiringPrincipal": "arn:aws:iam::111122223333:role/adminRole",
            "IssuingAccount": "arn:aws:iam::111122223333:root",
            "Operations": ["Encrypt", "ReEncryptFrom", "FutureOp"],
            "Constraints": {"EncryptionContextSubset": {"Department": "IT"}, "NewThing": {"a": 1}},
            "SomethingNew": true
        }"#;
        let grant: Grant = serde_json::from_str(json).unwrap();
        assert_eq!(grant.operations[2], Operation::Other("FutureOp".into()));
        assert_eq!(grant.operations_compact(), "Encrypt ReEncFrom FutureOp");
        let constraints = grant.constraints.as_ref().unwrap();
        assert_eq!(constraints.summary(), "⊆{Department=IT} NewThing");
        assert_eq!(grant.creation_date.unwrap().date(), "2019-10-27");
        // A round trip keeps the newer constraint field.
        let again: Grant = serde_json::from_str(&serde_json::to_string(&grant).unwrap()).unwrap();
        assert_eq!(again, grant);
    }

    #[test]
    fn service_grant_has_no_grantee_principal() {
        let json = r#"{"KeyId": "k", "GrantId": "g", "GranteeServicePrincipal": "dynamodb.us-west-2.amazonaws.com", "Operations": ["Decrypt"]}"#;
        let grant: Grant = serde_json::from_str(json).unwrap();
        assert_eq!(grant.grantee(), Some("dynamodb.us-west-2.amazonaws.com"));
        assert_eq!(grant.retiree(), None);
    }

    #[test]
    fn arn_parts() {
        assert_eq!(
            arn_account("arn:aws:kms:us-east-2:111122223333:key/abc"),
            Some("111122223333")
        );
        assert_eq!(
            arn_account("arn:aws:iam::444455556666:role/x"),
            Some("444455556666")
        );
        assert_eq!(arn_account("AROAEXAMPLE"), None);
        assert_eq!(
            key_id_of("arn:aws:kms:us-east-2:111122223333:key/abc"),
            "abc"
        );
        assert_eq!(key_id_of("abc"), "abc");
    }

    #[test]
    fn unknown_key_state_is_kept() {
        let state: KeyState = serde_json::from_str("\"Hibernating\"").unwrap();
        assert_eq!(state, KeyState::Other("Hibernating".into()));
        assert!(!state.is_usable());
        assert_eq!(serde_json::to_string(&state).unwrap(), "\"Hibernating\"");
    }
}
