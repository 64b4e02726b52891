//! Internal link checking over a rendered site.
//!
//! [`check_links`] reads every HTML file of a rendered site (site path ->
//! bytes, as [`crate::output::MemoryOutput`] holds it), finds every `href`,
//! `src` and `srcset` URL with lol_html, and reports those that point into
//! the site but lead nowhere: a file that is not in the output, or a
//! `#fragment` that no element of the target page carries as its `id` (or an
//! `<a name>`).
//!
//! A URL points into the site when, resolved against the page's own URL (and
//! its `<base href>`, if any), it has the base URL's origin and its path
//! starts with the base URL's path. Everything else is external and never
//! checked: other hosts, other schemes (`mailto:`, `tel:`, `data:`,
//! `javascript:`), and paths of the same host outside the base path (a site
//! served from `/heritage/` does not know what else the host serves). The
//! query is ignored, `dir/` means `dir/index.html`, and the path and the
//! fragment are percent-decoded before they are looked up. A directory named
//! without its final `/` is reported (with the `/` suggested): it works only
//! on hosts that redirect.
//!
//! Each page is scanned once ([`PageLinks::scan`]: its ids and its distinct
//! URLs), pages in parallel, then every link is checked against the scans,
//! so the check stays fast on sites of 10,000+ pages; plain root-relative
//! links, the bulk of a site, are resolved without building a URL.
//! [`check_scanned`] takes scans made beforehand, so that `stele check` can
//! scan each page as it is rendered and keep no HTML in memory. Results are
//! in page order, then in the order of the links in the page; a page reports
//! each distinct target once. This module never touches the file system: it
//! works on what it is given.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use lol_html::{HtmlRewriter, Settings, element};
use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::config::BaseUrl;
use crate::render::html::srcset_candidates;

/// A link in the built site that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// Site path of the file that holds the link, e.g. `articles/x/index.html`.
    pub page: String,
    /// The `href`/`src` as written in the HTML (character references not decoded).
    pub target: String,
    /// What is wrong, e.g. "no page at `/heritage/articles/y/`" or
    /// "no element with id `foo` on `/heritage/articles/x/`".
    pub message: String,
}

/// Where a URL written in a page leads, as far as the site is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Outside the site: another origin or scheme, or outside the base path.
    External,
    /// A file of the site (`articles/x/index.html`; empty for the base path
    /// written without its final `/`), with its fragment; both
    /// percent-decoded.
    Internal { file: String, fragment: Option<String> },
    /// A relative URL that cannot be resolved, with the reason.
    Invalid(String),
    /// A URL written without scheme and host (`/style.css`, `../../x`) that
    /// leads out of the base path: on a site served under a sub-path it
    /// points at another site on the same host, almost always by mistake.
    OutsideBase(String),
}

/// How many distinct missing targets get a "did you mean" (each costs a
/// comparison with every sibling file).
const MAX_SUGGESTIONS: usize = 200;

/// Checks every `href`, `src` and `srcset` of every HTML file in `files` that
/// points into the site; see the module documentation for the rules.
pub fn check_links(files: &BTreeMap<String, Vec<u8>>, base: &BaseUrl) -> Vec<BrokenLink> {
    let pages: BTreeMap<String, PageLinks> = files
        .par_iter()
        .filter(|(path, _)| is_html(path))
        .map(|(path, bytes)| (path.clone(), PageLinks::scan(bytes)))
        .collect();
    let names: BTreeSet<String> = files.keys().cloned().collect();
    check_scanned(&pages, &names, base)
}

