//! Settings: every knob of the server, parsed once from the command line with `BORGERMODE_*`
//! environment fallbacks, validated, and then passed down explicitly (no globals).
//!
//! Intervals that tests need short (heartbeat, vote coalescing, gap fill) are settings too, so
//! tests run them fast with generous deadlines instead of sleeping through production values.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser};

/// See `--ws-engine` and `live/socket.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WsEngine {
    Direct,
    ActixWs,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "BORGERMODE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Public base URL of this installation, used in links and as the allowed Origin.
    /// Defaults to http://<bind>.
    #[arg(long, env = "BORGERMODE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Extra allowed Origins for WebSocket upgrades and cookie-authenticated commands
    /// (comma-separated), e.g. when the page is served under a second host name.
    #[arg(long, env = "BORGERMODE_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Storage: `sqlite:<path>` (default, one instance) or `postgres://...` (several).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:data/borgermode.db"
    )]
    pub database_url: String,

    /// Organizer admin token. When unset, one is generated on first start and printed once.
    #[arg(long, env = "BORGERMODE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Secret for the keyed hashes of personal text in the log (HMAC-SHA256; see
    /// `content_key.rs`). When unset, one is generated on first start and kept in the
    /// database; set it here (from a secret store) to keep it out of database backups.
    #[arg(long, env = "BORGERMODE_CONTENT_HASH_KEY", hide_env_values = true)]
    pub content_hash_key: Option<String>,

    /// Open HTTP connections one client address may hold (0: no cap). Connections from a
    /// `--trusted-proxy` are not counted (every client comes through it).
    #[arg(long, env = "BORGERMODE_MAX_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_connections_per_ip: usize,

    /// A request body must arrive completely within this many ms of the request's headers;
    /// else 408 and the connection is closed (a client sending nothing, or a byte every 10 s,
    /// must not hold a connection).
    #[arg(
        long,
        env = "BORGERMODE_BODY_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub body_read_timeout_ms: u64,

    /// How often an SSE stream checks whether its client fell more than `--connection-buffer`
    /// frames behind (ms). Runs whether or not the socket is writable.
    #[arg(long, env = "BORGERMODE_SSE_LAG_CHECK_MS", default_value_t = 500)]
    pub sse_lag_check_ms: u64,

    /// Failed bearer-token authentications (401) one address may cause per minute; then 429.
    #[arg(
        long,
        env = "BORGERMODE_AUTH_FAILURES_PER_MINUTE",
        default_value_t = 60
    )]
    pub auth_failures_per_minute: u32,

    /// Default maximum post length in characters for new meetings.
    #[arg(long, env = "BORGERMODE_MAX_BODY_CHARS", default_value_t = 1000)]
    pub max_body_chars: u32,

    /// Posts per participant per minute (the main anti-flood control).
    #[arg(long, env = "BORGERMODE_POSTS_PER_MINUTE", default_value_t = 10)]
    pub posts_per_minute: u32,

    /// Reports per participant per 10 minutes.
    #[arg(long, env = "BORGERMODE_REPORTS_PER_10_MINUTES", default_value_t = 10)]
    pub reports_per_10_minutes: u32,

    /// Working days (Monday to Friday, UTC) after a meeting closes within which its open
    /// questions are due; the deadline is fixed in the log at the close.
    #[arg(long, env = "BORGERMODE_FOLLOW_UP_WORKING_DAYS", default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(0..=260))]
    pub follow_up_working_days: u32,

    /// Joins per client address per minute (generous: a town hall's Wi-Fi is one address).
    #[arg(
        long,
        env = "BORGERMODE_JOINS_PER_MINUTE_PER_IP",
        default_value_t = 600
    )]
    pub joins_per_minute_per_ip: u32,

    /// "Has someone asked this already?" look-ups (`GET .../similar`) per participant per
    /// minute (per client address without a session). The composer asks at most every 300 ms
    /// while someone types.
    #[arg(long, env = "BORGERMODE_SIMILAR_PER_MINUTE", default_value_t = 120)]
    pub similar_per_minute: u32,

    /// Live-stream connections per client address per minute.
    #[arg(
        long,
        env = "BORGERMODE_CONNECTS_PER_MINUTE_PER_IP",
        default_value_t = 3000
    )]
    pub connects_per_minute_per_ip: u32,

    /// Proxies whose X-Forwarded-For is trusted (comma-separated IPs).
    #[arg(long, env = "BORGERMODE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// Largest JSON request body in bytes.
    #[arg(long, env = "BORGERMODE_JSON_LIMIT", default_value_t = 64 * 1024)]
    pub json_limit: usize,

    /// Largest WebSocket message from a client in bytes (frames and reassembled fragments).
    #[arg(long, env = "BORGERMODE_WS_MAX_MESSAGE", default_value_t = 64 * 1024)]
    pub ws_max_message: usize,

    /// How WebSocket frames reach the socket: `direct` (the connection task owns the TCP socket
    /// and writes each frame with one writev) or `actix-ws` (actix-ws's session channel over
    /// actix-http's dispatcher; leaner on nothing, kept as the baseline and a fallback).
    #[arg(long, env = "BORGERMODE_WS_ENGINE", value_enum, default_value_t = WsEngine::Direct)]
    pub ws_engine: WsEngine,

    /// Heartbeat ping interval (ms).
    #[arg(long, env = "BORGERMODE_HEARTBEAT_MS", default_value_t = 20_000)]
    pub heartbeat_ms: u64,

    /// Close a connection after this long without a pong or any message (ms).
    #[arg(long, env = "BORGERMODE_IDLE_TIMEOUT_MS", default_value_t = 60_000)]
    pub idle_timeout_ms: u64,

    /// A send to one client that does not complete within this time cuts the client (ms).
    #[arg(long, env = "BORGERMODE_SEND_TIMEOUT_MS", default_value_t = 2_000)]
    pub send_timeout_ms: u64,

    /// Frames a connection may fall behind the live stream before it is cut (resumable).
    #[arg(long, env = "BORGERMODE_CONNECTION_BUFFER", default_value_t = 512)]
    pub connection_buffer: usize,

    /// Kernel send buffer of every accepted connection (bytes; 0 = the kernel's autotuning,
    /// which lets one stalled phone hold up to several MB). Bounded, a client that stops
    /// reading fills it in seconds and is cut (4000, resumable) by the send timeout.
    #[arg(long, env = "BORGERMODE_SOCKET_SEND_BUFFER", default_value_t = 32 * 1024)]
    pub socket_send_buffer: usize,

    /// Threads that run the live connections (WebSocket tasks of the `direct` engine), each
    /// a shard with its own connections; one event's sweep over a room runs on every shard at
    /// once. 0 = one per CPU this process may use (`available_parallelism`, which follows the
    /// CPU affinity mask, e.g. `taskset`, and cgroup quotas).
    #[arg(long, env = "BORGERMODE_LIVE_THREADS", default_value_t = 0)]
    pub live_threads: usize,

    /// actix-web worker threads serving HTTP (commands, pages, SSE). 0 = one per CPU this
    /// process may use, as for `--live-threads`.
    #[arg(long, env = "BORGERMODE_HTTP_WORKERS", default_value_t = 0)]
    pub http_workers: usize,

    /// Recent events per meeting kept rendered in memory for fast resume.
    #[arg(long, env = "BORGERMODE_RING_CAPACITY", default_value_t = 2048)]
    pub ring_capacity: usize,

    /// Most commands of one meeting committed together in one transaction (group commit of
    /// joins and posts under a burst, `live/room/commit.rs`); 1 commits every command alone.
    #[arg(long, env = "BORGERMODE_GROUP_COMMIT_MAX", default_value_t = 64)]
    pub group_commit_max: usize,

    /// Group-commit window for votes (ms).
    #[arg(long, env = "BORGERMODE_VOTE_FLUSH_MS", default_value_t = 20)]
    pub vote_flush_ms: u64,

    /// Vote counts and presence are broadcast at most once per this interval (ms); 250 = 4/s.
    #[arg(long, env = "BORGERMODE_COALESCE_MS", default_value_t = 250)]
    pub coalesce_ms: u64,

    /// With several instances, a vote is authorized against a log at most this old (ms): before
    /// accepting votes a room asks the store for its last seq at most once per interval, so an
    /// erasure, ban or revocation made through another instance holds for votes here within
    /// this time even when Redis lost the event (posts and other commands are checked against
    /// the store's latest log at every commit). 0 = before every vote.
    #[arg(long, env = "BORGERMODE_VOTE_RECHECK_MS", default_value_t = 100)]
    pub vote_recheck_ms: u64,

    /// Wait this long for a missing seq before filling the gap from the store (ms).
    #[arg(long, env = "BORGERMODE_GAP_FILL_MS", default_value_t = 250)]
    pub gap_fill_ms: u64,

    /// Redis for several instances (`redis://host:6379`); unset = one instance, in-process bus.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Channel prefix on Redis: installations (and tests) sharing a Redis must differ.
    #[arg(long, env = "BORGERMODE_REDIS_PREFIX", default_value = "borgermode")]
    pub redis_prefix: String,

    /// With Redis: compare each live meeting's seq with the store this often (ms).
    #[arg(long, env = "BORGERMODE_SEQ_CHECK_MS", default_value_t = 1500)]
    pub seq_check_ms: u64,

    /// Days after a meeting closes until its personal data (display names, per-person age
    /// band and gender) is pseudonymized; the demographic counts stay. 0: at the next run.
    #[arg(long, env = "BORGERMODE_RETENTION_DAYS", default_value_t = 180)]
    pub retention_days: u32,

    /// How often the retention task looks for meetings that are due (ms).
    #[arg(
        long,
        env = "BORGERMODE_RETENTION_INTERVAL_MS",
        default_value_t = 3_600_000
    )]
    pub retention_interval_ms: u64,

    /// With Redis: re-read vote counts from the store this often (ms).
    #[arg(long, env = "BORGERMODE_VOTE_RESYNC_MS", default_value_t = 5000)]
    pub vote_resync_ms: u64,

    /// With Redis: another instance's presence counts this long after its last report (s).
    #[arg(long, env = "BORGERMODE_PRESENCE_TTL_SECS", default_value_t = 15)]
    pub presence_ttl_secs: u64,

    /// Record each open meeting's viewer count on this instance this often (ms), for the
    /// report's peak/average viewers and timeline. 0 = off.
    #[arg(long, env = "BORGERMODE_PRESENCE_SAMPLE_MS", default_value_t = 60_000)]
    pub presence_sample_ms: u64,

    /// Unload a meeting's room after this long without connections or commands (s).
    #[arg(long, env = "BORGERMODE_ROOM_IDLE_SECS", default_value_t = 600)]
    pub room_idle_secs: u64,

    /// On shutdown: how long to wait for in-flight commands (s).
    #[arg(long, env = "BORGERMODE_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Reconnect hint sent to clients on shutdown (ms).
    #[arg(long, env = "BORGERMODE_RECONNECT_HINT_MS", default_value_t = 2_000)]
    pub reconnect_hint_ms: u64,

    /// Organizer sign-in attempts per minute, per client address and per e-mail address.
    #[arg(long, env = "BORGERMODE_SIGNINS_PER_MINUTE", default_value_t = 10)]
    pub signins_per_minute: u32,

    /// How long an organizer invite link stays valid unless the admin says otherwise (hours).
    #[arg(long, env = "BORGERMODE_INVITE_TTL_HOURS", default_value_t = 168)]
    pub invite_ttl_hours: u32,

    /// How long an organizer stays signed in (hours).
    #[arg(
        long,
        env = "BORGERMODE_ORGANIZER_SESSION_HOURS",
        default_value_t = 168
    )]
    pub organizer_session_hours: u32,

    /// Bearer token for `GET /metrics` (Prometheus). Unset: /metrics answers 404, so the
    /// figures never leak to the internet by accident.
    #[arg(long, env = "BORGERMODE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// SMTP server for "your question was answered" mail, as a URL: `smtp://host:port` (plain,
    /// for a relay on loopback), `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465`
    /// (TLS); credentials as `smtps://user:password@host`. Unset: no mail, and the page does not
    /// ask for an address.
    #[arg(long, env = "BORGERMODE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of notification mail, e.g. `Borgermøde <noreply@kommune.dk>`. Needed with
    /// `--smtp-url`.
    #[arg(long, env = "BORGERMODE_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Attempts per notification mail before giving up (with doubling back-off from
    /// `--mail-retry-ms`).
    #[arg(long, env = "BORGERMODE_MAIL_ATTEMPTS", default_value_t = 4)]
    pub mail_attempts: u32,

    /// First back-off between mail attempts (ms).
    #[arg(long, env = "BORGERMODE_MAIL_RETRY_MS", default_value_t = 2_000)]
    pub mail_retry_ms: u64,
    /// Time zone of the meetings' audience (IANA name): local times on posters, previews and
    /// announcement texts. Stored times stay UTC.
    #[arg(long, env = "BORGERMODE_TIME_ZONE", default_value = "Europe/Copenhagen", value_parser = parse_time_zone)]
    pub time_zone: chrono_tz::Tz,
}

