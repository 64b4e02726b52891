//! Typed views: what templates receive. This file is the contract a theme
//! author reads.
//!
//! Each template's whole context is one named struct below (`*Context`):
//!
//! | template | context |
//! |---|---|
//! | `index.html` | [`HomeContext`] |
//! | `article.html` | [`ArticleContext`] |
//! | `articles.html` | [`ArticlesContext`] |
//! | `institutions.html` | [`InstitutionsContext`] |
//! | `institution.html` | [`InstitutionContext`] |
//! | `countries.html` | [`CountriesContext`] |
//! | `country.html` | [`CountryContext`] |
//! | `years.html` | [`YearsContext`] |
//! | `year.html` | [`YearContext`] |
//! | `topics.html` | [`TopicsContext`] |
//! | `topic.html` | [`TopicContext`] |
//! | `page.html` | [`PageContext`] |
//! | `404.html` | [`NotFoundContext`] |
//! | `rss.xml` | [`FeedContext`] |
//! | `sitemap.xml` | [`SitemapContext`] |
//! | `sitemap_index.xml` | [`SitemapIndexContext`] |
//! | `robots.txt` | [`RobotsContext`] |
//! | `figure.html` | [`FigureContext`] (each photograph of a body, rendered into it) |
//!
//! Every page gets `site` (a [`SiteView`], in the page's language: its
//! title, URLs under its prefix, and `site.t`, the theme's words in that
//! language) and `current` (a [`CurrentView`]: this page's URL, title,
//! description, feeds, `hreflang` alternates and language switcher), plus the
//! data of its kind of page; no template data is assembled from string keys.
//! URLs come ready-made: `url` is root-relative and honours the base URL's
//! sub-path (`/heritage/fr/articles/x/`), `permalink` is absolute. Dates come
//! formatted (`date_iso` for `datetime=`, `date_display` for readers, in the
//! page's language through CLDR data) so templates need no date filters.
//! Names of institutions and countries come in the page's language, with
//! their other names beside them.
//!
//! Article cards are rendered ahead of the pages: when the theme defines
//! the component `article_card(card, level)`, each card a language shows is
//! rendered through it once at level 2 and once at level 3, and templates
//! see the results as `card.h2` and `card.h3` (HTML, printed with `safe`).
//! A listing prints `{{ card.h3 | safe }}` rather than calling the
//! component, which would render the same card again on every page that
//! lists it; the output is the same. A theme without that component has
//! no `h2` and `h3`.
//!
//! No words come from here: a page whose title is a phrase (the listings,
//! the 404 page) gets an empty `current.title` and writes its title in its
//! template (`{% block title %}`) from `site.t`; feeds say what they are
//! about in `feed.kind` and `feed.about`, and the template words it.

use serde::Serialize;

use crate::content::markdown::TocEntry;

/// A view that many pages show (the site, an article's card), prepared for
/// the templates once rather than once per page. Templates see exactly the
/// `T` inside; Rust code reads it through `Deref`, and hashes the `T` (a
/// template value's maps have no fixed order).
#[derive(Debug)]
pub struct Shared<T> {
    view: T,
    /// The view as a template value; `None` only if it could not be made,
    /// and then the view is serialized each time as usual.
    prepared: Option<tera::Value>,
}

impl<T: Serialize> Shared<T> {
    pub fn new(view: T) -> Self {
        let prepared = tera::Value::try_from_serializable(&view).ok();
        Shared { view, prepared }
    }

    /// The view as a template value (an `Arc` clone once prepared).
    pub fn value(&self) -> tera::Value {
        self.prepared.clone().unwrap_or_else(|| tera::Value::from_serializable(&self.view))
    }

