//! Related terms: the civic words that mean the same thing, and what a question asks.
//!
//! Why: two citizens asking the same question often share no stem at all ("Hvornår starter
//! byggeriet?" / "Hvad er tidsplanen for byggeriet?"; "Hvad koster det?" / "Hvad er budgettet?").
//! `lexicon.txt` groups such words into concepts per language, and the index adds a question's
//! concepts to its stems, weighted below an exact stem (`index::CONCEPT_WEIGHT`), so a shared
//! concept helps a paraphrase without making every question about money one question. The
//! question words ("hvornår", "hvorfor", "hvor meget") are concepts too: they are stop words for
//! matching stems, but what a question asks separates near misses ("what does the harbour
//! cost" / "when does the harbour start").
//!
//! Danish compounds are split into known parts: a stem that is no lexicon word gets the
//! concepts of its longest known beginning (at least `PART_MIN` letters) and its longest known
//! end (at least `TAIL_MIN`): "skolerenoveringen" is school and build, "parkeringshus" parking
//! and not the "park" it also begins with, "natbus" a bus. A stem found neither way is matched
//! by trigrams to the lexicon stem most like it that begins with the same letter (a
//! misspelling: "plejehjemet", "parkerign"; "kældre" is not "ældre"). Words whose Snowball stem
//! is not safe to look up (see `Lexicon::parse`) are looked up as written. Which concepts are
//! subjects of a question and which only what it asks or what happens is the index's business
//! (`index::INTENTS`, `index::ASPECTS`). The file is compiled in (no I/O, nothing downloaded)
//! and parsed once.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::analyze::Lang;
use super::trigram;

const SOURCE: &str = include_str!("lexicon.txt");
/// Marks a concept id, while parsing, as reached through a spelling without æ, ø and å.
const SPELT: u16 = 1 << 15;

/// Shortest part of a compound that is looked up (shorter ones would find words everywhere).
const PART_MIN: usize = 4;
/// The end of a compound may be shorter ("natbus", "skovvej", "sportshal": `TAIL_MIN`
/// letters) when at least `TAIL_REST_MIN` letters come before it.
const TAIL_MIN: usize = 3;
const TAIL_REST_MIN: usize = 3;
/// A stem found neither whole nor in parts is taken for a misspelling of the lexicon stem it
/// is most like, when they are at least this alike (trigrams) and it has `FUZZY_LEN` letters.
const FUZZY_SIM: f32 = 0.7;
const FUZZY_LEN: usize = 5;

/// The parsed lexicon of one language.
#[derive(Debug, Default)]
struct Table {
    /// Stem -> concepts.
    single: HashMap<String, Vec<u16>>,
    /// Word as written (normalized) -> concepts: the words whose stem is not safe to look up
    /// (see `Lexicon::parse`).
    surface: HashMap<String, Vec<u16>>,
    /// Two normalized words in a row -> concepts.
    pairs: HashMap<(String, String), Vec<u16>>,
    /// The stems of `single` with their trigrams, for misspellings (filled after parsing).
    grams: Vec<(Vec<[char; 3]>, String)>,
}

#[derive(Debug, Default)]
pub struct Lexicon {
    da: Table,
    en: Table,
    /// Concept id -> its term in the index ("~da:cost").
    names: Vec<String>,
}

/// The lexicon, parsed on first use.
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon::parse(SOURCE))
}

fn add(list: &mut Vec<u16>, id: u16) {
    if !list.contains(&id) {
        list.push(id);
    }
}

