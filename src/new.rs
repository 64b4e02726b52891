//! `stele new`: scaffolds an article or an institution profile; `stele init`:
//! a whole new site.
//!
//! A scaffold is a file the build accepts as it is. Text from the command
//! line goes into the front matter as YAML double-quoted scalars (the JSON
//! form of the string, plus escapes for the few characters YAML reads
//! differently), so any title reads back exactly; the file is parsed back
//! before it is written to prove it. Institutions are resolved the way the
//! build resolves them (name, alias or slug; case, accents and spaces do not
//! count) and written by their canonical name. A new file never replaces an
//! existing one, and never takes a URL that another file already has.
//!
//! Errors here are usage errors (exit code 2): the site is not at fault.
//! A new article is not a draft: it shows in `stele serve` at once, and its
//! placeholder text says what to write.
//!
//! `init` writes a site that builds as it is: site.toml, one article, one
//! institution profile, an about page, and a copy of the built-in `heritage`
//! theme. The theme is embedded in the binary (include_dir) and *copied* into
//! the new site rather than used from inside the binary: a site then holds
//! everything it is built from, its owner can change the templates and the
//! stylesheet in place, and a newer stele never changes an existing site's
//! look behind its back. The example content is plainly illustrative (an
//! "Example Museum" in "Exampleland"): init must never state facts about
//! real institutions. It refuses a folder that is not empty.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::build::read_config;
use crate::config::Config;
use crate::content::load::InstitutionNames;
use crate::content::slug::{slugify, slugify_or};
use crate::content::{Article, Country, Institution, SourceText, front_matter, match_key};
use crate::error::{Diagnostic, Error, display_path};

/// The `heritage` theme as this binary was built with it. Cargo recompiles
/// this when a theme file changes; a file *added* to the theme is picked up
/// at the next compile of the library (`touch src/scaffold.rs` forces one).
static HERITAGE: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/heritage");

/// The files of a new site, besides the theme: (path, text).
fn starter_files(today: jiff::civil::Date) -> Vec<(&'static str, String)> {
    vec![
        ("site.toml", STARTER_SITE_TOML.to_string()),
        ("content/institutions/example-museum.md", STARTER_INSTITUTION.to_string()),
        ("content/articles/welcome.md", STARTER_ARTICLE.replace("DATE", &today.to_string())),
        ("content/pages/about.md", STARTER_ABOUT.to_string()),
        (".gitignore", "/public/\n".to_string()),
    ]
}

const STARTER_SITE_TOML: &str = "\
# The site's settings; see the README of stele for every key.
title = \"My Heritage News\"
description = \"News of museums, academies and universities working together\"
# The address the site will be published at (it may have a sub-path such as
# https://example.org/heritage/); `stele serve` uses its own local address.
base_url = \"https://example.org/\"
language = \"en\"
time_zone = \"UTC\"
theme = \"heritage\"
paginate = 10
feed_limit = 20
";

const STARTER_INSTITUTION: &str = "\
---
name: Example Museum
country: Exampleland
city: Example City
---
An example profile: replace it with a real institution, or delete this file
once articles name other institutions. Articles name an institution by its
`name`, one of its `aliases` or its file name (`example-museum`).
";

const STARTER_ARTICLE: &str = "\
---
title: Welcome to your new site
date: DATE
institutions:
  - Example Museum
summary: This example article shows how an article is written; replace it with your first news.
topics: [example]
---
This is an example article. Articles live in `content/articles/`, one Markdown
file each; the file name is the address (`welcome.md` becomes
`/articles/welcome/`). The lines between the `---` at the top are its front
matter: a title, a date and the institutions it is about are required.

## Next steps

Run `stele serve` and open the address it prints: the page reloads on every
save. Create an article with `stele new article \"Title\" --institution NAME`
and an institution with `stele new institution \"Name\" --country COUNTRY`.
When the site is ready, `stele build` writes it into `public/`.
";

