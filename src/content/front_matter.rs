//! Front matter: splitting a Markdown file into its YAML block and its body,
//! and reading the block into a typed value.
//!
//! This is the only module that knows the YAML library; everything else sees
//! typed values and [`Diagnostic`]s whose line and column are in the *file*
//! (the block's lines shifted by the opening `---`), so an editor can jump
//! straight to the mistake. Hostile YAML (deep nesting, alias bombs) ends in
//! an error quickly: flow nesting is bounded before parsing (the parser's
//! work grows with the square of it), block nesting by serde_yaml's recursion
//! limit, and alias expansion by counting the values it produces.
//!
//! A key written twice in one map is an error at any depth, at the second
//! key: serde refuses a repeated top-level key, and [`unique_value`] and
//! [`unique`] refuse one inside `extra` and `names` (serde's own maps would
//! keep the last value silently).

use serde::de::DeserializeOwned;

use crate::error::{Diagnostic, Position, closest};

/// How deeply `[` and `{` may nest in a front-matter block.
const MAX_FLOW_DEPTH: usize = 64;

/// A source file cut into its front matter and its body.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The YAML text between the `---` lines.
    pub yaml: &'a str,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// The 1-based file line on which the body starts.
    pub body_line: usize,
}

/// The file line of the YAML block's first line (the one after `---`).
const YAML_FIRST_LINE: usize = 2;

/// Cuts `text` (BOM and CR already removed) at its `---` lines.
pub fn split<'a>(text: &'a str, shown: &str) -> Result<Split<'a>, Diagnostic> {
    let Some(rest) = text.strip_prefix("---").filter(|rest| rest.trim_start_matches([' ', '\t']).starts_with('\n'))
    else {
        return Err(Diagnostic::at(
            shown,
            Position::new(1, 1),
            "the file does not start with front matter, expected a first line `---` followed by YAML such as `title: ...`",
        ));
    };
    let rest = &rest[rest.find('\n').map_or(rest.len(), |i| i + 1)..];
    let mut offset = 0;
    for (line, raw) in (YAML_FIRST_LINE..).zip(rest.split_inclusive('\n')) {
        let content = raw.trim_end_matches('\n').trim_end_matches([' ', '\t']);
        if content == "---" || content == "..." {
            return Ok(Split { yaml: &rest[..offset], body: &rest[offset + raw.len()..], body_line: line + 1 });
        }
        offset += raw.len();
    }
    Err(Diagnostic::at(
        shown,
        Position::new(1, 1),
        "the front matter opened here is never closed, expected a line `---` after the YAML block",
    ))
}

/// Reads the YAML block into `T`. `keys` are the keys `T` accepts (for "did you mean").
pub fn parse<T: DeserializeOwned>(split: &Split<'_>, shown: &str, keys: &[&str]) -> Result<T, Diagnostic> {
    check_depth(split.yaml, shown)?;
    let yaml = if split.yaml.trim().is_empty() { "{}" } else { split.yaml };
    check_size(yaml, shown)?;
    serde_yaml::from_str(yaml).map_err(|err| yaml_diagnostic(&err, yaml, shown, keys))
}

