//! The lists the app shows (keys, a key's grants, retiring principals, retirable grants):
//! stable row ids and the derived view of indices (filtered, sorted). Their columns are
//! [`columns`], the text of each cell and its sort key [`cells`].
//!
//! Cell text is computed here, not in `ui`, so the filter matches exactly what is on screen.
//! Nothing here sanitizes: the renderer strips control characters from every cell it draws.

pub mod cells;
pub mod columns;

pub use self::cells::{cell_text, spec_usage};
use self::cells::{grant_row_cell, sort_key};
pub use self::columns::{
    Column, GrantColumn, KeyColumn, PrincipalColumn, RetirableColumn, SortKind, Width,
};
use self::columns::{GRANT_COLUMNS, KEY_COLUMNS, PRINCIPAL_COLUMNS, RETIRABLE_COLUMNS};
use super::data::Data;
use crate::domain::findings::FindingKind;
use crate::domain::{Grant, Key, Timestamp, key_id_of};
use std::cell::Cell;
use std::cmp::Ordering;
use std::sync::Arc;

/// Which list a view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    /// Every key of the account and region.
    Keys,
    /// The grants of one key.
    Grants { key_id: String },
    /// The retiring principals the source knows of.
    Principals,
    /// The grants one principal may retire.
    Retirable { principal: String },
}

/// What a sort compares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    /// Missing values sort after present ones.
    Number(Option<i64>),
    Text(String),
}

impl ListKind {
    /// The columns of this list, in display order.
    pub fn columns(&self) -> &'static [Column] {
        match self {
            Self::Keys => KEY_COLUMNS,
            Self::Grants { .. } => GRANT_COLUMNS,
            Self::Principals => PRINCIPAL_COLUMNS,
            Self::Retirable { .. } => RETIRABLE_COLUMNS,
        }
    }

    /// The column sorted by when a list is first opened (its index in [`ListKind::columns`]).
    pub fn default_sort(&self) -> usize {
        match self {
            Self::Keys => KeyColumn::Aliases.index(),
            Self::Principals => PrincipalColumn::Principal.index(),
            // Oldest grants first: the ones most likely to be stale.
            Self::Grants { .. } => GrantColumn::Created.index(),
            Self::Retirable { .. } => RetirableColumn::Created.index(),
        }
    }

    /// What the list is called in titles and messages.
    pub fn title(&self) -> &'static str {
        match self {
            Self::Keys => "Keys",
            Self::Grants { .. } => "Grants",
            Self::Principals => "Retiring principals",
            Self::Retirable { .. } => "Retirable grants",
        }
    }

    /// Whether the rows of this list are grants (so retire/revoke apply).
    pub fn holds_grants(&self) -> bool {
        matches!(self, Self::Grants { .. } | Self::Retirable { .. })
    }
}

/// The context cell text depends on.
#[derive(Debug, Clone, Copy)]
pub struct CellContext<'a> {
    pub data: &'a Data,
    pub now: Timestamp,
    /// Grants older than this many days have the `old` finding.
    pub stale_after_days: u32,
}

/// The number of items in the list's data (before filtering), `None` when not loaded.
pub fn item_count(data: &Data, kind: &ListKind) -> Option<usize> {
    match kind {
        ListKind::Keys => data.keys.loaded().map(Vec::len),
        ListKind::Grants { key_id } => data.grants_of(key_id).map(Vec::len),
        ListKind::Principals => data.principals.loaded().map(Vec::len),
        ListKind::Retirable { principal } => data.retirable_of(principal).map(Vec::len),
    }
}

/// The grant at `index` of a grant list.
pub fn grant_at<'a>(data: &'a Data, kind: &ListKind, index: usize) -> Option<&'a Grant> {
    match kind {
        ListKind::Grants { key_id } => data.grants_of(key_id)?.get(index),
        ListKind::Retirable { principal } => data.retirable_of(principal)?.get(index),
        _ => None,
    }
}

/// The key at `index` of the keys list.
pub fn key_at(data: &Data, index: usize) -> Option<&Key> {
    data.keys.loaded()?.get(index)
}

/// The principal at `index` of the principals list.
pub fn principal_at(data: &Data, index: usize) -> Option<&str> {
    data.principals.loaded()?.get(index).map(String::as_str)
}

