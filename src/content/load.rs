//! Walking `content/` into a [`Site`].
//!
//! The walk is sorted, so every build sees files in the same order; walk
//! errors are reported, never skipped; a symbolic link that leads outside
//! the site, and anything that is not a regular file or a folder (a named
//! pipe, a socket, a device), is refused with an error naming it, never
//! opened. `read_source`, which re-reads one file for the dev server,
//! applies the same rules through the same functions of [`crate::fs`].
//! Files are parsed in parallel, then references are resolved in one place:
//! an article's institutions by name, alias or slug (case, accents and
//! repeated spaces do not count), countries derived from institutions. Every
//! problem of every file is collected and returned together.
//!
//! Layout: `articles/**/<slug>.md` or `articles/**/<slug>/index.md` (a
//! bundle: its other files are copied next to the page in each language it
//! is written in), `institutions/<slug>.md`, `countries/<slug>.md`,
//! `pages/<slug>.md`. A language code before `.md` (`x.fr.md`,
//! `x/index.zh.md`) names the file's language, which site.toml must
//! declare; the files of one path without it are one source in several
//! languages. The file in the first of the site's languages is the
//! original and is parsed first; the others are parsed against it and
//! inherit what does not depend on language (see [`Article::parse`]).
//! Any other file is a static file, copied to the same path under the site.
//! Files and folders whose name starts with `.` are ignored, and so are
//! editor backups (`x.md~`, `#x.md#`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{
    Article, Asset, Country, CountryId, Institution, InstitutionId, Page, ProfileText, Site, SourceText, match_key,
};
use crate::config::Config;
use crate::error::{Diagnostic, Position, closest, display_path};

/// What the loader needs to know besides the files.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub root: PathBuf,
    /// Include articles and pages marked `draft: true`.
    pub drafts: bool,
}

/// The kinds of content source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Article,
    Institution,
    Country,
    Page,
}

struct SourceFile {
    kind: Kind,
    path: PathBuf,
    rel_path: String,
    file_slug: String,
    /// The code of its language, from its name (`x.fr.md`), else the default's.
    lang: String,
    /// Its path without the language: what its translations share.
    group: String,
}

/// One parsed source file.
pub(crate) enum Parsed {
    Article(Box<Article>),
    Institution(Box<Institution>),
    Country(Box<Country>),
    Page(Box<Page>),
    /// A profile's translation: (group, language, text).
    InstitutionText(String, String, Box<ProfileText>),
    CountryText(String, String, Box<ProfileText>),
}

/// The language of a content file from its name, and its path without it:
/// `content/articles/x.fr.md` -> (`fr`, `content/articles/x.md`). A name
/// whose last part before `.md` looks like a language code must name one of
/// the site's languages.
pub(crate) fn language_of(rel_path: &str, config: &Config) -> Result<(String, String), Diagnostic> {
    let default = || (config.language.clone(), rel_path.to_string());
    let Some(stem) = rel_path.strip_suffix(".md") else { return Ok(default()) };
    let (dir, name) = stem.rsplit_once('/').unwrap_or(("", stem));
    let Some((base, code)) = name.rsplit_once('.') else { return Ok(default()) };
    let looks_like_code = crate::config::is_language_code(code)
        && code
            .split('-')
            .next()
            .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    if !looks_like_code || base.is_empty() {
        return Ok(default());
    }
    if config.lang(code).is_none() {
        let known: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        return Err(Diagnostic::at(
            rel_path,
            Position::new(1, 1),
            format!(
                "`{code}` in the file name is not a language of this site, expected one of {} (or declare `[languages.{code}]` in site.toml)",
                crate::config::quoted_list(&known)
            ),
        ));
    }
    Ok((code.to_string(), format!("{dir}/{base}.md")))
}

/// Loads every piece of content of the site at `options.root`.
pub fn load(config: Config, options: &LoadOptions) -> Result<Site, Vec<Diagnostic>> {
    let (site, problems) = load_partial(config, options);
    if problems.is_empty() { Ok(site) } else { Err(problems) }
}