/// Like [`parse`], but an unknown top-level key does not hide the rest of
/// the file: every unknown key is reported, and the block is read again
/// without them, so the value is still checked (and the caller can go on to
/// find an impossible date two lines below). Returns the value when the
/// block could be read, and every problem found.
pub fn parse_all<T: DeserializeOwned>(split: &Split<'_>, shown: &str, keys: &[&str]) -> (Option<T>, Vec<Diagnostic>) {
    let checked = check_depth(split.yaml, shown).and_then(|()| check_size(split.yaml, shown));
    if let Err(d) = checked {
        return (None, vec![d]);
    }
    let unknown = unknown_keys(split.yaml, keys);
    if unknown.is_empty() {
        return match parse(split, shown, keys) {
            Ok(value) => (Some(value), Vec::new()),
            Err(d) => (None, vec![d]),
        };
    }
    let suggested: Vec<Option<&str>> = unknown.iter().map(|(key, _)| closest(key, keys.iter().copied())).collect();
    let mut problems: Vec<Diagnostic> = unknown
        .iter()
        .zip(&suggested)
        .map(|((key, line), known)| {
            let message = match known {
                Some(known) => format!("unknown key `{key}`, did you mean `{known}`?"),
                None => format!("unknown key `{key}`, expected one of {}", crate::config::quoted_list(keys)),
            };
            Diagnostic::at(shown, Position::new(line + YAML_FIRST_LINE, 1), message)
        })
        .collect();
    // The same block read as if corrected: a misspelt key whose suggestion is
    // not in the block takes that name (so a required key is not reported
    // missing and its value is still checked), any other unknown key's lines
    // are blanked. Every line keeps its number, so later positions stay right.
    let lines: Vec<&str> = split.yaml.split_inclusive('\n').collect();
    let mut renamed: Vec<Option<String>> = vec![None; lines.len()];
    let mut blank = vec![false; lines.len()];
    let mut taken: Vec<&str> = Vec::new();
    for ((key, line), known) in unknown.iter().zip(&suggested) {
        if let Some(known) = known.filter(|k| !taken.contains(k) && top_level_line(split.yaml, k).is_none()) {
            taken.push(known);
            renamed[*line] = Some(format!("{known}{}", &lines[*line][key.len()..]));
            continue;
        }
        blank[*line] = true;
        for (i, text) in lines.iter().enumerate().skip(line + 1) {
            if starts_top_level_entry(text) {
                break;
            }
            blank[i] = true;
        }
    }
    let kept: String = lines
        .iter()
        .zip(blank.iter().zip(&renamed))
        .map(|(text, (&gone, new))| match new {
            Some(new) => new.as_str(),
            None if gone => "\n",
            None => text,
        })
        .collect();
    let rest = Split { yaml: &kept, ..*split };
    match parse(&rest, shown, keys) {
        Ok(value) => (Some(value), problems),
        Err(d) => {
            // A required key that is missing because it was misspelt has
            // been reported as the misspelling already.
            let misspelt = suggested.iter().flatten().any(|known| d.message == missing_key_message(known));
            if !misspelt {
                problems.push(d);
            }
            (None, problems)
        }
    }
}

pub(crate) fn missing_key_message(key: &str) -> String {
    format!("missing required key `{key}`, expected `{key}: ...`")
}

/// The 0-based line of the block on which top-level `key` is written, if any.
fn top_level_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.split_inclusive('\n').position(|line| {
        line.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
    })
}

