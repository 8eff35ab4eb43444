//! Who may remove a grant: which principals KMS lets retire it, and who may revoke it.
//!
//! KMS's rules, read off the grant alone: a grant may be retired by its retiring principal, by
//! its grantee when the grant allows `RetireGrant`, and by the account that created it; it may be
//! revoked by any principal with `kms:RevokeGrant` on the key, which the grant does not say.
//! Nothing here checks IAM or asks AWS, and nothing here words a sentence: the detail view does.

use super::{Grant, Operation};

/// The principals that may retire a grant, as the grant names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retirers<'g> {
    /// The retiring principal (else the retiring service principal); `None` when the grant
    /// names nobody.
    pub retiring_principal: Option<&'g str>,
    /// The grantee (principal, else service principal), whether or not it may retire.
    pub grantee: Option<&'g str>,
    /// Whether the grant's operations include `RetireGrant`, which lets the grantee retire it.
    pub grantee_may_retire: bool,
    /// The account that created the grant, when the source lists it.
    pub issuing_account: Option<&'g str>,
}

impl<'g> Retirers<'g> {
    /// The retirers `grant` names.
    pub fn of(grant: &'g Grant) -> Self {
        Self {
            retiring_principal: grant.retiree(),
            grantee: grant.grantee(),
            grantee_may_retire: grant.operations.contains(&Operation::RetireGrant),
            issuing_account: grant.issuing_account.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(value: serde_json::Value) -> Grant {
        serde_json::from_value(value).expect("a grant")
    }

    #[test]
    fn the_grantee_retires_only_when_the_grant_allows_it() {
        let allowed = grant(json!({
            "KeyId": "k1",
            "GrantId": "g1",
            "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
            "Operations": ["Decrypt", "RetireGrant"],
            "IssuingAccount": "arn:aws:iam::111122223333:root",
        }));
        assert_eq!(
            Retirers::of(&allowed),
            Retirers {
                retiring_principal: None,
                grantee: Some("arn:aws:iam::111122223333:role/app"),
                grantee_may_retire: true,
                issuing_account: Some("arn:aws:iam::111122223333:root"),
            }
        );
        let service = grant(json!({
            "KeyId": "k1",
            "GrantId": "g2",
            "GranteeServicePrincipal": "dynamodb.amazonaws.com",
            "RetiringServicePrincipal": "dynamodb.amazonaws.com",
            "Operations": ["Decrypt"],
        }));
        assert_eq!(
            Retirers::of(&service),
            Retirers {
                retiring_principal: Some("dynamodb.amazonaws.com"),
                grantee: Some("dynamodb.amazonaws.com"),
                grantee_may_retire: false,
                issuing_account: None,
            }
        );
    }
}
