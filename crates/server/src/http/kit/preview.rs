//! Link previews: when the meeting page `/m/{id}` is served, OpenGraph and Twitter tags with
//! the meeting's title, local time, description and an image go into its `<head>`. Facebook,
//! Messenger and most chat apps read only these tags (they run no JavaScript), so without them
//! a shared meeting link would show as a bare "borgermode".
//!
//! The page is otherwise the same compiled-in `index.html`. Since its body now differs per
//! meeting, it is sent without the static file's ETag and with `no-cache`. Unknown and draft
//! meetings get the plain page, with no meeting data in it.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Language;
use chrono_tz::Tz;

use super::{base_url, Facts, DEFAULT_IMAGE_PATH};
use crate::content::texts;
use crate::state::AppState;

/// Escape for an HTML attribute value or text.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max - 1).collect();
    if let Some(i) = cut.rfind(' ').filter(|i| *i > max / 2) {
        cut.truncate(i);
    }
    format!("{}…", cut.trim_end())
}

/// The `<meta>` tags (and `<title>`) of one meeting's page.
pub fn tags(f: &Facts, base: &str, tz: Tz) -> String {
    let lang = f.language;
    let when = f
        .starts_at
        .map(|s| texts::local_when(lang, tz, s, f.ends_at));
    let before = f.status == borgermode_domain::MeetingStatus::Scheduled;
    let lead = match (lang, &when) {
        (Language::Da, Some(w)) if before => format!("Digitalt borgermøde {w}. Følg med, og stil dine spørgsmål – allerede nu, før mødet."),
        (Language::Da, Some(w)) => format!("Digitalt borgermøde {w}. Følg med, og stil dine spørgsmål."),
        (Language::Da, None) => "Digitalt borgermøde. Følg med, og stil dine spørgsmål.".to_string(),
        (_, Some(w)) if before => format!("Digital town meeting, {w}. Follow along and ask your questions – already now, before the meeting."),
        (_, Some(w)) => format!("Digital town meeting, {w}. Follow along and ask your questions."),
        (_, None) => "Digital town meeting. Follow along and ask your questions.".to_string(),
    };
    let description = if f.description.is_empty() {
        lead
    } else {
        shorten(&format!("{lead} {}", f.description), 300)
    };
    let title = format!("{} · {}", f.title, f.organization);
    let url = format!("{base}/m/{}", f.id);
    let (image, large) = match &f.logo_url {
        Some(logo) => (format!("{base}{logo}"), false),
        None => (format!("{base}{DEFAULT_IMAGE_PATH}"), true),
    };
    let locale = match lang {
        Language::Da => "da_DK",
        _ => "en_GB",
    };
    let mut meta: Vec<(&str, &str, String)> = vec![
        ("name", "description", description.clone()),
        ("property", "og:type", "website".into()),
        ("property", "og:site_name", f.organization.clone()),
        ("property", "og:title", f.title.clone()),
        ("property", "og:description", description.clone()),
        ("property", "og:url", url),
        ("property", "og:locale", locale.into()),
        ("property", "og:image", image.clone()),
        ("property", "og:image:alt", f.title.clone()),
    ];
    if large {
        meta.push(("property", "og:image:type", "image/png".into()));
        meta.push(("property", "og:image:width", "1200".into()));
        meta.push(("property", "og:image:height", "630".into()));
    }
    let card = if large {
        "summary_large_image"
    } else {
        "summary"
    };
    meta.extend([
        ("name", "twitter:card", card.to_string()),
        ("name", "twitter:title", f.title.clone()),
        ("name", "twitter:description", description),
        ("name", "twitter:image", image),
    ]);
    let mut out = format!("<title>{}</title>\n", escape_html(&title));
    for (attr, key, value) in meta {
        out.push_str(&format!(
            "<meta {attr}=\"{key}\" content=\"{}\">\n",
            escape_html(&value)
        ));
    }
    out
}

/// Put the tags into the page: they replace its generic `<title>`.
pub fn inject(index: &str, tags: &str) -> String {
    let page = index.replacen("<title>borgermode</title>\n", "", 1);
    page.replacen("</head>", &format!("{tags}</head>"), 1)
}

/// `/m/{id}`: the app's page, with the meeting's preview tags when it is public.
pub async fn meeting_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    let facts = match uuid::Uuid::parse_str(&id) {
        Ok(id) => Facts::public(&state, id).await.ok().flatten(),
        Err(_) => None,
    };
    let Some(f) = facts else {
        return crate::http::pages::index_response(&req);
    };
    let base = base_url(&state, &req);
    let html = inject(
        &crate::http::pages::index_html(),
        &tags(&f, &base, state.settings.time_zone),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_leave_an_attribute() {
        assert_eq!(
            escape_html(r#"<script>"&'"#),
            "&lt;script&gt;&quot;&amp;&#39;"
        );
    }

    #[test]
    fn inject_replaces_the_generic_title() {
        let page = inject(
            "<head>\n<title>borgermode</title>\n<x>\n</head>",
            "<title>T</title>\n",
        );
        assert_eq!(page, "<head>\n<x>\n<title>T</title>\n</head>");
    }
}
