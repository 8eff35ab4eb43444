//! Every list call, paged to the end, and the pace of every call: ListKeys, ListAliases,
//! ListGrants (a key's grants, or one grant by id), ListRetirableGrants, each page sent through
//! [`LiveKms::paced`], which writes and DescribeKey use too.
//!
//! Paging and pacing are hand-written on purpose; do not swap in the SDK paginators
//! (`into_paginator()`) or its adaptive retry mode (checked against aws-sdk-kms 1.129 and
//! aws-smithy-runtime 1.16). KMS quotas are per operation and shared by everything in the
//! account and region (ListGrants 100/s, DescribeKey 2,000/s): the
//! [`Pacer`](crate::source::pace::Pacer) keeps a ceiling per operation (by default 80% of its
//! quota), shared by every concurrent load of this source, and is asked before each page, not
//! once per list. A page KMS still throttles after the SDK's retries is waited out and sent
//! again from its own marker; the SDK's paginator ends its stream at the first error, so the
//! list would start over from the first page. The paginator follows `NextMarker` while it is
//! non-empty, ignoring `Truncated`, and stops quietly when a marker repeats the one just sent,
//! handing back a partial list as if it were whole; [`Pages`] stops when `Truncated` is false
//! and refuses any marker seen before (a loop of any length) or more pages than any real list
//! has, as [`SourceError::Malformed`]. Adaptive retry keeps one rate for all operations of the
//! service in a region, limits nothing until the first throttle, and keeps its state to itself,
//! so the status bar could not say that KMS is slowing the app (`KmsSource::pace`). Every
//! attempt is also counted in [`CallCounts`] for `record`'s report and the tests.

use super::convert::{alias_from, grant_from};
use super::{CallCounts, LiveKms};
use crate::domain::{Alias, Grant, Key, KeyMetadata};
use crate::source::SourceError;
use crate::source::pace::Op;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::AtomicU64;

/// The largest pages KMS serves.
const KEYS_PAGE: i32 = 1000;
const PAGE: i32 = 100;
/// More pages than any real list has (100,000 keys / 1,000; 50,000 grants / 100): a server that
/// keeps answering "truncated" past this is looping.
const MAX_PAGES: usize = 10_000;

