//! `record --redact`: replaces account ids and principal names consistently, so a recorded
//! incident can be shared as a demo. The same input always gives the same output; ARN shapes,
//! service principals, key ids and operations are kept. Principal ARNs, names and account ids
//! are replaced wherever they appear: in principal fields, and in free text too (grant names,
//! key descriptions, encryption context keys and values, newer constraint fields).

use crate::domain::Grant;
use crate::fixture::Snapshot;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The consistent replacements made so far.
#[derive(Debug, Default)]
pub struct Redactor {
    accounts: HashMap<String, String>,
    names: HashMap<String, String>,
    unique_ids: HashMap<String, String>,
    /// The first of the two passes only meets principals: free text is not searched for
    /// names yet (they are not all known).
    collecting: bool,
    /// Finds the known names and unique ids in free text, built for `names.len() +
    /// unique_ids.len()` entries, with their stand-ins.
    matcher: Option<(usize, aho_corasick::AhoCorasick, Vec<String>)>,
}

/// A copy of `snapshot` with account ids and principal names replaced.
pub fn redact(snapshot: &Snapshot) -> Snapshot {
    Redactor::default().redact(snapshot)
}

impl Redactor {
    /// A copy of `snapshot` redacted with the replacements made so far (and new ones): one
    /// redactor over several snapshots gives each account the same stand-in in all of them.
    pub fn redact(&mut self, snapshot: &Snapshot) -> Snapshot {
        // Accounts are numbered in a fixed order: the snapshot's own account first.
        if let Some(account) = &snapshot.account {
            self.account(account);
        }
        // A first pass meets every account id in an ARN or principal; the second pass can
        // then replace them in free text too (descriptions, names, constraint values),
        // wherever they appear in the file.
        self.collecting = true;
        let _ = self.apply(snapshot);
        self.collecting = false;
        self.apply(snapshot)
    }

    fn apply(&mut self, snapshot: &Snapshot) -> Snapshot {
        let r = self;
        let mut out = snapshot.clone();
        out.account = snapshot.account.as_deref().map(|a| r.account(a));
        // A profile's name can say whose account it is (`acme-prod`).
        out.profile = None;
        for entry in &mut out.keys {
            let meta = &mut entry.key.metadata;
            meta.arn = r.arn(&meta.arn);
            meta.aws_account_id = meta.aws_account_id.as_deref().map(|a| r.account(a));
            meta.description = meta.description.as_deref().map(|d| r.free_text(d));
            for alias in &mut entry.key.aliases {
                alias.alias_arn = alias.alias_arn.as_deref().map(|a| r.arn(a));
            }
            for grant in &mut entry.grants {
                r.grant(grant);
            }
        }
        out.retirable = snapshot
            .retirable
            .iter()
            .map(|(principal, grants)| {
                let mut grants = grants.clone();
                for grant in &mut grants {
                    r.grant(grant);
                }
                (r.principal(principal), grants)
            })
            .collect::<BTreeMap<_, _>>();
        out
    }

    /// `111122223333` → `000000000001` (numbered by first appearance).
    pub fn account(&mut self, id: &str) -> String {
        let next = self.accounts.len() + 1;
        self.accounts
            .entry(id.to_owned())
            .or_insert_with(|| format!("{next:012}"))
            .clone()
    }

