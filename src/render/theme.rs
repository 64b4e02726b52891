//! Themes: Tera templates, static files and words.
//!
//! A theme is `themes/<name>/templates/**` plus `themes/<name>/static/**`,
//! plus `themes/<name>/strings/<language>.toml`: every word a reader sees,
//! per language (see [`crate::render::strings`]), shown by templates as
//! `site.t.<key>` and counted words through the `plural` function; a theme
//! without a file for the site's language gets the heritage theme's English
//! one. Dates and month names are not theme words: they come from the
//! Unicode CLDR for the site's language
//! ([`crate::content::date::DateFormat`]). Every `site.t.<key>` a template
//! names must be a key of the default language's file: a misspelt one is
//! reported at its line when the theme is loaded, not when a page that uses
//! it happens to render.
//! A site's own `templates/` folder overrides the theme's templates one by
//! one, by name. Templates are parsed once per build; every syntax error of
//! every template is reported, each at its file and line. Autoescaping is on
//! for `.html` and `.xml` templates; the only values templates mark `safe`
//! are the HTML that stele itself rendered from Markdown and the cards it
//! rendered through the theme's own `article_card` component.
//!
//! Templates name theme static files through the `asset` function
//! (`{{ site.home_url }}{{ asset(path="style.css") }}`). In a build for
//! publishing ([`Theme::fingerprint`], done by `stele build`), each static file
//! is written under a name with a hash of its content instead
//! (`style.3f9c0a1e.css`) and `asset` returns that name, so a host can cache
//! it for a year and a new version still reaches every reader. `check` does
//! the same, so a template that writes `style.css` by hand is reported as a
//! broken link before it is published. `serve` keeps the plain names: a
//! stylesheet edit is then swapped into open pages without a reload.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Diagnostic, Position, display_path};
use crate::render::strings::{Plurals, Words, register_plural_function};

pub use crate::render::strings::Strings;

/// Templates a theme may leave out: feeds, sitemaps, robots.txt and the
/// figure of a photograph, as the default theme writes them.
const BUILT_IN: [(&str, &str); 5] = [
    ("figure.html", include_str!("../../themes/heritage/templates/figure.html")),
    ("rss.xml", include_str!("../../themes/heritage/templates/rss.xml")),
    ("sitemap.xml", include_str!("../../themes/heritage/templates/sitemap.xml")),
    ("sitemap_index.xml", include_str!("../../themes/heritage/templates/sitemap_index.xml")),
    ("robots.txt", include_str!("../../themes/heritage/templates/robots.txt")),
];

/// The component that shows an article in a listing. When a theme defines
/// it (see [`Theme::renders_cards`]), each card is rendered once per build
/// and language at each of [`CARD_LEVELS`], and templates print the result
/// (`{{ card.h3 | safe }}`) instead of rendering the component again on
/// every page that lists the article: a site of 10,000 articles shows
/// about 100,000 cards.
pub const CARD_COMPONENT: &str = "article_card";

/// The heading levels cards are rendered at ahead of the pages: `card.h2`
/// and `card.h3`.
pub const CARD_LEVELS: [(i64, &str); 2] = [(2, "h2"), (3, "h3")];

/// Templates by name: (the file, as messages show it; its text).
pub type Sources = BTreeMap<String, (String, String)>;

/// A loaded theme, ready to render.
pub struct Theme {
    tera: tera::Tera,
    /// Template name -> (the file it came from, as messages show it; its text).
    sources: Sources,
    /// Static files: site path -> source file.
    pub static_files: BTreeMap<String, PathBuf>,
    /// The words of each language of the site, the default language's first.
    words: Words,
    /// The CLDR plural rules the `plural` function has used.
    plurals: Arc<Plurals>,
}

/// The `asset` template function: a static file's name -> the name it is published under.
fn register_asset_function(tera: &mut tera::Tera, names: BTreeMap<String, String>) {
    tera.register_function("asset", move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
        let path: String = kwargs.must_get("path")?;
        let path = path.trim_start_matches('/');
        names.get(path).cloned().ok_or_else(|| {
            tera::Error::message(format!(
                "`asset`: no file `{path}` in the theme's static folder, expected one of {}",
                crate::config::quoted_list(&names.keys().map(String::as_str).collect::<Vec<_>>())
            ))
        })
    });
}