/// Like [`check_links`], for pages scanned beforehand (say, as they were
/// rendered, so that the HTML need not be kept): `pages` maps the site path
/// of every HTML file to its scan, `files` holds every site path of the
/// output, pages included.
pub fn check_scanned(pages: &BTreeMap<String, PageLinks>, files: &BTreeSet<String>, base: &BaseUrl) -> Vec<BrokenLink> {
    let pages: Vec<(&str, &PageLinks)> = pages.iter().map(|(path, scan)| (path.as_str(), scan)).collect();
    let ids: HashMap<&str, &HashSet<String>> = pages.iter().map(|(path, scan)| (*path, &scan.ids)).collect();
    let names: HashSet<&str> = files.iter().map(String::as_str).collect();
    let findings: Vec<Finding> =
        pages.par_iter().flat_map_iter(|(page, scan)| check_page(page, scan, &names, &ids, base)).collect();

    let suggestions = suggest(&findings, files, base);
    findings
        .into_iter()
        .map(|finding| {
            let message = match &finding.problem {
                Problem::Missing { file, shown } => {
                    let name = file.rsplit('/').next().unwrap_or_default();
                    let what = if is_html(file) || !name.contains('.') { "page" } else { "file" };
                    match suggestions.get(file.as_str()) {
                        Some(better) => format!("no {what} at `{shown}`, did you mean `{better}`?"),
                        None => format!("no {what} at `{shown}`"),
                    }
                }
                Problem::NoId { id, shown } => format!("no element with id `{id}` on `{shown}`"),
                Problem::Invalid(reason) => format!("not a valid URL ({reason})"),
                Problem::OutsideBase(path) => format!(
                    "`{path}` is outside the site's base path `{}`, expected a URL under it (written with the base path, or relative)",
                    base.path()
                ),
            };
            BrokenLink { page: finding.page.to_string(), target: finding.target, message }
        })
        .collect()
}

/// Resolves `target` (an attribute value as written, character references
/// allowed) found in the file at site path `page`.
pub fn resolve(page: &str, target: &str, base: &BaseUrl) -> Resolved {
    match page_url(page, base) {
        Some(url) => resolve_from(&url, &decode_html(target), base),
        None => Resolved::Invalid(format!("the page `{page}` has no URL")),
    }
}

/// Whether a site path is an HTML page.
pub fn is_html(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// The URL of the file at `page`.
fn page_url(page: &str, base: &BaseUrl) -> Option<url::Url> {
    base.as_url().join(&crate::plan::route::url_path(page)).ok()
}

fn resolve_from(page_url: &url::Url, target: &str, base: &BaseUrl) -> Resolved {
    let url = match page_url.join(target) {
        Ok(url) => url,
        Err(_) if has_scheme(target) => return Resolved::External,
        Err(err) => return Resolved::Invalid(err.to_string()),
    };
    let base_url = base.as_url();
    if url.origin() != base_url.origin() {
        return Resolved::External;
    }
    let base_path = base.path();
    let rest = match url.path().strip_prefix(base_path) {
        Some(rest) => rest,
        // The base path written without its final `/`.
        None if url.path() == base_path.trim_end_matches('/') => {
            return Resolved::Internal { file: String::new(), fragment: fragment_of(&url) };
        }
        None if has_scheme(target) || target.starts_with("//") => return Resolved::External,
        None => return Resolved::OutsideBase(url.path().to_string()),
    };
    let rest = percent_decode_str(rest).decode_utf8_lossy();
    let file = if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.into_owned() };
    Resolved::Internal { file, fragment: fragment_of(&url) }
}

/// The file of a plain root-relative link under the base path
/// (`/heritage/articles/x/`): what [`resolve_from`] gives, without building a
/// URL. Most links of a site are of this kind.
fn plain_file(target: &str, base_path: &str) -> Option<String> {
    let rest = target.strip_prefix(base_path)?;
    let plain = rest.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'~'))
        && !rest.split('/').any(|segment| segment == "." || segment == "..");
    if !plain {
        return None;
    }
    Some(if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.to_string() })
}

fn fragment_of(url: &url::Url) -> Option<String> {
    url.fragment().filter(|f| !f.is_empty()).map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned())
}

