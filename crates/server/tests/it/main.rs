//! The server's integration tests, in one binary (one link instead of one per file; the
//! shared helpers in `common/` compile once). Each module is one topic and opens with what it
//! checks. They run the real server (`common::app::spawn_app`, port 0, a fresh SQLite file or
//! PostgreSQL database, a fresh Redis prefix) or the real binary (`CARGO_BIN_EXE_borgermode`).
//!
//! One module: `cargo nextest run -p borgermode-server --test it -E 'test(/^gdpr::/)'`; one
//! test: `cargo nextest run -p borgermode-server --test it gdpr::erasure`.

mod common;

mod agenda_polls;
mod authorization;
mod bad_input;
mod cluster_consistency;
mod cluster_faults;
mod cluster_similar;
mod durability;
mod error_codes;
mod followup;
mod followup_mail;
mod gdpr;
mod group_commit;
mod heartbeat;
mod kit;
mod lean_frames;
mod live_basic;
mod live_shards;
mod meeting_2013;
mod metrics_endpoint;
mod openapi_client;
mod organizations;
mod polls_report;
mod report;
mod resume;
mod rolling_restart;
mod shutdown;
mod similar;
mod slow_client;
mod store_postgres;
mod store_sqlite;
mod subcommands;
mod whole_meeting;