fn parse_time_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| format!("unknown time zone {s:?}: use an IANA name such as Europe/Copenhagen"))
}

/// The settings parsed on their own, without the binary's subcommands (`crate::cli::args`):
/// the defaults for tests and embedding.
#[derive(Debug, clap::Parser)]
#[command(name = "borgermode")]
struct SettingsParser {
    #[command(flatten)]
    settings: Settings,
}

impl Settings {
    /// Settings for tests and embedding: everything default, a given database, port 0.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        let cli = SettingsParser::parse_from(["borgermode", "--bind", "127.0.0.1:0"]);
        Settings {
            database_url: database_url.into(),
            ..cli.settings
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }

    /// Origins allowed on WebSocket upgrades and cookie-authenticated commands.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut v = vec![self.public_url()];
        v.extend(
            self.allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_string()),
        );
        v
    }

    /// The metrics token, if /metrics is on (an empty value, as compose passes an unset
    /// variable, means off).
    pub fn metrics_token(&self) -> Option<&str> {
        self.metrics_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// SMTP URL and sender, when mail is on (empty values, as compose passes unset variables,
    /// mean off).
    pub fn mail(&self) -> Option<(&str, &str)> {
        let url = self
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())?;
        let from = self
            .mail_from
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())?;
        Some((url, from))
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(PathBuf::from)
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms)
    }
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }
    /// The live shards to start: `--live-threads`, or the CPUs this process may use.
    pub fn live_threads(&self) -> usize {
        match self.live_threads {
            0 => usable_cpus(),
            n => n,
        }
    }
    /// The HTTP workers to start: `--http-workers`, or the CPUs this process may use.
    pub fn http_workers(&self) -> usize {
        match self.http_workers {
            0 => usable_cpus(),
            n => n,
        }
    }
    pub fn send_timeout(&self) -> Duration {
        Duration::from_millis(self.send_timeout_ms)
    }
    pub fn coalesce(&self) -> Duration {
        Duration::from_millis(self.coalesce_ms)
    }
    pub fn seq_check(&self) -> Duration {
        Duration::from_millis(self.seq_check_ms)
    }
    pub fn retention_interval(&self) -> Duration {
        Duration::from_millis(self.retention_interval_ms.max(10))
    }
    pub fn retention(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.retention_days))
    }
    pub fn vote_resync(&self) -> Duration {
        Duration::from_millis(self.vote_resync_ms)
    }
    pub fn presence_sample(&self) -> Option<Duration> {
        (self.presence_sample_ms > 0).then(|| Duration::from_millis(self.presence_sample_ms))
    }
    pub fn presence_ttl(&self) -> Duration {
        Duration::from_secs(self.presence_ttl_secs.max(1))
    }
    pub fn gap_fill(&self) -> Duration {
        Duration::from_millis(self.gap_fill_ms)
    }

    pub fn limits(&self) -> borgermode_domain::Limits {
        borgermode_domain::Limits {
            posts_per_minute: self.posts_per_minute,
            reports_per_10_minutes: self.reports_per_10_minutes,
            follow_up_working_days: self.follow_up_working_days,
            ..Default::default()
        }
    }

    /// Check combinations clap cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.sqlite_path().is_none() && !self.is_postgres() {
            // Never echo the URL: it may hold a password.
            return Err("unsupported DATABASE_URL: use sqlite:<path> or postgres://...".into());
        }
        if self.redis_url.is_some() && !self.is_postgres() {
            return Err("REDIS_URL (several instances) needs a shared PostgreSQL DATABASE_URL; SQLite serves one instance".into());
        }
        if self.heartbeat_ms == 0 || self.idle_timeout_ms <= self.heartbeat_ms {
            return Err("idle timeout must be longer than the heartbeat interval".into());
        }
        if self.live_threads > 1024 || self.http_workers > 1024 {
            return Err(
                "live threads and HTTP workers: at most 1024 each (0 = one per CPU)".into(),
            );
        }
        if self.connection_buffer == 0 || self.ring_capacity == 0 {
            return Err("connection buffer and ring capacity must be at least 1".into());
        }
        if !(1..=1024).contains(&self.group_commit_max) {
            return Err("group commit: 1 to 1024 commands (1 commits each alone)".into());
        }
        if self.invite_ttl_hours == 0 || self.organizer_session_hours == 0 {
            return Err("invite and organizer session lifetimes must be at least 1 hour".into());
        }
        if self.metrics_token().is_some_and(|t| t.len() < 16) {
            return Err("metrics token must be at least 16 characters".into());
        }
        if let Some(u) = &self.public_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err("public URL must start with http:// or https://".into());
            }
        }
        let url = self
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let from = self
            .mail_from
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        match (url, from) {
            (Some(_), None) => return Err("--smtp-url needs --mail-from".into()),
            (Some(url), Some(from)) => check_mail(url, from)?,
            _ => {}
        }
        Ok(())
    }
}

