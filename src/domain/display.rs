//! Short forms of ids and principals for a cell, a title or a status line: `1234abcd…`,
//! `role/x` for a principal of the key's own account.
//!
//! Plain string work on domain values, shared by the app (labels, statuses, list cells) and the
//! renderer (titles, breadcrumbs). Nothing here sanitizes or measures terminal width: callers
//! still pass what they draw through `ui::text::clean`.

/// The first characters of a long id: `1234abcd…` (multi-Region keys keep their `mrk-` prefix).
pub fn short_id(id: &str) -> String {
    let keep = if id.starts_with("mrk-") { 12 } else { 8 };
    if id.chars().count() <= keep + 1 {
        id.to_owned()
    } else {
        let mut short: String = id.chars().take(keep).collect();
        short.push('…');
        short
    }
}

/// A principal shortened for a cell: the account is dropped when it is the key's own account.
/// `arn:aws:iam::111122223333:role/x` → `role/x`; another account's → `444455556666:role/x`.
/// Service principals and unique ids are shown as they are.
pub fn short_principal(principal: &str, home_account: Option<&str>) -> String {
    let Some(rest) = principal.strip_prefix("arn:") else {
        return principal.to_owned();
    };
    // partition:service:region:account:resource
    let mut parts = rest.splitn(5, ':');
    let (Some(_partition), Some(_service), Some(_region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return principal.to_owned();
    };
    if Some(account) == home_account {
        resource.to_owned()
    } else {
        format!("{account}:{resource}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_are_shortened_only_in_their_home_account() {
        let home = Some("111122223333");
        assert_eq!(
            short_principal("arn:aws:iam::111122223333:role/service-role/orders", home),
            "role/service-role/orders"
        );
        assert_eq!(
            short_principal("arn:aws:iam::444455556666:role/partner", home),
            "444455556666:role/partner"
        );
        assert_eq!(
            short_principal("dynamodb.us-east-2.amazonaws.com", home),
            "dynamodb.us-east-2.amazonaws.com"
        );
        assert_eq!(
            short_principal("AROAJQABLZS4A3QDU576Q", home),
            "AROAJQABLZS4A3QDU576Q"
        );
        assert_eq!(short_principal("arn:broken", home), "arn:broken");
    }

    #[test]
    fn short_ids() {
        assert_eq!(
            short_id("1234abcd-12ab-34cd-56ef-1234567890ab"),
            "1234abcd…"
        );
        assert_eq!(
            short_id("mrk-1234abcd12ab34cd56ef1234567890ab"),
            "mrk-1234abcd…"
        );
        assert_eq!(short_id("short"), "short");
    }
}