/// A stable id for the row at `index`: survives reloads, filters and sorts.
pub fn row_id(data: &Data, kind: &ListKind, index: usize) -> Option<String> {
    match kind {
        ListKind::Keys => key_at(data, index).map(|k| k.id().to_owned()),
        ListKind::Principals => principal_at(data, index).map(str::to_owned),
        ListKind::Grants { .. } | ListKind::Retirable { .. } => {
            grant_at(data, kind, index).map(|g| format!("{}/{}", key_id_of(&g.key_id), g.grant_id))
        }
    }
}

/// A list on screen: filter, sort, cursor, and the derived rows (indices into the data).
///
/// The rows are derived in two steps, each cached until what it depends on changes: the sorted
/// order of every item (data, sort column, direction), and the lowercased text of every row's
/// cells that the filter searches (data). A filter keystroke only scans the cached text, and a
/// keystroke that narrows the filter only scans the rows already shown.
#[derive(Debug, Clone)]
pub struct ListView {
    pub kind: ListKind,
    /// The filter text (case-insensitive substring over every column).
    pub filter: String,
    /// Only grants with this finding (`f` cycles through the kinds).
    pub finding: Option<FindingKind>,
    pub sort_column: usize,
    pub sort_reverse: bool,
    /// Indices into the data, filtered and sorted. Derived: see [`ListView::recompute`].
    pub rows: Vec<usize>,
    /// Position of the cursor in `rows`.
    pub cursor: usize,
    /// The stable id of the row under the cursor, so it stays selected across changes.
    pub selected_id: Option<String>,
    /// First row drawn; only the renderer moves it, to keep the cursor in sight.
    pub offset: Cell<usize>,
    /// The data changed since `rows` were derived: [`ListView::recompute`] is due.
    pub dirty: bool,
    cache: Box<ViewCache>,
}

/// What [`ListView`] keeps between recomputes. Shared (`Arc`) so cloning a view stays cheap.
#[derive(Clone, Default)]
struct ViewCache {
    /// Every item index in sort order, for this (column, reverse).
    order: Option<(usize, bool, Arc<[usize]>)>,
    /// Per item, the lowercased text of its cells, separated by newlines (which a filter cannot
    /// contain, so a match never spans two cells), and the minute it was built in: ages are
    /// shown to the minute, so the text is built again when the clock moves to the next one.
    haystack: Option<(i64, Arc<[Box<str>]>)>,
    /// The filter, finding and order `rows` were derived with.
    derived_from: Option<(String, Option<FindingKind>, usize, bool)>,
    /// Changes whenever `rows` is derived again, unique across every view.
    rows_version: u64,
}

/// Where every view's [`ListView::rows_version`] comes from.
static ROWS_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl std::fmt::Debug for ViewCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewCache")
            .field(
                "order",
                &self.order.as_ref().map(|(c, r, o)| (c, r, o.len())),
            )
            .field("haystack", &self.haystack.as_ref().map(|(_, h)| h.len()))
            .finish()
    }
}

impl ListView {
    /// A new view of `kind`, unfiltered, in its default order.
    pub fn new(kind: ListKind) -> Self {
        let sort_column = kind.default_sort();
        Self {
            kind,
            filter: String::new(),
            finding: None,
            sort_column,
            sort_reverse: false,
            rows: Vec::new(),
            cursor: 0,
            selected_id: None,
            offset: Cell::new(0),
            dirty: false,
            cache: Box::default(),
        }
    }

    /// The keys list's sort column (`None` for other lists).
    pub fn key_sort(&self) -> Option<KeyColumn> {
        (self.kind == ListKind::Keys)
            .then(|| KeyColumn::of(self.sort_column))
            .flatten()
    }

    /// A key's grants list's sort column (`None` for other lists).
    pub fn grant_sort(&self) -> Option<GrantColumn> {
        matches!(self.kind, ListKind::Grants { .. })
            .then(|| GrantColumn::of(self.sort_column))
            .flatten()
    }

    /// Which derivation of `rows` this is: it changes whenever the rows are worked out again.
    pub fn rows_version(&self) -> u64 {
        self.cache.rows_version
    }

    /// The data index under the cursor.
    pub fn selected_index(&self) -> Option<usize> {
        self.rows.get(self.cursor).copied()
    }

