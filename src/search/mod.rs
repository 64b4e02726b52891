//! Search: a static index per language, written with the site, and the
//! script that reads it in the reader's browser.
//!
//! A language's index lives in its `search/` folder (`/search/`, `/fr/search/`)
//! beside its search page, in files a query fetches only as it needs them:
//!
//! - `meta.json`: how many documents and files there are, and the stemmer;
//! - `t/<k>.json`, the term chunks: a term (see [`tokenize`]) is in one
//!   chunk found from its FNV-1a hash ([`chunk_of`]), so a query fetches one
//!   chunk per term it has. Single Han characters have chunks of their own,
//!   as many as their share of the index (`han_chunks` in `meta.json`): they
//!   are the most frequent terms of Chinese text, and a query of two
//!   characters or more never needs them, so the chunks it fetches (pairs,
//!   words) do not carry them;
//!   For each term: the documents it is in, those with it in the title, those
//!   with it three times or more, the folded words it comes from, and, when
//!   its words are written with different accents, the documents of each
//!   spelling (a query with accents ranks its own spelling first);
//! - `d/<k>.json`, the document chunks: [`DOCS_PER_CHUNK`] documents each,
//!   in the order of the ids (articles newest first, then pages, then
//!   institution profiles), each with its URL, title, date (as a machine
//!   date and as written in the language), institutions and an excerpt for
//!   the result's snippet;
//! - `words.json`: every folded word of four letters or more, for the typo
//!   tolerance of queries (fetched only when a word of a query is not found).
//!
//! Document sets are strings: gaps between ids as little-endian base-32
//! varints written in the URL-safe base64 alphabet, or, when shorter, `~`
//! followed by the bitmap in base64 (frequent terms).
//!
//! The number of files follows from the number of documents only
//! ([`Layout`]), so that the render plan lists them before the index is
//! made. Nothing here renders HTML or touches the file system.

pub mod tokenize;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use tokenize::Tokenizer;

/// The browser's script as written: the stemmers, then the search itself.
const SCRIPT: &str = concat!(include_str!("stem.js"), "\n", include_str!("search.js"));

/// The script as served: [`SCRIPT`] without its lines of comments, its
/// indentation and its blank lines (a sixth of its bytes; the sources
/// have no template literals and no line continuations for this to break,
/// and the browser test runs what this returns).
pub fn script() -> String {
    let mut out = String::with_capacity(SCRIPT.len());
    for line in SCRIPT.lines().map(str::trim) {
        if !line.is_empty() && !line.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Documents per document chunk.
pub const DOCS_PER_CHUNK: usize = 10;

/// Documents per term chunk, on average: the number of term chunks is the
/// number of documents over this.
const DOCS_PER_TERM_CHUNK: usize = 32;

/// How long an excerpt is, in characters of Latin text; a Chinese
/// character counts as two (it says more, and takes three bytes).
const EXCERPT_CHARS: usize = 260;

/// One thing a reader can find: an article, a page or a profile.
#[derive(Debug, Clone, Default)]
pub struct Doc<'a> {
    /// Its address relative to its language's root (`articles/x/`, the
    /// root being `/fr/` or `/`): the index is in `<root>search/`.
    pub url: String,
    pub title: String,
    /// The date as a machine reads it (`2024-03-12`, `2024-03`).
    pub date_iso: Option<String>,
    /// The date as the language writes it.
    pub date_display: Option<String>,
    /// The institutions it is about, named in the language.
    pub institutions: Vec<String>,
    /// The summary (or a profile's description).
    pub summary: String,
    /// The body as rendered (its text is read between the tags).
    pub html: &'a str,
}

/// The files of one language's index, as site paths below the language's
/// `search/` folder, in the order [`build`] returns their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    pub docs: usize,
    pub term_chunks: usize,
    pub doc_chunks: usize,
}

impl Layout {
    pub fn new(docs: usize) -> Layout {
        Layout {
            docs,
            term_chunks: docs.div_ceil(DOCS_PER_TERM_CHUNK).max(1),
            doc_chunks: docs.div_ceil(DOCS_PER_CHUNK),
        }
    }

    /// The number of files.
    pub fn files(&self) -> usize {
        2 + self.term_chunks + self.doc_chunks
    }

