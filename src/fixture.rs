//! The fixture file format, version 1: reading (with exact error positions), writing and summary.
//!
//! A fixture is one JSON document whose key and grant entries use the AWS API field names, so
//! `aws kms describe-key` / `list-aliases` / `list-grants` output can be pasted in. Reading never
//! panics: every problem becomes a [`FixtureError`] naming the file, line, column and JSON path.

use crate::domain::shared::interning;
use crate::domain::{Alias, Grant, Key, KeyMetadata, Timestamp, key_id_of};
use crate::io_reason::io_reason;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The value of the `format` field.
pub const FORMAT: &str = "kms-grants/fixture";
/// The only version this build reads and writes.
pub const VERSION: u64 = 1;

/// The built-in demo snapshot (`fixtures/demo.json`), shown by `--demo`.
pub const DEMO_JSON: &str = include_str!("../fixtures/demo.json");

/// An account's keys and grants at one point in time: what a fixture holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub recorded_at: Option<Timestamp>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// The AWS profile it was recorded through (`record` writes it; `--fixture DIR` switches
    /// between snapshots by it).
    pub profile: Option<String>,
    /// Keys in file order, each with its grants.
    pub keys: Vec<KeyWithGrants>,
    /// Retiring principal → the grants it may retire (possibly on keys of other accounts).
    pub retirable: BTreeMap<String, Vec<Grant>>,
}

/// A key and every grant on it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyWithGrants {
    pub key: Key,
    pub grants: Vec<Grant>,
}

impl Snapshot {
    /// Counts for `kms-grants check` and the header.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            keys: self.keys.len(),
            ..Summary::default()
        };
        for entry in &self.keys {
            if entry.key.metadata.is_aws_managed() {
                summary.aws_managed_keys += 1;
            }
            if !entry.key.metadata.key_state.is_usable() {
                summary.unusable_keys += 1;
            }
            summary.aliases += entry.key.aliases.len();
            summary.grants += entry.grants.len();
        }
        summary.retirable_principals = self.retirable.len();
        summary.retirable_grants = self.retirable.values().map(Vec::len).sum();
        summary
    }
}

/// What `kms-grants check` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub keys: usize,
    pub aws_managed_keys: usize,
    pub unusable_keys: usize,
    pub aliases: usize,
    pub grants: usize,
    pub retirable_principals: usize,
    pub retirable_grants: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "keys:                 {} ({} customer managed, {} AWS managed, {} disabled or pending deletion)",
            self.keys,
            self.keys - self.aws_managed_keys,
            self.aws_managed_keys,
            self.unusable_keys
        )?;
        writeln!(f, "aliases:              {}", self.aliases)?;
        writeln!(f, "grants:               {}", self.grants)?;
        write!(
            f,
            "retirable principals: {} ({} retirable grants)",
            self.retirable_principals, self.retirable_grants
        )
    }
}

/// A fixture that could not be read, with where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be opened or read. (Not a `source`: the reason is in the sentence
    /// already, and a chain printed whole would say it twice.)
    #[error("cannot read fixture {}: {}", path.display(), io_reason(error))]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The content is malformed or invalid at a position.
    #[error("{}:{line}:{column}: {message}{}", path.display(), at_path(json_path))]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        /// Where in the document, as `keys[2].Grants[0]`; empty at the top level.
        json_path: String,
        message: String,
    },
}

fn at_path(json_path: &str) -> String {
    // serde_path_to_error says `?` where the parser had not reached a field yet (a stray
    // comma): the line and column place it.
    let known: Vec<&str> = json_path
        .split('.')
        .filter(|segment| !segment.is_empty() && *segment != "?")
        .collect();
    if known.is_empty() {
        String::new()
    } else {
        format!(" (at {})", known.join("."))
    }
}

/// Reads and validates a fixture file.
pub fn load(path: &Path) -> Result<Snapshot, FixtureError> {
    let bytes = std::fs::read(path).map_err(|error| FixtureError::Io {
        path: path.to_owned(),
        error,
    })?;
    parse(&bytes, path)
}

/// Where a fixture was recorded, read without building its keys and grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub account: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
}

