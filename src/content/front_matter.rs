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

use serde::de::DeserializeOwned;

use crate::error::{Diagnostic, closest};

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
            1,
            1,
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
        1,
        1,
        "the front matter opened here is never closed, expected a line `---` after the YAML block",
    ))
}

/// Reads the YAML block into `T`. `keys` are the keys `T` accepts (for "did you mean").
pub fn parse<T: DeserializeOwned>(split: &Split<'_>, shown: &str, keys: &[&str]) -> Result<T, Diagnostic> {
    check_depth(split.yaml, shown)?;
    let yaml = if split.yaml.trim().is_empty() { "{}" } else { split.yaml };
    check_size(yaml, shown)?;
    serde_yaml::from_str(yaml).map_err(|err| yaml_diagnostic(&err, shown, keys))
}

fn yaml_diagnostic(err: &serde_yaml::Error, shown: &str, keys: &[&str]) -> Diagnostic {
    // Every error has a location, even one serde_yaml does not print (the
    // start of the block, for a missing top-level key).
    let (line, column) = err.location().map_or((YAML_FIRST_LINE, 1), |loc| file_pos(loc.line(), loc.column()));
    Diagnostic::at(shown, line, column, explain(&in_file_positions(&err.to_string(), (line, column)), keys))
}

/// A (line, column) of the YAML block (1-based) as a position in the file.
fn file_pos(line: usize, column: usize) -> (usize, usize) {
    (line + YAML_FIRST_LINE - 1, column)
}

/// serde_yaml prints positions in the block (" at line 2 column 5"). The
/// error's own position is printed by [`Diagnostic`], so it is dropped; any
/// other (where a collection being parsed started) is turned into a file
/// position.
fn in_file_positions(message: &str, own: (usize, usize)) -> String {
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
                let pos = file_pos(line, column);
                if pos != own {
                    out.push_str(&format!(" at line {} column {}", pos.0, pos.1));
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
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return in_path(format!("missing required key `{key}`, expected `{key}: ...`"));
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
            let (line, column) = err.location().map_or((YAML_FIRST_LINE, 1), |loc| file_pos(loc.line(), loc.column()));
            Err(Diagnostic::at(
                shown,
                line,
                column,
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
                    let (line, column) = crate::error::line_col(yaml, offset);
                    return Err(Diagnostic::at(
                        shown,
                        line + YAML_FIRST_LINE - 1,
                        column,
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
pub fn key_pos(split: &Split<'_>, key: &str) -> Option<(usize, usize)> {
    split.yaml.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value_col = key.chars().count() + 2 + (rest.len() - rest.trim_start().len());
        let column = if rest.trim().is_empty() { 1 } else { value_col };
        Some((i + YAML_FIRST_LINE, column))
    })
}

/// File position of the value of `key` inside the block map that is the
/// value of top-level `parent` (`image:` then `  rights: ...`); `None` for a
/// flow map (`image: { ... }`) or a missing key.
pub fn nested_key_pos(split: &Split<'_>, parent: &str, key: &str) -> Option<(usize, usize)> {
    let (parent_line, _) = key_pos(split, parent)?;
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
            return Some((i + YAML_FIRST_LINE, column));
        }
    }
    None
}

/// File positions of the items of the list that is the value of top-level
/// `key`, in order: a flow list (`key: [a, "b, c"]`, on one or more lines) or
/// a block list (lines starting with `- `). Used to point at one item of a
/// list (the second mention of an institution, not the first). Empty when the
/// value is not a list this simple scanner understands.
pub fn item_positions(split: &Split<'_>, key: &str) -> Vec<(usize, usize)> {
    let Some((key_line, _)) = key_pos(split, key) else { return Vec::new() };
    let lines: Vec<&str> = split.yaml.lines().collect();
    let first = key_line - YAML_FIRST_LINE;
    let after_key = &lines[first][key.len() + 1..];
    let value = after_key.trim_start();
    let file_pos = |line: usize, byte: usize| (line + YAML_FIRST_LINE, lines[line][..byte].chars().count() + 1);
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
    use super::*;
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
        assert_eq!((err.line, err.column), (Some(4), Some(1)), "{err}");
        assert!(err.message.contains("at line 3 column 15"), "where the list opened, in the file: {err}");
        assert_eq!(
            in_file_positions("bad at line 2 column 3, while x at line 1 column 1", (3, 3)),
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
        assert_eq!(key_pos(&s, "title"), Some((2, 8)));
        assert_eq!(item_positions(&s, "institutions"), [(4, 5), (5, 5)]);
        let s = split("---\ninstitutions: [A, Bee]\n---\n", "x.md").unwrap();
        assert_eq!(item_positions(&s, "institutions"), [(2, 16), (2, 19)]);
    }

    #[test]
    fn positions_of_repeated_and_quoted_items() {
        let s = split("---\ninstitutions: [Musée Guimet, \"A, B\", Musée Guimet]\n---\n", "x.md").unwrap();
        assert_eq!(item_positions(&s, "institutions"), [(2, 16), (2, 30), (2, 38)]);
        let text = "---\ninstitutions: [\n  'It''s',\n  Dunhuang Academy ]\ntitle: a\n---\n";
        let s = split(text, "x.md").unwrap();
        assert_eq!(item_positions(&s, "institutions"), [(3, 3), (4, 3)]);
        let text = "---\ninstitutions:\n- A\n  # a comment\n-   B\ntitle: a\n---\n";
        let s = split(text, "x.md").unwrap();
        assert_eq!(item_positions(&s, "institutions"), [(3, 3), (5, 5)]);
        let s = split("---\ninstitutions: A\n---\n", "x.md").unwrap();
        assert!(item_positions(&s, "institutions").is_empty());
    }
}
