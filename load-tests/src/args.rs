//! Command-line options. Every scenario shares [`TargetArgs`] (what to test and how to reach or
//! start it); the scenario's own options say what load to offer. Defaults are the issue's
//! numbers; every run is bounded by `--max-seconds`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "borgermode-loadtest",
    version,
    about = "Virtual participants for borgermode and its peers: measures latency and server cost, counts every loss"
)]
pub struct Cli {
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Subcommand, Debug)]
pub enum Scenario {
    /// The seed meeting of Sept 2013: 150 participants and 417 posts spread over a 90-minute
    /// meeting, time-compressed by --speed. Every participant joins, reads the live stream and
    /// posts its share; the run fails on any lost or duplicated event.
    #[command(name = "replay-2013")]
    Replay2013 {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 150)]
        participants: usize,
        #[arg(long, default_value_t = 417)]
        posts: usize,
        /// Length of the real meeting the posts are spread over.
        #[arg(long, default_value_t = 90)]
        meeting_minutes: u64,
        /// Time compression: 100 plays 90 minutes in 54 seconds.
        #[arg(long, default_value_t = 100.0)]
        speed: f64,
        /// Seed for the posting times (the same seed gives the same schedule).
        #[arg(long, default_value_t = 2013)]
        seed: u64,
    },
    /// A big meeting: N clients read the stream while posts (and optionally likes) arrive at a
    /// steady rate. With --instances 2 the clients and posts are spread over two borgermode
    /// instances sharing PostgreSQL and Redis.
    Town {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 10_000)]
        participants: usize,
        #[arg(long, default_value_t = 10.0)]
        posts_per_sec: f64,
        /// Likes per second (borgermode only; the peers have no vote aggregation).
        #[arg(long, default_value_t = 0.0)]
        likes_per_sec: f64,
        #[arg(long, default_value_t = 30)]
        duration_secs: u64,
    },
    /// N idle connections joined to one meeting: server RSS per connection. Above
    /// --per-process connections the generator forks worker processes (each process may open
    /// at most ~20,000 files here).
    Idle {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
        /// How long to hold the connections open before measuring (s).
        #[arg(long, default_value_t = 5)]
        hold_secs: u64,
        #[arg(long, default_value_t = 18_000)]
        per_process: usize,
    },
    /// K clients drop at once mid-meeting and resume (borgermode: `since=<last seq>`; the peers
    /// have no resume and just reconnect): lost, duplicated and time to recover.
    Storm {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 2_000)]
        clients: usize,
        /// How many of them drop at once.
        #[arg(long, default_value_t = 1_000)]
        drop: usize,
        #[arg(long, default_value_t = 20.0)]
        posts_per_sec: f64,
        #[arg(long, default_value_t = 20)]
        duration_secs: u64,
    },
    /// A share of the clients stops reading halfway through: when does the server cut them, and
    /// how much does everyone else's p99 rise?
    Slow {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 2_000)]
        clients: usize,
        #[arg(long, default_value_t = 1.0)]
        stalled_percent: f64,
        #[arg(long, default_value_t = 20.0)]
        posts_per_sec: f64,
        /// Posts per stalled client's share grow its backlog; bigger bodies fill buffers sooner.
        #[arg(long, default_value_t = 200)]
        body_bytes: usize,
        #[arg(long, default_value_t = 30)]
        duration_secs: u64,
    },
    /// Likes offered at a high rate into one meeting (votes are written in batches): the rate
    /// actually accepted, and the vote-count frames each client gets per second.
    Likes {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 1_000)]
        clients: usize,
        /// Joined participants who vote.
        #[arg(long, default_value_t = 2_000)]
        voters: usize,
        /// Posts the likes are spread over.
        #[arg(long, default_value_t = 20)]
        posts: usize,
        #[arg(long, default_value_t = 10_000.0)]
        likes_per_sec: f64,
        #[arg(long, default_value_t = 10)]
        duration_secs: u64,
        /// Requests in flight at most (more are counted as not offered).
        #[arg(long, default_value_t = 512)]
        in_flight: usize,
    },
    /// A live poll: N participants join (a share of them hold the live WebSocket), a staff
    /// token creates and launches one single-choice poll with live results, everyone answers
    /// within --window-secs (--change-percent answer again with another option), at most
    /// --in-flight requests at a time. Answer latency, accepted answers, `poll_results` frames
    /// per client per second (--strict fails above 4), and every watcher's final counts
    /// against the staff's recount.
    Poll {
        #[command(flatten)]
        target: TargetArgs,
        #[arg(long, default_value_t = 10_000)]
        participants: usize,
        /// Participants holding a WebSocket (default: all of them).
        #[arg(long)]
        watchers: Option<usize>,
        #[arg(long, default_value_t = 10.0)]
        window_secs: f64,
        /// Share of participants (%) who change their answer late in the window.
        #[arg(long, default_value_t = 10.0)]
        change_percent: f64,
        /// Answer requests in flight at most (the next one waits).
        #[arg(long, default_value_t = 256)]
        in_flight: usize,
    },
    /// Turn a directory of JSON results into the Markdown tables of docs/benchmarks.md.
    Report {
        #[arg(long)]
        results: PathBuf,
    },
    /// Internal: one worker process of `idle` (started by the generator itself).
    #[command(hide = true)]
    WorkerIdle {
        #[arg(long)]
        spec: String,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Borgermode,
    Socketio,
    Nchan,
}