    /// Adds fields that templates see beside the view's own (the view is a
    /// struct); Rust code and hashes never see them.
    pub fn add_fields(&mut self, fields: impl IntoIterator<Item = (&'static str, tera::Value)>) {
        // Taken, not cloned: the map is then this card's alone and is not copied.
        let value = self.prepared.take().unwrap_or_else(|| tera::Value::from_serializable(&self.view));
        let Some(mut map) = value.into_map() else { return };
        for (key, value) in fields {
            map.insert(tera::value::Key::from(key), value);
        }
        self.prepared = Some(tera::Value::from(map));
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.view
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Inside a template context this hands over the prepared value (an
        // `Arc` clone); anywhere else it serializes as the view would.
        match &self.prepared {
            Some(value) => value.serialize(serializer),
            None => self.view.serialize(serializer),
        }
    }
}

/// The site, as every template sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    /// The absolute base URL, ending with `/`.
    pub base_url: String,
    /// Root-relative URL of the home page in the pages' language (`/`,
    /// `/heritage/`, `/heritage/fr/`).
    pub home_url: String,
    /// Root-relative URL of the site's root, whatever the language (`/` or
    /// `/heritage/`): where the theme's files are (`{{ site.root_url }}{{ asset(path="style.css") }}`).
    pub root_url: String,
    /// The BCP 47 tag of the pages' language, for `<html lang>` (`zh-Hans`).
    pub language: String,
    /// The code of the pages' language (`zh`), as file names and URLs carry it.
    pub lang: String,
    /// Every language of the site, the default first.
    pub languages: Vec<LanguageView>,
    /// The theme's words in the pages' language (`site.t.latest_news`; see
    /// the theme's `strings/en.toml`).
    pub t: crate::render::strings::Strings,
    pub time_zone: String,
    /// Root-relative URL of the site feed.
    pub feed_url: String,
    pub articles_url: String,
    pub institutions_url: String,
    pub countries_url: String,
    pub years_url: String,
    pub topics_url: String,
    /// The language's search page.
    pub search_url: String,
    /// Standalone pages, for navigation.
    pub pages: Vec<Link>,
    pub extra: serde_json::Value,
}

/// The page being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentView {
    pub url: String,
    pub permalink: String,
    pub title: String,
    pub description: String,
    /// Feeds to announce with `<link rel="alternate">`: the site's, then the page's own.
    pub feeds: Vec<FeedLink>,
    /// Which section of the site this page belongs to (`articles`, `institutions`, ...), for navigation.
    pub section: &'static str,
    /// Its translations for `<link rel="alternate" hreflang>`: every
    /// language it exists in (itself included), then `x-default`. Empty on a
    /// site of one language. The sitemap lists the same set.
    pub alternates: Vec<Alternate>,
    /// The language switcher: one entry per language of the site. Empty on
    /// a site of one language.
    pub translations: Vec<Translation>,
}

/// A language of the site.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LanguageView {
    pub code: String,
    pub tag: String,
    /// Its name in itself (`Français`).
    pub name: String,
    /// Root-relative URL of its home page.
    pub home_url: String,
}

/// One `hreflang` alternate of a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Alternate {
    /// A BCP 47 tag, or `x-default`.
    pub hreflang: String,
    /// Absolute URL.
    pub url: String,
}

/// One language in the language switcher.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Translation {
    pub code: String,
    pub tag: String,
    pub name: String,
    /// A short label where space is scarce (a phone): the name when it is
    /// short (`中文`), else the code in capitals (`FR`).
    pub short: String,
    /// The page in that language; else that language's listing of the same
    /// section, or its home page (`translated` is then false).
    pub url: String,
    /// The page being shown.
    pub current: bool,
    pub translated: bool,
}

/// A feed to announce on a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeedLink {
    /// What it is about (an institution's or country's name); none for the site's feed.
    pub about: Option<String>,
    pub url: String,
}

/// A name with the URL of its page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TermName {
    pub name: String,
    pub url: String,
}

/// A topic in lists.
#[derive(Debug, Clone, Serialize)]
pub struct TopicCard {
    pub name: String,
    pub url: String,
    pub feed_url: String,
    pub article_count: usize,
}

/// A titled link.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A name in another language, with its BCP 47 tag.
#[derive(Debug, Clone, Serialize)]
pub struct NativeName {
    pub lang: String,
    pub name: String,
}

/// An institution or country as a link, with its native names.
#[derive(Debug, Clone, Serialize)]
pub struct TermLink {
    pub name: String,
    pub url: String,
    pub names: Vec<NativeName>,
}

