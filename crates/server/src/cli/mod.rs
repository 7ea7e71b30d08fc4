//! What the `borgermode` binary does besides serving: the container health check and the
//! ready-to-try demo meetings (`serve --demo`, `--demo-2013`). The subcommands that open the
//! store directly (export, audit verify, migrate) call into `crate::report` and `crate::store`
//! from `main.rs`.

pub mod args;
pub mod demo;
pub mod healthcheck;