const STARTER_ABOUT: &str = "\
---
title: About this site
---
Say here who publishes this site and what it covers. Pages live in
`content/pages/` and are published at `/<file name>/`.
";

/// Creates a new site in `dir` (made if missing), refusing one that is not
/// empty; returns the files written, relative to `dir`.
pub fn init(dir: &Path) -> Result<Vec<String>, Error> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Env(format!(
                    "`{}` is not empty, expected a new or empty folder for the new site (or give another: `stele init my-site`)",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create folder", &e))?;
        }
        Err(e) => return Err(Error::io(dir, "read folder", &e)),
    }
    let mut written = Vec::new();
    let today = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::UTC).date();
    for (rel_path, text) in starter_files(today) {
        write_new(dir, rel_path, &text)?;
        written.push(rel_path.to_string());
    }
    let mut theme_files = Vec::new();
    collect_files(&HERITAGE, &mut theme_files);
    for file in theme_files {
        let rel_path = format!("themes/heritage/{}", file.path().to_string_lossy().replace('\\', "/"));
        let path = dir.join(&rel_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", &e))?;
        }
        std::fs::write(&path, file.contents()).map_err(|e| Error::io(&path, "write", &e))?;
        written.push(rel_path);
    }
    written.sort();
    Ok(written)
}

/// Every file under `dir`, at any depth.
fn collect_files<'a>(dir: &'a include_dir::Dir<'a>, into: &mut Vec<&'a include_dir::File<'a>>) {
    into.extend(dir.files());
    for sub in dir.dirs() {
        collect_files(sub, into);
    }
}

/// Writes `content/articles/<slug>.md` (`<slug>.<lang>.md` in another
/// language than the site's default) and returns its path.
pub fn new_article(
    root: &Path,
    title: &str,
    institutions: &[String],
    date: Option<&str>,
    lang: Option<&str>,
) -> Result<PathBuf, Error> {
    let config = read_config(root)?;
    let lang = language(&config, lang)?;
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::Env("the title is empty, expected the article's title in quotes".into()));
    }
    let slug = slug_of(title, "title")?;
    let date = match date {
        Some(text) => parse_date(text)?,
        None => jiff::Zoned::now().with_time_zone(config.time_zone.clone()).date().to_string(),
    };
    let profiles = Profiles::read(root, &config);
    let names = profiles.resolve(institutions)?;
    let rel_path = match lang == config.language {
        true => format!("content/articles/{slug}.md"),
        false => format!("content/articles/{slug}.{lang}.md"),
    };
    refuse_taken_slug(root, &config, &slug, &rel_path)?;

    let mut text = format!("---\ntitle: {}\ndate: {date}\ninstitutions:\n", yaml_string(title));
    for name in &names {
        text.push_str(&format!("  - {}\n", yaml_string(name)));
    }
    text.push_str(ARTICLE_HINTS);
    text.push_str("---\n");
    text.push_str(ARTICLE_BODY);

    let mut src = source(&text, &rel_path, &slug, &config);
    src.lang = &lang;
    let reads_back = match Article::parse(&src, None) {
        Ok(a) => {
            // Titles are shown with typographic punctuation, as bodies are.
            a.title == crate::content::text::smart(title)
                && a.named_institutions.iter().map(|n| n.name.as_str()).eq(names.iter().map(String::as_str))
        }
        Err(problems) => return Err(refused("title", title, &problems)),
    };
    if !reads_back {
        return Err(Error::Env(format!("cannot write the title `{title}` so that it reads back unchanged")));
    }
    write_new(root, &rel_path, &text)
}

/// The language code `--lang` gives (the default's without it), refused
/// when site.toml does not declare it.
fn language(config: &Config, lang: Option<&str>) -> Result<String, Error> {
    let Some(code) = lang else { return Ok(config.language.clone()) };
    if config.lang(code).is_some() {
        return Ok(code.to_string());
    }
    let known: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    Err(Error::Env(format!(
        "--lang `{code}` is not a language of this site, expected one of {} (or declare `[languages.{code}]` in site.toml)",
        crate::config::quoted_list(&known)
    )))
}