impl TargetKind {
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Borgermode => "borgermode",
            TargetKind::Socketio => "socketio",
            TargetKind::Nchan => "nchan",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Database {
    Sqlite,
    Postgres,
}

/// What to test and how to reach it: either running servers (`--url` + `--pid`) or
/// borgermode instances the generator starts itself (`--spawn`).
#[derive(Args, Debug, Clone)]
pub struct TargetArgs {
    #[arg(long, value_enum, default_value_t = TargetKind::Borgermode)]
    pub target: TargetKind,
    /// Base URLs of running instances (comma-separated), e.g. http://127.0.0.1:8080.
    #[arg(long, value_delimiter = ',')]
    pub url: Vec<String>,
    /// PIDs of the server processes to measure (comma-separated; all of them are summed).
    #[arg(long, value_delimiter = ',')]
    pub pid: Vec<u32>,
    /// Start borgermode from this binary instead of using --url (temporary database).
    #[arg(long)]
    pub spawn: Option<PathBuf>,
    /// Instances to start with --spawn (more than one needs PostgreSQL and Redis).
    #[arg(long, default_value_t = 1)]
    pub instances: usize,
    /// Store of the spawned instances (default: sqlite for one instance, postgres for more).
    #[arg(long, value_enum)]
    pub database: Option<Database>,
    /// PostgreSQL server where a fresh database is created for the run (and dropped after).
    #[arg(
        long,
        env = "LOADTEST_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432"
    )]
    pub postgres: String,
    #[arg(long, env = "LOADTEST_REDIS", default_value = "redis://127.0.0.1:6379")]
    pub redis: String,
    /// Pin spawned servers to these CPUs (taskset list, e.g. "0").
    #[arg(long)]
    pub server_cpus: Option<String>,
    /// Organizer token of a running borgermode (spawned ones get a generated one).
    #[arg(long, env = "BORGERMODE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// `/metrics` token of a running borgermode, for the latency breakdown in the report
    /// (spawned ones get a generated one).
    #[arg(long, env = "BORGERMODE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Source addresses 127.0.0.1..=127.0.0.N the clients spread over (ports per address are
    /// limited).
    #[arg(long, default_value_t = 8)]
    pub sources: u8,
    /// Clients connecting at the same time.
    #[arg(long, default_value_t = 256)]
    pub connect_concurrency: usize,
    /// Write the JSON result here (a file, or a directory: <scenario>-<target>.json).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Label of the run in reports (default: the target's name).
    #[arg(long)]
    pub label: Option<String>,
    /// Hard bound on the whole run (s).
    #[arg(long, default_value_t = 900)]
    pub max_seconds: u64,
    /// Wait at most this long after the last post for every client to catch up (s).
    #[arg(long, default_value_t = 30)]
    pub drain_secs: u64,
    /// Exit non-zero when any event was lost or duplicated.
    #[arg(long)]
    pub strict: bool,
    /// borgermode's stream protocol: 2 (lean event frames, `?v=2`, what the web client
    /// speaks) or 1 (full views, as an outside client written before version 2 reads them).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub protocol: u32,
}
