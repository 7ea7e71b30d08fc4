//! Stop words: the little words that say nothing about what a question is about.
//!
//! Why a list of our own: the Snowball project publishes stop lists next to its stemmers, but
//! `rust-stemmers` ships only the stemmers. These are the Snowball Danish and English lists (as
//! folded by `analyze::normalize`: lower case, NFC), plus the question words ("hvornår",
//! "hvorfor", "when", "why"...), fillers ("sker" of "hvad sker der med", "ved", "kommer" of
//! "kommer der", "lave" like "gøre" (make, do: "lavet om", "lave et bofællesskab"), "igen", "stadig", "nok", "flere", "hver", "uden"; "much", "more", "still"), the
//! possessives the Snowball list lacks ("vores", "jeres") and the politeness of a question
//! ("gerne", "please"), which two people asking the same thing rarely share and which would
//! otherwise tie unrelated questions together ("Kommer der flere cykelstativer?" and "Kommer der
//! flere busafgange?"). Kept sorted so that `contains` is a binary search.

/// Danish (Snowball list + question words and fillers), sorted.
pub const DANISH: &[&str] = &[
    "ad", "af", "alle", "alt", "altså", "anden", "at", "bare", "blev", "blive", "bliver", "da",
    "de", "dem", "den", "denne", "der", "deres", "det", "dette", "dig", "din", "disse", "dog",
    "du", "efter", "egentlig", "eller", "en", "end", "er", "et", "flere", "for", "fordi", "fra",
    "få", "får", "gerne", "gør", "gøre", "ham", "han", "hans", "har", "havde", "have", "hele",
    "hende", "hendes", "her", "hos", "hun", "hvad", "hvem", "hver", "hvert", "hvilke", "hvilken",
    "hvis", "hvor", "hvordan", "hvorfor", "hvornår", "i", "igen", "ikke", "ind", "jeg", "jer",
    "jeres", "jo", "kan", "komme", "kommer", "kunne", "lave", "laver", "laves", "lavet", "lidt",
    "lige", "man", "mange", "med", "meget", "men", "mere", "mig", "min", "mine", "mit", "mod",
    "må", "ned", "nogen", "noget", "nogle", "nok", "nu", "når", "og", "også", "om", "op", "os",
    "over", "på", "rigtigt", "selv", "sig", "sin", "sine", "sit", "skal", "sker", "skulle", "som",
    "stadig", "så", "sådan", "thi", "til", "tror", "ud", "uden", "under", "var", "ved", "vi",
    "vide", "vil", "ville", "virkelig", "vor", "vores", "være", "været",
];

/// English (Snowball list, shortened to what matters in questions, + question words), sorted.
pub const ENGLISH: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "every",
    "for", "from", "get", "going", "had", "has", "have", "having", "he", "her", "here", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "many", "me", "more", "much", "my",
    "of", "on", "or", "our", "please", "she", "should", "so", "some", "still", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up",
    "us", "very", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will",
    "with", "without", "would", "you", "your",
];

/// Whether `word` (already normalized) is in the sorted list, also as typed without æ, ø and å
/// with them spelt out ("hvornaar", "paa", "faar"). Not a bare vowel for the missing letter:
/// "far" (father) is not "får".
pub fn contains(list: &[&str], word: &str) -> bool {
    if list.binary_search(&word).is_ok() {
        return true;
    }
    if !word.is_ascii() {
        return false;
    }
    let spelt = word
        .replace("aa", "å")
        .replace("ae", "æ")
        .replace("oe", "ø");
    spelt != word && list.binary_search(&spelt.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `contains` is a binary search: an unsorted list would silently miss words.
    #[test]
    fn lists_are_sorted_and_unique() {
        for list in [DANISH, ENGLISH] {
            for pair in list.windows(2) {
                assert!(pair[0] < pair[1], "{:?} before {:?}", pair[0], pair[1]);
            }
        }
    }

    #[test]
    fn finds_words() {
        assert!(contains(DANISH, "hvornår"));
        assert!(contains(ENGLISH, "the"));
        assert!(!contains(DANISH, "havnen"));
        // Typed on a phone without æ, ø and å.
        assert!(
            contains(DANISH, "hvornaar") && contains(DANISH, "paa") && contains(DANISH, "faar")
        );
        assert!(!contains(DANISH, "far"));
    }
}