/// Writes the translation into `lang` of the article whose slug is `of`
/// (`content/articles/x.fr.md` beside `x.md`): its title and a body to
/// write; everything else it inherits. Returns its path.
pub fn new_translation(root: &Path, title: &str, lang: &str, of: &str) -> Result<PathBuf, Error> {
    let config = read_config(root)?;
    let lang = language(&config, Some(lang))?;
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::Env("the title is empty, expected the translated title in quotes".into()));
    }
    // The original: the article of that slug in the site's first language it is written in.
    let order = |code: &str| config.languages.iter().position(|l| l.code == code).unwrap_or(usize::MAX);
    let mut found: Option<(String, String, String, Article)> = None;
    for (path, group_stem, rel) in article_files(root, &config) {
        let Ok((file_lang, group)) = crate::content::load::language_of(&rel, &config) else { continue };
        let Ok(text) = crate::fs::read_text(&path, &rel) else { continue };
        let slug = slugify_or(&group_stem, "untitled");
        let mut src = source(&text, &rel, &slug, &config);
        src.lang = &file_lang;
        src.group = &group;
        let Ok(article) = Article::parse(&src, None) else { continue };
        if article.slug != of {
            continue;
        }
        if found.as_ref().is_none_or(|(l, ..)| order(&file_lang) < order(l)) {
            found = Some((file_lang, group, rel, article));
        }
    }
    let Some((original_lang, group, original_path, original)) = found else {
        return Err(Error::Env(format!(
            "no article has the slug `{of}`, expected the slug of an article in content/articles/ (its URL's last part)"
        )));
    };
    if original_lang == lang {
        return Err(Error::Env(format!("`{original_path}` is already in `{lang}`, expected another language")));
    }
    let rel_path = format!("{}.{lang}.md", group.strip_suffix(".md").unwrap_or(&group));
    let text = format!("---\ntitle: {}\n{TRANSLATION_HINTS}---\n{TRANSLATION_BODY}", yaml_string(title))
        .replace("ORIGINAL", &original_path);
    let mut src = source(&text, &rel_path, &original.slug, &config);
    src.lang = &lang;
    src.group = &group;
    match Article::parse(&src, Some(&original)) {
        Ok(a) if a.title == crate::content::text::smart(title) => {}
        Ok(_) => return Err(Error::Env(format!("cannot write the title `{title}` so that it reads back unchanged"))),
        Err(problems) => return Err(refused("title", title, &problems)),
    }
    write_new(root, &rel_path, &text)
}

const TRANSLATION_HINTS: &str = "\
# A translation of ORIGINAL: it inherits the date, institutions, countries,
# topics, image and slug from it; set here only what differs in this language.
# summary: One or two sentences for listings and feeds (else the first paragraph).
# topics: [the topics in this language]
";

const TRANSLATION_BODY: &str = "\
Write the translation here, in Markdown, saying what the original says: no
more, no less.
";

/// Every Markdown file of content/articles/, sorted: (path, the stem that
/// gives its slug, its path as messages show it). A bundle's `index.md` is
/// named by its folder; a language in the name (`x.fr.md`) does not count.
fn article_files(root: &Path, config: &Config) -> Vec<(PathBuf, String, String)> {
    walkdir::WalkDir::new(root.join("content/articles"))
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = display_path(root, e.path());
            let group = crate::content::load::language_of(&rel, config).map_or(rel.clone(), |(_, g)| g);
            let group_path = Path::new(&group);
            let stem = if group_path.file_name().is_some_and(|n| n == "index.md") && e.depth() >= 2 {
                group_path.parent().and_then(Path::file_name)
            } else {
                group_path.file_stem()
            };
            let stem = stem.map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            (e.path().to_path_buf(), stem, rel)
        })
        .collect()
}