/// Like [`load`], but always returns a site, with every problem beside it:
/// files that do not parse are left out, names that do not resolve are
/// dropped. For `check`, which renders what it can.
pub fn load_partial(config: Config, options: &LoadOptions) -> (Site, Vec<Diagnostic>) {
    let root = &options.root;
    let mut problems = Vec::new();
    let (sources, assets, bundles) = walk(root, &config, &mut problems);

    // Originals first (the file of each group in the first of the site's
    // languages), then their translations, which inherit from them.
    let order = |code: &str| config.languages.iter().position(|l| l.code == code).unwrap_or(usize::MAX);
    let mut first_of: HashMap<(Kind, &str), &SourceFile> = HashMap::new();
    for file in &sources {
        let key = (file.kind, file.group.as_str());
        match first_of.get(&key) {
            Some(other) if other.lang == file.lang => problems.push(Diagnostic::at(
                &file.rel_path,
                Position::new(1, 1),
                format!(
                    "`{}` is already the `{}` text of this {}, expected one file per language",
                    other.rel_path,
                    file.lang,
                    kind_name(file.kind)
                ),
            )),
            Some(other) if order(&other.lang) <= order(&file.lang) => {}
            _ => {
                first_of.insert(key, file);
            }
        }
    }
    let is_original = |file: &SourceFile| {
        first_of.get(&(file.kind, file.group.as_str())).is_some_and(|first| std::ptr::eq(*first, file))
    };
    let is_duplicate = |file: &SourceFile| {
        first_of
            .get(&(file.kind, file.group.as_str()))
            .is_some_and(|first| !std::ptr::eq(*first, file) && first.lang == file.lang)
    };
    let originals: Vec<Result<Parsed, Vec<Diagnostic>>> =
        sources.par_iter().filter(|f| is_original(f)).map(|file| parse_file(file, &config, None)).collect();
    let parsed_originals: HashMap<(Kind, &str), &Parsed> =
        originals.iter().filter_map(|r| r.as_ref().ok()).map(|p| ((p.kind(), p.group()), p)).collect();
    let translations: Vec<Result<Parsed, Vec<Diagnostic>>> = sources
        .par_iter()
        .filter(|f| !is_original(f) && !is_duplicate(f))
        .filter_map(|file| {
            // Without its original (which did not parse), a translation has nothing to inherit.
            let original = parsed_originals.get(&(file.kind, file.group.as_str()))?;
            Some(parse_file(file, &config, Some(original)))
        })
        .collect();
    drop(parsed_originals);

    let (mut articles, mut institutions, mut countries, mut pages) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut texts = Vec::new();
    for result in originals.into_iter().chain(translations) {
        match result {
            Ok(Parsed::Article(a)) => articles.push(*a),
            Ok(Parsed::Institution(i)) => institutions.push(*i),
            Ok(Parsed::Country(c)) => countries.push(*c),
            Ok(Parsed::Page(p)) => pages.push(*p),
            Ok(text) => texts.push(text),
            Err(list) => problems.extend(list),
        }
    }
    let institution_at: HashMap<String, usize> =
        institutions.iter().enumerate().map(|(k, i)| (i.group.clone(), k)).collect();
    let country_at: HashMap<String, usize> = countries.iter().enumerate().map(|(k, c)| (c.group.clone(), k)).collect();
    for text in texts {
        match text {
            Parsed::InstitutionText(group, lang, text) => {
                if let Some(&k) = institution_at.get(&group) {
                    institutions[k].translations.insert(lang, *text);
                }
            }
            Parsed::CountryText(group, lang, text) => {
                if let Some(&k) = country_at.get(&group) {
                    countries[k].translations.insert(lang, *text);
                }
            }
            _ => {}
        }
    }
    if !options.drafts {
        // A translation is published with its original: the translations
        // of a draft wait for it (they inherit what a draft has not settled).
        let held: std::collections::HashSet<String> = articles
            .iter()
            .filter(|a| a.draft && !a.translation)
            .map(|a| a.group.clone())
            .chain(pages.iter().filter(|p| p.draft && !p.translation).map(|p| p.group.clone()))
            .collect();
        articles.retain(|a| !a.draft && !held.contains(&a.group));
        pages.retain(|p| !p.draft && !held.contains(&p.group));
    }

    let countries = resolve_countries(countries, &mut institutions, &mut problems);
    institutions.sort_by(|a, b| match_key(&a.name).cmp(&match_key(&b.name)).then_with(|| a.rel_path.cmp(&b.rel_path)));
    resolve_articles(&mut articles, &institutions, &countries, &mut problems);
    inherit_references(&mut articles, &mut problems);
    sort_articles(&mut articles);
    pages.sort_by(|a, b| a.slug.cmp(&b.slug).then_with(|| a.rel_path.cmp(&b.rel_path)));

    // A bundle's files follow its article (whose slug may differ from the
    // folder's name), beside its page in each language it is written in, so
    // that the relative links of every translation's text find them.
    let routes = crate::plan::route::Routes::new(&config.language);
    let mut bundle_pages: HashMap<&str, Vec<String>> = HashMap::new();
    for a in articles.iter().filter(|a| a.bundle) {
        if let Some(dir) = a.group.strip_suffix("/index.md") {
            bundle_pages.entry(dir).or_default().push(routes.article(&a.lang, &a.slug));
        }
    }
    // The innermost bundle folder holding the asset wins (a bundle may sit inside another).
    let bundle_of = |rel_path: &str| {
        bundles.iter().filter(|dir| rel_path.starts_with(&format!("{dir}/"))).max_by_key(|dir| dir.len())
    };
    let mut placed = Vec::with_capacity(assets.len());
    for asset in assets {
        match bundle_of(&asset.rel_path) {
            // Not in a bundle, or in a bundle that is a draft left out of this build.
            None => placed.push(asset),
            Some(dir) => {
                for page in bundle_pages.get(dir.as_str()).into_iter().flatten() {
                    let site_path = format!("{page}{}", &asset.rel_path[dir.len() + 1..]);
                    placed.push(Asset { site_path, ..asset.clone() });
                }
            }
        }
    }
    let assets = placed;

    let mut site = Site {
        config,
        root: root.clone(),
        articles,
        institutions,
        countries,
        pages,
        assets,
        images: crate::image::ImageSet::default(),
    };
    site.images = crate::image::process_site(&site, &mut problems);
    (site, problems)
}

