//! `:export FILE`: the current list, after filter and sort, as CSV or JSON (by extension), with
//! full values (whole ids, ARNs, every grant field) rather than the shortened cells.
//!
//! Pure: builds the file's contents; the runtime writes them (atomically).

use super::data::Data;
use super::list::{self, ListKind, ListView};
use crate::domain::Timestamp;
use serde_json::{Value, json};

/// The two formats, chosen by the file's extension.
/// Why an export was not written; the status line says `cannot write PATH: ` and this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The path is not a regular file or absent (a device, a FIFO, a directory…).
    #[error("{0}")]
    NotAFile(String),
    /// A file is there and `:export` (not `:export!`) was asked.
    #[error("it exists; :export! {path} replaces it")]
    Exists { path: String },
    /// Writing it failed: the OS's reason.
    #[error("{0}")]
    Io(String),
    /// The task that wrote it failed.
    #[error("{0}")]
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// `.csv` or `.json` (any case); anything else is `None`.
    pub fn from_path(path: &str) -> Option<Self> {
        let lower = path.to_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".json") {
            Some(Self::Json)
        } else {
            None
        }
    }
}

/// The rows of `view` as records: column name → value, in display order.
fn records(
    data: &Data,
    view: &ListView,
    now: Timestamp,
    stale_after_days: u32,
) -> (Vec<&'static str>, Vec<Vec<Value>>) {
    match &view.kind {
        ListKind::Keys => {
            let header = vec![
                "KeyId",
                "Arn",
                "Aliases",
                "KeyState",
                "KeyManager",
                "KeySpec",
                "KeyUsage",
                "CreationDate",
                "Description",
                "Grants",
                "GrantsWithFindings",
            ];
            let rows = view
                .rows
                .iter()
                .filter_map(|&i| list::key_at(data, i))
                .map(|key| {
                    let meta = &key.metadata;
                    vec![
                        json!(meta.key_id),
                        json!(meta.arn),
                        json!(
                            key.aliases
                                .iter()
                                .map(|a| a.alias_name.as_str())
                                .collect::<Vec<_>>()
                        ),
                        json!(key.described.then(|| meta.key_state.to_string())),
                        json!(meta.key_manager),
                        json!(meta.key_spec),
                        json!(meta.key_usage),
                        json!(meta.creation_date.map(Timestamp::rfc3339)),
                        json!(meta.description),
                        json!(data.grants_of(key.id()).map(Vec::len)),
                        json!(data.grants_with_findings(key.id())),
                    ]
                })
                .collect();
            (header, rows)
        }
        ListKind::Principals => {
            let header = vec!["RetiringPrincipal", "RetirableGrants"];
            let rows = view
                .rows
                .iter()
                .filter_map(|&i| list::principal_at(data, i))
                .map(|p| vec![json!(p), json!(data.retirable_of(p).map(Vec::len))])
                .collect();
            (header, rows)
        }
        ListKind::Grants { .. } | ListKind::Retirable { .. } => {
            let header = vec![
                "KeyId",
                "KeyAliases",
                "GrantId",
                "Name",
                "CreationDate",
                "GranteePrincipal",
                "GranteeServicePrincipal",
                "RetiringPrincipal",
                "RetiringServicePrincipal",
                "IssuingAccount",
                "Operations",
                "Constraints",
                "Findings",
                "ThisSession",
            ];
            let rows = view
                .rows
                .iter()
                .filter_map(|&i| list::grant_at(data, &view.kind, i))
                .map(|g| {
                    let findings: Vec<&str> = data
                        .findings_of(g, now, stale_after_days)
                        .iter()
                        .map(|f| f.code())
                        .collect();
                    let aliases: Vec<&str> = data
                        .key(&g.key_id)
                        .map(|k| k.aliases.iter().map(|a| a.alias_name.as_str()).collect())
                        .unwrap_or_default();
                    // A grant this session deleted that KMS still lists is not a live grant.
                    let session = data
                        .pending_delete(&g.key_id, &g.grant_id, now)
                        .map(|kind| format!("{} · pending", kind.past()));
                    vec![
                        json!(g.key_id),
                        json!(aliases),
                        json!(g.grant_id),
                        json!(g.name),
                        json!(g.creation_date.map(Timestamp::rfc3339)),
                        json!(g.grantee_principal),
                        json!(g.grantee_service_principal),
                        json!(g.retiring_principal),
                        json!(g.retiring_service_principal),
                        json!(g.issuing_account),
                        json!(g.operations.iter().map(|o| o.as_str()).collect::<Vec<_>>()),
                        json!(g.constraints),
                        json!(findings),
                        json!(session),
                    ]
                })
                .collect();
            (header, rows)
        }
    }
}