/// Whether every top-level entry of the block is written `key: ...` with a
/// key of `keys`, read from the text alone, so that the block need not be
/// parsed a second time to look for unknown keys (the usual case). False
/// whenever the text leaves a doubt (a quoted key, a space before the colon,
/// a line at column 1 without a colon): then the YAML parser decides.
fn plainly_known(yaml: &str, keys: &[&str]) -> bool {
    yaml.lines().filter(|line| starts_top_level_entry(line)).all(|line| {
        line.split_once(':')
            .is_some_and(|(key, rest)| keys.contains(&key) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
    })
}

/// Whether a line of a block mapping starts a new top-level entry (text at
/// column 1 that is not a comment or the end of a multi-line value).
fn starts_top_level_entry(line: &str) -> bool {
    let first = line.chars().next();
    first.is_some_and(|c| !c.is_whitespace() && c != '#' && c != '-' && c != ']' && c != '}')
}

/// The top-level keys of a block mapping that are not in `keys`, with the
/// 0-based line of the block they are on. Empty when the block is not a plain
/// block mapping (then the typed parse reports the first unknown key itself).
fn unknown_keys(yaml: &str, keys: &[&str]) -> Vec<(String, usize)> {
    if plainly_known(yaml, keys) {
        return Vec::new();
    }
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(yaml) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for key in map.keys() {
        let Some(key) = key.as_str() else { return Vec::new() };
        if keys.contains(&key) {
            continue;
        }
        match top_level_line(yaml, key) {
            Some(line) => found.push((key.to_string(), line)),
            None => return Vec::new(),
        }
    }
    found.sort_by_key(|(_, line)| *line);
    found
}

fn yaml_diagnostic(err: &serde_yaml::Error, yaml: &str, shown: &str, keys: &[&str]) -> Diagnostic {
    // Every error has a location, even one serde_yaml does not print (the
    // start of the block, for a missing top-level key).
    let at = err
        .location()
        .map_or(Position::new(YAML_FIRST_LINE, 1), |loc| file_pos(Position::new(loc.line(), loc.column())));
    let message = explain(&in_file_positions(&err.to_string(), at), keys);
    // A key written twice is reported at the start of its map: point at the second one.
    let key = message.split_once(WRITTEN_TWICE).and_then(|(head, _)| head.rsplit('`').nth(1));
    let in_block = Position::new(at.line + 1 - YAML_FIRST_LINE, at.column);
    let at = key.and_then(|key| second_key(yaml, in_block, key)).map_or(at, file_pos);
    Diagnostic::at(shown, at, message)
}

/// The position in the YAML block of the second `key` of the map that
/// starts at `start` (also in the block): a flow map (`{a: 1, a: 2}`) or a
/// block map (keys at the column of its first key). `None` when this simple
/// reader cannot tell.
fn second_key(yaml: &str, start: Position, key: &str) -> Option<Position> {
    let lines: Vec<&str> = yaml.lines().collect();
    let start_line = start.line.checked_sub(1)?;
    let first = lines.get(start_line)?;
    let byte = first.char_indices().nth(start.column.saturating_sub(1)).map_or(first.len(), |(b, _)| b);
    let is_key = |text: &str| -> bool {
        let text = text.trim_start();
        let rest = [("\"", "\""), ("'", "'"), ("", "")]
            .iter()
            .find_map(|(open, close)| text.strip_prefix(open)?.strip_prefix(key)?.strip_prefix(close));
        let Some(rest) = rest else { return false };
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.strip_prefix(':').is_some_and(|after| after.is_empty() || after.starts_with([' ', '\t', ',', '}']))
    };
    // The 1-based position of a byte of a line (0-based) of the block.
    let at = |line: usize, byte: usize| Position::new(line + 1, lines[line][..byte].chars().count() + 1);
    let mut found = 0;
    if first[byte..].starts_with('{') {
        // A flow map: keys follow its `{` or a `,` at its own depth.
        let (mut depth, mut quote) = (0usize, None::<char>);
        for (l, text) in lines.iter().enumerate().skip(start_line) {
            let from = if l == start_line { byte } else { 0 };
            for (b, c) in text[from..].char_indices().map(|(b, c)| (b + from, c)) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') if depth > 0 => quote = Some(c),
                    (None, '{' | '[') => depth += 1,
                    (None, '}' | ']') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return None;
                        }
                    }
                    _ => {}
                }
                if depth == 1 && quote.is_none() && matches!(c, '{' | ',') && is_key(&text[b + 1..]) {
                    found += 1;
                    if found == 2 {
                        let after = &text[b + 1..];
                        return Some(at(l, b + 1 + after.len() - after.trim_start().len()));
                    }
                }
            }
        }
        return None;
    }
    // A block map: its keys sit at the indentation of the first one.
    let indent = byte;
    for (l, text) in lines.iter().enumerate().skip(start_line) {
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let own = text.len() - trimmed.len();
        if l > start_line && own < indent {
            return None;
        }
        if own == indent && is_key(trimmed) {
            found += 1;
            if found == 2 {
                return Some(at(l, own));
            }
        }
    }
    None
}

/// A position in the YAML block as a position in the file.
fn file_pos(in_block: Position) -> Position {
    Position::new(in_block.line + YAML_FIRST_LINE - 1, in_block.column)
}