/// An image ready for `<picture>`: see [`crate::image::view::FigureView`].
pub use crate::image::view::FigureView as ImageView;

/// An article as listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCard {
    pub title: String,
    pub url: String,
    pub permalink: String,
    /// For `<time datetime>`: `2024-03-12`, or `2024-03` or `2024` when the
    /// date gives only the month or the year.
    pub date_iso: String,
    /// In the theme's words: `12 March 2024`, `March 2024` or `2024`.
    pub date_display: String,
    pub year: i16,
    pub year_url: String,
    pub summary: String,
    pub institutions: Vec<TermLink>,
    pub countries: Vec<TermLink>,
    pub reading_minutes: usize,
    pub image: Option<ImageView>,
    /// The BCP 47 tag of the article's language.
    pub lang: String,
    /// The name of the article's language when it is not the page's (an
    /// article shown because it has no translation in the page's language).
    pub language_name: Option<String>,
    // Templates also see `h2` and `h3` when the theme defines the component
    // `article_card(card, level)`: the component rendered for this card at
    // that level, once per build, to be printed with `safe` (see
    // `crate::render::theme::CARD_COMPONENT`). They are not fields here, so
    // that a card's hash is that of what it is made from.
}

/// A whole article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView<'a> {
    #[serde(flatten)]
    pub card: &'a ArticleCard,
    pub lang: &'a str,
    /// HTML rendered from Markdown: the one value templates print with `safe`.
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub word_count: usize,
    pub updated_iso: Option<String>,
    pub updated_display: Option<String>,
    /// Its topics as written, each with the URL of the topic's page.
    pub topics: Vec<TermName>,
    /// Up to three articles that share the most institutions and topics with
    /// it, then the nearest in date.
    pub related: Vec<&'a Shared<ArticleCard>>,
    pub extra: &'a serde_json::Value,
    /// The next newer and next older article on the site.
    pub newer: Option<Link>,
    pub older: Option<Link>,
}

/// One page of a paginated listing.
#[derive(Debug, Clone, Serialize)]
pub struct Paginator<'a> {
    pub articles: Vec<&'a Shared<ArticleCard>>,
    /// 1-based.
    pub current: usize,
    pub total_pages: usize,
    pub total_articles: usize,
    pub first_url: String,
    pub last_url: String,
    pub previous_url: Option<String>,
    pub next_url: Option<String>,
    /// The first, the last, and the pages around the current one.
    pub pages: Vec<PageNumber>,
}

/// A numbered link in a paginator.
#[derive(Debug, Clone, Serialize)]
pub struct PageNumber {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Page numbers were left out just before this one (show an ellipsis).
    pub gap_before: bool,
}

/// An institution in lists.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionCard {
    pub name: String,
    pub url: String,
    pub names: Vec<NativeName>,
    pub city: Option<String>,
    pub country: TermLink,
    pub article_count: usize,
}

/// An institution's page. Its profile (description, website, founding
/// year, aliases, `extra`, and its first paragraph as the page's
/// description) is given on the first page of its listing only; on the
/// pages after it those are empty (the description is the site's) and the
/// page is the card's name above a page of articles, so that a change to the profile renders one
/// page again, not every page of a long listing.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionView<'a> {
    #[serde(flatten)]
    pub card: &'a InstitutionCard,
    pub slug: &'a str,
    pub feed_url: String,
    pub website: Option<&'a str>,
    pub founded: Option<&'a str>,
    pub aliases: &'a [String],
    /// HTML rendered from Markdown.
    pub description: &'a str,
    /// The BCP 47 tag of the description when it is not in the page's
    /// language (the profile has no translation in it).
    pub description_lang: Option<String>,
    pub extra: &'a serde_json::Value,
}

/// A country in lists.
#[derive(Debug, Clone, Serialize)]
pub struct CountryCard {
    pub name: String,
    pub url: String,
    pub names: Vec<NativeName>,
    pub article_count: usize,
    pub institution_count: usize,
}

