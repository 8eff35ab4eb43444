//! What the app has loaded from the source, with the load state of each part.

use crate::domain::display::short_id;
use crate::domain::findings::{self, Finding, FindingContext, FindingKind};
use crate::domain::{Grant, Key, KeyMetadata, SharedStr, Timestamp, arn_account, key_id_of};
use crate::source::WriteKind;
use std::collections::HashMap;

/// A map keyed by ids the app made or AWS sent, looked up on hot paths: foldhash instead of
/// SipHash. It is still seeded per process, and the ids are AWS's or a fixture's.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How long a deleted grant that KMS still lists is shown as pending (deletes are eventually
/// consistent: a grant may be listed for seconds to minutes after it was retired or revoked).
pub const PENDING_FOR_MILLIS: i64 = 5 * 60 * 1000;

/// A grant this session deleted, while KMS may still list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingDelete {
    pub kind: WriteKind,
    pub at: Timestamp,
}

/// Identifies one request to the source, so an answer that was superseded can be dropped.
pub type RequestId = u64;

/// The state of one piece of data.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load<T> {
    #[default]
    NotAsked,
    /// Asked for; only the answer to this request is accepted.
    Loading(RequestId),
    Loaded(T),
    /// Loaded, and asked for again: the old data stays on screen until the answer comes, and
    /// stays if the reload fails.
    Refreshing(RequestId, T),
    /// The sentence saying why it could not be loaded.
    Failed(String),
}

impl<T> Load<T> {
    /// The data, when loaded (also while it is being reloaded).
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Self::Loaded(value) | Self::Refreshing(_, value) => Some(value),
            _ => None,
        }
    }

    /// The data, mutably, when loaded.
    pub fn loaded_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Loaded(value) | Self::Refreshing(_, value) => Some(value),
            _ => None,
        }
    }

    /// Whether an answer to `req` is the one this piece waits for.
    pub fn awaits(&self, req: RequestId) -> bool {
        matches!(self, Self::Loading(pending) | Self::Refreshing(pending, _) if *pending == req)
    }

    /// Whether a request is out (first load or reload).
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Loading(_) | Self::Refreshing(..))
    }

    /// Asks for the data (again) with request `req`, keeping what is loaded on screen.
    pub fn begin(&mut self, req: RequestId) {
        *self = match std::mem::take(self) {
            Self::Loaded(value) | Self::Refreshing(_, value) => Self::Refreshing(req, value),
            _ => Self::Loading(req),
        };
    }

    /// Applies an answer. A failed reload keeps the data it had and returns `true`.
    pub fn answer(&mut self, result: Result<T, String>) -> bool {
        match result {
            Ok(value) => {
                *self = Self::Loaded(value);
                false
            }
            Err(text) => match std::mem::take(self) {
                Self::Refreshing(_, value) => {
                    *self = Self::Loaded(value);
                    true
                }
                _ => {
                    *self = Self::Failed(text);
                    false
                }
            },
        }
    }
}

/// Everything loaded so far.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub keys: Load<Vec<Key>>,
    /// Key id → index into `keys`.
    key_index: HashMap<String, usize>,
    /// Key id → its grants.
    pub grants: HashMap<String, Load<Vec<Grant>>>,
    pub principals: Load<Vec<String>>,
    /// Retiring principal → the grants it may retire.
    pub retirable: HashMap<String, Load<Vec<Grant>>>,
    /// The request that loaded `keys`: DescribeKey answers for an older list are dropped.
    pub keys_req: RequestId,
    /// Key id → why DescribeKey failed.
    pub describe_errors: HashMap<String, String>,
    /// Key id → grant id → the findings of that grant (see [`Data::compute_findings`]). Looked
    /// up once per grant a frame, a filter or a bulk dialog touches, so with a fast hasher.
    findings: FastMap<String, FastMap<SharedStr, Vec<Finding>>>,
    /// (key id, grant id) → a delete this session made that KMS may still list.
    pub pending: HashMap<(String, String), PendingDelete>,
}

