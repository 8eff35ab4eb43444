//! Synthetic snapshots of any size, for benchmarks and scale tests: many keys, hot keys holding
//! most of the grants, constraints, names, service grants, retry duplicates, deleted principals.
//!
//! Deterministic: the same [`Spec`] always gives the same snapshot (a small built-in PRNG, no
//! clock), so benchmark inputs do not drift between runs. Nothing here does IO.

use crate::app::{Action, App, Command, Loaded, Read};
use crate::domain::shared::{intern, intern_operations, interning};
use crate::domain::{
    Alias, Constraints, Grant, Key, KeyMetadata, KeyState, Operation, SharedStr, Timestamp,
};
use crate::fixture::{KeyWithGrants, Snapshot};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    /// Keys in the account.
    pub keys: usize,
    /// Grants over all keys.
    pub grants: usize,
    /// Keys that hold `hot_share` of all grants between them (the rest spread evenly).
    pub hot_keys: usize,
    /// The share of grants on the hot keys, 0.0–1.0.
    pub hot_share: f64,
    /// Seeds the generator: a different seed gives different ids and names.
    pub seed: u64,
}

impl Default for Spec {
    /// The "large fixture" of the benchmarks: 2,000 keys, 100,000 grants, half of them on two
    /// hot keys (25,000 each, under the 50,000-per-key limit of customer managed keys).
    fn default() -> Self {
        Self {
            keys: 2_000,
            grants: 100_000,
            hot_keys: 2,
            hot_share: 0.5,
            seed: 1,
        }
    }
}

/// The account every synthetic key lives in.
pub const ACCOUNT: &str = "111122223333";
/// A partner account that holds cross-account grants.
const PARTNER: &str = "444455556666";
const REGION: &str = "us-east-2";
/// 2026-11-01T00:00:00Z: grants are created in the years before.
const EPOCH_MILLIS: i64 = 1_793_491_200_000;
const DAY_MILLIS: i64 = 86_400_000;

/// Answers the load commands `commands` (and those their answers lead to) straight from
/// `snapshot`, without a runtime or a source: how benchmarks and scale tests drive an [`App`].
/// Other commands are dropped. It applies every answer and settles once at the end (the
/// runtime settles once per burst of answers, so this is its best case).
pub fn feed(app: &mut App, snapshot: &Snapshot, commands: Vec<Command>) {
    let by_id: std::collections::HashMap<&str, &KeyWithGrants> =
        snapshot.keys.iter().map(|k| (k.key.id(), k)).collect();
    let mut commands = std::collections::VecDeque::from(commands);
    while let Some(command) = commands.pop_front() {
        let action = match command {
            Command::Read(Read::Keys { req }) => Action::Loaded(Loaded::Keys {
                req,
                result: Ok(snapshot.keys.iter().map(|k| k.key.clone()).collect()),
            }),
            Command::Read(Read::Grants { req, key_id, .. }) => Action::Loaded(Loaded::Grants {
                req,
                result: Ok(by_id
                    .get(key_id.as_str())
                    .map(|k| k.grants.clone())
                    .unwrap_or_default()),
                key_id,
            }),
            Command::Read(Read::Principals { req }) => Action::Loaded(Loaded::Principals {
                req,
                result: Ok(snapshot.retirable.keys().cloned().collect()),
            }),
            Command::Read(Read::Retirable { req, principal }) => {
                Action::Loaded(Loaded::Retirable {
                    req,
                    result: Ok(snapshot
                        .retirable
                        .get(&principal)
                        .cloned()
                        .unwrap_or_default()),
                    principal,
                })
            }
            _ => continue,
        };
        commands.extend(app.apply(action));
    }
    app.settle();
}

