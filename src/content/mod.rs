//! The content model: articles, institutions, countries and pages as typed
//! values, read from Markdown files with YAML front matter.
//!
//! Each kind has a raw front-matter struct that refuses unknown keys and a
//! checked value built from it. Translations are values of their own
//! (articles, pages) or texts inside their original (profiles:
//! [`ProfileText`]), each knowing its language and its original's group. Parsing one file is pure (`parse`), given its
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
    /// The standalone pages shown in language `lang`: its own, and the
    /// originals of those not translated into it (the navigation's pages).
    pub fn pages_in(&self, lang: &str) -> Vec<usize> {
        (0..self.pages.len())
            .filter(|&i| {
                let p = &self.pages[i];
                let translated = self.pages.iter().any(|q| q.group == p.group && q.lang == lang);
                p.lang == lang || (!translated && !p.translation)
            })
            .collect()
    }

    /// Every institution's id, in the site's order.
    pub fn institution_ids(&self) -> impl Iterator<Item = InstitutionId> + use<> {
        (0..self.institutions.len()).map(InstitutionId)
    }

    /// Drops what only `check` reads (each body's links and anchors, with
    /// their places in the source), for a build of a large site.
    pub fn forget_link_positions(&mut self) {
        let bodies = self.articles.iter_mut().map(|a| &mut a.body).chain(self.pages.iter_mut().map(|p| &mut p.body));
        for body in bodies {
            body.links = Vec::new();
            body.anchors = Vec::new();
        }
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
    /// The code of the language it is written in (`fr` for `x.fr.md`).
    pub lang: String,
    /// What its translations share: the path of its file without the
    /// language (`content/articles/x.md` for `x.fr.md` too).
    pub group: String,
    /// Whether it is a translation of another file of its group (the
    /// original is the file in the first of the site's languages).
    pub translation: bool,
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
    /// The language of the first of `names` as written: its own name,
    /// shown beside its name on pages in other languages.
    pub native: Option<String>,
    pub aliases: Vec<String>,
    /// Its name then its aliases as written, with their positions, for
    /// reporting a name that two institutions claim.
    pub written_names: Vec<Named>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub founded: Option<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
    /// The code of the language its profile is written in.
    pub lang: String,
    /// Its path without the language (see [`Article::group`]).
    pub group: String,
    /// Its profile in other languages, by language code.
    pub translations: BTreeMap<String, ProfileText>,
}

/// A profile's text in another language (`x.fr.md` beside `x.md`): what
/// depends on language; everything else is the original's.
#[derive(Debug, Clone)]
pub struct ProfileText {
    pub rel_path: String,
    /// A hash of the source file's text.
    pub source_hash: u64,
    pub city: Option<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
}

/// What a profile shows in one language: its own text there, else the
/// original's, with the language it is in.
pub struct ProfileIn<'a> {
    pub lang: &'a str,
    pub body: &'a Rendered,
    pub city: Option<&'a str>,
    pub extra: &'a serde_json::Value,
}

/// A name in language `code`: its `names` entry, else the name itself.
fn name_in<'s>(name: &'s str, names: &'s BTreeMap<String, String>, code: &str) -> &'s str {
    names.get(code).map_or(name, String::as_str)
}

/// What a profile written in `lang` shows in language `code`: the
/// translation's text, city and extra when it has them, else its own.
fn profile_in<'s>(
    code: &'s str,
    (lang, body, city, extra): (&'s str, &'s Rendered, Option<&'s str>, &'s serde_json::Value),
    translations: &'s BTreeMap<String, ProfileText>,
) -> ProfileIn<'s> {
    match translations.get(code) {
        Some(t) => ProfileIn {
            lang: code,
            body: &t.body,
            city: t.city.as_deref().or(city),
            extra: if t.extra.is_null() { extra } else { &t.extra },
        },
        None => ProfileIn { lang, body, city, extra },
    }
}

impl Institution {
    /// The institution's name in language `code`: its `names` entry, else its name.
    pub fn name_in(&self, code: &str) -> &str {
        name_in(&self.name, &self.names, code)
    }

    /// Its profile in language `code`.
    pub fn profile_in<'s>(&'s self, code: &'s str) -> ProfileIn<'s> {
        let own = (self.lang.as_str(), &self.body, self.city.as_deref(), &self.extra);
        profile_in(code, own, &self.translations)
    }
}