impl Data {
    /// Rebuilds the index of `keys` by id (after the list changed).
    pub fn index_keys(&mut self) {
        self.key_index = self
            .keys
            .loaded()
            .map(|keys| {
                keys.iter()
                    .enumerate()
                    .map(|(i, k)| (k.id().to_owned(), i))
                    .collect()
            })
            .unwrap_or_default();
    }

    /// Fills in a key's metadata from DescribeKey.
    pub fn set_metadata(&mut self, key_id: &str, metadata: KeyMetadata) {
        let Some(&index) = self.key_index.get(key_id) else {
            return;
        };
        if let Some(keys) = self.keys.loaded_mut()
            && let Some(key) = keys.get_mut(index)
        {
            key.metadata = metadata;
            key.described = true;
            self.describe_errors.remove(key_id);
        }
    }

    /// How many keys have their grant lists answered (loaded or failed), of how many.
    pub fn grant_progress(&self) -> (usize, usize) {
        let total = self.keys.loaded().map_or(0, Vec::len);
        let answered = |load: &Load<Vec<Grant>>| {
            matches!(
                load,
                Load::Loaded(_) | Load::Refreshing(..) | Load::Failed(_)
            )
        };
        // Walking the map's values, not looking each key up: at 100,000 keys the lookups
        // alone cost a frame. Only when the map also holds keys the list does not name (a key
        // deleted since, another account's key opened from a retirable grant) is each entry
        // looked up.
        let done = if self.grants.len() <= total {
            self.grants.values().filter(|load| answered(load)).count()
        } else {
            self.grants
                .iter()
                .filter(|(id, load)| self.key_index.contains_key(id.as_str()) && answered(load))
                .count()
        };
        (done, total)
    }

    /// How many keys are described, of how many.
    pub fn describe_progress(&self) -> (usize, usize) {
        let keys = self.keys.loaded().map_or(&[][..], Vec::as_slice);
        let done = keys
            .iter()
            .filter(|k| k.described || self.describe_errors.contains_key(k.id()))
            .count();
        (done, keys.len())
    }

    /// Whether this session deleted this grant and no reload has settled it yet.
    pub fn pending_delete(
        &self,
        key_id: &str,
        grant_id: &str,
        now: Timestamp,
    ) -> Option<WriteKind> {
        // It stays pending until a reload settles it (see `settle_pending`): only a reload that
        // still lists it after five minutes shows it live again.
        let _ = now;
        self.pending
            .get(&(key_id_of(key_id).to_owned(), grant_id.to_owned()))
            .map(|entry| entry.kind)
    }

    /// Settles the pending deletes of one key against a fresh list of its grants: a grant the
    /// list no longer shows is gone for good (and is dropped from every other cached list too);
    /// one it still shows stays pending for up to five minutes, then counts as live again.
    pub fn settle_pending(&mut self, key_id: &str, listed: &[Grant], now: Timestamp) {
        let key_id = key_id_of(key_id);
        // Sets, and one pass over each list: after a bulk run of 50,000 on one key, a reload
        // would otherwise compare every pending grant with every listed one.
        let listed: std::collections::HashSet<&str> = listed.iter().map(|l| &*l.grant_id).collect();
        let mut gone = std::collections::HashSet::new();
        self.pending.retain(|(k, g), entry| {
            if k != key_id {
                return true;
            }
            let still_listed = listed.contains(g.as_str());
            if !still_listed {
                gone.insert(g.clone());
            }
            still_listed && now.millis() - entry.at.millis() < PENDING_FOR_MILLIS
        });
        if gone.is_empty() {
            return;
        }
        if let Some(grants) = self.grants.get_mut(key_id).and_then(Load::loaded_mut) {
            grants.retain(|g| !gone.contains(&*g.grant_id));
        }
        for load in self.retirable.values_mut() {
            if let Some(grants) = load.loaded_mut() {
                grants.retain(|g| !(key_id_of(&g.key_id) == key_id && gone.contains(&*g.grant_id)));
            }
        }
    }

