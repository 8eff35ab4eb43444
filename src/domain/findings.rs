//! Stale-grant findings: why a grant may not need to exist any more (KMS itself flags none).
//!
//! Pure functions over a key's grants. Each finding has a kind ([`FindingKind`]: a short code
//! for the table, the filter and exports, and a [`Severity`]) and a sentence for the detail
//! view. Nothing here decides anything: a finding is a reason to look.

use super::{Grant, KeyState, Operation, Timestamp, arn_account};
use crate::domain::SharedStr;
use std::collections::HashMap;
use std::fmt;

/// One reason a grant may be stale or risky.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Older than the configured number of days.
    Old { days: i64 },
    /// An unnamed grant with the same grantee, retiring principal, operations and constraints
    /// as an older grant on the same key: what CreateGrant retries without `Name` leave behind.
    /// `by_date` is false when the server gave no creation dates (then "older" is list order).
    Duplicate { of: SharedStr, by_date: bool },
    /// A principal shown as a unique id (`AROA…`, `AIDA…`): its IAM role or user was deleted.
    Orphan { principal: SharedStr },
    /// The key is disabled or pending deletion, so the grant cannot be used.
    UnusableKey { state: String },
    /// The grantee is in another account than the key.
    CrossAccount { account: String },
    /// The grant allows CreateGrant: its grantee can hand the key on.
    Delegates,
    /// No retiring principal: only key administrators (RevokeGrant) can clean it up.
    NoRetiree,
    /// Created for an AWS service: deleting it can break that service.
    Service { principal: SharedStr },
}

/// What kind of finding it is: its code, the same on screen, in the filter and in exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    Old,
    Duplicate,
    Orphan,
    UnusableKey,
    CrossAccount,
    Delegates,
    NoRetiree,
    Service,
}

/// How much a finding matters when deciding whether to delete a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// A reason to look (shown plain).
    Note,
    /// Deleting the grant may break something that works (shown as a warning).
    Caution,
}

impl FindingKind {
    /// Every kind, in the order the table shows them (and `f` cycles through them).
    pub const ALL: [Self; 8] = [
        Self::Old,
        Self::Duplicate,
        Self::Orphan,
        Self::UnusableKey,
        Self::CrossAccount,
        Self::Delegates,
        Self::NoRetiree,
        Self::Service,
    ];

    /// The short code shown in tables and exports and matched by the filter.
    pub fn code(self) -> &'static str {
        match self {
            Self::Old => "old",
            Self::Duplicate => "duplicate",
            Self::Orphan => "orphan",
            Self::UnusableKey => "unusable-key",
            Self::CrossAccount => "cross-account",
            Self::Delegates => "delegates",
            Self::NoRetiree => "no-retiree",
            Self::Service => "service",
        }
    }

    /// How much it matters.
    pub fn level(self) -> Severity {
        match self {
            Self::Service => Severity::Caution,
            _ => Severity::Note,
        }
    }

    /// The kind after this one in [`FindingKind::ALL`], if any.
    pub fn next(self) -> Option<Self> {
        let i = Self::ALL.iter().position(|k| *k == self)?;
        Self::ALL.get(i + 1).copied()
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Finding {
    /// What kind of finding it is.
    pub fn kind(&self) -> FindingKind {
        match self {
            Self::Old { .. } => FindingKind::Old,
            Self::Duplicate { .. } => FindingKind::Duplicate,
            Self::Orphan { .. } => FindingKind::Orphan,
            Self::UnusableKey { .. } => FindingKind::UnusableKey,
            Self::CrossAccount { .. } => FindingKind::CrossAccount,
            Self::Delegates => FindingKind::Delegates,
            Self::NoRetiree => FindingKind::NoRetiree,
            Self::Service { .. } => FindingKind::Service,
        }
    }

    /// The short code shown in tables and exports: its kind's.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// Whether deleting the grant may break something that works (shown as a warning).
    pub fn is_caution(&self) -> bool {
        self.kind().level() == Severity::Caution
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Old { days } => write!(f, "created {days} days ago; grants never expire"),
            Self::Duplicate { of, by_date } => write!(
                f,
                "duplicates {} {of} (same grantee, retiring principal, operations and constraints, and no name): a CreateGrant retry without Name leaves these",
                if *by_date {
                    "the older grant"
                } else {
                    "the grant listed first (no creation dates to tell which is older)"
                }
            ),
            Self::Orphan { principal } => write!(
                f,
                "{principal} is a unique id, not an ARN: the IAM role or user it named was deleted"
            ),
            Self::UnusableKey { state } => {
                write!(f, "the key is {state}, so this grant cannot be used")
            }
            Self::CrossAccount { account } => {
                write!(
                    f,
                    "the grantee is in account {account}, not the key's account"
                )
            }
            Self::Delegates => write!(
                f,
                "allows CreateGrant: the grantee can give others access to this key"
            ),
            Self::NoRetiree => write!(
                f,
                "has no retiring principal: only a key administrator (kms:RevokeGrant) can remove it"
            ),
            Self::Service { principal } => write!(
                f,
                "created for an AWS service ({principal}): deleting it can break that service"
            ),
        }
    }
}