/// A country's page. Its profile (description, institutions, `extra`) is
/// given on the first page of its listing only, as for [`InstitutionView`].
#[derive(Debug, Clone, Serialize)]
pub struct CountryView<'a> {
    #[serde(flatten)]
    pub card: &'a CountryCard,
    pub slug: &'a str,
    pub feed_url: String,
    /// HTML rendered from Markdown (empty without a profile).
    pub description: &'a str,
    /// As for [`InstitutionView::description_lang`].
    pub description_lang: Option<String>,
    pub institutions: Vec<&'a InstitutionCard>,
    pub extra: &'a serde_json::Value,
}

/// The institutions of one country, for /institutions/.
#[derive(Debug, Clone, Serialize)]
pub struct CountryGroup<'a> {
    pub country: &'a CountryCard,
    pub institutions: Vec<&'a InstitutionCard>,
}

/// A year in lists.
#[derive(Debug, Clone, Serialize)]
pub struct YearCard {
    pub year: i16,
    pub url: String,
    pub article_count: usize,
}

/// A year's page: its articles by month, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct YearView<'a> {
    #[serde(flatten)]
    pub card: &'a YearCard,
    /// The months that have articles, newest first.
    pub months: Vec<MonthGroup<'a>>,
    /// The articles dated by the year alone, if any: after the months.
    pub year_only: Option<YearOnlyGroup<'a>>,
    pub newer: Option<&'a YearCard>,
    pub older: Option<&'a YearCard>,
}

/// One month of a year's page.
#[derive(Debug, Clone, Serialize)]
pub struct MonthGroup<'a> {
    pub month: i8,
    /// The month's name alone (`March`, `mars`, `三月`), in the site's language.
    pub name: String,
    /// The month and its year as the language writes them (`March 2024`,
    /// `mars 2024`, `2024年3月`), for headings.
    pub heading: String,
    /// `2024-03`, usable as an anchor.
    pub id: String,
    pub articles: Vec<&'a Shared<ArticleCard>>,
}

/// A year page's articles whose date gives the year alone.
#[derive(Debug, Clone, Serialize)]
pub struct YearOnlyGroup<'a> {
    /// The heading, from the theme's words (`year_group`: "Sometime in 2024").
    pub name: String,
    /// The year (`2024`), usable as an anchor.
    pub id: String,
    pub articles: Vec<&'a Shared<ArticleCard>>,
}

/// A standalone page.
#[derive(Debug, Clone, Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub url: String,
    pub lang: &'a str,
    /// HTML rendered from Markdown.
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub summary: &'a str,
    pub extra: &'a serde_json::Value,
}

/// An RSS channel.
#[derive(Debug, Clone, Serialize)]
pub struct FeedView {
    /// The site's title.
    pub title: String,
    /// `site`, `institution`, `country` or `topic`.
    pub kind: &'static str,
    /// The institution's or country's name (none for the site's feed).
    pub about: Option<String>,
    /// The HTML page the feed belongs to (absolute).
    pub link: String,
    /// The feed's own absolute URL.
    pub self_url: String,
    pub description: String,
    pub language: String,
    /// RFC 2822 date of the newest item (never the clock, so builds are reproducible).
    pub last_build_date: Option<String>,
    pub items: Vec<FeedItem>,
}

/// One item of a feed.
#[derive(Debug, Clone, Serialize)]
pub struct FeedItem {
    pub title: String,
    pub link: String,
    pub pub_date: String,
    /// The whole article as HTML (lead image, then body) with every URL
    /// absolute and no character XML forbids; the template escapes it once.
    pub description: String,
    /// One per institution, then one per country.
    pub categories: Vec<String>,
}

/// One `<url>` of the sitemap.
#[derive(Debug, Clone, Serialize)]
pub struct SitemapEntry {
    /// The page's absolute URL.
    pub loc: String,
    /// When it last changed, as a W3C date (`2024-03-12`) or date-time with
    /// offset (`2024-03-12T10:30:00+08:00`), both of which the sitemap schema takes.
    pub lastmod: Option<String>,
    /// Its translations, as in its `<head>` (see [`CurrentView::alternates`]).
    pub alternates: Vec<Alternate>,
}

