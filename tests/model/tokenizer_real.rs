//! The fast Unigram tokenizer (and its binary cache) against `tokenizers` on the real model's
//! 250k-piece tokenizer.json: identical ids on multilingual text.

use crate::common;

use mtcheck::model::tokenizer::{LoadedFrom, TextTokenizer};

const SENTENCES: &[&str] = &[
    "The museum opens a new exhibition on Saturday.",
    "Das Museum eröffnet am Samstag eine neue Ausstellung.",
    "ستزود محطة المياه مئة ألف منزل.",
    "Les prix ont fortement augmenté en octobre.",
    "東京都は新しい博物館を開館した。",
    "北京市政府周二宣布了新的交通规划。",
    "서울시는 새로운 도서관을 열었다.",
    "Москва объявила о строительстве новой линии метро.",
    "यह एक परीक्षण वाक्य है।",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα.",
    "שלום עולם, מה שלומך?",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ",
    "Emoji 🎉🚀 and symbols ©®™ … “quotes” — dashes",
    "  leading and   multiple   spaces\tand\ttabs  ",
    "ﬁligree ① ½ ＡＢＣ full-width",
    "<s> special </s> tokens <mask> in text <unk>",
    "URL https://example.org/path?q=1&r=2 and e-mail a.b@example.com",
    "1,234.56 € 100 000 ₹ 3.14159",
    "",
    "ǅemal Ǆ ǆ combining é vs é",
    "\u{200b}zero\u{200d}width\u{feff}",
];

fn texts() -> Vec<String> {
    let mut out: Vec<String> = SENTENCES.iter().map(|s| s.to_string()).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["news.ar.txt", "news.en.txt", "clean.de.txt", "clean.en.txt"] {
        if let Ok(t) = std::fs::read_to_string(root.join("examples").join(f)) {
            out.extend(t.lines().map(String::from));
        }
    }
    // The shared benchmark corpus, when this checkout sits beside it.
    if let Ok(t) = std::fs::read_to_string(root.join("../shared/bench/corpus-10k.txt")) {
        out.extend(t.lines().take(3000).map(String::from));
    }
    out
}

#[test]
fn fast_unigram_tokenizer_gives_the_same_ids_as_tokenizers_on_the_real_model() {
    let path = common::real_model_dir().join("tokenizer.json");
    let mut reference = tokenizers::Tokenizer::from_file(&path).unwrap();
    reference.with_truncation(None).unwrap();
    reference.with_padding(None);
    let cache = tempfile::tempdir().unwrap();
    let texts = texts();
    for expected_from in [LoadedFrom::JsonCached, LoadedFrom::Cache] {
        let (fast, from) = TextTokenizer::load(&path, Some(cache.path()), 0).unwrap();
        assert_eq!(from, expected_from);
        assert!(matches!(fast, TextTokenizer::Unigram(_)));
        for t in &texts {
            for input in [t.clone(), format!("passage: {t}")] {
                let want = reference.encode(input.clone(), true).unwrap();
                let got = fast.encode_ids(input.clone()).unwrap();
                assert_eq!(got, want.get_ids(), "{input:?}");
            }
        }
    }
}
