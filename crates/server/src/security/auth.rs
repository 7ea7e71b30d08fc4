//! Who is asking: the organizer (admin token), or a participant of one meeting (session cookie
//! or bearer token). Secrets are 128-bit random values; only their SHA-256 is stored, and none
//! is ever logged.
//!
//! Capability links for moderators and panelists carry their secret in the URL fragment
//! (`/m/<id>/staff#key=...`): fragments are not sent to servers, so a mail scanner that opens
//! the link cannot use it up. The page posts the key to `/api/staff-session`, which sets an
//! HttpOnly session cookie.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use base64::Engine;
use borgermode_domain::event::Actor;
use borgermode_domain::{MeetingId, ParticipantId};
use parking_lot::Mutex;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::live::hub::Hub;
use crate::settings::Settings;
use crate::store::{SessionRecord, Store, StoreError};

pub const ADMIN_COOKIE: &str = "bm_admin";
/// An organizer account's session (see `http/api/accounts.rs`).
pub const ACCOUNT_COOKIE: &str = "bm_account";
const ADMIN_TOKEN_KEY: &str = "admin_token_sha256";

/// A fresh 128-bit secret, URL-safe base64 without padding (22 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Name of the session cookie for one meeting.
pub fn session_cookie_name(meeting: MeetingId) -> String {
    format!("bm_{}", meeting.0.simple())
}

pub fn session_cookie(settings: &Settings, meeting: MeetingId, token: &str) -> Cookie<'static> {
    Cookie::build(session_cookie_name(meeting), token.to_string())
        .path("/")
        .http_only(true)
        .secure(settings.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(180))
        .finish()
}

pub fn admin_cookie(settings: &Settings, token: &str) -> Cookie<'static> {
    Cookie::build(ADMIN_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .secure(settings.secure_cookies())
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::days(1))
        .finish()
}

/// An organizer account's session cookie: like the admin cookie (HttpOnly, SameSite=Strict,
/// Secure behind https), valid for the session's lifetime.
pub fn account_cookie(settings: &Settings, token: &str) -> Cookie<'static> {
    Cookie::build(ACCOUNT_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .secure(settings.secure_cookies())
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::hours(i64::from(
            settings.organizer_session_hours,
        )))
        .finish()
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Resolves requests to actors. Sessions are cached in memory: they only ever disappear
/// (revocation, erasure). The cache is per process, so it is never the last word: a session
/// whose participant the meeting's projection shows as erased or revoked (the event reaches
/// every instance on the bus, or through the gap fill and seq check) resolves to nobody, and a
/// command is refused by the domain rules against the latest log before it commits
/// (`DomainError::SessionEnded`), even on an instance that has not heard of the event yet.
pub struct Auth {
    store: Arc<dyn Store>,
    /// The rooms, for the projection check; `None` only in the `admin-token` subcommand,
    /// which resolves no sessions.
    hub: Option<Arc<Hub>>,
    admin_hash: Mutex<Option<String>>,
    sessions: Mutex<HashMap<String, SessionRecord>>,
}

