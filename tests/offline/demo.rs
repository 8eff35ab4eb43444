//! The built-in demo is what every new user sees first: check that it tells the stories the
//! README promises (and that `fixtures/demo.json` is what the binary embeds).

use kms_grants::domain::{KeyState, Operation, Timestamp};
use kms_grants::fixture::{self, DEMO_JSON};
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn demo() -> fixture::Snapshot {
    fixture::parse(DEMO_JSON.as_bytes(), Path::new("demo")).unwrap()
}

#[test]
fn the_embedded_demo_is_the_file_in_the_repo() {
    let on_disk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json"))
            .unwrap();
    assert_eq!(on_disk, DEMO_JSON);
}

#[test]
fn demo_has_the_keys_an_account_has() {
    let demo = demo();
    assert!(demo.keys.len() >= 25, "{} keys", demo.keys.len());
    let alias = |name: &str| {
        demo.keys
            .iter()
            .find(|k| k.key.aliases.iter().any(|a| a.alias_name == name))
            .unwrap_or_else(|| panic!("no key with {name}"))
    };
    for aws in ["alias/aws/ebs", "alias/aws/rds", "alias/aws/s3"] {
        let entry = alias(aws);
        assert!(entry.key.metadata.is_aws_managed(), "{aws} is AWS managed");
    }
    // Service-created grants on the AWS managed keys.
    let ebs = alias("alias/aws/ebs");
    assert!(ebs.grants.iter().any(|g| {
        g.grantee()
            .is_some_and(|p| p.contains("aws:ec2-infrastructure"))
    }));
    let rds = alias("alias/aws/rds");
    assert!(
        rds.grants
            .iter()
            .any(|g| g.grantee_service_principal.as_deref() == Some("rds.us-east-2.amazonaws.com"))
    );
    let states: Vec<&KeyState> = demo
        .keys
        .iter()
        .map(|k| &k.key.metadata.key_state)
        .collect();
    assert!(states.contains(&&KeyState::Disabled));
    assert!(states.contains(&&KeyState::PendingDeletion));
    let pending = demo
        .keys
        .iter()
        .find(|k| k.key.metadata.key_state == KeyState::PendingDeletion)
        .unwrap();
    assert!(pending.key.metadata.deletion_date.is_some());
    let usages: HashSet<&str> = demo
        .keys
        .iter()
        .filter_map(|k| k.key.metadata.key_usage.as_deref())
        .collect();
    assert!(usages.contains("SIGN_VERIFY"), "an asymmetric signing key");
    assert!(usages.contains("GENERATE_VERIFY_MAC"), "an HMAC key");
    assert!(
        demo.keys.iter().any(|k| k.key.aliases.len() > 1),
        "keys with several aliases"
    );
    assert!(
        demo.keys.iter().any(|k| k.key.aliases.is_empty()),
        "a key without alias"
    );
}

#[test]
fn demo_grants_cover_every_case_an_operator_meets() {
    let demo = demo();
    let grants: Vec<_> = demo.keys.iter().flat_map(|k| &k.grants).collect();
    assert!(grants.len() >= 150, "{} grants", grants.len());
    let ops: HashSet<&Operation> = grants.iter().flat_map(|g| g.operations.iter()).collect();
    for op in Operation::KNOWN {
        assert!(ops.contains(op), "no grant allows {op}");
    }
    assert!(grants.iter().any(|g| {
        g.constraints
            .as_ref()
            .is_some_and(|c| c.encryption_context_subset.is_some())
    }));
    assert!(grants.iter().any(|g| {
        g.constraints
            .as_ref()
            .is_some_and(|c| c.encryption_context_equals.is_some())
    }));
    assert!(
        grants
            .iter()
            .filter(|g| g.retiring_principal.is_some())
            .count()
            >= 20
    );
    assert!(
        grants
            .iter()
            .any(|g| g.grantee().is_some_and(|p| p.contains(":444455556666:"))),
        "cross-account"
    );
    assert!(
        grants
            .iter()
            .any(|g| g.grantee().is_some_and(|p| p.starts_with("AROA"))),
        "a deleted role"
    );
    let recorded = demo.recorded_at.unwrap();
    let years_old = Timestamp::from_millis(recorded.millis() - 3 * 365 * 86_400_000);
    assert!(
        grants
            .iter()
            .any(|g| g.creation_date.is_some_and(|d| d < years_old)),
        "grants years old"
    );

    // A burst of retry duplicates: unnamed, same key, grantee, operations and constraints.
    let mut same: HashMap<String, usize> = HashMap::new();
    for g in grants.iter().filter(|g| g.name.is_none()) {
        let constraints = serde_json::to_string(&g.constraints).unwrap();
        *same
            .entry(format!(
                "{}|{:?}|{}|{constraints}",
                g.key_id,
                g.grantee(),
                g.operations_full()
            ))
            .or_default() += 1;
    }
    assert!(
        same.values().any(|&n| n >= 5),
        "a burst of retry duplicates"
    );
}

#[test]
fn demo_retirable_grants_match_the_key_grants() {
    let demo = demo();
    assert!(demo.retirable.len() >= 2);
    let by_id: HashMap<&str, _> = demo
        .keys
        .iter()
        .flat_map(|k| &k.grants)
        .map(|g| (g.grant_id.as_str(), g))
        .collect();
    for (principal, grants) in &demo.retirable {
        assert!(!grants.is_empty(), "{principal} has no retirable grants");
        for grant in grants {
            match by_id.get(grant.grant_id.as_str()) {
                Some(listed) => {
                    assert_eq!(
                        *listed, grant,
                        "the retirable copy of {} differs",
                        grant.grant_id
                    );
                    assert_eq!(
                        listed.retiring_principal.as_deref(),
                        Some(principal.as_str())
                    );
                }
                // Only grants on other accounts' keys are missing from keys[].
                None => assert!(
                    grant.key_id.contains(":444455556666:"),
                    "{}",
                    grant.grant_id
                ),
            }
        }
        // And every grant naming this retiring principal is listed for it.
        let expected = by_id
            .values()
            .filter(|g| g.retiring_principal.as_deref() == Some(principal.as_str()))
            .count();
        let listed_here = grants
            .iter()
            .filter(|g| by_id.contains_key(g.grant_id.as_str()))
            .count();
        assert_eq!(listed_here, expected, "{principal}");
    }
}
