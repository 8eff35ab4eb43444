//! The columns of each list, as types: one enum per table (keys, grants, retirable grants,
//! principals), each with one const table of title, width, priority and how it sorts (bottom's
//! `ProcColumn` is the model). Nothing chooses a column by number: the cell, sort and refresh
//! code match on these enums.
//!
//! The text of a cell is [`list`](super)'s business; drawing is `ui`'s.

/// How wide a column is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Exactly this many cells.
    Fixed(u16),
    /// A share of what is left, at least `min` cells.
    Fill { min: u16, weight: u16 },
}

/// How a column sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    /// By its text, case-insensitively.
    Text,
    /// By a number (a count, a date); missing values last.
    Number,
}

/// A column: its title, width, priority and how it sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub width: Width,
    /// When the terminal is too narrow, columns with the lowest priority are hidden first.
    pub priority: u8,
    /// Cut long text at the start (`…/svc-billing-reader`): for principals, whose end tells
    /// them apart.
    pub keep_end: bool,
    pub sort: SortKind,
}

const fn fixed(title: &'static str, n: u16, priority: u8) -> Column {
    Column {
        title,
        width: Width::Fixed(n),
        priority,
        keep_end: false,
        sort: SortKind::Text,
    }
}

const fn fill(title: &'static str, min: u16, weight: u16, priority: u8) -> Column {
    Column {
        title,
        width: Width::Fill { min, weight },
        priority,
        keep_end: false,
        sort: SortKind::Text,
    }
}

/// A principal column: cut at the start when too long.
const fn principal(title: &'static str, min: u16, weight: u16, priority: u8) -> Column {
    Column {
        keep_end: true,
        ..fill(title, min, weight, priority)
    }
}

/// A column that sorts by a number.
const fn numeric(column: Column) -> Column {
    Column {
        sort: SortKind::Number,
        ..column
    }
}

/// Declares a column enum, its `ALL` in display order, its const table and `of(index)`.
macro_rules! columns {
    ($(#[$doc:meta])* $name:ident, $table:ident: $($variant:ident => $spec:expr,)+) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }

        /// The columns' specs, in display order (index for index with `ALL`).
        pub const $table: &[Column] = &[$($spec,)+];

        impl $name {
            /// Every column, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The column at `index` of the table, if any.
            pub fn of(index: usize) -> Option<Self> {
                Self::ALL.get(index).copied()
            }

            /// Where the column is in the table.
            pub fn index(self) -> usize {
                self as usize
            }

            /// Its title, width, priority and sort.
            pub fn spec(self) -> &'static Column {
                &$table[self as usize]
            }
        }
    };
}

columns! {
    /// The keys list.
    KeyColumn, KEY_COLUMNS:
    Aliases => fill("Aliases", 14, 3, 9),
    KeyId => fixed("Key ID", 12, 7),
    State => fixed("State", 15, 8),
    Manager => fixed("Manager", 8, 3),
    SpecUsage => fixed("Spec / usage", 21, 4),
    Grants => numeric(fixed("Grants", 6, 9)),
    Created => numeric(fixed("Created", 10, 5)),
    Description => fill("Description", 12, 4, 2),
    Findings => numeric(fixed("Findings", 8, 8)),
}

columns! {
    /// A key's grants.
    GrantColumn, GRANT_COLUMNS:
    // Wide enough for "revoked · pending" and a bit of the name.
    Name => fill("Name", 19, 3, 7),
    GrantId => fixed("Grant ID", 9, 8),
    Grantee => principal("Grantee", 18, 4, 9),
    RetiringPrincipal => principal("Retiring principal", 10, 3, 4),
    Operations => fill("Operations", 10, 3, 6),
    Constraints => fill("Constraints", 8, 2, 3),
    Created => numeric(fixed("Created", 15, 7)),
    // The issuing account is nearly always the key's own: the first column to go.
    Issuer => fixed("Issuer", 12, 1),
    Findings => fill("Findings", 12, 3, 8),
}

columns! {
    /// The grants a principal may retire: the key first, then the grant's own columns (the
    /// retiring principal is the list's own).
    RetirableColumn, RETIRABLE_COLUMNS:
    Key => fill("Key", 10, 2, 9),
    Name => fill("Name", 10, 2, 6),
    GrantId => fixed("Grant ID", 9, 8),
    Grantee => principal("Grantee", 14, 4, 9),
    Operations => fill("Operations", 10, 3, 7),
    Constraints => fill("Constraints", 8, 2, 3),
    Created => numeric(fixed("Created", 15, 5)),
    Issuer => fixed("Issuer", 12, 2),
    Findings => fill("Findings", 12, 3, 8),
}

columns! {
    /// The retiring principals.
    PrincipalColumn, PRINCIPAL_COLUMNS:
    Principal => fill("Retiring principal", 20, 1, 9),
    Grants => numeric(fixed("Grants", 8, 9)),
}

impl KeyColumn {
    /// Whether only DescribeKey tells it (empty, or `…` for the state, until it answers).
    pub fn needs_description(self) -> bool {
        matches!(
            self,
            Self::State | Self::Manager | Self::SpecUsage | Self::Created | Self::Description
        )
    }

    /// Whether its order changes when a key is described (its findings depend on the state).
    pub fn changes_with_description(self) -> bool {
        self.needs_description() || self == Self::Findings
    }

    /// Whether its order changes when a key's grants are listed (it counts them).
    pub fn changes_with_grants(self) -> bool {
        matches!(self, Self::Grants | Self::Findings)
    }
}

impl RetirableColumn {
    /// The grant column it shows, for all but the key.
    pub fn grant_column(self) -> Option<GrantColumn> {
        Some(match self {
            Self::Key => return None,
            Self::Name => GrantColumn::Name,
            Self::GrantId => GrantColumn::GrantId,
            Self::Grantee => GrantColumn::Grantee,
            Self::Operations => GrantColumn::Operations,
            Self::Constraints => GrantColumn::Constraints,
            Self::Created => GrantColumn::Created,
            Self::Issuer => GrantColumn::Issuer,
            Self::Findings => GrantColumn::Findings,
        })
    }
}