impl Country {
    /// The country's name in language `code`: its `names` entry, else its name.
    pub fn name_in(&self, code: &str) -> &str {
        name_in(&self.name, &self.names, code)
    }

    /// Its profile in language `code` (a country has no city).
    pub fn profile_in<'s>(&'s self, code: &'s str) -> ProfileIn<'s> {
        profile_in(code, (self.lang.as_str(), &self.body, None, &self.extra), &self.translations)
    }
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
    /// As for [`Institution::native`].
    pub native: Option<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
    /// The code of the language its profile is written in.
    pub lang: String,
    /// Its path without the language (see [`Article::group`]).
    pub group: String,
    /// Its profile in other languages, by language code.
    pub translations: BTreeMap<String, ProfileText>,
}

/// A standalone page such as /about/.
#[derive(Debug, Clone)]
pub struct Page {
    pub rel_path: String,
    /// A hash of the source file's text: equal texts parse to equal values.
    pub source_hash: u64,
    pub slug: String,
    /// The code of the language it is written in.
    pub lang: String,
    /// What its translations share (see [`Article::group`]).
    pub group: String,
    pub translation: bool,
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
    // Required of an original, inherited by a translation.
    date: Option<String>,
    institutions: Option<Vec<String>>,
    countries: Option<Vec<String>>,
    summary: Option<String>,
    topics: Option<Vec<String>>,
    image: Option<crate::image::figure::RawFigure>,
    updated: Option<String>,
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    featured: Option<bool>,
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

/// What a profile's translation may say: its city and extra in its language;
/// the keys that do not depend on language only as the original has them.
const INSTITUTION_TRANSLATION_KEYS: &[&str] = &["name", "country", "city", "website", "founded", "extra"];
const COUNTRY_TRANSLATION_KEYS: &[&str] = &["name", "extra"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileTranslationFm {
    name: Option<String>,
    country: Option<String>,
    city: Option<String>,
    website: Option<String>,
    founded: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "front_matter::unique_value")]
    extra: serde_json::Value,
}

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
    /// The path without the language (see [`Article::group`]).
    pub group: &'a str,
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

/// A translation's value for a key that does not depend on language: the
/// original's when the translation leaves it out; when it writes it, it must
/// say the same.
fn inherited_same(problems: &mut Problems<'_>, split: &Split<'_>, key: &str, written: &str, original: (&str, &str)) {
    let (value, path) = original;
    if written.trim() != value {
        problems.add(
            key_pos(split, key),
            format!(
                "`{key}` is `{}` but the original `{path}` says `{value}`: a translation inherits `{key}`, expected the same value or no `{key}`",
                written.trim()
            ),
        );
    }
}

