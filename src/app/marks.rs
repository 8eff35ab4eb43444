//! Marked grants: a set of (key id, grant id) that survives filters, sorts and reloads, with a
//! version that changes with every edit, so what is derived from the marks (the footer's count
//! of marks the current list shows) is worked out once per change, not once per frame.

use std::collections::BTreeSet;

/// The marks, ordered by key id (the bulk confirmation groups by key in this order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    set: BTreeSet<(String, String)>,
    version: u64,
}

impl std::ops::Deref for Marks {
    type Target = BTreeSet<(String, String)>;

    fn deref(&self) -> &Self::Target {
        &self.set
    }
}

impl Marks {
    /// Changes with every edit.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Marks `id`; `false` when it was marked already.
    pub fn insert(&mut self, id: (String, String)) -> bool {
        let added = self.set.insert(id);
        self.version += u64::from(added);
        added
    }

    /// Unmarks `id`; `false` when it was not marked.
    pub fn remove(&mut self, id: &(String, String)) -> bool {
        let removed = self.set.remove(id);
        self.version += u64::from(removed);
        removed
    }

    pub fn clear(&mut self) {
        self.version += 1;
        self.set.clear();
    }

    pub fn extend(&mut self, ids: impl IntoIterator<Item = (String, String)>) {
        self.version += 1;
        self.set.extend(ids);
    }

    pub fn retain(&mut self, keep: impl FnMut(&(String, String)) -> bool) {
        self.version += 1;
        self.set.retain(keep);
    }
}

impl<'a> IntoIterator for &'a Marks {
    type Item = &'a (String, String);
    type IntoIter = std::collections::btree_set::Iter<'a, (String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.set.iter()
    }
}
