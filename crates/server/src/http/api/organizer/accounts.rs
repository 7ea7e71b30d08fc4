//! Organizer accounts, one per person: accept an invite (set name, e-mail, password), sign in
//! with e-mail and password, sign out, and sign out everywhere.
//!
//! - The invite's secret travels in the link's fragment (mail scanners cannot use it up) and is
//!   posted by the page; an invite works once and until it expires.
//! - Passwords are Argon2id hashes (`passwords.rs`); a wrong password and an unknown e-mail get
//!   the same 401 `invalid_credentials` after the same work.
//! - Sign-in attempts are limited per client address and per e-mail address
//!   (`BORGERMODE_SIGNINS_PER_MINUTE`).
//! - The session is an HttpOnly, SameSite=Strict cookie (Secure behind https) holding a 128-bit
//!   token of which only the SHA-256 is stored; "sign out everywhere" deletes every session of
//!   the account, and since sessions are read from the store on each request, that holds on
//!   every instance at once.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Code;
use borgermode_domain::DomainError;
use borgermode_protocol::organizations::{
    AcceptInviteRequest, AccountView, InviteInfo, InviteInfoRequest, SignInRequest,
    SignedOutResponse,
};
use uuid::Uuid;

use crate::content::branding::{normalize_email, organization_view};
use crate::http::api::{check_origin, limit_key, State};
use crate::http::errors::ApiError;
use crate::security::auth::{account_cookie, hash_secret, new_secret, ACCOUNT_COOKIE};
use crate::security::passwords;
use crate::store::orgs::{
    AcceptOutcome, AccountId, AccountRecord, AccountSessionRecord, NewAccount,
};

pub const MAX_DISPLAY_NAME_CHARS: usize = 80;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(me))
        .route("/account/invite-info", web::post().to(invite_info))
        .route("/account/invite", web::post().to(accept_invite))
        .route("/account/session", web::post().to(sign_in))
        .route("/account/session", web::delete().to(sign_out))
        .route("/account/sessions", web::delete().to(sign_out_everywhere));
}

fn invite_problem(outcome: &AcceptOutcome) -> ApiError {
    match outcome {
        AcceptOutcome::Used => ApiError::Gone {
            code: Code::InviteUsed,
            detail: "this invite link has been used already; ask for a new one".into(),
        },
        AcceptOutcome::Expired => ApiError::Gone {
            code: Code::InviteExpired,
            detail: "this invite link has expired; ask for a new one".into(),
        },
        AcceptOutcome::EmailTaken => ApiError::Conflict {
            code: Code::EmailTaken,
            detail: "an account with this e-mail address exists already".into(),
        },
        AcceptOutcome::Unknown | AcceptOutcome::Accepted(_) => ApiError::NotFound("invite"),
    }
}

async fn account_view(state: &State, account: &AccountRecord) -> Result<AccountView, ApiError> {
    let org = state
        .store
        .organization(account.organization)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    Ok(AccountView {
        id: account.id.0,
        display_name: account.display_name.clone(),
        email: account.email.clone(),
        organization: organization_view(&org),
    })
}

/// Start a session; returns the token for the cookie.
async fn start_session(state: &State, account: &AccountRecord) -> Result<String, ApiError> {
    let token = new_secret();
    let now = chrono::Utc::now();
    state
        .store
        .put_account_session(AccountSessionRecord {
            token_hash: hash_secret(&token),
            account: account.id,
            created_at: now,
            expires_at: now
                + chrono::Duration::hours(i64::from(state.settings.organizer_session_hours)),
        })
        .await?;
    Ok(token)
}

fn removal_cookie(state: &State) -> actix_web::cookie::Cookie<'static> {
    let mut c = account_cookie(&state.settings, "");
    c.make_removal();
    c
}

#[utoipa::path(get, path = "/api/account", tag = "organizer", operation_id = "get_account",
    responses((status = 200, body = AccountView), (status = 401, description = "unauthorized: no usable credentials")),
    security(("organizer_session" = [])))]
pub async fn me(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let account = state.account(&req).await?.ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(account_view(&state, &account).await?))
}

#[utoipa::path(post, path = "/api/account/invite-info", tag = "organizer", operation_id = "get_invite_info", request_body = InviteInfoRequest,
    responses((status = 200, body = InviteInfo), (status = 404, description = "not_found: unknown invite"),
        (status = 410, description = "invite_used or invite_expired"), (status = 429, description = "rate_limited (Retry-After)")))]
pub async fn invite_info(
    state: State,
    req: HttpRequest,
    body: web::Json<InviteInfoRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    state.limit(&state.join_limiter, &req)?;
    let invite = state
        .store
        .invite(&hash_secret(body.invite.trim()))
        .await?
        .ok_or(ApiError::NotFound("invite"))?;
    if invite.used_at.is_some() {
        return Err(invite_problem(&AcceptOutcome::Used));
    }
    if invite.expires_at <= chrono::Utc::now() {
        return Err(invite_problem(&AcceptOutcome::Expired));
    }
    let org = state
        .store
        .organization(invite.organization)
        .await?
        .ok_or(ApiError::NotFound("invite"))?;
    Ok(HttpResponse::Ok().json(InviteInfo {
        organization_name: org.name,
        expires_at: invite.expires_at,
    }))
}

