//! Counting a poll's answers. Why it exists apart from `poll.rs`: the same count feeds the live
//! result frames (coalesced, a few times a second), the big screen, the archive and the report,
//! on every instance, so it must be one pure function of the stored answers and nothing else.
//!
//! Counts are of people, not of picks: `respondents` is the number of answers; a multiple-choice
//! option's count is how many people picked it. Open answers count as respondents whether or
//! not a moderator has let them through, but only visible ones are listed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::poll::{PollAnswer, PollKind};

/// How many words a word cloud shows, and how many open answers are listed (the newest).
pub const CLOUD_WORDS: usize = 50;
pub const LISTED_TEXTS: usize = 50;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollResults {
    /// People who answered.
    pub respondents: u32,
    /// Choice polls: people per option, in option order. Scale polls: people per value, from 1
    /// to the scale's end (a client computes the mean from these; no float on the wire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<u32>,
    /// Word clouds: the most given words with how many gave each, most first (ties
    /// alphabetically), at most [`CLOUD_WORDS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<WordCount>,
    /// Open answers: the newest visible ones first, at most [`LISTED_TEXTS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<String>,
}

/// One word of a word cloud and how many people gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WordCount {
    pub word: String,
    pub count: u32,
}

/// One stored answer as the count sees it: `shown` is false for an open answer a moderator
/// has not let through (held or hidden). `answers` come oldest first.
pub fn count<'a>(
    kind: &PollKind,
    answers: impl IntoIterator<Item = (&'a PollAnswer, bool)>,
) -> PollResults {
    let mut r = PollResults::default();
    let slots = match kind {
        PollKind::SingleChoice { options } | PollKind::MultipleChoice { options, .. } => {
            options.len()
        }
        PollKind::Scale { max, .. } => *max as usize,
        PollKind::WordCloud | PollKind::OpenAnswer => 0,
    };
    r.counts = vec![0; slots];
    let mut words: HashMap<&str, u32> = HashMap::new();
    let mut texts: Vec<&str> = Vec::new();
    for (answer, shown) in answers {
        r.respondents += 1;
        match answer {
            PollAnswer::Choice { picks } => {
                for p in picks {
                    if let Some(c) = r.counts.get_mut(*p as usize) {
                        *c += 1;
                    }
                }
            }
            PollAnswer::Scale { value } => {
                if let Some(c) = r.counts.get_mut((*value as usize).wrapping_sub(1)) {
                    *c += 1;
                }
            }
            PollAnswer::Words { words: ws } => {
                for w in ws {
                    *words.entry(w.as_str()).or_default() += 1;
                }
            }
            PollAnswer::Text { text } => {
                if shown {
                    texts.push(text);
                }
            }
        }
    }
    let mut words: Vec<WordCount> = words
        .into_iter()
        .map(|(w, n)| WordCount {
            word: w.to_string(),
            count: n,
        })
        .collect();
    words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    words.truncate(CLOUD_WORDS);
    r.words = words;
    r.texts = texts
        .into_iter()
        .rev()
        .take(LISTED_TEXTS)
        .map(str::to_string)
        .collect();
    r
}
