//! The render plan: every output file of a build, in one list.
//!
//! A [`Plan`] is built once per build from the loaded [`Site`], its
//! [`Index`] and the theme. Each [`Entry`] is one file: its site path, its
//! [`Kind`], the [`Job`] that renders it, the sources it shows and how
//! ([`Shown`]: an article in full, an article as a card, a profile, a
//! page...), and, for pages listed in the sitemap, when it last changed.
//!
//! Everything that needs to know the outputs reads them here and nowhere
//! else: URL collisions ([`Plan::new`] refuses two sources for one path,
//! naming both), the sitemap ([`Plan::sitemap`]), the build summary
//! ([`Plan::summary`]), `check`'s "which source wrote this page"
//! ([`Plan::source_of_path`]), and `serve`'s "what must be rendered again"
//! ([`Plan::fingerprints`]: a hash per entry of everything it shows, so an
//! incremental rebuild renders exactly the entries whose hash changed).
//! Adding a kind of page is one edit: a [`Job`] variant, its entries in
//! [`Plan::new`], and its rendering.
//!
//! Every page and feed is planned once per language of the site, under the
//! language's prefix; pages that are one another's translations share an
//! alternate key ([`Entry::alternate`]), from which the `hreflang` links of
//! the pages and of the sitemap are made, so that both say the same.
//!
//! The plan never renders and never touches the file system.

pub mod route;

use std::collections::HashMap;

use rayon::prelude::*;
use std::hash::{Hash, Hasher};

use crate::content::{CountryId, InstitutionId, Site};
use crate::error::Diagnostic;
use crate::index::{Index, TopicId};
use crate::render::theme::Theme;
use route::{Routes, file_of, paginated};

/// Index of an article in [`Site::articles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArticleId(pub usize);

/// Index of a standalone page in [`Site::pages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageId(pub usize);

/// Index of a year in [`Index::years`] (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearId(pub usize);

/// A 1-based page number of a paginated listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageNo(pub usize);

/// What renders one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Job {
    Home,
    Article(ArticleId),
    /// A page of /articles/.
    Articles(PageNo),
    Institutions,
    Institution(InstitutionId, PageNo),
    InstitutionFeed(InstitutionId),
    Countries,
    Country(CountryId, PageNo),
    CountryFeed(CountryId),
    Years,
    Year(YearId),
    Topics,
    Topic(TopicId, PageNo),
    TopicFeed(TopicId),
    Page(PageId),
    SiteFeed,
    /// `sitemap.xml`: every page, or an index of the parts when there are too many.
    Sitemap,
    /// `sitemap-N.xml` (1-based), when the site has more pages than one sitemap may list.
    SitemapPart(usize),
    Robots,
    NotFound,
    /// A static file from content/, copied.
    Asset(usize),
    /// A variant of a processed photograph (`site.images.files`), copied from the image cache.
    Image(usize),
    /// A static file of the theme, copied.
    ThemeStatic(usize),
    /// A language's search page.
    Search,
    /// File `k` of a language's search index (see [`crate::search::Layout`]).
    SearchFile(usize),
    /// The search script, shared by every language.
    SearchScript,
}

/// What an output file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An HTML page for readers (listed in the sitemap, but the 404 page).
    Page,
    /// An RSS feed.
    Feed,
    /// The sitemap or one of its parts.
    Sitemap,
    /// robots.txt.
    Robots,
    /// A file copied as it is.
    Asset,
    /// The search index and its script.
    Search,
}

/// A source an output shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Article(ArticleId),
    Institution(InstitutionId),
    Country(CountryId),
    Page(PageId),
    Asset(usize),
    Image(usize),
    ThemeStatic(usize),
    /// Everything the search index of language `k` (an index into the
    /// site's languages) is made from.
    Search(usize),
}

/// How an output shows a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum How {
    /// Everything of it: an article's page or feed item, a profile on its
    /// own page, a standalone page.
    Full,
    /// As a card in a listing (or as a neighbour link).
    Card,
    /// The file itself, copied.
    Copy,
}

/// One source shown by an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shown {
    pub source: Source,
    pub how: How,
}

/// When a page last changed, for the sitemap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastMod {
    /// An article's `updated`, else its date.
    Article(ArticleId),
    /// A standalone page's `updated`.
    Page(PageId),
}

