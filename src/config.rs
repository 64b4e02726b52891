//! `site.toml` -> [`Config`].
//!
//! Keys and defaults are listed in README.md ("site.toml"). Unknown keys are refused
//! with the line, the column and the closest known key; `[extra]` is a free
//! map handed to themes. The theme is a folder name under themes/, never a
//! path. The time zone is checked against the IANA database
//! bundled with the binary, so every machine agrees on offsets and years.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Position, closest, line_col};

/// The keys `site.toml` may have, for suggestions.
const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "time_zone",
    "theme",
    "paginate",
    "feed_limit",
    "images",
    "languages",
    "show_untranslated",
    "extra",
];

/// The keys a `[languages.<code>]` table may have.
const LANGUAGE_KEYS: &[&str] = &["title", "description", "tag", "name"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_paginate")]
    paginate: usize,
    #[serde(default = "default_feed_limit")]
    feed_limit: usize,
    #[serde(default)]
    images: RawImages,
    #[serde(default)]
    languages: std::collections::BTreeMap<String, toml::Table>,
    #[serde(default = "yes")]
    show_untranslated: bool,
    #[serde(default)]
    extra: toml::Table,
}

fn yes() -> bool {
    true
}

/// A `[languages.<code>]` table.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    title: Option<String>,
    description: Option<String>,
    tag: Option<String>,
    name: Option<String>,
}

/// One language of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language {
    /// The code in file names and URLs: `fr` in `x.fr.md` and `/fr/`.
    pub code: String,
    /// The BCP 47 tag for `<html lang>`, `hreflang` and feeds (`zh-Hans`).
    pub tag: String,
    /// The language's name in itself, for the language switcher (`Français`).
    pub name: String,
    /// The site's title and description in this language.
    pub title: String,
    pub description: String,
}

/// `[images]`: how photographs are published (see the README).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawImages {
    widths: Vec<u32>,
    quality: u8,
    sizes: String,
    require_credit: bool,
    memory_mb: u64,
}

impl Default for RawImages {
    fn default() -> Self {
        RawImages {
            widths: vec![480, 800, 1200, 1600],
            quality: 80,
            // The heritage theme's reading column is 66ch of about 0.6rem: at most about 42rem wide.
            sizes: "(min-width: 48rem) 42rem, calc(100vw - 2rem)".into(),
            require_credit: false,
            memory_mb: 1024,
        }
    }
}

/// How photographs are published, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagesConfig {
    pub processing: crate::image::process::Settings,
    /// The `sizes` attribute of every responsive image (it must match the theme's layout).
    pub sizes: String,
    /// Every image must have a `credit`.
    pub require_credit: bool,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        images_config(RawImages::default()).unwrap_or_else(|_| unreachable!("the defaults are valid"))
    }
}

fn images_config(raw: RawImages) -> Result<ImagesConfig, String> {
    let mut widths = raw.widths;
    widths.sort_unstable();
    widths.dedup();
    if widths.is_empty() || widths.iter().any(|&w| !(16..=8192).contains(&w)) {
        return Err(
            "`images.widths` must list widths between 16 and 8192 pixels, such as `[480, 800, 1200, 1600]`".into()
        );
    }
    if !(1..=100).contains(&raw.quality) {
        return Err(format!("`images.quality` is {}, expected a quality from 1 to 100", raw.quality));
    }
    if raw.memory_mb < 64 {
        return Err(format!("`images.memory_mb` is {}, expected at least 64 (megabytes)", raw.memory_mb));
    }
    if raw.sizes.trim().is_empty() {
        return Err("`images.sizes` is empty, expected a `sizes` attribute such as `100vw`".into());
    }
    Ok(ImagesConfig {
        processing: crate::image::process::Settings {
            widths,
            quality: raw.quality,
            memory_budget: raw.memory_mb * 1_000_000,
        },
        sizes: raw.sizes,
        require_credit: raw.require_credit,
    })
}