/// Reads the header of a fixture file (format, version, account, region, profile). The keys are
/// skipped, not checked: [`load`] checks them when the snapshot is opened.
pub fn read_header(path: &Path) -> Result<Header, FixtureError> {
    #[derive(Deserialize)]
    struct HeaderDoc {
        #[allow(dead_code)]
        format: FormatTag,
        #[allow(dead_code)]
        version: VersionTag,
        #[serde(default)]
        account: Option<AccountId>,
        #[serde(default)]
        region: Option<Region>,
        #[serde(default)]
        profile: Option<String>,
    }
    let bytes = std::fs::read(path).map_err(|error| FixtureError::Io {
        path: path.to_owned(),
        error,
    })?;
    match serde_json::from_slice::<HeaderDoc>(&bytes) {
        Ok(doc) => Ok(Header {
            account: doc.account.map(|a| a.0),
            region: doc.region.map(|r| r.0),
            profile: doc.profile.filter(|p| !p.trim().is_empty()),
        }),
        // The full parse names the line, column and JSON path of the problem.
        Err(_) => parse(&bytes, path).map(|s| Header {
            account: s.account,
            region: s.region,
            profile: s.profile,
        }),
    }
}

/// Parses and validates fixture bytes; `origin` names the file in errors.
pub fn parse(bytes: &[u8], origin: &Path) -> Result<Snapshot, FixtureError> {
    // A UTF-8 byte order mark (some Windows editors write one) is no content; UTF-16 is said
    // for what it is.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if is_utf16(bytes) {
        return Err(FixtureError::Invalid {
            path: origin.to_owned(),
            line: 1,
            column: 1,
            json_path: String::new(),
            message: "the file is UTF-16 text, and fixtures are UTF-8: save it as UTF-8 (for example `iconv -f UTF-16 -t UTF-8`)".to_owned(),
        });
    }
    // Two common mistakes get a plain sentence instead of the parser's wording.
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let invalid_at = |offset: usize, message: &str| {
        let before = &bytes[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = offset
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        FixtureError::Invalid {
            path: origin.to_owned(),
            line,
            column,
            json_path: String::new(),
            message: message.to_owned(),
        }
    };
    match first {
        None => return Err(invalid_at(bytes.len(), "the file is empty")),
        Some(at) if bytes[at] != b'{' => {
            return Err(invalid_at(
                at,
                "a fixture is a JSON object ({\"format\": \"kms-grants/fixture\", …}), and this file holds something else",
            ));
        }
        Some(_) => {}
    }
    let invalid = |json_path: String, inner: serde_json::Error| FixtureError::Invalid {
        path: origin.to_owned(),
        line: inner.line().max(1),
        // serde_json says column 0 for a newline where it did not belong (the start of the
        // next line): columns here start at 1.
        column: inner.column().max(1),
        json_path,
        message: describe_json_error(&inner),
    };
    // The fast path reads straight into the domain types, sharing repeated strings; only a
    // file that fails is read again, tracking the JSON path to name where it went wrong.
    if let Ok(document) = interning(|| serde_json::from_slice::<Document>(bytes)) {
        return Ok(document.into_snapshot());
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let document: Document =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let json_path = err.path().to_string();
            invalid(json_path, err.into_inner())
        })?;
    // Trailing content after the document is an error too, with its position.
    deserializer
        .end()
        .map_err(|err| invalid(String::new(), err))?;
    Ok(document.into_snapshot())
}

/// Whether `bytes` look like UTF-16: a UTF-16 byte order mark, or ASCII with a zero byte
/// beside each character (`{\0"\0` or `\0{\0"`).
fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(64)];
    head.len() >= 4
        && head
            .chunks_exact(2)
            .all(|pair| matches!(pair, [0, b] | [b, 0] if b.is_ascii() && *b != 0))
}

/// serde_json's message without its trailing " at line L column C" (we print the position first).
fn describe_json_error(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let message = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    match err.classify() {
        serde_json::error::Category::Eof => {
            "the file ends in the middle of the JSON document".to_owned()
        }
        serde_json::error::Category::Syntax if message == "trailing comma" => {
            "malformed JSON: a comma before a closing bracket, which JSON does not allow; remove it"
                .to_owned()
        }
        serde_json::error::Category::Syntax => format!("malformed JSON: {message}"),
        _ => message.to_owned(),
    }
}