#[utoipa::path(post, path = "/api/account/invite", tag = "organizer", operation_id = "accept_invite", request_body = AcceptInviteRequest,
    responses((status = 201, body = AccountView, description = "account created and signed in (session cookie)"),
        (status = 404, description = "not_found: unknown invite"), (status = 409, description = "email_taken"),
        (status = 410, description = "invite_used or invite_expired"),
        (status = 422, description = "validation_failed: display_name, email or password"), (status = 429, description = "rate_limited (Retry-After)")))]
pub async fn accept_invite(
    state: State,
    req: HttpRequest,
    body: web::Json<AcceptInviteRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    state.limit(&state.join_limiter, &req)?;
    let b = body.into_inner();
    let display_name = b.display_name.trim().to_string();
    let n = display_name.chars().count();
    if n == 0 || n > MAX_DISPLAY_NAME_CHARS || display_name.chars().any(char::is_control) {
        return Err(DomainError::validation(
            "display_name",
            format!("1-{MAX_DISPLAY_NAME_CHARS} characters"),
        )
        .into());
    }
    let email = normalize_email(&b.email).ok_or_else(|| {
        DomainError::validation("email", "an e-mail address like navn@kommune.dk")
    })?;
    if b.password.chars().count() < passwords::MIN_LEN || b.password.len() > passwords::MAX_BYTES {
        return Err(DomainError::validation(
            "password",
            format!(
                "at least {} characters (and at most {} bytes)",
                passwords::MIN_LEN,
                passwords::MAX_BYTES
            ),
        )
        .into());
    }
    let token_hash = hash_secret(b.invite.trim());
    // Check the invite before spending a password hash on it (the transaction checks again).
    let Some(invite) = state.store.invite(&token_hash).await? else {
        return Err(ApiError::NotFound("invite"));
    };
    if invite.used_at.is_some() {
        return Err(invite_problem(&AcceptOutcome::Used));
    }
    let password_hash = passwords::hash(b.password)
        .await
        .map_err(|e| ApiError::StoreUnavailable(format!("password hashing failed: {e}")))?;
    let now = chrono::Utc::now();
    let outcome = state
        .store
        .accept_invite(
            &token_hash,
            now,
            NewAccount {
                id: AccountId(Uuid::new_v4()),
                email,
                display_name,
                password_hash,
                created_at: now,
            },
        )
        .await?;
    let AcceptOutcome::Accepted(account) = outcome else {
        return Err(invite_problem(&outcome));
    };
    let token = start_session(&state, &account).await?;
    Ok(HttpResponse::Created()
        .cookie(account_cookie(&state.settings, &token))
        .json(account_view(&state, &account).await?))
}

#[utoipa::path(post, path = "/api/account/session", tag = "organizer", operation_id = "sign_in", request_body = SignInRequest,
    responses((status = 200, body = AccountView, description = "signed in (session cookie)"),
        (status = 401, description = "invalid_credentials"),
        (status = 429, description = "rate_limited (Retry-After)")))]
pub async fn sign_in(
    state: State,
    req: HttpRequest,
    body: web::Json<SignInRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let ip = state.client_ip(&req);
    let b = body.into_inner();
    let email = normalize_email(&b.email);
    // The narrow limit first: an address over its own allowance for this e-mail does not use
    // up the wider ones (see `AppState::signin_limiter`).
    if let Some(e) = &email {
        limit_key(&state.signin_pair_limiter, &(e.clone(), ip))?;
    }
    limit_key(&state.signin_limiter, &ip)?;
    if let Some(e) = &email {
        limit_key(&state.signin_email_limiter, e)?;
    }
    if b.password.len() > passwords::MAX_BYTES {
        return Err(ApiError::InvalidCredentials);
    }
    let account = match &email {
        Some(e) => state.store.account_by_email(e).await?,
        None => None,
    };
    let ok = passwords::verify(
        b.password,
        account.as_ref().map(|a| a.password_hash.clone()),
    )
    .await;
    let account = match account {
        Some(a) if ok => a,
        _ => return Err(ApiError::InvalidCredentials),
    };
    let token = start_session(&state, &account).await?;
    Ok(HttpResponse::Ok()
        .cookie(account_cookie(&state.settings, &token))
        .json(account_view(&state, &account).await?))
}

#[utoipa::path(delete, path = "/api/account/session", tag = "organizer", operation_id = "sign_out",
    responses((status = 204, description = "this browser is signed out")))]
pub async fn sign_out(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    if let Some(c) = req.cookie(ACCOUNT_COOKIE) {
        state
            .store
            .delete_account_session(&hash_secret(c.value()))
            .await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(removal_cookie(&state))
        .finish())
}

#[utoipa::path(delete, path = "/api/account/sessions", tag = "organizer", operation_id = "sign_out_everywhere",
    responses((status = 200, body = SignedOutResponse, description = "every session of the account has ended"),
        (status = 401, description = "unauthorized: no usable credentials")),
    security(("organizer_session" = [])))]
pub async fn sign_out_everywhere(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let account = state.account(&req).await?.ok_or(ApiError::Unauthorized)?;
    let sessions_ended = state.store.delete_account_sessions(account.id).await?;
    Ok(HttpResponse::Ok()
        .cookie(removal_cookie(&state))
        .json(SignedOutResponse { sessions_ended }))
}