    /// Settles pending deletes against a fresh list of the grants `principal` may retire
    /// (call it before storing that list): a pending grant the previous list showed and the
    /// fresh one does not is gone for good, and leaves every cached list.
    pub fn settle_pending_retirable(&mut self, principal: &str, listed: &[Grant]) -> Vec<String> {
        let listed_here = |grants: &[Grant], k: &str, g: &str| {
            grants
                .iter()
                .any(|l| key_id_of(&l.key_id) == k && l.grant_id == g)
        };
        let before = self.retirable_of(principal).map_or(&[][..], Vec::as_slice);
        let gone: Vec<(String, String)> = self
            .pending
            .keys()
            .filter(|(k, g)| listed_here(before, k, g) && !listed_here(listed, k, g))
            .cloned()
            .collect();
        let mut keys = Vec::new();
        for (key_id, grant_id) in gone {
            self.pending.remove(&(key_id.clone(), grant_id.clone()));
            self.remove_grant(&key_id, &grant_id);
            keys.push(key_id);
        }
        keys
    }

    /// The key with this id or ARN, if loaded.
    pub fn key(&self, key_id_or_arn: &str) -> Option<&Key> {
        self.keys.loaded()?.get(self.key_position(key_id_or_arn)?)
    }

    /// Where the key with this id or ARN is in the keys list.
    pub fn key_position(&self, key_id_or_arn: &str) -> Option<usize> {
        self.key_index.get(key_id_of(key_id_or_arn)).copied()
    }

    /// The grants of a key, when loaded.
    pub fn grants_of(&self, key_id: &str) -> Option<&Vec<Grant>> {
        self.grants.get(key_id_of(key_id))?.loaded()
    }

    /// The grants a principal may retire, when loaded.
    pub fn retirable_of(&self, principal: &str) -> Option<&Vec<Grant>> {
        self.retirable.get(principal)?.loaded()
    }

    /// The first alias of a key, else its id (for keys of other accounts: the id).
    pub fn key_label(&self, key_id_or_arn: &str) -> String {
        match self.key(key_id_or_arn) {
            Some(key) => key
                .primary_alias()
                .map(|a| a.strip_prefix("alias/").unwrap_or(a).to_owned())
                .unwrap_or_else(|| key.id().to_owned()),
            // A key of another account: its id first, so two such keys differ even when cut.
            None => match arn_account(key_id_or_arn) {
                Some(account) => {
                    format!("{} ({account})", short_id(key_id_of(key_id_or_arn)))
                }
                None => key_id_or_arn.to_owned(),
            },
        }
    }

    /// The account that owns a key: from its metadata, else from the ARN.
    pub fn home_account_of<'a>(&'a self, key_id_or_arn: &'a str) -> Option<&'a str> {
        self.key(key_id_or_arn)
            .and_then(|k| k.metadata.account())
            .or_else(|| arn_account(key_id_or_arn))
    }

    /// The grants column of the keys list: a count, `…` while loading, `error` on failure.
    pub fn grant_count_text(&self, key_id: &str) -> String {
        count_text(self.grants.get(key_id))
    }

    /// The count column of the principals list.
    pub fn retirable_count_text(&self, principal: &str) -> String {
        count_text(self.retirable.get(principal))
    }

    /// Recomputes the findings of one key's grants (after its grants or its state changed).
    pub fn compute_findings(&mut self, key_id: &str, now: Timestamp, stale_after_days: u32) {
        let key_id = key_id_of(key_id);
        let Some(grants) = self.grants_of(key_id) else {
            self.findings.remove(key_id);
            return;
        };
        let key = self.key(key_id).filter(|k| k.described);
        let ctx = FindingContext {
            now,
            stale_after_days,
            key_state: key.map(|k| &k.metadata.key_state),
            key_account: self.home_account_of(key_id),
        };
        let computed: FastMap<SharedStr, Vec<Finding>> = grants
            .iter()
            .zip(findings::findings_for_key(grants, ctx))
            .map(|(g, f)| (g.grant_id.clone(), f))
            .collect();
        self.findings.insert(key_id.to_owned(), computed);
    }

