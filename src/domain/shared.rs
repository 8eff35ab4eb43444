//! `SharedStr`, the immutable, cheaply cloned string that grants are made of, and the interner
//! that lets a fixture's 100,000 grants share one copy of each principal, key ARN and account.
//!
//! A grant list repeats the same few strings endlessly (every grant of a key names the key's ARN,
//! most name the same handful of roles), and the app holds each grant twice (the source's copy
//! and the view's). Sharing makes a clone a reference-count bump and keeps resident memory close
//! to the size of the unique text. Interning is on only inside [`interning`], so a long-running
//! session never grows an unbounded table.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::Operation;

/// An immutable string whose clones share one allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Deserializes a string that is unique anyway (a grant id): no interning, one allocation.
    pub fn unique<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor { intern: false })
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        Self(Arc::from(text))
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        Self(Arc::from(text))
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> Self {
        Self(Arc::from(text.as_str()))
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> Self {
        text.0.to_string()
    }
}

impl From<&SharedStr> for String {
    fn from(text: &SharedStr) -> Self {
        text.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor { intern: true })
    }
}

struct StrVisitor {
    intern: bool,
}

impl Visitor<'_> for StrVisitor {
    type Value = SharedStr;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<SharedStr, E> {
        Ok(if self.intern {
            intern(text)
        } else {
            SharedStr::from(text)
        })
    }
}

/// The tables of one [`interning`] scope.
#[derive(Default)]
struct Interner {
    strings: HashSet<Arc<str>>,
    operations: HashMap<Vec<Operation>, Arc<[Operation]>>,
}

thread_local! {
    static INTERNER: RefCell<Option<Interner>> = const { RefCell::new(None) };
}

/// Runs `f` with interning on: every [`SharedStr`] and operation list deserialized inside
/// shares one copy per distinct value. The table is dropped when `f` returns.
pub fn interning<T>(f: impl FnOnce() -> T) -> T {
    /// Puts the outer table back however `f` ends, a panic included.
    struct Restore(Option<Interner>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            INTERNER.with(|i| *i.borrow_mut() = outer);
        }
    }
    let _restore = Restore(INTERNER.with(|i| i.borrow_mut().replace(Interner::default())));
    f()
}

/// The shared copy of `text`: from the table when interning is on, else a new one.
pub fn intern(text: &str) -> SharedStr {
    INTERNER.with(|cell| match cell.borrow_mut().as_mut() {
        Some(table) => {
            if let Some(found) = table.strings.get(text) {
                return SharedStr(Arc::clone(found));
            }
            let shared: Arc<str> = Arc::from(text);
            table.strings.insert(Arc::clone(&shared));
            SharedStr(shared)
        }
        None => SharedStr::from(text),
    })
}

/// The shared copy of an operation list, as [`intern`] does for strings.
pub fn intern_operations(operations: Vec<Operation>) -> Arc<[Operation]> {
    INTERNER.with(|cell| match cell.borrow_mut().as_mut() {
        Some(table) => Arc::clone(
            table
                .operations
                .entry(operations)
                .or_insert_with_key(|ops| Arc::from(ops.as_slice())),
        ),
        None => Arc::from(operations),
    })
}

/// Deserializes an operation list through [`intern_operations`].
pub fn deserialize_operations<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Arc<[Operation]>, D::Error> {
    Vec::<Operation>::deserialize(d).map(intern_operations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_shares_one_copy_and_ends_with_its_scope() {
        let (a, b) = interning(|| {
            (
                intern("arn:aws:iam::1:role/x"),
                intern("arn:aws:iam::1:role/x"),
            )
        });
        assert_eq!(a, b);
        assert!(Arc::ptr_eq(&a.0, &b.0));
        let (c, d) = (intern("same"), intern("same"));
        assert_eq!(c, d);
        assert!(!Arc::ptr_eq(&c.0, &d.0), "no table outside a scope");
        let ops = interning(|| {
            let one = intern_operations(vec![Operation::Decrypt]);
            let two = intern_operations(vec![Operation::Decrypt]);
            assert!(Arc::ptr_eq(&one, &two));
            one
        });
        assert_eq!(&*ops, &[Operation::Decrypt]);
    }

    #[test]
    fn compares_and_reads_like_a_string() {
        let text = SharedStr::from("grant-1");
        assert_eq!(text, "grant-1");
        assert_eq!("grant-1", text);
        assert_eq!(text, "grant-1".to_owned());
        assert_eq!(format!("{text} {text:?}"), "grant-1 \"grant-1\"");
        let parsed: SharedStr = serde_json::from_str("\"a\\u0041\"").unwrap();
        assert_eq!(parsed, "aA");
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"aA\"");
    }
}