    fn grant(&mut self, grant: &mut Grant) {
        if grant.key_id.starts_with("arn:") {
            grant.key_id = self.arn(&grant.key_id).into();
        }
        grant.grantee_principal = grant
            .grantee_principal
            .as_deref()
            .map(|p| self.principal(p).into());
        grant.retiring_principal = grant
            .retiring_principal
            .as_deref()
            .map(|p| self.principal(p).into());
        grant.issuing_account = grant
            .issuing_account
            .as_deref()
            .map(|p| self.principal(p).into());
        grant.name = grant.name.as_deref().map(|n| self.free_text(n).into());
        if let Some(constraints) = &mut grant.constraints {
            let constraints = Arc::make_mut(constraints);
            for map in [
                &mut constraints.encryption_context_subset,
                &mut constraints.encryption_context_equals,
            ]
            .into_iter()
            .flatten()
            {
                // Keys too: an encryption context key can name a principal.
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(key, value)| (self.free_text(&key), self.free_text(&value)))
                    .collect();
            }
            for value in constraints.other.values_mut() {
                self.json(value);
            }
        }
    }

    /// Every string inside a JSON value, as free text.
    fn json(&mut self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => *text = self.free_text(text),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            serde_json::Value::Object(map) => {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(key, mut value)| {
                        self.json(&mut value);
                        (self.free_text(&key), value)
                    })
                    .collect();
            }
            _ => {}
        }
    }

    /// Free text (a grant name, a description, an encryption context value): every ARN in it
    /// redacted as a principal, then every account id, principal name and unique id seen
    /// anywhere in the snapshot replaced by its stand-in.
    fn free_text(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("arn:") {
            out.push_str(&rest[..at]);
            let arn = &rest[at..];
            let end = arn
                .find(|c: char| {
                    c.is_whitespace()
                        || matches!(
                            c,
                            '"' | '\''
                                | ','
                                | ';'
                                | '|'
                                | '='
                                | '('
                                | ')'
                                | '<'
                                | '>'
                                | '['
                                | ']'
                                | '{'
                                | '}'
                        )
                })
                .unwrap_or(arn.len());
            out.push_str(&self.principal(&arn[..end]));
            rest = &arn[end..];
        }
        out.push_str(rest);
        let out = self.known_accounts(&out);
        if self.collecting {
            return out;
        }
        self.known_names(&out)
    }

    /// `text` with every known principal name (three characters or more) and unique id
    /// replaced by its stand-in, the longest match first (`orders-lambda` before `orders`).
    fn known_names(&mut self, text: &str) -> String {
        let count = self.names.len() + self.unique_ids.len();
        if self
            .matcher
            .as_ref()
            .is_none_or(|(built, ..)| *built != count)
        {
            let mut pairs: Vec<(String, String)> = self
                .names
                .iter()
                .filter_map(|(key, standin)| {
                    let name = key.split_once('/')?.1;
                    (name.chars().count() >= 3).then(|| (name.to_owned(), standin.clone()))
                })
                .chain(self.unique_ids.iter().map(|(a, b)| (a.clone(), b.clone())))
                .collect();
            pairs.sort();
            pairs.dedup_by(|a, b| a.0 == b.0);
            let (patterns, standins): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
            let Ok(matcher) = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&patterns)
            else {
                return text.to_owned();
            };
            self.matcher = Some((count, matcher, standins));
        }
        match &self.matcher {
            Some((_, matcher, standins)) => matcher.replace_all(text, standins),
            None => text.to_owned(),
        }
    }

    /// A principal: an ARN keeps its shape with the account and names replaced; a unique id
    /// keeps its prefix (`AROA…` still reads as a deleted role); a service principal stays.
    pub fn principal(&mut self, principal: &str) -> String {
        if principal.starts_with("arn:") {
            self.arn(principal)
        } else if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
            self.account(principal)
        } else if is_unique_id(principal) {
            let next = self.unique_ids.len() + 1;
            let prefix = &principal[..4];
            self.unique_ids
                .entry(principal.to_owned())
                .or_insert_with(|| format!("{prefix}REDACTED{next:09}"))
                .clone()
        } else {
            principal.to_owned()
        }
    }

    /// `arn:aws:iam::111122223333:role/path/orders` → `arn:aws:iam::000000000001:role/path/role-1`.
    fn arn(&mut self, arn: &str) -> String {
        let mut parts: Vec<String> = arn.splitn(6, ':').map(str::to_owned).collect();
        if parts.len() < 6 {
            return self.known_accounts(arn);
        }
        if !parts[4].is_empty() {
            parts[4] = self.account(&parts[4]);
        }
        let service = parts[2].clone();
        parts[5] = match service.as_str() {
            "iam" | "sts" => self.iam_resource(&parts[5]),
            _ => parts[5].clone(),
        };
        parts.join(":")
    }

    /// `role/path/name`, `user/name`, `assumed-role/role/session`: names replaced, kinds and
    /// AWS-defined paths (`aws-service-role/…`, `service-role/`) kept.
    fn iam_resource(&mut self, resource: &str) -> String {
        let segments: Vec<&str> = resource.split('/').collect();
        match segments.as_slice() {
            ["assumed-role", role, session] => {
                let role = self.name("role", role);
                let session = if session.starts_with("i-") {
                    (*session).to_owned()
                } else {
                    self.name("session", session)
                };
                format!("assumed-role/{role}/{session}")
            }
            [kind @ ("role" | "user" | "group"), path @ .., name] if !name.is_empty() => {
                // Service-linked roles keep their AWS-defined names.
                if path.first() == Some(&"aws-service-role") || name.starts_with("AWSServiceRole") {
                    return resource.to_owned();
                }
                let mut out = vec![(*kind).to_owned()];
                out.extend(path.iter().map(|p| (*p).to_owned()));
                out.push(self.name(kind, name));
                out.join("/")
            }
            _ => resource.to_owned(),
        }
    }

    fn name(&mut self, kind: &str, name: &str) -> String {
        // Names AWS itself gives (aws:ec2-infrastructure) carry no customer information.
        if name.starts_with("aws:") || name.starts_with("AWS") {
            return name.to_owned();
        }
        let next = self.names.len() + 1;
        self.names
            .entry(format!("{kind}/{name}"))
            .or_insert_with(|| format!("{kind}-{next}"))
            .clone()
    }

    /// Replaces the account ids already seen wherever they occur in free text.
    fn known_accounts(&mut self, text: &str) -> String {
        let mut out = text.to_owned();
        let known: Vec<(String, String)> = self
            .accounts
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect();
        for (from, to) in known {
            out = out.replace(&from, &to);
        }
        out
    }
}