    /// The name of file `k` below `search/`.
    pub fn name(&self, k: usize) -> String {
        match k {
            0 => "meta.json".to_string(),
            1 => "words.json".to_string(),
            k if k < 2 + self.term_chunks => format!("t/{}.json", k - 2),
            k => format!("d/{}.json", k - 2 - self.term_chunks),
        }
    }
}

/// The chunk of a term, out of `chunks` of which the first `han_chunks` hold
/// the single Han characters and the others every other term: FNV-1a over
/// its UTF-8 bytes, modulo the size of its group (the script does the same).
pub fn chunk_of(key: &str, chunks: usize, han_chunks: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let h = h as usize;
    let han_chunks = han_chunks.min(chunks.saturating_sub(1));
    if han_chunks > 0 && is_single_han(key) { h % han_chunks } else { han_chunks + h % (chunks - han_chunks).max(1) }
}

/// Is `key` one Han character?
fn is_single_han(key: &str) -> bool {
    let mut chars = key.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if tokenize::is_han(c))
}

/// How many of `chunks` term chunks hold single Han characters: their share
/// of the index's estimated bytes, at least one when there are any, and
/// always one chunk for the other terms.
fn han_chunks(parts: &[Part], chunks: usize) -> usize {
    let (mut han, mut all) = (0u64, 0u64);
    for part in parts {
        // A set of `m` of the part's documents takes about 1.5 bytes an id
        // as gaps, never more than its bitmap.
        let bitmap = (part.docs / 6 + 1) as u64;
        for (key, term) in &part.terms {
            let bytes = (term.docs.len() as u64 * 3 / 2).min(bitmap) + key.len() as u64 + 8;
            all += bytes;
            if is_single_han(key) {
                han += bytes;
            }
        }
    }
    if chunks < 2 || han == 0 {
        return 0;
    }
    ((chunks as u64 * han).div_ceil(all.max(1)) as usize).clamp(1, chunks - 1)
}

/// What the index keeps of a term.
#[derive(Default)]
struct Term {
    docs: Vec<u32>,
    title: Vec<u32>,
    strong: Vec<u32>,
    /// The folded words it comes from (Latin terms).
    words: BTreeSet<String>,
    /// Each spelling with accents (lower case) and its documents (Latin
    /// terms), in the order they were met.
    exact: Vec<(String, Vec<u32>)>,
}

impl Term {
    /// The place of `spelling` in `exact`, added if new.
    fn spelling(&mut self, spelling: &str) -> usize {
        self.exact.iter().position(|(s, _)| s == spelling).unwrap_or_else(|| {
            self.exact.push((spelling.to_string(), Vec::new()));
            self.exact.len() - 1
        })
    }
}

/// The terms of a run of consecutive documents.
#[derive(Default)]
struct Part {
    slots: FxHashMap<String, usize>,
    /// A Han character or pair, packed into a number -> its slot.
    han: FxHashMap<u64, usize>,
    terms: Vec<(String, Term)>,
    /// The number of documents.
    docs: usize,
    /// The terms of each term chunk, as slots.
    buckets: Vec<Vec<u32>>,
}

impl Part {
    fn slot(&mut self, key: &str) -> usize {
        if let Some(&slot) = self.slots.get(key) {
            return slot;
        }
        let slot = self.terms.len();
        self.slots.insert(key.to_string(), slot);
        self.terms.push((key.to_string(), Term::default()));
        slot
    }

    fn han_slot(&mut self, packed: u64, key: impl FnOnce() -> String) -> usize {
        if let Some(&slot) = self.han.get(&packed) {
            return slot;
        }
        let slot = self.terms.len();
        self.han.insert(packed, slot);
        self.terms.push((key(), Term::default()));
        slot
    }
}

/// Documents indexed together by one task (a multiple of [`DOCS_PER_CHUNK`]).
const DOCS_PER_PART: usize = 250 * DOCS_PER_CHUNK;

/// How often each term of the current document was met, by slot.
struct Counts {
    /// (document stamp, count, in the title, spellings met as a bit set) per slot.
    per_slot: Vec<(u32, u32, bool, u64)>,
    touched: Vec<usize>,
    stamp: u32,
}