/// The file contents for `view` in `format`, and how many rows it holds.
pub fn render(
    data: &Data,
    view: &ListView,
    format: Format,
    now: Timestamp,
    stale_after_days: u32,
) -> (String, usize) {
    let (header, rows) = records(data, view, now, stale_after_days);
    let count = rows.len();
    let text = match format {
        Format::Json => {
            let objects: Vec<Value> = rows
                .into_iter()
                .map(|row| {
                    Value::Object(
                        header
                            .iter()
                            .zip(row)
                            .filter(|(_, v)| !v.is_null())
                            .map(|(k, v)| ((*k).to_owned(), v))
                            .collect(),
                    )
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&objects).unwrap_or_default();
            text.push('\n');
            text
        }
        // Writing into memory cannot fail, and every row has the header's length.
        Format::Csv => csv_text(&header, &rows).unwrap_or_default(),
    };
    (text, count)
}

/// The CSV file (RFC 4180, CRLF line ends): fields are quoted by the `csv` crate only when they
/// hold a comma, a quote or a line break.
fn csv_text(header: &[&str], rows: &[Vec<Value>]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row.iter().map(cell_text))?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    // The bytes are the UTF-8 of the header and the cells, with ASCII quotes and separators.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The text of one CSV field, before quoting: lists joined by spaces, objects as JSON. A field
/// that a spreadsheet would run as a formula is prefixed with `'`.
fn cell_text(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `value` as it lands in a CSV line (a second field keeps an empty one from being quoted
    /// as an empty record).
    fn csv_cell(value: &Value) -> String {
        let text = csv_text(&["A", "B"], &[vec![value.clone(), json!("end")]]).expect("csv");
        let line = text.strip_prefix("A,B\r\n").expect("the header");
        line.strip_suffix(",end\r\n").expect("one line").to_owned()
    }

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell(&json!("plain")), "plain");
        assert_eq!(csv_cell(&json!("a,b")), "\"a,b\"");
        assert_eq!(csv_cell(&json!("say \"hi\"")), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell(&json!("two\nlines")), "\"two\nlines\"");
        assert_eq!(csv_cell(&json!("=HYPERLINK(1)")), "'=HYPERLINK(1)");
        assert_eq!(csv_cell(&json!(["Decrypt", "Encrypt"])), "Decrypt Encrypt");
        assert_eq!(
            csv_cell(&json!({"EncryptionContextSubset": {"a": "b"}})),
            "\"{\"\"EncryptionContextSubset\"\":{\"\"a\"\":\"\"b\"\"}}\""
        );
        assert_eq!(csv_cell(&Value::Null), "");
    }

    #[test]
    fn an_empty_view_is_its_header() {
        assert_eq!(
            csv_text(&["KeyId", "Arn"], &[]).expect("csv"),
            "KeyId,Arn\r\n"
        );
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_path("/tmp/x.CSV"), Some(Format::Csv));
        assert_eq!(Format::from_path("x.json"), Some(Format::Json));
        assert_eq!(Format::from_path("x.txt"), None);
    }
}
