//! A meeting's life: created, edited, scheduled, opened, closed, its settings changed, and its
//! staff (moderators, panelists) let in by link and revoked (`staff.rs`, also the admin and
//! staff session exchanges). The rules are `borgermode_domain::decide::lifecycle`; the rule tests
//! `crates/domain/tests/it/lifecycle.rs`, the HTTP ones `crates/server/tests/it/authorization.rs`,
//! `whole_meeting.rs` and `bad_input.rs`.

pub mod meetings;
pub mod staff;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.configure(meetings::routes).configure(staff::routes);
}