impl Counts {
    fn add(&mut self, slot: usize, title: bool, spelling: Option<usize>) {
        if slot >= self.per_slot.len() {
            self.per_slot.resize(slot + 1, (0, 0, false, 0));
        }
        let e = &mut self.per_slot[slot];
        if e.0 != self.stamp {
            *e = (self.stamp, 0, false, 0);
            self.touched.push(slot);
        }
        e.1 += 1;
        e.2 |= title;
        // (A term written in more than 64 ways ranks its later spellings as the others.)
        e.3 |= spelling.map_or(0, |s| 1u64.checked_shl(s as u32).unwrap_or(0));
    }
}

/// Indexes documents `first..` of `docs`: their terms, and their document chunks.
fn index_part(tokenizer: &Tokenizer, docs: &[Doc], first: usize) -> (Part, Vec<Vec<u8>>) {
    let mut part = Part { docs: docs.len(), ..Part::default() };
    // Each word piece as written -> (term slot, spelling), worked out once.
    let mut pieces: FxHashMap<String, Option<(usize, usize)>> = FxHashMap::default();
    let mut counts = Counts { per_slot: Vec::new(), touched: Vec::new(), stamp: 0 };
    for (k, doc) in docs.iter().enumerate() {
        let id = (first + k) as u32;
        counts.stamp = id + 1;
        counts.touched.clear();
        let mut read = |text: &str, title: bool| {
            let text = tokenize::nfc(text);
            tokenizer.scan(&text, |run| match run {
                tokenize::Run::Han(run) => {
                    let mut before: Option<char> = None;
                    for c in run.chars() {
                        counts.add(part.han_slot(u64::from(c), || c.to_string()), title, None);
                        if let Some(b) = before {
                            let packed = (u64::from(b) << 21) | u64::from(c);
                            counts.add(part.han_slot(packed, || format!("{b}{c}")), title, None);
                        }
                        before = Some(c);
                    }
                }
                tokenize::Run::Word(piece) => {
                    let found = match pieces.get(piece) {
                        Some(found) => *found,
                        None => {
                            let found = tokenizer.word(piece).map(|t| {
                                let slot = part.slot(&t.key);
                                let term = &mut part.terms[slot].1;
                                term.words.insert(t.word);
                                (slot, term.spelling(&t.exact))
                            });
                            pieces.insert(piece.to_string(), found);
                            found
                        }
                    };
                    if let Some((slot, spelling)) = found {
                        counts.add(slot, title, Some(spelling));
                    }
                }
            });
        };
        read(&doc.title, true);
        read(&doc.summary, false);
        html_text(doc.html, |text| read(text, false));
        for name in &doc.institutions {
            read(name, false);
        }
        for &slot in &counts.touched {
            let (_, count, title, mut spellings) = counts.per_slot[slot];
            let t = &mut part.terms[slot].1;
            while spellings != 0 {
                t.exact[spellings.trailing_zeros() as usize].1.push(id);
                spellings &= spellings - 1;
            }
            t.docs.push(id);
            if title {
                t.title.push(id);
            }
            if count >= 3 {
                t.strong.push(id);
            }
        }
    }
    let chunks = docs.chunks(DOCS_PER_CHUNK).map(|list| json(&list.iter().map(record).collect::<Vec<_>>())).collect();
    (part, chunks)
}

