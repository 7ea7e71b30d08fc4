//! Meetings: the organizer creates, edits, schedules, opens and closes them; anybody may read
//! one (rendered for their audience, with its organization's branding). An organizer account
//! creates and lists meetings of its own organization only (`scope.rs`).

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Command, MeetingDetails, MeetingId, MeetingSettings};
use borgermode_protocol::http::{
    CreateMeetingRequest, EditMeetingRequest, MeetingStateResponse, MeetingSummary, SettingsPatch,
};
use uuid::Uuid;

use crate::http::api::scope::Organizer;
use crate::http::api::{check_origin, respond, run_command, State, Who};
use crate::http::errors::ApiError;
use crate::live::render::post_views;
use crate::store::orgs::{OrgId, DEFAULT_ORGANIZATION};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings", web::post().to(create))
        .route("/meetings", web::get().to(list))
        .route("/meetings/{id}", web::get().to(get))
        .route("/meetings/{id}", web::patch().to(edit))
        .route("/meetings/{id}/posts", web::get().to(posts))
        .route("/meetings/{id}/schedule", web::post().to(schedule))
        .route("/meetings/{id}/open", web::post().to(open))
        .route("/meetings/{id}/close", web::post().to(close))
        .route("/meetings/{id}/settings", web::patch().to(settings));
}

pub fn apply_settings(base: MeetingSettings, p: SettingsPatch) -> MeetingSettings {
    MeetingSettings {
        max_body_chars: p.max_body_chars.unwrap_or(base.max_body_chars),
        slow_mode_secs: p.slow_mode_secs.unwrap_or(base.slow_mode_secs),
        premoderation: p.premoderation.unwrap_or(base.premoderation),
        keywords: p.keywords.unwrap_or(base.keywords),
        report_threshold: p.report_threshold.unwrap_or(base.report_threshold),
        auto_hold_reports: p.auto_hold_reports.unwrap_or(base.auto_hold_reports),
    }
}

