//! The content model: articles, institutions, countries and pages as typed
//! values, read from Markdown files with YAML front matter.
//!
//! Each kind has a raw front-matter struct that refuses unknown keys and a
//! checked value built from it. Parsing one file is pure (`parse`), given its
//! text; [`load`](mod@load) walks `content/` and resolves references between files
//! (an article's institutions, a country's profile).

pub mod date;
pub mod front_matter;
pub mod load;
pub mod markdown;
pub mod slug;
pub mod text;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::content::date::{EXPECTED, PubDate, SortKey};
use crate::error::{Diagnostic, Position};
use front_matter::{Split, item_positions, key_pos};
use markdown::Rendered;

pub use load::load;

/// Index of an institution in [`Site::institutions`] (and in the index's
/// per-institution lists): a type of its own, so that it cannot be taken for
/// a country's, an article's or a page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct InstitutionId(pub usize);

/// Index of a country in [`Site::countries`] (and in the index's per-country lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CountryId(pub usize);

/// Indexing a list of institutions, countries or their groupings by id.
macro_rules! index_by {
    ($id:ty) => {
        impl<T> std::ops::Index<$id> for [T] {
            type Output = T;
            fn index(&self, id: $id) -> &T {
                &self[id.0]
            }
        }
        impl<T> std::ops::Index<$id> for Vec<T> {
            type Output = T;
            fn index(&self, id: $id) -> &T {
                &self[id.0]
            }
        }
        impl<T> std::ops::IndexMut<$id> for Vec<T> {
            fn index_mut(&mut self, id: $id) -> &mut T {
                &mut self[id.0]
            }
        }
    };
}
index_by!(InstitutionId);
index_by!(CountryId);

/// A whole site in memory: configuration plus every piece of content,
/// checked and resolved, in a deterministic order.
#[derive(Debug)]
pub struct Site {
    pub config: crate::config::Config,
    pub root: PathBuf,
    /// Newest first (date, then title, then path).
    pub articles: Vec<Article>,
    /// By name.
    pub institutions: Vec<Institution>,
    /// By name.
    pub countries: Vec<Country>,
    /// By slug.
    pub pages: Vec<Page>,
    /// Static files found in content/, by URL path.
    pub assets: Vec<Asset>,
    /// The photographs articles and pages show, processed.
    pub images: crate::image::ImageSet,
}

impl Site {
    /// Every institution's id, in the site's order.
    pub fn institution_ids(&self) -> impl Iterator<Item = InstitutionId> + use<> {
        (0..self.institutions.len()).map(InstitutionId)
    }

    /// Every country's id, in the site's order.
    pub fn country_ids(&self) -> impl Iterator<Item = CountryId> + use<> {
        (0..self.countries.len()).map(CountryId)
    }
}

/// A static file to copy into the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Where it goes: a site path such as `articles/x/cave.jpg`.
    pub site_path: String,
    pub source_path: PathBuf,
    /// The path as messages show it.
    pub rel_path: String,
}

/// An image with its text alternative, caption, credit and rights.
pub use crate::image::figure::Figure as Image;

/// A news article.
#[derive(Debug, Clone)]
pub struct Article {
    pub rel_path: String,
    /// A hash of the source file's text: equal texts parse to equal values.
    pub source_hash: u64,
    /// For an article written as `articles/<slug>/index.md`: its folder, whose
    /// other files are copied next to the page.
    pub bundle: bool,
    pub slug: String,
    /// The language of the text (today always the site's).
    pub lang: String,
    pub title: String,
    pub date: PubDate,
    pub updated: Option<PubDate>,
    /// Where `date` and `updated` (else `date`) sort, worked out once: for
    /// listings and for the sitemap.
    pub date_key: SortKey,
    pub lastmod_key: SortKey,
    /// Resolved, in the order the article names them.
    pub institutions: Vec<InstitutionId>,
    /// Derived from the institutions plus any the article names, by name.
    pub countries: Vec<CountryId>,
    /// The front matter's summary, else the first paragraph.
    pub summary: String,
    pub topics: Vec<String>,
    /// The slug of each topic (`Silk roads` -> `silk-roads`), worked out once.
    pub topic_slugs: Vec<String>,
    pub image: Option<Image>,
    /// Where `image` is written.
    pub image_pos: Option<Position>,
    pub draft: bool,
    /// The editor's choice of the home page's lead story (see [`crate::index::lead`]).
    pub featured: bool,
    pub extra: serde_json::Value,
    pub body: Rendered,
    /// The file line on which the Markdown body starts.
    pub body_line: usize,
    /// Names as written, with their positions, for resolving.
    pub named_institutions: Vec<Named>,
    pub named_countries: Vec<Named>,
}

