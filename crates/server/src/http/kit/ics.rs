//! The meeting as an iCalendar file (RFC 5545), so a citizen can put it in their own calendar
//! with one tap. Written by hand rather than with a builder crate: the format is a handful of
//! lines, and the two parts that are easy to get wrong (TEXT escaping and folding at 75 octets
//! without cutting a UTF-8 character in two) are tested here and against a real parser.

use chrono::{DateTime, Duration, Utc};

/// Length assumed for a meeting without an end time.
pub const DEFAULT_DURATION: Duration = Duration::minutes(90);

/// What goes into the calendar entry.
pub struct CalendarEvent<'a> {
    /// Globally unique and stable across downloads: `<meeting id>@<host>`.
    pub uid: String,
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    /// `None`: [`DEFAULT_DURATION`] after the start.
    pub ends_at: Option<DateTime<Utc>>,
    pub summary: &'a str,
    /// Plain text (no Markdown).
    pub description: &'a str,
    pub url: &'a str,
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newline.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT; drop them.
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so that no physical line is longer than 75 octets (CRLF not
/// counted; a continuation line's leading space is), never inside a UTF-8 character.
pub fn fold(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// The whole `.ics` file.
pub fn calendar(ev: &CalendarEvent<'_>) -> String {
    let ends_at = ev
        .ends_at
        .filter(|e| *e > ev.starts_at)
        .unwrap_or(ev.starts_at + DEFAULT_DURATION);
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//borgermode//borgermode//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", ev.uid),
        format!("DTSTAMP:{}", utc(ev.stamp)),
        format!("DTSTART:{}", utc(ev.starts_at)),
        format!("DTEND:{}", utc(ends_at)),
        format!("SUMMARY:{}", escape_text(ev.summary)),
        format!("DESCRIPTION:{}", escape_text(ev.description)),
        format!("LOCATION:{}", escape_text(ev.url)),
        format!("URL:{}", ev.url),
        "STATUS:CONFIRMED".to_string(),
        "TRANSP:OPAQUE".to_string(),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

/// A file name for the download: ASCII letters, digits and dashes from the title.
pub fn file_name(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        let mapped = match c {
            'æ' | 'Æ' => "ae",
            'ø' | 'Ø' => "oe",
            'å' | 'Å' => "aa",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "borgermode.ics".into()
    } else {
        format!("{out}.ics")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_on_octet_boundaries_without_splitting_characters() {
        // 'æ' is two octets: 40 of them are 80 octets, so the 75-octet limit falls mid-char.
        let line = format!("SUMMARY:{}", "æ".repeat(40));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() >= 2, "{folded:?}");
        for (i, l) in physical.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets: {l:?}", l.len());
            if i > 0 {
                assert!(l.starts_with(' '), "continuation without space: {l:?}");
            }
        }
        // "SUMMARY:" is 8 octets, so 33 æ (66 octets) fit on the first line (74), not 34 (76).
        assert_eq!(physical[0].len(), 8 + 33 * 2);
        let unfolded: String = physical
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, line);
        // Four-octet emoji near the boundary.
        let line = format!("DESCRIPTION:{}{}", "a".repeat(60), "🎉".repeat(10));
        for l in fold(&line).trim_end_matches("\r\n").split("\r\n") {
            assert!(l.len() <= 75);
        }
        // Exactly 75 octets: no fold.
        assert_eq!(fold(&"x".repeat(75)), format!("{}\r\n", "x".repeat(75)));
        assert_eq!(
            fold(&"x".repeat(76)),
            format!("{}\r\n x\r\n", "x".repeat(75))
        );
    }

    #[test]
    fn text_escaping() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf"),
            "a\\\\b\\;c\\,d\\ne\\nf".to_string()
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("Borgermøde om Å-stien, 2026!"),
            "borgermoede-om-aa-stien-2026.ics"
        );
        assert_eq!(file_name("\"; rm -rf /"), "rm-rf.ics");
        assert_eq!(file_name("🎉"), "borgermode.ics");
    }
}
