//! Organizations (one per municipality): the installation admin creates them and invites their
//! organizers; an organizer sees and brands only their own. Another organization's id is
//! answered like an unknown one (404), see `scope.rs`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Code;
use borgermode_domain::DomainError;
use borgermode_protocol::organizations::{
    CreateInviteRequest, CreateOrganizationRequest, InviteResponse, OrganizationPatch,
    OrganizationView,
};
use futures_util::StreamExt;
use uuid::Uuid;

use crate::content::branding::{
    organization_view, sniff_logo, validate_color, validate_name, validate_privacy_contact,
    MAX_LOGO_BYTES, MIN_ACCENT_CONTRAST, MIN_PRIMARY_CONTRAST,
};
use crate::http::api::openapi::LogoImage;
use crate::http::api::scope::Organizer;
use crate::http::api::{check_origin, optional_json, State};
use crate::http::errors::ApiError;
use crate::security::auth::{hash_secret, new_secret};
use crate::store::orgs::{InviteRecord, Logo, OrgId, OrganizationRecord};

/// Longest invite validity the admin may ask for (30 days).
pub const MAX_INVITE_HOURS: u32 = 720;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::post().to(create))
        .route("/organizations", web::get().to(list))
        .route("/organizations/{id}", web::get().to(get))
        .route("/organizations/{id}", web::patch().to(update))
        .route("/organizations/{id}/logo", web::get().to(logo))
        .route("/organizations/{id}/logo", web::put().to(put_logo))
        .route("/organizations/{id}/logo", web::delete().to(delete_logo))
        .route("/organizations/{id}/invites", web::post().to(invite));
}

/// The organizer behind the request, which must cover organization `id`.
pub(crate) async fn scoped(
    state: &State,
    req: &HttpRequest,
    id: Uuid,
) -> Result<(Organizer, OrganizationRecord), ApiError> {
    let organizer = state.organizer(req).await?.ok_or(ApiError::Unauthorized)?;
    let org = OrgId(id);
    if !organizer.covers(org) {
        return Err(ApiError::NotFound("organization"));
    }
    let record = state
        .store
        .organization(org)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    Ok((organizer, record))
}

#[utoipa::path(post, path = "/api/organizations", tag = "installation admin", operation_id = "create_organization",
    request_body = CreateOrganizationRequest,
    responses((status = 201, body = OrganizationView), (status = 401, description = "unauthorized: no usable credentials"),
        (status = 403, description = "an organizer account, not the installation admin"),
        (status = 422, description = "validation_failed: name, a colour without enough contrast, a privacy contact that is neither e-mail nor https URL")),
    security(("admin_token" = [])))]
pub async fn create(
    state: State,
    req: HttpRequest,
    body: web::Json<CreateOrganizationRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    match state.organizer(&req).await? {
        Some(Organizer::Admin) => {}
        Some(Organizer::Member(_)) => return Err(DomainError::Forbidden.into()),
        None => return Err(ApiError::Unauthorized),
    }
    let b = body.into_inner();
    let record = OrganizationRecord {
        id: OrgId(Uuid::new_v4()),
        name: validate_name(&b.name)?,
        primary_color: validate_color(
            "primary_color",
            b.primary_color.as_deref().unwrap_or(""),
            MIN_PRIMARY_CONTRAST,
        )?,
        accent_color: validate_color(
            "accent_color",
            b.accent_color.as_deref().unwrap_or(""),
            MIN_ACCENT_CONTRAST,
        )?,
        privacy_contact: validate_privacy_contact(b.privacy_contact.as_deref().unwrap_or(""))?,
        logo_type: None,
        logo_version: 0,
        created_at: chrono::Utc::now(),
    };
    state.store.create_organization(record.clone()).await?;
    Ok(HttpResponse::Created().json(organization_view(&record)))
}

#[utoipa::path(get, path = "/api/organizations", tag = "organizer", operation_id = "list_organizations",
    responses((status = 200, body = [OrganizationView], description = "The admin sees all; an organizer account its own"),
        (status = 401, description = "unauthorized: no usable credentials")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn list(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let organizer = state.organizer(&req).await?.ok_or(ApiError::Unauthorized)?;
    let orgs = match &organizer {
        Organizer::Admin => state.store.organizations().await?,
        Organizer::Member(a) => state
            .store
            .organization(a.organization)
            .await?
            .into_iter()
            .collect(),
    };
    let views: Vec<OrganizationView> = orgs
        .iter()
        .filter(|o| organizer.covers(o.id))
        .map(organization_view)
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

#[utoipa::path(get, path = "/api/organizations/{id}", tag = "organizer", operation_id = "get_organization", params(("id" = Uuid, Path, description = "Organization id")),
    responses((status = 200, body = OrganizationView), (status = 401, description = "unauthorized: no usable credentials"),
        (status = 404, description = "unknown, or another organization's")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn get(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (_, record) = scoped(&state, &req, *id).await?;
    Ok(HttpResponse::Ok().json(organization_view(&record)))
}

#[utoipa::path(patch, path = "/api/organizations/{id}", tag = "organizer", operation_id = "update_organization", params(("id" = Uuid, Path, description = "Organization id")),
    request_body = OrganizationPatch,
    responses((status = 200, body = OrganizationView), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "unknown, or another organization's"),
        (status = 422, description = "a colour without enough contrast, a privacy contact that is neither e-mail nor https URL, ...")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn update(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<OrganizationPatch>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (_, mut record) = scoped(&state, &req, *id).await?;
    let p = body.into_inner();
    if let Some(name) = p.name {
        record.name = validate_name(&name)?;
    }
    if let Some(c) = p.primary_color {
        record.primary_color = validate_color("primary_color", &c, MIN_PRIMARY_CONTRAST)?;
    }
    if let Some(c) = p.accent_color {
        record.accent_color = validate_color("accent_color", &c, MIN_ACCENT_CONTRAST)?;
    }
    if let Some(c) = p.privacy_contact {
        record.privacy_contact = validate_privacy_contact(&c)?;
    }
    if !state.store.update_organization(&record).await? {
        return Err(ApiError::NotFound("organization"));
    }
    state.org_cache.forget(record.id);
    Ok(HttpResponse::Ok().json(organization_view(&record)))
}

#[utoipa::path(get, path = "/api/organizations/{id}/logo", tag = "public", operation_id = "get_logo", params(("id" = Uuid, Path, description = "Organization id")),
    responses((status = 200, description = "the logo", content((LogoImage = "image/png"), (LogoImage = "image/jpeg"), (LogoImage = "image/webp"))),
        (status = 404, description = "no such organization, or no logo")))]
pub async fn logo(state: State, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let logo = state
        .store
        .logo(OrgId(*id))
        .await?
        .ok_or(ApiError::NotFound("logo"))?;
    // The URL carries the logo's version, so it may be cached; the type was sniffed on upload.
    Ok(HttpResponse::Ok()
        .content_type(logo.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::CONTENT_DISPOSITION, "inline"))
        .body(logo.bytes))
}

