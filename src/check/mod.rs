//! `stele check`: every problem of the site at once, nothing written.
//!
//! The check loads the site and renders every page in memory exactly as
//! `build` does (so front matter, unknown institutions, URL collisions and
//! template errors are the build's own diagnostics), then checks every
//! internal link and `#anchor` of the rendered HTML with [`crate::check::links`].
//! Each broken link is reported where an editor can fix it:
//!
//! - a link written in Markdown (or in raw HTML in Markdown) at its file,
//!   line and column in the source;
//! - a link in a static HTML file copied as it is, in that file;
//! - a link made by a template in the template file whose text writes it
//!   (literally, or as `{{ ... }}` followed by the rest of the URL), once for
//!   all the pages it breaks; failing that, at the page's URL, once per
//!   target.
//!
//! Content with problems does not stop the check: the files that fail are
//! left out, the rest is rendered and checked, and links to the pages of
//! the files left out are not reported (the files' own problems are). What
//! `check` cannot see past: a broken theme or site.toml (nothing renders),
//! and two sources that claim one URL (nothing is rendered either). When
//! some pages fail to render, links to them are not reported: the template
//! error is.
//!
//! Warnings do not fail the check: bidirectional control characters in the
//! front matter, and, for each language of the site but the default one,
//! the theme's words its strings file lacks (listed in one warning per
//! language, at the file; those pages show them in the default language).
//!
//! It never writes a file, and keeps none in memory: each page is scanned
//! for its links and ids as soon as it is rendered, and static files are
//! only opened to prove they can be read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
pub mod links;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use percent_encoding::percent_decode_str;

use crate::build::{self, BuildOptions, Loaded};
use crate::content::front_matter;
use crate::content::markdown::Rendered;
use crate::error::{Diagnostic, Error, Position, display_path, line_col};
use crate::output::Output;
use crate::plan::route::Routes;
use crate::plan::{ArticleId, Entry, PageId, Plan, Source};
use crate::render::Renderer;
use crate::render::theme::Theme;
use links::{BrokenLink, PageLinks, Resolved};

/// Checks the whole site; `Ok` is a one-line summary, `Err` lists every problem.
pub fn check(options: &BuildOptions) -> Result<String, Error> {
    let (mut loaded, mut problems) = build::load_partial(options)?;
    // The theme's asset names as `build` publishes them (see `theme`).
    loaded.theme.fingerprint(&options.root).unwrap_or_else(|list| problems.extend(list));
    let left_out = left_out(&loaded, &problems);
    let out = CheckOutput::default();
    let mut renderer = Renderer::new(&loaded.site, &loaded.theme);
    // Two sources for one URL: nothing is rendered, the collision is reported.
    let plan = renderer.plan().map_err(|list| problems.extend(list)).ok();
    let mut failed = plan.is_none();
    if let Some(plan) = &plan {
        let all: Vec<&Entry> = plan.entries.iter().collect();
        if let Err(list) = renderer.render(plan, &all, &out) {
            problems.extend(list);
            failed = true;
        }
    }
    let (pages, files) = out.into_parts();
    if let Some(plan) = &plan {
        // The pages that should exist but failed to render: links to them are not reported.
        let unrendered: HashSet<&str> = if failed {
            plan.entries.iter().map(|e| e.path.as_str()).filter(|p| !files.contains(*p)).collect()
        } else {
            HashSet::new()
        };
        let base = &loaded.site.config.base_url;
        let broken: Vec<BrokenLink> = links::check_scanned(&pages, &files, base)
            .into_iter()
            .filter(|b| match links::resolve(&b.page, &b.target, base) {
                Resolved::Internal { file, .. } => {
                    !unrendered.contains(file.as_str()) && !left_out.iter().any(|dir| file.starts_with(dir.as_str()))
                }
                _ => true,
            })
            .collect();
        problems.extend(Locator::new(&loaded, plan).locate(&broken));
    }
    if !problems.is_empty() {
        return Err(Error::from(problems));
    }
    let summary = plan.as_ref().map(Plan::summary).unwrap_or_default();
    let (mut warnings, notes) = match &plan {
        Some(plan) => (crossed_links(&loaded, plan), untranslated(&loaded)),
        None => (Vec::new(), Vec::new()),
    };
    warnings.extend(missing_strings(&loaded.theme, &loaded.site.root));
    let summary = format!("checked {summary}, no problems");
    Ok(crate::content::load::with_report(&loaded.site, summary, warnings, &notes))
}