/// The `chinese` filter: plain text, escaped, with runs of Han characters
/// marked `lang="zh"` and kept on one line (see `text::wrap_chinese`). For
/// titles and summaries; never for HTML.
fn register_chinese_filter(tera: &mut tera::Tera) {
    tera.register_filter(
        "chinese",
        |text: tera::StringInput, _: tera::Kwargs, state: &tera::State| -> tera::TeraResult<tera::Value> {
            let escaped = text.rendered(state)?;
            Ok(tera::Value::safe_string(&crate::content::text::wrap_chinese(&escaped)))
        },
    );
}

/// `dir/name.ext` with `hash` before the extension: `dir/name.<hash>.ext`.
pub fn hashed_name(path: &str, hash: &str) -> String {
    let (dir, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let named = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    };
    if dir.is_empty() { named } else { format!("{dir}/{named}") }
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("templates", &self.sources.len()).finish()
    }
}

impl Theme {
    /// Loads the site's theme from `root/themes/`, with overrides from
    /// `root/templates/`, and its words for each of `languages` (language
    /// codes or BCP 47 tags, the site's default language first).
    pub fn load(root: &Path, config: &Config, languages: &[&str]) -> Result<Theme, Vec<Diagnostic>> {
        let name = config.theme.as_str();
        let theme_dir = root.join("themes").join(name);
        if !theme_dir.join("templates").is_dir() {
            return Err(vec![
                Diagnostic::new(
                    "site.toml",
                    format!("the theme `{name}` was not found, expected a folder `themes/{name}/templates/`"),
                )
                .with_pos(config.theme_pos),
            ]);
        }
        let mut problems = Vec::new();
        // name -> (shown path, source); the site's templates come last and win.
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for (name, path) in files_under(&dir, &mut problems, root) {
                let shown = display_path(root, &path);
                match crate::fs::read_text(&path, &shown) {
                    Ok(text) => {
                        sources.insert(name, (shown, text));
                    }
                    Err(d) => problems.push(d),
                }
            }
        }
        // Machine-read files every site needs; a theme that has none gets stele's own.
        for (name, text) in BUILT_IN {
            sources.entry(name.to_string()).or_insert_with(|| (format!("(built-in) {name}"), text.to_string()));
        }

