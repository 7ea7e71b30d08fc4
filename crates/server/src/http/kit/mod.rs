//! The announcement kit: what an organizer needs to get people to a meeting before it starts.
//! The seed's lesson was that announcement decides who comes (Facebook, the local weekly
//! paper, local radio), so every meeting gets, made from its own data:
//!
//! - `GET /m/{id}/meeting.ics`: the meeting as a calendar file (`ics.rs`), public;
//! - OpenGraph/Twitter tags in the HTML of `/m/{id}` (`preview.rs`), so a shared link shows
//!   title, local time and an image instead of a bare "borgermode";
//! - `GET /api/meetings/{id}/announcements` (in `api/announcements.rs`): ready-to-paste texts
//!   in Danish and English (`texts.rs`), local times and links, for the organizer page and the
//!   printable poster (`/m/{id}/poster`, drawn by `web/js/kit.js`).
//!
//! Draft meetings are not public: the public parts answer for them exactly as for an unknown
//! meeting. Local times use the installation's time zone (`--time-zone`).

pub mod ics;
pub mod preview;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Code;
use borgermode_domain::{Language, MeetingId, MeetingStatus};
use chrono::{DateTime, Utc};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use uuid::Uuid;

use crate::http::errors::ApiError;
use crate::live::room::Room;
use crate::state::AppState;

/// The default preview image (1200x630 PNG), made by `web/og-default.py`.
pub static DEFAULT_IMAGE: &[u8] = include_bytes!("../../../../../web/og-default.png");
pub const DEFAULT_IMAGE_PATH: &str = "/static/og-default.png";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/m/{id}/meeting.ics", web::get().to(meeting_ics))
        .route(DEFAULT_IMAGE_PATH, web::get().to(default_image));
}

/// A meeting's data as the kit needs it.
pub struct Facts {
    pub id: Uuid,
    pub status: MeetingStatus,
    pub title: String,
    pub description: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub language: Language,
    pub organization: String,
    /// Same-origin path of the organization's logo.
    pub logo_url: Option<String>,
    /// The agenda in order (empty without one).
    pub agenda: Vec<crate::content::texts::AgendaLine>,
}

impl Facts {
    pub async fn of(state: &AppState, room: &Room) -> Result<Facts, ApiError> {
        let (status, d, agenda) = room.with_state(|s, _| {
            let agenda = s
                .agenda
                .items
                .iter()
                .map(|i| crate::content::texts::AgendaLine {
                    title: i.details.title.clone(),
                    planned_start: i.details.planned_start,
                })
                .collect();
            (s.status, s.details.clone(), agenda)
        });
        let branding = state.branding_of(room.id).await?;
        Ok(Facts {
            id: room.id.0,
            status,
            title: d.title,
            description: plain_text(&d.description),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            language: d.language,
            organization: branding
                .as_ref()
                .map(|b| b.name.clone())
                .unwrap_or_else(|| "borgermode".into()),
            logo_url: branding.and_then(|b| b.logo_url),
            agenda,
        })
    }

    /// A meeting the public may see: known, and past its draft.
    pub async fn public(state: &AppState, id: Uuid) -> Result<Option<Facts>, ApiError> {
        let Some(room) = state.hub.room(MeetingId(id)).await? else {
            return Ok(None);
        };
        if !room.exists() || room.with_state(|s, _| s.status) == MeetingStatus::Draft {
            return Ok(None);
        }
        Ok(Some(Facts::of(state, &room).await?))
    }
}

/// The problem answered when a meeting's start time is needed and not set.
pub fn no_time() -> ApiError {
    ApiError::Conflict {
        code: Code::MeetingHasNoTime,
        detail: "the meeting has no start time yet; the organizer has to set one first".into(),
    }
}

/// The installation's public base URL: the `--public-url` setting, or else the scheme and host
/// this request came in on (a default bind address is no use in a link shared on Facebook).
pub fn base_url(state: &AppState, req: &HttpRequest) -> String {
    if state.settings.public_url.is_some() {
        return state.settings.public_url();
    }
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Markdown to plain text for calendars and previews: text kept, link targets in brackets,
/// paragraphs and list items on their own lines.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut links: Vec<String> = Vec::new();
    for ev in Parser::new(markdown) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    if !out.ends_with(url.as_str()) {
                        out.push_str(&format!(" ({url})"));
                    }
                }
            }
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::List(_)
                | TagEnd::BlockQuote(_),
            ) => out.push_str("\n\n"),
            _ => {}
        }
    }
    // At most one blank line in a row.
    let mut text = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.trim_end().to_string()
}

/// `/m/{id}/meeting.ics`: the calendar file of a public meeting.
#[utoipa::path(get, path = "/m/{id}/meeting.ics", tag = "public", operation_id = "get_meeting_calendar",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, content_type = "text/calendar", body = String, description = "RFC 5545 calendar with one event; without an end time the event lasts 90 minutes"),
        (status = 404, description = "unknown or draft meeting"),
        (status = 409, description = "`meeting_has_no_time`: no start time set yet")))]
pub async fn meeting_ics(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let f = Facts::public(&state, *id)
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    let starts_at = f.starts_at.ok_or_else(no_time)?;
    let base = base_url(&state, &req);
    let link = format!("{base}/m/{}", f.id);
    let host = base.split("://").nth(1).unwrap_or("borgermode");
    // The description, the agenda (in the meeting's language, local times), then the link.
    let agenda =
        crate::content::texts::agenda_block(f.language, state.settings.time_zone, &f.agenda);
    let description = if f.description.is_empty() {
        format!("{agenda}{link}")
    } else {
        format!("{}\n\n{agenda}{link}", f.description)
    };
    let body = ics::calendar(&ics::CalendarEvent {
        uid: format!("{}@{}", f.id, host.split('/').next().unwrap_or(host)),
        stamp: Utc::now(),
        starts_at,
        ends_at: f.ends_at,
        summary: &f.title,
        description: &description,
        url: &link,
    });
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", ics::file_name(&f.title)),
        ))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

async fn default_image() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(DEFAULT_IMAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_plain_text() {
        let md = "# Om mødet\n\nVi taler om **skolen** og [trafik](https://x.dk/t).\n\n- et\n- to\n\n<script>x</script>";
        let text = plain_text(md);
        assert_eq!(
            text,
            "Om mødet\n\nVi taler om skolen og trafik (https://x.dk/t).\n\n- et\n- to"
        );
    }

    #[test]
    fn default_image_is_a_1200_by_630_png() {
        assert_eq!(&DEFAULT_IMAGE[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&DEFAULT_IMAGE[16..24], &[0, 0, 4, 176, 0, 0, 2, 118]);
    }
}
