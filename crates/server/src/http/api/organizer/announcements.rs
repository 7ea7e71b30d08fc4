//! `GET /api/meetings/{id}/announcements`: the organizer's announcement kit of one meeting
//! (ready-to-paste texts in Danish and English, local times, links). Organizer-only like every
//! other organizer route (another organization's meeting answers 404), although everything in
//! it is public once the meeting is scheduled: the kit also works for a draft, so the
//! announcement can be prepared before the meeting is published. The texts themselves are made
//! in `content/texts.rs`.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Language;
use borgermode_protocol::http::{
    AnnouncementAgendaItem, AnnouncementKind, AnnouncementText, AnnouncementsResponse, LocalWhen,
};
use uuid::Uuid;

use crate::content::texts;
use crate::http::api::{resolve_actor, State, Who};
use crate::http::errors::ApiError;
use crate::http::kit::{base_url, no_time, Facts};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/announcements", web::get().to(announcements));
}

#[utoipa::path(get, path = "/api/meetings/{id}/announcements", tag = "organizer", operation_id = "get_announcements",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = AnnouncementsResponse),
        (status = 401, description = "unauthorized: no usable credentials"),
        (status = 403, description = "a participant of the meeting, not the organizer"),
        (status = 404, description = "unknown meeting, or another organization's"),
        (status = 409, description = "`meeting_has_no_time`: set a start time first")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn announcements(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    resolve_actor(&state, &req, room.id, Who::Organizer).await?;
    let f = Facts::of(&state, &room).await?;
    let starts_at = f.starts_at.ok_or_else(no_time)?;
    let tz = state.settings.time_zone;
    let base = base_url(&state, &req);
    let link = format!("{base}/m/{}", f.id);
    let short_link = format!("{base}/j/{}", crate::http::pages::short_code(f.id));
    let facts = texts::Facts {
        organization: &f.organization,
        title: &f.title,
        description: &f.description,
        starts_at,
        ends_at: f.ends_at,
        link: &link,
        short_link: &short_link,
        agenda: &f.agenda,
    };
    let langs = [Language::Da, Language::En];
    let kinds = [
        AnnouncementKind::Facebook,
        AnnouncementKind::Press,
        AnnouncementKind::Radio,
    ];
    let texts_out = langs
        .iter()
        .flat_map(|&language| kinds.iter().map(move |&kind| (kind, language)))
        .map(|(kind, language)| AnnouncementText {
            kind,
            language,
            text: texts::text(kind, language, tz, &facts),
        })
        .collect();
    let when = langs
        .iter()
        .map(|&language| {
            let full = texts::local_when(language, tz, starts_at, f.ends_at);
            let date = texts::local_date(language, tz, starts_at);
            let time = full
                .strip_prefix(&date)
                .unwrap_or(&full)
                .trim_start_matches([',', ' '])
                .trim_start_matches("kl. ")
                .to_string();
            LocalWhen {
                language,
                date,
                time,
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(AnnouncementsResponse {
            meeting_id: room.id,
            title: f.title.clone(),
            organization_name: f.organization.clone(),
            logo_url: f.logo_url.clone(),
            calendar_url: format!("{link}/meeting.ics"),
            poster_url: format!("/m/{}/poster", f.id),
            qr_url: format!("/m/{}/qr.svg", f.id),
            time_zone: tz.name().to_string(),
            link,
            short_link,
            when,
            agenda: f
                .agenda
                .iter()
                .map(|a| AnnouncementAgendaItem {
                    title: a.title.clone(),
                    planned_start: a.planned_start,
                    when: a
                        .planned_start
                        .map(|t| {
                            langs
                                .iter()
                                .map(|&language| LocalWhen {
                                    language,
                                    date: texts::local_date(language, tz, t),
                                    time: texts::local_time(language, tz, t),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            texts: texts_out,
        }))
}