impl Article {
    /// Parses an article file: an original when `original` is `None`, else
    /// a translation of it, which inherits what it does not set (see
    /// README, "Languages"). Institutions and countries are resolved later.
    pub fn parse(src: &SourceText<'_>, original: Option<&Article>) -> Result<Article, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, ArticleFm, _) = read_front_matter(src, ARTICLE_KEYS)?;
        not_blank(&mut problems, &split, "title", &fm.title);
        if let Some(summary) = &fm.summary {
            printable(&mut problems, &split, "summary", summary);
        }
        let at_block = Some(Position::new(2, 1));
        // A file named for a language (`x.fr.md`) without its original has nothing to inherit.
        let missing = |key: &str| match src.group != src.rel_path {
            true => format!(
                "{} (there is no `{}` in another language to inherit it from)",
                front_matter::missing_key_message(key),
                src.group
            ),
            false => front_matter::missing_key_message(key),
        };
        let institutions = match (fm.institutions, original) {
            (Some(list), _) if list.is_empty() => {
                problems.add(
                    key_pos(&split, "institutions"),
                    "`institutions` is empty, expected at least one institution (its name, an alias or its slug)"
                        .into(),
                );
                Vec::new()
            }
            (Some(list), _) => list,
            (None, Some(_)) => Vec::new(),
            (None, None) => {
                problems.add(at_block, missing("institutions"));
                Vec::new()
            }
        };
        let image = fm.image.and_then(|raw| match raw.check(false) {
            Ok(image) => Some(image),
            Err((key, message)) => {
                let pos = front_matter::nested_key_pos(&split, "image", key).or_else(|| key_pos(&split, "image"));
                problems.add(pos, format!("in `image`: {message}"));
                None
            }
        });
        let date = match (fm.date.as_deref(), original) {
            (Some(text), Some(o)) => {
                let date = date_field(&mut problems, &split, "date", text, src.tz);
                if date.as_ref().is_some_and(|d| *d != o.date) {
                    inherited_same(&mut problems, &split, "date", text, (&o.date.iso(), &o.rel_path));
                }
                Some(o.date.clone())
            }
            (Some(text), None) => date_field(&mut problems, &split, "date", text, src.tz),
            (None, Some(o)) => Some(o.date.clone()),
            (None, None) => {
                problems.add(at_block, missing("date"));
                None
            }
        };
        let updated = match fm.updated.as_deref() {
            Some(u) => date_field(&mut problems, &split, "updated", u, src.tz),
            None => original.and_then(|o| o.updated.clone()),
        };
        let file_slug = original.map_or(src.file_slug, |o| o.slug.as_str());
        let slug = slug_field(&mut problems, &split, fm.slug.as_deref(), file_slug);
        let mut body = markdown::render_with_figures_in(split.body, src.lang);
        figure_problems(&mut problems, &body, split.body_line);
        let Some(date) = date else { return Err(problems.list) };
        let (topics, topic_slugs) = match (fm.topics, original) {
            (Some(topics), _) => {
                let slugs = topics.iter().map(|t| crate::content::slug::slugify_or(t, "topic")).collect();
                (topics, slugs)
            }
            (None, Some(o)) => (o.topics.clone(), o.topic_slugs.clone()),
            (None, None) => (Vec::new(), Vec::new()),
        };
        let inherited_image = image.is_none() && fm_has_no(&split, "image");
        let image = match (image, original) {
            (Some(image), _) => Some(image),
            (None, Some(o)) if inherited_image => o.image.clone(),
            (None, _) => None,
        };
        let extra = match (fm.extra, original) {
            (serde_json::Value::Null, Some(o)) => o.extra.clone(),
            (extra, _) => extra,
        };
        let summary = summary_of(fm.summary, &body);
        // Read for the summary only: not kept for the whole build.
        body.first_paragraph = String::new();
        problems.finish(Article {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: src.rel_path.to_string(),
            bundle: src.group.ends_with("/index.md"),
            slug,
            lang: src.lang.to_string(),
            group: src.group.to_string(),
            translation: original.is_some(),
            summary,
            title: crate::content::text::smart(fm.title.trim()),
            date_key: date.sort_key(src.tz),
            lastmod_key: updated.as_ref().unwrap_or(&date).sort_key(src.tz),
            date,
            updated,
            institutions: Vec::new(),
            countries: Vec::new(),
            topic_slugs,
            topics,
            image_pos: key_pos(&split, "image"),
            image,
            draft: fm.draft,
            featured: fm.featured.or(original.map(|o| o.featured)).unwrap_or(false),
            extra,
            body,
            body_line: split.body_line,
            named_institutions: named(&split, "institutions", institutions),
            named_countries: named(&split, "countries", fm.countries.unwrap_or_default()),
        })
    }
}

/// Of the keys of the map `parent`, the one written first.
fn first_written<'k>(split: &Split<'_>, parent: &str, keys: impl Iterator<Item = &'k String>) -> Option<String> {
    keys.min_by_key(|k| front_matter::nested_key_pos(split, parent, k).map_or(usize::MAX, |p| p.line)).cloned()
}