fn is_unique_id(text: &str) -> bool {
    let prefixes = ["AROA", "AIDA", "AGPA", "ANPA", "ASIA", "AKIA"];
    text.len() >= 16
        && prefixes.iter().any(|p| text.starts_with(p))
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use std::path::Path;

    fn demo() -> Snapshot {
        fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap()
    }

    fn principals(snapshot: &Snapshot) -> std::collections::HashSet<String> {
        snapshot
            .keys
            .iter()
            .flat_map(|k| &k.grants)
            .chain(snapshot.retirable.values().flatten())
            .flat_map(|g| [g.grantee_principal.clone(), g.retiring_principal.clone()])
            .flatten()
            .filter(|p| !p.ends_with(".amazonaws.com") && !p.contains("aws-service-role"))
            .filter(|p| !p.contains("assumed-role/aws:"))
            .map(String::from)
            .collect()
    }

    #[test]
    fn no_account_id_or_principal_name_survives() {
        let original = demo();
        let redacted = redact(&original);
        let text = fixture::to_json(&redacted);
        assert!(!text.contains("111122223333") && !text.contains("444455556666"));
        let before = principals(&original);
        let after = principals(&redacted);
        assert!(!before.is_empty());
        assert!(
            before.is_disjoint(&after),
            "{:?}",
            before.intersection(&after).collect::<Vec<_>>()
        );
        // It is still a valid fixture with the same shape.
        let again = fixture::parse(text.as_bytes(), Path::new("redacted")).unwrap();
        assert_eq!(again.summary(), original.summary());
        assert_eq!(again.account.as_deref(), Some("000000000001"));
    }

    #[test]
    fn accounts_in_free_text_and_bare_issuers_are_replaced_too() {
        let mut snapshot = demo();
        snapshot.keys[0].key.metadata.description = Some("shared with partner 999988887777".into());
        let grant = &mut snapshot.keys[1].grants[0];
        grant.name = Some("copy-for-999988887777".into());
        grant.issuing_account = Some("999988887777".into());
        grant.grantee_principal = Some("arn:aws:iam::999988887777:role/partner".into());
        let text = fixture::to_json(&redact(&snapshot));
        assert!(!text.contains("999988887777"), "an account id survived");
        assert!(!text.contains("111122223333"));
    }

    #[test]
    fn principal_names_in_constraints_names_and_descriptions_are_replaced() {
        let mut snapshot = demo();
        let role = "arn:aws:iam::111122223333:role/service-role/orders-lambda";
        let grant = &mut snapshot.keys[1].grants[0];
        grant.grantee_principal = Some(role.into());
        grant.name = Some("for orders-lambda".into());
        grant.constraints = Some(Arc::new(crate::domain::Constraints {
            encryption_context_subset: Some(BTreeMap::from([
                ("caller".to_owned(), role.to_owned()),
                ("orders-lambda".to_owned(), "yes".to_owned()),
                (
                    "aws:lambda:FunctionArn".to_owned(),
                    "arn:aws:lambda:us-east-2:111122223333:function:orders".to_owned(),
                ),
            ])),
            encryption_context_equals: Some(BTreeMap::from([(
                "who".to_owned(),
                "principal=arn:aws:sts::444455556666:assumed-role/BillingRole/carol;env=prod"
                    .to_owned(),
            )])),
            other: BTreeMap::from([(
                "SomeFutureField".to_owned(),
                serde_json::json!({"Principals": ["orders-lambda", "BillingRole"]}),
            )]),
        }));
        snapshot.keys[0].key.metadata.description = Some("used by orders-lambda".into());
        let text = fixture::to_json(&redact(&snapshot));
        for name in [
            "orders-lambda",
            "BillingRole",
            "carol",
            "111122223333",
            "444455556666",
        ] {
            assert!(!text.contains(name), "{name} survived:\n{text}");
        }
        // Shapes stay: the ARN is still an ARN of the same kind, with the same stand-in as in
        // the grantee field.
        let redacted = redact(&snapshot);
        let grant = &redacted.keys[1].grants[0];
        let grantee = grant.grantee_principal.as_deref().unwrap();
        let subset = grant
            .constraints
            .as_ref()
            .unwrap()
            .encryption_context_subset
            .as_ref()
            .unwrap();
        assert_eq!(subset["caller"], grantee);
        assert!(grantee.starts_with("arn:aws:iam::000000000001:role/service-role/role-"));
        let equals = &grant
            .constraints
            .as_ref()
            .unwrap()
            .encryption_context_equals;
        let who = &equals.as_ref().unwrap()["who"];
        assert!(
            who.starts_with("principal=arn:aws:sts::000000000002:assumed-role/role-")
                && who.ends_with(";env=prod"),
            "{who}"
        );
    }

    #[test]
    fn the_same_input_gives_the_same_output_and_shapes_are_kept() {
        let a = fixture::to_json(&redact(&demo()));
        let b = fixture::to_json(&redact(&demo()));
        assert_eq!(a, b);
        let mut r = Redactor::default();
        let role = r.principal("arn:aws:iam::111122223333:role/service-role/orders-lambda");
        assert_eq!(role, "arn:aws:iam::000000000001:role/service-role/role-1");
        assert_eq!(
            r.principal("arn:aws:iam::111122223333:role/service-role/orders-lambda"),
            role
        );
        assert_eq!(
            r.principal("arn:aws:sts::444455556666:assumed-role/AdminRole/alice"),
            "arn:aws:sts::000000000002:assumed-role/role-2/session-3"
        );
        assert_eq!(
            r.principal("arn:aws:iam::111122223333:root"),
            "arn:aws:iam::000000000001:root"
        );
        assert_eq!(
            r.principal("dynamodb.us-east-2.amazonaws.com"),
            "dynamodb.us-east-2.amazonaws.com"
        );
        assert_eq!(
            r.principal("AROAJQABLZS4A3QDU576Q"),
            "AROAREDACTED000000001"
        );
        assert_eq!(
            r.principal("arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0abc"),
            "arn:aws:sts::000000000001:assumed-role/aws:ec2-infrastructure/i-0abc"
        );
    }
}