/// `scheme:` at the start (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
fn has_scheme(text: &str) -> bool {
    let text = text.trim_start();
    match text.find(':') {
        Some(end) => {
            let scheme = &text[..end];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// An attribute value with its character references decoded.
fn decode_html(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

/// `dir/index.html` as `dir/`, `index.html` as ``; other paths unchanged.
fn dir_form(file: &str) -> &str {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir,
        _ => file,
    }
}

/// The root-relative URL that shows a file in messages: `dir/index.html` as `/base/dir/`.
fn shown_url(file: &str, base: &BaseUrl) -> String {
    base.url(dir_form(file))
}

/// What one HTML page holds for link checking: the ids its fragments may
/// point at, and its URLs.
#[derive(Debug, Clone, Default)]
pub struct PageLinks {
    ids: HashSet<String>,
    /// Every distinct URL of the page as written, in document order, end to
    /// end: a big site has millions, so a page makes one allocation, not one
    /// per link.
    text: String,
    /// Where each URL ends in `text`.
    ends: Vec<usize>,
    /// The first `<base href>`, if any.
    base_href: Option<String>,
}

/// What the handlers collect while a page is parsed.
#[derive(Default)]
struct Found {
    ids: HashSet<String>,
    links: Vec<String>,
    base_href: Option<String>,
}

impl PageLinks {
    /// Scans one page with lol_html. Selectors pick the few elements that
    /// matter, so most elements never reach a handler.
    pub fn scan(html: &[u8]) -> PageLinks {
        let found = RefCell::new(Found::default());
        {
            let handlers = vec![
                element!("[id]", |el| {
                    if let Some(id) = el.get_attribute("id") {
                        found.borrow_mut().ids.insert(decode_html(&id));
                    }
                    Ok(())
                }),
                element!("a[name]", |el| {
                    if let Some(name) = el.get_attribute("name") {
                        found.borrow_mut().ids.insert(decode_html(&name));
                    }
                    Ok(())
                }),
                element!("[href]", |el| {
                    if let Some(href) = el.get_attribute("href") {
                        let mut found = found.borrow_mut();
                        if el.tag_name() == "base" {
                            found.base_href.get_or_insert(href);
                        } else {
                            found.links.push(href);
                        }
                    }
                    Ok(())
                }),
                element!("[src]", |el| {
                    if let Some(src) = el.get_attribute("src") {
                        found.borrow_mut().links.push(src);
                    }
                    Ok(())
                }),
                element!("[srcset]", |el| {
                    if let Some(srcset) = el.get_attribute("srcset") {
                        found
                            .borrow_mut()
                            .links
                            .extend(srcset_candidates(&srcset).into_iter().map(|(url, _)| url.to_string()));
                    }
                    Ok(())
                }),
            ];
            let settings = Settings { element_content_handlers: handlers, strict: false, ..Settings::new() };
            let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
            // The rewriter only fails on a handler error (ours never fail) or a memory limit;
            // what was found before then is still worth checking.
            if rewriter.write(html).is_ok() {
                let _ = rewriter.end();
            }
        }
        let Found { mut ids, links, base_href } = found.into_inner();
        // Listings repeat the same links many times; keep each once, in first-seen order.
        let mut seen = HashSet::with_capacity(links.len());
        let mut text = String::new();
        let mut ends = Vec::new();
        for link in &links {
            if seen.insert(link.as_str()) {
                text.push_str(link);
                ends.push(text.len());
            }
        }
        text.shrink_to_fit();
        ends.shrink_to_fit();
        ids.shrink_to_fit();
        PageLinks { ids, text, ends, base_href }
    }

    /// The page's distinct URLs, as written, in document order.
    fn links(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let link = &self.text[start..end];
            start = end;
            link
        })
    }
}

enum Problem {
    Missing { file: String, shown: String },
    NoId { id: String, shown: String },
    Invalid(String),
    OutsideBase(String),
}

struct Finding<'a> {
    page: &'a str,
    target: String,
    problem: Problem,
}

fn check_page<'a>(
    page: &'a str,
    scan: &PageLinks,
    files: &HashSet<&str>,
    ids: &HashMap<&str, &HashSet<String>>,
    base: &BaseUrl,
) -> Vec<Finding<'a>> {
    let Some(mut url) = page_url(page, base) else { return Vec::new() };
    if let Some(joined) = scan.base_href.as_deref().and_then(|href| url.join(&decode_html(href)).ok()) {
        url = joined;
    }
    let mut found = Vec::new();
    for target in scan.links() {
        let plain = if scan.base_href.is_none() { plain_file(target, base.path()) } else { None };
        let resolved = match plain {
            Some(file) => Resolved::Internal { file, fragment: None },
            None => resolve_from(&url, &html_escape::decode_html_entities(target), base),
        };
        let problem = match resolved {
            Resolved::External => continue,
            Resolved::Invalid(reason) => Problem::Invalid(reason),
            Resolved::OutsideBase(path) => Problem::OutsideBase(path),
            Resolved::Internal { file, fragment } => {
                if !files.contains(file.as_str()) {
                    let shown = if file.is_empty() {
                        base.path().trim_end_matches('/').to_string()
                    } else if names_index(target) {
                        base.url(&file)
                    } else {
                        shown_url(&file, base)
                    };
                    Problem::Missing { file, shown }
                } else if let Some(id) = fragment
                    && let Some(targets) = ids.get(file.as_str())
                    && !targets.contains(&id)
                    && !id.eq_ignore_ascii_case("top")
                    && !id.starts_with(":~:")
                {
                    Problem::NoId { id, shown: shown_url(&file, base) }
                } else {
                    continue;
                }
            }
        };
        found.push(Finding { page, target: target.to_string(), problem });
    }
    found
}

