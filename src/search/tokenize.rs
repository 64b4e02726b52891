//! The search tokenizer: text in a language -> index terms.
//!
//! The browser runs the same rules (`tokenize` in `search.js`); the file
//! `tests/fixtures/search_vectors.json` holds inputs and their terms, and
//! both implementations are tested against it. Change one, change both.
//!
//! The rules, in order:
//!
//! 1. The text is put in Unicode NFC.
//! 2. A run of Han characters (CJK Unified Ideographs, their extensions and
//!    compatibility ideographs) gives every character and every pair of
//!    neighbours as terms (`敦煌研究院` -> `敦`, `敦煌`, `煌`, `煌研`, ...), so
//!    that any contiguous substring of a Chinese text is found by the pairs
//!    that cover it, with no dictionary to disagree with.
//! 3. Any other run of letters and digits (Unicode `Alphabetic` or `N*`) is a
//!    word; an apostrophe (`'` or `’`) between two letters splits it, and in
//!    French the elided piece before it (`l'`, `d'`, `qu'`, `jusqu'`...) is
//!    dropped. Everything else separates words.
//! 4. A word is lower-cased, then its accents are folded (NFD, combining
//!    marks U+0300–U+036F removed; `œ` -> `oe`, `æ` -> `ae`, `ß` -> `ss`,
//!    `ø` -> `o`, `đ` -> `d`, `ł` -> `l`, `ı` -> `i`). Words of one character
//!    and the language's stop words are dropped.
//! 5. The term is the Snowball stem of the folded word in English and French
//!    (not for words with digits), else the folded word itself.
//!
//! Each term keeps the folded word and the word as written in lower case,
//! for typo matching, highlighting and ranking exact accents first.
//!
//! The tokenizer never fails and never drops text other than by rules 3–4.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// One term of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What the index is keyed by: a stem, a folded word or a Han n-gram.
    pub key: String,
    /// The folded word (a Han n-gram: itself).
    pub word: String,
    /// The word lower-cased with its accents (a Han n-gram: itself).
    pub exact: String,
}

/// French elided pieces dropped before an apostrophe.
const ELISIONS: &[&str] = &["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"];

const STOP_EN: &[&str] = &[
    "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his", "in", "into",
    "is", "it", "its", "no", "not", "of", "on", "or", "our", "she", "so", "that", "the", "their", "them", "there",
    "these", "they", "this", "to", "was", "we", "were", "which", "who", "will", "with", "you",
];

const STOP_FR: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il", "ils", "la",
    "le", "les", "leur", "leurs", "lui", "ne", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa",
    "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "ton", "un", "une", "vos", "votre", "vous",
];

/// The tokenizer of one language (a code of site.toml: `en`, `fr`, `zh`...;
/// the rules of rule 5 and the stop words apply to `en` and `fr`, and to
/// tags starting with them).
pub struct Tokenizer {
    stemmer: Option<Stemmer>,
    stop: &'static [&'static str],
    elisions: bool,
}

impl Tokenizer {
    pub fn new(lang: &str) -> Tokenizer {
        match family(lang) {
            Family::English => {
                Tokenizer { stemmer: Some(Stemmer::create(Algorithm::English)), stop: STOP_EN, elisions: false }
            }
            Family::French => {
                Tokenizer { stemmer: Some(Stemmer::create(Algorithm::French)), stop: STOP_FR, elisions: true }
            }
            Family::Other => Tokenizer { stemmer: None, stop: &[], elisions: false },
        }
    }