/// Whether the front matter leaves `key` out.
fn fm_has_no(split: &Split<'_>, key: &str) -> bool {
    key_pos(split, key).is_none()
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
        let body = markdown::render_in(split.body, src.lang);
        let mut written_names = vec![Named { name: fm.name.trim().to_string(), pos: key_pos(&split, "name") }];
        written_names.extend(named(&split, "aliases", fm.aliases.clone()));
        problems.finish(Institution {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: src.rel_path.to_string(),
            slug: src.file_slug.to_string(),
            name: crate::content::text::smart(fm.name.trim()),
            country: CountryId::default(),
            country_name: Named { pos: key_pos(&split, "country"), name: fm.country.trim().to_string() },
            native: first_written(&split, "names", fm.names.keys()),
            names: fm.names.into_iter().map(|(lang, name)| (lang, crate::content::text::smart(&name))).collect(),
            aliases: fm.aliases.iter().map(|alias| crate::content::text::smart(alias)).collect(),
            written_names,
            city: fm.city.map(|city| crate::content::text::smart(&city)),
            website: fm.website,
            founded,
            extra: fm.extra,
            body,
            lang: src.lang.to_string(),
            group: src.group.to_string(),
            translations: BTreeMap::new(),
        })
    }

    /// Parses a translation of this profile (`x.fr.md`).
    pub fn parse_translation(&self, src: &SourceText<'_>) -> Result<ProfileText, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, ProfileTranslationFm, _) =
            read_front_matter(src, INSTITUTION_TRANSLATION_KEYS)?;
        let path = self.rel_path.as_str();
        let founded = fm.founded.map(|f| match f {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        for (key, written, value) in [
            ("name", fm.name.as_deref(), Some(self.written_names[0].name.as_str())),
            ("country", fm.country.as_deref(), Some(self.country_name.name.as_str())),
            ("website", fm.website.as_deref(), self.website.as_deref()),
            ("founded", founded.as_deref(), self.founded.as_deref()),
        ] {
            if let Some(written) = written {
                inherited_same(&mut problems, &split, key, written, (value.unwrap_or_default(), path));
            }
        }
        if let Some(city) = &fm.city {
            not_blank(&mut problems, &split, "city", city);
        }
        problems.finish(ProfileText {
            rel_path: src.rel_path.to_string(),
            source_hash: crate::plan::hash_of(src.text),
            city: fm.city.map(|city| crate::content::text::smart(&city)),
            extra: fm.extra,
            body: markdown::render_in(split.body, src.lang),
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
            native: first_written(&split, "names", fm.names.keys()),
            names: fm.names,
            extra: fm.extra,
            body: markdown::render_in(split.body, src.lang),
            lang: src.lang.to_string(),
            group: src.group.to_string(),
            translations: BTreeMap::new(),
        })
    }

    /// Parses a translation of this profile (`x.fr.md`).
    pub fn parse_translation(&self, src: &SourceText<'_>) -> Result<ProfileText, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, ProfileTranslationFm, _) =
            read_front_matter(src, COUNTRY_TRANSLATION_KEYS)?;
        if let Some(name) = &fm.name {
            let path = self.rel_path.as_deref().unwrap_or_default();
            inherited_same(&mut problems, &split, "name", name, (&self.name, path));
        }
        problems.finish(ProfileText {
            rel_path: src.rel_path.to_string(),
            source_hash: crate::plan::hash_of(src.text),
            city: None,
            extra: fm.extra,
            body: markdown::render_in(split.body, src.lang),
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
            native: None,
            extra: serde_json::Value::Null,
            body: Rendered::default(),
            lang: String::new(),
            group: String::new(),
            translations: BTreeMap::new(),
        }
    }
}

impl Page {
    /// Parses a standalone page: an original when `original` is `None`,
    /// else a translation of it, which inherits its slug and `updated`.
    pub fn parse(src: &SourceText<'_>, original: Option<&Page>) -> Result<Page, Vec<Diagnostic>> {
        let (split, fm, mut problems): (Split<'_>, PageFm, _) = read_front_matter(src, PAGE_KEYS)?;
        not_blank(&mut problems, &split, "title", &fm.title);
        let updated = match fm.updated.as_deref() {
            Some(u) => date_field(&mut problems, &split, "updated", u, src.tz),
            None => original.and_then(|o| o.updated.clone()),
        };
        let file_slug = original.map_or(src.file_slug, |o| o.slug.as_str());
        let slug = slug_field(&mut problems, &split, fm.slug.as_deref(), file_slug);
        let mut body = markdown::render_with_figures_in(split.body, src.lang);
        figure_problems(&mut problems, &body, split.body_line);
        let summary = summary_of(fm.summary, &body);
        // Read for the summary only: not kept for the whole build.
        body.first_paragraph = String::new();
        problems.finish(Page {
            source_hash: crate::plan::hash_of(src.text),
            rel_path: src.rel_path.to_string(),
            slug,
            lang: src.lang.to_string(),
            group: src.group.to_string(),
            translation: original.is_some(),
            summary,
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