/// Whether the path of a link names `index.html` itself.
fn names_index(target: &str) -> bool {
    target.split(['?', '#']).next().is_some_and(|path| path.ends_with("index.html"))
}

/// "Did you mean" for missing files: the directory form of a file named
/// without its final `/`, else the closest sibling. At most
/// [`MAX_SUGGESTIONS`] distinct missing files are compared with their
/// siblings, in sorted order, so a broken template cannot make the check
/// quadratic.
fn suggest(findings: &[Finding<'_>], files: &BTreeSet<String>, base: &BaseUrl) -> HashMap<String, String> {
    let missing: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| match &f.problem {
            Problem::Missing { file, .. } => Some(file.as_str()),
            _ => None,
        })
        .collect();
    if missing.is_empty() {
        return HashMap::new();
    }
    let mut siblings: HashMap<&str, Vec<&str>> = HashMap::new();
    for path in files {
        let (parent, name) = parent_and_name(path);
        siblings.entry(parent).or_default().push(name);
    }
    missing
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|file| {
            let as_dir = if file.is_empty() { "index.html".to_string() } else { format!("{file}/index.html") };
            if files.contains(&as_dir) {
                return Some((file.to_string(), shown_url(&as_dir, base)));
            }
            let (parent, name) = parent_and_name(file);
            let names = siblings.get(parent)?;
            let better = crate::error::closest(name, names.iter().copied())?;
            let path = format!("{parent}{better}");
            let path = if better.ends_with('/') { format!("{path}index.html") } else { path };
            Some((file.to_string(), shown_url(&path, base)))
        })
        .collect()
}

