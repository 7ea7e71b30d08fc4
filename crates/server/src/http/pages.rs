//! The browser client: static files from `web/`, compiled into the binary so that one file is
//! the whole installation. Every page is the same small app (it reads the path); every
//! response carries a strict Content-Security-Policy with no inline script or style.
//!
//! Pages: `/` (start), `/admin` (organizer), `/admin/invite` (accept an organizer invite), `/m/{id}` (citizens), `/m/{id}/staff`
//! (moderators and panelists), `/m/{id}/screen` (big screen in the hall), `/m/{id}/mine` (a
//! citizen's own questions), `/m/{id}/poster` (printable A4 poster, for the organizer).
//! `/m/{id}` itself carries link-preview tags and `/m/{id}/meeting.ics` is the calendar file
//! (both in `kit/`). Assets under
//! `/static/...` (ES modules, CSS, locale files). `/m/{id}/qr.svg` is the QR code of the
//! meeting's public link, made here; `/j/{code}` is the short link (the first 8 hex digits of
//! the meeting id) shown on the big screen and posters.
//!
//! Assets are gzip-compressed on the fly when the browser accepts it, and carry an ETag so a
//! revisit costs a 304. In debug builds, `BORGERMODE_WEB_DIR=web` serves the files from disk
//! instead, so the page can be edited without rebuilding the server.

use borgermode_domain::Code;
use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{web, HttpRequest, HttpResponse};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::http::errors::ApiError;
use crate::state::AppState;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com; media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! assets {
    ($($name:literal => $ctype:literal),* $(,)?) => {
        &[$(Asset { name: $name, content_type: $ctype, body: include_str!(concat!("../../../../web/", $name)) }),*]
    };
}

/// Every file the page may load. Only these names are served (also in the debug override).
static ASSETS: &[Asset] = assets![
    "index.html" => "text/html; charset=utf-8",
    "app.css" => "text/css; charset=utf-8",
    "report.css" => "text/css; charset=utf-8",
    "js/report.js" => "text/javascript; charset=utf-8",
    "js/main.js" => "text/javascript; charset=utf-8",
    "js/util.js" => "text/javascript; charset=utf-8",
    "js/live.js" => "text/javascript; charset=utf-8",
    "js/posts.js" => "text/javascript; charset=utf-8",
    "js/meeting.js" => "text/javascript; charset=utf-8",
    "js/staff.js" => "text/javascript; charset=utf-8",
    "js/admin.js" => "text/javascript; charset=utf-8",
    "js/orgs.js" => "text/javascript; charset=utf-8",
    "js/screen.js" => "text/javascript; charset=utf-8",
    "js/kit.js" => "text/javascript; charset=utf-8",
    "js/followup.js" => "text/javascript; charset=utf-8",
    "js/mine.js" => "text/javascript; charset=utf-8",
    "js/forms.js" => "text/javascript; charset=utf-8",
    "js/video.js" => "text/javascript; charset=utf-8",
    "js/ui.js" => "text/javascript; charset=utf-8",
    "js/client.js" => "text/javascript; charset=utf-8",
    "js/stream-panel.js" => "text/javascript; charset=utf-8",
    "js/meeting-info.js" => "text/javascript; charset=utf-8",
    "js/staff/keyed-list.js" => "text/javascript; charset=utf-8",
    "js/staff/tabs.js" => "text/javascript; charset=utf-8",
    "js/staff/settings.js" => "text/javascript; charset=utf-8",
    "js/staff/queue.js" => "text/javascript; charset=utf-8",
    "js/staff/moderation.js" => "text/javascript; charset=utf-8",
    "js/staff/compose.js" => "text/javascript; charset=utf-8",
    "js/staff/shortcuts.js" => "text/javascript; charset=utf-8",
    "js/staff/agenda.js" => "text/javascript; charset=utf-8",
    "js/staff/polls.js" => "text/javascript; charset=utf-8",
    "js/agenda.js" => "text/javascript; charset=utf-8",
    "js/polls.js" => "text/javascript; charset=utf-8",
    "js/similar.js" => "text/javascript; charset=utf-8",
    "locales/da.json" => "application/json; charset=utf-8",
    "locales/en.json" => "application/json; charset=utf-8",
];

static ETAGS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let hash = Sha256::digest(a.body.as_bytes());
            (a.name, format!("\"{}\"", &hex::encode(hash)[..20]))
        })
        .collect()
});

pub fn routes(cfg: &mut web::ServiceConfig) {
    // First: the kit's fixed paths under /static and /m/{id} win over the patterns below.
    crate::http::kit::routes(cfg);
    // The citizen page carries the meeting's link-preview tags (`kit/preview.rs`).
    cfg.service(
        web::resource("/m/{id}")
            .wrap(Compress::default())
            .route(web::get().to(crate::http::kit::preview::meeting_page)),
    );
    for page in [
        "/",
        "/admin",
        "/admin/invite",
        "/m/{id}/staff",
        "/m/{id}/screen",
        "/m/{id}/poster",
        "/m/{id}/mine",
    ] {
        cfg.service(
            web::resource(page)
                .wrap(Compress::default())
                .route(web::get().to(index)),
        );
    }
    cfg.service(
        web::resource("/static/{file:.*}")
            .wrap(Compress::default())
            .route(web::get().to(static_file)),
    )
    .service(
        web::resource("/m/{id}/qr.svg")
            .wrap(Compress::default())
            .route(web::get().to(qr_svg)),
    )
    .route("/j/{code}", web::get().to(short_link));
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// Debug builds only: the file from `BORGERMODE_WEB_DIR`, when that is set.
fn from_disk(name: &str) -> Option<String> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let dir = std::env::var_os("BORGERMODE_WEB_DIR")?;
    std::fs::read_to_string(std::path::Path::new(&dir).join(name)).ok()
}

