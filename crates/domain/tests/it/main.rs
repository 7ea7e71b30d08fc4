//! The domain's tests, in one binary: one module per command family (the families of
//! `borgermode_domain::decide`, same names), plus the events' JSON form, the report and the
//! property tests over random meetings. `common/` is the `Harness` and the `Town` fixture.
//!
//! One family: `cargo nextest run -p borgermode-domain --test it -E 'test(/^moderation::/)'`.

mod common;

mod agenda;
mod events;
mod followup;
mod lifecycle;
mod moderation;
mod participation;
mod polls;
mod privacy;
mod properties;
mod questions;
mod report;
mod similar;
