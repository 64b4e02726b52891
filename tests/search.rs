//! Search: the tokenizer against the test vectors the browser's script is
//! also held to (tests/browser.rs runs the same file in chromium), and the
//! index a build writes: its files, what they find, and that no other page
//! loads any of it.

mod common;

use common::TestSite;
use serde_json::{Value, json};
use stele::search::tokenize::Tokenizer;

const VECTORS: &str = "tests/fixtures/search_vectors.json";

/// The inputs of the vectors: every rule of the tokenizer, in each language.
const INPUTS: &[(&str, &str)] = &[
    ("en", "The Dunhuang Academy's conservation of murals"),
    ("en", "Musée Guimet, MUSEE guimet, musee"),
    ("en", "Peking University and the Palace Museum"),
    ("en", "Mogao Caves, 2024–2025: 3D scans of the 4th cave"),
    ("en", "Œuvres & Æsthetics — naïve café, Straße, Øresund, Łódź"),
    ("en", "don't stop: it’s Xi'an"),
    ("en", "ΣΊΣΥΦΟΣ İstanbul"),
    ("en", "e\u{301}te\u{301} (decomposed) and été"),
    ("en", "emoji 😀 in text, a b c"),
    ("en", "generously dying skis news succeed gently sayings flyers"),
    ("en-GB", "Conserving conservation conservators"),
    ("fr", "l'Académie de Dunhuang"),
    ("fr", "jusqu’à l’été, lorsqu'il puisqu'elle quoiqu'on"),
    ("fr", "Qu'il s'agit d'un musée"),
    ("fr", "Le Musée national des arts asiatiques – Guimet"),
    ("fr", "Université de Pékin, aujourd'hui"),
    ("fr", "conservation préventive des peintures murales"),
    ("fr", "L'ÉCOLE et l’Œuvre"),
    ("fr", "heureusement, vraiment, nationalité, grottes"),
    ("zh", "这是一段简单的测试文本"),
    ("zh", "敦煌研究院与法国国立吉美亚洲艺术博物馆"),
    ("zh", "故宫博物院、北京大学和敦煌研究院"),
    ("zh", "莫高窟第17窟（藏经洞）"),
    ("zh", "Dunhuang 敦煌 2024年 Musée"),
    ("zh", "𠀀𠀁 extension B, 豈 compatibility"),
    ("de", "Müller's Straße"),
];

fn tokens(lang: &str, text: &str) -> Value {
    let list: Vec<Value> =
        Tokenizer::new(lang).tokenize(text).into_iter().map(|t| json!([t.key, t.word, t.exact])).collect();
    Value::Array(list)
}

/// The numbers of term chunks and of those of single Han characters in a `meta.json`.
fn chunk_counts(meta: &Value) -> (usize, usize) {
    let count = |key: &str| meta[key].as_u64().unwrap_or_else(|| panic!("{key} in {meta}")) as usize;
    (count("term_chunks"), count("han_chunks"))
}

/// The vectors as the Rust tokenizer makes them.
fn made() -> Value {
    Value::Array(
        INPUTS.iter().map(|(lang, text)| json!({ "lang": lang, "text": text, "tokens": tokens(lang, text) })).collect(),
    )
}

#[test]
fn the_tokenizer_gives_the_test_vectors() {
    let path = common::repo_root().join(VECTORS);
    if std::env::var_os("STELE_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&made()).expect("vectors as JSON");
        std::fs::write(&path, text + "\n").expect("write the vectors");
    }
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the vectors file")).expect("JSON");
    for (case, want) in written.as_array().expect("a list").iter().zip(made().as_array().expect("a list")) {
        assert_eq!(case, want, "the tokenizer disagrees with {VECTORS} (STELE_BLESS=1 rewrites it)");
    }
    assert_eq!(written.as_array().map(Vec::len), Some(INPUTS.len()));
}

