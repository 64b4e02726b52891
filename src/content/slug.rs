//! Slugs: the lower-case ASCII path segments every URL is made of.
//!
//! Non-ASCII text is transliterated first (`é` -> `e`, `敦煌` -> `dun-huang`),
//! then every run of characters other than `a-z0-9` becomes one hyphen. A slug
//! is never empty: text with nothing to keep gives `"-"`-free fallbacks chosen
//! by the caller (see [`slugify_or`]).

/// Turns any text into a lower-case ASCII slug; empty when nothing is left.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut pending_hyphen = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    out
}

/// Like [`slugify`], but returns `fallback` when the text has nothing to keep.
pub fn slugify_or(text: &str, fallback: &str) -> String {
    let slug = slugify(text);
    if slug.is_empty() { fallback.to_string() } else { slug }
}

/// Whether `text` is already a valid slug (what `slug:` in front matter must be).
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_and_hyphenates() {
        let cases = [
            ("Dunhuang Academy", "dunhuang-academy"),
            ("Musée Guimet", "musee-guimet"),
            ("敦煌", "dun-huang"),
            ("École française d'Extrême-Orient", "ecole-francaise-d-extreme-orient"),
            ("  --Hello,  World!-- ", "hello-world"),
            ("2024", "2024"),
            ("", ""),
            ("!!!", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input), expected, "slugify({input:?})");
        }
    }

    #[test]
    fn fallback_when_empty() {
        assert_eq!(slugify_or("!!!", "section"), "section");
        assert_eq!(slugify_or("Abc", "section"), "abc");
    }

    #[test]
    fn recognises_slugs() {
        assert!(is_slug("dunhuang-academy"));
        assert!(is_slug("2024"));
        assert!(!is_slug("Dunhuang"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug(""));
        assert!(!is_slug("a/b"));
    }
}
