//! What a citizen does: join with a display name (`participants.rs`), post, reply, upvote and
//! report (`posts.rs`), see whether their question was asked already (`similar.rs`), and follow their own questions on any device, optionally by e-mail
//! (`mine.rs`). Rules: `borgermode_domain::decide::participation`; rule tests
//! `crates/domain/tests/it/participation.rs`, HTTP tests `crates/server/tests/it/live_basic.rs`,
//! `whole_meeting.rs`, `followup.rs` (my questions) and `bad_input.rs`.

pub mod mine;
pub mod participants;
pub mod posts;
pub mod similar;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.configure(participants::routes)
        .configure(posts::routes)
        .configure(mine::routes)
        .configure(similar::routes);
}
