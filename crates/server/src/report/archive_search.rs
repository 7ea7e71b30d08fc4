//! Search in the public archive (`/m/{id}/archive?q=...`): which threads a person's words find.
//!
//! Why here and not a search engine: an archive is one meeting (417 posts in the 2013 one), read
//! from the log on each request, so a scan over its threads costs less than keeping an index
//! in step. The words are analyzed as the live "similar questions" index does
//! (`borgermode_domain::similar`: stop words out, Danish/English stems, trigrams for spelling),
//! so "parkeringen", "parkering" and "parkring" find the same posts. A thread matches when
//! every word of the query is found in it (its question or comment, the answer, a reply);
//! tombstones and erased texts have no words to find.

use borgermode_domain::similar::trigram::{similarity, trigrams};
use borgermode_domain::similar::Analyzer;
use borgermode_protocol::http::ArchivePost;

/// Longest query read (characters); the rest is ignored, never an error on a public page.
pub const MAX_QUERY_CHARS: usize = 200;

/// How alike two stems' trigrams must be to count as the same word spelled otherwise.
const SPELLING: f32 = 0.6;

/// A query, analyzed once for all the threads it is matched against.
pub struct ArchiveQuery {
    /// What the person typed (trimmed, cut at `MAX_QUERY_CHARS`), shown back on the page.
    pub text: String,
    terms: Vec<(String, Vec<[char; 3]>)>,
    analyzer: Analyzer,
}

impl ArchiveQuery {
    /// None for an empty query (the archive unfiltered).
    pub fn parse(raw: &str) -> Option<Self> {
        let text: String = raw.trim().chars().take(MAX_QUERY_CHARS).collect();
        if text.is_empty() {
            return None;
        }
        let analyzer = Analyzer::default();
        let mut terms: Vec<(String, Vec<[char; 3]>)> = Vec::new();
        for t in analyzer.terms(&text) {
            if !terms.iter().any(|(s, _)| *s == t) {
                let g = trigrams(&t);
                terms.push((t, g));
            }
        }
        Some(Self {
            text,
            terms,
            analyzer,
        })
    }

    /// Whether the query has any word to look for (only stop words: nothing is found).
    pub fn has_terms(&self) -> bool {
        !self.terms.is_empty()
    }

    /// Whether every word of the query is in the thread.
    pub fn matches(&self, top: &ArchivePost, replies: &[&ArchivePost]) -> bool {
        if self.terms.is_empty() {
            return false;
        }
        let mut stems: Vec<String> = Vec::new();
        for p in std::iter::once(top).chain(replies.iter().copied()) {
            if p.hidden_reason.is_some() {
                continue;
            }
            if let Some(body) = &p.body {
                stems.extend(self.analyzer.terms(body));
            }
            if let Some(text) = p.answer.as_ref().and_then(|a| a.text.as_ref()) {
                stems.extend(self.analyzer.terms(text));
            }
        }
        stems.sort_unstable();
        stems.dedup();
        let grams: Vec<Vec<[char; 3]>> = stems.iter().map(|s| trigrams(s)).collect();
        self.terms.iter().all(|(term, g)| {
            stems.iter().zip(&grams).any(|(stem, sg)| {
                stem == term
                    // A compound holds the word ("betalingsparkering" finds "parkering").
                    || (term.chars().count() >= 4 && stem.contains(term.as_str()))
                    || similarity(g, sg) >= SPELLING
            })
        })
    }
}

/// `q` as a URL query value (the page's own links carry the search along).
pub fn encode(q: &str) -> String {
    let mut out = String::with_capacity(q.len() * 3);
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use borgermode_domain::PostKind;
    use chrono::Utc;

    fn post(id: u64, body: &str) -> ArchivePost {
        ArchivePost {
            id,
            kind: PostKind::Question,
            parent: None,
            created_at: Utc::now(),
            author: None,
            body: Some(body.into()),
            hidden_reason: None,
            question_state: None,
            answer: None,
            agenda_item: None,
        }
    }

    #[test]
    fn every_word_must_be_found_in_any_spelling_or_inflection() {
        let q = ArchiveQuery::parse("parkering havnen").expect("query");
        assert!(q.matches(&post(1, "Hvad koster parkeringen ved havnen?"), &[]));
        assert!(q.matches(
            &post(
                1,
                "Bliver der betalingsparkering på havnefronten og havnen?"
            ),
            &[]
        ));
        assert!(!q.matches(&post(1, "Hvad koster parkeringen i byen?"), &[]));
        let typo = ArchiveQuery::parse("parkring").expect("query");
        assert!(typo.matches(&post(1, "Parkeringen er for dyr"), &[]));
    }

    #[test]
    fn a_reply_or_the_answer_can_hold_the_word_but_not_a_tombstone() {
        let q = ArchiveQuery::parse("cykelsti").expect("query");
        let mut reply = post(2, "Og hvad med en cykelsti?");
        reply.kind = PostKind::Comment;
        reply.parent = Some(1);
        assert!(q.matches(&post(1, "Hvad sker der med vejen?"), &[&reply]));
        let mut hidden = post(1, "cykelsti cykelsti");
        hidden.hidden_reason = Some(borgermode_domain::HideReason::Spam);
        assert!(!q.matches(&hidden, &[]));
    }

    #[test]
    fn empty_and_stop_word_queries() {
        assert!(ArchiveQuery::parse("   ").is_none());
        let q = ArchiveQuery::parse("og det er").expect("query");
        assert!(!q.has_terms());
        assert!(!q.matches(&post(1, "og det er"), &[]));
        let long = "a".repeat(500);
        assert_eq!(
            ArchiveQuery::parse(&long)
                .expect("query")
                .text
                .chars()
                .count(),
            MAX_QUERY_CHARS
        );
    }

    #[test]
    fn encode_keeps_a_query_in_a_link() {
        assert_eq!(encode("p-plads ø&x"), "p-plads%20%C3%B8%26x");
    }
}