/// SplitMix64: tiny, fast and good enough for synthetic data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn hex(&mut self, len: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        (0..len)
            .map(|_| char::from(DIGITS[self.below(16) as usize]))
            .collect()
    }

    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(4),
            self.hex(4),
            self.hex(12)
        )
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const APPS: &[&str] = &[
    "orders", "billing", "ledger", "search", "payments", "reports", "ingest", "audit", "mailer",
    "cache", "etl", "backup",
];
const SERVICES: &[&str] = &[
    "dynamodb.us-east-2.amazonaws.com",
    "rds.us-east-2.amazonaws.com",
    "s3.us-east-2.amazonaws.com",
    "logs.us-east-2.amazonaws.com",
];
const OPERATION_SETS: &[&[&str]] = &[
    &["Decrypt"],
    &["Encrypt", "Decrypt"],
    &["Decrypt", "GenerateDataKey"],
    &[
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "ReEncryptFrom",
        "ReEncryptTo",
    ],
    &["Decrypt", "RetireGrant"],
    &[
        "CreateGrant",
        "Decrypt",
        "DescribeKey",
        "GenerateDataKeyWithoutPlaintext",
    ],
    &["Sign", "Verify"],
];

/// Generates the snapshot `spec` describes. Repeated strings share one copy, as they do in a
/// snapshot read from a file.
pub fn snapshot(spec: Spec) -> Snapshot {
    interning(|| generate(spec))
}

fn generate(spec: Spec) -> Snapshot {
    let mut rng = Rng(spec.seed);
    let keys = spec.keys.max(1);
    let hot = spec.hot_keys.min(keys);
    let hot_grants = if hot == 0 {
        0
    } else {
        (spec.grants as f64 * spec.hot_share.clamp(0.0, 1.0)) as usize
    };
    let cold = keys - hot;
    let cold_grants = if cold == 0 {
        0
    } else {
        spec.grants - hot_grants
    };
    let hot_grants = spec.grants - cold_grants;
    let mut entries = Vec::with_capacity(keys);
    let mut retirable: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
    let admin = format!("arn:aws:iam::{ACCOUNT}:role/adminRole");
    for index in 0..keys {
        // Spread the grants: the hot keys share theirs, the others share the rest.
        let count = if index < hot {
            share(hot_grants, hot, index)
        } else {
            share(cold_grants, cold, index - hot)
        };
        let key = key(&mut rng, index);
        let grants: Vec<Grant> = (0..count)
            .map(|n| grant(&mut rng, &key, n, &admin))
            .collect();
        for grant in &grants {
            if grant.retiring_principal.as_deref() == Some(admin.as_str()) {
                retirable
                    .entry(admin.clone())
                    .or_default()
                    .push(grant.clone());
            }
        }
        entries.push(KeyWithGrants { key, grants });
    }
    Snapshot {
        recorded_at: Some(Timestamp::from_millis(EPOCH_MILLIS)),
        account: Some(ACCOUNT.to_owned()),
        region: Some(REGION.to_owned()),
        profile: None,
        keys: entries,
        retirable,
    }
}

/// The `index`-th of `parts` even shares of `total`.
fn share(total: usize, parts: usize, index: usize) -> usize {
    total / parts + usize::from(index < total % parts)
}

fn key(rng: &mut Rng, index: usize) -> Key {
    let key_id = rng.uuid();
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}");
    let aws_managed = rng.chance(5);
    let app = rng.pick(APPS);
    let state = match rng.below(100) {
        0..=2 => KeyState::Disabled,
        3 => KeyState::PendingDeletion,
        _ => KeyState::Enabled,
    };
    let alias_name = if aws_managed {
        format!("alias/aws/{app}-{index}")
    } else {
        format!("alias/{app}-{index}")
    };
    let metadata = KeyMetadata {
        key_id: key_id.clone(),
        arn,
        aws_account_id: Some(ACCOUNT.to_owned()),
        creation_date: Some(Timestamp::from_millis(
            EPOCH_MILLIS - rng.below(2_000) as i64 * DAY_MILLIS,
        )),
        enabled: Some(state == KeyState::Enabled),
        description: Some(format!("{app} data key {index}")),
        key_usage: Some("ENCRYPT_DECRYPT".to_owned()),
        deletion_date: (state == KeyState::PendingDeletion)
            .then(|| Timestamp::from_millis(EPOCH_MILLIS + 7 * DAY_MILLIS)),
        key_state: state,
        origin: Some("AWS_KMS".to_owned()),
        key_manager: Some(if aws_managed { "AWS" } else { "CUSTOMER" }.to_owned()),
        key_spec: Some("SYMMETRIC_DEFAULT".to_owned()),
        multi_region: Some(false),
    };
    Key {
        metadata,
        aliases: vec![Alias {
            alias_arn: Some(format!("arn:aws:kms:{REGION}:{ACCOUNT}:{alias_name}")),
            alias_name,
            target_key_id: Some(key_id),
        }],
        described: true,
    }
}