impl Auth {
    pub fn new(store: Arc<dyn Store>, hub: Option<Arc<Hub>>) -> Self {
        Self {
            store,
            hub,
            admin_hash: Mutex::new(None),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the meeting's projection on this instance says that this participant's session
    /// is over (erased on request, or a staff link revoked).
    async fn session_ended(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<bool, StoreError> {
        let Some(hub) = &self.hub else {
            return Ok(false);
        };
        let Some(room) = hub.room(meeting).await? else {
            return Ok(false);
        };
        Ok(room.with_state(|s, _| {
            s.participant(participant)
                .is_some_and(|p| p.erased || p.revoked)
        }))
    }

    fn forget(&self, meeting: MeetingId, participant: ParticipantId) {
        self.sessions
            .lock()
            .retain(|_, s| !(s.meeting == meeting && s.participant == participant));
    }

    /// Make sure an admin token exists. Returns the plain token when one was created or set
    /// from the settings now, so that main can print it once.
    pub async fn ensure_admin_token(
        &self,
        configured: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        if let Some(token) = configured {
            let hash = hash_secret(token);
            self.store.put_setting(ADMIN_TOKEN_KEY, &hash).await?;
            *self.admin_hash.lock() = Some(hash);
            return Ok(None);
        }
        match self.store.setting(ADMIN_TOKEN_KEY).await? {
            Some(hash) => {
                *self.admin_hash.lock() = Some(hash);
                Ok(None)
            }
            None => self.rotate_admin_token().await.map(Some),
        }
    }

    /// Replace the admin token with a new random one; the old one stops working.
    pub async fn rotate_admin_token(&self) -> Result<String, StoreError> {
        let token = new_secret();
        let hash = hash_secret(&token);
        self.store.put_setting(ADMIN_TOKEN_KEY, &hash).await?;
        *self.admin_hash.lock() = Some(hash);
        Ok(token)
    }

    pub fn is_admin_token(&self, token: &str) -> bool {
        let hash = hash_secret(token);
        let stored = self.admin_hash.lock();
        stored
            .as_deref()
            .is_some_and(|h| constant_time_eq(h.as_bytes(), hash.as_bytes()))
    }

    /// Whether the request carries the admin token (bearer header or admin cookie).
    pub fn is_organizer(&self, req: &HttpRequest) -> bool {
        if let Some(t) = bearer(req) {
            if self.is_admin_token(t) {
                return true;
            }
        }
        req.cookie(ADMIN_COOKIE)
            .is_some_and(|c| self.is_admin_token(c.value()))
    }

    /// The participant this request acts as in `meeting`, from the meeting's session cookie or
    /// a bearer session token.
    pub async fn participant(
        &self,
        req: &HttpRequest,
        meeting: MeetingId,
    ) -> Result<Option<ParticipantId>, StoreError> {
        let mut candidates: Vec<String> = Vec::with_capacity(2);
        if let Some(c) = req.cookie(&session_cookie_name(meeting)) {
            candidates.push(c.value().to_string());
        }
        if let Some(t) = bearer(req) {
            candidates.push(t.to_string());
        }
        for token in candidates {
            if let Some(s) = self.session(&token).await? {
                if s.meeting == meeting {
                    if self.session_ended(meeting, s.participant).await? {
                        self.forget(meeting, s.participant);
                        continue;
                    }
                    return Ok(Some(s.participant));
                }
            }
        }
        Ok(None)
    }

    async fn session(&self, token: &str) -> Result<Option<SessionRecord>, StoreError> {
        let hash = hash_secret(token);
        if let Some(s) = self.sessions.lock().get(&hash) {
            return Ok(Some(s.clone()));
        }
        let found = self.store.session(&hash).await?;
        if let Some(s) = &found {
            let mut cache = self.sessions.lock();
            if cache.len() > 100_000 {
                cache.clear();
            }
            cache.insert(hash, s.clone());
        }
        Ok(found)
    }

    /// Create a session for a participant; returns the token for the cookie.
    pub async fn create_session(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<String, StoreError> {
        let token = new_secret();
        let record = SessionRecord {
            token_hash: hash_secret(&token),
            meeting,
            participant,
            created_at: chrono::Utc::now(),
        };
        self.store.put_session(record.clone()).await?;
        self.sessions
            .lock()
            .insert(record.token_hash.clone(), record);
        Ok(token)
    }

    /// Forget every session of a participant (staff link revoked).
    pub async fn drop_sessions(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        self.store.delete_sessions(meeting, participant).await?;
        self.forget(meeting, participant);
        Ok(())
    }

    /// Actor for commands both the organizer and participants may send: the organizer wins.
    pub async fn actor(
        &self,
        req: &HttpRequest,
        meeting: MeetingId,
    ) -> Result<Option<Actor>, StoreError> {
        if self.is_organizer(req) {
            return Ok(Some(Actor::Organizer));
        }
        Ok(self
            .participant(req, meeting)
            .await?
            .map(|id| Actor::Participant { id }))
    }
}

/// Failed bearer authentications per client address, in fixed one-minute windows. Why: the
/// admin token, session tokens and the metrics token are secrets like staff keys, whose
/// exchange is rate-limited; without a count a guesser may try thousands a second. Every
/// answer 401 to a request that presents a credential ([`presents_credential`]: an
/// `Authorization` header or a credential cookie) counts; at the limit, every such request
/// from the address is answered 429 until the window ends (the right token too, or the block
/// would tell a guesser when it guessed right).
pub struct AuthFailures {
    per_minute: u32,
    windows: Mutex<HashMap<std::net::IpAddr, (std::time::Instant, u32)>>,
}

impl AuthFailures {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until the address may try again, if it is blocked now.
    pub fn blocked(&self, ip: std::net::IpAddr) -> Option<u64> {
        let windows = self.windows.lock();
        let (start, count) = windows.get(&ip)?;
        let left = std::time::Duration::from_secs(60).checked_sub(start.elapsed())?;
        (*count >= self.per_minute).then(|| left.as_secs().max(1))
    }

    pub fn failed(&self, ip: std::net::IpAddr) {
        let mut windows = self.windows.lock();
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| start.elapsed().as_secs() < 60);
        }
        let entry = windows
            .entry(ip)
            .or_insert_with(|| (std::time::Instant::now(), 0));
        if entry.0.elapsed().as_secs() >= 60 {
            *entry = (std::time::Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

/// Whether a request presents a secret the server checks: an `Authorization` header, the
/// admin or organizer-account cookie, or the session cookie of the meeting in its path
/// (`/api/meetings/{id}/...`). Why cookies too: they carry the same secrets as a bearer
/// header (`bm_admin` is the admin token itself), so a limit on bearer guesses alone is
/// walked around by sending the guess as a cookie. Another meeting's session cookie does not
/// count: a browser sends every cookie of the site, and a citizen who took part last week
/// opening tonight's meeting is not guessing.
pub fn presents_credential(req: &HttpRequest) -> bool {
    if req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
    {
        return true;
    }
    if req.cookie(ADMIN_COOKIE).is_some() || req.cookie(ACCOUNT_COOKIE).is_some() {
        return true;
    }
    req.path()
        .strip_prefix("/api/meetings/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .is_some_and(|id| req.cookie(&session_cookie_name(MeetingId(id))).is_some())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_128_bit_and_distinct() {
        let a = new_secret();
        let b = new_secret();
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert_eq!(hash_secret(&a).len(), 64);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
    }
}