/// One output file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file's site path: `articles/x/index.html`, `rss.xml`.
    pub path: String,
    pub kind: Kind,
    pub job: Job,
    /// The sources it shows and how.
    pub shows: Vec<Shown>,
    /// What else decides its content besides its sources (page numbers,
    /// counts, which years exist...), as a hash.
    pub shape: u64,
    /// For pages in the sitemap: when it last changed (`None`: unknown).
    pub lastmod: Option<LastMod>,
    /// The language it is in: an index into the site's languages (files
    /// for machines and copied files: the default's, 0).
    pub edition: usize,
    /// For pages: what it is whatever its language (the same article, the
    /// third page of the same institution...): the pages with the same key
    /// are translations of one another.
    pub alternate: Option<u64>,
}

impl Entry {
    /// The source an editor wrote for a page that shows one source in full
    /// (an article, a profile on its first page, a standalone page) or a
    /// copied file: where `check` reports a broken link written in it.
    pub fn written_source(&self) -> Option<Source> {
        match self.job {
            Job::Article(_) | Job::Page(_) | Job::Institution(_, PageNo(1)) | Job::Country(_, PageNo(1)) => {
                self.shows.iter().find(|s| s.how == How::Full).map(|s| s.source)
            }
            Job::Asset(i) => Some(Source::Asset(i)),
            Job::ThemeStatic(i) => Some(Source::ThemeStatic(i)),
            _ => None,
        }
    }
}

/// Every output of a build.
#[derive(Debug, Clone)]
pub struct Plan {
    pub entries: Vec<Entry>,
    /// How many `sitemap-N.xml` parts there are (0: one `sitemap.xml`).
    pub sitemap_parts: usize,
    /// The pages of each alternate key (see [`Entry::alternate`]), as indexes
    /// into `entries` in the order of the site's languages.
    pub alternates: rustc_hash::FxHashMap<u64, Vec<usize>>,
}

/// How many URLs one sitemap file may list (the sitemap protocol's limit).
pub const SITEMAP_LIMIT: usize = 50_000;

/// What a render produced, counted from the plan: `build` and `check` say the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// HTML pages, feeds and other generated files.
    pub pages: usize,
    /// Static files copied.
    pub assets: usize,
    /// The search index's files and script.
    pub search: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        write!(f, "{} page{}", self.pages, plural(self.pages))?;
        if self.search > 0 {
            write!(f, ", {} search index file{}", self.search, plural(self.search))?;
        }
        write!(f, " and {} static file{}", self.assets, plural(self.assets))
    }
}

impl Plan {
    /// Plans every output of the site, refusing two sources for one path.
    pub fn new(site: &Site, editions: &[&Index], theme: &Theme) -> Result<Plan, Vec<Diagnostic>> {
        let mut planner = Planner::new(site, editions);
        planner.search = theme.has("search.html");
        let plan = planner.plan(theme);
        plan.check_collisions(site, theme)?;
        Ok(plan)
    }

    /// The counts a build reports.
    pub fn summary(&self) -> Summary {
        let count = |kind| self.entries.iter().filter(|e| e.kind == kind).count();
        let (assets, search) = (count(Kind::Asset), count(Kind::Search));
        Summary { pages: self.entries.len() - assets - search, assets, search }
    }

