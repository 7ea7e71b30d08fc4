//! Who may do what, and keeping secrets secret: sessions, staff capabilities and the admin
//! token (`auth.rs`), organizer account passwords (`passwords.rs`), and the keyed hashes that
//! stand for personal text in the log once it is erased (`content_key.rs`).

pub mod auth;
pub mod content_key;
pub mod passwords;