impl Parsed {
    fn kind(&self) -> Kind {
        match self {
            Parsed::Article(_) => Kind::Article,
            Parsed::Institution(_) | Parsed::InstitutionText(..) => Kind::Institution,
            Parsed::Country(_) | Parsed::CountryText(..) => Kind::Country,
            Parsed::Page(_) => Kind::Page,
        }
    }

    /// The group of an original (what its translations share).
    fn group(&self) -> &str {
        match self {
            Parsed::Article(a) => &a.group,
            Parsed::Page(p) => &p.group,
            Parsed::Institution(i) => &i.group,
            Parsed::Country(c) => &c.group,
            Parsed::InstitutionText(g, ..) | Parsed::CountryText(g, ..) => g,
        }
    }
}

/// What an editor calls a kind of source, for messages.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Article => "article",
        Kind::Institution => "institution profile",
        Kind::Country => "country profile",
        Kind::Page => "page",
    }
}

/// Reads and parses one source file: an original, or a translation of `original`.
fn parse_file(file: &SourceFile, config: &Config, original: Option<&Parsed>) -> Result<Parsed, Vec<Diagnostic>> {
    let (group, lang) = (file.group.clone(), file.lang.clone());
    match (file.kind, original) {
        (Kind::Article, Some(Parsed::Article(o))) => {
            parse_with(file, config, |src| Article::parse(src, Some(o))).map(|a| Parsed::Article(Box::new(a)))
        }
        (Kind::Page, Some(Parsed::Page(o))) => {
            parse_with(file, config, |src| Page::parse(src, Some(o))).map(|p| Parsed::Page(Box::new(p)))
        }
        (Kind::Institution, Some(Parsed::Institution(o))) => parse_with(file, config, |src| o.parse_translation(src))
            .map(|t| Parsed::InstitutionText(group, lang, Box::new(t))),
        (Kind::Country, Some(Parsed::Country(o))) => parse_with(file, config, |src| o.parse_translation(src))
            .map(|t| Parsed::CountryText(group, lang, Box::new(t))),
        (Kind::Article, _) => {
            parse_with(file, config, |src| Article::parse(src, None)).map(|a| Parsed::Article(Box::new(a)))
        }
        (Kind::Institution, _) => {
            parse_with(file, config, Institution::parse).map(|i| Parsed::Institution(Box::new(i)))
        }
        (Kind::Country, _) => parse_with(file, config, Country::parse).map(|c| Parsed::Country(Box::new(c))),
        (Kind::Page, _) => parse_with(file, config, |src| Page::parse(src, None)).map(|p| Parsed::Page(Box::new(p))),
    }
}