/// What the rules need to know about the key and the moment.
#[derive(Debug, Clone, Copy)]
pub struct FindingContext<'a> {
    pub now: Timestamp,
    pub stale_after_days: u32,
    /// The key's state, when known.
    pub key_state: Option<&'a KeyState>,
    /// The account that owns the key, when known.
    pub key_account: Option<&'a str>,
}

/// The findings of every grant of one key, index for index.
pub fn findings_for_key(grants: &[Grant], ctx: FindingContext<'_>) -> Vec<Vec<Finding>> {
    let duplicates = duplicate_of(grants);
    grants
        .iter()
        .zip(duplicates)
        .map(|(grant, duplicate)| findings_for_grant(grant, duplicate, ctx))
        .collect()
}

/// The findings of one grant; `duplicate_of` comes from [`findings_for_key`].
pub fn findings_for_grant(
    grant: &Grant,
    duplicate_of: Option<SharedStr>,
    ctx: FindingContext<'_>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(created) = grant.creation_date {
        let days = created.days_until(ctx.now);
        if days > i64::from(ctx.stale_after_days) {
            out.push(Finding::Old { days });
        }
    }
    if let Some(of) = duplicate_of {
        out.push(Finding::Duplicate {
            of,
            by_date: grant.creation_date.is_some(),
        });
    }
    for principal in [&grant.grantee_principal, &grant.retiring_principal]
        .into_iter()
        .flatten()
    {
        if is_unique_id(principal) {
            out.push(Finding::Orphan {
                principal: principal.clone(),
            });
            break;
        }
    }
    if let Some(state) = ctx.key_state
        && matches!(
            state,
            KeyState::Disabled | KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        )
    {
        out.push(Finding::UnusableKey {
            state: state.to_string(),
        });
    }
    let key_account = ctx.key_account.or_else(|| arn_account(&grant.key_id));
    if let (Some(grantee), Some(key_account)) = (grant.grantee_principal.as_deref(), key_account)
        && let Some(account) = arn_account(grantee)
        && account != key_account
    {
        out.push(Finding::CrossAccount {
            account: account.to_owned(),
        });
    }
    if grant.operations.contains(&Operation::CreateGrant) {
        out.push(Finding::Delegates);
    }
    if grant.retiring_principal.is_none() && grant.retiring_service_principal.is_none() {
        out.push(Finding::NoRetiree);
    }
    if let Some(service) = service_principal(grant) {
        out.push(Finding::Service { principal: service });
    }
    out
}

/// For each grant, the id of the oldest grant it duplicates (`None` for originals).
fn duplicate_of(grants: &[Grant]) -> Vec<Option<SharedStr>> {
    // Oldest first; grants without a date count as oldest, then by position, so the choice of
    // "original" is stable.
    let mut order: Vec<usize> = (0..grants.len()).collect();
    order.sort_by_key(|&i| (grants[i].creation_date.map(Timestamp::millis), i));
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut out = vec![None; grants.len()];
    for i in order {
        let signature = signature(&grants[i]);
        // A named grant is never a retry duplicate (KMS makes CreateGrant with a Name
        // idempotent); it can still be the original an unnamed retry duplicates.
        let named = grants[i].name.as_deref().is_some_and(|n| !n.is_empty());
        match first.get(&signature) {
            Some(&original) if !named => out[i] = Some(grants[original].grant_id.clone()),
            Some(_) => {}
            None => {
                first.insert(signature, i);
            }
        }
    }
    out
}