/// Writes `content/institutions/<slug>.md` and returns its path.
pub fn new_institution(root: &Path, name: &str, country: &str) -> Result<PathBuf, Error> {
    let config = read_config(root)?;
    let (name, country) = (name.trim(), country.trim());
    if name.is_empty() {
        return Err(Error::Env("the name is empty, expected the institution's English name in quotes".into()));
    }
    if country.is_empty() {
        return Err(Error::Env("--country is empty, expected the country's English name such as `France`".into()));
    }
    let slug = slug_of(name, "name")?;
    let profiles = Profiles::read(root, &config);
    let names = profiles.names();
    for written in [name, slug.as_str()] {
        if let Some(i) = names.find(written) {
            let existing = &profiles.list[i];
            return Err(Error::Env(format!(
                "`{name}` already names the institution `{}` in `{}`, expected a new institution (or edit that file)",
                existing.name, existing.rel_path
            )));
        }
    }
    if let Some(existing) = names.native_owner(name) {
        return Err(Error::Env(format!(
            "`{name}` is the name in another language of the institution `{}` in `{}`, expected a new institution (add it to that profile's `aliases` to name it so)",
            existing.name, existing.rel_path
        )));
    }
    // A country already known keeps its spelling, so that no second country page appears.
    let country = known_countries(root, &config, &profiles)
        .into_iter()
        .find(|known| match_key(known) == match_key(country))
        .unwrap_or_else(|| country.to_string());
    let rel_path = format!("content/institutions/{slug}.md");
    let text = format!(
        "---\nname: {}\ncountry: {}\n{INSTITUTION_HINTS}---\n{INSTITUTION_BODY}",
        yaml_string(name),
        yaml_string(&country)
    );
    let reads_back = match Institution::parse(&source(&text, &rel_path, &slug, &config)) {
        Ok(i) => i.name == crate::content::text::smart(name) && i.country_name.name == country,
        Err(problems) => return Err(refused("name", name, &problems)),
    };
    if !reads_back {
        return Err(Error::Env(format!("cannot write the name `{name}` so that it reads back unchanged")));
    }
    write_new(root, &rel_path, &text)
}

const ARTICLE_HINTS: &str = "\
# summary: One or two sentences for listings and feeds (else the first paragraph).
# topics: [digitisation, murals]
# image: { src: photo.jpg, alt: What the photograph shows }
# countries: [France]  # countries besides those of the institutions
# draft: true          # built only with --drafts
";

const ARTICLE_BODY: &str = "\
Write the article here, in Markdown. Start with a paragraph that says what
happened, who took part and why it matters: listings and feeds show it as the
summary unless `summary` is set above. Use `##` headings for sections.
Photographs go in a folder named like this file (without `.md`) beside it, and
are linked by their file name: `![What it shows](photo.jpg)`.
";

const INSTITUTION_HINTS: &str = "\
# names:              # the institution's own names, by language code
#   zh: 敦煌研究院
#   fr: Académie de Dunhuang
# aliases: [Another name articles may use]
# city: Paris
# website: https://example.org/
# founded: 1944
";

const INSTITUTION_BODY: &str = "\
Describe the institution here, in Markdown: what it is, what it looks after,
and how it takes part in the cooperation. This text is shown on its page.
";

/// Reads `site.toml` the way `build` does.
/// The slug a title or name gives, refused when nothing is left of it.
fn slug_of(text: &str, what: &str) -> Result<String, Error> {
    let slug = slugify(text);
    if slug.is_empty() {
        return Err(Error::Env(format!(
            "cannot make a file name from the {what} `{text}`, expected some letters or digits in it"
        )));
    }
    Ok(slug)
}

