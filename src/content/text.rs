//! Text as readers see it, outside Markdown bodies: the same typographic
//! punctuation as the bodies for titles, summaries and names ([`smart`]),
//! summaries of even length for cards ([`cut_summary`]), and Chinese names
//! inside English or French text marked with their language and kept on one
//! line ([`mark_chinese`]).
//!
//! These functions only change how text is shown: they never drop words
//! other than at the end of a cut summary, and never read Markdown syntax in
//! a plain string (a title with `*` or `[` keeps it).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// `text` with typographic apostrophes, quotes, dashes and ellipses
/// (`Xi'an` -> `Xi’an`, `"a"` -> `“a”`, `--` -> `–`), by the same rules as
/// Markdown bodies (pulldown-cmark's smart punctuation). Everything else is
/// kept as written: Markdown syntax is escaped before parsing.
pub fn smart(text: &str) -> String {
    if !text.contains(['\'', '"', '-', '.']) {
        return text.to_string();
    }
    // Line breaks and the spaces at either end would be lost in a paragraph:
    // keep them as written, and read each line alone.
    if let Some(i) = text.find(['\n', '\r']) {
        let end = i + 1;
        return format!("{}{}{}", smart(&text[..i]), &text[i..end], smart(&text[end..]));
    }
    let core = text.trim_matches(' ');
    if core.len() != text.len() {
        let start = text.len() - text.trim_start_matches(' ').len();
        return format!("{}{}{}", &text[..start], smart_line(core), &text[start + core.len()..]);
    }
    smart_line(text)
}

/// [`smart`] for one line without spaces at its ends.
fn smart_line(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\'' | '"' | '-' | '.' => escaped.push(c),
            c if c.is_ascii_punctuation() => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    // A line of dashes alone would be a rule, one starting "- " a list: the
    // text of a paragraph is what is wanted, so keep it off the line start.
    let source = format!("x{escaped}");
    let mut out = String::with_capacity(text.len() + 8);
    for event in Parser::new_ext(&source, Options::ENABLE_SMART_PUNCTUATION) {
        if let Event::Text(t) = event {
            out.push_str(&t);
        }
    }
    match out.strip_prefix('x') {
        Some(rest) => rest.to_string(),
        None => text.to_string(),
    }
}

/// Longest summary, in characters, that a card shows whole.
const SUMMARY_MAX: usize = 220;
/// A cut at a sentence end is taken only if it keeps at least this much.
const SUMMARY_MIN: usize = 110;

/// A summary taken from a first paragraph, cut to at most about
/// `SUMMARY_MAX` characters: at the last sentence end that keeps at least
/// `SUMMARY_MIN`, else at the last word boundary, with `…`. Short text is
/// returned as it is.
pub fn cut_summary(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= SUMMARY_MAX {
        return text.to_string();
    }
    let limit = text.char_indices().nth(SUMMARY_MAX).map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    let min = text.char_indices().nth(SUMMARY_MIN).map_or(text.len(), |(i, _)| i);
    let sentence_end = head
        .char_indices()
        .filter(|&(i, c)| {
            let next = head[i + c.len_utf8()..].chars().next();
            matches!(c, '。' | '！' | '？') || (matches!(c, '.' | '!' | '?') && next.is_some_and(char::is_whitespace))
        })
        .map(|(i, c)| i + c.len_utf8())
        .rfind(|&end| end >= min);
    if let Some(end) = sentence_end {
        return head[..end].to_string();
    }
    let cut = head.rfind(char::is_whitespace).filter(|&i| i >= min).unwrap_or(limit);
    let kept = head[..cut].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '–' | '—'));
    format!("{kept}…")
}

/// Whether `c` is a Han character (the script of Chinese names).
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The events of a document in a language other than Chinese, with each run
/// of Han characters in body text wrapped in `<span lang="zh" class="zh">`,
/// so that it is read and hyphenated as Chinese and kept on one line by the
/// theme. Code, and the text of images and links' titles, are left alone.
/// With `marking` false (a document in Chinese), the events pass unchanged.
pub fn mark_chinese<'a>(events: impl Iterator<Item = Event<'a>>, marking: bool) -> impl Iterator<Item = Event<'a>> {
    let mut inside_code_or_image = 0usize;
    events.flat_map(move |event| {
        match &event {
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. }) => inside_code_or_image += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Image) => {
                inside_code_or_image = inside_code_or_image.saturating_sub(1)
            }
            Event::Text(text) if marking && inside_code_or_image == 0 && text.chars().any(is_han) => {
                let mut out = Vec::new();
                push_marked(text.as_ref(), &mut out);
                return Marked::Many(out.into_iter());
            }
            _ => {}
        }
        Marked::One(std::iter::once(event))
    })
}