    /// Rebuilds `rows` after the data changed: every cache is dropped.
    pub fn recompute(&mut self, ctx: CellContext<'_>) {
        *self.cache = ViewCache::default();
        self.dirty = false;
        self.refilter(ctx);
    }

    /// Rebuilds `rows` after the filter, finding or sort changed, reusing what the data allows:
    /// the sorted order, the searchable text, and (when the filter only narrowed) the rows.
    pub fn refilter(&mut self, ctx: CellContext<'_>) {
        let count = item_count(ctx.data, &self.kind).unwrap_or(0);
        let columns = self.kind.columns().len();
        let column = self.sort_column.min(columns.saturating_sub(1));
        let needle = self.filter.to_lowercase();
        let order = match &self.cache.order {
            Some((c, r, order))
                if *c == column && *r == self.sort_reverse && order.len() == count =>
            {
                Arc::clone(order)
            }
            _ => {
                let order = sorted_order(ctx, &self.kind, count, column, self.sort_reverse);
                self.cache.order = Some((column, self.sort_reverse, Arc::clone(&order)));
                order
            }
        };
        // Fetched (or built) first: building it forgets the rows it could narrow from.
        let haystack = (!needle.is_empty()).then(|| self.haystack(ctx, count));
        // Typing one more character only narrows: scan the rows shown, not every item.
        let narrowing = match &self.cache.derived_from {
            Some((old, finding, c, r)) => {
                !old.is_empty()
                    && needle.contains(old.as_str())
                    && *finding == self.finding
                    && (*c, *r) == (column, self.sort_reverse)
            }
            None => false,
        };
        let candidates: &[usize] = if narrowing { &self.rows } else { &order };
        let finding = self.finding;
        let has_finding = |i: usize| match finding {
            None => true,
            Some(kind) => grant_at(ctx.data, &self.kind, i).is_none_or(|grant| {
                ctx.data
                    .has_finding(grant, kind, ctx.now, ctx.stale_after_days)
            }),
        };
        let rows: Vec<usize> = match haystack {
            None => candidates
                .iter()
                .copied()
                .filter(|&i| has_finding(i))
                .collect(),
            Some(haystack) => {
                let finder = memchr::memmem::Finder::new(needle.as_bytes());
                candidates
                    .iter()
                    .copied()
                    .filter(|&i| {
                        haystack
                            .get(i)
                            .is_some_and(|text| finder.find(text.as_bytes()).is_some())
                    })
                    .filter(|&i| has_finding(i))
                    .collect()
            }
        };
        self.rows = rows;
        self.cache.rows_version = ROWS_VERSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.cache.derived_from = Some((needle, self.finding, column, self.sort_reverse));
        // Keep the same row selected if it is still shown; otherwise stay at the same height.
        let found = self
            .selected_id
            .as_ref()
            .and_then(|id| index_of_id(ctx.data, &self.kind, id))
            .and_then(|index| self.rows.iter().position(|&i| i == index));
        self.cursor = match found {
            Some(position) => position,
            None => self.cursor.min(self.rows.len().saturating_sub(1)),
        };
        self.remember_selection(ctx.data);
    }

    /// Drops the cached cell text (the data behind some cells changed, not the order): the
    /// filter builds it again when it next runs, and does not narrow from the old rows.
    pub fn forget_text(&mut self) {
        self.cache.haystack = None;
        self.cache.derived_from = None;
    }

    /// Builds the text the filter searches, if the data changed since it was built: opening
    /// the filter pays for it once, so every keystroke after only scans.
    pub fn prepare_filter(&mut self, ctx: CellContext<'_>) {
        let count = item_count(ctx.data, &self.kind).unwrap_or(0);
        self.haystack(ctx, count);
    }

    /// The cached cell text, built first if it is missing, for another item count, or from
    /// another minute.
    fn haystack(&mut self, ctx: CellContext<'_>, count: usize) -> Arc<[Box<str>]> {
        let minute = ctx.now.millis().div_euclid(60_000);
        match &self.cache.haystack {
            Some((built, text)) if *built == minute && text.len() == count => Arc::clone(text),
            _ => {
                let text = build_haystack(ctx, &self.kind, count);
                self.cache.haystack = Some((minute, Arc::clone(&text)));
                // Rows derived from older text are no base to narrow from.
                self.cache.derived_from = None;
                text
            }
        }
    }