/// A `--date`: a real day (YYYY-MM-DD), or a month (YYYY-MM) or a year
/// (YYYY) when that is all the source gives, checked as front matter is.
fn parse_date(text: &str) -> Result<String, Error> {
    let expected =
        "expected a date like 2024-03-12, or 2024-03 or 2024 when the source gives only the month or the year";
    let bytes = text.as_bytes();
    let shaped = matches!(bytes.len(), 4 | 7 | 10)
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(Error::Env(format!("--date `{text}` is not a date, {expected}")));
    }
    match crate::content::date::PubDate::parse(text, &jiff::tz::TimeZone::UTC) {
        Ok(date) => Ok(date.iso()),
        Err(_) => Err(Error::Env(format!("--date `{text}` is not a valid date, {expected}"))),
    }
}

/// `text` as a YAML double-quoted scalar that reads back exactly.
///
/// A JSON string is a YAML double-quoted scalar; on top of JSON's escapes,
/// YAML needs the characters it does not allow raw (DEL, C1 controls, BOM,
/// noncharacters) and those it reads as line breaks (NEL, LS, PS) escaped.
fn yaml_string(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_default();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

fn source<'a>(text: &'a str, rel_path: &'a str, slug: &'a str, config: &'a Config) -> SourceText<'a> {
    SourceText { text, rel_path, file_slug: slug, lang: &config.language, group: rel_path, tz: &config.time_zone }
}

/// Creates `root/rel_path` with `text`; never replaces an existing file.
fn write_new(root: &Path, rel_path: &str, text: &str) -> Result<PathBuf, Error> {
    let path = root.join(rel_path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", &e))?;
    }
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::Env(format!(
                "`{rel_path}` already exists, expected a new file (edit that one instead)"
            )));
        }
        Err(e) => return Err(Error::io(&path, "create", &e)),
    };
    file.write_all(text.as_bytes()).map_err(|e| Error::io(&path, "write", &e))?;
    Ok(path)
}

/// The institution profiles that parse, for resolving names.
struct Profiles {
    list: Vec<Institution>,
    /// Profiles that do not parse: shown when a name cannot be resolved.
    problems: Vec<Diagnostic>,
}

impl Profiles {
    fn read(root: &Path, config: &Config) -> Self {
        let mut list = Vec::new();
        let mut problems = Vec::new();
        for (path, rel_path) in markdown_files(root, "content/institutions") {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let file_slug = slugify_or(&stem, "untitled");
            let parsed = crate::fs::read_text(&path, &rel_path)
                .map_err(|d| vec![d])
                .and_then(|text| Institution::parse(&source(&text, &rel_path, &file_slug, config)));
            match parsed {
                Ok(institution) => list.push(institution),
                Err(list) => problems.extend(list),
            }
        }
        Profiles { list, problems }
    }

    /// The names the build accepts (a name two profiles claim is the build's to report).
    fn names(&self) -> InstitutionNames<'_> {
        InstitutionNames::new(&self.list, &mut Vec::new())
    }

    /// The canonical names of `wanted`, or every unknown or repeated one
    /// with the build's own message.
    fn resolve(&self, wanted: &[String]) -> Result<Vec<String>, Error> {
        let names = self.names();
        let mut ids = Vec::new();
        let mut problems = Vec::new();
        for name in wanted {
            match names.find(name) {
                Some(id) if ids.contains(&id) => problems.push(format!("--institution {}", names.repeated(name, id))),
                Some(id) => ids.push(id),
                None if self.list.is_empty() => problems.push(format!(
                    "unknown institution `{name}`, expected the name, an alias or the slug of a profile in content/institutions/, and there is none yet (create one with `stele new institution NAME --country COUNTRY`)"
                )),
                None => problems.push(names.unknown(name)),
            }
        }
        if problems.is_empty() {
            return Ok(ids.into_iter().map(|id| self.list[id].name.clone()).collect());
        }
        if problems.iter().any(|p| p.starts_with("unknown")) {
            problems.extend(self.problems.iter().map(|d| format!("{d} (this profile was skipped)")));
        }
        Err(Error::Env(problems.join("\nerror: ")))
    }
}