/// For each language but the default: the articles, profiles and pages not
/// translated into it yet (information: a reader meets them in their own
/// language, labelled).
fn untranslated(loaded: &Loaded) -> Vec<String> {
    let site = &loaded.site;
    let config = &site.config;
    let mut notes = Vec::new();
    // Which (group, language) has a text, for articles and pages alike (their groups are paths of their own).
    let written: HashSet<(&str, &str)> = site
        .articles
        .iter()
        .map(|a| (a.group.as_str(), a.lang.as_str()))
        .chain(site.pages.iter().map(|p| (p.group.as_str(), p.lang.as_str())))
        .collect();
    for lang in config.languages.iter().skip(1) {
        let code = lang.code.as_str();
        let originals = site.articles.iter().filter(|a| !a.translation).map(|a| (&a.group, &a.rel_path));
        let originals = originals.chain(site.pages.iter().filter(|p| !p.translation).map(|p| (&p.group, &p.rel_path)));
        let mut missing: Vec<&str> = originals
            .filter(|(group, _)| !written.contains(&(group.as_str(), code)))
            .map(|(_, rel_path)| rel_path.as_str())
            .collect();
        for i in &site.institutions {
            if i.lang != code && !i.translations.contains_key(code) {
                missing.push(&i.rel_path);
            }
        }
        for c in &site.countries {
            if let Some(rel) = c.rel_path.as_deref().filter(|_| c.lang != code && !c.translations.contains_key(code)) {
                missing.push(rel);
            }
        }
        if missing.is_empty() {
            continue;
        }
        const SHOWN: usize = 5;
        let mut list = missing.iter().take(SHOWN).map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
        if missing.len() > SHOWN {
            list.push_str(&format!(" and {} more", missing.len() - SHOWN));
        }
        let n = missing.len();
        notes.push(format!(
            "{n} file{} not translated into `{code}` ({}): {list}",
            if n == 1 { " is" } else { "s are" },
            lang.name
        ));
    }
    notes
}

/// Links written in a body that lead to a page in another language when
/// the page has a translation in the body's language: almost always a link
/// copied from the original. Warnings at the link's file, line and column.
fn crossed_links(loaded: &Loaded, plan: &Plan) -> Vec<Diagnostic> {
    let site = &loaded.site;
    let base = &site.config.base_url;
    if !site.config.is_multilingual() {
        return Vec::new();
    }
    let by_path: HashMap<&str, &Entry> = plan.entries.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut found = Vec::new();
    for entry in &plan.entries {
        let (rel_path, body, body_line) = match entry.written_source() {
            Some(Source::Article(ArticleId(i))) => {
                let a = &site.articles[i];
                (&a.rel_path, &a.body, a.body_line)
            }
            Some(Source::Page(PageId(i))) => {
                let p = &site.pages[i];
                (&p.rel_path, &p.body, p.body_line)
            }
            _ => continue,
        };
        for link in body.links.iter().filter(|l| !l.is_image) {
            let links::Resolved::Internal { file, .. } = links::resolve(&entry.path, &link.dest, base) else {
                continue;
            };
            let Some(target) = by_path.get(file.as_str()) else { continue };
            if target.edition == entry.edition {
                continue;
            }
            let ours = plan.translations(target).iter().map(|&k| &plan.entries[k]).find(|e| e.edition == entry.edition);
            if let Some(ours) = ours {
                let (theirs, mine) = (&site.config.languages[target.edition], &site.config.languages[entry.edition]);
                found.push(Diagnostic::at(
                    rel_path,
                    link.pos.in_file(body_line),
                    format!(
                        "`{}` leads to the page in {}; its translation in {} is `{}`, expected a link in the language of this text",
                        link.dest,
                        theirs.name,
                        mine.name,
                        base.url(ours.path.strip_suffix("index.html").unwrap_or(&ours.path))
                    ),
                ));
            }
        }
    }
    found
}

/// Warnings (they do not fail `check`): for each language of the site but
/// the default one, the theme's words its strings file lacks, which its
/// pages show in the default language. One warning per language, at its
/// strings file, listing every missing key.
pub fn missing_strings(theme: &Theme, root: &Path) -> Vec<Diagnostic> {
    let default = theme.languages().next().unwrap_or_default().to_string();
    theme
        .languages()
        .skip(1)
        .filter_map(|code| {
            let missing = theme.missing_strings(code);
            let n = missing.len();
            let keys = missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            let file = theme.strings_file(code);
            let message = if !root.join(file).is_file() {
                format!("no strings file for `{code}`: its pages show all {n} of the theme's words in `{default}`")
            } else {
                let words = if n == 1 { "word" } else { "words" };
                format!("{n} of the theme's {words} not translated into `{code}`, shown in `{default}`: {keys}")
            };
            (n > 0).then(|| Diagnostic::new(file, message))
        })
        .collect()
}