/// serde_yaml prints positions in the block (" at line 2 column 5"). The
/// error's own position is printed by [`Diagnostic`], so it is dropped; any
/// other (where a collection being parsed started) is turned into a file
/// position.
fn in_file_positions(message: &str, own: Position) -> String {
    const AT: &str = " at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(AT) {
        out.push_str(&rest[..i]);
        let after = &rest[i + AT.len()..];
        let parsed = after.split_once(" column ").and_then(|(line, tail)| {
            let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            Some((line.parse::<usize>().ok()?, tail[..digits].parse::<usize>().ok()?, &tail[digits..]))
        });
        match parsed {
            Some((line, column, tail)) => {
                let pos = file_pos(Position::new(line, column));
                if pos != own {
                    out.push_str(&format!(" at line {} column {}", pos.line, pos.column));
                }
                rest = tail;
            }
            None => {
                out.push_str(AT);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Rewrites serde's wording into the project's: keys, suggestions, expectations.
fn explain(message: &str, keys: &[&str]) -> String {
    let (path, message) = match message.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (Some(path), rest),
        _ => (None, message),
    };
    let in_path = |text: String| match path {
        Some(path) => format!("in `{path}`: {text}"),
        None => text,
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        // The accepted keys of a nested map come from serde's own list.
        let expected: Vec<&str> = match rest.split_once(", expected ") {
            Some((_, list)) if path.is_some() => serde_field_list(list),
            _ => keys.to_vec(),
        };
        return in_path(match closest(key, expected.iter().copied()) {
            Some(known) => format!("unknown key `{key}`, did you mean `{known}`?"),
            None if expected.is_empty() => format!("unknown key `{key}`, expected no keys here"),
            None => format!("unknown key `{key}`, expected one of {}", crate::config::quoted_list(&expected)),
        });
    }
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return in_path(format!("the key `{key}` {WRITTEN_TWICE}, expected each key once"));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return in_path(missing_key_message(key));
    }
    if message.starts_with("recursion limit exceeded") || message.starts_with("repetition limit exceeded") {
        return format!(
            "the front matter is too deeply nested or expands too many aliases ({message}), expected plain keys and values"
        );
    }
    if message.starts_with("mapping values are not allowed in this context") {
        return format!(
            "{message}, expected one `key: value` per line (a value that contains `: ` must be put in quotes)"
        );
    }
    if !message.contains("expected") {
        return in_path(format!("{message}, expected YAML `key: value` lines"));
    }
    in_path(plain_expectation(message))
}

/// serde's names of types, in the words of someone writing front matter.
fn plain_expectation(message: &str) -> String {
    let Some((head, expected)) = message.rsplit_once("expected ") else { return message.to_string() };
    let plain = match expected {
        "a sequence" => "a list such as `[a, b]` or lines starting with `- `".to_string(),
        "a boolean" => "`true` or `false`".to_string(),
        "a map" => "a map of `key: value` lines".to_string(),
        struct_name if struct_name.starts_with("struct ") => "a map of `key: value` lines".to_string(),
        other => other.to_string(),
    };
    format!("{head}expected {plain}")
}

/// The field names in serde's "expected `a`", "expected `a` or `b`",
/// "expected one of `a`, `b`, `c`" and "there are no fields".
fn serde_field_list(list: &str) -> Vec<&str> {
    let list = list.strip_prefix("one of ").unwrap_or(list);
    list.split(", ")
        .flat_map(|part| part.split(" or "))
        .filter_map(|name| name.trim().strip_prefix('`')?.strip_suffix('`'))
        .collect()
}

/// How a key written twice in one map is reported (by [`unique`] and by
/// serde for the top-level keys); [`yaml_diagnostic`] then points at the
/// second one.
const WRITTEN_TWICE: &str = "is written twice in this map";

/// Reads a free value (`extra`) as JSON values, refusing a key written twice
/// in any map at any depth: serde's own maps keep the last value silently,
/// while a duplicate top-level key is an error. For `#[serde(deserialize_with)]`.
pub fn unique_value<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<serde_json::Value, D::Error> {
    deserializer.deserialize_any(UniqueValue)
}

/// Reads a map of names (`names: { zh: ... }`), refusing a key written twice.
pub fn unique<'de, D, V>(deserializer: D) -> Result<std::collections::BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: serde::Deserialize<'de>,
{
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

/// Builds a map, refusing a key written twice.
struct Unique<V>(std::marker::PhantomData<V>);
impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
    type Value = std::collections::BTreeMap<String, V>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some(Key(key)) = map.next_key()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` {WRITTEN_TWICE}, expected each key once"
                )));
            }
            out.insert(key, map.next_value()?);
        }
        Ok(out)
    }
}

/// A map key: a string, or a number or boolean written as one (`2024: ...`).
struct Key(String);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'v> serde::de::Visitor<'v> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// Builds a JSON value, refusing a key written twice in any map.
struct UniqueValue;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueValue {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueValue {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Not a number JSON can hold (`.nan`, `.inf`): null, as serde_json does.
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(UniqueValue)? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(Key(key)) = map.next_key()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` {WRITTEN_TWICE}, expected each key once"
                )));
            }
            let value = map.next_value_seed(UniqueValue)?;
            out.insert(key, value);
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// Byte offsets and characters of the bidirectional controls in `yaml`
/// (U+202A–U+202E, U+2066–U+2069), written as they are or as YAML escapes
/// (`\u202E`, `\U0000202E`). Invisible, they make a title or a name show in
/// another order than it is written ("Trojan Source").
pub fn bidi_controls(yaml: &str) -> Vec<(usize, char)> {
    let is_bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let mut found: Vec<(usize, char)> = yaml.char_indices().filter(|&(_, c)| is_bidi(c)).collect();
    for (offset, _) in yaml.match_indices('\\') {
        let rest = &yaml[offset + 1..];
        let digits = match rest.as_bytes().first() {
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => continue,
        };
        let escaped = rest
            .get(1..1 + digits)
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32)
            .filter(|&c| is_bidi(c));
        if let Some(c) = escaped {
            found.push((offset, c));
        }
    }
    found.sort_unstable();
    found
}