    /// Moves the cursor to `position` (clamped) and remembers the row's id.
    pub fn move_to(&mut self, position: usize, data: &Data) {
        self.cursor = position.min(self.rows.len().saturating_sub(1));
        self.remember_selection(data);
    }

    /// Remembers the id under the cursor. An empty list keeps the old id, so a filter that
    /// matches nothing and is then cleared returns to the same row.
    fn remember_selection(&mut self, data: &Data) {
        if let Some(id) = self
            .selected_index()
            .and_then(|i| row_id(data, &self.kind, i))
        {
            self.selected_id = Some(id);
        }
    }
}

/// Every item index of the list, sorted by `column` (ties keep data order).
fn sorted_order(
    ctx: CellContext<'_>,
    kind: &ListKind,
    count: usize,
    column: usize,
    reverse: bool,
) -> Arc<[usize]> {
    let mut keyed: Vec<(SortKey, usize)> = (0..count)
        .map(|i| (sort_key(ctx, kind, i, column), i))
        .collect();
    keyed.sort_by(|a, b| {
        let order = compare_keys(&a.0, &b.0);
        let order = if reverse { order.reverse() } else { order };
        order.then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The filter's text of every item: its cells, lowercased, one line each.
fn build_haystack(ctx: CellContext<'_>, kind: &ListKind, count: usize) -> Arc<[Box<str>]> {
    let columns = kind.columns().len();
    let mut line = String::new();
    let grants: &[Grant] = match kind {
        ListKind::Grants { key_id } => ctx.data.grants_of(key_id).map_or(&[], Vec::as_slice),
        ListKind::Retirable { principal } => {
            ctx.data.retirable_of(principal).map_or(&[], Vec::as_slice)
        }
        _ => &[],
    };
    // The account of the key the previous grant was on: a grant list is mostly one key.
    let mut home: Option<(&str, Option<&str>)> = None;
    (0..count)
        .map(|i| {
            line.clear();
            // A grant's row resolves the grant and its key's account once, not once per cell.
            let grant = grants.get(i).map(|grant| {
                let account = match home {
                    Some((key, account)) if key == &*grant.key_id => account,
                    _ => {
                        let account = ctx.data.home_account_of(&grant.key_id);
                        home = Some((&grant.key_id, account));
                        account
                    }
                };
                (grant, account)
            });
            for c in 0..columns {
                if c > 0 {
                    line.push('\n');
                }
                let text = match grant {
                    Some((grant, account)) => grant_row_cell(ctx, kind, grant, account, c),
                    None => cell_text(ctx, kind, i, c),
                };
                push_lowercase(&mut line, &text);
            }
            line.as_str().into()
        })
        .collect()
}

/// Appends `text` lowercased (ASCII quickly, the rest as `str::to_lowercase` would).
fn push_lowercase(out: &mut String, text: &str) {
    if text.is_ascii() {
        out.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&text.to_lowercase());
    }
}

/// The data index of the item whose stable id (as [`row_id`] makes it) is `id`.
fn index_of_id(data: &Data, kind: &ListKind, id: &str) -> Option<usize> {
    match kind {
        ListKind::Keys => data.key_position(id),
        ListKind::Principals => data.principals.loaded()?.iter().position(|p| p == id),
        ListKind::Grants { key_id } => {
            let (key, grant) = id.split_once('/')?;
            (key_id_of(key_id) == key).then_some(())?;
            data.grants_of(key_id)?
                .iter()
                .position(|g| g.grant_id == grant)
        }
        ListKind::Retirable { principal } => {
            let (key, grant) = id.split_once('/')?;
            data.retirable_of(principal)?
                .iter()
                .position(|g| g.grant_id == grant && key_id_of(&g.key_id) == key)
        }
    }
}

/// Missing numbers sort last in ascending order.
fn compare_keys(a: &SortKey, b: &SortKey) -> Ordering {
    match (a, b) {
        (SortKey::Number(Some(x)), SortKey::Number(Some(y))) => x.cmp(y),
        (SortKey::Number(None), SortKey::Number(Some(_))) => Ordering::Greater,
        (SortKey::Number(Some(_)), SortKey::Number(None)) => Ordering::Less,
        _ => a.cmp(b),
    }
}