/// Where the content files with problems would have their pages (`articles/x/`):
/// links there are not reported, the file's own problem is.
fn left_out(loaded: &Loaded, problems: &[Diagnostic]) -> Vec<String> {
    let config = &loaded.site.config;
    let routes = Routes::new(&config.language);
    problems
        .iter()
        .filter_map(|d| {
            let rel = d.path.strip_prefix("content/")?;
            if !rel.ends_with(".md") {
                return None;
            }
            let (lang, group) = crate::content::load::language_of(&d.path, config).ok()?;
            let lang = lang.as_str();
            let slug = crate::content::load::slug_of_source(&group);
            match rel.split_once('/')?.0 {
                "articles" => Some(routes.article(lang, &slug)),
                "pages" => Some(routes.page(lang, &slug)),
                "institutions" => Some(routes.institution(lang, &slug)),
                "countries" => Some(routes.country(lang, &slug)),
                _ => None,
            }
        })
        .collect()
}

/// A sink that keeps no file: each HTML page is scanned for links and ids
/// as it arrives (on the rendering thread), other files are only named.
#[derive(Debug, Default)]
struct CheckOutput {
    pages: Mutex<BTreeMap<String, PageLinks>>,
    files: Mutex<BTreeSet<String>>,
}

impl CheckOutput {
    /// The scanned pages, and the site path of every file.
    fn into_parts(self) -> (BTreeMap<String, PageLinks>, BTreeSet<String>) {
        let pages = self.pages.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let files = self.files.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        (pages, files)
    }
}

impl Output for CheckOutput {
    fn put(&self, site_path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        if links::is_html(site_path) {
            let scan = PageLinks::scan(&bytes);
            self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(site_path.to_string(), scan);
        }
        self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(site_path.to_string());
        Ok(())
    }

    fn copy(&self, site_path: &str, source: &Path) -> Result<(), Error> {
        if links::is_html(site_path) {
            return self.put(site_path, crate::fs::read_bytes(source)?);
        }
        // Static files are only looked up by name; proving they can be read is enough.
        std::fs::File::open(source).map_err(|e| Error::io(source, "read", &e))?;
        self.put(site_path, Vec::new())
    }
}

/// A Markdown body shown on a page.
struct Body<'a> {
    rel_path: &'a str,
    rendered: &'a Rendered,
}

/// Finds where each broken link was written.
struct Locator<'a> {
    loaded: &'a Loaded,
    /// Output page -> the Markdown body it shows (paginated listings: their first page).
    bodies: HashMap<String, Body<'a>>,
    /// Files copied as they are: site path -> (path as shown, source).
    copied: HashMap<&'a str, (String, PathBuf)>,
    /// Source file -> (its body text, the file line the body starts on).
    sources: HashMap<String, Option<(String, usize)>>,
    /// What the templates in use write in attribute values (read when first needed).
    templates: Option<TemplateIndex>,
}

/// Where a broken link made by a template is reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// A template file, line and column.
    Template(String, usize, usize),
    /// Unknown: reported once per target, at the first page that has it.
    Target(String),
}

impl<'a> Locator<'a> {
    fn new(loaded: &'a Loaded, plan: &Plan) -> Self {
        let site = &loaded.site;
        let mut bodies = HashMap::new();
        let mut copied: HashMap<&'a str, (String, PathBuf)> = HashMap::new();
        for entry in &plan.entries {
            let body = match entry.written_source() {
                Some(Source::Article(ArticleId(i))) => {
                    Body { rel_path: &site.articles[i].rel_path, rendered: &site.articles[i].body }
                }
                Some(Source::Page(PageId(i))) => {
                    Body { rel_path: &site.pages[i].rel_path, rendered: &site.pages[i].body }
                }
                Some(Source::Institution(id)) => {
                    Body { rel_path: &site.institutions[id].rel_path, rendered: &site.institutions[id].body }
                }
                Some(Source::Country(id)) => match &site.countries[id].rel_path {
                    Some(rel_path) => Body { rel_path, rendered: &site.countries[id].body },
                    None => continue,
                },
                Some(Source::Asset(i)) => {
                    let asset = &site.assets[i];
                    copied.insert(asset.site_path.as_str(), (asset.rel_path.clone(), asset.source_path.clone()));
                    continue;
                }
                Some(Source::ThemeStatic(_) | Source::Image(_) | Source::Search(_)) | None => continue,
            };
            bodies.insert(entry.path.clone(), body);
        }
        for (site_path, source) in &loaded.theme.static_files {
            copied.insert(site_path, (display_path(&site.root, source), source.clone()));
        }
        Locator { loaded, bodies, copied, sources: HashMap::new(), templates: None }
    }