        // Parse each template alone first, so that every syntax error is reported;
        // references to other templates are checked when all are added together.
        for (name, (_, text)) in &sources {
            let mut alone = tera::Tera::new();
            register_asset_function(&mut alone, BTreeMap::new());
            register_chinese_filter(&mut alone);
            register_plural_function(&mut alone, Arc::new(Plurals::default()));
            if let Err(err) = alone.add_raw_template(name, text) {
                let found = template_diagnostics(&err, &sources, name);
                problems.extend(found.into_iter().filter(|d| !refers_to_other_templates(&d.message)));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut static_files = BTreeMap::new();
        for (site_path, path) in files_under(&theme_dir.join("static"), &mut problems, root) {
            static_files.insert(site_path, path);
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        register_asset_function(&mut tera, static_files.keys().map(|k| (k.clone(), k.clone())).collect());
        register_chinese_filter(&mut tera);
        let plurals = Arc::new(Plurals::default());
        register_plural_function(&mut tera, Arc::clone(&plurals));
        tera.add_raw_templates(sources.iter().map(|(n, (_, text))| (n.as_str(), text.as_str())))
            .map_err(|err| template_diagnostics(&err, &sources, ""))?;
        let words = Words::load(&theme_dir.join("strings"), root, languages).map_err(|list| problems.extend(list)).ok();
        if let Some(words) = &words {
            problems.extend(unknown_string_keys(&sources, words.default_strings(), words.default_file()));
        }
        match words {
            Some(words) if problems.is_empty() => Ok(Theme { tera, sources, static_files, words, plurals }),
            _ => Err(problems),
        }
    }

    /// Renames every static file with a hash of its content, and makes
    /// `asset` return the new names (see the module docs).
    pub fn fingerprint(&mut self, root: &Path) -> Result<(), Vec<Diagnostic>> {
        let mut names = BTreeMap::new();
        let mut hashed = Vec::new();
        let mut problems = Vec::new();
        for (site_path, source) in &self.static_files {
            match std::fs::read(source) {
                Ok(bytes) => {
                    let name = hashed_name(site_path, &format!("{:08x}", crc32fast::hash(&bytes)));
                    names.insert(site_path.clone(), name.clone());
                    hashed.push((name, source.clone()));
                }
                Err(e) => problems.push(Diagnostic::new(display_path(root, source), format!("cannot read: {e}"))),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.static_files = hashed.into_iter().collect();
        register_asset_function(&mut self.tera, names);
        Ok(())
    }

    /// Every template in use (the site's overrides in place of the theme's), with its text.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The words of a language (a code or BCP 47 tag): those loaded for it,
    /// else for its language alone (`fr` for `fr-CA`), else the default
    /// language's. Templates get them as `site.t`.
    pub fn strings(&self, language: &str) -> &Strings {
        self.words.strings(language)
    }

    /// The keys the strings file of a language lacks (shown in the default
    /// language's words), sorted; none for the default language.
    pub fn missing_strings(&self, language: &str) -> Vec<String> {
        self.words.missing(language)
    }

    /// The strings file of a language, as messages show it (it may not exist).
    pub fn strings_file(&self, language: &str) -> &str {
        self.words.file(language)
    }

    /// The languages the theme's words were loaded for, the default first.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.words.codes()
    }

    /// Whether two themes have the same words in every language.
    pub fn same_strings(&self, other: &Theme) -> bool {
        self.words == other.words
    }

    /// The form of a plural table for `n` in a language, as the `plural`
    /// template function gives it (`{count}` replaced by `n`).
    pub fn plural(&self, key: &str, n: i64, language: &str) -> Result<String, String> {
        let forms = self.strings(language).get(key).ok_or_else(|| format!("no string `{key}`"))?;
        self.plurals.format(forms, n, language)
    }

    /// Whether a template of this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Whether the templates define the card component stele renders ahead
    /// of the pages (see [`CARD_COMPONENT`]): `article_card` with the
    /// arguments `card` and `level`, any other argument having a default and
    /// any implicit one being `site`.
    pub fn renders_cards(&self) -> bool {
        self.tera.get_component_definition(CARD_COMPONENT).is_some_and(|component| {
            let has = |name: &str| component.args().iter().any(|a| a.name() == name && !a.is_implicit());
            has("card")
                && has("level")
                && component.args().iter().all(|a| {
                    matches!(a.name(), "card" | "level") || !a.is_required() && (!a.is_implicit() || a.name() == "site")
                })
        })
    }

    /// The card component rendered for one card at one heading level, as a
    /// page would render `{{ <article_card card={card} level={level}/> }}`
    /// (`site` is the page's site view).
    pub fn render_card(&self, card: tera::Value, level: i64, site: tera::Value) -> Result<String, Diagnostic> {
        let mut args = tera::Context::new();
        args.insert_value("card", card);
        args.insert_value("level", tera::Value::from(level));
        let mut implicits = tera::Context::new();
        implicits.insert_value("site", site);
        self.tera.render_component_with_implicits(CARD_COMPONENT, &args, &implicits, None, true).map_err(|err| {
            // The template that defines the component, for errors that name none.
            let current = self
                .sources
                .iter()
                .find(|(_, (_, text))| text.contains(&format!("component {CARD_COMPONENT}")))
                .map_or(CARD_COMPONENT, |(name, _)| name.as_str());
            template_diagnostics(&err, &self.sources, current)
                .into_iter()
                .next()
                .unwrap_or_else(|| Diagnostic::new(current, err.to_string()))
        })
    }

    /// Renders `name` with a typed context.
    pub fn render<T: Serialize>(&self, name: &str, context: &T) -> Result<String, Diagnostic> {
        let shown = self.sources.get(name).map_or_else(|| name.to_string(), |(shown, _)| shown.clone());
        let context = tera::Context::from_serialize(context)
            .map_err(|e| Diagnostic::new(&shown, format!("cannot pass the page's data to the template: {e}")))?;
        self.tera.render(name, &context).map_err(|err| {
            template_diagnostics(&err, &self.sources, name)
                .into_iter()
                .next()
                .unwrap_or_else(|| Diagnostic::new(shown, err.to_string()))
        })
    }
}

/// Every `site.t.<key>` the templates name that the default language's
/// strings (from `file`) do not have: one problem per key, at the first
/// template, line and column that names it.
fn unknown_string_keys(sources: &Sources, strings: &Strings, file: &str) -> Vec<Diagnostic> {
    const PREFIX: &str = "site.t.";
    // key -> (first place, how many places)
    let mut unknown: BTreeMap<&str, (Diagnostic, usize)> = BTreeMap::new();
    for (shown, text) in sources.values() {
        for (at, _) in text.match_indices(PREFIX) {
            // `xsite.t.a` and `page.site.t.a` are other variables.
            if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let rest = &text[at + PREFIX.len()..];
            let key = &rest[..rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len())];
            if key.is_empty() || strings.get(key).is_some() {
                continue;
            }
            let pos = crate::error::line_col(text, at + PREFIX.len());
            unknown.entry(key).or_insert_with(|| (Diagnostic::at(shown, pos, String::new()), 0)).1 += 1;
        }
    }
    unknown
        .into_iter()
        .map(|(key, (mut first, places))| {
            let hint = match crate::error::closest(key, strings.keys()) {
                Some(known) => format!(", did you mean `{known}`?"),
                None => String::new(),
            };
            let others = match places - 1 {
                0 => String::new(),
                1 => " (and 1 other place)".to_string(),
                n => format!(" (and {n} other places)"),
            };
            first.message = format!("unknown string `{key}`, not in `{file}`{hint}{others}");
            first
        })
        .collect()
}

/// Errors a template alone gives only because the others are missing.
fn refers_to_other_templates(message: &str) -> bool {
    message.starts_with("Unknown template")
        || message.starts_with("Unknown component")
        || message.starts_with("extends `")
}

/// Files under `dir`, sorted, as (path relative to `dir` with `/`, full path).
fn files_under(dir: &Path, problems: &mut Vec<Diagnostic>, root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let name = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
                if !name.split('/').any(|part| part.starts_with('.')) {
                    out.push((name, entry.path().to_path_buf()));
                }
            }
            Ok(entry) => {
                if let Some(kind) = crate::fs::special_kind(entry.file_type()) {
                    // Never opened: reading a named pipe would wait for a writer forever.
                    problems
                        .push(Diagnostic::new(display_path(root, entry.path()), crate::fs::special_file_message(kind)));
                }
            }
            Err(err) => {
                let shown = err.path().map_or_else(|| display_path(root, dir), |p| display_path(root, p));
                problems.push(Diagnostic::new(shown, format!("cannot read this part of the theme: {err}")));
            }
        }
    }
    out
}