// ----- reading -------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Document {
    #[allow(dead_code)]
    format: FormatTag,
    #[allow(dead_code)]
    version: VersionTag,
    #[serde(default)]
    recorded_at: Option<Timestamp>,
    #[serde(default)]
    account: Option<AccountId>,
    #[serde(default)]
    region: Option<Region>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(deserialize_with = "deserialize_keys")]
    keys: Vec<KeyWithGrants>,
    #[serde(default)]
    retirable: BTreeMap<NonEmpty, Vec<RetirableGrant>>,
}

impl Document {
    fn into_snapshot(self) -> Snapshot {
        Snapshot {
            recorded_at: self.recorded_at,
            account: self.account.map(|a| a.0),
            region: self.region.map(|r| r.0),
            profile: self.profile.filter(|p| !p.trim().is_empty()),
            keys: self.keys,
            retirable: self
                .retirable
                .into_iter()
                .map(|(principal, grants)| (principal.0, grants.into_iter().map(|g| g.0).collect()))
                .collect(),
        }
    }
}

struct FormatTag;

impl<'de> Deserialize<'de> for FormatTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(d)?;
        if tag == FORMAT {
            Ok(Self)
        } else {
            Err(de::Error::custom(format!(
                "\"{}\" is not a kms-grants fixture (the format field must be \"{FORMAT}\")",
                tag.escape_debug()
            )))
        }
    }
}

struct VersionTag;

impl<'de> Deserialize<'de> for VersionTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let version = serde_json::Value::deserialize(d)?;
        match version.as_u64() {
            Some(VERSION) => Ok(Self),
            Some(other) => Err(de::Error::custom(format!(
                "fixture version {other} is not supported (this build reads version {VERSION})"
            ))),
            None => Err(de::Error::custom(format!(
                "the version must be a number such as {VERSION}, not {version}"
            ))),
        }
    }
}

/// A twelve-digit AWS account id.
struct AccountId(String);

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(id))
        } else {
            Err(de::Error::custom(format!(
                "\"{}\" is not an AWS account id (twelve digits)",
                id.escape_debug()
            )))
        }
    }
}

/// A region name such as `us-east-2`.
struct Region(String);

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(name))
        } else {
            Err(de::Error::custom(format!(
                "\"{}\" is not a region name such as us-east-2",
                name.escape_debug()
            )))
        }
    }
}

/// A string that must not be empty (map keys such as principal ARNs).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct NonEmpty(String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            Err(de::Error::custom("a retiring principal is empty"))
        } else {
            Ok(Self(text))
        }
    }
}

/// A grant under `retirable`: may name a key of another account, but needs its ids.
struct RetirableGrant(Grant);

impl<'de> Deserialize<'de> for RetirableGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let grant = Grant::deserialize(d)?;
        check_grant_ids(&grant).map_err(de::Error::custom)?;
        Ok(Self(grant))
    }
}

fn check_grant_ids(grant: &Grant) -> Result<(), String> {
    if grant.grant_id.trim().is_empty() {
        return Err("the grant has an empty GrantId".to_owned());
    }
    if grant.key_id.trim().is_empty() {
        return Err(format!("grant {} has an empty KeyId", grant.grant_id));
    }
    Ok(())
}

/// One entry of `keys[]` as written in the file.
struct RawKeyEntry {
    metadata: KeyMetadata,
    aliases: Vec<Alias>,
    grants: Vec<Grant>,
}

impl<'de> Deserialize<'de> for RawKeyEntry {
    /// Reads the fields in any order. When `KeyMetadata` comes before `Grants` (as AWS output
    /// and our own files have it), each grant is checked against the key as soon as it is read,
    /// so an error points at that grant rather than at the end of the key entry.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = RawKeyEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key entry with KeyMetadata, Aliases and Grants")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawKeyEntry, A::Error> {
                let mut metadata: Option<KeyMetadata> = None;
                let mut aliases = None;
                let mut grants = None;
                while let Some(field) = map.next_key::<String>()? {
                    match field.as_str() {
                        "KeyMetadata" => metadata = Some(map.next_value()?),
                        "Aliases" => aliases = Some(map.next_value()?),
                        "Grants" => {
                            grants = Some(match &metadata {
                                Some(meta) => map.next_value_seed(GrantsOf { meta })?,
                                None => map.next_value()?,
                            })
                        }
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawKeyEntry {
                    metadata: metadata.ok_or_else(|| de::Error::missing_field("KeyMetadata"))?,
                    aliases: aliases.unwrap_or_default(),
                    grants: grants.unwrap_or_default(),
                })
            }
        }
        d.deserialize_map(EntryVisitor)
    }
}

