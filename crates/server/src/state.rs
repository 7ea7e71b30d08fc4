//! The shared state of one running instance: what every request handler, page and background
//! task may use, built once by `Application::build` and handed around as `web::Data<AppState>`.
//!
//! Why it lives here, below `http/`: the API, the pages, the meeting kit and the CLI's demo
//! seeding all read it, and none of them should import another to get it. Only plain fields
//! and their construction live here; conveniences that answer with HTTP errors (`room`,
//! `viewer`, `meeting_scope`, ...) are `impl AppState` blocks in `http/api`, next to the
//! handlers that use them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use borgermode_domain::MeetingId;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;

use crate::live::hub::Hub;
use crate::live::votes::{poll_answer_writer, vote_writer, PollAnswerWriter, VoteWriter};
use crate::mail::Mailer;
use crate::ops::metrics::Metrics;
use crate::security::auth::{Auth, AuthFailures};
use crate::settings::Settings;
use crate::store::orgs::{OrgId, OrganizationRecord};
use crate::store::Store;

/// Everything a request handler may use, built once by `Application::build`.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub auth: Auth,
    pub votes: VoteWriter,
    pub poll_answers: PollAnswerWriter,
    pub metrics: Arc<Metrics>,
    pub join_limiter: DefaultKeyedRateLimiter<IpAddr>,
    pub connect_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Similar-question look-ups, per participant of a meeting (per address without one).
    pub similar_limiter: DefaultKeyedRateLimiter<LookupKey>,
    /// Organizer sign-ins: per (e-mail, client address) at `--signins-per-minute`, per address
    /// at three times that (one address trying many e-mails), and per e-mail a slower global
    /// back-off (ten times that per hour, from all addresses together). An attacker trying
    /// an owner's e-mail from elsewhere uses up their own allowance, not the owner's; a guesser
    /// spread over many addresses still meets the per-e-mail back-off.
    pub signin_limiter: DefaultKeyedRateLimiter<IpAddr>,
    pub signin_pair_limiter: DefaultKeyedRateLimiter<(String, IpAddr)>,
    pub signin_email_limiter: DefaultKeyedRateLimiter<String>,
    /// Failed bearer authentications per address (`auth::AuthFailures`).
    pub auth_failures: AuthFailures,
    pub meeting_orgs: MeetingOrgs,
    pub org_cache: OrgCache,
    pub shutting_down: AtomicBool,
    /// Answer notifications; `None` when no SMTP server is configured.
    pub mailer: Option<Arc<Mailer>>,
}

impl AppState {
    pub fn new(
        settings: Arc<Settings>,
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let per_minute =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            auth: Auth::new(store.clone(), Some(hub.clone())),
            votes: vote_writer(
                store.clone(),
                std::time::Duration::from_millis(settings.vote_flush_ms),
                metrics.clone(),
            ),
            poll_answers: poll_answer_writer(
                store.clone(),
                std::time::Duration::from_millis(settings.vote_flush_ms),
                metrics.clone(),
            ),
            join_limiter: RateLimiter::keyed(per_minute(settings.joins_per_minute_per_ip)),
            connect_limiter: RateLimiter::keyed(per_minute(settings.connects_per_minute_per_ip)),
            similar_limiter: RateLimiter::keyed(per_minute(settings.similar_per_minute)),
            signin_limiter: RateLimiter::keyed(per_minute(
                settings.signins_per_minute.saturating_mul(3),
            )),
            signin_pair_limiter: RateLimiter::keyed(per_minute(settings.signins_per_minute)),
            signin_email_limiter: RateLimiter::keyed(Quota::per_hour(
                NonZeroU32::new(settings.signins_per_minute.saturating_mul(10).max(1))
                    .unwrap_or(NonZeroU32::MIN),
            )),
            auth_failures: AuthFailures::new(settings.auth_failures_per_minute),
            meeting_orgs: MeetingOrgs::default(),
            org_cache: OrgCache::default(),
            shutting_down: AtomicBool::new(false),
            mailer: Mailer::from_settings(&settings),
            settings,
            store,
            hub,
            metrics,
        }
    }
}

/// Whose allowance a read uses: a participant's own, or (without a session) the address's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LookupKey {
    Participant(MeetingId, borgermode_domain::ParticipantId),
    Address(IpAddr),
}

/// Meeting -> organization; entries never go stale (a meeting never changes organization).
#[derive(Default)]
pub struct MeetingOrgs {
    map: Mutex<HashMap<MeetingId, OrgId>>,
}

impl MeetingOrgs {
    const MAX: usize = 100_000;

    pub fn get(&self, meeting: MeetingId) -> Option<OrgId> {
        self.map.lock().get(&meeting).copied()
    }

    pub fn insert(&self, meeting: MeetingId, org: OrgId) {
        let mut map = self.map.lock();
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(meeting, org);
    }
}

/// Organization records for branding, each kept for `ttl`; a change made on another instance
/// shows once the entry is older than that.
#[derive(Default)]
pub struct OrgCache {
    map: Mutex<HashMap<OrgId, (Instant, Option<OrganizationRecord>)>>,
}

impl OrgCache {
    /// The cached record when it is younger than `ttl` (`Some(None)`: known not to exist).
    pub fn fresh(&self, org: OrgId, ttl: Duration) -> Option<Option<OrganizationRecord>> {
        match self.map.lock().get(&org) {
            Some((at, record)) if at.elapsed() < ttl => Some(record.clone()),
            _ => None,
        }
    }

    pub fn put(&self, org: OrgId, record: Option<OrganizationRecord>) {
        self.map.lock().insert(org, (Instant::now(), record));
    }

    pub fn forget(&self, org: OrgId) {
        self.map.lock().remove(&org);
    }
}
