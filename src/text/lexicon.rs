//! English common words (WordNet 3.0's lower-case lemmas and irregular forms, and its capitalised
//! nouns of kinds such as demonyms, compiled in): what tells a capitalised word that translations
//! translate ("Supreme", "Federation", "Americans") from a name they carry over or transliterate
//! ("Navalny", "Duma"); and their antonyms, for the antonym probe.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Written by `devset/english_words.py` from Debian's wordnet-base; its licence heads the file.
const WORDS: &str = include_str!("english-words.txt");

/// Closed-class words WordNet leaves out (it lists nouns, verbs, adjectives and adverbs), which a
/// sentence capitalises after a quote or a dash.
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "against", "all", "although", "among", "an", "and", "any",
    "are", "as", "at", "because", "before", "behind", "below", "beside", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "during", "each", "either", "every", "for", "from",
    "had", "has", "have", "he", "her", "hers", "herself", "him", "himself", "his", "how", "i",
    "if", "in", "into", "is", "it", "its", "itself", "may", "me", "might", "mine", "must", "my",
    "neither", "nor", "of", "on", "onto", "or", "our", "ours", "shall", "she", "should", "since",
    "so", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they",
    "this", "those", "though", "through", "to", "toward", "towards", "under", "unless", "until",
    "upon", "us", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
    "yours", "yourself", "oh", "hey", "hello", "yes", "no", "not",
];

/// Written by `devset/english_antonyms.py` from the same wordnet-base: word, tab, antonym.
const ANTONYMS: &str = include_str!("english-antonyms.txt");

fn words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        WORDS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .chain(FUNCTION_WORDS.iter().copied())
            .collect()
    })
}

/// Whether `word`, in lower case, is an English word or a regular inflection of one ("Policies",
/// "Workers", "People's", "Americans"). Names of one place, person or thing ("Paris", "Putin",
/// "Celsius") are not.
pub fn is_english_word(word: &str) -> bool {
    let w = word.to_lowercase();
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(&w);
    let set = words();
    let stem = |suffix: &str, add: &str| {
        w.strip_suffix(suffix)
            .is_some_and(|s| s.len() >= 2 && set.contains(format!("{s}{add}").as_str()))
    };
    set.contains(w)
        || stem("ies", "y")
        || stem("es", "")
        || stem("s", "")
        || stem("ed", "")
        || stem("ed", "e")
        || stem("ing", "")
        || stem("ing", "e")
        || derived(w, set)
}

/// The antonym of an English word in lower case ("strong" → "weak"; inflected: "increased" →
/// "decreased"), from WordNet's antonym pointers between the words' two most frequent senses (one
/// per word: the list keeps the one its sense-tagged corpus counts most).
pub fn antonym(word: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        ANTONYMS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
    .get(word)
    .copied()
}

/// Whether `w` is an English word (a stem of four letters or more) with a derivational ending
/// that WordNet does not list with every word ("governorate", "stewardship").
fn derived(w: &str, set: &HashSet<&str>) -> bool {
    ["ate", "ship", "hood", "dom", "ism", "ist"]
        .iter()
        .any(|suffix| {
            w.strip_suffix(suffix)
                .is_some_and(|s| s.chars().count() >= 4 && set.contains(s))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_capitalised_in_names_are_english_words() {
        for w in [
            "Supreme",
            "Federation",
            "Orthodox",
            "Policies",
            "Workers",
            "People's",
            "The",
            "Upon",
            "Governorate",
            "Americans",
            "Jews",
            "Christmas",
        ] {
            assert!(is_english_word(w), "{w}");
        }
    }

    #[test]
    fn antonyms_come_from_frequent_senses_and_regular_inflections() {
        assert_eq!(antonym("strong"), Some("weak"));
        assert_eq!(antonym("increased"), Some("decreased"));
        assert_eq!(antonym("victories"), Some("defeats"));
        // Rare senses stay out ("still" wine against "sparkling"), and so does "there", mostly
        // the empty subject of "there is".
        assert_ne!(antonym("still"), Some("sparkling"));
        assert_eq!(antonym("there"), None);
        assert_eq!(antonym("Strong"), None, "the lookup takes lower case");
    }

    #[test]
    fn names_wordnet_spells_capitalised_are_not_english_words() {
        for w in [
            "Navalny", "Merkel", "Kyiv", "Paris", "Moscow", "Putin", "Celsius",
        ] {
            assert!(!is_english_word(w), "{w}");
        }
    }
}