/// Reads a source file and hands its text to `parse`.
fn parse_with<T>(
    file: &SourceFile,
    config: &Config,
    parse: impl FnOnce(&SourceText<'_>) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    let text = crate::fs::read_text(&file.path, &file.rel_path).map_err(|d| vec![d])?;
    parse(&SourceText {
        text: &text,
        rel_path: &file.rel_path,
        file_slug: &file.file_slug,
        lang: &file.lang,
        group: &file.group,
        tz: &config.time_zone,
    })
}

/// The kind of content source a file is, by where it lies (`rel_path` from
/// the site root, `content/articles/x.md`), whatever its extension: `None`
/// for a file outside the content sections.
pub(crate) fn kind_of(rel_path: &str) -> Option<Kind> {
    let in_content = rel_path.strip_prefix("content/")?;
    let depth = in_content.matches('/').count() + 1;
    match in_content.split('/').next().unwrap_or_default() {
        "articles" => Some(Kind::Article),
        "institutions" if depth == 2 => Some(Kind::Institution),
        "countries" if depth == 2 => Some(Kind::Country),
        "pages" if depth == 2 => Some(Kind::Page),
        _ => None,
    }
}

/// Reads the source at `rel_path` (`content/articles/x.md`) again, exactly
/// as a full load reads it, for rebuilds that re-read only edited files:
/// under the same rules (a link out of the site or a file that is not a
/// regular file is refused with the walk's own error). `None` when it is not
/// a Markdown source of a content section. Its references (an article's
/// institutions, a profile's country) are not resolved.
pub(crate) fn read_source(
    root: &Path,
    rel_path: &str,
    config: &Config,
    original: Option<&Parsed>,
) -> Option<Result<Parsed, Vec<Diagnostic>>> {
    if !rel_path.ends_with(".md") {
        return None;
    }
    let kind = kind_of(rel_path)?;
    let path = root.join(rel_path);
    if let Err(d) = crate::fs::check_inside(&crate::fs::canonical_root(root), &path, rel_path) {
        return Some(Err(vec![d]));
    }
    if let Ok(meta) = std::fs::metadata(&path)
        && let Some(special) = crate::fs::special_kind(meta.file_type())
    {
        return Some(Err(vec![Diagnostic::new(rel_path, crate::fs::special_file_message(special))]));
    }
    let (lang, group) = match language_of(rel_path, config) {
        Ok(found) => found,
        Err(d) => return Some(Err(vec![d])),
    };
    let file_slug = slug_of_source(&group);
    let file = SourceFile { kind, file_slug, path, rel_path: rel_path.to_string(), lang, group };
    Some(parse_file(&file, config, original))
}

/// The slug the file name of a content source gives (`content/articles/x.md`
/// or `content/articles/x/index.md` -> `x`), as the walk gives it.
pub(crate) fn slug_of_source(rel_path: &str) -> String {
    // In the walk, depth counts from content/: `content/articles/x/index.md` is 3 deep.
    let bundle_deep = rel_path.starts_with("content/articles/") && rel_path.matches('/').count() >= 3;
    file_slug(Path::new(rel_path), bundle_deep)
}

/// The slug a file's name gives: its stem, or for a bundle's `index.md`
/// (`may_be_bundle`: an article at least one folder down) its folder's name.
fn file_slug(path: &Path, may_be_bundle: bool) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let stem = if may_be_bundle && name == "index.md" {
        path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    } else {
        path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    };
    crate::content::slug::slugify_or(&stem, "untitled")
}

