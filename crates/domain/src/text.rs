//! Text rules: display names, post bodies and the folding used to compare names.
//!
//! Names and bodies are trimmed and NFC-normalized so that the same visible text is stored the
//! same way. Control characters and bidirectional overrides are refused in names, because they
//! let one person impersonate another ("Borgmester" spelled backwards by a U+202E).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::DomainError;

pub const NAME_MAX_CHARS: usize = 40;

/// Names no citizen may take, whatever the meeting's staff are called (folded form).
const RESERVED_NAMES: &[&str] = &[
    "moderator",
    "ordstyrer",
    "admin",
    "administrator",
    "organizer",
    "arrangor",
    "borgermode",
    "panelist",
];

pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Trim + NFC, then check a display name: 1..=40 characters, no control or bidi characters.
pub fn normalize_name(raw: &str) -> Result<String, DomainError> {
    let name: String = raw.trim().nfc().collect();
    let count = name.chars().count();
    if count == 0 {
        return Err(DomainError::validation("display_name", "must not be empty"));
    }
    if count > NAME_MAX_CHARS {
        return Err(DomainError::validation(
            "display_name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(DomainError::validation(
            "display_name",
            "must not contain control or text-direction characters",
        ));
    }
    Ok(name)
}

/// Trim + NFC a post or answer body and check its length against `max` characters. Newlines and
/// tabs are kept; other control characters and bidi overrides are refused.
pub fn normalize_body(raw: &str, field: &'static str, max: u32) -> Result<String, DomainError> {
    let body: String = raw.trim().nfc().collect();
    if body.is_empty() {
        return Err(DomainError::validation(field, "must not be empty"));
    }
    if body.chars().count() > max as usize {
        return Err(DomainError::BodyTooLong { field, max });
    }
    if body
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t' && c != '\r') || is_bidi_control(c))
    {
        return Err(DomainError::validation(
            field,
            "must not contain control or text-direction characters",
        ));
    }
    Ok(body)
}

/// Trim a short optional free text (reasons, notes); empty becomes `None`.
pub fn normalize_note(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, DomainError> {
    let Some(raw) = raw else { return Ok(None) };
    let note: String = raw.trim().nfc().collect();
    if note.is_empty() {
        return Ok(None);
    }
    if note.chars().count() > max {
        return Err(DomainError::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(note))
}

/// Case- and accent-insensitive form used to compare names and match keywords:
/// "Søren Ærø" and "soren aero" fold to the same string.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        let mapped: &str = match c {
            'ø' | 'Ø' => "o",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'ß' => "ss",
            'đ' | 'Đ' => "d",
            'ł' | 'Ł' => "l",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
            last_space = false;
            continue;
        }
        if c.is_whitespace() || c == '.' || c == '-' || c == '_' {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        for l in c.to_lowercase() {
            out.push(l);
        }
        last_space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

pub fn is_reserved_name(folded: &str) -> bool {
    RESERVED_NAMES.contains(&folded)
}

/// Whether `body` contains any keyword (folded, whole-substring match).
pub fn matches_keyword(body: &str, keywords: &[String]) -> bool {
    if keywords.is_empty() {
        return false;
    }
    let body = fold(body);
    keywords
        .iter()
        .map(|k| fold(k))
        .any(|k| !k.is_empty() && body.contains(&k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_case_accents_and_danish_letters() {
        assert_eq!(fold("Søren ÆRØ"), "soren aero");
        assert_eq!(fold("  José   Álvarez "), "jose alvarez");
        assert_eq!(fold("Åse"), "ase");
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(normalize_name("  Anne  ").unwrap(), "Anne");
        assert!(normalize_name("   ").is_err());
        assert!(normalize_name(&"x".repeat(41)).is_err());
        assert!(normalize_name(&"x".repeat(40)).is_ok());
        assert!(normalize_name("evil\u{202E}name").is_err());
        assert!(normalize_name("tab\tname").is_err());
        // NFC: e + combining acute becomes one character.
        assert_eq!(normalize_name("e\u{301}").unwrap(), "\u{e9}");
    }

    #[test]
    fn bodies_have_limits() {
        assert!(matches!(
            normalize_body(&"a".repeat(11), "body", 10),
            Err(DomainError::BodyTooLong {
                field: "body",
                max: 10
            })
        ));
        assert!(normalize_body("line1\nline2", "body", 100).is_ok());
        assert!(normalize_body(" \n ", "body", 100).is_err());
    }

    #[test]
    fn keywords_match_folded() {
        assert!(matches_keyword("Du er en IDIOT!", &["idiot".into()]));
        assert!(matches_keyword("Søren", &["soren".into()]));
        assert!(!matches_keyword("fine text", &["idiot".into()]));
    }
}