/// A name written in front matter, with where it was written.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub pos: Option<Position>,
}

/// An institution's profile.
#[derive(Debug, Clone)]
pub struct Institution {
    pub rel_path: String,
    /// A hash of the source file's text: equal texts parse to equal values.
    pub source_hash: u64,
    pub slug: String,
    pub name: String,
    pub country: CountryId,
    pub country_name: Named,
    /// Language code -> the institution's own name in that language.
    pub names: BTreeMap<String, String>,
    pub aliases: Vec<String>,
    /// Its name then its aliases as written, with their positions, for
    /// reporting a name that two institutions claim.
    pub written_names: Vec<Named>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub founded: Option<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
}

/// A country: from a profile in content/countries/, or derived from an
/// institution's `country`.
#[derive(Debug, Clone)]
pub struct Country {
    pub rel_path: Option<String>,
    /// A hash of the source file's text: equal texts parse to equal values.
    pub source_hash: u64,
    pub slug: String,
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
}

/// A standalone page such as /about/.
#[derive(Debug, Clone)]
pub struct Page {
    pub rel_path: String,
    /// A hash of the source file's text: equal texts parse to equal values.
    pub source_hash: u64,
    pub slug: String,
    pub lang: String,
    pub title: String,
    pub summary: String,
    pub updated: Option<PubDate>,
    pub draft: bool,
    pub extra: serde_json::Value,
    pub body: Rendered,
    /// The file line on which the Markdown body starts.
    pub body_line: usize,
}

/// Turns the problems of a body's figure blocks into diagnostics of the file.
fn figure_problems(problems: &mut Problems<'_>, body: &Rendered, body_line: usize) {
    for p in &body.figure_problems {
        problems.add(Some(p.pos.in_file(body_line)), format!("in the figure: {}", p.message));
    }
}

const ARTICLE_KEYS: &[&str] = &[
    "title",
    "date",
    "institutions",
    "countries",
    "summary",
    "topics",
    "image",
    "updated",
    "slug",
    "draft",
    "featured",
    "extra",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleFm {
    title: String,
    date: String,
    institutions: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    summary: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    image: Option<crate::image::figure::RawFigure>,
    updated: Option<String>,
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    featured: bool,
    #[serde(default, deserialize_with = "front_matter::unique_value")]
    extra: serde_json::Value,
}

const INSTITUTION_KEYS: &[&str] = &["name", "country", "names", "aliases", "city", "website", "founded", "extra"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionFm {
    name: String,
    country: String,
    #[serde(default, deserialize_with = "front_matter::unique")]
    names: BTreeMap<String, String>,
    #[serde(default)]
    aliases: Vec<String>,
    city: Option<String>,
    website: Option<String>,
    founded: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "front_matter::unique_value")]
    extra: serde_json::Value,
}

const COUNTRY_KEYS: &[&str] = &["name", "names", "extra"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountryFm {
    name: String,
    #[serde(default, deserialize_with = "front_matter::unique")]
    names: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "front_matter::unique_value")]
    extra: serde_json::Value,
}

const PAGE_KEYS: &[&str] = &["title", "summary", "updated", "slug", "draft", "extra"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFm {
    title: String,
    summary: Option<String>,
    updated: Option<String>,
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default, deserialize_with = "front_matter::unique_value")]
    extra: serde_json::Value,
}

/// What every parser gets: the file's text, where it is, the site's settings.
pub struct SourceText<'a> {
    pub text: &'a str,
    /// The path as messages show it (`content/articles/x.md`).
    pub rel_path: &'a str,
    /// The slug the file name gives.
    pub file_slug: &'a str,
    pub lang: &'a str,
    pub tz: &'a jiff::tz::TimeZone,
}

/// Collects the problems of one file so that all of them are reported.
struct Problems<'a> {
    rel_path: &'a str,
    list: Vec<Diagnostic>,
}

impl<'a> Problems<'a> {
    fn add(&mut self, pos: Option<Position>, message: String) {
        self.list.push(Diagnostic::new(self.rel_path, message).with_pos(pos.or(Some(Position::new(1, 1)))));
    }

    fn finish<T>(self, value: T) -> Result<T, Vec<Diagnostic>> {
        if self.list.is_empty() { Ok(value) } else { Err(self.list) }
    }
}

fn not_blank(problems: &mut Problems<'_>, split: &Split<'_>, key: &str, value: &str) {
    if value.trim().is_empty() {
        problems.add(key_pos(split, key), format!("`{key}` is empty, expected some text"));
    }
    printable(problems, split, key, value);
}