/// `articles/x/index.html` -> (`articles/`, `x/`); `articles/x/cave.jpg` -> (`articles/x/`, `cave.jpg`).
fn parent_and_name(path: &str) -> (&str, &str) {
    let path = match dir_form(path) {
        "" => path,
        dir => dir,
    };
    let cut = path.trim_end_matches('/').rfind('/').map_or(0, |i| i + 1);
    path.split_at(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> BaseUrl {
        BaseUrl::parse(url).unwrap()
    }

    fn internal(file: &str, fragment: Option<&str>) -> Resolved {
        Resolved::Internal { file: file.to_string(), fragment: fragment.map(str::to_string) }
    }

    fn site(pages: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pages.iter().map(|(path, html)| (path.to_string(), html.as_bytes().to_vec())).collect()
    }

    fn broken(files: &BTreeMap<String, Vec<u8>>, base_url: &str) -> Vec<(String, String, String)> {
        check_links(files, &base(base_url)).into_iter().map(|b| (b.page, b.target, b.message)).collect()
    }

    #[test]
    fn resolves_relative_links_against_the_page() {
        let b = base("https://example.org/heritage/");
        let page = "articles/x/index.html";
        assert_eq!(resolve(page, "cave.jpg", &b), internal("articles/x/cave.jpg", None));
        assert_eq!(resolve(page, "../y/", &b), internal("articles/y/index.html", None));
        assert_eq!(resolve(page, "./", &b), internal("articles/x/index.html", None));
        assert_eq!(resolve(page, "", &b), internal("articles/x/index.html", None));
        assert_eq!(resolve(page, "#notes", &b), internal("articles/x/index.html", Some("notes")));
        assert_eq!(resolve(page, "../../", &b), internal("index.html", None));
        // Climbing above the base path leaves the site: a mistake on a sub-path site.
        assert_eq!(resolve(page, "../../../other/", &b), Resolved::OutsideBase("/other/".into()));
        assert_eq!(resolve("index.html", "about/", &b), internal("about/index.html", None));
    }

    #[test]
    fn resolves_root_relative_links_under_a_sub_path() {
        let b = base("https://example.org/heritage/");
        let page = "articles/x/index.html";
        assert_eq!(resolve(page, "/heritage/articles/y/", &b), internal("articles/y/index.html", None));
        assert_eq!(resolve(page, "/heritage/", &b), internal("index.html", None));
        assert_eq!(resolve(page, "/heritage", &b), internal("", None));
        assert_eq!(resolve(page, "/heritage/style.css", &b), internal("style.css", None));
        // Written without scheme and host but outside the base path: the base path was forgotten.
        assert_eq!(resolve(page, "/articles/y/", &b), Resolved::OutsideBase("/articles/y/".into()));
        assert_eq!(resolve(page, "/heritagex/", &b), Resolved::OutsideBase("/heritagex/".into()));
        // With scheme and host, another site on the same host is the author's choice.
        assert_eq!(resolve(page, "https://example.org/other-project/", &b), Resolved::External);
        assert_eq!(resolve(page, "//example.org/other-project/", &b), Resolved::External);
        let root = base("https://example.org/");
        assert_eq!(resolve(page, "/articles/y/", &root), internal("articles/y/index.html", None));
    }

    #[test]
    fn resolves_absolute_links_to_the_base() {
        let b = base("https://example.org/heritage/");
        let page = "index.html";
        assert_eq!(resolve(page, "https://example.org/heritage/rss.xml", &b), internal("rss.xml", None));
        assert_eq!(resolve(page, "https://EXAMPLE.org:443/heritage/a/", &b), internal("a/index.html", None));
        assert_eq!(resolve(page, "//example.org/heritage/a/", &b), internal("a/index.html", None));
        assert_eq!(resolve(page, "http://example.org/heritage/a/", &b), Resolved::External);
        assert_eq!(resolve(page, "https://example.org:8443/heritage/a/", &b), Resolved::External);
        assert_eq!(resolve(page, "https://other.org/heritage/a/", &b), Resolved::External);
    }

    #[test]
    fn strips_queries_and_decodes() {
        let b = base("https://example.org/heritage/");
        let page = "articles/x/index.html";
        assert_eq!(resolve(page, "../y/?page=2#top", &b), internal("articles/y/index.html", Some("top")));
        assert_eq!(resolve(page, "cave%20249.jpg", &b), internal("articles/x/cave 249.jpg", None));
        assert_eq!(resolve(page, "cave 249.jpg", &b), internal("articles/x/cave 249.jpg", None));
        assert_eq!(resolve(page, "/heritage/caf%C3%A9/", &b), internal("café/index.html", None));
        assert_eq!(resolve(page, "/heritage/café/", &b), internal("café/index.html", None));
        assert_eq!(resolve(page, "#caf%C3%A9", &b), internal("articles/x/index.html", Some("café")));
        assert_eq!(resolve(page, "?a=1&amp;b=2#n", &b), internal("articles/x/index.html", Some("n")));
        assert_eq!(resolve(page, "&#x2F;heritage&#x2F;a&#x2F;", &b), internal("a/index.html", None));
    }

    #[test]
    fn ignores_external_links() {
        let b = base("https://example.org/heritage/");
        for target in [
            "mailto:editor@example.org",
            "tel:+33100000000",
            "data:image/png;base64,AAAA",
            "javascript:void(0)",
            "https://www.dha.ac.cn/",
            "ftp://example.org/heritage/x",
            "https://",
        ] {
            assert_eq!(resolve("index.html", target, &b), Resolved::External, "{target}");
        }
    }

    #[test]
    fn finds_missing_pages_and_files() {
        let files = site(&[
            (
                "index.html",
                r#"<a href="/heritage/articles/x/">x</a> <a href="/heritage/articles/y/">y</a> <img src="/heritage/logo.png"> <a href="mailto:a@b.org">m</a>"#,
            ),
            (
                "articles/x/index.html",
                r#"<a href="../x">no slash</a> <a href="/heritage/">home</a> <a href="https://example.org/heritage/nope.css">css</a>"#,
            ),
            ("style.css", ""),
        ]);
        assert_eq!(
            broken(&files, "https://example.org/heritage/"),
            [
                (
                    "articles/x/index.html".into(),
                    "../x".into(),
                    "no page at `/heritage/articles/x`, did you mean `/heritage/articles/x/`?".into()
                ),
                (
                    "articles/x/index.html".into(),
                    "https://example.org/heritage/nope.css".into(),
                    "no file at `/heritage/nope.css`, did you mean `/heritage/style.css`?".into()
                ),
                (
                    "index.html".into(),
                    "/heritage/articles/y/".into(),
                    "no page at `/heritage/articles/y/`, did you mean `/heritage/articles/x/`?".into()
                ),
                ("index.html".into(), "/heritage/logo.png".into(), "no file at `/heritage/logo.png`".into()),
            ]
        );
    }

    #[test]
    fn checks_fragments_on_this_and_other_pages() {
        let files = site(&[
            (
                "index.html",
                r##"<h2 id="news">News</h2><a name="old"></a>
                <a href="#news">ok</a> <a href="#old">ok</a> <a href="#top">ok</a> <a href="#">ok</a>
                <a href="#missing">bad</a>
                <a href="articles/x/#intro">ok</a> <a href="articles/x/#outro">bad</a>
                <a href="rss.xml#anything">not html</a>"##,
            ),
            ("articles/x/index.html", r#"<section id="intro"></section><a href="../../#news">ok</a>"#),
            ("rss.xml", ""),
        ]);
        assert_eq!(
            broken(&files, "https://example.org/heritage/"),
            [
                ("index.html".into(), "#missing".into(), "no element with id `missing` on `/heritage/`".into()),
                (
                    "index.html".into(),
                    "articles/x/#outro".into(),
                    "no element with id `outro` on `/heritage/articles/x/`".into()
                ),
            ]
        );
    }

    #[test]
    fn reads_src_srcset_base_and_encoded_values() {
        let files = site(&[
            (
                "a/index.html",
                r#"<head><base href="/sub/"></head>
                <img src="p.jpg" srcset="p.jpg 1x, q.jpg 2x,r.jpg">
                <a href="x?y=1&amp;z=2">ok</a> <a href="&#x2F;sub&#x2F;p.jpg">ok</a>
                <a href="sp%20ace.jpg">ok</a> <a href="/a/#%C3%A9t%C3%A9">ok</a> <a id="&eacute;t&eacute;"></a>"#,
            ),
            ("sub/p.jpg", ""),
            ("sub/x", ""),
            ("sub/sp ace.jpg", ""),
        ]);
        let found = broken(&files, "https://example.org/");
        let targets: Vec<&str> = found.iter().map(|(_, t, _)| t.as_str()).collect();
        assert_eq!(targets, ["q.jpg", "r.jpg"], "{found:?}");
    }

    #[test]
    fn same_target_reported_once_per_page() {
        let files = site(&[
            ("index.html", r#"<a href="/nope/">a</a><a href="/nope/">b</a>"#),
            ("x.html", r#"<a href="/nope/">c</a>"#),
        ]);
        let found = broken(&files, "https://example.org/");
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn plain_links_resolve_as_urls_do() {
        let b = base("https://example.org/heritage/");
        let page = page_url("articles/x/index.html", &b).unwrap();
        for target in [
            "/heritage/",
            "/heritage/articles/y/",
            "/heritage/style.css",
            "/heritage/a.b/c~d_e-f",
            "/heritage/a//b",
            "/heritage/../x/",
            "/heritage/./x/",
            "/heritage/x/..",
            "/heritagex/",
            "/heritage/a b/",
            "/heritage/caf%C3%A9/",
        ] {
            if let Some(file) = plain_file(target, b.path()) {
                assert_eq!(resolve_from(&page, target, &b), internal(&file, None), "{target}");
            }
        }
        assert_eq!(plain_file("/heritage/articles/y/", b.path()).as_deref(), Some("articles/y/index.html"));
        assert_eq!(plain_file("/heritage/../x/", b.path()), None);
        assert_eq!(plain_file("/heritage/a b/", b.path()), None);
    }

    #[test]
    fn splits_parents_and_names() {
        assert_eq!(parent_and_name("articles/x/index.html"), ("articles/", "x/"));
        assert_eq!(parent_and_name("articles/x/cave.jpg"), ("articles/x/", "cave.jpg"));
        assert_eq!(parent_and_name("index.html"), ("", "index.html"));
        assert_eq!(parent_and_name("style.css"), ("", "style.css"));
    }
}