/// `index.html`: the home page.
#[derive(Debug, Serialize)]
pub struct HomeContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    /// The newest articles (one listing page's worth).
    pub latest: Vec<&'a Shared<ArticleCard>>,
    pub institutions: &'a [InstitutionCard],
    pub countries: &'a [CountryCard],
    pub years: &'a [YearCard],
}

/// `article.html`: one article.
#[derive(Debug, Serialize)]
pub struct ArticleContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub article: ArticleView<'a>,
}

/// `articles.html`: a page of every article, newest first.
#[derive(Debug, Serialize)]
pub struct ArticlesContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub paginator: Paginator<'a>,
}

/// `institutions.html`: every institution, by country.
#[derive(Debug, Serialize)]
pub struct InstitutionsContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub groups: Vec<CountryGroup<'a>>,
    pub total: usize,
}

/// `institution.html`: a profile and a page of its articles.
#[derive(Debug, Serialize)]
pub struct InstitutionContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub institution: InstitutionView<'a>,
    pub paginator: Paginator<'a>,
}

/// `countries.html`: every country.
#[derive(Debug, Serialize)]
pub struct CountriesContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub countries: &'a [CountryCard],
}

/// `country.html`: a country, its institutions and a page of its articles.
#[derive(Debug, Serialize)]
pub struct CountryContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub country: CountryView<'a>,
    pub paginator: Paginator<'a>,
}

/// `years.html`: every year with articles, newest first.
#[derive(Debug, Serialize)]
pub struct YearsContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub years: &'a [YearCard],
}

/// `year.html`: one year's articles by month.
#[derive(Debug, Serialize)]
pub struct YearContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub year: YearView<'a>,
}

/// `page.html`: a standalone page.
#[derive(Debug, Serialize)]
pub struct PageContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub page: PageView<'a>,
}

/// `search.html`: a language's search page. The page holds a GET form
/// (`q`) that works without JavaScript and an element for the results; the
/// script at `search.script_url` reads the index at `search.index_url`
/// (see [`crate::search`]) and writes the results in the theme's words,
/// which the template passes to it in `data-` attributes.
#[derive(Debug, Serialize)]
pub struct SearchContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub search: SearchView,
}

/// Where a search page's script and index are.
#[derive(Debug, Serialize)]
pub struct SearchView {
    /// The folder of the language's index (ends with `/`).
    pub index_url: String,
    pub script_url: String,
    /// The language's code (the tokenizer's rules depend on it).
    pub lang: String,
}

/// `404.html`: the page for addresses that lead nowhere.
#[derive(Debug, Serialize)]
pub struct NotFoundContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    /// The site in each of its other languages: one 404 page serves every
    /// language (static hosts serve a single `404.html`), so it says the same
    /// in each, in its words and with its links.
    pub other_sites: &'a [SiteView],
}

/// `rss.xml`: one feed.
#[derive(Debug, Serialize)]
pub struct FeedContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub feed: FeedView,
}

/// `sitemap.xml`: every page (or one part of them).
#[derive(Debug, Serialize)]
pub struct SitemapContext<'a> {
    pub entries: &'a [SitemapEntry],
}

/// `sitemap_index.xml`: the parts of a sitemap too large for one file.
#[derive(Debug, Serialize)]
pub struct SitemapIndexContext {
    pub sitemaps: Vec<SitemapEntry>,
}

/// `robots.txt`.
#[derive(Debug, Serialize)]
pub struct RobotsContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub sitemap_url: String,
}

/// `topics.html`: every topic the articles name.
#[derive(Debug, Serialize)]
pub struct TopicsContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub topics: Vec<TopicCard>,
}

/// `topic.html`: a page of one topic's articles.
#[derive(Debug, Serialize)]
pub struct TopicContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub current: CurrentView,
    pub topic: TopicCard,
    pub paginator: Paginator<'a>,
}

/// `figure.html`: one photograph of an article's or a page's body, as a
/// `<figure>` with its responsive `<picture>`, caption, credit and rights.
#[derive(Debug, Serialize)]
pub struct FigureContext<'a> {
    pub site: &'a Shared<SiteView>,
    pub figure: ImageView,
}