/// The index of one language, whose `count` documents are made by `doc(i)`
/// (a few hundred at a time): the bytes of each file of `Layout::new(count)`.
pub fn build<'a>(lang: &str, count: usize, doc: impl Fn(usize) -> Doc<'a> + Sync) -> Vec<Vec<u8>> {
    let layout = Layout::new(count);
    let tokenizer = Tokenizer::new(lang);
    let starts: Vec<usize> = (0..count).step_by(DOCS_PER_PART).collect();
    let mut parts: Vec<(Part, Vec<Vec<u8>>)> = starts
        .par_iter()
        .map(|&first| {
            let docs: Vec<Doc> = (first..(first + DOCS_PER_PART).min(count)).map(&doc).collect();
            index_part(&tokenizer, &docs, first)
        })
        .collect();
    let doc_chunks: Vec<Vec<u8>> = parts.iter_mut().flat_map(|(_, chunks)| std::mem::take(chunks)).collect();
    let mut parts: Vec<Part> = parts.into_iter().map(|(part, _)| part).collect();
    let han_chunks = han_chunks(&parts, layout.term_chunks);
    parts.par_iter_mut().for_each(|part| {
        part.buckets = vec![Vec::new(); layout.term_chunks];
        for (slot, (key, _)) in part.terms.iter().enumerate() {
            part.buckets[chunk_of(key, layout.term_chunks, han_chunks)].push(slot as u32);
        }
    });

    // Each term chunk merges its terms from the parts, in order (so that
    // every term's ids stay sorted).
    let term_chunks: Vec<Vec<u8>> = (0..layout.term_chunks)
        .into_par_iter()
        .map(|k| {
            // Each term of the chunk with its pieces, part after part.
            let mut merged: BTreeMap<&str, Vec<&Term>> = BTreeMap::new();
            for part in &parts {
                for &slot in &part.buckets[k] {
                    let (key, t) = &part.terms[slot as usize];
                    merged.entry(key.as_str()).or_default().push(t);
                }
            }
            term_chunk(&merged)
        })
        .collect();
    let vocabulary: BTreeSet<&str> = parts
        .iter()
        .flat_map(|p| p.terms.iter().flat_map(|(_, t)| t.words.iter()))
        .map(String::as_str)
        .filter(|w| w.chars().count() >= 4)
        .collect();

    let meta = Meta {
        v: 1,
        lang,
        stemmer: Tokenizer::stemmer_name(lang),
        docs: count,
        term_chunks: layout.term_chunks,
        han_chunks,
        doc_chunks: layout.doc_chunks,
        per_chunk: DOCS_PER_CHUNK,
    };
    let mut files = Vec::with_capacity(layout.files());
    files.push(json(&meta));
    files.push(json(&vocabulary.into_iter().collect::<Vec<_>>().join(" ")));
    files.extend(term_chunks);
    files.extend(doc_chunks);
    files
}

/// A term chunk: term -> [documents, in the title, three times or more,
/// words, spellings], each term from its pieces in the parts, in order.
fn term_chunk(terms: &BTreeMap<&str, Vec<&Term>>) -> Vec<u8> {
    let map: serde_json::Map<String, serde_json::Value> = terms
        .iter()
        .map(|(key, pieces)| {
            let set = |ids: fn(&Term) -> &[u32]| encode_ids(pieces.iter().flat_map(|t| ids(t).iter().copied()));
            let words: BTreeSet<&str> = pieces.iter().flat_map(|t| t.words.iter().map(String::as_str)).collect();
            let mut record = vec![
                serde_json::Value::String(set(|t| &t.docs)),
                serde_json::Value::String(set(|t| &t.title)),
                serde_json::Value::String(set(|t| &t.strong)),
                serde_json::Value::String(words.into_iter().collect::<Vec<_>>().join(" ")),
            ];
            // Spellings only where they tell documents apart.
            let mut spellings: BTreeMap<&str, Vec<&[u32]>> = BTreeMap::new();
            for t in pieces {
                for (spelling, ids) in &t.exact {
                    spellings.entry(spelling.as_str()).or_default().push(ids);
                }
            }
            if spellings.len() > 1 {
                let spellings = spellings.into_iter().map(|(s, lists)| {
                    let ids = encode_ids(lists.into_iter().flat_map(|l| l.iter().copied()));
                    (s.to_string(), serde_json::Value::String(ids))
                });
                record.push(serde_json::Value::Object(spellings.collect()));
            }
            (key.to_string(), serde_json::Value::Array(record))
        })
        .collect();
    json(&map)
}