    /// One diagnostic per broken link written in content, one per template
    /// location (or unknown target) for those made by templates.
    fn locate(&mut self, broken: &[BrokenLink]) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let mut by_origin: BTreeMap<Origin, Vec<&BrokenLink>> = BTreeMap::new();
        for link in broken {
            if let Some(list) = self.in_markdown(link) {
                found.extend(list);
            } else if let Some(d) = self.in_copied_file(link) {
                found.push(d);
            } else {
                let origin = self.in_templates(&link.target).unwrap_or_else(|| Origin::Target(link.target.clone()));
                by_origin.entry(origin).or_default().push(link);
            }
        }
        let base = &self.loaded.site.config.base_url;
        for (origin, links) in by_origin {
            let first = links[0];
            let page = page_url(&first.page, base);
            let others = match links.len() - 1 {
                0 => String::new(),
                1 => " and 1 other page".to_string(),
                n => format!(" and {n} other pages"),
            };
            let message = format!("broken link `{}` on `{page}`{others}: {}", first.target, first.message);
            found.push(match origin {
                Origin::Template(shown, line, column) => Diagnostic::at(shown, Position::new(line, column), message),
                Origin::Target(_) => Diagnostic::new(page, message),
            });
        }
        found
    }

    /// The link's places in the Markdown body shown on its page, if it is there.
    fn in_markdown(&mut self, link: &BrokenLink) -> Option<Vec<Diagnostic>> {
        let body = self.bodies.get(&link.page).or_else(|| self.bodies.get(&first_listing_page(&link.page)?))?;
        let (rel_path, rendered) = (body.rel_path, body.rendered);
        let wanted = normalize(&link.target);
        let written: Vec<_> = rendered.links.iter().filter(|l| normalize(&l.dest) == wanted).collect();
        if written.is_empty() && !rendered.html.contains(link.target.as_str()) {
            return None;
        }
        let (text, body_line) = match self.source(rel_path) {
            Some((text, line)) => (Some(text.as_str()), *line),
            None => (None, 1),
        };
        if written.is_empty() {
            // Raw HTML in the Markdown: find the attribute value in the source.
            let pos = text.and_then(|t| t.find(link.target.as_str()).map(|at| line_col(t, at)));
            let message = format!("broken link `{}`: {}", link.target, link.message);
            let d = Diagnostic::new(rel_path, message).with_pos(pos.map(|p| p.in_file(body_line)));
            return Some(vec![d]);
        }
        Some(
            written
                .into_iter()
                .map(|l| {
                    let what = if l.is_image { "image" } else { "link" };
                    let message = format!("broken {what} `{}`: {}", l.dest, link.message);
                    Diagnostic::at(rel_path, l.pos.in_file(body_line), message)
                })
                .collect(),
        )
    }

    /// A static HTML file copied as it is: the link is in its text.
    fn in_copied_file(&self, link: &BrokenLink) -> Option<Diagnostic> {
        let (shown, source) = self.copied.get(link.page.as_str())?;
        let text = crate::fs::read_text(source, shown).ok();
        let pos = text.as_deref().and_then(|t| t.find(link.target.as_str()).map(|at| line_col(t, at)));
        Some(Diagnostic::new(shown, format!("broken link `{}`: {}", link.target, link.message)).with_pos(pos))
    }

    /// The template text that writes `target`: literally as an attribute
    /// value, else the longest end of it written right after `}}` at the
    /// end of an attribute value.
    fn in_templates(&mut self, target: &str) -> Option<Origin> {
        let loaded = self.loaded;
        let index = self.templates.get_or_insert_with(|| TemplateIndex::new(loaded.theme.sources()));
        index.literals.get(target).or_else(|| suffixes(target).find_map(|suffix| index.tails.get(suffix))).cloned()
    }

    /// The body text of a source file and the line it starts on (read once).
    fn source(&mut self, rel_path: &str) -> Option<&(String, usize)> {
        let root = &self.loaded.site.root;
        self.sources
            .entry(rel_path.to_string())
            .or_insert_with(|| {
                let text = crate::fs::read_text(&root.join(rel_path), rel_path).ok()?;
                let split = front_matter::split(&text, rel_path).ok()?;
                Some((split.body.to_string(), split.body_line))
            })
            .as_ref()
    }
}