fn default_language() -> String {
    "en".into()
}
fn default_time_zone() -> String {
    "UTC".into()
}
fn default_theme() -> String {
    "heritage".into()
}
fn default_paginate() -> usize {
    10
}
fn default_feed_limit() -> usize {
    20
}

/// The site's configuration, checked and with defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    /// The default language's code (`en`): its pages are at the root and
    /// its files have no language in their name.
    pub language: String,
    /// Every language of the site, the default first, then the others by code.
    pub languages: Vec<Language>,
    /// Listings of a language also show the articles that have no
    /// translation in it (labelled with their language).
    pub show_untranslated: bool,
    /// The IANA name of `time_zone`.
    pub time_zone_name: String,
    pub time_zone: jiff::tz::TimeZone,
    pub theme: String,
    /// Where `theme` is written in site.toml, for "theme not found".
    pub theme_pos: Option<Position>,
    pub paginate: usize,
    pub feed_limit: usize,
    pub images: ImagesConfig,
    pub extra: serde_json::Value,
}

/// The public address of the site: scheme, host and a path ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: url::Url,
}

impl BaseUrl {
    /// Parses an absolute http(s) URL; a missing final `/` is added.
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let mut url = url::Url::parse(text.trim()).map_err(|e| {
            format!("`{text}` is not a valid URL ({e}), expected an absolute URL like https://example.org/")
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("`{text}` is not an http(s) URL, expected an absolute URL like https://example.org/"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "`{text}` has a query or fragment, expected a plain URL like https://example.org/heritage/"
            ));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(BaseUrl { url })
    }

    /// The path part, starting and ending with `/` (`/` or `/heritage/`).
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// The whole base URL, ending with `/`.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The absolute URL of a site path such as `articles/x/` (no leading `/`).
    pub fn permalink(&self, site_path: &str) -> String {
        format!("{}{}", self.url.as_str(), site_path)
    }

    /// The root-relative URL of a site path: `/heritage/articles/x/`.
    pub fn url(&self, site_path: &str) -> String {
        format!("{}{}", self.url.path(), site_path)
    }

    /// The underlying URL, for joining relative links.
    pub fn as_url(&self) -> &url::Url {
        &self.url
    }
}