/// Calls `f` with each block of text of rendered HTML (the text between
/// two tags that are not inline), entities decoded, the text of `script`,
/// `style` and `template` elements skipped. Text on both sides of an inline
/// tag is one (`con<em>ser</em>vation` is one word).
pub fn html_text(html: &str, mut f: impl FnMut(&str)) {
    let mut block = String::new();
    let mut flush = |block: &mut String| {
        if !block.is_empty() {
            f(block);
            block.clear();
        }
    };
    let mut rest = html;
    while !rest.is_empty() {
        let open = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..open];
        if text.contains('&') {
            block.push_str(&html_escape::decode_html_entities(text));
        } else {
            block.push_str(text);
        }
        let tag = &rest[open..];
        if tag.is_empty() {
            break;
        }
        let close = tag.find('>').map_or(tag.len(), |i| i + 1);
        rest = &tag[close..];
        let name = tag[1..].trim_start_matches('/');
        let name = name.split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').next().unwrap_or("");
        let name = name.to_ascii_lowercase();
        let inline = matches!(
            name.as_str(),
            "a" | "abbr"
                | "b"
                | "code"
                | "del"
                | "em"
                | "i"
                | "ins"
                | "mark"
                | "s"
                | "small"
                | "span"
                | "strong"
                | "sub"
                | "sup"
                | "u"
                | "wbr"
        );
        if inline {
            continue;
        }
        flush(&mut block);
        if matches!(name.as_str(), "script" | "style" | "template") && !tag.starts_with("</") {
            rest = rest.find(&format!("</{name}")).map_or("", |i| &rest[i..]);
        }
    }
    flush(&mut block);
}

#[derive(Serialize)]
struct Meta<'a> {
    v: u32,
    lang: &'a str,
    stemmer: Option<&'static str>,
    docs: usize,
    term_chunks: usize,
    han_chunks: usize,
    doc_chunks: usize,
    per_chunk: usize,
}

/// A document as its chunk holds it: [url, title, iso date, date, institutions, excerpt].
type Record<'d> = (&'d str, &'d str, &'d Option<String>, &'d Option<String>, &'d [String], String);

fn record<'d>(d: &'d Doc) -> Record<'d> {
    (&d.url, &d.title, &d.date_iso, &d.date_display, &d.institutions, excerpt(&d.summary, d.html))
}

