//! Getting every question answered (the lesson of the 2013 meeting): the facilitator queue,
//! claiming, written and live answers, dismissing, merging and the question on air
//! (`queue.rs`); routing to a panelist after the meeting and the follow-up (`followup.rs`); the
//! organization's prepared answers (`prepared_answers.rs`); and what staff post themselves,
//! notices and questions from the hall (`notices.rs`). Rules:
//! `borgermode_domain::decide::questions`; rule tests `crates/domain/tests/questions.rs` and
//! `followup.rs`, HTTP tests `crates/server/tests/followup.rs` and `whole_meeting.rs`.

pub mod followup;
pub mod notices;
pub mod prepared_answers;
pub mod queue;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.configure(queue::routes)
        .configure(followup::routes)
        .configure(prepared_answers::routes)
        .configure(notices::routes);
}
