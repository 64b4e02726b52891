//! Helpers for feeds: links made absolute and text made safe for XML.
//!
//! A feed reader shows an item's HTML outside the site, so every relative
//! `href` and `src` in it is resolved against the article's permalink. XML
//! 1.0 forbids most control characters; they are dropped. Escaping itself is
//! left to the `.xml` template (Tera escapes it exactly once).

/// Resolves relative `href="..."` and `src="..."` values against `page_url`.
pub fn absolutize(html: &str, page_url: &str) -> String {
    let Ok(base) = url::Url::parse(page_url) else { return html.to_string() };
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = next_attribute(rest) {
        let (before, after) = rest.split_at(at.value_start);
        out.push_str(before);
        let Some(end) = after.find('"') else {
            rest = after;
            break;
        };
        let value = &after[..end];
        // Values come from pulldown-cmark, which escapes `&` as `&amp;`.
        let raw = value.replace("&amp;", "&");
        match base.join(&raw) {
            Ok(joined) if !is_absolute(&raw) => out.push_str(&joined.as_str().replace('&', "&amp;")),
            _ => out.push_str(value),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

struct AttributeAt {
    value_start: usize,
}

fn next_attribute(html: &str) -> Option<AttributeAt> {
    let href = html.find(" href=\"").map(|i| i + 7);
    let src = html.find(" src=\"").map(|i| i + 6);
    let value_start = match (href, src) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(AttributeAt { value_start })
}

fn is_absolute(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !scheme.contains('/')
    }) || url.starts_with("//")
}

/// Drops the characters XML 1.0 does not allow.
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_links_absolute() {
        let html = r##"<p><a href="../other/">o</a> <img src="cave.jpg" alt=""> <a href="https://x.org/">x</a> <a href="#n">n</a> <a href="mailto:a@b.c">m</a></p>"##;
        let out = absolutize(html, "https://example.org/heritage/articles/x/");
        assert!(out.contains(r#"href="https://example.org/heritage/articles/other/""#), "{out}");
        assert!(out.contains(r#"src="https://example.org/heritage/articles/x/cave.jpg""#), "{out}");
        assert!(out.contains(r#"href="https://x.org/""#), "{out}");
        assert!(out.contains(r##"href="https://example.org/heritage/articles/x/#n""##), "{out}");
        assert!(out.contains(r#"href="mailto:a@b.c""#), "{out}");
    }

    #[test]
    fn drops_forbidden_characters() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\u{FFFE}d\te"), "abcd\te");
    }
}
