//! "Has someone asked this already?": finding the meeting's questions that ask the same thing.
//!
//! Why in the domain: which questions may be suggested (visible ones only, never held, hidden,
//! merged or erased) is a rule of the meeting, and matching is pure computation over the
//! projection, so it is tested here without a server. `analyze` turns text into stems
//! (Snowball Danish/English from `rust-stemmers`, stop words from `stopwords`), `trigram`
//! forgives spelling, `index` keeps one meeting's questions and ranks them, `topics` names the
//! words a meeting's questions share (the report's topic cloud).

pub mod analyze;
pub mod index;
pub mod lexicon;
pub mod stopwords;
pub mod topics;
pub mod trigram;

pub use analyze::Analyzer;
pub use index::{is_suggestible, Hit, SimilarIndex, MIN_SCORE};
pub use topics::{topic_texts, topics, Topic};
