//! Getting every question answered (the lesson of the 2013 meeting): the facilitator queue,
//! claiming, written and live answers, dismissing, merging and the question on air
//! (`queue.rs`); the organization's prepared answers (`prepared_answers.rs`); and what staff
//! post themselves, notices and questions from the hall (`notices.rs`). Routing questions to a
//! panelist after the meeting is the follow-up family (`super::followup`). Rules:
//! `borgermode_domain::decide::questions`; rule tests `crates/domain/tests/it/questions.rs`, HTTP
//! tests `crates/server/tests/it/whole_meeting.rs` and the browser journeys.

pub mod notices;
pub mod prepared_answers;
pub mod queue;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.configure(queue::routes)
        .configure(prepared_answers::routes)
        .configure(notices::routes);
}
