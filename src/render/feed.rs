//! Feeds: an item's HTML made to stand alone, and text made safe for XML.
//!
//! A feed reader shows an item's HTML away from the site and with no base
//! URL, so [`absolutize`] resolves every relative URL in it (`href`, `src`,
//! `srcset`, `poster`, `cite`) against the article's permalink. It is an HTML
//! rewriter (lol_html), not a string search: double-quoted, single-quoted and
//! unquoted attributes, character references in values and raw HTML written
//! by editors all come out right. XML 1.0 forbids most control characters,
//! even as character references; [`xml_safe`] drops them from every text that
//! goes into a feed (titles, categories and descriptions alike).
//!
//! What this module must never do: escape for XML (the `.xml` template
//! escapes each value exactly once, so escaping here would show `&lt;p&gt;` to
//! readers), or change a URL that is already absolute (it is kept byte for
//! byte).

use std::borrow::Cow;

use lol_html::{RewriteStrSettings, element, rewrite_str};

use crate::render::html::{is_html_space, srcset_candidates};
use url::Url;

/// Attributes whose whole value is one URL.
const URL_ATTRIBUTES: [&str; 4] = ["href", "src", "poster", "cite"];

/// Resolves every relative URL in `html` against `page`, the permalink of the
/// page the HTML belongs to. Fragments (`#note-1`) become links to that page.
pub fn absolutize(html: &str, page: &Url) -> Result<String, String> {
    let handler = element!("[href], [src], [srcset], [poster], [cite]", |el| {
        for name in URL_ATTRIBUTES {
            if let Some(value) = el.get_attribute(name)
                && let Some(resolved) = resolve(page, &value)
            {
                el.set_attribute(name, &resolved)?;
            }
        }
        if let Some(value) = el.get_attribute("srcset")
            && let Some(resolved) = resolve_srcset(page, &value)
        {
            el.set_attribute("srcset", &resolved)?;
        }
        Ok(())
    });
    let settings = RewriteStrSettings { element_content_handlers: vec![handler], ..RewriteStrSettings::new() };
    rewrite_str(html, settings).map_err(|e| format!("cannot make the links of the article absolute: {e}"))
}

/// The new value of a URL attribute (as written in HTML), or `None` to keep it.
fn resolve(page: &Url, value: &str) -> Option<String> {
    let decoded = html_escape::decode_html_entities(value);
    absolute(page, decoded.trim_matches(is_html_space)).map(|url| escape_ampersands(url.as_str()))
}

/// `url` resolved against `page` if it is relative; `None` if it is absolute
/// already (or not a URL at all, which is then left for the reader to judge).
fn absolute(page: &Url, url: &str) -> Option<Url> {
    match Url::parse(url) {
        Err(url::ParseError::RelativeUrlWithoutBase) => page.join(url).ok(),
        _ => None,
    }
}

/// A `srcset` with every candidate's URL resolved, or `None` if none changed.
fn resolve_srcset(page: &Url, value: &str) -> Option<String> {
    let decoded = html_escape::decode_html_entities(value);
    let mut changed = false;
    let candidates: Vec<String> = srcset_candidates(&decoded)
        .into_iter()
        .map(|(url, descriptor)| {
            let url = match absolute(page, url) {
                Some(resolved) => {
                    changed = true;
                    resolved.to_string()
                }
                None => url.to_string(),
            };
            if descriptor.is_empty() { url } else { format!("{url} {descriptor}") }
        })
        .collect();
    changed.then(|| escape_ampersands(&candidates.join(", ")))
}

/// A URL written into an HTML attribute: `&` as `&amp;` (the rewriter
/// escapes `"` itself; a serialized URL has no `<` or `>`).
fn escape_ampersands(url: &str) -> String {
    url.replace('&', "&amp;")
}

/// Drops the characters XML 1.0 does not allow (controls other than tab,
/// line feed and carriage return, lone surrogates' stand-ins U+FFFE/U+FFFF).
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| is_xml_char(c)).collect())
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://example.org/heritage/articles/x/";

    fn run(html: &str) -> String {
        absolutize(html, &Url::parse(PAGE).unwrap()).unwrap()
    }

    #[test]
    fn makes_links_absolute() {
        let out = run(
            r##"<p><a href="../other/">o</a> <img src="cave.jpg" alt=""> <a href="https://x.org/">x</a> <a href="#n">n</a> <a href="mailto:a@b.c">m</a> <a href="/heritage/about/">a</a></p>"##,
        );
        assert!(out.contains(r#"href="https://example.org/heritage/articles/other/""#), "{out}");
        assert!(out.contains(r#"src="https://example.org/heritage/articles/x/cave.jpg""#), "{out}");
        assert!(out.contains(r#"href="https://x.org/""#), "{out}");
        assert!(out.contains(r##"href="https://example.org/heritage/articles/x/#n""##), "{out}");
        assert!(out.contains(r#"href="mailto:a@b.c""#), "{out}");
        assert!(out.contains(r#"href="https://example.org/heritage/about/""#), "{out}");
    }

    #[test]
    fn handles_every_kind_of_attribute_quoting() {
        let out = run("<a href='one/'>1</a><a href=two/>2</a><a class=x HREF = \"three/\">3</a><img src=\n'four.png'>");
        for name in ["one/", "two/", "three/", "four.png"] {
            assert!(out.contains(&format!("\"{PAGE}{name}\"")), "{name}: {out}");
        }
        assert!(out.contains("class=x"), "other attributes are kept as written: {out}");
    }

    #[test]
    fn keeps_character_references_right() {
        let out = run(r#"<a href="search?a=1&amp;b=2">s</a><a href="q?x=&#34;y&#x22;">q</a>"#);
        assert!(out.contains(r#"href="https://example.org/heritage/articles/x/search?a=1&amp;b=2""#), "{out}");
        assert!(out.contains(r#"href="https://example.org/heritage/articles/x/q?x=%22y%22""#), "{out}");
        let untouched = r#"<a href="https://x.org/?a=1&amp;b=2">x</a>"#;
        assert_eq!(run(untouched), untouched);
    }

    #[test]
    fn resolves_every_srcset_candidate() {
        let out = run(
            r#"<picture><source srcset="s.webp 640w"><img src="a.jpg" srcset="a.jpg 1x,b.jpg 2x, https://cdn.org/c,d.jpg 3x, e.jpg,"></picture>"#,
        );
        assert!(
            out.contains(&format!(
                r#"srcset="{PAGE}a.jpg 1x, {PAGE}b.jpg 2x, https://cdn.org/c,d.jpg 3x, {PAGE}e.jpg""#
            )),
            "{out}"
        );
        assert!(out.contains(&format!(r#"<source srcset="{PAGE}s.webp 640w">"#)), "{out}");
    }

    #[test]
    fn leaves_text_and_scripts_alone() {
        let html = "<p>src=\"x\" href=y</p><pre><code>&lt;a href=\"z\"&gt;</code></pre>";
        assert_eq!(run(html), html);
    }

    #[test]
    fn drops_forbidden_characters() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\u{FFFE}d\te"), "abcd\te");
        assert!(matches!(xml_safe("plain 敦煌"), Cow::Borrowed(_)));
    }
}