/// The English names of the countries the site knows: from profiles and institutions.
fn known_countries(root: &Path, config: &Config, profiles: &Profiles) -> Vec<String> {
    let mut names: Vec<String> = markdown_files(root, "content/countries")
        .into_iter()
        .filter_map(|(path, rel_path)| {
            let text = crate::fs::read_text(&path, &rel_path).ok()?;
            Country::parse(&source(&text, &rel_path, "country", config)).ok().map(|c| c.name)
        })
        .collect();
    names.extend(profiles.list.iter().map(|i| i.country_name.name.clone()));
    names
}

/// The `.md` files directly in `root/dir`, sorted: (path, path as shown).
fn markdown_files(root: &Path, dir: &str) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(root.join(dir))
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| (e.path().to_path_buf(), display_path(root, e.path())))
        .collect()
}

/// Refuses a slug that an article already has (by its file name or its `slug`), drafts included.
fn refuse_taken_slug(root: &Path, config: &Config, slug: &str, rel_path: &str) -> Result<(), Error> {
    #[derive(Deserialize)]
    struct SlugOnly {
        slug: Option<String>,
    }
    let files = article_files(root, config);
    let taken = files.par_iter().find_map_first(|(path, stem, shown)| {
        let shown = shown.clone();
        if shown == rel_path {
            return None; // reported as an existing file when it is created
        }
        if slugify_or(stem, "untitled") == slug {
            return Some(shown);
        }
        let text = crate::fs::read_text(path, &shown).ok()?;
        let split = front_matter::split(&text, &shown).ok()?;
        let fm: SlugOnly = front_matter::parse(&split, &shown, &["slug"]).ok()?;
        (fm.slug.as_deref() == Some(slug)).then_some(shown)
    });
    match taken {
        Some(other) => Err(Error::Env(format!(
            "the article `{other}` already has the URL of the slug `{slug}`, expected a title that gives a new slug (or edit that file)"
        ))),
        None => Ok(()),
    }
}

/// Why a title or name cannot be written: what the build would say of it.
fn refused(what: &str, text: &str, problems: &[crate::error::Diagnostic]) -> Error {
    let why = problems.first().map_or("it does not read back", |d| d.message.as_str());
    Error::Env(format!("cannot use the {what} `{}`: {why}", text.escape_debug()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_read_back_exactly() {
        #[derive(Deserialize)]
        struct Doc {
            t: String,
        }
        let titles = [
            "plain",
            "a: colon",
            "# hash",
            "- dash",
            "* star",
            "& anchor",
            "! tag",
            "| pipe",
            "> fold",
            "% percent",
            "@ at",
            "` backtick",
            "'single' and \"double\"",
            "back\\slash",
            "yes",
            "null",
            "~",
            "1.5",
            "0x1F",
            "2024-03-12",
            "tab\there",
            "new\nline",
            "敦煌研究院 — Musée Guimet",
            "del\u{7f} c1\u{85}\u{9f} ls\u{2028} ps\u{2029} bom\u{feff} nonchar\u{fffe}\u{ffff} emoji 🏯",
            "bell\u{7} esc\u{1b} nul\u{0}",
            "{ flow: map }",
            "[flow, seq]",
            "---",
        ];
        for title in titles {
            let yaml = format!("t: {}\n", yaml_string(title));
            let doc: Doc = serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{title:?}: {e}\n{yaml}"));
            assert_eq!(doc.t, title, "{yaml}");
        }
    }

    #[test]
    fn dates_are_real_days_months_or_years_in_iso_form() {
        assert_eq!(parse_date("2024-03-12").unwrap(), "2024-03-12");
        assert_eq!(parse_date("2024-03").unwrap(), "2024-03", "a month when that is all the source gives");
        assert_eq!(parse_date("2024").unwrap(), "2024");
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "2024-13",
            "0000",
            "20240312",
            "12/03/2024",
            "2024-3-12",
            "2024-3",
            "yesterday",
            "2024-03-12T10:00",
        ] {
            let err = parse_date(bad).unwrap_err().to_string();
            assert!(err.contains("expected a date like 2024-03-12"), "{bad}: {err}");
        }
    }
}