/// Refuses control characters written as YAML escapes (`"\x07"`): no page
/// or feed can show them. (Raw ones never get this far: see `fs`.)
fn printable(problems: &mut Problems<'_>, split: &Split<'_>, key: &str, value: &str) {
    if let Some(c) = value.chars().find(|&c| crate::fs::is_invisible_control(c)) {
        problems.add(
            key_pos(split, key),
            format!("`{key}` contains the control character U+{:04X}, expected text", u32::from(c)),
        );
    }
}

fn date_field(
    problems: &mut Problems<'_>,
    split: &Split<'_>,
    key: &str,
    text: &str,
    tz: &jiff::tz::TimeZone,
) -> Option<PubDate> {
    match PubDate::parse(text, tz) {
        Ok(date) => Some(date),
        Err(message) => {
            problems.add(key_pos(split, key), format!("in `{key}`: {message}"));
            None
        }
    }
}

fn slug_field(problems: &mut Problems<'_>, split: &Split<'_>, explicit: Option<&str>, file_slug: &str) -> String {
    match explicit {
        Some(slug) if crate::content::slug::is_slug(slug) => slug.to_string(),
        Some(slug) => {
            problems.add(
                key_pos(split, "slug"),
                format!(
                    "`{slug}` is not a slug, expected lower-case ASCII letters, digits and single hyphens such as `{}`",
                    crate::content::slug::slugify_or(slug, "my-article")
                ),
            );
            file_slug.to_string()
        }
        None => file_slug.to_string(),
    }
}

/// The names of a list with the position of each item (the key's position
/// when the items cannot be told apart).
fn named(split: &Split<'_>, key: &str, names: Vec<String>) -> Vec<Named> {
    let positions = item_positions(split, key);
    let fallback = key_pos(split, key);
    let exact = positions.len() == names.len();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| Named { pos: if exact { Some(positions[i]) } else { fallback }, name })
        .collect()
}

/// Cuts a source at its front matter and reads the block into `T`. The
/// problems found so far (unknown keys) come back with the value, so that
/// the checks that follow add to them instead of being hidden by them.
fn read_front_matter<'t, T: serde::de::DeserializeOwned>(
    src: &SourceText<'t>,
    keys: &[&str],
) -> Result<(Split<'t>, T, Problems<'t>), Vec<Diagnostic>> {
    let split = front_matter::split(src.text, src.rel_path).map_err(|d| vec![d])?;
    let (fm, list) = front_matter::parse_all(&split, src.rel_path, keys);
    let fm = fm.ok_or_else(|| list.clone())?;
    Ok((split, fm, Problems { rel_path: src.rel_path, list }))
}