/// What makes two grants the same grant: grantee, retiring principal, the set of operations and
/// the constraints. The name is not part of it (a retry that named its grant would not have
/// duplicated it).
fn signature(grant: &Grant) -> String {
    let mut operations: Vec<&str> = grant.operations.iter().map(Operation::as_str).collect();
    operations.sort_unstable();
    operations.dedup();
    let constraints = grant
        .constraints
        .as_ref()
        .filter(|c| !c.is_empty())
        .map(|c| serde_json::to_string(c).unwrap_or_default())
        .unwrap_or_default();
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        grant.grantee().unwrap_or_default(),
        grant.retiree().unwrap_or_default(),
        operations.join(","),
        constraints
    )
}

/// `AROA…` (role), `AIDA…` (user) and the other IAM unique-id prefixes.
pub fn is_unique_id(principal: &str) -> bool {
    const PREFIXES: [&str; 5] = ["AROA", "AIDA", "AGPA", "ANPA", "ASIA"];
    principal.len() >= 16
        && PREFIXES.iter().any(|p| principal.starts_with(p))
        && principal
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The service a grant was made for, if any: a service principal, or a service role or
/// service session (`aws-service-role/…`, `AWSServiceRole…`, `assumed-role/aws:…`).
fn service_principal(grant: &Grant) -> Option<SharedStr> {
    if let Some(service) = &grant.grantee_service_principal {
        return Some(service.clone());
    }
    let grantee = grant.grantee_principal.as_ref()?;
    let is_service = grantee.ends_with(".amazonaws.com")
        || grantee.contains(":role/aws-service-role/")
        || grantee.contains(":assumed-role/aws:")
        || grantee.contains(":role/service-role/AWSServiceRole")
        || grantee
            .rsplit('/')
            .next()
            .is_some_and(|name| name.starts_with("AWSServiceRole"));
    is_service.then(|| grantee.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Constraints;
    use std::collections::BTreeMap;

    const KEY: &str = "arn:aws:kms:us-east-2:111122223333:key/k1";
    const NOW: Timestamp = Timestamp::from_secs(1_800_000_000);

    fn grant(id: &str, days_old: i64) -> Grant {
        Grant {
            key_id: KEY.to_owned().into(),
            grant_id: id.to_owned().into(),
            name: None,
            creation_date: Some(Timestamp::from_secs(1_800_000_000 - days_old * 86_400)),
            grantee_principal: Some("arn:aws:iam::111122223333:role/app".to_owned().into()),
            grantee_service_principal: None,
            retiring_principal: Some("arn:aws:iam::111122223333:role/admin".to_owned().into()),
            retiring_service_principal: None,
            issuing_account: Some("arn:aws:iam::111122223333:root".to_owned().into()),
            operations: vec![Operation::Decrypt, Operation::Encrypt].into(),
            constraints: None,
        }
    }

    fn ctx(state: &KeyState) -> FindingContext<'_> {
        FindingContext {
            now: NOW,
            stale_after_days: 90,
            key_state: Some(state),
            key_account: Some("111122223333"),
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(Finding::code).collect()
    }

    #[test]
    fn kinds_keep_their_codes_order_and_levels() {
        let codes: Vec<&str> = FindingKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(
            codes,
            [
                "old",
                "duplicate",
                "orphan",
                "unusable-key",
                "cross-account",
                "delegates",
                "no-retiree",
                "service"
            ]
        );
        assert_eq!(FindingKind::Old.next(), Some(FindingKind::Duplicate));
        assert_eq!(FindingKind::Service.next(), None);
        assert_eq!(FindingKind::Service.level(), Severity::Caution);
        assert_eq!(FindingKind::Orphan.level(), Severity::Note);
    }

    #[test]
    fn a_clean_grant_has_no_finding() {
        let enabled = KeyState::Enabled;
        assert!(findings_for_key(&[grant("g1", 10)], ctx(&enabled))[0].is_empty());
    }

    #[test]
    fn old_is_strictly_older_than_the_setting() {
        let enabled = KeyState::Enabled;
        let mut older = grant("b", 91);
        older.grantee_principal = Some("arn:aws:iam::111122223333:role/other".to_owned().into());
        let found = findings_for_key(&[grant("a", 90), older], ctx(&enabled));
        assert!(found[0].is_empty());
        assert_eq!(found[1], vec![Finding::Old { days: 91 }]);
        assert_eq!(
            found[1][0].to_string(),
            "created 91 days ago; grants never expire"
        );
    }

    #[test]
    fn retries_duplicate_the_oldest_and_near_duplicates_do_not() {
        let enabled = KeyState::Enabled;
        let original = grant("original", 30);
        let mut retry = grant("retry", 29);
        retry.operations = retry.operations.iter().rev().cloned().collect(); // the same set in another order is the same grant
        let mut other_ops = grant("other-ops", 28);
        other_ops.operations = [
            Operation::Decrypt,
            Operation::Encrypt,
            Operation::GenerateDataKey,
        ]
        .into();
        let mut other_retiree = grant("other-retiree", 27);
        other_retiree.retiring_principal =
            Some("arn:aws:iam::111122223333:role/ci".to_owned().into());
        let mut other_constraints = grant("other-constraints", 26);
        other_constraints.constraints = Some(
            Constraints {
                encryption_context_equals: Some(BTreeMap::from([("t".to_owned(), "1".to_owned())])),
                ..Constraints::default()
            }
            .into(),
        );
        let mut other_grantee = grant("other-grantee", 25);
        other_grantee.grantee_principal =
            Some("arn:aws:iam::111122223333:role/app2".to_owned().into());
        let named_retry = Grant {
            name: Some("named".to_owned().into()),
            ..grant("named-retry", 24)
        };
        let grants = [
            retry,
            original,
            other_ops,
            other_retiree,
            other_constraints,
            other_grantee,
            named_retry,
        ];
        let found = findings_for_key(&grants, ctx(&enabled));
        let dup = |i: usize| {
            found[i]
                .iter()
                .find(|f| f.kind() == FindingKind::Duplicate)
                .cloned()
        };
        assert_eq!(
            dup(0),
            Some(Finding::Duplicate {
                of: "original".into(),
                by_date: true
            }),
            "the younger one is the duplicate"
        );
        assert_eq!(dup(1), None, "the oldest is the original");
        for (near, grant) in grants.iter().enumerate().take(6).skip(2) {
            assert_eq!(dup(near), None, "{} differs", grant.grant_id);
        }
        assert_eq!(dup(6), None, "a named grant is not a retry duplicate");
    }

    #[test]
    fn orphans_unusable_keys_cross_account_delegation_and_no_retiree() {
        let disabled = KeyState::Disabled;
        let mut g = grant("g", 1);
        g.grantee_principal = Some("AROAJQABLZS4A3QDU576Q".to_owned().into());
        g.retiring_principal = None;
        g.operations = g
            .operations
            .iter()
            .cloned()
            .chain([Operation::CreateGrant])
            .collect();
        let found = findings_for_key(&[g], ctx(&disabled));
        assert_eq!(
            codes(&found[0]),
            ["orphan", "unusable-key", "delegates", "no-retiree"]
        );
        assert_eq!(
            found[0][1].to_string(),
            "the key is Disabled, so this grant cannot be used"
        );
        let enabled = KeyState::Enabled;
        let mut g = grant("x", 1);
        g.grantee_principal = Some("arn:aws:iam::444455556666:role/partner".to_owned().into());
        assert_eq!(
            findings_for_key(&[g], ctx(&enabled))[0],
            vec![Finding::CrossAccount {
                account: "444455556666".into()
            }]
        );
        // An orphaned retiring principal counts too; a short or lowercase id does not.
        let mut g = grant("y", 1);
        g.retiring_principal = Some("AIDAJQABLZS4A3QDU576Q".to_owned().into());
        assert_eq!(codes(&findings_for_key(&[g], ctx(&enabled))[0]), ["orphan"]);
        assert!(!is_unique_id("AROA123"));
        assert!(!is_unique_id("aroajqablzs4a3qdu576q"));
    }

    #[test]
    fn service_grants_are_flagged_whichever_way_they_name_the_service() {
        let enabled = KeyState::Enabled;
        let mut by_service_principal = grant("a", 1);
        by_service_principal.grantee_principal = None;
        by_service_principal.grantee_service_principal = Some("rds.us-east-2.amazonaws.com".into());
        let mut ebs = grant("b", 1);
        ebs.grantee_principal =
            Some("arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/vol-0a1b".into());
        let mut linked = grant("c", 1);
        linked.grantee_principal = Some(
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling".into(),
        );
        let plain = grant("d", 1);
        let found = findings_for_key(&[by_service_principal, ebs, linked, plain], ctx(&enabled));
        for (i, findings) in found.iter().enumerate().take(3) {
            assert!(
                findings.iter().any(Finding::is_caution),
                "{i}: {findings:?}"
            );
        }
        assert!(found[3].is_empty());
    }
}