#[utoipa::path(put, path = "/api/organizations/{id}/logo", tag = "organizer", operation_id = "put_logo", params(("id" = Uuid, Path, description = "Organization id")),
    request_body(content((LogoImage = "image/png"), (LogoImage = "image/jpeg"), (LogoImage = "image/webp")),
        description = "The image bytes: PNG, JPEG or WebP, at most 100 KiB (the type is read from the bytes)"),
    responses((status = 200, body = OrganizationView), (status = 400, description = "unsupported_media_type: not a PNG, JPEG or WebP"),
        (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "unknown, or another organization's"), (status = 413, description = "payload_too_large: over 100 KiB")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn put_logo(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (_, record) = scoped(&state, &req, *id).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: Code::InvalidBody,
            detail: e.to_string(),
        })?;
        if bytes.len() + chunk.len() > MAX_LOGO_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_LOGO_BYTES,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    let content_type = sniff_logo(&bytes).ok_or(ApiError::BadRequest {
        code: Code::UnsupportedMediaType,
        detail: "the logo must be a PNG, JPEG or WebP image".into(),
    })?;
    set_logo(
        &state,
        record,
        Some(Logo {
            content_type: content_type.into(),
            bytes,
        }),
    )
    .await
}

#[utoipa::path(delete, path = "/api/organizations/{id}/logo", tag = "organizer", operation_id = "delete_logo", params(("id" = Uuid, Path, description = "Organization id")),
    responses((status = 200, body = OrganizationView), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "unknown, or another organization's")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn delete_logo(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (_, record) = scoped(&state, &req, *id).await?;
    set_logo(&state, record, None).await
}

async fn set_logo(
    state: &State,
    mut record: OrganizationRecord,
    logo: Option<Logo>,
) -> Result<HttpResponse, ApiError> {
    record.logo_type = logo.as_ref().map(|l| l.content_type.clone());
    if !state.store.set_logo(record.id, logo).await? {
        return Err(ApiError::NotFound("organization"));
    }
    state.org_cache.forget(record.id);
    let record = state
        .store
        .organization(record.id)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    Ok(HttpResponse::Ok().json(organization_view(&record)))
}

#[utoipa::path(post, path = "/api/organizations/{id}/invites", tag = "installation admin", operation_id = "create_invite", params(("id" = Uuid, Path, description = "Organization id")),
    request_body(content = Option<CreateInviteRequest>, description = "Optional: without a body the link is valid for the installation's default (--invite-ttl-hours)"),
    responses((status = 201, body = InviteResponse, description = "a single-use link; the secret is in its fragment and shown only now"),
        (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "an organizer account, not the installation admin"),
        (status = 404, description = "unknown organization"), (status = 422, description = "validation_failed: valid_hours outside 1-720")),
    security(("admin_token" = [])))]
pub async fn invite(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (organizer, record) = scoped(&state, &req, *id).await?;
    if !matches!(organizer, Organizer::Admin) {
        return Err(DomainError::Forbidden.into());
    }
    let b: CreateInviteRequest = optional_json(&body)?;
    let hours = b.valid_hours.unwrap_or(state.settings.invite_ttl_hours);
    if hours == 0 || hours > MAX_INVITE_HOURS {
        return Err(
            DomainError::validation("valid_hours", format!("1-{MAX_INVITE_HOURS} hours")).into(),
        );
    }
    let secret = new_secret();
    let now = chrono::Utc::now();
    let invite = InviteRecord {
        token_hash: hash_secret(&secret),
        organization: record.id,
        created_at: now,
        expires_at: now + chrono::Duration::hours(i64::from(hours)),
        used_at: None,
    };
    let expires_at = invite.expires_at;
    state.store.put_invite(invite).await?;
    Ok(HttpResponse::Created().json(InviteResponse {
        organization_id: record.id.0,
        link: format!(
            "{}/admin/invite#invite={secret}",
            state.settings.public_url()
        ),
        expires_at,
    }))
}