/// How many values (after expanding aliases) a front-matter block may hold.
const MAX_VALUES: usize = 100_000;

/// Refuses a block whose aliases expand into more values than any front
/// matter needs, walking it with a counter that stops at the limit. serde_yaml
/// bounds the number of alias jumps, not their size: a few wide lists that
/// refer to each other would otherwise grow to hundreds of millions of values.
/// Errors other than the limit are left to the typed parse, which words them.
fn check_size(yaml: &str, shown: &str) -> Result<(), Diagnostic> {
    use serde::de::DeserializeSeed;
    // Without a `*` there is no alias, and nothing to expand: skip the second parse.
    if !yaml.contains('*') {
        return Ok(());
    }
    let counter = std::cell::Cell::new(0);
    match Budget(&counter).deserialize(serde_yaml::Deserializer::from_str(yaml)) {
        Err(err) if counter.get() > MAX_VALUES => {
            let at = err
                .location()
                .map_or(Position::new(YAML_FIRST_LINE, 1), |loc| file_pos(Position::new(loc.line(), loc.column())));
            Err(Diagnostic::at(
                shown,
                at,
                format!(
                    "the front matter expands into more than {MAX_VALUES} values (through aliases such as `*name`), expected plain keys and values"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Visits any YAML value, counting every value it meets, aliases expanded.
#[derive(Clone, Copy)]
struct Budget<'c>(&'c std::cell::Cell<usize>);

impl Budget<'_> {
    fn spend<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.set(self.0.get() + 1);
        if self.0.get() > MAX_VALUES { Err(E::custom("too many values")) } else { Ok(()) }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Budget<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Budget<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.spend()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.spend()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.spend()
    }
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<(), E> {
        self.spend()
    }
    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<(), E> {
        self.spend()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.spend()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.spend()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.spend()
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.spend()
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`): count the value under the tag.
        use serde::de::VariantAccess;
        let (serde::de::IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}

/// Refuses absurdly nested flow collections (`[[[...`, `{a: {a: ...`) before
/// the YAML parser sees them: its work grows with the square of their depth
/// (20,000 levels take seconds, 100,000 minutes), and it reads the whole block
/// before serde_yaml's own recursion limit can stop it. Every bracket counts,
/// even inside quotes or comments: telling those apart would take a YAML
/// parser, and a scanner that tried could be fooled into skipping real
/// nesting. Only text with dozens of unclosed brackets is refused wrongly.
fn check_depth(yaml: &str, shown: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    for (offset, byte) in yaml.bytes().enumerate() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    let at = file_pos(Position::of_offset(yaml, offset));
                    return Err(Diagnostic::at(
                        shown,
                        at,
                        format!(
                            "the front matter nests more than {MAX_FLOW_DEPTH} levels deep, expected plain keys and values"
                        ),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// File position (line, column) of the value of top-level `key`, for errors
/// found after parsing (an impossible date, an unknown institution).
pub fn key_pos(split: &Split<'_>, key: &str) -> Option<Position> {
    split.yaml.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value_col = key.chars().count() + 2 + (rest.len() - rest.trim_start().len());
        let column = if rest.trim().is_empty() { 1 } else { value_col };
        Some(Position::new(i + YAML_FIRST_LINE, column))
    })
}

/// File position of the value of `key` inside the block map that is the
/// value of top-level `parent` (`image:` then `  rights: ...`); `None` for a
/// flow map (`image: { ... }`) or a missing key.
pub fn nested_key_pos(split: &Split<'_>, parent: &str, key: &str) -> Option<Position> {
    let parent_line = key_pos(split, parent)?.line;
    let lines: Vec<&str> = split.yaml.lines().collect();
    for (i, line) in lines.iter().enumerate().skip(parent_line - YAML_FIRST_LINE + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.len() == line.len() {
            return None; // back at the top level
        }
        if let Some(rest) = trimmed.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let indent = line.len() - trimmed.len();
            let value = rest.trim_start();
            let column = if value.is_empty() { indent + 1 } else { indent + key.len() + 2 + rest.len() - value.len() };
            return Some(Position::new(i + YAML_FIRST_LINE, column));
        }
    }
    None
}

/// File positions of the items of the list that is the value of top-level
/// `key`, in order: a flow list (`key: [a, "b, c"]`, on one or more lines) or
/// a block list (lines starting with `- `). Used to point at one item of a
/// list (the second mention of an institution, not the first). Empty when the
/// value is not a list this simple scanner understands.
pub fn item_positions(split: &Split<'_>, key: &str) -> Vec<Position> {
    let Some(key_line) = key_pos(split, key).map(|p| p.line) else { return Vec::new() };
    let lines: Vec<&str> = split.yaml.lines().collect();
    let first = key_line - YAML_FIRST_LINE;
    let after_key = &lines[first][key.len() + 1..];
    let value = after_key.trim_start();
    let file_pos =
        |line: usize, byte: usize| Position::new(line + YAML_FIRST_LINE, lines[line][..byte].chars().count() + 1);
    if value.starts_with('[') {
        let start = key.len() + 1 + (after_key.len() - value.len());
        return flow_items(&lines, first, start).into_iter().map(|(l, b)| file_pos(l, b)).collect();
    }
    if !value.is_empty() && !value.starts_with('#') {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(first + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some(item) = trimmed.strip_prefix('-').filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        else {
            break;
        };
        let item_start = line.len() - item.trim_start().len();
        found.push(file_pos(i, item_start));
    }
    found
}

/// The (line index, byte) of each item of the flow list whose `[` is at
/// `lines[line][byte]`.
fn flow_items(lines: &[&str], line: usize, byte: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut expecting_item = false;
    let mut quote: Option<char> = None;
    for (l, text) in lines.iter().enumerate().skip(line) {
        let from = if l == line { byte } else { 0 };
        let mut chars = text[from..].char_indices().map(|(i, c)| (i + from, c)).peekable();
        while let Some((i, c)) = chars.next() {
            if let Some(q) = quote {
                match c {
                    '\\' if q == '"' => {
                        chars.next();
                    }
                    '\'' if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                        chars.next();
                    }
                    c if c == q => quote = None,
                    _ => {}
                }
                continue;
            }
            if c == ' ' || c == '\t' {
                continue;
            }
            if expecting_item && depth == 1 && c != ']' && c != ',' {
                items.push((l, i));
            }
            expecting_item = false;
            match c {
                '[' | '{' => {
                    depth += 1;
                    expecting_item = depth == 1;
                }
                ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return items;
                    }
                }
                ',' if depth == 1 => expecting_item = true,
                '"' | '\'' => quote = Some(c),
                '#' => break,
                _ => {}
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_known_from_the_text_only_when_it_is_plain() {
        let keys = ["title", "date", "topics"];
        assert!(plainly_known("title: A\ndate: 2024\ntopics:\n  - a\n# note\n", &keys));
        assert!(plainly_known("", &keys));
        for doubtful in ["titel: A\n", "\"title\": A\n", "title : A\n", "title:A\n", "{title: A}\n", "a line\n"] {
            assert!(!plainly_known(doubtful, &keys), "{doubtful:?}");
        }
    }

    /// (line, column) pairs, to write expected positions briefly.
    fn pairs(positions: Vec<Position>) -> Vec<(usize, usize)> {
        positions.into_iter().map(|p| (p.line, p.column)).collect()
    }

    use super::*;

    #[test]
    fn finds_bidi_controls_written_or_escaped() {
        let yaml = "title: a\u{202E}b\nname: \"x\\u2066y\\U0000202e\"\nsummary: \\u0041 \\u20\n";
        let found: Vec<char> = bidi_controls(yaml).into_iter().map(|(_, c)| c).collect();
        assert_eq!(found, ['\u{202E}', '\u{2066}', '\u{202E}']);
        assert!(bidi_controls("title: العربية and 中文\n").is_empty(), "right-to-left text itself is fine");
    }
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Fm {
        title: String,
        #[serde(default)]
        institutions: Vec<String>,
        image: Option<Image>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Image {
        src: String,
        alt: String,
    }

    const KEYS: &[&str] = &["title", "institutions", "image"];

    fn parse_text(text: &str) -> Result<Fm, Diagnostic> {
        let split = split(text, "x.md")?;
        parse(&split, "x.md", KEYS)
    }

    #[test]
    fn splits_and_counts_body_line() {
        let s = split("---\ntitle: a\n---\nbody\n", "x.md").unwrap();
        assert_eq!((s.yaml, s.body, s.body_line), ("title: a\n", "body\n", 4));
        let s = split("---\n---\n", "x.md").unwrap();
        assert_eq!((s.yaml, s.body), ("", ""));
    }

    #[test]
    fn unknown_key_is_located_in_the_file() {
        let err = parse_text("---\ntitle: a\ninstituions: [x]\n---\n").unwrap_err();
        assert_eq!(err.to_string(), "x.md:3:1: unknown key `instituions`, did you mean `institutions`?");
    }

    #[test]
    fn every_unknown_key_is_reported_and_the_rest_still_read() {
        let text = "---\ntitel: a\ntitle: b\nfoo:\n  - x\n  - y\ninstitutions: [c]\n---\n";
        let split = split(text, "x.md").unwrap();
        let (fm, problems) = parse_all::<Fm>(&split, "x.md", KEYS);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "x.md:2:1: unknown key `titel`, did you mean `title`?",
                "x.md:4:1: unknown key `foo`, expected one of `title`, `institutions`, `image`"
            ]
        );
        let fm = fm.expect("the known keys are read");
        assert_eq!((fm.title.as_str(), fm.institutions.as_slice()), ("b", ["c".to_string()].as_slice()));
        // A type error after an unknown key is reported too, at its own line.
        let split = super::split("---\nx: 1\ntitle: [a]\n---\n", "x.md").unwrap();
        let (fm, problems) = parse_all::<Fm>(&split, "x.md", KEYS);
        assert!(fm.is_none());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[1].pos.map(|p| p.line), Some(3), "{problems:?}");
    }

    #[test]
    fn nested_unknown_key_suggests_from_the_nested_keys() {
        let err = parse_text("---\ntitle: a\nimage:\n  src: a.jpg\n  atl: b\n---\n").unwrap_err();
        assert_eq!(err.to_string(), "x.md:5:3: in `image`: unknown key `atl`, did you mean `alt`?");
        assert_eq!(serde_field_list("`a`"), ["a"]);
        assert_eq!(serde_field_list("`a` or `b`"), ["a", "b"]);
        assert_eq!(serde_field_list("one of `a`, `b`, `c`"), ["a", "b", "c"]);
        assert!(serde_field_list("there are no fields").is_empty());
    }

    #[test]
    fn missing_top_level_key_is_located_at_the_block() {
        let err = parse_text("---\ninstitutions: [x]\n---\n").unwrap_err();
        assert_eq!(err.to_string(), "x.md:2:1: missing required key `title`, expected `title: ...`");
    }

    #[test]
    fn syntax_errors_speak_of_file_positions() {
        let err = parse_text("---\ntitle: a\ninstitutions: [x\n---\n").unwrap_err();
        assert_eq!(err.pos, Some(Position::new(4, 1)), "{err}");
        assert!(err.message.contains("at line 3 column 15"), "where the list opened, in the file: {err}");
        assert_eq!(
            in_file_positions("bad at line 2 column 3, while x at line 1 column 1", Position::new(3, 3)),
            "bad, while x at line 2 column 1"
        );
    }

    #[test]
    fn alias_expansion_is_bounded() {
        let lols = vec!["lol"; 1000].join(",");
        let mut text = format!("---\ntitle: a\nimage:\n  a: &a [{lols}]\n");
        for (prev, name) in [("a", "b"), ("b", "c")] {
            text.push_str(&format!("  {name}: &{name} [{}]\n", vec![format!("*{prev}"); 1000].join(",")));
        }
        text.push_str("---\n");
        let start = std::time::Instant::now();
        let err = parse_text(&text).unwrap_err();
        assert!(err.message.contains("more than 100000 values"), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn nested_missing_key() {
        let err = parse_text("---\ntitle: a\nimage:\n  src: a.jpg\n---\n").unwrap_err();
        assert_eq!(err.to_string(), "x.md:4:3: in `image`: missing required key `alt`, expected `alt: ...`");
    }

    #[test]
    fn unclosed_and_missing_front_matter() {
        let err = parse_text("---\ntitle: a\n").unwrap_err();
        assert!(err.to_string().starts_with("x.md:1:1: the front matter opened here is never closed"), "{err}");
        let err = parse_text("title: a\n").unwrap_err();
        assert!(err.to_string().starts_with("x.md:1:1: the file does not start with front matter"), "{err}");
    }

    #[test]
    fn hostile_yaml_fails_fast() {
        let deep = format!("---\ntitle: {}{}\n---\n", "[".repeat(20_000), "]".repeat(20_000));
        let start = std::time::Instant::now();
        let err = parse_text(&deep).unwrap_err();
        assert!(err.message.contains("nests more than"), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn positions_of_keys_and_items() {
        let text = "---\ntitle: a\ninstitutions:\n  - Dunhuang Academy\n  - Palace Museum\n---\n";
        let s = split(text, "x.md").unwrap();
        assert_eq!(key_pos(&s, "title"), Some(Position::new(2, 8)));
        assert_eq!(pairs(item_positions(&s, "institutions")), [(4, 5), (5, 5)]);
        let s = split("---\ninstitutions: [A, Bee]\n---\n", "x.md").unwrap();
        assert_eq!(pairs(item_positions(&s, "institutions")), [(2, 16), (2, 19)]);
    }

    #[test]
    fn positions_of_repeated_and_quoted_items() {
        let s = split("---\ninstitutions: [Musée Guimet, \"A, B\", Musée Guimet]\n---\n", "x.md").unwrap();
        assert_eq!(pairs(item_positions(&s, "institutions")), [(2, 16), (2, 30), (2, 38)]);
        let text = "---\ninstitutions: [\n  'It''s',\n  Dunhuang Academy ]\ntitle: a\n---\n";
        let s = split(text, "x.md").unwrap();
        assert_eq!(pairs(item_positions(&s, "institutions")), [(3, 3), (4, 3)]);
        let text = "---\ninstitutions:\n- A\n  # a comment\n-   B\ntitle: a\n---\n";
        let s = split(text, "x.md").unwrap();
        assert_eq!(pairs(item_positions(&s, "institutions")), [(3, 3), (5, 5)]);
        let s = split("---\ninstitutions: A\n---\n", "x.md").unwrap();
        assert!(item_positions(&s, "institutions").is_empty());
    }
}
