//! The text of each cell, exactly as drawn (before control characters are replaced), and the
//! key each column sorts by: one `match` per table over its column enum.
//!
//! Nothing here sanitizes or draws; [`columns`](super::columns) says what the columns are.

use super::columns::{GrantColumn, KeyColumn, PrincipalColumn, RetirableColumn};
use super::{CellContext, ListKind, SortKey, grant_at, key_at, principal_at};
use crate::app::data::{Data, Load};
use crate::domain::display::{short_id, short_principal};
use crate::domain::{Grant, Key, Timestamp, arn_account};

/// The text of one cell, exactly as drawn (before control characters are replaced).
pub fn cell_text(ctx: CellContext<'_>, kind: &ListKind, index: usize, column: usize) -> String {
    match kind {
        ListKind::Keys => key_at(ctx.data, index)
            .zip(KeyColumn::of(column))
            .map(|(k, column)| key_cell(ctx, k, column))
            .unwrap_or_default(),
        ListKind::Principals => principal_at(ctx.data, index)
            .zip(PrincipalColumn::of(column))
            .map(|(p, column)| principal_cell(ctx.data, p, column))
            .unwrap_or_default(),
        ListKind::Grants { .. } | ListKind::Retirable { .. } => grant_at(ctx.data, kind, index)
            .map(|g| grant_row_cell(ctx, kind, g, ctx.data.home_account_of(&g.key_id), column))
            .unwrap_or_default(),
    }
}

/// A cell of a grant list, given the account of the grant's key. The retirable list puts the
/// key first, then the grant's own columns.
pub(super) fn grant_row_cell(
    ctx: CellContext<'_>,
    kind: &ListKind,
    grant: &Grant,
    home: Option<&str>,
    column: usize,
) -> String {
    let column = match kind {
        ListKind::Retirable { .. } => match RetirableColumn::of(column) {
            Some(RetirableColumn::Key) => return ctx.data.key_label(&grant.key_id),
            Some(column) => column.grant_column(),
            None => None,
        },
        _ => GrantColumn::of(column),
    };
    column
        .map(|column| grant_cell(ctx, grant, home, column))
        .unwrap_or_default()
}

fn key_cell(ctx: CellContext<'_>, key: &Key, column: KeyColumn) -> String {
    let meta = &key.metadata;
    // Until DescribeKey answers, only the id, ARN, aliases and grants are known.
    if !key.described && column.needs_description() {
        return match (column, ctx.data.describe_errors.get(key.id())) {
            (KeyColumn::State, Some(_)) => "error".to_owned(),
            (KeyColumn::Description, Some(err)) => format!("cannot describe: {err}"),
            (KeyColumn::State, None) => "…".to_owned(),
            _ => String::new(),
        };
    }
    if column == KeyColumn::Description
        && let Some(Load::Failed(reason)) = ctx.data.grants.get(key.id())
    {
        return format!("cannot list grants: {reason}");
    }
    match column {
        KeyColumn::Aliases => {
            let names: Vec<&str> = key
                .aliases
                .iter()
                .map(|a| a.alias_name.strip_prefix("alias/").unwrap_or(&a.alias_name))
                .collect();
            if names.is_empty() {
                "—".to_owned()
            } else {
                names.join(", ")
            }
        }
        KeyColumn::KeyId => short_id(key.id()),
        KeyColumn::State => meta.key_state.to_string(),
        KeyColumn::Manager => match meta.key_manager.as_deref() {
            Some("AWS") => "AWS".to_owned(),
            Some("CUSTOMER") => "Customer".to_owned(),
            Some(other) => other.to_owned(),
            None => "—".to_owned(),
        },
        KeyColumn::SpecUsage => spec_usage(key),
        KeyColumn::Grants => ctx.data.grant_count_text(key.id()),
        KeyColumn::Findings => ctx
            .data
            .grants_with_findings(key.id())
            .map(|n| n.to_string())
            .unwrap_or_default(),
        KeyColumn::Created => meta.creation_date.map(Timestamp::date).unwrap_or_default(),
        KeyColumn::Description => meta.description.clone().unwrap_or_default(),
    }
}