/// Sorts articles newest first: by moment in the site's time zone, then title, then path.
pub(crate) fn sort_articles(articles: &mut [Article]) {
    // The moment of each date was worked out once, when the article was read.
    articles.sort_by(|a, b| {
        b.date_key.cmp(&a.date_key).then_with(|| a.title.cmp(&b.title)).then_with(|| a.rel_path.cmp(&b.rel_path))
    });
}

/// Walks content/ in sorted order: the Markdown sources, the static files, and the bundle folders.
fn walk(root: &Path, config: &Config, problems: &mut Vec<Diagnostic>) -> (Vec<SourceFile>, Vec<Asset>, Vec<String>) {
    let content = root.join("content");
    let mut sources = Vec::new();
    let mut assets = Vec::new();
    let mut bundles = Vec::new();
    if !content.is_dir() {
        return (sources, assets, bundles);
    }
    let canonical_root = crate::fs::canonical_root(root);
    let mut walker = walkdir::WalkDir::new(&content).follow_links(true).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let shown = err.path().map_or_else(|| "content".to_string(), |p| display_path(root, p));
                problems.push(Diagnostic::new(shown, format!("cannot read this part of the content folder: {err}")));
                continue;
            }
        };
        let path = entry.path();
        let rel_path = display_path(root, path);
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && is_ignored(&name) {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink()
            && let Err(outside) = crate::fs::check_inside(&canonical_root, path, &rel_path)
        {
            problems.push(outside);
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if let Some(kind) = crate::fs::special_kind(entry.file_type()) {
            // Never opened: reading a named pipe would wait for a writer forever.
            problems.push(Diagnostic::new(rel_path, crate::fs::special_file_message(kind)));
            continue;
        }
        if entry.file_type().is_dir() {
            if entry.depth() >= 2 && rel_path.starts_with("content/articles/") && has_index(path, config) {
                bundles.push(rel_path);
            }
            continue;
        }
        let in_content = rel_path.strip_prefix("content/").unwrap_or(&rel_path).to_string();
        let is_markdown = path.extension().is_some_and(|e| e == "md");
        let kind = kind_of(&rel_path);
        match (is_markdown, kind) {
            (true, Some(kind)) => match language_of(&rel_path, config) {
                Ok((lang, group)) => {
                    let file_slug = slug_of_source(&group);
                    sources.push(SourceFile { kind, path: path.to_path_buf(), rel_path, file_slug, lang, group });
                }
                Err(d) => problems.push(d),
            },
            (true, None) => problems.push(Diagnostic::new(
                rel_path,
                "a Markdown file outside the content sections, expected it in content/articles/, content/institutions/, content/countries/ or content/pages/",
            )),
            (false, _) => assets.push(Asset { site_path: in_content, source_path: path.to_path_buf(), rel_path }),
        }
    }
    (sources, assets, bundles)
}

/// Whether a folder holds a bundle's `index.md`, in any of the site's languages.
fn has_index(dir: &Path, config: &Config) -> bool {
    dir.join("index.md").is_file()
        || config.languages.iter().any(|l| dir.join(format!("index.{}.md", l.code)).is_file())
}

