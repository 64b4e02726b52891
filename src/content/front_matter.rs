//! Front matter: splitting a Markdown file into its YAML block and its body,
//! and reading the block into a typed value.
//!
//! This is the only module that knows the YAML library; everything else sees
//! typed values and [`Diagnostic`]s whose line and column are in the *file*
//! (the block's lines shifted by the opening `---`), so an editor can jump
//! straight to the mistake. Hostile YAML (deep nesting, alias bombs) ends in
//! an error quickly: nesting is bounded before parsing, and the YAML library
//! limits alias expansion.

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
    serde_yaml::from_str(yaml).map_err(|err| yaml_diagnostic(&err, shown, keys))
}

fn yaml_diagnostic(err: &serde_yaml::Error, shown: &str, keys: &[&str]) -> Diagnostic {
    let full = err.to_string();
    // serde_yaml appends " at line L column C" when it knows where; we print our own.
    let (message, located) = match full.rfind(" at line ") {
        Some(i) => (&full[..i], true),
        None => (full.as_str(), false),
    };
    let pos = match err.location() {
        Some(loc) if located => (loc.line() + YAML_FIRST_LINE - 1, loc.column()),
        _ => (1, 1),
    };
    Diagnostic::at(shown, pos.0, pos.1, explain(message, keys))
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
        let expected: Vec<&str> = match rest.split_once("expected one of ") {
            Some((_, list)) if path.is_some() => list.split(", ").map(|k| k.trim_matches('`')).collect(),
            _ => keys.to_vec(),
        };
        return in_path(match closest(key, expected.iter().copied()) {
            Some(known) => format!("unknown key `{key}`, did you mean `{known}`?"),
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
    in_path(message.to_string())
}

/// Refuses absurdly nested flow collections before the YAML parser sees them.
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

/// File position of `value` inside the value of top-level `key` (a list item),
/// falling back to the key's own position.
pub fn item_pos(split: &Split<'_>, key: &str, value: &str) -> Option<(usize, usize)> {
    let (key_line, _) = key_pos(split, key)?;
    let first = key_line - YAML_FIRST_LINE;
    for (i, line) in split.yaml.lines().enumerate().skip(first) {
        if i > first && !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty() {
            break;
        }
        let search_from = if i == first { key.len() + 1 } else { 0 };
        if let Some(at) = line.get(search_from..).and_then(|rest| rest.find(value)) {
            let column = line[..search_from + at].chars().count() + 1;
            return Some((i + YAML_FIRST_LINE, column));
        }
    }
    key_pos(split, key)
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
        assert_eq!(item_pos(&s, "institutions", "Palace Museum"), Some((5, 5)));
        let s = split("---\ninstitutions: [A, Bee]\n---\n", "x.md").unwrap();
        assert_eq!(item_pos(&s, "institutions", "Bee"), Some((2, 19)));
    }
}