impl Lexicon {
    /// Parse `lexicon.txt`. A malformed line is a bug in the compiled-in file (the unit test
    /// below parses it), so it is skipped rather than failing a meeting.
    ///
    /// A word is looked up by its stem, so that every inflection finds it, except where the
    /// stem is not safe: Snowball gives some words of different concepts one stem ("parkere"
    /// and "park", "læge" and "lægge", "farlig" and "far"), and a stem of under `PART_MIN`
    /// letters that is no word of the list itself is mostly such a collision ("bus" of
    /// "bussen" is safe, "far" of "farlig" is not). Those words are looked
    /// up as written (with their spellings without æ, ø and å).
    fn parse(source: &str) -> Self {
        let da = Stemmer::create(Algorithm::Danish);
        let en = Stemmer::create(Algorithm::English);
        let mut lex = Lexicon::default();
        let mut ids: HashMap<String, u16> = HashMap::new();
        // Per language: stem -> (word, concept) it came from.
        let mut by_stem: [HashMap<String, Vec<(String, u16)>>; 2] = Default::default();
        // Per language: the words as listed, and their spellings without æ, ø and å (a
        // spelling that is itself another listed word, "bade" of "både" and "bade", is left
        // out: the word as listed wins).
        let mut listed: [BTreeSet<String>; 2] = Default::default();
        let mut spelt: [Vec<(String, u16)>; 2] = Default::default();
        for line in source.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((head, words)) = line.split_once('=') else {
                continue;
            };
            let mut head = head.split_whitespace();
            let (Some(lang), Some(concept)) = (head.next(), head.next()) else {
                continue;
            };
            let li = match lang {
                "da" => 0,
                "en" => 1,
                _ => continue,
            };
            let table = if li == 0 { &mut lex.da } else { &mut lex.en };
            let name = format!("~{lang}:{concept}");
            let next = lex.names.len() as u16;
            let id = *ids.entry(name.clone()).or_insert(next);
            if id == next {
                lex.names.push(name);
            }
            for word in words.split_whitespace() {
                let word = word.to_lowercase();
                match word.split_once('_') {
                    Some((a, b)) => add(
                        table
                            .pairs
                            .entry((a.to_string(), b.to_string()))
                            .or_default(),
                        id,
                    ),
                    None => {
                        // Also as typed on a keyboard without æ, ø and å ("hjemmehjaelp",
                        // "svommehal"): stemmed the way the typed word will be.
                        let mut forms = spellings(&word).into_iter();
                        if let Some(word) = forms.next() {
                            listed[li].insert(word.clone());
                            spelt[li].push((word, id));
                        }
                        debug_assert_eq!(id & SPELT, 0, "concept ids stay below the SPELT bit");
                        spelt[li].extend(forms.map(|f| (f, id | SPELT)));
                    }
                }
            }
        }
        for li in 0..2 {
            let stemmer = if li == 0 { &da } else { &en };
            for (form, id) in std::mem::take(&mut spelt[li]) {
                if id & SPELT != 0 && listed[li].contains(&form) {
                    continue;
                }
                let stem = stemmer.stem(&form).into_owned();
                by_stem[li]
                    .entry(stem)
                    .or_default()
                    .push((form, id & !SPELT));
            }
        }
        for (table, stems) in [&mut lex.da, &mut lex.en].into_iter().zip(by_stem) {
            for (stem, from) in stems {
                // A collision: two words of the stem with no concept in common.
                let mut of_word: HashMap<&str, BTreeSet<u16>> = HashMap::new();
                for (w, id) in &from {
                    of_word.entry(w.as_str()).or_default().insert(*id);
                }
                let sets: Vec<&BTreeSet<u16>> = of_word.values().collect();
                let collision = sets
                    .iter()
                    .enumerate()
                    .any(|(i, a)| sets[i + 1..].iter().any(|b| a.is_disjoint(b)));
                let cut_short =
                    stem.chars().count() < PART_MIN && !from.iter().any(|(w, _)| *w == stem);
                if collision || cut_short {
                    for (word, id) in from {
                        add(table.surface.entry(word).or_default(), id);
                    }
                } else {
                    let list = table.single.entry(stem).or_default();
                    for (_, id) in from {
                        add(list, id);
                    }
                }
            }
            let mut stems: Vec<&String> = table.single.keys().collect();
            stems.sort();
            table.grams = stems
                .into_iter()
                .filter(|s| s.chars().count() >= FUZZY_LEN)
                .map(|s| (trigram::trigrams(s), s.clone()))
                .collect();
        }
        lex
    }

    /// The concept terms of a text, given its normalized words in order, their stems (stop
    /// words stemmed too) and its language; each concept once.
    pub fn concepts(&self, words: &[&str], stems: &[String], lang: Lang) -> BTreeSet<&str> {
        let table = match lang {
            Lang::Da => &self.da,
            Lang::En => &self.en,
        };
        let mut found: BTreeSet<u16> = BTreeSet::new();
        for pair in words.windows(2) {
            if let Some(ids) = table.pairs.get(&(pair[0].to_string(), pair[1].to_string())) {
                found.extend(ids);
            }
        }
        for (word, stem) in words.iter().zip(stems) {
            if let Some(ids) = table.surface.get(*word) {
                found.extend(ids);
                continue;
            }
            if let Some(ids) = table.single.get(stem) {
                found.extend(ids);
                continue;
            }
            // A compound: its longest known beginning and its longest known end (not every
            // known piece: "parkeringshus" is parking, not the "park" it begins with).
            let bounds: Vec<usize> = stem.char_indices().map(|(i, _)| i).collect();
            let n = bounds.len();
            let head = bounds
                .iter()
                .rev()
                .filter(|&&i| i > 0 && stem[..i].chars().count() >= PART_MIN)
                .find_map(|&i| table.single.get(&stem[..i]));
            let tail = bounds
                .iter()
                .enumerate()
                .filter(|&(k, _)| k >= TAIL_REST_MIN && n - k >= TAIL_MIN)
                .find_map(|(_, &i)| table.single.get(&stem[i..]));
            let parts = head.is_some() || tail.is_some();
            found.extend(head.into_iter().flatten());
            found.extend(tail.into_iter().flatten());
            // A misspelling: the most alike lexicon stem, if alike enough and beginning with
            // the same letter (a slip of the finger rarely hits the first one; a different
            // first letter is mostly another word: "kældre" is not "ældre").
            if !parts && stem.chars().count() >= FUZZY_LEN {
                let first = stem.chars().next();
                let grams = trigram::trigrams(stem);
                let best = table
                    .grams
                    .iter()
                    .filter(|(_, s)| s.chars().next() == first)
                    .map(|(g, s)| (trigram::similarity(&grams, g), s))
                    .filter(|(sim, _)| *sim >= FUZZY_SIM)
                    .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
                if let Some((_, s)) = best {
                    found.extend(&table.single[s]);
                }
            }
        }
        found
            .into_iter()
            .map(|id| self.names[id as usize].as_str())
            .collect()
    }
}

