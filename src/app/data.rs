//! What the app has loaded from the source, with the load state of each part.

use crate::domain::{Grant, Key, arn_account, key_id_of};
use std::collections::HashMap;

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
    /// The sentence saying why it could not be loaded.
    Failed(String),
}

impl<T> Load<T> {
    /// The data, when loaded.
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Self::Loaded(value) => Some(value),
            _ => None,
        }
    }

    /// Whether an answer to `req` is the one this piece waits for.
    pub fn awaits(&self, req: RequestId) -> bool {
        matches!(self, Self::Loading(pending) if *pending == req)
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
}

impl Data {
    /// Stores the key list and indexes it by id.
    pub fn set_keys(&mut self, keys: Load<Vec<Key>>) {
        self.key_index = keys
            .loaded()
            .map(|keys| {
                keys.iter()
                    .enumerate()
                    .map(|(i, k)| (k.id().to_owned(), i))
                    .collect()
            })
            .unwrap_or_default();
        self.keys = keys;
    }

    /// The key with this id or ARN, if loaded.
    pub fn key(&self, key_id_or_arn: &str) -> Option<&Key> {
        let index = *self.key_index.get(key_id_of(key_id_or_arn))?;
        self.keys.loaded()?.get(index)
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
                    format!(
                        "{} ({account})",
                        super::list::short_id(key_id_of(key_id_or_arn))
                    )
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

    /// Forgets a grant that was deleted, wherever it is listed.
    pub fn remove_grant(&mut self, key_id: &str, grant_id: &str) {
        let key_id = key_id_of(key_id);
        if let Some(Load::Loaded(grants)) = self.grants.get_mut(key_id) {
            grants.retain(|g| g.grant_id != grant_id);
        }
        for load in self.retirable.values_mut() {
            if let Load::Loaded(grants) = load {
                grants.retain(|g| !(key_id_of(&g.key_id) == key_id && g.grant_id == grant_id));
            }
        }
    }
}

fn count_text(load: Option<&Load<Vec<Grant>>>) -> String {
    match load {
        Some(Load::Loaded(grants)) => grants.len().to_string(),
        Some(Load::Loading(_)) => "…".to_owned(),
        Some(Load::Failed(_)) => "error".to_owned(),
        Some(Load::NotAsked) | None => String::new(),
    }
}