fn grant(rng: &mut Rng, key: &Key, n: usize, admin: &str) -> Grant {
    let app = rng.pick(APPS);
    let kind = rng.below(100);
    let (grantee, service) = match kind {
        // A service's grant.
        0..=9 => (None, Some(rng.pick(SERVICES).to_owned())),
        // A deleted role, shown as its unique id.
        10..=11 => (Some(format!("AROA{}", rng.hex(17).to_uppercase())), None),
        // Another account.
        12..=15 => (
            Some(format!("arn:aws:iam::{PARTNER}:role/{app}-reader")),
            None,
        ),
        _ => (
            Some(format!(
                "arn:aws:iam::{ACCOUNT}:role/service-role/{app}-{}",
                rng.below(40)
            )),
            None,
        ),
    };
    let retiring = match rng.below(100) {
        0..=9 => Some(admin.to_owned()),
        10..=49 => grantee.clone(),
        _ => None,
    };
    let operations = OPERATION_SETS[rng.below(OPERATION_SETS.len() as u64) as usize]
        .iter()
        .map(|name| Operation::from_name(name))
        .collect();
    let constraints = rng.chance(30).then(|| {
        let mut context = BTreeMap::new();
        context.insert("app".to_owned(), app.to_owned());
        if rng.chance(50) {
            context.insert("tenant".to_owned(), format!("t-{}", rng.below(5_000)));
        }
        Constraints {
            encryption_context_subset: Some(context),
            ..Constraints::default()
        }
    });
    Grant {
        key_id: intern(&key.metadata.arn),
        grant_id: rng.hex(64).into(),
        name: rng
            .chance(40)
            .then(|| SharedStr::from(format!("{app}-grant-{n}"))),
        creation_date: Some(Timestamp::from_millis(
            EPOCH_MILLIS - rng.below(1_500 * DAY_MILLIS as u64) as i64,
        )),
        grantee_principal: grantee.as_deref().map(intern),
        grantee_service_principal: service.as_deref().map(intern),
        retiring_principal: retiring.as_deref().map(intern),
        retiring_service_principal: None,
        issuing_account: Some(intern(&format!("arn:aws:iam::{ACCOUNT}:root"))),
        operations: intern_operations(operations),
        constraints: constraints.map(Arc::new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_is_honoured_and_deterministic() {
        let spec = Spec {
            keys: 50,
            grants: 1_003,
            hot_keys: 2,
            hot_share: 0.5,
            seed: 7,
        };
        let snapshot = snapshot(spec);
        assert_eq!(snapshot.keys.len(), 50);
        let counts: Vec<usize> = snapshot.keys.iter().map(|k| k.grants.len()).collect();
        assert_eq!(counts.iter().sum::<usize>(), 1_003);
        assert_eq!(&counts[..2], &[251, 250]);
        assert!(counts[2..].iter().all(|&n| n == 10 || n == 11));
        assert_eq!(snapshot, super::snapshot(spec));
        assert_ne!(snapshot, super::snapshot(Spec { seed: 8, ..spec }));
    }

    #[test]
    fn a_generated_fixture_reads_back_whole() {
        let snapshot = snapshot(Spec {
            keys: 20,
            grants: 300,
            hot_keys: 1,
            hot_share: 0.3,
            seed: 3,
        });
        let text = crate::fixture::to_json(&snapshot);
        let read = crate::fixture::parse(text.as_bytes(), std::path::Path::new("synth")).unwrap();
        assert_eq!(read, snapshot);
        assert!(!read.retirable.is_empty());
    }
}
