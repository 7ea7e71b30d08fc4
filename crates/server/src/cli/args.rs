//! The command line: the server's settings (flattened from `crate::settings`), the demo
//! switches and the maintenance subcommands. Parsed once in `main.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "borgermode",
    version,
    about = "Live digital town meetings (digitalt borgermøde)"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    /// Create a demo meeting on start and print its citizen, moderator and panelist links.
    #[arg(long, env = "BORGERMODE_DEMO", global = true)]
    pub demo: bool,
    /// Also seed the seed's 2013 meeting (150 participants, 417 posts, closed, with its history)
    /// and print its report and archive links.
    #[arg(long = "demo-2013", env = "BORGERMODE_DEMO_2013", global = true)]
    pub demo_2013: bool,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Run the server (the default).
    Serve,
    /// Generate a new organizer admin token, store its hash and print the admin link once.
    AdminToken,
    /// Run the database migrations and exit (before an upgrade, or as an init step).
    Migrate,
    /// Check that the server on this machine answers: GET /healthz (or /readyz) on the
    /// configured port over loopback, without curl. Exit 0 on 200, 1 otherwise.
    Healthcheck(HealthcheckArgs),
    /// Export one meeting for the records, straight from the database (no server needed):
    /// the whole log as NDJSON, the posts with their answers as CSV, or the polls' results as
    /// CSV (`--format polls-csv`).
    Export(ExportArgs),
    /// The audit chain of the meeting logs.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The meeting's id.
    pub meeting: uuid::Uuid,
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: crate::report::export::Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute a meeting's hash chain from the database and compare it with the stored
    /// links. Prints OK with the count, or the first broken link; exit 1 if broken, 2 if the
    /// meeting does not exist.
    Verify {
        /// The meeting's id (UUID).
        meeting: uuid::Uuid,
    },
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Check readiness (/readyz: store reachable, not draining) instead of liveness (/healthz).
    #[arg(long)]
    pub ready: bool,
    /// Give up after this long (ms).
    #[arg(long, default_value_t = 3_000)]
    pub timeout_ms: u64,
}