/// `check`'s summary line after `notes` (information, such as what is not
/// translated yet) and the warnings: `more` and those of the sources.
pub fn with_report(site: &Site, summary: String, more: Vec<Diagnostic>, notes: &[String]) -> String {
    let mut warnings = bidi_warnings(site);
    warnings.extend(more);
    let mut report: String = notes.iter().map(|n| format!("note: {n}\n")).collect();
    if warnings.is_empty() {
        return report + &summary;
    }
    report.extend(warnings.iter().map(|w| format!("warning: {w}\n")));
    let n = warnings.len();
    report.push_str(&format!("{summary} ({n} warning{})", if n == 1 { "" } else { "s" }));
    report
}

/// Warnings (they do not fail `check`) for the bidirectional control
/// characters in the front matter of every loaded source (titles,
/// summaries, names...) and in site.toml, each at its file, line and column.
pub fn bidi_warnings(site: &Site) -> Vec<Diagnostic> {
    let sources = site.articles.iter().map(|a| a.rel_path.as_str());
    let sources = sources
        .chain(site.institutions.iter().map(|i| i.rel_path.as_str()))
        .chain(site.countries.iter().filter_map(|c| c.rel_path.as_deref()))
        .chain(site.pages.iter().map(|p| p.rel_path.as_str()));
    let mut warnings = Vec::new();
    for rel_path in std::iter::once("site.toml").chain(sources) {
        let Ok(text) = crate::fs::read_text(&site.root.join(rel_path), rel_path) else { continue };
        let block = if rel_path == "site.toml" {
            text.as_str()
        } else {
            match super::front_matter::split(&text, rel_path) {
                Ok(split) => split.yaml,
                Err(_) => continue,
            }
        };
        let start = block.as_ptr() as usize - text.as_ptr() as usize;
        for (offset, c) in super::front_matter::bidi_controls(block) {
            let Position { line, column } = crate::error::line_col(&text, start + offset);
            warnings.push(Diagnostic::at(rel_path, Position::new(line, column), format!(
                    "the invisible bidirectional control U+{:04X} makes the text around it show in another order than it is written, expected none (right-to-left text needs no control characters)",
                    u32::from(c)
                )));
        }
    }
    warnings
}

/// Hidden files and folders, and editor backups (`x.md~`, `#x.md#`), which
/// would otherwise be copied to the site as static files, drafts included.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

/// Builds the list of countries (profiles plus those only named by
/// institutions), sorted by name, and points each institution at its country.
fn resolve_countries(
    profiles: Vec<Country>,
    institutions: &mut [Institution],
    problems: &mut Vec<Diagnostic>,
) -> Vec<Country> {
    let mut by_key: BTreeMap<String, Country> = BTreeMap::new();
    for country in profiles {
        let key = match_key(&country.name);
        if let Some(first) = by_key.get(&key) {
            problems.push(Diagnostic::new(
                country.rel_path.clone().unwrap_or_default(),
                format!(
                    "the country `{}` already has a profile in `{}`, expected one profile per country",
                    country.name,
                    first.rel_path.as_deref().unwrap_or_default()
                ),
            ));
            continue;
        }
        by_key.insert(key, country);
    }
    for institution in institutions.iter() {
        let key = match_key(&institution.country_name.name);
        by_key.entry(key).or_insert_with(|| Country::derived(&institution.country_name.name));
    }
    let countries: Vec<Country> = by_key.into_values().collect();
    let index: HashMap<String, CountryId> =
        countries.iter().enumerate().map(|(i, c)| (match_key(&c.name), CountryId(i))).collect();
    for institution in institutions.iter_mut() {
        institution.country = index[&match_key(&institution.country_name.name)];
    }
    check_country_slugs(&countries, institutions, problems);
    countries
}