/// Whether lettre would take the SMTP URL and the sender (checked at start, so a typo is an
/// error before the meeting rather than a failed mail during it).
fn check_mail(url: &str, from: &str) -> Result<(), String> {
    use lettre::{AsyncSmtpTransport, Tokio1Executor};
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|_| "--smtp-url is not a valid smtp:// or smtps:// URL".to_string())?;
    from.parse::<lettre::message::Mailbox>()
        .map_err(|_| "--mail-from is not a valid address".to_string())?;
    Ok(())
}

/// The CPUs this process may run on. `std::thread::available_parallelism` reads the affinity
/// mask (`sched_getaffinity`) and cgroup CPU quota on Linux, so a server started under
/// `taskset -c 0` starts one live shard and one HTTP worker, not one per core of the machine.
pub fn usable_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zone_defaults_to_copenhagen_and_rejects_unknown_names() {
        let cli = SettingsParser::parse_from(["borgermode"]);
        assert_eq!(cli.settings.time_zone, chrono_tz::Europe::Copenhagen);
        let cli = SettingsParser::try_parse_from(["borgermode", "--time-zone", "Atlantic/Faroe"]);
        assert_eq!(
            cli.map(|c| c.settings.time_zone).ok(),
            Some(chrono_tz::Atlantic::Faroe)
        );
        let err = SettingsParser::try_parse_from(["borgermode", "--time-zone", "Europe/Aarhus"]);
        assert!(err.is_err());
        assert!(err
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("IANA"),);
    }
}
