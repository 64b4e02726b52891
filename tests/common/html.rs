//! Reading built pages in tests: the links a page holds, and where.
#![allow(dead_code)]

/// The `<main>` element of a page (the whole page if it has none), so that
/// site-wide navigation does not count.
pub fn main_of(html: &str) -> &str {
    match (html.find("<main"), html.rfind("</main>")) {
        (Some(start), Some(end)) if start < end => &html[start..end],
        _ => html,
    }
}

/// Every `href` in `html` with its byte offset, in order.
pub fn hrefs_at(html: &str) -> Vec<(usize, &str)> {
    html.match_indices("href=\"")
        .filter_map(|(at, m)| {
            let rest = &html[at + m.len()..];
            Some((at, rest.split('"').next()?))
        })
        .collect()
}

/// Every `href` in `html`, in order.
pub fn hrefs(html: &str) -> Vec<&str> {
    hrefs_at(html).into_iter().map(|(_, href)| href).collect()
}

/// The slug of an article page URL (`/articles/<slug>/`).
pub fn article_slug(href: &str) -> Option<&str> {
    let slug = href.strip_prefix("/articles/")?.strip_suffix('/')?;
    (!slug.is_empty() && !slug.contains('/')).then_some(slug)
}

/// The articles a listing links to inside `<main>`, in order of first appearance.
pub fn article_links(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for href in hrefs(main_of(html)) {
        if let Some(slug) = article_slug(href)
            && !found.iter().any(|f| f == slug)
        {
            found.push(slug.to_string());
        }
    }
    found
}

/// The `href` of the first link with `rel="<rel>"`.
pub fn rel_link(html: &str, rel: &str) -> Option<String> {
    html.split("<a ").skip(1).filter_map(|rest| rest.split('>').next()).find_map(|tag| {
        let rels = tag.split("rel=\"").nth(1)?.split('"').next()?;
        if !rels.split_whitespace().any(|r| r == rel) {
            return None;
        }
        Some(tag.split("href=\"").nth(1)?.split('"').next()?.to_string())
    })
}