/// The `Grants` of a key whose metadata is known: each grant is checked as it is read.
struct GrantsOf<'a> {
    meta: &'a KeyMetadata,
}

impl<'de> de::DeserializeSeed<'de> for GrantsOf<'_> {
    type Value = Vec<Grant>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Grant>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GrantsOf<'_> {
    type Value = Vec<Grant>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of grants")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Grant>, A::Error> {
        let mut grants: Vec<Grant> = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(grant) = seq.next_element::<Grant>()? {
            check_grant_on_key(&grant, grants.len(), self.meta).map_err(de::Error::custom)?;
            grants.push(grant);
        }
        grants.shrink_to_fit();
        Ok(grants)
    }
}

/// A grant listed under a key must name that key (by id or ARN) and have both ids.
fn check_grant_on_key(grant: &Grant, index: usize, meta: &KeyMetadata) -> Result<(), String> {
    check_grant_ids(grant).map_err(|e| format!("Grants[{index}]: {e}"))?;
    if grant.key_id != meta.key_id && grant.key_id != meta.arn {
        return Err(format!(
            "Grants[{index}]: grant {} has KeyId {} but is listed under key {}",
            grant.grant_id, grant.key_id, meta.key_id
        ));
    }
    Ok(())
}

impl RawKeyEntry {
    fn validate(self) -> Result<KeyWithGrants, String> {
        let meta = &self.metadata;
        if meta.key_id.trim().is_empty() {
            return Err("KeyMetadata has an empty KeyId".to_owned());
        }
        if meta.arn.trim().is_empty() {
            return Err(format!("key {} has an empty Arn", meta.key_id));
        }
        if key_id_of(&meta.arn) != meta.key_id {
            return Err(format!(
                "key {} has the Arn {}, which names another key",
                meta.key_id, meta.arn
            ));
        }
        for (i, alias) in self.aliases.iter().enumerate() {
            if !alias.alias_name.starts_with("alias/") {
                return Err(format!(
                    "Aliases[{i}]: the alias name \"{}\" does not start with alias/",
                    alias.alias_name.escape_debug()
                ));
            }
            if let Some(target) = &alias.target_key_id
                && key_id_of(target) != meta.key_id
            {
                return Err(format!(
                    "Aliases[{i}]: alias {} targets key {target} but is listed under key {}",
                    alias.alias_name, meta.key_id
                ));
            }
        }
        let mut seen = HashSet::with_capacity(self.grants.len());
        for (i, grant) in self.grants.iter().enumerate() {
            // Checked again here for files that put Grants before KeyMetadata.
            check_grant_on_key(grant, i, meta)?;
            if !seen.insert(grant.grant_id.as_str()) {
                return Err(format!(
                    "Grants[{i}]: grant {} appears twice on key {}",
                    grant.grant_id, meta.key_id
                ));
            }
        }
        Ok(KeyWithGrants {
            key: Key {
                metadata: self.metadata,
                aliases: self.aliases,
                described: true,
            },
            grants: self.grants,
        })
    }
}

/// Reads `keys[]`, validating each entry as soon as it is complete (so the error position is
/// right after it) and rejecting a key id that appears twice.
fn deserialize_keys<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<KeyWithGrants>, D::Error> {
    struct KeysVisitor;
    impl<'de> Visitor<'de> for KeysVisitor {
        type Value = Vec<KeyWithGrants>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of keys")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut keys: Vec<KeyWithGrants> = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            let mut index_of: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            while let Some(raw) = seq.next_element::<RawKeyEntry>()? {
                let i = keys.len();
                let entry = raw
                    .validate()
                    .map_err(|e| de::Error::custom(format!("keys[{i}]: {e}")))?;
                if let Some(first) = index_of.insert(entry.key.metadata.key_id.clone(), i) {
                    return Err(de::Error::custom(format!(
                        "keys[{i}]: key {} appears twice (first at keys[{first}])",
                        entry.key.metadata.key_id
                    )));
                }
                keys.push(entry);
            }
            Ok(keys)
        }
    }
    d.deserialize_seq(KeysVisitor)
}