    /// Every term of `text`, in order (with repeats).
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.each(text, |t| out.push(t));
        out
    }

    /// Calls `emit` with every term of `text`, in order.
    pub fn each(&self, text: &str, mut emit: impl FnMut(Token)) {
        let text = nfc(text);
        self.scan(&text, |run| match run {
            Run::Han(run) => {
                han_terms(run, |t| emit(Token { key: t.to_string(), word: t.to_string(), exact: t.to_string() }))
            }
            Run::Word(piece) => {
                if let Some(token) = self.word(piece) {
                    emit(token)
                }
            }
        });
    }

    /// Walks `text` (in NFC, see [`nfc`]): each run of Han characters, and
    /// each word piece the apostrophe and elision rules keep (rules 2 and 3).
    pub fn scan<'t>(&self, text: &'t str, mut f: impl FnMut(Run<'t>)) {
        let (b, n) = (text.as_bytes(), text.len());
        let mut i = 0;
        while i < n {
            let (c, len) = char_at(text, i);
            if is_han(c) {
                let start = i;
                i += len;
                while i < n {
                    let (d, l) = char_at(text, i);
                    if !is_han(d) {
                        break;
                    }
                    i += l;
                }
                f(Run::Han(&text[start..i]));
            } else if is_word(c) {
                let mut from = i;
                i += len;
                while i < n {
                    // ASCII letters and digits, the most of most texts, first.
                    if b[i].is_ascii_alphanumeric() {
                        i += 1;
                        continue;
                    }
                    let (d, l) = char_at(text, i);
                    if is_word(d) {
                        i += l;
                    } else if is_apostrophe(d) && i + l < n && is_word(char_at(text, i + l).0) {
                        // A piece before an apostrophe: French drops elided ones.
                        let piece = &text[from..i];
                        if !(self.elisions && ELISIONS.contains(&fold(&piece.to_lowercase()).as_str())) {
                            f(Run::Word(piece));
                        }
                        i += l;
                        from = i;
                    } else {
                        break;
                    }
                }
                f(Run::Word(&text[from..i]));
            } else {
                i += len;
            }
        }
    }

    /// The term of one word piece, if it is kept (rules 4 and 5).
    pub fn word(&self, word: &str) -> Option<Token> {
        let exact = word.to_lowercase();
        let folded = fold(&exact);
        if folded.chars().count() < 2 || self.stop.contains(&folded.as_str()) {
            return None;
        }
        let key = match &self.stemmer {
            Some(stemmer) if !folded.bytes().any(|b| b.is_ascii_digit()) => stemmer.stem(&folded).into_owned(),
            _ => folded.clone(),
        };
        Some(Token { key, word: folded, exact })
    }

    /// Which stemmer the browser must use: `english`, `french` or none.
    pub fn stemmer_name(lang: &str) -> Option<&'static str> {
        match family(lang) {
            Family::English => Some("english"),
            Family::French => Some("french"),
            Family::Other => None,
        }
    }
}

/// What [`Tokenizer::scan`] finds.
pub enum Run<'t> {
    /// A run of Han characters.
    Han(&'t str),
    /// A word piece.
    Word(&'t str),
}

/// `text` in NFC (borrowed when it already is).
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii()
        || text.chars().all(surely_nfc)
        || unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
}

/// Whether `c` is left as it is by NFC whatever surrounds it: below the
/// combining diacritics (ASCII, Latin-1, Latin Extended-A and -B), and the
/// CJK Unified Ideographs (a fast answer for most text; the others are
/// asked to the Unicode tables).
fn surely_nfc(c: char) -> bool {
    c < '\u{300}' || ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// The terms of a run of Han characters: each character, and each pair of
/// neighbours after the first of them (rule 2).
pub fn han_terms<'t>(run: &'t str, mut f: impl FnMut(&'t str)) {
    let starts: Vec<usize> = run.char_indices().map(|(i, _)| i).chain([run.len()]).collect();
    for k in 0..starts.len() - 1 {
        f(&run[starts[k]..starts[k + 1]]);
        if k + 2 < starts.len() {
            f(&run[starts[k]..starts[k + 2]]);
        }
    }
}

enum Family {
    English,
    French,
    Other,
}

fn family(lang: &str) -> Family {
    let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match primary.as_str() {
        "en" => Family::English,
        "fr" => Family::French,
        _ => Family::Other,
    }
}

/// Whether `c` is a Han character (rule 2).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

/// The character at byte `i` of `text` (a character boundary) and its length.
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    let byte = text.as_bytes()[i];
    if byte < 0x80 {
        return (byte as char, 1);
    }
    let c = text[i..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

fn is_word(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // Latin-1's and Latin Extended-A's letters (all but × and ÷), without a table.
        '\u{C0}'..='\u{17F}' => c != '\u{D7}' && c != '\u{F7}',
        _ => c.is_alphanumeric() && !is_han(c),
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// A lower-cased word with its accents folded (rule 4).
pub fn fold(lower: &str) -> String {
    if lower.is_ascii() {
        return lower.to_string();
    }
    let mut out = String::with_capacity(lower.len());
    for c in lower.nfd() {
        match c {
            '\u{300}'..='\u{36f}' => {}
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'đ' => out.push('d'),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(lang: &str, text: &str) -> Vec<String> {
        Tokenizer::new(lang).tokenize(text).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn accents_fold_and_elisions_go() {
        assert_eq!(keys("fr", "Musée"), keys("fr", "musee"));
        assert_eq!(keys("fr", "l'Académie"), keys("fr", "academie"));
        assert_eq!(keys("fr", "jusqu’à l’Académie"), keys("fr", "académie"));
        assert_eq!(Tokenizer::new("fr").tokenize("l'Académie")[0].word, "academie");
    }

    #[test]
    fn han_runs_give_characters_and_pairs() {
        assert_eq!(keys("zh", "敦煌研究"), ["敦", "敦煌", "煌", "煌研", "研", "研究", "究"]);
        assert_eq!(keys("zh", "故宫, Dunhuang"), ["故", "故宫", "宫", "dunhuang"]);
    }

    #[test]
    fn english_is_stemmed_and_stop_words_dropped() {
        assert_eq!(keys("en", "The conservation of murals"), ["conserv", "mural"]);
        assert_eq!(keys("en-GB", "2024 museums"), ["2024", "museum"]);
    }
}
