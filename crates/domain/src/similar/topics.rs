//! The meeting's main topics: the words its questions share, for the organizer's report.
//!
//! Why here, next to the matching: a topic is a stem (so "skolen", "skolerne" and "skole" are
//! one topic) with the stop words gone, exactly the terms `analyze` gives the index. Each
//! topic counts the questions that use it (a question repeating a word counts once) and is
//! shown as the form people wrote most often. Only stems at least two questions share: a
//! word one person used is not a topic of the meeting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::analyze::{normalize, words, Analyzer};
use crate::projection::{MeetingState, Post};
use crate::types::{PostKind, Visibility};

/// Shortest stem that can be a topic (numbers and two-letter stems say little in a cloud).
const MIN_STEM_CHARS: usize = 3;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Topic {
    /// The form most questions used (lower case), e.g. `skolen`.
    pub word: String,
    /// How many questions use it (in any inflection).
    pub questions: u32,
}

/// The `limit` topics most questions share, most shared first (ties: alphabetical).
pub fn topics<'a>(texts: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<Topic> {
    let analyzer = Analyzer::default();
    // stem -> (questions, surface form -> uses)
    let mut by_stem: BTreeMap<String, (u32, BTreeMap<String, u32>)> = BTreeMap::new();
    for text in texts {
        let normalized = normalize(text);
        let mut seen = std::collections::BTreeSet::new();
        for word in words(&normalized) {
            // One word at a time, so each stem keeps the surface word it came from; the
            // text's language is the text's, as in the index.
            let Some(stem) = analyzer.term_of(word, text) else {
                continue;
            };
            if stem.chars().count() < MIN_STEM_CHARS || stem.chars().all(char::is_numeric) {
                continue;
            }
            let entry = by_stem.entry(stem.clone()).or_default();
            *entry.1.entry(word.to_string()).or_default() += 1;
            if seen.insert(stem) {
                entry.0 += 1;
            }
        }
    }
    let mut out: Vec<Topic> = by_stem
        .into_values()
        .filter(|(n, _)| *n >= 2)
        .map(|(n, forms)| {
            let word = forms
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(w, _)| w.clone())
                .unwrap_or_default();
            Topic { word, questions: n }
        })
        .collect();
    out.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.word.cmp(&b.word)));
    out.truncate(limit);
    out
}

/// The questions a meeting's topics are drawn from: visible ones with their text (not held,
/// hidden, rejected or erased; merged duplicates count, they were asked too).
pub fn topic_texts(state: &MeetingState) -> impl Iterator<Item = &str> {
    state
        .posts
        .values()
        .filter(|p: &&Post| {
            p.kind == PostKind::Question
                && p.parent.is_none()
                && p.visibility == Visibility::Visible
                && !p.erased
        })
        .filter_map(|p| p.body.text.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_fold_stop_words_go_and_single_uses_are_not_topics() {
        let t = topics(
            [
                "Hvorfor lukker skolen?",
                "Skal skolerne lukke?",
                "Hvad sker der med skolen i Vestby?",
                "Hvad med parkeringen?",
                "Parkering koster for meget",
                "Hundeskov",
            ],
            10,
        );
        let words: Vec<(&str, u32)> = t.iter().map(|x| (x.word.as_str(), x.questions)).collect();
        assert_eq!(words[0], ("skolen", 3), "{words:?}");
        assert!(
            words.contains(&("lukker", 2)) || words.contains(&("lukke", 2)),
            "{words:?}"
        );
        assert!(
            words
                .iter()
                .any(|(w, n)| w.starts_with("parkering") && *n == 2),
            "{words:?}"
        );
        assert!(
            !words
                .iter()
                .any(|(w, _)| ["hvad", "med", "der", "hundeskov"].contains(w)),
            "{words:?}"
        );
    }

    #[test]
    fn a_repeated_word_counts_once_per_question_and_limit_holds() {
        let t = topics(["havn havnen havnen", "havnen", "skolen i havnen"], 1);
        assert_eq!(
            t,
            [Topic {
                word: "havnen".into(),
                questions: 3
            }]
        );
        assert!(topics(["havnen"], 5).is_empty());
    }
}
