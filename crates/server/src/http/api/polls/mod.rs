//! Polls over HTTP. `commands.rs`: what staff do with a poll (the commands of
//! `borgermode_domain::decide::polls`: prepare, launch, close, publish, put on screen), each
//! an event in the log. Tests: `crates/domain/tests/it/polls.rs` for the rules,
//! `crates/server/tests/it/agenda_polls.rs` over HTTP and the live stream.

use actix_web::web;

pub mod commands;

pub fn routes(cfg: &mut web::ServiceConfig) {
    commands::routes(cfg);
}