    /// The pages the sitemap lists, in plan order, with when each last changed.
    pub fn sitemap(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == Kind::Page && e.job != Job::NotFound)
    }

    /// The translations of the page `entry` (itself included), in the order
    /// of the site's languages: empty for what is not a page.
    pub fn translations(&self, entry: &Entry) -> &[usize] {
        entry.alternate.and_then(|key| self.alternates.get(&key)).map_or(&[], Vec::as_slice)
    }

    /// The entry that writes `path`, if any.
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// The source an editor wrote for the page at `path` (see [`Entry::written_source`]).
    pub fn source_of_path(&self, path: &str) -> Option<Source> {
        self.entry(path)?.written_source()
    }

    /// A hash per entry (in the order of `entries`) of everything it shows,
    /// given the versions of the sources: two plans give an entry the same
    /// fingerprint only when it would render to the same bytes.
    pub fn fingerprints(&self, versions: &Versions, site: &Site) -> Vec<u64> {
        // The sitemap shows the paths and dates of every page.
        let mut sitemap = hasher();
        for e in self.sitemap() {
            e.path.hash(&mut sitemap);
            match e.lastmod {
                Some(LastMod::Article(ArticleId(i))) => {
                    // The date itself decides how the sitemap writes it (or leaves it out).
                    let a = &site.articles[i];
                    a.updated.as_ref().unwrap_or(&a.date).hash(&mut sitemap)
                }
                Some(LastMod::Page(PageId(i))) => site.pages[i].updated.hash(&mut sitemap),
                None => 0u8.hash(&mut sitemap),
            }
        }
        let sitemap = sitemap.finish();
        self.entries
            .par_iter()
            .map(|e| {
                let mut h = hasher();
                versions.global.hash(&mut h);
                // The kind of job, not its numbers: those follow the order of
                // the site, which an edit elsewhere may shift.
                std::mem::discriminant(&e.job).hash(&mut h);
                e.shape.hash(&mut h);
                for shown in &e.shows {
                    versions.of(*shown).hash(&mut h);
                }
                if e.kind == Kind::Sitemap {
                    sitemap.hash(&mut h);
                }
                e.edition.hash(&mut h);
                // Its alternate links and language switcher.
                for &t in self.translations(e) {
                    self.entries[t].path.hash(&mut h);
                }
                h.finish()
            })
            .collect()
    }

    fn check_collisions(&self, site: &Site, theme: &Theme) -> Result<(), Vec<Diagnostic>> {
        let mut seen: HashMap<&str, &Entry> = HashMap::with_capacity(self.entries.len());
        let mut problems = Vec::new();
        for entry in &self.entries {
            if let Some(first) = seen.insert(entry.path.as_str(), entry) {
                let (first_path, first_desc) = describe(first, site, theme);
                let (this_path, this_desc) = describe(entry, site, theme);
                // Report at a file the editor wrote, preferring the later one.
                let shown = if this_path != "content" { this_path } else { first_path };
                problems.push(Diagnostic::new(
                    shown,
                    format!(
                        "{this_desc} and {first_desc} would both be written to `/{}`, expected every URL to come from one source",
                        entry.path
                    ),
                ));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// The versions of every source, as hashes of what outputs show of them:
/// an incremental rebuild computes them for the new site and compares
/// fingerprints with the last plan's.
#[derive(Debug, Clone, Default)]
pub struct Versions {
    /// Everything every page shows: site.toml, the theme, the navigation.
    pub global: u64,
    pub article_full: Vec<u64>,
    pub article_card: Vec<u64>,
    pub institution_full: Vec<u64>,
    pub institution_card: Vec<u64>,
    pub country_full: Vec<u64>,
    pub country_card: Vec<u64>,
    pub page: Vec<u64>,
    pub asset: Vec<u64>,
    pub image: Vec<u64>,
    pub theme_static: Vec<u64>,
    /// What each language's search index is made from.
    pub search: Vec<u64>,
}

impl Versions {
    fn of(&self, shown: Shown) -> u64 {
        let Shown { source, how } = shown;
        match (source, how) {
            (Source::Article(ArticleId(i)), How::Card) => self.article_card[i],
            (Source::Article(ArticleId(i)), _) => self.article_full[i],
            (Source::Institution(id), How::Card) => self.institution_card[id],
            (Source::Institution(id), _) => self.institution_full[id],
            (Source::Country(id), How::Card) => self.country_card[id],
            (Source::Country(id), _) => self.country_full[id],
            (Source::Page(PageId(i)), _) => self.page[i],
            (Source::Asset(i), _) => self.asset[i],
            (Source::Image(i), _) => self.image[i],
            (Source::ThemeStatic(i), _) => self.theme_static[i],
            (Source::Search(k), _) => self.search[k],
        }
    }
}

/// A hasher that gives the same value for the same input in every process
/// (no random keys), and is fast on the many small values a plan hashes.
pub fn hasher() -> rustc_hash::FxHasher {
    rustc_hash::FxHasher::default()
}

/// A hash of any hashable value, with [`hasher`].
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}

/// Where an entry comes from, for collision messages: (shown path, description).
fn describe(entry: &Entry, site: &Site, theme: &Theme) -> (String, String) {
    let file = |p: &str| (p.to_string(), format!("`{p}`"));
    match entry.job {
        Job::Article(ArticleId(i)) => file(&site.articles[i].rel_path),
        Job::Page(PageId(i)) => file(&site.pages[i].rel_path),
        Job::Asset(i) => file(&site.assets[i].rel_path),
        Job::Image(i) => {
            let shown = &site.images.files[i].rel_path;
            (shown.clone(), format!("a resized copy of `{shown}`"))
        }
        Job::Institution(i, _) | Job::InstitutionFeed(i) => file(&site.institutions[i].rel_path),
        Job::Country(i, _) | Job::CountryFeed(i) => match &site.countries[i].rel_path {
            Some(p) => file(p),
            None => ("content".into(), format!("the country `{}` named by institutions", site.countries[i].name)),
        },
        Job::ThemeStatic(i) => {
            let source = theme.static_files.values().nth(i).map(|p| p.as_path()).unwrap_or(site.root.as_path());
            file(&crate::error::display_path(&site.root, source))
        }
        other => {
            let name = match other {
                Job::Home => "home",
                Job::Articles(_) => "article listing",
                Job::Institutions => "institutions",
                Job::Countries => "countries",
                Job::Years | Job::Year(_) => "year archive",
                Job::Topics | Job::Topic(..) | Job::TopicFeed(_) => "topic",
                Job::SiteFeed => "site feed",
                Job::Sitemap | Job::SitemapPart(_) => "sitemap",
                Job::Robots => "robots.txt",
                Job::NotFound => "404",
                Job::Search | Job::SearchFile(_) | Job::SearchScript => "search",
                _ => "index",
            };
            ("content".into(), format!("the generated {name} page"))
        }
    }
}

/// Builds the entries.
struct Planner<'a> {
    site: &'a Site,
    editions: &'a [&'a Index],
    /// The language being planned.
    edition: usize,
    index: &'a Index,
    routes: Routes,
    entries: Vec<Entry>,
    /// Whether the theme has a search page.
    search: bool,
}