// ----- writing -------------------------------------------------------------------------------

#[derive(Serialize)]
struct DocumentOut<'a> {
    format: &'static str,
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    keys: Vec<KeyEntryOut<'a>>,
    retirable: &'a BTreeMap<String, Vec<Grant>>,
}

#[derive(Serialize)]
struct KeyEntryOut<'a> {
    #[serde(rename = "KeyMetadata")]
    metadata: &'a KeyMetadata,
    #[serde(rename = "Aliases")]
    aliases: &'a [Alias],
    #[serde(rename = "Grants")]
    grants: &'a [Grant],
}

/// Writes a snapshot as fixture v1 JSON (pretty-printed, keys in snapshot order).
pub fn to_json(snapshot: &Snapshot) -> String {
    let doc = DocumentOut {
        format: FORMAT,
        version: VERSION,
        recorded_at: snapshot.recorded_at.map(|t| t.rfc3339()),
        account: snapshot.account.as_deref(),
        region: snapshot.region.as_deref(),
        profile: snapshot.profile.as_deref(),
        keys: snapshot
            .keys
            .iter()
            .map(|k| KeyEntryOut {
                metadata: &k.key.metadata,
                aliases: &k.key.aliases,
                grants: &k.grants,
            })
            .collect(),
        retirable: &snapshot.retirable,
    };
    // Serializing plain structs of strings, numbers and maps with string keys cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Snapshot, FixtureError> {
        parse(text.as_bytes(), Path::new("t.json"))
    }

    const MINIMAL: &str = r#"{
  "format": "kms-grants/fixture",
  "version": 1,
  "recorded_at": "2026-11-22T10:00:00Z",
  "account": "111122223333",
  "region": "us-east-2",
  "keys": [
    { "KeyMetadata": { "KeyId": "k1", "Arn": "arn:aws:kms:us-east-2:111122223333:key/k1", "KeyState": "Enabled", "KeyManager": "CUSTOMER" },
      "Aliases": [ { "AliasName": "alias/payments", "TargetKeyId": "k1" } ],
      "Grants": [ { "GrantId": "g1", "KeyId": "arn:aws:kms:us-east-2:111122223333:key/k1", "Operations": ["Decrypt"], "CreationDate": 1572216195.0 } ] }
  ],
  "retirable": { "arn:aws:iam::111122223333:role/adminRole": [ { "KeyId": "k1", "GrantId": "g1" } ] }
}"#;

    #[test]
    fn a_newline_inside_a_string_is_placed_at_a_real_column() {
        // Found by tests/inputs.rs: serde_json reports column 0 here.
        let text = "{\"format\": \"kms-grants/fixture\", \"version\": 1, \"keys\": [{\"KeyMetadata\": {\"KeyId\": \"a\nb\"}}]}";
        let err = parse(text.as_bytes(), Path::new("f.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.json:2:1: malformed JSON: control character"),
            "{err}"
        );
    }

    #[test]
    fn minimal_fixture_reads_and_round_trips() {
        let snapshot = parse_str(MINIMAL).unwrap();
        assert_eq!(snapshot.summary().grants, 1);
        assert_eq!(snapshot.summary().aliases, 1);
        assert_eq!(snapshot.summary().retirable_principals, 1);
        let again = parse_str(&to_json(&snapshot)).unwrap();
        assert_eq!(again, snapshot);
    }

    fn error_of(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    #[test]
    fn unknown_version_names_the_position() {
        let text = MINIMAL.replace("\"version\": 1", "\"version\": 2");
        assert_eq!(
            error_of(&text),
            "t.json:3:14: fixture version 2 is not supported (this build reads version 1) (at version)"
        );
    }

    #[test]
    fn wrong_format_tag() {
        let text = MINIMAL.replace("kms-grants/fixture", "something-else");
        let err = error_of(&text);
        assert!(err.starts_with("t.json:2:"), "{err}");
        assert!(err.contains("is not a kms-grants fixture"), "{err}");
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let text = MINIMAL.replace("\"region\": \"us-east-2\",", "\"region\": \"us-east-2\"");
        let err = error_of(&text);
        assert!(
            err.starts_with("t.json:7:3: malformed JSON: expected `,` or `}`"),
            "{err}"
        );
    }

    #[test]
    fn empty_files_and_other_documents() {
        assert_eq!(error_of("  \n"), "t.json:2:1: the file is empty");
        assert!(error_of("[]").starts_with("t.json:1:1: a fixture is a JSON object"));
        let text = MINIMAL.replace("\"version\": 1", "\"version\": \"1\"");
        assert_eq!(
            error_of(&text),
            "t.json:3:16: the version must be a number such as 1, not \"1\" (at version)"
        );
    }

    #[test]
    fn truncated_file() {
        let err = error_of(&MINIMAL[..200]);
        assert!(err.contains("ends in the middle"), "{err}");
    }

    #[test]
    fn missing_grant_id() {
        let text = MINIMAL.replace("\"GrantId\": \"g1\", \"KeyId\": \"arn", "\"KeyId\": \"arn");
        let err = error_of(&text);
        assert!(err.starts_with("t.json:10:"), "{err}");
        assert!(err.contains("missing field `GrantId`"), "{err}");
        assert!(err.contains("(at keys[0].Grants[0])"), "{err}");
    }

    #[test]
    fn grant_under_the_wrong_key() {
        let text = MINIMAL.replace(
            "111122223333:key/k1\", \"Operations",
            "111122223333:key/k9\", \"Operations",
        );
        // Checked as soon as the grant is read: the position is the end of that grant.
        assert_eq!(
            error_of(&text),
            "t.json:10:150: Grants[0]: grant g1 has KeyId arn:aws:kms:us-east-2:111122223333:key/k9 but is listed under key k1 (at keys[0].Grants)"
        );
        // A file with Grants before KeyMetadata is checked when the key entry is complete.
        let reordered = r#"{"format": "kms-grants/fixture", "version": 1, "keys": [
  {"Grants": [{"KeyId": "k9", "GrantId": "g1"}],
   "KeyMetadata": {"KeyId": "k1", "Arn": "arn:aws:kms:us-east-2:111122223333:key/k1"}}
]}"#;
        assert_eq!(
            error_of(reordered),
            "t.json:4:1: keys[0]: Grants[0]: grant g1 has KeyId k9 but is listed under key k1 (at keys)"
        );
    }

    #[test]
    fn empty_key_id() {
        let text = MINIMAL.replace("\"KeyId\": \"k1\", \"Arn\"", "\"KeyId\": \"\", \"Arn\"");
        assert!(error_of(&text).contains("KeyMetadata has an empty KeyId"));
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let entry_start = MINIMAL.find("    { \"KeyMetadata\"").unwrap();
        let entry_end = MINIMAL.find("\n  ],\n  \"retirable\"").unwrap();
        let entry = &MINIMAL[entry_start..entry_end];
        let text = MINIMAL.replacen(entry, &format!("{entry},\n{entry}"), 1);
        assert!(error_of(&text).contains("keys[1]: key k1 appears twice (first at keys[0])"));
    }

    #[test]
    fn bad_values() {
        let text = MINIMAL.replace("\"111122223333\"", "\"1111\"");
        assert!(error_of(&text).contains("\"1111\" is not an AWS account id"));
        let text = MINIMAL.replace("1572216195.0", "\"last tuesday\"");
        let err = error_of(&text);
        assert!(err.contains("is not an RFC 3339 date"), "{err}");
        assert!(err.contains("keys[0].Grants[0].CreationDate"), "{err}");
        let text = MINIMAL.replace("[\"Decrypt\"]", "\"Decrypt\"");
        assert!(error_of(&text).contains("invalid type: string \"Decrypt\", expected a sequence"));
    }

    #[test]
    fn trailing_garbage() {
        let err = error_of(&format!("{MINIMAL}\n}}"));
        assert_eq!(err, "t.json:14:1: malformed JSON: trailing characters");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load(Path::new("/nonexistent/x.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot read fixture /nonexistent/x.json: "),
            "{err}"
        );
    }
}
