//! Character trigrams of a stem: how the index forgives spelling mistakes.
//!
//! Why trigrams and not an edit distance: a misspelt stem ("bygerie", "skollen") shares most of
//! its three-letter pieces with the right one, the comparison is a merge of two short sorted
//! lists, and the trigrams of the vocabulary can be kept as they are. Before cutting, æ, ø and å
//! are spelt out (ae, oe, aa) and the word is padded with a space on each side, so a phone
//! keyboard's "kobenhavn", an old "aa" and the first and last letters all count.

/// The sorted, de-duplicated trigrams of a stem.
pub fn trigrams(stem: &str) -> Vec<[char; 3]> {
    let mut chars = vec![' '];
    for c in stem.chars() {
        match c {
            'æ' => chars.extend(['a', 'e']),
            'ø' => chars.extend(['o', 'e']),
            'å' => chars.extend(['a', 'a']),
            c => chars.push(c),
        }
    }
    chars.push(' ');
    let mut out: Vec<[char; 3]> = chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Dice coefficient of two sorted trigram lists: 1.0 for the same set, 0.0 for nothing shared.
pub fn similarity(a: &[[char; 3]], b: &[[char; 3]]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * shared) as f32 / (a.len() + b.len()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sim(a: &str, b: &str) -> f32 {
        similarity(&trigrams(a), &trigrams(b))
    }

    #[test]
    fn misspellings_stay_close_and_other_words_do_not() {
        assert!(sim("byggeri", "bygeri") > 0.6);
        assert!(sim("københavn", "kobenhavn") > 0.5);
        assert!(sim("parkering", "parkerign") > 0.5);
        assert!(sim("skole", "havn") < 0.2);
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_bounded_and_one_on_itself(a in "[a-zæøå]{1,12}", b in "[a-zæøå]{1,12}") {
            let (ta, tb) = (trigrams(&a), trigrams(&b));
            let s = similarity(&ta, &tb);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert_eq!(s, similarity(&tb, &ta));
            prop_assert_eq!(similarity(&ta, &ta), 1.0);
        }
    }
}