impl LiveKms {
    /// Calls `fetch` for each page until the list ends: `fetch` gets the marker (none for the
    /// first page) and returns the page's items, `Truncated` and `NextMarker`.
    async fn paginate<T, F, Fut>(
        &self,
        op: Op,
        counter: &AtomicU64,
        mut fetch: F,
    ) -> Result<Vec<T>, SourceError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, SourceError>>,
    {
        let mut out = Vec::new();
        let mut pages = Pages::new(op.action());
        let mut marker: Option<String> = None;
        loop {
            let page = self.paced(op, counter, || fetch(marker.clone())).await?;
            out.extend(page.items);
            match pages.next(page.truncated, page.next_marker.as_deref())? {
                Some(next) => marker = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Makes one call of `op` at the pace the pacer allows. A call KMS still throttles after
    /// the SDK's own retries slows `op` down; a read is then tried again (up to the pacer's
    /// retries), so a big inventory slows instead of failing. A write is not: an earlier attempt
    /// may have gone through, and the operator should see the failure, not a second create.
    /// Every attempt counts in `counter`.
    pub(super) async fn paced<T, F, Fut>(
        &self,
        op: Op,
        counter: &AtomicU64,
        mut call: F,
    ) -> Result<T, SourceError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SourceError>>,
    {
        let retry = !matches!(op, Op::RetireGrant | Op::RevokeGrant | Op::CreateGrant);
        let mut retries = 0;
        loop {
            let started = self.pacer.acquire(op).await;
            CallCounts::bump(counter);
            match call().await {
                Ok(value) => {
                    self.pacer.succeeded(op).await;
                    return Ok(value);
                }
                Err(err @ SourceError::Throttled { .. }) => {
                    self.pacer.throttled(op, started).await;
                    if !retry || retries >= self.pacer.retries() {
                        return Err(err);
                    }
                    retries += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Every key id and ARN (ListKeys, all pages).
    async fn all_key_ids(&self) -> Result<Vec<(String, String)>, SourceError> {
        self.paginate(Op::ListKeys, &self.calls.list_keys, |marker| async move {
            let page = self
                .kms
                .list_keys()
                .limit(KEYS_PAGE)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.error("kms:ListKeys", "*", e))?;
            Ok(Page {
                items: page
                    .keys()
                    .iter()
                    .filter_map(|k| Some((k.key_id()?.to_owned(), k.key_arn()?.to_owned())))
                    .collect(),
                truncated: page.truncated(),
                next_marker: page.next_marker().map(str::to_owned),
            })
        })
        .await
    }

    /// Every alias (ListAliases, all pages).
    async fn all_aliases(&self) -> Result<Vec<Alias>, SourceError> {
        self.paginate(
            Op::ListAliases,
            &self.calls.list_aliases,
            |marker| async move {
                let page = self
                    .kms
                    .list_aliases()
                    .limit(PAGE)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| self.error("kms:ListAliases", "*", e))?;
                Ok(Page {
                    items: page.aliases().iter().filter_map(alias_from).collect(),
                    truncated: page.truncated(),
                    next_marker: page.next_marker().map(str::to_owned),
                })
            },
        )
        .await
    }

    /// Every key with its aliases, not yet described (ListKeys and ListAliases, side by side).
    pub(super) async fn all_keys(&self) -> Result<Vec<Key>, SourceError> {
        let (ids, aliases) = tokio::try_join!(self.all_key_ids(), self.all_aliases())?;
        let mut by_key: HashMap<String, Vec<Alias>> = HashMap::new();
        for alias in aliases {
            if let Some(target) = alias.target_key_id.clone() {
                by_key.entry(target).or_default().push(alias);
            }
        }
        Ok(ids
            .into_iter()
            .map(|(id, arn)| {
                let mut aliases = by_key.remove(&id).unwrap_or_default();
                aliases.sort_by(|a, b| a.alias_name.cmp(&b.alias_name));
                Key {
                    metadata: KeyMetadata::unknown(id, arn),
                    aliases,
                    described: false,
                }
            })
            .collect())
    }

    /// Every grant on `key_id` (ListGrants, all pages).
    pub(super) async fn all_grants(&self, key_id: &str) -> Result<Vec<Grant>, SourceError> {
        self.paginate(
            Op::ListGrants,
            &self.calls.list_grants,
            |marker| async move {
                let page = self
                    .kms
                    .list_grants()
                    .key_id(key_id)
                    .limit(PAGE)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| match self.error("kms:ListGrants", key_id, e) {
                        SourceError::NotFound { .. } => SourceError::KeyNotFound {
                            key_id: key_id.to_owned(),
                        },
                        other => other,
                    })?;
                Ok(grants_page(&page, key_id))
            },
        )
        .await
    }

    /// Every grant `principal` may retire (ListRetirableGrants, all pages).
    pub(super) async fn all_retirable_grants(
        &self,
        principal: &str,
    ) -> Result<Vec<Grant>, SourceError> {
        // A service principal (`dynamodb.amazonaws.com`) is asked for by its own parameter.
        let by_service = !principal.starts_with("arn:");
        let calls = &self.calls.list_retirable_grants;
        self.paginate(Op::ListRetirableGrants, calls, |marker| async move {
            let request = self
                .kms
                .list_retirable_grants()
                .limit(PAGE)
                .set_marker(marker);
            let request = if by_service {
                request.retiring_service_principal(principal)
            } else {
                request.retiring_principal(principal)
            };
            let page = request
                .send()
                .await
                .map_err(|e| self.error("kms:ListRetirableGrants", principal, e))?;
            Ok(Page {
                items: page.grants().iter().map(|g| grant_from(g, "")).collect(),
                truncated: page.truncated(),
                next_marker: page.next_marker().map(str::to_owned),
            })
        })
        .await
    }

    /// The grant `grant_id` on `key_id`, if it is listed.
    pub(super) async fn grant_by_id(
        &self,
        key_id: &str,
        grant_id: &str,
    ) -> Result<Option<Grant>, SourceError> {
        // ListGrants with the GrantId filter: one small page, however many grants the key has.
        let grants = self
            .paginate(
                Op::ListGrants,
                &self.calls.list_grants,
                |marker| async move {
                    let page = self
                        .kms
                        .list_grants()
                        .key_id(key_id)
                        .grant_id(grant_id)
                        .limit(PAGE)
                        .set_marker(marker)
                        .send()
                        .await
                        .map_err(|e| self.error("kms:ListGrants", key_id, e))?;
                    Ok(grants_page(&page, key_id))
                },
            )
            .await?;
        // A server that ignores the filter answers with every grant.
        Ok(grants.into_iter().find(|g| &*g.grant_id == grant_id))
    }
}

/// A ListGrants answer as a page of this key's grants.
fn grants_page(
    page: &aws_sdk_kms::operation::list_grants::ListGrantsOutput,
    key_id: &str,
) -> Page<Grant> {
    Page {
        items: page
            .grants()
            .iter()
            .map(|g| grant_from(g, key_id))
            .collect(),
        truncated: page.truncated(),
        next_marker: page.next_marker().map(str::to_owned),
    }
}

/// One page of a list call.
struct Page<T> {
    items: Vec<T>,
    truncated: bool,
    next_marker: Option<String>,
}

/// Follows `NextMarker` while `Truncated`, refusing a marker seen before or too many pages.
struct Pages {
    action: &'static str,
    seen: HashSet<String>,
    count: usize,
}

impl Pages {
    fn new(action: &'static str) -> Self {
        Self {
            action,
            seen: HashSet::new(),
            count: 0,
        }
    }

    /// The marker of the next page, or `None` at the end.
    fn next(
        &mut self,
        truncated: bool,
        marker: Option<&str>,
    ) -> Result<Option<String>, SourceError> {
        self.count += 1;
        let Some(marker) = marker.filter(|m| truncated && !m.is_empty()) else {
            return Ok(None);
        };
        if !self.seen.insert(marker.to_owned()) {
            return Err(SourceError::Malformed {
                action: self.action.to_owned(),
                detail:
                    "the server returned the same NextMarker twice, so the list would never end"
                        .to_owned(),
            });
        }
        if self.count >= MAX_PAGES {
            return Err(SourceError::Malformed {
                action: self.action.to_owned(),
                detail: format!("the list did not end after {MAX_PAGES} pages"),
            });
        }
        Ok(Some(marker.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stop_at_the_end_and_on_a_repeated_marker() {
        let mut pages = Pages::new("kms:ListGrants");
        assert_eq!(pages.next(true, Some("a")).unwrap().as_deref(), Some("a"));
        assert_eq!(pages.next(true, Some("b")).unwrap().as_deref(), Some("b"));
        assert!(matches!(
            pages.next(true, Some("a")),
            Err(SourceError::Malformed { .. })
        ));
        let mut pages = Pages::new("kms:ListGrants");
        assert_eq!(
            pages.next(false, Some("a")).unwrap(),
            None,
            "not truncated: done"
        );
        assert_eq!(pages.next(true, None).unwrap(), None);
        assert_eq!(pages.next(true, Some("")).unwrap(), None);
    }
}