#[utoipa::path(post, path = "/api/meetings", tag = "organizer", operation_id = "create_meeting",
    request_body = CreateMeetingRequest,
    responses((status = 201, body = borgermode_protocol::http::CommandAck, description = "created (status draft); `meeting_id` names it"), (status = 401, description = "unauthorized: no usable credentials"),
        (status = 404, description = "organization_id names no organization of the caller"),
        (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn create(
    state: State,
    req: HttpRequest,
    body: web::Json<CreateMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let organizer = state.organizer(&req).await?.ok_or(ApiError::Unauthorized)?;
    let body = body.into_inner();
    let org = match (&organizer, body.organization_id) {
        (Organizer::Member(account), None) => account.organization,
        (Organizer::Admin, None) => DEFAULT_ORGANIZATION,
        (_, Some(wanted)) => {
            let wanted = OrgId(wanted);
            // Another organization's id is answered like an unknown one.
            if !organizer.covers(wanted) || state.store.organization(wanted).await?.is_none() {
                return Err(ApiError::NotFound("organization"));
            }
            wanted
        }
    };
    let defaults = MeetingSettings {
        max_body_chars: state.settings.max_body_chars,
        ..MeetingSettings::default()
    };
    let cmd = Command::CreateMeeting {
        details: MeetingDetails {
            title: body.title,
            description: body.description,
            starts_at: body.starts_at,
            ends_at: body.ends_at,
            language: body.language,
            video_url: body.video_url,
        },
        settings: apply_settings(defaults, body.settings),
    };
    let id = MeetingId(Uuid::new_v4());
    // The organization is recorded before the first event, so the meeting is never visible
    // without one.
    state.store.assign_meeting(id, org).await?;
    state.meeting_orgs.insert(id, org);
    let room = state.hub.new_room(id);
    let result = room
        .execute(borgermode_domain::event::Actor::Organizer, cmd, None)
        .await;
    if result.is_err() || !room.exists() {
        state.hub.forget(id);
    }
    respond(result?, true)
}

#[utoipa::path(get, path = "/api/meetings", tag = "organizer", operation_id = "list_meetings",
    responses((status = 200, body = [MeetingSummary], description = "The admin sees every meeting; an organizer account those of its organization"),
        (status = 401, description = "unauthorized: no usable credentials")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn list(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let organizer = state.organizer(&req).await?.ok_or(ApiError::Unauthorized)?;
    let ids = match &organizer {
        Organizer::Admin => state.store.meetings().await?,
        Organizer::Member(account) => {
            state
                .store
                .organization_meetings(account.organization)
                .await?
        }
    };
    let mut out = Vec::new();
    for id in ids {
        let org = state.meeting_org(id).await?;
        // Scoped twice on purpose: the query above, and here.
        if !organizer.covers(org) {
            continue;
        }
        if let Some(room) = state.hub.room(id).await? {
            out.push(room.with_state(|s, _| MeetingSummary {
                id: s.id,
                title: s.details.title.clone(),
                status: s.status,
                starts_at: s.details.starts_at,
                seq: s.seq,
                organization_id: Some(org.0),
                unanswered: s.unanswered().count() as u32,
                follow_up_due: s.follow_up_due,
                follow_up_overdue: s.follow_up_overdue(chrono::Utc::now()),
                time_zone: Some(state.settings.time_zone.name().to_string()),
            }));
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(get, path = "/api/meetings/{id}", tag = "public", operation_id = "get_meeting",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The meeting as the caller's audience sees it: staff (the organizer, a moderator or panelist of the meeting) or public (everyone else, no credentials needed).",
    responses((status = 200, body = borgermode_protocol::views::MeetingView), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn get(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let (viewer, _) = state.viewer(&req, &room).await?;
    let mut view =
        room.meeting_view(viewer.audience == borgermode_protocol::views::Audience::Staff);
    view.organization = state.branding_of(room.id).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(get, path = "/api/meetings/{id}/posts", tag = "public", operation_id = "get_meeting_posts",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The meeting and its posts as the caller's audience sees them (a participant also sees their own held or hidden posts).",
    responses((status = 200, body = MeetingStateResponse), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn posts(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let (viewer, _) = state.viewer(&req, &room).await?;
    let staff = viewer.audience == borgermode_protocol::views::Audience::Staff;
    let mut meeting = room.meeting_view(staff);
    meeting.organization = state.branding_of(room.id).await?;
    let posts = room.with_state(|s, votes| post_views(s, votes, viewer));
    Ok(HttpResponse::Ok().json(MeetingStateResponse { meeting, posts }))
}

#[utoipa::path(patch, path = "/api/meetings/{id}", tag = "organizer", operation_id = "edit_meeting",
    params(("id" = Uuid, Path, description = "Meeting id")), request_body = EditMeetingRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn edit(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<EditMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let b = body.into_inner();
    let current = room.with_state(|s, _| s.details.clone());
    let details = MeetingDetails {
        title: b.title.unwrap_or(current.title),
        description: b.description.unwrap_or(current.description),
        starts_at: b.starts_at.unwrap_or(current.starts_at),
        ends_at: b.ends_at.unwrap_or(current.ends_at),
        language: b.language.unwrap_or(current.language),
        video_url: b.video_url.unwrap_or(current.video_url),
    };
    run_command(
        &state,
        &req,
        &room,
        Who::Organizer,
        Command::EditMeeting { details },
        false,
    )
    .await
}

#[utoipa::path(patch, path = "/api/meetings/{id}/settings", tag = "moderator", operation_id = "change_settings",
    params(("id" = Uuid, Path, description = "Meeting id")), request_body = SettingsPatch,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn settings(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<SettingsPatch>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let settings = apply_settings(
        room.with_state(|s, _| s.settings.clone()),
        body.into_inner(),
    );
    run_command(
        &state,
        &req,
        &room,
        Who::Either,
        Command::ChangeSettings { settings },
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/schedule", tag = "organizer", operation_id = "schedule_meeting", params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "invalid_state")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn schedule(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Organizer,
        Command::Schedule,
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/open", tag = "organizer", operation_id = "open_meeting", params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The organizer or a moderator of the meeting.",
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn open(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    run_command(&state, &req, &room, Who::Either, Command::Open, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/close", tag = "organizer", operation_id = "close_meeting", params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The organizer or a moderator of the meeting. Starts the follow-up.",
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn close(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    run_command(&state, &req, &room, Who::Either, Command::Close, false).await
}