/// An alternate key (see [`Entry::alternate`]).
fn alternate<T: Hash>(what: T) -> Option<u64> {
    Some(hash_of(&what))
}

impl<'a> Planner<'a> {
    fn new(site: &'a Site, editions: &'a [&'a Index]) -> Self {
        let index = editions[0];
        let routes = Routes::new(&site.config.language);
        Planner { site, editions, edition: 0, index, routes, entries: Vec::new(), search: false }
    }

    fn lang(&self) -> &str {
        &self.index.lang
    }

    fn push(&mut self, path: String, kind: Kind, job: Job, shows: Vec<Shown>, shape: u64, lastmod: Option<LastMod>) {
        self.push_page(path, kind, job, shows, shape, lastmod, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_page(
        &mut self,
        path: String,
        kind: Kind,
        job: Job,
        shows: Vec<Shown>,
        shape: u64,
        lastmod: Option<LastMod>,
        alternate: Option<u64>,
    ) {
        let edition = self.edition;
        self.entries.push(Entry { path, kind, job, shows, shape, lastmod, edition, alternate });
    }

    fn plan(mut self, theme: &Theme) -> Plan {
        let site = self.site;
        for (k, index) in self.editions.iter().enumerate() {
            self.edition = k;
            self.index = index;
            self.plan_language();
        }
        self.edition = 0;

        // Files for machines, and the 404 page (one, in every language: see README).
        self.push("robots.txt".into(), Kind::Robots, Job::Robots, Vec::new(), 0, None);
        self.push("404.html".into(), Kind::Page, Job::NotFound, Vec::new(), 0, None);
        let pages = self.entries.iter().filter(|e| e.kind == Kind::Page && e.job != Job::NotFound).count();
        let parts = if pages <= SITEMAP_LIMIT { 0 } else { pages.div_ceil(SITEMAP_LIMIT) };
        self.push("sitemap.xml".into(), Kind::Sitemap, Job::Sitemap, Vec::new(), parts as u64, None);
        for k in 1..=parts {
            self.push(format!("sitemap-{k}.xml"), Kind::Sitemap, Job::SitemapPart(k), Vec::new(), 0, None);
        }

        // The search script, for the search pages of every language.
        if self.search {
            self.push("search/search.js".into(), Kind::Search, Job::SearchScript, Vec::new(), 0, None);
        }

        // Static files.
        for (i, site_path) in theme.static_files.keys().enumerate() {
            let shows = vec![shown(Source::ThemeStatic(i), How::Copy)];
            self.push(site_path.clone(), Kind::Asset, Job::ThemeStatic(i), shows, 0, None);
        }
        for (i, asset) in site.assets.iter().enumerate() {
            let shows = vec![shown(Source::Asset(i), How::Copy)];
            self.push(asset.site_path.clone(), Kind::Asset, Job::Asset(i), shows, 0, None);
        }
        for (i, image) in site.images.files.iter().enumerate() {
            let shows = vec![shown(Source::Image(i), How::Copy)];
            self.push(image.site_path.clone(), Kind::Asset, Job::Image(i), shows, 0, None);
        }
        let mut alternates: rustc_hash::FxHashMap<u64, Vec<usize>> = rustc_hash::FxHashMap::default();
        if site.config.is_multilingual() {
            for (i, e) in self.entries.iter().enumerate() {
                if let Some(key) = e.alternate {
                    alternates.entry(key).or_default().push(i);
                }
            }
        }
        Plan { entries: self.entries, sitemap_parts: parts, alternates }
    }

    /// Every page and feed of one language.
    fn plan_language(&mut self) {
        let (site, index) = (self.site, self.index);
        let lang = self.lang().to_string();
        let all: &[usize] = &index.articles;
        let own: Vec<usize> = all.iter().copied().filter(|&i| site.articles[i].lang == lang).collect();
        let newest = self.newest(all);
        let feed_limit = site.config.feed_limit;

        // Home: the latest articles and every institution, country and year.
        let mut shows = cards(index.home.iter());
        shows.extend(site.institution_ids().map(|id| shown(Source::Institution(id), How::Card)));
        shows.extend(site.country_ids().map(|id| shown(Source::Country(id), How::Card)));
        let years_shape = hash_of(&index.years.iter().map(|y| (y.year, y.articles.len())).collect::<Vec<_>>());
        let path = file_of(&self.routes.home(&lang));
        self.push_page(path, Kind::Page, Job::Home, shows, years_shape, newest, alternate("home"));
        self.feed(self.routes.feed(&self.routes.home(&lang)), Job::SiteFeed, &own, None, feed_limit);

        // Every article of the language, with its neighbours in its listing.
        for (k, &i) in all.iter().enumerate() {
            let a = &site.articles[i];
            if a.lang != lang {
                continue;
            }
            let mut shows = vec![shown(Source::Article(ArticleId(i)), How::Full)];
            let neighbours = [k.checked_sub(1).map(|k| all[k]), all.get(k + 1).copied()];
            shows.extend(neighbours.iter().flatten().map(|&j| shown(Source::Article(ArticleId(j)), How::Card)));
            let related = &index.related[i];
            shows.extend(related.iter().map(|&j| shown(Source::Article(ArticleId(j)), How::Card)));
            let shape = hash_of(&(neighbours.map(|n| n.is_some()), related.len()));
            let path = file_of(&self.routes.article(&a.lang, &a.slug));
            let lastmod = Some(LastMod::Article(ArticleId(i)));
            let key = alternate(("article", &a.group));
            self.push_page(path, Kind::Page, Job::Article(ArticleId(i)), shows, shape, lastmod, key);
        }
        self.listing(&self.routes.articles(&lang), all, Job::Articles, &[], newest, "articles");

        // Institutions.
        let mut shows: Vec<Shown> =
            site.institution_ids().map(|id| shown(Source::Institution(id), How::Card)).collect();
        shows.extend(site.country_ids().map(|id| shown(Source::Country(id), How::Card)));
        let shape = hash_of(&index.institutions_by_country);
        let path = file_of(&self.routes.institutions(&lang));
        self.push_page(path, Kind::Page, Job::Institutions, shows, shape, newest, alternate("institutions"));
        for (id, inst) in site.institution_ids().zip(&site.institutions) {
            let base = self.routes.institution(&lang, &inst.slug);
            let ids = &index.by_institution[id];
            // The profile in full on the first page; the pages after it name the institution.
            let profile = [shown(Source::Institution(id), How::Full)];
            let named = [shown(Source::Institution(id), How::Card)];
            let job = |n| Job::Institution(id, n);
            let key = ("institution", id.0);
            self.listing_shaped(&base, ids, job, (&profile, &named), self.newest(ids), 0, key);
            let own = self.own(ids);
            self.feed(self.routes.feed(&base), Job::InstitutionFeed(id), &own, Some(profile[0]), feed_limit);
        }

        // Countries.
        let shows: Vec<Shown> = site.country_ids().map(|id| shown(Source::Country(id), How::Card)).collect();
        let path = file_of(&self.routes.countries(&lang));
        self.push_page(path, Kind::Page, Job::Countries, shows, 0, newest, alternate("countries"));
        for (id, c) in site.country_ids().zip(&site.countries) {
            let base = self.routes.country(&lang, &c.slug);
            let ids = index.country(id);
            // The profile and the country's institutions on the first page only.
            let mut profile = vec![shown(Source::Country(id), How::Full)];
            profile.extend(index.institutions_by_country[id].iter().map(|&i| shown(Source::Institution(i), How::Card)));
            let named = [shown(Source::Country(id), How::Card)];
            let job = |n| Job::Country(id, n);
            self.listing_shaped(&base, ids, job, (&profile, &named), self.newest(ids), 0, ("country", id.0));
            let own = self.own(ids);
            self.feed(self.routes.feed(&base), Job::CountryFeed(id), &own, Some(profile[0]), feed_limit);
        }

        // Years.
        let path = file_of(&self.routes.years(&lang));
        self.push_page(path, Kind::Page, Job::Years, Vec::new(), years_shape, newest, alternate("years"));
        for (k, y) in index.years.iter().enumerate() {
            let shows = cards(y.articles.iter());
            let neighbours = [k.checked_sub(1), (k + 1 < index.years.len()).then_some(k + 1)]
                .map(|n| n.map(|n| (index.years[n].year, index.years[n].articles.len())));
            let shape = hash_of(&(y.year, neighbours));
            let path = file_of(&self.routes.year(&lang, y.year));
            let key = alternate(("year", y.year));
            self.push_page(path, Kind::Page, Job::Year(YearId(k)), shows, shape, self.newest(&y.articles), key);
        }

        // Topics: a page of every topic, and a listing with a feed for each.
        let topics_shape =
            hash_of(&index.topics.iter().map(|t| (&t.name, &t.slug, t.articles.len())).collect::<Vec<_>>());
        let path = file_of(&self.routes.topics(&lang));
        self.push_page(path, Kind::Page, Job::Topics, Vec::new(), topics_shape, newest, alternate("topics"));
        for (k, topic) in index.topics.iter().enumerate() {
            let base = self.routes.topic(&lang, &topic.slug);
            let id = TopicId(k);
            let named = hash_of(&topic.name);
            let lastmod = self.newest(&topic.articles);
            let key = ("topic", topic.slug.as_str());
            self.listing_shaped(&base, &topic.articles, |n| Job::Topic(id, n), (&[], &[]), lastmod, named, key);
            let own = self.own(&topic.articles);
            self.feed_shaped(self.routes.feed(&base), Job::TopicFeed(id), &own, None, feed_limit, named);
        }

        // Standalone pages.
        for (i, p) in site.pages.iter().enumerate().filter(|(_, p)| p.lang == lang) {
            let path = file_of(&self.routes.page(&p.lang, &p.slug));
            let shows = vec![shown(Source::Page(PageId(i)), How::Full)];
            let lastmod = p.updated.as_ref().map(|_| LastMod::Page(PageId(i)));
            self.push_page(path, Kind::Page, Job::Page(PageId(i)), shows, 0, lastmod, alternate(("page", &p.group)));
        }

        // Search: the page, and the index it reads (a theme without
        // search.html, made before stele had search, has neither).
        if !self.search {
            return;
        }
        let base = self.routes.search(&lang);
        self.push_page(file_of(&base), Kind::Page, Job::Search, Vec::new(), 0, None, alternate("search"));
        let layout = crate::search::Layout::new(search_documents(site, index));
        for k in 0..layout.files() {
            let path = format!("{base}{}", layout.name(k));
            let shows = vec![shown(Source::Search(self.edition), How::Full)];
            self.push(path, Kind::Search, Job::SearchFile(k), shows, hash_of(&layout), None);
        }
    }

    /// The articles of `ids` written in the language being planned (a feed
    /// carries only those).
    fn own(&self, ids: &[usize]) -> Vec<usize> {
        ids.iter().copied().filter(|&i| self.site.articles[i].lang == self.index.lang).collect()
    }

    /// The pages of a paginated listing of `ids` at `base`; every page also
    /// shows `also`.
    fn listing(
        &mut self,
        base: &str,
        ids: &[usize],
        job: impl Fn(PageNo) -> Job,
        also: &[Shown],
        lastmod: Option<LastMod>,
        key: &str,
    ) {
        self.listing_shaped(base, ids, job, (also, also), lastmod, 0, (key, 0));
    }

    /// A listing whose first page also shows `first` (a profile above the
    /// list) and whose later pages show `later` (the profile's name), and
    /// whose pages show something that is not a source (a topic's name),
    /// given as a hash in `extra`. `key` says what the listing is whatever
    /// its language (see [`Entry::alternate`]).
    #[allow(clippy::too_many_arguments)]
    fn listing_shaped(
        &mut self,
        base: &str,
        ids: &[usize],
        job: impl Fn(PageNo) -> Job,
        (first, later): (&[Shown], &[Shown]),
        lastmod: Option<LastMod>,
        extra: u64,
        key: (&str, impl Hash + Copy),
    ) {
        let per = self.site.config.paginate;
        let total = ids.len().div_ceil(per).max(1);
        for n in 1..=total {
            let mut shows = if n == 1 { first.to_vec() } else { later.to_vec() };
            shows.extend(cards(ids.iter().skip((n - 1) * per).take(per)));
            let shape = hash_of(&(n, total, ids.len(), extra));
            let path = file_of(&paginated(base, n));
            self.push_page(path, Kind::Page, job(PageNo(n)), shows, shape, lastmod, alternate((key, n)));
        }
    }

    /// A feed of the newest articles of `ids`, in full.
    fn feed(&mut self, path: String, job: Job, ids: &[usize], owner: Option<Shown>, limit: usize) {
        self.feed_shaped(path, job, ids, owner, limit, 0);
    }

    /// A feed whose channel also shows something that is not a source (a topic's name).
    fn feed_shaped(&mut self, path: String, job: Job, ids: &[usize], owner: Option<Shown>, limit: usize, extra: u64) {
        let mut shows: Vec<Shown> =
            ids.iter().take(limit).map(|&i| shown(Source::Article(ArticleId(i)), How::Full)).collect();
        // The feed's title names its institution or country.
        shows.extend(owner.map(|s| Shown { how: How::Card, ..s }));
        self.push(path, Kind::Feed, job, shows, extra, None);
    }

    /// The article of `ids` that changed last (a listing's sitemap date).
    fn newest(&self, ids: &[usize]) -> Option<LastMod> {
        let articles = &self.site.articles;
        ids.iter().copied().max_by_key(|&i| articles[i].lastmod_key).map(|i| LastMod::Article(ArticleId(i)))
    }
}

/// How many documents a language's search index has: the articles its
/// listings show, its pages, and every institution's profile (see
/// `SearchSource::doc` in [`crate::render`], which lists them in this order).
pub fn search_documents(site: &Site, index: &Index) -> usize {
    index.articles.len() + site.pages_in(&index.lang).len() + site.institutions.len()
}

fn shown(source: Source, how: How) -> Shown {
    Shown { source, how }
}

fn cards<'i>(ids: impl Iterator<Item = &'i usize>) -> Vec<Shown> {
    ids.map(|&i| shown(Source::Article(ArticleId(i)), How::Card)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_the_same_in_every_process() {
        // DefaultHasher::new() has fixed keys: fingerprints can be compared across rebuilds.
        assert_eq!(hash_of("articles/x/index.html"), hash_of("articles/x/index.html"));
        assert_ne!(hash_of(&(1usize, 2usize)), hash_of(&(2usize, 1usize)));
    }
}