/// `SYMMETRIC_DEFAULT enc`, `RSA_2048 sign`, `HMAC_256 mac`.
pub fn spec_usage(key: &Key) -> String {
    let meta = &key.metadata;
    let usage = match meta.key_usage.as_deref() {
        Some("ENCRYPT_DECRYPT") => "enc",
        Some("SIGN_VERIFY") => "sign",
        Some("GENERATE_VERIFY_MAC") => "mac",
        Some("KEY_AGREEMENT") => "agree",
        Some(other) => other,
        None => "",
    };
    match meta.key_spec.as_deref() {
        Some(spec) if usage.is_empty() => spec.to_owned(),
        Some(spec) => format!("{spec} {usage}"),
        None => usage.to_owned(),
    }
}

/// A grant's own cell, given the account of its key (looked up once per row, not per cell).
fn grant_cell(
    ctx: CellContext<'_>,
    grant: &Grant,
    home: Option<&str>,
    column: GrantColumn,
) -> String {
    match column {
        GrantColumn::Name => {
            let name = grant.name.as_deref().unwrap_or_default();
            match ctx
                .data
                .pending_delete(&grant.key_id, &grant.grant_id, ctx.now)
            {
                Some(kind) => format!("{} · pending {name}", kind.past())
                    .trim_end()
                    .to_owned(),
                None => name.to_owned(),
            }
        }
        GrantColumn::GrantId => short_id(&grant.grant_id),
        GrantColumn::Grantee => grant
            .grantee()
            .map(|p| short_principal(p, home))
            .unwrap_or_else(|| "—".to_owned()),
        GrantColumn::RetiringPrincipal => grant
            .retiree()
            .map(|p| short_principal(p, home))
            .unwrap_or_else(|| "—".to_owned()),
        GrantColumn::Operations => grant.operations_compact(),
        GrantColumn::Constraints => grant.constraints_summary(),
        GrantColumn::Created => match grant.creation_date {
            Some(t) => format!("{} {:>4}", t.date(), t.age(ctx.now)),
            None => "—".to_owned(),
        },
        GrantColumn::Findings => ctx
            .data
            .findings_of(grant, ctx.now, ctx.stale_after_days)
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(" "),
        GrantColumn::Issuer => grant
            .issuing_account
            .as_deref()
            .map(|a| arn_account(a).unwrap_or(a).to_owned())
            .unwrap_or_else(|| "—".to_owned()),
    }
}

fn principal_cell(data: &Data, principal: &str, column: PrincipalColumn) -> String {
    match column {
        PrincipalColumn::Principal => principal.to_owned(),
        PrincipalColumn::Grants => data.retirable_count_text(principal),
    }
}

/// What row `index` sorts by in `column`: the number of a numeric column, else the cell's text.
pub(super) fn sort_key(
    ctx: CellContext<'_>,
    kind: &ListKind,
    index: usize,
    column: usize,
) -> SortKey {
    let created =
        |g: Option<&Grant>| SortKey::Number(g.and_then(|g| g.creation_date).map(Timestamp::millis));
    let grant_created = match kind {
        ListKind::Grants { .. } => GrantColumn::of(column) == Some(GrantColumn::Created),
        ListKind::Retirable { .. } => RetirableColumn::of(column) == Some(RetirableColumn::Created),
        _ => false,
    };
    if grant_created {
        return created(grant_at(ctx.data, kind, index));
    }
    match (kind, column) {
        (ListKind::Keys, c) if KeyColumn::of(c) == Some(KeyColumn::Grants) => SortKey::Number(
            key_at(ctx.data, index)
                .and_then(|k| ctx.data.grants_of(k.id()))
                .map(|g| g.len() as i64),
        ),
        (ListKind::Keys, c) if KeyColumn::of(c) == Some(KeyColumn::Findings) => SortKey::Number(
            key_at(ctx.data, index)
                .and_then(|k| ctx.data.grants_with_findings(k.id()))
                .map(|n| n as i64),
        ),
        (ListKind::Keys, c) if KeyColumn::of(c) == Some(KeyColumn::Created) => SortKey::Number(
            key_at(ctx.data, index)
                .and_then(|k| k.metadata.creation_date)
                .map(Timestamp::millis),
        ),
        (ListKind::Principals, c) if PrincipalColumn::of(c) == Some(PrincipalColumn::Grants) => {
            SortKey::Number(
                principal_at(ctx.data, index)
                    .and_then(|p| ctx.data.retirable_of(p))
                    .map(|g| g.len() as i64),
            )
        }
        _ => SortKey::Text(cell_text(ctx, kind, index, column).to_lowercase()),
    }
}