/// A Tera error as `templates/file.html:line:col: message` diagnostics.
fn template_diagnostics(err: &tera::Error, sources: &Sources, current: &str) -> Vec<Diagnostic> {
    let shown = |name: &str| sources.get(name).map_or_else(|| format!("template `{name}`"), |(shown, _)| shown.clone());
    let mut message = match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let name = if report.filename().is_empty() { current } else { report.filename() };
            let span = report.span();
            let mut message = report.message().to_string();
            append_causes(err, &mut message);
            return vec![Diagnostic::at(
                shown(name),
                Position::new(span.start_line.max(1), span.start_col + 1),
                message,
            )];
        }
        tera::ErrorKind::MissingParent { current, parent } => {
            return vec![Diagnostic::new(
                shown(current),
                format!("extends `{parent}`, which does not exist, expected a template of that name"),
            )];
        }
        tera::ErrorKind::TemplateNotFound(name) => {
            format!("the template `{name}` does not exist, expected a file `templates/{name}` in the theme or the site")
        }
        // Reference checks (unknown filters, includes, components) come as rendered reports.
        tera::ErrorKind::Msg(text) if text.contains(" --> ") => return parse_reports(text, &shown),
        _ => err.to_string(),
    };
    append_causes(err, &mut message);
    vec![Diagnostic::new(shown(current), message)]
}

/// Reads Tera's rendered reports (`error: message` then ` --> name:line:col`).
fn parse_reports(text: &str, shown: &dyn Fn(&str) -> String) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m);
        } else if let (Some(m), Some(location)) = (message, line.trim_start().strip_prefix("--> ")) {
            let mut parts = location.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok());
            let line_no = parts.next().and_then(|l| l.parse().ok());
            let name = parts.next().unwrap_or(location);
            let d = Diagnostic::new(shown(name), m.to_string());
            found.push(match (line_no, column) {
                (Some(l), Some(c)) => d.with_pos(Some(Position::new(l, c))),
                _ => d,
            });
            message = None;
        }
    }
    found
}

fn append_causes(err: &tera::Error, message: &mut String) {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names_keep_the_extension() {
        assert_eq!(super::hashed_name("style.css", "0a1b2c3d"), "style.0a1b2c3d.css");
        assert_eq!(super::hashed_name("img/logo.min.svg", "ff"), "img/logo.min.ff.svg");
        assert_eq!(super::hashed_name("LICENSE", "ff"), "LICENSE.ff");
        assert_eq!(super::hashed_name("d.x/.hidden", "ff"), "d.x/.hidden.ff");
    }
}