fn serve(req: &HttpRequest, asset: &'static Asset) -> HttpResponse {
    if let Some(body) = from_disk(asset.name) {
        return HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body);
    }
    let etag = ETAGS.get(asset.name).map(String::as_str).unwrap_or("");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    // The names carry no version, so the browser revalidates every time (cheap: a 304).
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, etag));
    if matches {
        res.finish()
    } else {
        res.content_type(asset.content_type).body(asset.body)
    }
}

async fn index(req: HttpRequest) -> HttpResponse {
    index_response(&req)
}

/// The app's page as a static file (with its ETag).
pub fn index_response(req: &HttpRequest) -> HttpResponse {
    match find("index.html") {
        Some(asset) => serve(req, asset),
        None => HttpResponse::InternalServerError().finish(),
    }
}

/// The text of `index.html` (from disk with `BORGERMODE_WEB_DIR` in debug builds).
pub fn index_html() -> std::borrow::Cow<'static, str> {
    match from_disk("index.html") {
        Some(body) => body.into(),
        None => find("index.html")
            .map(|a| a.body)
            .unwrap_or_default()
            .into(),
    }
}

async fn static_file(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let name = file.into_inner();
    match find(&name) {
        Some(asset) if asset.name != "index.html" => Ok(serve(&req, asset)),
        _ => Err(ApiError::NotFound("file")),
    }
}

/// The public link of a meeting (what citizens open).
pub fn meeting_link(state: &AppState, id: Uuid) -> String {
    format!("{}/m/{}", state.settings.public_url(), id)
}

/// The short code of a meeting: the first 8 hex digits of its id.
pub fn short_code(id: Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// `/m/{id}/qr.svg`: the meeting's public link as a QR code (SVG, black on white).
async fn qr_svg(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state.room(id).await?;
    let link = meeting_link(&state, id);
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).map_err(|_| {
        ApiError::BadRequest {
            code: Code::ValidationFailed,
            detail: "the link is too long for a QR code".into(),
        }
    })?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(image))
}

/// `/j/{code}`: redirect a short code (8+ hex digits of the meeting id) to the meeting page.
async fn short_link(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner().to_ascii_lowercase().replace('-', "");
    if code.len() < 8 || code.len() > 32 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::NotFound("meeting"));
    }
    let ids = state.store.meetings().await?;
    let mut found = ids
        .iter()
        .map(|m| m.0)
        .filter(|id| id.simple().to_string().starts_with(&code));
    match (found.next(), found.next()) {
        (Some(id), None) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/m/{id}")))
            .finish()),
        _ => Err(ApiError::NotFound("meeting")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_listed_once() {
        let mut names: Vec<_> = ASSETS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ASSETS.len());
        assert!(ETAGS.len() == ASSETS.len());
    }

    /// Every file under `web/` that the client can load: the pages, styles, modules, locale
    /// files and images. The browser tests and the image's build tools are not served.
    fn files_in_web() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
        let mut found = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read web/") {
                let path = entry.expect("web/ entry").path();
                let rel = path
                    .strip_prefix(&root)
                    .expect("under web/")
                    .to_string_lossy()
                    .replace('\\', "/");
                if path.is_dir() {
                    if rel != "tests" && rel != "tools" {
                        dirs.push(path);
                    }
                } else if ["js", "css", "json", "html", "png"]
                    .iter()
                    .any(|ext| rel.ends_with(&format!(".{ext}")))
                {
                    found.push(rel);
                }
            }
        }
        found.sort();
        found
    }

    /// `every_asset_is_listed_once` sees only the list; this sees the folder, so a module
    /// added to web/js/ but left out of `ASSETS` fails here instead of as a 404 in a browser.
    #[test]
    fn every_file_in_web_is_served() {
        let files = files_in_web();
        assert!(
            files.iter().any(|f| f == "index.html"),
            "web/ walked from the wrong place: {files:?}"
        );
        // The preview image is served by the kit (`/static/og-default.png`), not from ASSETS.
        let kit_image = crate::http::kit::DEFAULT_IMAGE_PATH.trim_start_matches("/static/");
        let missing: Vec<_> = files
            .iter()
            .filter(|f| find(f).is_none() && f.as_str() != kit_image)
            .collect();
        assert!(missing.is_empty(), "in web/ but not served: {missing:?}");
    }

    #[test]
    fn pages_have_no_inline_script_or_style() {
        let html = find("index.html").expect("index.html is an asset").body;
        assert!(!html.is_empty(), "index.html is empty");
        assert!(!html.contains("<script>"));
        assert!(!html.contains("style="));
        assert!(!html.contains("<style"));
    }

    #[test]
    fn short_code_is_eight_hex_digits() {
        let id = Uuid::parse_str("415ed83f-1be7-4c38-ad90-b267c392af36").unwrap_or_default();
        assert_eq!(short_code(id), "415ed83f");
    }
}