/// A word, and when it has æ, ø or å, its two usual spellings without them (ae/oe/aa, e/o/a).
fn spellings(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    if !word.is_ascii() {
        for (ae, oe, aa) in [("ae", "oe", "aa"), ("ae", "o", "a")] {
            let form = word.replace('æ', ae).replace('ø', oe).replace('å', aa);
            if !out.contains(&form) {
                out.push(form);
            }
        }
    }
    out
}

/// Whether an index term is a concept (matched exactly, weighted as one) rather than a stem.
pub fn is_concept(term: &str) -> bool {
    term.starts_with('~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_file_parses() {
        let lines = SOURCE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        for line in lines {
            let (head, words) = line.split_once('=').expect(line);
            let head: Vec<&str> = head.split_whitespace().collect();
            assert!(head.len() == 2 && ["da", "en"].contains(&head[0]), "{line}");
            assert!(!words.trim().is_empty(), "{line}");
        }
        assert!(lexicon().names.len() > 50);
    }

    fn concepts_of(text: &str) -> Vec<String> {
        crate::similar::Analyzer::default()
            .features(text)
            .into_iter()
            .filter(|t| is_concept(t))
            .collect()
    }

    /// Stems Snowball gives words of two concepts, short stems cut off longer words, a
    /// compound's shorter known beginning, a spelling without æ, ø and å that is another word,
    /// and a misspelling with another first letter find nothing they should not.
    #[test]
    fn collisions_and_compounds_find_the_right_concepts() {
        assert!(concepts_of("parkere").contains(&"~da:parking".to_string()));
        assert!(!concepts_of("parkere").contains(&"~da:greenspace".to_string()));
        assert!(concepts_of("parken").contains(&"~da:greenspace".to_string()));
        assert!(concepts_of("lægen").contains(&"~da:doctor".to_string()));
        assert!(!concepts_of("lægge").contains(&"~da:doctor".to_string()));
        assert!(!concepts_of("min far").contains(&"~da:danger".to_string()));
        assert!(concepts_of("farligt").contains(&"~da:danger".to_string()));
        assert_eq!(concepts_of("parkeringshuset"), ["~da:parking"]);
        assert_eq!(concepts_of("natbussen"), ["~da:bus"]);
        assert!(!concepts_of("bade").contains(&"~da:boat".to_string()));
        assert!(concepts_of("baade").contains(&"~da:boat".to_string()));
        assert!(!concepts_of("kældre").contains(&"~da:elderly".to_string()));
        assert!(concepts_of("plejehjemet").contains(&"~da:carehome".to_string()));
    }
}