#[test]
fn the_rules_hold_in_the_vectors() {
    let keys = |lang: &str, text: &str| -> Vec<String> {
        Tokenizer::new(lang).tokenize(text).into_iter().map(|t| t.key).collect()
    };
    // Accents folded, elisions stripped, stems shared.
    assert_eq!(keys("fr", "l'Académie"), keys("fr", "academie"));
    assert_eq!(keys("fr", "Musée"), keys("fr", "musee"));
    assert_eq!(keys("en", "murals"), keys("en", "mural"));
    // Every contiguous substring of a Chinese text is covered by its pairs.
    let text: Vec<char> = "这是一段简单的测试文本".chars().collect();
    let indexed = keys("zh", "这是一段简单的测试文本");
    for w in text.windows(2) {
        assert!(indexed.contains(&w.iter().collect::<String>()));
    }
    // Exact spellings are kept for ranking.
    let t = &Tokenizer::new("fr").tokenize("Musée")[0];
    assert_eq!((t.word.as_str(), t.exact.as_str()), ("musee", "musée"));
}

#[test]
fn a_build_writes_an_index_per_language_and_only_the_search_page_loads_it() {
    let site = TestSite::microsite();
    let files = site.build_ok().0;
    for prefix in ["", "fr/", "zh/"] {
        let meta: Value = serde_json::from_slice(&files[&format!("{prefix}search/meta.json")]).expect("meta.json");
        let docs = meta["docs"].as_u64().expect("a count") as usize;
        assert!(docs > 20, "{prefix}: {docs} documents");
        let chunks = meta["term_chunks"].as_u64().unwrap_or(0) as usize;
        for k in 0..chunks {
            assert!(files.contains_key(&format!("{prefix}search/t/{k}.json")));
        }
        let doc_chunks = meta["doc_chunks"].as_u64().unwrap_or(0) as usize;
        assert_eq!(doc_chunks, docs.div_ceil(meta["per_chunk"].as_u64().unwrap_or(1) as usize));
        let page = String::from_utf8_lossy(&files[&format!("{prefix}search/index.html")]).to_string();
        assert!(page.contains("search/search.js"), "the search page loads the script");
        assert!(page.contains("<form") && page.contains("name=\"q\""), "a form that works without JavaScript");
    }
    // No other page loads search bytes, and every page links to its language's search page.
    for (path, bytes) in &files {
        if path.ends_with(".html") && !path.ends_with("search/index.html") {
            let html = String::from_utf8_lossy(bytes);
            assert!(!html.contains("search.js") && !html.contains("meta.json"), "{path} loads search bytes");
            if path != "404.html" {
                let lang = if path.starts_with("fr/") {
                    "/fr/search/"
                } else if path.starts_with("zh/") {
                    "/zh/search/"
                } else {
                    "/search/"
                };
                let link = html.split("class=\"nav-search\" href=\"").nth(1).and_then(|r| r.split('"').next());
                assert!(
                    link.is_some_and(|l| l.ends_with(lang)
                        && (lang != "/search/" || !l.ends_with("fr/search/") && !l.ends_with("zh/search/"))),
                    "{path} links to {link:?}, expected its language's {lang}"
                );
            }
        }
    }
    // A French article's words are in the French index, accents folded:
    // `bibliotheque` finds the Library Cave article's translation.
    let meta: Value = serde_json::from_slice(&files["fr/search/meta.json"]).expect("meta.json");
    let (chunks, han) = chunk_counts(&meta);
    let key = &Tokenizer::new("fr").tokenize("bibliotheque")[0].key;
    let chunk: Value =
        serde_json::from_slice(&files[&format!("fr/search/t/{}.json", stele::search::chunk_of(key, chunks, han))])
            .expect("a chunk");
    let record = &chunk[key.as_str()];
    assert!(record[3].as_str().is_some_and(|w| w.split(' ').any(|w| w == "bibliotheque")), "{record}");
    // Chinese pairs are keys of the Chinese index.
    let meta: Value = serde_json::from_slice(&files["zh/search/meta.json"]).expect("meta.json");
    let (chunks, han) = chunk_counts(&meta);
    let chunk: Value =
        serde_json::from_slice(&files[&format!("zh/search/t/{}.json", stele::search::chunk_of("藏经", chunks, han))])
            .expect("a chunk");
    assert!(chunk.get("藏经").is_some(), "藏经 is indexed");
}