/// The summary, then the start of the body when the summary is short, cut
/// at a word near [`EXCERPT_CHARS`].
fn excerpt(summary: &str, html: &str) -> String {
    // A character's width: two for Han characters, one for the others.
    let width = |c: char| if tokenize::is_han(c) { 2 } else { 1 };
    let mut out = summary.trim().to_string();
    if out.chars().map(width).sum::<usize>() < EXCERPT_CHARS {
        // The start of the body is enough (a tag cut at the end is dropped).
        let mut end = html.len().min(EXCERPT_CHARS * 4);
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        let text = plain_text(&html[..end]);
        // A body that starts with the summary (made from its first paragraph) adds what follows.
        let rest = text.strip_prefix(out.as_str()).unwrap_or(&text).trim_start();
        if !rest.is_empty() {
            if !out.is_empty() {
                out.push_str(" … ");
            }
            out.push_str(rest);
        }
    }
    let mut used = 0;
    let Some((cut, _)) = out.char_indices().find(|&(_, c)| {
        used += width(c);
        used > EXCERPT_CHARS
    }) else {
        return out;
    };
    // At the last space when there is one near the end (Chinese has none).
    let head = &out[..cut];
    match head.rfind(' ') {
        Some(i) if i > head.len() * 3 / 4 => format!("{}…", &head[..i]),
        _ => format!("{head}…"),
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Serializing strings, numbers and maps of them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A sorted set of ids, as the shorter of gaps and bitmap (the bitmap is
/// made only when it is the shorter: most terms are in few documents).
pub fn encode_set(ids: &[u32]) -> String {
    let mut gaps = String::new();
    let mut last: i64 = -1;
    for &id in ids {
        let mut gap = (i64::from(id) - last - 1) as u64;
        last = i64::from(id);
        loop {
            let digit = (gap & 31) as usize;
            gap >>= 5;
            if gap == 0 {
                gaps.push(B64[digit] as char);
                break;
            }
            gaps.push(B64[digit | 32] as char);
        }
    }
    let Some(&max) = ids.last() else { return gaps };
    let bytes = max as usize / 8 + 1;
    let bitmap_len = 1 + bytes.div_ceil(3) * 4;
    if bitmap_len >= gaps.len() {
        return gaps;
    }
    let mut bits = vec![0u8; bytes];
    for &id in ids {
        bits[id as usize / 8] |= 1 << (id % 8);
    }
    let mut out = String::with_capacity(bitmap_len);
    out.push('~');
    for group in bits.chunks(3) {
        let b = [group[0], *group.get(1).unwrap_or(&0), *group.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for s in [18, 12, 6, 0] {
            out.push(B64[((v >> s) & 63) as usize] as char);
        }
    }
    out
}

/// [`encode_set`] of ids given in increasing order.
fn encode_ids(ids: impl Iterator<Item = u32>) -> String {
    encode_set(&ids.collect::<Vec<_>>())
}

/// The text of rendered HTML: tags out, entities decoded, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    html_text(html, |block| words.extend(block.split_whitespace().map(str::to_string)));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_gaps_or_bitmaps() {
        assert_eq!(encode_set(&[0, 1, 2]), "AAA");
        assert_eq!(encode_set(&[40]), "oB");
        assert_eq!(encode_set(&[]), "");
        let all: Vec<u32> = (0..100).collect();
        assert!(encode_set(&all).starts_with('~'));
    }

    #[test]
    fn a_tag_cut_before_a_wide_character_ends_the_text() {
        // (Found by tests/fuzz.rs: the tag's name was cut inside `é`.)
        assert_eq!(plain_text("a <pé"), "a");
        let mut seen = Vec::new();
        html_text("a <pé", |t| seen.push(t.to_string()));
        assert_eq!(seen, ["a "]);
    }

    #[test]
    fn inline_markup_inside_a_word_leaves_it_whole_and_blocks_apart() {
        let mut seen = Vec::new();
        html_text("<p>con<em>ser</em>vation &amp; <a href=\"x\">Mogao</a></p><li>b</li>", |t| seen.push(t.to_string()));
        assert_eq!(seen, ["conservation & Mogao", "b"]);
    }

    #[test]
    fn plain_text_drops_tags_and_decodes() {
        assert_eq!(plain_text("<p>Le <em>mus</em>ée &amp; co</p><p>b</p>"), "Le musée & co b");
        assert_eq!(plain_text("<p>a</p><script>x()</script><p>b</p>"), "a b");
    }

    #[test]
    fn the_served_script_keeps_every_line_of_code() {
        // Dropping lines is safe only without multi-line literals.
        for line in SCRIPT.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
            assert!(!line.contains('`') && !line.ends_with('\\') && !line.contains("/*"), "{line}");
        }
        let served = script();
        assert!(served.len() < SCRIPT.len() * 9 / 10);
        assert!(served.contains("window.steleSearch = api;\n"));
        assert!(!served.lines().any(|l| l.starts_with("//") || l.starts_with(' ') || l.is_empty()));
    }

    #[test]
    fn single_han_characters_have_chunks_of_their_own() {
        let bodies: Vec<String> = (0..200)
            .map(|i| format!("<p>敦煌研究院第{i}号报告：莫高窟壁画的数字化保护与故宫博物院合作。Mogao record {i}.</p>"))
            .collect();
        let files = build("zh", bodies.len(), |i| Doc {
            url: format!("a/{i}/"),
            title: format!("报告 {i}"),
            html: &bodies[i],
            ..Doc::default()
        });
        let meta: serde_json::Value = serde_json::from_slice(&files[0]).unwrap();
        let (chunks, han) =
            (meta["term_chunks"].as_u64().unwrap() as usize, meta["han_chunks"].as_u64().unwrap() as usize);
        assert_eq!(chunks, Layout::new(200).term_chunks);
        assert!(han >= 1 && han < chunks, "{meta}");
        let mut seen = 0;
        for k in 0..chunks {
            let chunk: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&files[2 + k]).unwrap();
            for key in chunk.keys() {
                // Each term is where a query looks for it, single characters in the first chunks only.
                assert_eq!(chunk_of(key, chunks, han), k, "{key}");
                assert_eq!(is_single_han(key), k < han, "{key} in chunk {k}");
                seen += 1;
            }
        }
        assert!(seen > 40, "{seen} terms");
        // A Latin site has none.
        let latin =
            build("en", 100, |i| Doc { url: format!("a/{i}/"), title: format!("Report {i}"), ..Doc::default() });
        let meta: serde_json::Value = serde_json::from_slice(&latin[0]).unwrap();
        assert_eq!(meta["han_chunks"], 0);
    }

    #[test]
    fn layout_names_every_file() {
        let l = Layout::new(25);
        assert_eq!(
            (0..l.files()).map(|k| l.name(k)).collect::<Vec<_>>(),
            ["meta.json", "words.json", "t/0.json", "d/0.json", "d/1.json", "d/2.json"]
        );
    }
}
