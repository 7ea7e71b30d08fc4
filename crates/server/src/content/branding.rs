//! An organization's branding on its meeting pages: validation of what the organizer enters
//! and the views the pages get. Why the rules:
//! - Colours are `#rrggbb` only (no CSS expressions can reach a style), and the primary colour
//!   carries white text on buttons and is the link colour on white, so it must keep a contrast
//!   of at least 4.5:1 with white (WCAG AA); the accent stripe, a boundary, at least 3:1.
//! - The privacy contact becomes a link, so only `https:` URLs and e-mail addresses (`mailto:`)
//!   are accepted: never `javascript:` or anything else a browser would run.
//! - Logos are raster images (PNG, JPEG, WebP) recognised by their first bytes and served from
//!   our own origin with the sniffed type, so the page's CSP (`img-src 'self'`) holds and no
//!   SVG with scripts can be uploaded.

use borgermode_domain::DomainError;
use borgermode_protocol::organizations::{Branding, OrganizationView};

use crate::store::orgs::{OrganizationRecord, DEFAULT_ORGANIZATION};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_CONTACT_CHARS: usize = 300;
/// Largest logo upload in bytes.
pub const MAX_LOGO_BYTES: usize = 100 * 1024;
/// Contrast with white the primary colour must keep (text on buttons, links on cards).
pub const MIN_PRIMARY_CONTRAST: f64 = 4.5;
/// Contrast with white the accent stripe must keep (a visible boundary).
pub const MIN_ACCENT_CONTRAST: f64 = 3.0;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

pub fn validate_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || has_control(name) {
        return Err(DomainError::validation(
            "name",
            format!("1-{MAX_NAME_CHARS} characters, no control characters"),
        ));
    }
    Ok(name.to_string())
}

fn parse_hex(color: &str) -> Option<[u8; 3]> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2 relative luminance.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG 2 contrast ratio of a colour against white (1 to 21).
pub fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    1.05 / (luminance(rgb) + 0.05)
}

/// `""` clears; otherwise `#rrggbb` (stored lower case) with at least `min_contrast` on white.
pub fn validate_color(
    field: &'static str,
    color: &str,
    min_contrast: f64,
) -> Result<Option<String>, DomainError> {
    let color = color.trim();
    if color.is_empty() {
        return Ok(None);
    }
    let rgb =
        parse_hex(color).ok_or_else(|| DomainError::validation(field, "a colour like #0b5cad"))?;
    let ratio = contrast_with_white(rgb);
    if ratio < min_contrast {
        return Err(DomainError::validation(
            field,
            format!("contrast with white is {ratio:.1}:1; at least {min_contrast}:1 is needed (choose a darker colour)"),
        ));
    }
    Ok(Some(color.to_ascii_lowercase()))
}

/// A plausible e-mail address (trimmed, lower case). Deliverability is the invitee's business.
pub fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    if email.len() > 254 || has_control(&email) {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let bad = |c: char| c.is_whitespace() || "<>()[]\\,;:\"@".contains(c);
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !local.chars().any(bad)
        && !domain.chars().any(bad);
    ok.then_some(email)
}

fn https_url(contact: &str) -> bool {
    contact.len() > "https://".len()
        && contact
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        && !contact
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"'`\\".contains(c))
}

/// `""` clears; otherwise an https URL or an e-mail address.
pub fn validate_privacy_contact(contact: &str) -> Result<Option<String>, DomainError> {
    let contact = contact.trim();
    if contact.is_empty() {
        return Ok(None);
    }
    if contact.chars().count() > MAX_CONTACT_CHARS {
        return Err(DomainError::validation(
            "privacy_contact",
            format!("at most {MAX_CONTACT_CHARS} characters"),
        ));
    }
    if https_url(contact) {
        return Ok(Some(contact.to_string()));
    }
    normalize_email(contact).map(Some).ok_or_else(|| {
        DomainError::validation("privacy_contact", "an e-mail address or an https:// URL")
    })
}

/// The link for a stored privacy contact: `https:` as it is, an e-mail address as `mailto:`.
pub fn privacy_url(contact: &str) -> Option<String> {
    if https_url(contact) {
        Some(contact.to_string())
    } else {
        normalize_email(contact).map(|e| format!("mailto:{e}"))
    }
}

/// The image type of an uploaded logo, from its first bytes (never from what the client says).
pub fn sniff_logo(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn logo_url(org: &OrganizationRecord) -> Option<String> {
    org.logo_type.as_ref().map(|_| {
        format!(
            "/api/organizations/{}/logo?v={}",
            org.id.0, org.logo_version
        )
    })
}

pub fn organization_view(org: &OrganizationRecord) -> OrganizationView {
    OrganizationView {
        id: org.id.0,
        name: org.name.clone(),
        primary_color: org.primary_color.clone(),
        accent_color: org.accent_color.clone(),
        privacy_contact: org.privacy_contact.clone(),
        logo_url: logo_url(org),
        is_default: org.id == DEFAULT_ORGANIZATION,
        created_at: org.created_at,
    }
}

pub fn branding(org: &OrganizationRecord) -> Branding {
    Branding {
        organization_id: org.id.0,
        name: org.name.clone(),
        logo_url: logo_url(org),
        primary_color: org.primary_color.clone(),
        accent_color: org.accent_color.clone(),
        privacy_contact: org.privacy_contact.clone(),
        privacy_url: org.privacy_contact.as_deref().and_then(privacy_url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_need_hex_and_contrast() {
        assert_eq!(
            validate_color("primary_color", "#0B5CAD", MIN_PRIMARY_CONTRAST).ok(),
            Some(Some("#0b5cad".into()))
        );
        assert_eq!(
            validate_color("primary_color", " ", MIN_PRIMARY_CONTRAST).ok(),
            Some(None)
        );
        for bad in ["red", "#fff", "#12345g", "url(x)", "#0b5cad;color:red"] {
            assert!(validate_color("primary_color", bad, 1.0).is_err(), "{bad}");
        }
        // Yellow on white is unreadable; black is the maximum.
        assert!(validate_color("primary_color", "#ffff00", MIN_PRIMARY_CONTRAST).is_err());
        assert!((contrast_with_white([0, 0, 0]) - 21.0).abs() < 0.01);
        assert!((contrast_with_white([255, 255, 255]) - 1.0).abs() < 0.01);
    }

    #[test]
    fn privacy_contact_is_https_or_email() {
        assert_eq!(
            privacy_url("https://kommune.dk/privatliv").as_deref(),
            Some("https://kommune.dk/privatliv")
        );
        assert_eq!(
            validate_privacy_contact(" DPO@Kommune.dk ").ok(),
            Some(Some("dpo@kommune.dk".into()))
        );
        assert_eq!(
            privacy_url("dpo@kommune.dk").as_deref(),
            Some("mailto:dpo@kommune.dk")
        );
        for bad in [
            "javascript:alert(1)",
            "http://kommune.dk",
            "https://x.dk/\"><script>",
            "no at sign",
            "a@b",
            "data:text/html,x",
            "httpsæ://x",
        ] {
            assert!(validate_privacy_contact(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logos_are_sniffed() {
        assert_eq!(sniff_logo(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_logo(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(sniff_logo(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_logo(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_logo(b""), None);
    }
}
