//! Text the server turns into what people read: Markdown to safe HTML (`markdown.rs`), an
//! organization's branding validated into page styles (`branding.rs`), and the ready-to-paste
//! announcement texts and local times in words (`texts.rs`). Pure functions; no I/O.

pub mod branding;
pub mod markdown;
pub mod texts;
