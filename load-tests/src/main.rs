//! `borgermode-loadtest`: virtual participants that join a live meeting, read its stream, post,
//! vote, drop and resume like real phones, against borgermode or one of the peers people would
//! otherwise pick (Socket.IO with the Redis adapter, nginx with Nchan).
//!
//! It checks while it measures: every client verifies seq order, gaps and duplicates, and every
//! loss is counted; latency is post→receive per delivery in an HDR histogram; server cost is
//! read from `/proc` of the server processes. Every run is bounded in time and connection count
//! and only ever talks to loopback addresses (127.0.0.0/8).

// Results and tables go to stdout on purpose: it is a command-line tool.
#![allow(clippy::print_stdout)]

mod args;
mod check;
mod conn;
mod engine;
mod procstat;
mod report;
mod scenarios;
mod servers;
mod stages;
mod stats;
mod subscriber;
mod target;
mod workers;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = args::Cli::parse();
    // Each loopback connection uses a file descriptor; take everything the hard limit allows.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(scenarios::run(cli))
}
