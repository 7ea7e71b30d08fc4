//! Polls over HTTP. `commands.rs`: what staff do with a poll (the commands of
//! `borgermode_domain::decide::polls`: prepare, launch, close, publish, put on screen), each
//! an event in the log. `answers.rs`: citizens' answers (rows, not events), the poll list with
//! the results each caller may see, and the moderation of open answers. Tests: `crates/domain/tests/it/polls.rs` for the rules,
//! `crates/server/tests/it/agenda_polls.rs` over HTTP and the live stream.

use actix_web::web;

pub mod answers;
pub mod commands;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // The answer routes first: `GET .../polls` and `.../polls/{poll}/answer...` beside the
    // commands' `.../polls/on-screen` and `.../polls/{poll}`.
    answers::routes(cfg);
    commands::routes(cfg);
}