/// Two countries with different names but one slug would share a URL. The
/// usual cause is a profile whose `name` differs from what the institutions
/// write (`People's Republic of China` in content/countries/china.md, `China`
/// in the institution profiles), so the error names the files that wrote
/// each name.
fn check_country_slugs(countries: &[Country], institutions: &[Institution], problems: &mut Vec<Diagnostic>) {
    // Where a country's name is written: its profile, else the first institution naming it.
    let source = |id: CountryId| -> (String, Option<Position>) {
        match &countries[id].rel_path {
            Some(path) => (path.clone(), None),
            None => institutions
                .iter()
                .find(|i| i.country == id)
                .map(|i| (i.rel_path.clone(), i.country_name.pos))
                .unwrap_or_default(),
        }
    };
    let mut by_slug: BTreeMap<&str, CountryId> = BTreeMap::new();
    for (id, country) in countries.iter().enumerate() {
        let id = CountryId(id);
        let Some(&first) = by_slug.get(country.slug.as_str()) else {
            by_slug.insert(&country.slug, id);
            continue;
        };
        let (first_path, _) = source(first);
        let (path, pos) = source(id);
        problems.push(
            Diagnostic::new(
                &path,
                format!(
                    "the country `{}` named here and the country `{}` named in `{first_path}` would both get the URL `/countries/{}/`, expected one name for one country",
                    country.name, countries[first].name, country.slug
                ),
            )
            .with_pos(pos),
        );
    }
}

/// How an editor names an institution: by its name, an alias or its slug,
/// without regard to case, accents or repeated spaces. Shared by the build
/// and `stele new`, so both accept and suggest the same names.
pub struct InstitutionNames<'a> {
    institutions: &'a [Institution],
    lookup: HashMap<String, InstitutionId>,
}

impl<'a> InstitutionNames<'a> {
    /// Indexes every name; a name that two institutions claim stays with the
    /// first and is reported in `problems` at the second.
    pub fn new(institutions: &'a [Institution], problems: &mut Vec<Diagnostic>) -> Self {
        let mut lookup: HashMap<String, InstitutionId> = HashMap::new();
        for (id, inst) in institutions.iter().enumerate() {
            let id = InstitutionId(id);
            let written = inst.written_names.iter().map(|n| (n.name.as_str(), n.pos));
            for (name, pos) in written.chain(std::iter::once((inst.slug.as_str(), None))) {
                let key = match_key(name);
                if let Some(&other) = lookup.get(&key)
                    && other != id
                {
                    problems.push(
                        Diagnostic::new(
                            &inst.rel_path,
                            format!(
                                "`{name}` also names `{}` (`{}`), expected every name and alias to name one institution",
                                institutions[other].name, institutions[other].rel_path
                            ),
                        )
                        .with_pos(pos),
                    );
                    continue;
                }
                lookup.insert(key, id);
            }
        }
        InstitutionNames { institutions, lookup }
    }

    /// The institution `written` names.
    pub fn find(&self, written: &str) -> Option<InstitutionId> {
        self.lookup.get(&match_key(written)).copied()
    }

    /// The institution whose name in another language `written` is.
    pub fn native_owner(&self, written: &str) -> Option<&'a Institution> {
        let key = match_key(written);
        self.institutions.iter().find(|i| i.names.values().any(|n| match_key(n) == key))
    }

    /// What is wrong with a name that names no institution, with the closest one.
    pub fn unknown(&self, written: &str) -> String {
        let known = self
            .institutions
            .iter()
            .flat_map(|i| std::iter::once(i.name.as_str()).chain(i.aliases.iter().map(String::as_str)));
        let hint = match (self.native_owner(written), closest(written, known)) {
            (Some(inst), _) => format!(
                "did you mean `{}`? (`{written}` is its name in another language; add it to the profile's `aliases` to name it so)",
                inst.name
            ),
            (None, Some(known)) => format!("did you mean `{known}`?"),
            (None, None) => "expected the name, an alias or the slug of a profile in content/institutions/".to_string(),
        };
        format!("unknown institution `{written}`, {hint}")
    }

    /// What is wrong with naming institution `id` a second time as `written`.
    pub fn repeated(&self, written: &str, id: InstitutionId) -> String {
        let canonical = &self.institutions[id].name;
        if written == canonical {
            format!("`{written}` is named a second time, expected each institution once")
        } else {
            format!("`{written}` names `{canonical}` a second time, expected each institution once")
        }
    }
}