/// What one event becomes: itself, or a text split into marked runs.
enum Marked<'a> {
    One(std::iter::Once<Event<'a>>),
    Many(std::vec::IntoIter<Event<'a>>),
}

impl<'a> Iterator for Marked<'a> {
    type Item = Event<'a>;
    fn next(&mut self) -> Option<Event<'a>> {
        match self {
            Marked::One(one) => one.next(),
            Marked::Many(many) => many.next(),
        }
    }
}

/// Escaped text (no tags) with each run of Han characters wrapped as
/// [`mark_chinese`] wraps them in bodies: for titles and summaries, which
/// templates print through the `chinese` filter.
pub fn wrap_chinese(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(start) = rest.find(is_han) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let len = after.find(|c: char| !(is_han(c) || c == '·')).unwrap_or(after.len());
        out.push_str("<span lang=\"zh\" class=\"zh\">");
        out.push_str(&after[..len]);
        out.push_str("</span>");
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

fn push_marked(text: &str, out: &mut Vec<Event<'_>>) {
    let mut rest = text;
    while let Some(start) = rest.find(is_han) {
        if start > 0 {
            out.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        let after = &rest[start..];
        // A run: Han characters, with the middle dot of names (·) inside it.
        let len = after.find(|c: char| !(is_han(c) || c == '·')).unwrap_or(after.len());
        out.push(Event::InlineHtml(CowStr::Borrowed("<span lang=\"zh\" class=\"zh\">")));
        out.push(Event::Text(CowStr::from(after[..len].to_string())));
        out.push(Event::InlineHtml(CowStr::Borrowed("</span>")));
        rest = &after[len..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_punctuation_like_the_bodies() {
        assert_eq!(smart("Xi'an and the \"Silk Road\""), "Xi’an and the “Silk Road”");
        assert_eq!(smart("the museum's 60th year -- and more..."), "the museum’s 60th year – and more…");
        assert_eq!(smart("no quotes at all"), "no quotes at all");
        // Markdown syntax stays as written.
        assert_eq!(smart("C++ *and* [x](y) `z` & <b> 'q'"), "C++ *and* [x](y) `z` & <b> ‘q’");
        assert_eq!(smart("- a list? 1. no"), "- a list? 1. no");
        assert_eq!(smart("---"), "—");
        assert_eq!(smart("# title's"), "# title’s");
        // Whitespace is kept as written.
        assert_eq!(smart(" tab\there 'a'\nline two's  "), " tab\there ‘a’\nline two’s  ");
        // The same as a body gives.
        let body = crate::content::markdown::render("Xi'an's \"walls\" -- 1990s...").html;
        assert_eq!(body, format!("<p>{}</p>\n", smart("Xi'an's \"walls\" -- 1990s...")));
    }

    #[test]
    fn summaries_are_cut_at_a_sentence_or_a_word() {
        let short = "A short summary.";
        assert_eq!(cut_summary(short), short);
        let sentence = format!(
            "{} Second sentence that goes on {}.",
            "First sentence is long enough to be kept whole by itself, with words and words and words and words and more words here.",
            "and on ".repeat(30)
        );
        let cut = cut_summary(&sentence);
        assert!(cut.ends_with("more words here."), "{cut}");
        let words = "word ".repeat(100);
        let cut = cut_summary(&words);
        assert!(cut.ends_with("word…") && cut.chars().count() <= SUMMARY_MAX + 1, "{cut}");
        let han = "敦".repeat(300);
        assert_eq!(cut_summary(&han).chars().count(), SUMMARY_MAX + 1);
    }

    #[test]
    fn chinese_runs_in_escaped_text_are_wrapped() {
        assert_eq!(
            wrap_chinese("Dunhuang &amp; 敦煌研究院 · 故宫"),
            "Dunhuang &amp; <span lang=\"zh\" class=\"zh\">敦煌研究院</span> · <span lang=\"zh\" class=\"zh\">故宫</span>"
        );
        assert_eq!(wrap_chinese("plain"), "plain");
    }

    #[test]
    fn chinese_runs_are_marked() {
        let html = |md: &str| {
            let mut out = String::new();
            let events: Vec<Event<'_>> = Parser::new(md).collect();
            pulldown_cmark::html::push_html(&mut out, mark_chinese(events.into_iter(), true));
            out
        };
        assert_eq!(
            html("The Dunhuang Academy (敦煌研究院) and 故宫博物院."),
            "<p>The Dunhuang Academy (<span lang=\"zh\" class=\"zh\">敦煌研究院</span>) and <span lang=\"zh\" class=\"zh\">故宫博物院</span>.</p>\n"
        );
        assert_eq!(html("`敦煌`"), "<p><code>敦煌</code></p>\n");
        assert_eq!(html("![敦煌 cave](a.jpg)"), "<p><img src=\"a.jpg\" alt=\"敦煌 cave\" /></p>\n");
        assert_eq!(html("no Chinese"), "<p>no Chinese</p>\n");
    }
}