impl Config {
    /// Reads and checks `site.toml`; errors name `site.toml` and the line.
    pub fn parse(text: &str, shown: &str) -> Result<Config, Diagnostic> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_diagnostic(text, shown, &e))?;
        let at_key = |key: &str, message: String| Diagnostic::new(shown, message).with_pos(key_position(text, key));
        if raw.title.trim().is_empty() {
            return Err(at_key("title", "`title` is empty, expected the site's title".into()));
        }
        let base_url = BaseUrl::parse(&raw.base_url).map_err(|m| at_key("base_url", m))?;
        let time_zone = jiff::tz::db().get(&raw.time_zone).map_err(|_| {
            at_key(
                "time_zone",
                format!(
                    "unknown time zone `{}`, expected an IANA name such as `Asia/Shanghai` or `UTC`",
                    raw.time_zone
                ),
            )
        })?;
        if raw.paginate == 0 {
            return Err(at_key(
                "paginate",
                "`paginate` is 0, expected a number of articles per page of 1 or more".into(),
            ));
        }
        if !is_language_code(&raw.language) {
            return Err(at_key(
                "language",
                format!("`{}` is not a language tag, expected something like `en` or `zh-Hans`", raw.language),
            ));
        }
        let languages = languages(&raw, text, shown)?;
        // A folder name under themes/, never a path that could lead elsewhere.
        let theme = raw.theme.as_str();
        if theme.trim() != theme {
            return Err(at_key(
                "theme",
                format!(
                    "`{theme}` has spaces around it, expected the bare name of a folder in themes/ such as `heritage`"
                ),
            ));
        }
        if theme.is_empty() || theme.starts_with('.') || theme.contains(['/', '\\']) {
            return Err(at_key(
                "theme",
                format!(
                    "`{}` is not a theme name, expected the name of a folder in themes/ such as `heritage`",
                    raw.theme
                ),
            ));
        }
        let extra = serde_json::to_value(&raw.extra).unwrap_or(serde_json::Value::Null);
        let images = images_config(raw.images).map_err(|m| {
            Diagnostic::new(shown, m).with_pos(Some(Position::new(
                text.lines().position(|l| l.trim() == "[images]").map_or(1, |i| i + 1),
                1,
            )))
        })?;
        Ok(Config {
            title: raw.title,
            description: raw.description,
            base_url,
            language: raw.language,
            languages,
            show_untranslated: raw.show_untranslated,
            time_zone_name: raw.time_zone,
            time_zone,
            theme_pos: key_position(text, "theme"),
            theme: raw.theme,
            paginate: raw.paginate,
            feed_limit: raw.feed_limit,
            images,
            extra,
        })
    }

    /// The language whose code is `code`.
    pub fn lang(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The default language.
    pub fn default_language(&self) -> &Language {
        &self.languages[0]
    }

    /// The codes of the site's languages, the default first.
    pub fn language_codes(&self) -> Vec<&str> {
        self.languages.iter().map(|l| l.code.as_str()).collect()
    }

    /// Whether the site has more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// Reads `site.toml` from the site root.
    pub fn from_file(path: &Path, shown: &str) -> Result<Config, Diagnostic> {
        let text = crate::fs::read_text(path, shown)?;
        Config::parse(&text, shown)
    }
}

/// A language code as file names and URLs carry it: ASCII letters and
/// digits in parts joined by `-`, starting with a letter (`fr`, `zh-Hans`).
pub fn is_language_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 35
        && code.split('-').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
        && code.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// The site's languages from `language` and the `[languages.<code>]` tables:
/// the default first, then the others by code.
fn languages(raw: &RawConfig, text: &str, shown: &str) -> Result<Vec<Language>, Diagnostic> {
    let table_pos = |code: &str| {
        let header = format!("[languages.{code}]");
        let line = text.lines().position(|l| l.trim() == header).map_or(1, |i| i + 1);
        Some(Position::new(line, 1))
    };
    let mut list = Vec::new();
    let default = raw.languages.get(&raw.language).cloned().unwrap_or_default();
    let codes = std::iter::once(raw.language.as_str())
        .chain(raw.languages.keys().map(String::as_str).filter(|c| *c != raw.language));
    for code in codes {
        let table = if code == raw.language { default.clone() } else { raw.languages[code].clone() };
        let at = |message: String| Diagnostic::new(shown, message).with_pos(table_pos(code));
        if !is_language_code(code) {
            return Err(at(format!(
                "`{code}` is not a language code, expected letters such as `fr` or `zh` (it names files `x.{code}.md` and URLs `/{code}/`)"
            )));
        }
        let table: RawLanguage = table.try_into().map_err(|e: toml::de::Error| {
            let message = e.message().trim().to_string();
            match message.strip_prefix("unknown field `") {
                Some(rest) => {
                    let key = rest.split('`').next().unwrap_or_default().to_string();
                    let hint = match closest(&key, LANGUAGE_KEYS.iter().copied()) {
                        Some(known) => format!("did you mean `{known}`?"),
                        None => format!("expected one of {}", quoted_list(LANGUAGE_KEYS)),
                    };
                    at(format!("unknown key `{key}` in `[languages.{code}]`, {hint}"))
                }
                None => at(format!("in `[languages.{code}]`: {message}")),
            }
        })?;
        let tag = table.tag.unwrap_or_else(|| code.to_string());
        if icu_locale_core::LanguageIdentifier::try_from_str(&tag).is_err() {
            return Err(at(format!(
                "`{tag}` is not a BCP 47 language tag, expected something like `fr`, `en-GB` or `zh-Hans`"
            )));
        }
        list.push(Language {
            code: code.to_string(),
            tag,
            name: table.name.unwrap_or_else(|| code.to_string()),
            title: table.title.unwrap_or_else(|| raw.title.clone()),
            description: table.description.unwrap_or_else(|| raw.description.clone()),
        });
    }
    Ok(list)
}