/// Gives each translation its original's institutions and countries when
/// it names none, and refuses one that names others: a story is about the
/// same institutions in every language.
fn inherit_references(articles: &mut [Article], problems: &mut Vec<Diagnostic>) {
    let originals: HashMap<String, (Vec<InstitutionId>, Vec<CountryId>, String)> = articles
        .iter()
        .filter(|a| !a.translation)
        .map(|a| (a.group.clone(), (a.institutions.clone(), a.countries.clone(), a.rel_path.clone())))
        .collect();
    for a in articles.iter_mut().filter(|a| a.translation) {
        if let Some((institutions, countries, original)) = originals.get(&a.group) {
            inherit_from(a, (institutions, countries, original), problems);
        }
    }
}

/// [`inherit_references`] for one translation, given its original's
/// (institutions, countries, path).
pub(crate) fn inherit_from(
    a: &mut Article,
    (institutions, countries, original): (&[InstitutionId], &[CountryId], &str),
    problems: &mut Vec<Diagnostic>,
) {
    let sorted = |ids: &[InstitutionId]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids
    };
    if a.named_institutions.is_empty() {
        a.institutions = institutions.to_vec();
    } else if sorted(&a.institutions) != sorted(institutions) {
        let pos = a.named_institutions.first().and_then(|n| n.pos);
        problems.push(
            Diagnostic::new(
                &a.rel_path,
                format!(
                    "these institutions are not those of the original `{original}`: a translation inherits `institutions`, expected the same institutions or no `institutions`"
                ),
            )
            .with_pos(pos),
        );
    }
    if a.named_countries.is_empty() {
        a.countries = countries.to_vec();
    } else if a.countries != countries {
        let pos = a.named_countries.first().and_then(|n| n.pos);
        problems.push(
            Diagnostic::new(
                &a.rel_path,
                format!(
                    "these countries are not those of the original `{original}`: a translation inherits `countries`, expected the same countries or no `countries`"
                ),
            )
            .with_pos(pos),
        );
    }
}

/// Resolves every article's institutions and countries.
pub(crate) fn resolve_articles(
    articles: &mut [Article],
    institutions: &[Institution],
    countries: &[Country],
    problems: &mut Vec<Diagnostic>,
) {
    let names = InstitutionNames::new(institutions, problems);
    let country_lookup: HashMap<String, CountryId> =
        countries.iter().enumerate().map(|(i, c)| (match_key(&c.name), CountryId(i))).collect();

    for article in articles.iter_mut() {
        let mut ids = Vec::new();
        for named in &article.named_institutions {
            let problem = match names.find(&named.name) {
                None => names.unknown(&named.name),
                Some(id) if ids.contains(&id) => names.repeated(&named.name, id),
                Some(id) => {
                    ids.push(id);
                    continue;
                }
            };
            problems.push(Diagnostic::new(&article.rel_path, problem).with_pos(named.pos));
        }
        let mut country_ids: Vec<CountryId> = ids.iter().map(|&i| institutions[i].country).collect();
        for named in &article.named_countries {
            match country_lookup.get(&match_key(&named.name)) {
                Some(&id) => country_ids.push(id),
                None => {
                    let hint = match closest(&named.name, countries.iter().map(|c| c.name.as_str())) {
                        Some(known) => format!("did you mean `{known}`?"),
                        None => "expected the country of one of the site's institutions or one with a profile in content/countries/".to_string(),
                    };
                    problems.push(
                        Diagnostic::new(&article.rel_path, format!("unknown country `{}`, {hint}", named.name))
                            .with_pos(named.pos),
                    );
                }
            }
        }
        country_ids.sort_unstable();
        country_ids.dedup();
        article.institutions = ids;
        article.countries = country_ids;
    }
}