    /// The findings of a grant: from its key's list when the key is loaded here, else from the
    /// grant alone (a retirable grant on another account's key: no duplicate check there).
    pub fn findings_of(
        &self,
        grant: &Grant,
        now: Timestamp,
        stale_after_days: u32,
    ) -> Vec<Finding> {
        if let Some(found) = self.cached_findings(grant) {
            return found.to_vec();
        }
        let key = self.key(&grant.key_id).filter(|k| k.described);
        findings::findings_for_grant(
            grant,
            None,
            FindingContext {
                now,
                stale_after_days,
                key_state: key.map(|k| &k.metadata.key_state),
                key_account: self.home_account_of(&grant.key_id),
            },
        )
    }

    /// Whether a grant has a finding of `kind`; like [`Data::findings_of`] without copying the
    /// cached findings (the finding filter asks this of every row).
    pub fn has_finding(
        &self,
        grant: &Grant,
        kind: FindingKind,
        now: Timestamp,
        stale_after_days: u32,
    ) -> bool {
        match self.cached_findings(grant) {
            Some(found) => found.iter().any(|f| f.kind() == kind),
            None => self
                .findings_of(grant, now, stale_after_days)
                .iter()
                .any(|f| f.kind() == kind),
        }
    }

    /// Grant id → findings, for every grant of a key whose grants are loaded.
    pub fn findings_of_key(&self, key_id: &str) -> Option<&FastMap<SharedStr, Vec<Finding>>> {
        self.findings.get(key_id_of(key_id))
    }

    /// The findings computed with the grant's whole key list, when its key's grants are loaded.
    fn cached_findings(&self, grant: &Grant) -> Option<&[Finding]> {
        cached_in(self.findings_of_key(&grant.key_id), grant)
    }

    /// Whether the grant was made for an AWS service (its cautionary finding), without copying
    /// its findings when they are cached.
    pub fn is_for_a_service(&self, grant: &Grant, now: Timestamp, stale_after_days: u32) -> bool {
        self.is_for_a_service_in(
            self.findings_of_key(&grant.key_id),
            grant,
            now,
            stale_after_days,
        )
    }

    /// [`Data::is_for_a_service`] with its key's findings already looked up
    /// ([`Data::findings_of_key`]): a bulk dialog asks it of thousands of grants of one key.
    pub fn is_for_a_service_in(
        &self,
        of_key: Option<&FastMap<SharedStr, Vec<Finding>>>,
        grant: &Grant,
        now: Timestamp,
        stale_after_days: u32,
    ) -> bool {
        match cached_in(of_key, grant) {
            Some(found) => found.iter().any(Finding::is_caution),
            None => self
                .findings_of(grant, now, stale_after_days)
                .iter()
                .any(Finding::is_caution),
        }
    }

    /// How many grants of a key have at least one finding, when its grants are loaded.
    pub fn grants_with_findings(&self, key_id: &str) -> Option<usize> {
        let found = self.findings.get(key_id_of(key_id))?;
        Some(found.values().filter(|f| !f.is_empty()).count())
    }

    /// Forgets a grant that was deleted, wherever it is listed.
    pub fn remove_grant(&mut self, key_id: &str, grant_id: &str) {
        let key_id = key_id_of(key_id);
        if let Some(grants) = self.grants.get_mut(key_id).and_then(Load::loaded_mut) {
            grants.retain(|g| g.grant_id != grant_id);
        }
        for load in self.retirable.values_mut() {
            if let Some(grants) = load.loaded_mut() {
                grants.retain(|g| !(key_id_of(&g.key_id) == key_id && g.grant_id == grant_id));
            }
        }
    }
}

/// A grant's cached findings in its key's map.
fn cached_in<'a>(
    of_key: Option<&'a FastMap<SharedStr, Vec<Finding>>>,
    grant: &Grant,
) -> Option<&'a [Finding]> {
    of_key?.get(&grant.grant_id).map(Vec::as_slice)
}

fn count_text(load: Option<&Load<Vec<Grant>>>) -> String {
    match load {
        Some(Load::Loaded(grants) | Load::Refreshing(_, grants)) => grants.len().to_string(),
        Some(Load::Loading(_)) => "…".to_owned(),
        Some(Load::Failed(_)) => "error".to_owned(),
        Some(Load::NotAsked) | None => String::new(),
    }
}