/// The summary: explicit (with typographic punctuation), else the first
/// paragraph cut at a sentence or a word, so that cards are of even length.
fn summary_of(explicit: Option<String>, body: &Rendered) -> String {
    explicit
        .map(|s| crate::content::text::smart(s.trim()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| crate::content::text::cut_summary(&body.first_paragraph))
}

impl Article {
    /// Parses an article file. Institutions and countries are resolved later.
    pub fn parse(src: &SourceText<'_>) -> Result<Article, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, ArticleFm, _) = read_front_matter(src, ARTICLE_KEYS)?;
        not_blank(&mut problems, &split, "title", &fm.title);
        if let Some(summary) = &fm.summary {
            printable(&mut problems, &split, "summary", summary);
        }
        if fm.institutions.is_empty() {
            problems.add(
                key_pos(&split, "institutions"),
                "`institutions` is empty, expected at least one institution (its name, an alias or its slug)".into(),
            );
        }
        let image = fm.image.and_then(|raw| match raw.check(false) {
            Ok(image) => Some(image),
            Err((key, message)) => {
                let pos = front_matter::nested_key_pos(&split, "image", key).or_else(|| key_pos(&split, "image"));
                problems.add(pos, format!("in `image`: {message}"));
                None
            }
        });
        let date = date_field(&mut problems, &split, "date", &fm.date, src.tz);
        let updated = fm.updated.as_deref().and_then(|u| date_field(&mut problems, &split, "updated", u, src.tz));
        let slug = slug_field(&mut problems, &split, fm.slug.as_deref(), src.file_slug);
        let body = markdown::render_with_figures(split.body);
        figure_problems(&mut problems, &body, split.body_line);
        let Some(date) = date else { return Err(problems.list) };
        problems.finish(Article {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: src.rel_path.to_string(),
            bundle: src.rel_path.ends_with("/index.md"),
            slug,
            lang: src.lang.to_string(),
            summary: summary_of(fm.summary, &body),
            title: crate::content::text::smart(fm.title.trim()),
            date_key: date.sort_key(src.tz),
            lastmod_key: updated.as_ref().unwrap_or(&date).sort_key(src.tz),
            date,
            updated,
            institutions: Vec::new(),
            countries: Vec::new(),
            topic_slugs: fm.topics.iter().map(|t| crate::content::slug::slugify_or(t, "topic")).collect(),
            topics: fm.topics,
            image,
            image_pos: key_pos(&split, "image"),
            draft: fm.draft,
            featured: fm.featured,
            extra: fm.extra,
            body,
            body_line: split.body_line,
            named_institutions: named(&split, "institutions", fm.institutions),
            named_countries: named(&split, "countries", fm.countries),
        })
    }
}

impl Institution {
    /// Parses a profile; its country is resolved later.
    pub fn parse(src: &SourceText<'_>) -> Result<Institution, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, InstitutionFm, _) = read_front_matter(src, INSTITUTION_KEYS)?;
        not_blank(&mut problems, &split, "name", &fm.name);
        not_blank(&mut problems, &split, "country", &fm.country);
        if let Some(site) = &fm.website
            && !(site.starts_with("https://") || site.starts_with("http://"))
        {
            problems.add(
                key_pos(&split, "website"),
                format!("`{site}` is not a web address, expected a URL starting with https://"),
            );
        }
        let founded = match fm.founded {
            None => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                problems.add(key_pos(&split, "founded"), format!("`founded` is {other}, expected a year such as 1944"));
                None
            }
        };
        let body = markdown::render(split.body);
        let mut written_names = vec![Named { name: fm.name.trim().to_string(), pos: key_pos(&split, "name") }];
        written_names.extend(named(&split, "aliases", fm.aliases.clone()));
        problems.finish(Institution {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: src.rel_path.to_string(),
            slug: src.file_slug.to_string(),
            name: crate::content::text::smart(fm.name.trim()),
            country: CountryId::default(),
            country_name: Named { pos: key_pos(&split, "country"), name: fm.country.trim().to_string() },
            names: fm.names.into_iter().map(|(lang, name)| (lang, crate::content::text::smart(&name))).collect(),
            aliases: fm.aliases.iter().map(|alias| crate::content::text::smart(alias)).collect(),
            written_names,
            city: fm.city.map(|city| crate::content::text::smart(&city)),
            website: fm.website,
            founded,
            extra: fm.extra,
            body,
        })
    }
}

impl Country {
    /// Parses a country profile.
    pub fn parse(src: &SourceText<'_>) -> Result<Country, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, CountryFm, _) = read_front_matter(src, COUNTRY_KEYS)?;
        not_blank(&mut problems, &split, "name", &fm.name);
        problems.finish(Country {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: Some(src.rel_path.to_string()),
            slug: src.file_slug.to_string(),
            name: fm.name.trim().to_string(),
            names: fm.names,
            extra: fm.extra,
            body: markdown::render(split.body),
        })
    }

    /// A country known only by an institution's `country`.
    pub fn derived(name: &str) -> Country {
        Country {
            rel_path: None,
            source_hash: 0,
            slug: crate::content::slug::slugify_or(name, "country"),
            name: name.to_string(),
            names: BTreeMap::new(),
            extra: serde_json::Value::Null,
            body: Rendered::default(),
        }
    }
}

impl Page {
    /// Parses a standalone page.
    pub fn parse(src: &SourceText<'_>) -> Result<Page, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, PageFm, _) = read_front_matter(src, PAGE_KEYS)?;
        not_blank(&mut problems, &split, "title", &fm.title);
        let updated = fm.updated.as_deref().and_then(|u| date_field(&mut problems, &split, "updated", u, src.tz));
        let slug = slug_field(&mut problems, &split, fm.slug.as_deref(), src.file_slug);
        let body = markdown::render_with_figures(split.body);
        figure_problems(&mut problems, &body, split.body_line);
        problems.finish(Page {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: src.rel_path.to_string(),
            slug,
            lang: src.lang.to_string(),
            summary: summary_of(fm.summary, &body),
            title: crate::content::text::smart(fm.title.trim()),
            updated,
            draft: fm.draft,
            extra: fm.extra,
            body,
            body_line: split.body_line,
        })
    }
}

/// What a date field accepts (re-exported for messages elsewhere).
pub const DATE_EXPECTED: &str = EXPECTED;

/// The key used to match institution and country names: case, accents and
/// repeated spaces do not count.
pub fn match_key(name: &str) -> String {
    deunicode::deunicode(name).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}
