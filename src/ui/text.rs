//! Making untrusted text safe for the terminal, and fitting it into a width.
//!
//! Every string that came from AWS or a fixture goes through [`clean`] before it is drawn:
//! control characters, escape sequences and bidirectional overrides are replaced by visible
//! stand-ins (never silently dropped), so a grant name cannot move the cursor, change the
//! title or reorder what the operator reads.

use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Whether `c` must not reach the terminal as is: controls, bidi marks and overrides, and the
/// invisible characters (zero-width spaces and joiners, word joiner, invisible operators, the
/// byte order mark, the soft hyphen) that make two different strings look the same, or that
/// terminals draw with another width than ratatui measures (a soft hyphen cost its row the
/// table's right border).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
                | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}'
        )
}

/// The visible stand-in for an unsafe character: control pictures (`␛`, `␊`) for C0 and DEL,
/// `�` for the rest.
fn stand_in(c: char) -> char {
    match c {
        '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// `text` with every control character, escape or bidi override replaced visibly.
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_unsafe(c) { stand_in(c) } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` cut to at most `width` columns, ending in `…` when cut.
pub fn fit(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// `text` cut to at most `width` columns keeping its end, starting with `…` when cut.
pub fn fit_end(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        kept.push(c);
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    Cow::Owned(out)
}

/// Splits `text` into lines of at most `width` columns: at spaces where it has them, else by
/// character (ids and ARNs have no spaces to break at). `textwrap` does the work, told to fill
/// greedily, to break only at ASCII spaces and never after a hyphen (`service-role` stays whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let options = textwrap::Options::new(width.max(1))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .break_words(true);
    textwrap::wrap(text, options)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_run() {
        assert_eq!(clean("a\u{1b}]0;pwned\u{7}b"), "a␛]0;pwned␇b");
        assert_eq!(clean("line\nbreak\ttab\r"), "line␊break␉tab␍");
        assert_eq!(clean("del\u{7f}"), "del␡");
        assert_eq!(clean("c1\u{9b}2J"), "c1\u{FFFD}2J");
    }

    #[test]
    fn bidi_overrides_are_replaced() {
        assert_eq!(clean("admin\u{202E}txt.exe"), "admin\u{FFFD}txt.exe");
        assert_eq!(clean("\u{2066}x\u{2069}"), "\u{FFFD}x\u{FFFD}");
    }

    #[test]
    fn invisible_characters_are_replaced() {
        for c in [
            '\u{00AD}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{2060}',
            '\u{2061}',
            '\u{2062}',
            '\u{2063}',
            '\u{2064}',
            '\u{FEFF}',
            '\u{034F}',
            '\u{180E}',
            '\u{FE0F}',
            '\u{E0041}',
            '\u{115F}',
            '\u{1160}',
            '\u{3164}',
        ] {
            let text = format!("role/ad{c}min");
            assert_eq!(clean(&text), "role/ad\u{FFFD}min", "U+{:04X}", c as u32);
            // Every character now has the width the table measures it with.
            assert_eq!(clean(&text).width(), "role/ad?min".width());
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("alias/payments ⊆{a=b}"), Cow::Borrowed(_)));
    }

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        assert_eq!(
            wrap("Encrypt, Decrypt, GenerateDataKey", 18),
            ["Encrypt, Decrypt,", "GenerateDataKey"]
        );
        assert_eq!(wrap("0123456789abcdef", 6), ["012345", "6789ab", "cdef"]);
        assert_eq!(wrap("short", 10), ["short"]);
        assert_eq!(wrap("", 10), [""]);
        // Hyphens are not break points; wide characters count two columns.
        assert_eq!(
            wrap("role/service-role/orders x", 20),
            ["role/service-role/or", "ders x"]
        );
        assert_eq!(wrap("日本語テキスト", 6), ["日本語", "テキス", "ト"]);
    }

    #[test]
    fn fit_end_keeps_the_end() {
        assert_eq!(
            fit_end("role/service-role/svc-billing-reader", 16),
            "…-billing-reader"
        );
        assert_eq!(fit_end("role/x", 16), "role/x");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("payments", 10), "payments");
        assert_eq!(fit("payments-legacy", 8), "payment…");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
        assert_eq!(fit("x", 0), "");
    }
}