/// The ends of `target` that a template may write after `{{ ... }}`,
/// longest first; an end without a letter or digit (`/`) says too little.
fn suffixes(target: &str) -> impl Iterator<Item = &str> {
    target
        .char_indices()
        .map(move |(i, _)| &target[i..])
        .take_while(|suffix| suffix.bytes().any(|b| b.is_ascii_alphanumeric()))
}

/// The URL text that templates write in attribute values, with where.
#[derive(Debug, Default)]
struct TemplateIndex {
    /// Whole values without template tags (`href="#main"`).
    literals: HashMap<String, Origin>,
    /// What follows the last `}}` of a value (`favicon.svg` in `href="{{ site.home_url }}favicon.svg"`).
    tails: HashMap<String, Origin>,
}

impl TemplateIndex {
    /// Indexes every quoted attribute value of every template; the first
    /// template (by name) that writes a value is the one reported.
    fn new(templates: &BTreeMap<String, (String, String)>) -> Self {
        let mut index = TemplateIndex::default();
        for (shown, text) in templates.values() {
            let origin = |at: usize| {
                let Position { line, column } = line_col(text, at);
                Origin::Template(shown.clone(), line, column)
            };
            for (at, value) in quoted_values(text) {
                match value.rfind("}}") {
                    None if !value.contains("{%") => {
                        index.literals.entry(value.to_string()).or_insert_with(|| origin(at));
                    }
                    Some(end) if end + 2 < value.len() => {
                        index.tails.entry(value[end + 2..].to_string()).or_insert_with(|| origin(at));
                    }
                    _ => {}
                }
            }
        }
        index
    }
}

/// Every `="..."` and `='...'` in a template text: (offset of the value, value).
fn quoted_values(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices('=').filter_map(move |(eq, _)| {
        let quote = text[eq + 1..].chars().next().filter(|c| matches!(c, '"' | '\''))?;
        let start = eq + 2;
        // Template tags may hold quotes of their own; only the value's closing quote ends it.
        let mut end = start;
        let rest = &text[start..];
        let mut depth = 0usize;
        for (i, c) in rest.char_indices() {
            if rest[i..].starts_with("{{") || rest[i..].starts_with("{%") {
                depth += 1;
            } else if depth > 0 && (rest[i..].starts_with("}}") || rest[i..].starts_with("%}")) {
                depth -= 1;
            } else if depth == 0 && (c == quote || c == '\n') {
                end = start + i;
                break;
            }
        }
        (end > start).then(|| (start, &text[start..end]))
    })
}

/// `x/page/3/index.html` -> `x/index.html`: a later page of a listing shows
/// the same description as its first.
fn first_listing_page(page: &str) -> Option<String> {
    let dir = page.strip_suffix("/index.html")?;
    let (listing, number) = dir.rsplit_once("/page/")?;
    number.bytes().all(|b| b.is_ascii_digit()).then(|| format!("{listing}/index.html"))
}

/// The root-relative URL of an output file, as a reader would type it.
fn page_url(page: &str, base: &crate::config::BaseUrl) -> String {
    match page.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => base.url(dir),
        _ => base.url(page),
    }
}

/// A URL as written in Markdown or in HTML, compared after decoding
/// character references and percent-escapes.
fn normalize(url: &str) -> String {
    let decoded = html_escape::decode_html_entities(url.trim());
    percent_decode_str(&decoded).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_page_of_a_listing() {
        assert_eq!(
            first_listing_page("institutions/x/page/2/index.html").as_deref(),
            Some("institutions/x/index.html")
        );
        assert_eq!(first_listing_page("institutions/x/index.html"), None);
        assert_eq!(first_listing_page("articles/page/x/index.html"), None);
    }

    #[test]
    fn suffixes_are_longest_first_and_say_something() {
        let found: Vec<&str> = suffixes("/a/1#n").collect();
        assert_eq!(found, ["/a/1#n", "a/1#n", "/1#n", "1#n", "#n", "n"]);
        assert_eq!(suffixes("/a/").collect::<Vec<_>>(), ["/a/", "a/"]);
        assert_eq!(suffixes("é/x").collect::<Vec<_>>(), ["é/x", "/x", "x"]);
    }

    #[test]
    fn normalizes_urls_from_markdown_and_html() {
        assert_eq!(normalize("/caf%C3%A9/?a=1&amp;b=2"), normalize("/café/?a=1&b=2"));
        assert_eq!(normalize("/a%20b"), "/a b");
    }
}
