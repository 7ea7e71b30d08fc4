//! From a question's text to the terms it is matched on.
//!
//! Why: two citizens asking the same thing use other inflections ("byggeriet", "byggeri"),
//! other filler words and their own spelling. The text is folded (NFC, lower case; æ, ø and å
//! stay letters of their own, since "fore"/"føre" are different words), cut into words, stop
//! words dropped, and each word stemmed with the Snowball stemmer of the text's language
//! (`rust-stemmers`; Danish unless the text reads as English). Spelling tolerance is not done
//! here but in the index, which compares stems by character trigrams (`trigram.rs`).

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use super::{lexicon, stopwords};

/// The language a text is stemmed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

/// Longest word kept (characters): longer runs are links or keyboard mashing.
const MAX_WORD_CHARS: usize = 30;

/// Lower case, NFC, every run of non-alphanumeric characters one space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words of a normalized text (apostrophes and hyphens split words too).
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .split(' ')
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
}

/// English when more of its words are English stop words than Danish ones (a question always
/// has a few); Danish otherwise, the meetings' usual language.
pub fn detect(words: &[&str]) -> Lang {
    let en = words
        .iter()
        .filter(|w| stopwords::contains(stopwords::ENGLISH, w))
        .count();
    let da = words
        .iter()
        .filter(|w| stopwords::contains(stopwords::DANISH, w))
        .count();
    if en > da {
        Lang::En
    } else {
        Lang::Da
    }
}

/// The two stemmers, built once per index (building one is cheap, but not free per word).
pub struct Analyzer {
    da: Stemmer,
    en: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self {
            da: Stemmer::create(Algorithm::Danish),
            en: Stemmer::create(Algorithm::English),
        }
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer")
    }
}

/// A word the index keeps: not a stop word of either language (a Danish question quoting
/// "the" loses nothing), and not a single letter (numbers stay: "2027", "3").
fn is_term(word: &str) -> bool {
    !stopwords::contains(stopwords::DANISH, word)
        && !stopwords::contains(stopwords::ENGLISH, word)
        && (word.chars().count() > 1 || word.chars().all(|c| c.is_numeric()))
}

impl Analyzer {
    fn stemmer(&self, lang: Lang) -> &Stemmer {
        match lang {
            Lang::Da => &self.da,
            Lang::En => &self.en,
        }
    }

    /// The stem of one normalized `word` of `text` (stemmed in `text`'s language), or None for
    /// a stop word or a one-letter word.
    pub fn term_of(&self, word: &str, text: &str) -> Option<String> {
        if !is_term(word) {
            return None;
        }
        let normalized = normalize(text);
        let all: Vec<&str> = words(&normalized).collect();
        let stemmer = self.stemmer(detect(&all));
        Some(stemmer.stem(word).into_owned())
    }

    /// The stems of a text, in order, stop words removed (a word in either stop list goes: a
    /// Danish question quoting "the" loses nothing). Numbers stay as they are ("2027").
    pub fn terms(&self, text: &str) -> Vec<String> {
        let normalized = normalize(text);
        let all: Vec<&str> = words(&normalized).collect();
        let lang = detect(&all);
        let stemmer = self.stemmer(lang);
        all.into_iter()
            .filter(|w| is_term(w))
            .map(|w| stemmer.stem(w).into_owned())
            .collect()
    }

    /// What the index matches a text on: its stems (`terms`), then its concepts from the
    /// lexicon (`lexicon.rs`: related words, what the question asks, parts of compounds), each
    /// concept once, as `~lang:name`.
    pub fn features(&self, text: &str) -> Vec<String> {
        let normalized = normalize(text);
        let all: Vec<&str> = words(&normalized).collect();
        let lang = detect(&all);
        let stemmer = self.stemmer(lang);
        let stems: Vec<String> = all.iter().map(|w| stemmer.stem(w).into_owned()).collect();
        let mut out: Vec<String> = all
            .iter()
            .zip(&stems)
            .filter(|(w, _)| is_term(w))
            .map(|(_, s)| s.clone())
            .collect();
        out.extend(
            lexicon::lexicon()
                .concepts(&all, &stems, lang)
                .into_iter()
                .map(str::to_string),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_punctuation_and_keeps_danish_letters() {
        assert_eq!(
            normalize("  Hvornår ÅBNER  Havnebadet?!"),
            "hvornår åbner havnebadet"
        );
        assert_eq!(normalize("Ærø-færgen"), "ærø færgen");
        // Decomposed å (a + ring) folds to the composed letter.
        assert_eq!(normalize("a\u{030A}bner"), "åbner");
    }

    #[test]
    fn detects_english_and_danish() {
        let en = normalize("When will the harbour be finished?");
        assert_eq!(detect(&words(&en).collect::<Vec<_>>()), Lang::En);
        let da = normalize("Hvornår er byggeriet ved havnen færdigt?");
        assert_eq!(detect(&words(&da).collect::<Vec<_>>()), Lang::Da);
    }

    #[test]
    fn inflections_fold_to_one_stem() {
        let a = Analyzer::default();
        assert_eq!(a.terms("byggeriet"), a.terms("byggeri"));
        assert_eq!(a.terms("skolerne"), a.terms("skole"));
        assert_eq!(a.terms("the schools"), a.terms("school"));
    }

    #[test]
    fn stop_words_leave() {
        let a = Analyzer::default();
        assert_eq!(a.terms("Hvornår er det at de starter?"), a.terms("starter"));
        assert!(a.terms("hvad er det").is_empty());
    }
}