/// Turns a toml error into `site.toml:line:col: message`, with a suggestion
/// for an unknown key.
fn toml_diagnostic(text: &str, shown: &str, err: &toml::de::Error) -> Diagnostic {
    let mut message = err.message().trim().to_string();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        message = match closest(&key, KEYS.iter().copied()) {
            Some(known) => format!("unknown key `{key}`, did you mean `{known}`?"),
            None => format!("unknown key `{key}`, expected one of {}", quoted_list(KEYS)),
        };
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        message = format!("missing required key `{key}`, expected `{key} = \"...\"`");
    }
    let pos = err.span().map(|span| line_col(text, span.start));
    Diagnostic::new(shown, message).with_pos(pos.or(Some(Position::new(1, 1))))
}

/// `a`, `b` and `c` as one string.
pub fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// Line and column of a top-level `key =` in a TOML text.
fn key_position(text: &str, key: &str) -> Option<Position> {
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed.strip_prefix(key)?;
        rest.trim_start().starts_with('=').then(|| Position::new(i + 1, line.len() - trimmed.len() + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "title = \"T\"\nbase_url = \"https://example.org/heritage\"\n";

    #[test]
    fn defaults() {
        let c = Config::parse(MINIMAL, "site.toml").unwrap();
        assert_eq!(c.language, "en");
        assert_eq!(c.time_zone_name, "UTC");
        assert_eq!(c.theme, "heritage");
        assert_eq!((c.paginate, c.feed_limit), (10, 20));
        assert_eq!(c.base_url.as_str(), "https://example.org/heritage/");
        assert_eq!(c.base_url.url("articles/x/"), "/heritage/articles/x/");
        assert_eq!(c.base_url.permalink("rss.xml"), "https://example.org/heritage/rss.xml");
    }

    #[test]
    fn unknown_key_suggests() {
        let text = format!("{MINIMAL}paginat = 3\n");
        let err = Config::parse(&text, "site.toml").unwrap_err();
        assert_eq!(err.to_string(), "site.toml:3:1: unknown key `paginat`, did you mean `paginate`?");
    }

    #[test]
    fn bad_time_zone_and_base_url() {
        let err = Config::parse(&format!("{MINIMAL}time_zone = \"Mars/Olympus\"\n"), "site.toml").unwrap_err();
        assert!(err.to_string().starts_with("site.toml:3:1: unknown time zone `Mars/Olympus`"), "{err}");
        let err = Config::parse("title = \"T\"\nbase_url = \"example.org\"\n", "site.toml").unwrap_err();
        assert!(err.to_string().starts_with("site.toml:2:1: "), "{err}");
    }

    #[test]
    fn theme_is_a_folder_name() {
        for bad in ["../../etc", "/srv/theme", "", ".hidden", "a\\b"] {
            let err = Config::parse(&format!("{MINIMAL}theme = \"{}\"\n", bad.replace('\\', "\\\\")), "site.toml")
                .unwrap_err();
            assert!(err.to_string().starts_with("site.toml:3:1: "), "{bad}: {err}");
        }
        assert_eq!(Config::parse(&format!("{MINIMAL}theme = \"ink-2\"\n"), "site.toml").unwrap().theme, "ink-2");
    }

    #[test]
    fn missing_title() {
        let err = Config::parse("base_url = \"https://e.org/\"\n", "site.toml").unwrap_err();
        assert!(err.message.contains("missing required key `title`"), "{err}");
    }
}
