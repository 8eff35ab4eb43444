//! Keeping secrets off the screen and out of files: the userinfo of a URL
//! (`http://admin:S3cret@host`) and AWS access key ids.
//!
//! The endpoint a session shows (header, window title, audit log, copied commands) is masked
//! once, where the source is built ([`mask_userinfo`]); the log file and start-up errors go
//! through [`scrub`], which masks both wherever they appear in free text (the SDK's own debug
//! lines print the endpoint and the credentials' access key id).

use std::borrow::Cow;

/// What stands in for a hidden secret.
pub const MASK: &str = "•••";

/// `url` with the password of its userinfo masked (`http://admin:•••@host:4566`), or the whole
/// userinfo when it has no password (`http://•••@host`, the name may be a token).
pub fn mask_userinfo(url: &str) -> Cow<'_, str> {
    scrub_urls(url)
}

/// Secrets met so far (an endpoint's password), masked wherever they appear.
static REMEMBERED: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());

/// Remembers the userinfo secret of `url` (its password, or the whole userinfo when it has
/// none), so that [`scrub`] masks it in any form the SDK prints it (a connection pool prints
/// `admin:S3cret@host` without the scheme).
pub fn remember_url(url: &str) {
    let Some((_, rest)) = url.split_once("://") else {
        return;
    };
    let authority = &rest[..rest.find(ends_authority).unwrap_or(rest.len())];
    let Some(user_end) = authority.rfind('@') else {
        return;
    };
    let userinfo = &authority[..user_end];
    let secret = userinfo.split_once(':').map_or(userinfo, |(_, p)| p);
    // A one- or two-character password would mask every such letter pair of the log; the
    // patterns below still catch it in a URL.
    if secret.chars().count() < 3 {
        return;
    }
    let mut remembered = match REMEMBERED.write() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if !remembered.iter().any(|s| s == secret) {
        remembered.push(secret.to_owned());
    }
}

/// `text` with every URL's userinfo, every remembered secret and every access key id masked.
pub fn scrub(text: &str) -> Cow<'_, str> {
    // Most log lines hold none: nothing is copied for them.
    let mut out = Cow::Borrowed(text);
    if let Cow::Owned(changed) = scrub_urls(&out) {
        out = Cow::Owned(changed);
    }
    if let Some(changed) = scrub_remembered(&out) {
        out = Cow::Owned(changed);
    }
    if let Cow::Owned(changed) = scrub_key_ids(&out) {
        out = Cow::Owned(changed);
    }
    out
}

/// `text` with every remembered secret masked, or `None` when it holds none.
fn scrub_remembered(text: &str) -> Option<String> {
    let remembered = match REMEMBERED.read() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut out: Option<String> = None;
    for secret in remembered.iter() {
        let current = out.as_deref().unwrap_or(text);
        if current.contains(secret.as_str()) {
            out = Some(current.replace(secret.as_str(), MASK));
        }
    }
    out
}

/// Where the authority of a URL ends.
fn ends_authority(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`' | ',' | '\\'
        )
}

fn scrub_urls(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let start = at + 3;
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find(ends_authority).unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(user_end) => {
                let userinfo = &authority[..user_end];
                if let Some((user, _)) = userinfo.split_once(':') {
                    out.push_str(user);
                    out.push(':');
                }
                out.push_str(MASK);
                out.push_str(&authority[user_end..]);
                changed = true;
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `word` has the shape of an AWS access key id: `AKIA` (long-term) or `ASIA`
/// (temporary) and 16 more upper-case letters or digits.
fn is_access_key_id(word: &str) -> bool {
    word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Masks access key ids: any word of their shape, and whatever the SDK prints as
/// `access_key_id: "…"` (a test's or a local server's key need not have the shape).
fn scrub_key_ids(text: &str) -> Cow<'_, str> {
    const FIELD: &str = "access_key_id: \"";
    let has_field = text.contains(FIELD);
    let has_shape = text.contains("AKIA") || text.contains("ASIA");
    if !has_field && !has_shape {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(FIELD) {
        out.push_str(&rest[..at + FIELD.len()]);
        let value = &rest[at + FIELD.len()..];
        let end = value.find('"').unwrap_or(value.len());
        out.push_str(MASK);
        rest = &value[end..];
    }
    out.push_str(rest);
    if has_shape {
        let mut words = String::with_capacity(out.len());
        let mut word = String::new();
        for c in out.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphanumeric() {
                word.push(c);
                continue;
            }
            if is_access_key_id(&word) {
                words.push_str(&word[..4]);
                words.push_str(MASK);
            } else {
                words.push_str(&word);
            }
            word.clear();
            words.push(c);
        }
        words.pop();
        out = words;
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_masked_and_the_rest_kept() {
        assert_eq!(
            mask_userinfo("http://admin:S3cret@127.0.0.1:4566"),
            "http://admin:•••@127.0.0.1:4566"
        );
        assert_eq!(
            mask_userinfo("https://token@kms.example.com/path?x=1"),
            "https://•••@kms.example.com/path?x=1"
        );
        assert_eq!(
            mask_userinfo("http://a:b:c@[::1]:80"),
            "http://a:•••@[::1]:80"
        );
        assert!(matches!(
            mask_userinfo("http://127.0.0.1:4566"),
            Cow::Borrowed(_)
        ));
        // In free text, every URL; an address after the path is not userinfo.
        assert_eq!(
            scrub("endpoint Some(\"http://u:p@h:1\"), url: \"https://x:y@z/a@b\" mail a@b"),
            "endpoint Some(\"http://u:•••@h:1\"), url: \"https://x:•••@z/a@b\" mail a@b"
        );
    }

    #[test]
    fn a_remembered_password_is_masked_in_any_form() {
        remember_url("http://admin:Pa55word-remembered@127.0.0.1:4566");
        assert_eq!(
            scrub(
                "pooling idle connection for (\"http\", admin:Pa55word-remembered@127.0.0.1:4566)"
            ),
            "pooling idle connection for (\"http\", admin:•••@127.0.0.1:4566)"
        );
        remember_url("http://Tok3n-remembered@host");
        assert_eq!(scrub("Tok3n-remembered@host"), "•••@host");
        // Too short to mask everywhere; still masked in a URL.
        remember_url("http://a:pw@host");
        assert_eq!(scrub("pwd http://a:pw@host"), "pwd http://a:•••@host");
    }

    #[test]
    fn access_key_ids_are_masked() {
        assert_eq!(
            scrub(
                "Credentials { provider_name: \"Env\", access_key_id: \"AKIDTEST\", secret_access_key: \"** redacted **\" }"
            ),
            "Credentials { provider_name: \"Env\", access_key_id: \"•••\", secret_access_key: \"** redacted **\" }"
        );
        assert_eq!(
            scrub("key AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE, not AKIAshort"),
            "key AKIA••• and ASIA•••, not AKIAshort"
        );
        assert!(matches!(scrub("kms:ListKeys done"), Cow::Borrowed(_)));
        // A role's unique id is no secret and stays.
        assert_eq!(scrub("AROAJQABLZS4A3QDU576Q"), "AROAJQABLZS4A3QDU576Q");
    }
}
