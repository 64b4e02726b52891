//! Rendering: a loaded [`Site`] and a [`Theme`] -> every output file.
//!
//! First every output is planned as a [`Job`] with the source it comes from,
//! so that two sources that would write one URL are refused before anything
//! is written (naming both). Then the views every page shares (article
//! cards, institution and country cards) are built once, and the jobs are
//! rendered in parallel, each handing its bytes to the [`Output`] as soon as
//! it is done. All problems are collected and returned together.
//!
//! Feeds and the sitemap are for machines, so their rules are strict (see
//! [`feed`]): an RSS item's description is the article's whole HTML with
//! every URL absolute, its pubDate is RFC 2822 with the site's offset, and a
//! channel's lastBuildDate is its newest item's date; the sitemap lists every
//! HTML page but 404.html, with the W3C date it last changed. No output ever
//! depends on the clock, so two builds of the same inputs are identical.
//!
//! Each language of the site has its own views (a `Voice`: its site view
//! and words, its cards with names in its language, its dates); languages
//! are rendered one after the other so that only one set of cards is held.

pub mod feed;
pub mod html;
pub mod strings;
pub mod theme;
pub mod view;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::BaseUrl;
use crate::content::date::PubDate;
use crate::content::{CountryId, InstitutionId, Site};
use crate::error::Diagnostic;
use crate::image::view::Role;
use crate::index::TopicId;
use crate::index::{Editions, Index};
use crate::output::Output;
use crate::plan::route::{Routes, paginated};
use crate::plan::{ArticleId, Entry, Job, LastMod, PageId, PageNo, Plan, SITEMAP_LIMIT, Summary, YearId};
use crate::render::theme::{CARD_LEVELS, Theme};
use view::*;

/// Everything prepared once per build and shared by all jobs: the views of
/// each language of the site.
pub struct Renderer<'a> {
    site: &'a Site,
    voices: Vec<Voice<'a>>,
}

/// The views of one language, shared by all its jobs.
struct Voice<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// Its place in the site's languages.
    edition: usize,
    language: &'a crate::config::Language,
    index: Index,
    routes: Routes,
    base: &'a BaseUrl,
    site_view: Shared<SiteView>,
    /// Dates in the language.
    dates: crate::content::date::DateFormat,
    /// Each article as listings show it, made on first use (an incremental
    /// rebuild needs only a few).
    /// (Boxed: most slots stay empty in a language that shows few of the
    /// site's articles, and an empty slot is then a pointer, not a card.)
    cards: Vec<std::sync::OnceLock<Box<Shared<ArticleCard>>>>,
    /// Whether cards are rendered ahead of the pages (see [`CARD_LEVELS`]).
    renders_cards: bool,
    /// Problems of rendering cards ahead of the pages.
    card_problems: std::sync::Mutex<Vec<Diagnostic>>,
    /// Cards rendered by earlier updates (`serve`), with the hash of this
    /// language's site view, which the card component also shows.
    card_cache: Option<(std::sync::Arc<CardCache>, u64)>,
    institution_links: Vec<TermLink>,
    country_links: Vec<TermLink>,
    institution_cards: Vec<InstitutionCard>,
    country_cards: Vec<CountryCard>,
    /// The cards in the language's order of names.
    institutions_listed: Vec<InstitutionCard>,
    countries_listed: Vec<CountryCard>,
    year_cards: Vec<YearCard>,
    theme_static: Vec<(&'a String, &'a std::path::PathBuf)>,
    /// The sitemap's entries, made once.
    sitemap: std::sync::OnceLock<Vec<SitemapEntry>>,
    /// Each article's feed item, made once however many feeds carry it.
    feed_items: Vec<std::sync::OnceLock<Box<Result<FeedItem, Diagnostic>>>>,
    /// For the default language's voice: the site in the other languages (for the 404 page).
    other_sites: Vec<SiteView>,
}

/// Cards rendered through the theme's component, kept by `serve` from one
/// update to the next: a listing that shifts after an edit shows cards that
/// did not change, and rendering them again would be most of its cost. A
/// card is found by a hash of its view and of its language's site view (the
/// component shows both); a cache is good for one version of the templates
/// only, and the session makes a new one when they change.
#[derive(Default)]
pub struct CardCache {
    html: std::sync::Mutex<rustc_hash::FxHashMap<u64, [tera::Value; CARD_LEVELS.len()]>>,
}

impl CardCache {
    fn get(&self, key: u64) -> Option<[tera::Value; CARD_LEVELS.len()]> {
        self.html.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned()
    }

    fn put(&self, key: u64, html: [tera::Value; CARD_LEVELS.len()]) {
        self.html.lock().unwrap_or_else(|e| e.into_inner()).insert(key, html);
    }

    /// Forgets every card once there are more than `limit` (old versions of
    /// edited cards add up); the next update renders what it needs again.
    pub fn limit(&self, limit: usize) {
        let mut html = self.html.lock().unwrap_or_else(|e| e.into_inner());
        if html.len() > limit {
            html.clear();
        }
    }
}

/// What a language's search index is made from: the site and what the
/// language's voice knows of it, owned, so that the index is made on a
/// thread of its own while the pages are rendered (and the voice lets go of
/// its cards between languages).
struct SearchSource<'a> {
    site: &'a Site,
    lang: &'a str,
    routes: Routes,
    articles: Vec<usize>,
    pages: Vec<usize>,
    count: usize,
    dates: crate::content::date::DateFormat,
    /// Each institution's name in the language, and its other names.
    institutions: Vec<String>,
    other_names: Vec<Vec<String>>,
}

impl<'a> SearchSource<'a> {
    /// The index's files, in the order of [`crate::search::Layout`].
    fn build(&self) -> Vec<Vec<u8>> {
        crate::search::build(self.lang, self.count, |k| self.doc(k))
    }

    /// Document `k`: in the order of [`crate::plan::search_documents`], the
    /// articles the language's listings show (newest first), its pages, and
    /// the profile of every institution.
    fn doc(&self, k: usize) -> crate::search::Doc<'a> {
        use crate::search::Doc;
        let (site, lang) = (self.site, self.lang);
        if let Some(&i) = self.articles.get(k) {
            let a = &site.articles[i];
            return Doc {
                url: self.relative_to_root(&self.routes.article(&a.lang, &a.slug)),
                title: a.title.clone(),
                date_iso: Some(a.date.iso()),
                date_display: Some(a.date.display(&self.dates)),
                institutions: a.institutions.iter().map(|&id| self.institutions[id].clone()).collect(),
                summary: a.summary.clone(),
                html: &a.body.html,
            };
        }
        if let Some(&i) = self.pages.get(k - self.articles.len()) {
            let p = &site.pages[i];
            return Doc {
                url: self.relative_to_root(&self.routes.page(&p.lang, &p.slug)),
                title: p.title.clone(),
                date_iso: p.updated.as_ref().map(|u| u.iso()),
                date_display: p.updated.as_ref().map(|u| u.display(&self.dates)),
                summary: p.summary.clone(),
                html: &p.body.html,
                ..Doc::default()
            };
        }
        let id = InstitutionId(k - self.articles.len() - self.pages.len());
        let inst = &site.institutions[id];
        let profile = inst.profile_in(lang);
        Doc {
            url: self.relative_to_root(&self.routes.institution(lang, &inst.slug)),
            title: self.institutions[id].clone(),
            institutions: self.other_names[id].clone(),
            summary: profile.body.first_paragraph.clone(),
            html: &profile.body.html,
            ..Doc::default()
        }
    }

    /// A site path as the search index writes it: relative to the
    /// language's root (`articles/x/` on `/fr/`, `../articles/x/` for the
    /// default language's page shown in French).
    fn relative_to_root(&self, site_path: &str) -> String {
        let root = self.routes.home(self.lang);
        let path = crate::plan::route::url_path(site_path);
        match site_path.strip_prefix(root.as_str()) {
            Some(rest) => crate::plan::route::url_path(rest),
            None => format!("{}{path}", "../".repeat(root.matches('/').count())),
        }
    }
}

/// The entry being rendered, with its plan (for its translations).
#[derive(Clone, Copy)]
struct At<'p> {
    plan: &'p Plan,
    entry: &'p Entry,
}

/// Renders the whole site into `out`.
pub fn render_site(site: &Site, theme: &Theme, out: &dyn Output) -> Result<Summary, Vec<Diagnostic>> {
    let mut renderer = Renderer::new(site, theme);
    let plan = renderer.plan()?;
    let all: Vec<&Entry> = plan.entries.iter().collect();
    renderer.render(&plan, &all, out)?;
    Ok(plan.summary())
}

/// The other names of a term on a page in language `code` whose name for
/// it is `shown`: its name in the default language when that is not the one
/// shown, then its own name (see [`crate::content::Institution::native`])
/// when that is neither; each with its BCP 47 tag.
fn other_names(
    config: &crate::config::Config,
    code: &str,
    shown: &str,
    default_name: &str,
    (names, native): (&std::collections::BTreeMap<String, String>, Option<&String>),
) -> Vec<NativeName> {
    let tag = |lang: &str| config.lang(lang).map_or(lang, |l| l.tag.as_str()).to_string();
    let mut list = Vec::new();
    if shown != default_name {
        list.push(NativeName { lang: config.default_language().tag.clone(), name: default_name.to_string() });
    }
    if let Some(lang) = native.filter(|l| *l != code)
        && let Some(name) = names.get(lang).filter(|n| *n != shown && *n != default_name)
    {
        list.push(NativeName { lang: tag(lang), name: name.clone() });
    }
    list
}

impl<'a> Renderer<'a> {
    /// Prepares the shared views.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        Renderer::with_editions(site, theme, Editions::new(site))
    }

    /// Prepares the shared views with groupings already made for this site
    /// (`serve` keeps them while no article moves between them).
    pub fn with_editions(site: &'a Site, theme: &'a Theme, editions: Editions) -> Self {
        let mut voices: Vec<Voice<'a>> =
            editions.list.into_iter().enumerate().map(|(k, index)| Voice::new(site, theme, k, index)).collect();
        let others: Vec<SiteView> = voices.iter().skip(1).map(|v| (*v.site_view).clone()).collect();
        if let Some(first) = voices.first_mut() {
            first.other_sites = others;
        }
        Renderer { site, voices }
    }

    /// Takes rendered cards from `cache` and leaves the ones it renders
    /// there (`serve`: see [`CardCache`]).
    pub fn keep_cards(&mut self, cache: &std::sync::Arc<CardCache>) {
        for voice in &mut self.voices {
            voice.card_cache = Some((std::sync::Arc::clone(cache), hash_serialized(&*voice.site_view)));
        }
    }

    /// A hash of article `i` as listings show it (its card in every language that shows it).
    pub fn card_hash(&self, i: usize) -> u64 {
        let mut h = crate::plan::hasher();
        for voice in self.voices.iter().filter(|v| v.index.position[i] != u32::MAX) {
            // (The view alone: the card's HTML is rendered from it when a page needs it.)
            let hash = match voice.cards[i].get() {
                Some(card) => hash_serialized(&***card),
                None => hash_serialized(&voice.card_view(i)),
            };
            std::hash::Hash::hash(&hash, &mut h);
        }
        std::hash::Hasher::finish(&h)
    }

    /// A hash of an institution as lists show it.
    pub fn institution_card_hash(&self, id: InstitutionId) -> u64 {
        crate::plan::hash_of(&self.voices.iter().map(|v| hash_serialized(&v.institution_cards[id])).collect::<Vec<_>>())
    }

    /// A hash of a country as lists show it.
    pub fn country_card_hash(&self, id: CountryId) -> u64 {
        crate::plan::hash_of(&self.voices.iter().map(|v| hash_serialized(&v.country_cards[id])).collect::<Vec<_>>())
    }

    /// A hash of what every page shows of the site (titles, navigation).
    pub fn site_view_hash(&self) -> u64 {
        crate::plan::hash_of(&self.voices.iter().map(|v| hash_serialized(&*v.site_view)).collect::<Vec<_>>())
    }

    /// The articles language `k` shows (its listings' and its search index's).
    pub fn articles_in(&self, k: usize) -> &[usize] {
        &self.voices[k].index.articles
    }

    /// The theme's static files, in plan order.
    pub fn theme_static_sources(&self) -> impl Iterator<Item = &std::path::Path> {
        self.voices[0].theme_static.iter().map(|(_, source)| source.as_path())
    }

    /// Plans every output of the site (see [`Plan`]).
    pub fn plan(&self) -> Result<Plan, Vec<Diagnostic>> {
        let indexes: Vec<&Index> = self.voices.iter().map(|v| &v.index).collect();
        Plan::new(self.site, &indexes, self.voices[0].theme)
    }

    /// The site's groupings, kept when the renderer is done.
    pub fn into_editions(self) -> Editions {
        Editions { list: self.voices.into_iter().map(|v| v.index).collect() }
    }

    /// Renders the given entries of `plan` in parallel into `out`, collecting every problem.
    /// One language after the other: what a language's pages share (its
    /// cards, its feed items) is let go before the next language is
    /// rendered, so that a site in three languages does not hold three
    /// sets at once. The sitemap is made beside the first language's pages,
    /// and the search indexes on a thread of their own beside all of them.
    pub fn render(&mut self, plan: &Plan, entries: &[&Entry], out: &dyn Output) -> Result<(), Vec<Diagnostic>> {
        let is_search = |e: &&&Entry| matches!(e.job, Job::SearchFile(_));
        // The search indexes are made on a thread of their own, one language
        // after the other, while the pages are rendered: the build has moments
        // when a core waits (reading, the sitemap), which the index fills.
        let wanted: Vec<usize> =
            (0..self.voices.len()).filter(|&k| entries.iter().any(|e| e.edition == k && is_search(&e))).collect();
        let sources: Vec<(usize, SearchSource<'a>)> =
            wanted.iter().map(|&k| (k, self.voices[k].search_source())).collect();
        std::thread::scope(|scope| {
            // With pages to render, the index has its own pool of one thread,
            // so that its work does not queue behind (or ahead of) the pages'
            // in the global pool; alone (serve's second step), it has them all.
            let alone = entries.iter().all(|e| matches!(e.job, Job::SearchFile(_)));
            let indexes = scope.spawn(move || {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(if alone { 0 } else { 1 }).build();
                sources
                    .iter()
                    .map(|(k, source)| {
                        (*k, pool.as_ref().map_or_else(|_| source.build(), |p| p.install(|| source.build())))
                    })
                    .collect::<Vec<_>>()
            });
            let mut problems: Vec<Diagnostic> = Vec::new();
            // Language after language, so that each lets go of its cards
            // before the next makes its own. The sitemap, which lists every
            // page of every language from the plan alone, is made beside
            // the first language's pages: it is one long job, which would
            // otherwise keep one core busy while the other waits.
            let is_sitemap = |entry: &&&Entry| entry.kind == crate::plan::Kind::Sitemap;
            for k in 0..self.voices.len() {
                let voice = &self.voices[k];
                let run = |entry: &&Entry| voice.run(At { plan, entry }, out).err();
                let (sitemap, pages) = rayon::join(
                    || match k {
                        0 => entries.par_iter().filter(is_sitemap).filter_map(run).collect::<Vec<_>>(),
                        _ => Vec::new(),
                    },
                    || {
                        let mine = entries.par_iter().filter(|e| e.edition == k && !is_search(e) && !is_sitemap(e));
                        mine.filter_map(run).collect::<Vec<_>>()
                    },
                );
                problems.extend(sitemap.into_iter().chain(pages));
                problems.extend(self.voices[k].take_card_problems());
                self.voices[k].release();
            }
            let indexes = indexes.join().unwrap_or_default();
            for (k, mut files) in indexes {
                for entry in entries.iter().filter(|e| e.edition == k) {
                    if let Job::SearchFile(i) = entry.job {
                        let bytes = files.get_mut(i).map(std::mem::take).unwrap_or_default();
                        if let Err(e) = out.put(&entry.path, bytes) {
                            problems.push(Diagnostic::new(&entry.path, e.to_string()));
                        }
                    }
                }
            }
            if problems.is_empty() { Ok(()) } else { Err(problems) }
        })
    }

    /// The bytes of one generated file.
    pub fn render_entry(&self, plan: &Plan, entry: &Entry) -> Result<Vec<u8>, Diagnostic> {
        self.voices[entry.edition].render_job(At { plan, entry })
    }
}

impl<'a> Voice<'a> {
    /// Prepares the shared views of language `edition`.
    fn new(site: &'a Site, theme: &'a Theme, edition: usize, index: Index) -> Self {
        let config = &site.config;
        let language = &config.languages[edition];
        let lang = language.code.as_str();
        let routes = Routes::new(&config.language);
        let base = &config.base_url;
        // A term's name in this language, its page, and its other names.
        let term_link =
            |(name, default_name, names, native): (&str, &str, _, Option<&String>), path: String| TermLink {
                name: name.to_string(),
                url: base.url(&path),
                names: other_names(config, lang, name, default_name, (names, native)),
            };
        let country_links: Vec<TermLink> = site
            .countries
            .iter()
            .map(|c| term_link((c.name_in(lang), &c.name, &c.names, c.native.as_ref()), routes.country(lang, &c.slug)))
            .collect();
        let institution_links: Vec<TermLink> = site
            .institutions
            .iter()
            .map(|i| {
                let path = routes.institution(lang, &i.slug);
                term_link((i.name_in(lang), &i.name, &i.names, i.native.as_ref()), path)
            })
            .collect();
        let cards = (0..site.articles.len()).map(|_| std::sync::OnceLock::new()).collect();
        let institution_cards: Vec<InstitutionCard> = site
            .institutions
            .iter()
            .enumerate()
            .map(|(id, i)| InstitutionCard {
                name: institution_links[id].name.clone(),
                url: institution_links[id].url.clone(),
                names: institution_links[id].names.clone(),
                city: i.profile_in(lang).city.map(str::to_string),
                country: country_links[i.country].clone(),
                article_count: index.by_institution[id].len(),
            })
            .collect();
        let country_cards: Vec<CountryCard> = site
            .countries
            .iter()
            .enumerate()
            .map(|(id, _)| CountryCard {
                name: country_links[id].name.clone(),
                url: country_links[id].url.clone(),
                names: country_links[id].names.clone(),
                article_count: index.by_country[id].len(),
                institution_count: index.institutions_by_country[id].len(),
            })
            .collect();
        let year_cards: Vec<YearCard> = index
            .years
            .iter()
            .map(|y| YearCard {
                year: y.year,
                url: base.url(&routes.year(lang, y.year)),
                article_count: y.articles.len(),
            })
            .collect();
        // Navigation: each page in this language, else its original.
        let pages: Vec<&crate::content::Page> = site.pages_in(lang).into_iter().map(|i| &site.pages[i]).collect();
        let site_view = Shared::new(SiteView {
            title: language.title.clone(),
            description: language.description.clone(),
            base_url: base.as_str().to_string(),
            home_url: base.url(&routes.home(lang)),
            root_url: base.url(""),
            language: language.tag.clone(),
            lang: lang.to_string(),
            languages: config
                .languages
                .iter()
                .map(|l| LanguageView {
                    code: l.code.clone(),
                    tag: l.tag.clone(),
                    name: l.name.clone(),
                    home_url: base.url(&routes.home(&l.code)),
                })
                .collect(),
            t: theme.strings(lang).clone(),
            time_zone: config.time_zone_name.clone(),
            feed_url: base.url(&routes.feed(&routes.home(lang))),
            articles_url: base.url(&routes.articles(lang)),
            institutions_url: base.url(&routes.institutions(lang)),
            countries_url: base.url(&routes.countries(lang)),
            years_url: base.url(&routes.years(lang)),
            topics_url: base.url(&routes.topics(lang)),
            search_url: base.url(&routes.search(lang)),
            pages: pages
                .iter()
                .map(|p| Link { title: p.title.clone(), url: base.url(&routes.page(&p.lang, &p.slug)) })
                .collect(),
            extra: config.extra.clone(),
        });
        let theme_static = theme.static_files.iter().collect();
        let institutions_listed = index.institutions.iter().map(|&id| institution_cards[id].clone()).collect();
        let countries_listed = index.countries.iter().map(|&id| country_cards[id].clone()).collect();
        Voice {
            site,
            theme,
            edition,
            language,
            dates: crate::content::date::DateFormat::new(&language.tag),
            index,
            routes,
            base,
            site_view,
            cards,
            renders_cards: theme.renders_cards(),
            card_problems: std::sync::Mutex::default(),
            card_cache: None,
            institution_links,
            country_links,
            institution_cards,
            institutions_listed,
            countries_listed,
            country_cards,
            year_cards,
            theme_static,
            sitemap: std::sync::OnceLock::new(),
            feed_items: (0..site.articles.len()).map(|_| std::sync::OnceLock::new()).collect(),
            other_sites: Vec::new(),
        }
    }

    /// The problems of rendering cards ahead of the pages, each once (every
    /// card meets the same mistake of the component).
    fn take_card_problems(&mut self) -> Vec<Diagnostic> {
        let mut problems = std::mem::take(self.card_problems.get_mut().unwrap_or_else(|e| e.into_inner()));
        problems.sort();
        problems.dedup();
        problems
    }

    /// Lets go of the views made on the way (cards, feed items, the sitemap).
    fn release(&mut self) {
        self.cards.iter_mut().for_each(|card| drop(card.take()));
        self.feed_items.iter_mut().for_each(|item| drop(item.take()));
        drop(self.sitemap.take());
    }

    /// What this language's search index is made from (see [`SearchSource`]).
    fn search_source(&self) -> SearchSource<'a> {
        let lang: &'a str = &self.language.code;
        SearchSource {
            site: self.site,
            pages: self.site.pages_in(lang),
            articles: self.index.articles.clone(),
            count: crate::plan::search_documents(self.site, &self.index),
            routes: self.routes.clone(),
            dates: crate::content::date::DateFormat::new(&self.language.tag),
            institutions: self.institution_links.iter().map(|t| t.name.clone()).collect(),
            other_names: self
                .institution_cards
                .iter()
                .map(|c| c.names.iter().map(|n| n.name.clone()).collect())
                .collect(),
            lang,
        }
    }

    /// The search page: a form that works without the script, and the
    /// script's settings.
    fn search_page(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        // The title is the theme's (search.html's title block).
        let current = self.current(at, "", &self.language.description, "search");
        let base = self.routes.search(self.lang());
        let context = SearchContext {
            site: &self.site_view,
            current,
            search: SearchView {
                index_url: self.base.url(&base),
                script_url: self.base.url("search/search.js"),
                lang: self.lang().to_string(),
            },
        };
        self.render_template("search.html", &context)
    }

    /// Article `i` as listings show it, prepared for templates, with its
    /// card rendered through the theme's component (see [`CARD_LEVELS`]).
    fn card(&self, i: usize) -> &Shared<ArticleCard> {
        self.cards[i].get_or_init(|| {
            let view = self.card_view(i);
            if !self.renders_cards {
                return Box::new(Shared::new(view));
            }
            let kept = self
                .card_cache
                .as_ref()
                .map(|(cache, site)| (cache, crate::plan::hash_of(&(site, hash_serialized(&view)))));
            let mut card = Shared::new(view);
            let html = match kept.as_ref().and_then(|(cache, key)| cache.get(*key)) {
                Some(html) => html,
                None => {
                    let mut failed = false;
                    let html = CARD_LEVELS.map(|(level, _)| {
                        let html = self.theme.render_card(card.value(), level, self.site_view.value());
                        tera::Value::safe_string(&html.unwrap_or_else(|problem| {
                            // Reported once, by `render`; the pages get an empty card.
                            self.card_problems.lock().unwrap_or_else(|e| e.into_inner()).push(problem);
                            failed = true;
                            String::new()
                        }))
                    });
                    if let (Some((cache, key)), false) = (&kept, failed) {
                        cache.put(*key, html.clone());
                    }
                    html
                }
            };
            card.add_fields(CARD_LEVELS.map(|(_, name)| name).into_iter().zip(html));
            Box::new(card)
        })
    }

    /// What article `i`'s card is made from (which [`Voice::card`] renders).
    fn card_view(&self, i: usize) -> ArticleCard {
        let (a, base, routes, lang) = (&self.site.articles[i], self.base, &self.routes, self.lang());
        let path = routes.article(&a.lang, &a.slug);
        let language = self.site.config.lang(&a.lang);
        let year = a.date.year();
        ArticleCard {
            title: a.title.clone(),
            url: base.url(&path),
            permalink: base.permalink(&path),
            date_iso: a.date.iso(),
            date_display: a.date.display(&self.dates),
            year,
            year_url: base.url(&routes.year(lang, year)),
            summary: a.summary.clone(),
            institutions: a.institutions.iter().map(|&id| self.institution_links[id].clone()).collect(),
            countries: a.countries.iter().map(|&id| self.country_links[id].clone()).collect(),
            reading_minutes: a.body.reading_minutes,
            image: a.image.as_ref().map(|img| self.figure_view(&path, img, Role::Lead)),
            lang: language.map_or(a.lang.as_str(), |l| l.tag.as_str()).to_string(),
            language_name: (a.lang != lang).then(|| language.map_or(a.lang.as_str(), |l| l.name.as_str()).to_string()),
        }
    }

    fn lang(&self) -> &str {
        &self.language.code
    }

    /// The BCP 47 tag of text in language `code` when it is not the page's.
    fn foreign(&self, code: &str) -> Option<String> {
        (!code.is_empty() && code != self.lang()).then(|| self.tag_of(code).to_string())
    }

    /// The BCP 47 tag of language `code`.
    fn tag_of<'s>(&'s self, code: &'s str) -> &'s str {
        self.site.config.lang(code).map_or(code, |l| l.tag.as_str())
    }

    /// An image shown on the page at `page_path`.
    fn figure_view(&self, page_path: &str, figure: &crate::image::figure::Figure, role: Role) -> ImageView {
        let images = &self.site.config.images;
        crate::image::view::figure_view(
            &self.site.images,
            self.base,
            &images.sizes,
            &images.processing.widths,
            page_path,
            figure,
            role,
        )
    }

    /// A body's HTML with its figures rendered by the theme's `figure.html`.
    fn body_html(&self, page_path: &str, body: &crate::content::markdown::Rendered) -> Result<String, Diagnostic> {
        crate::image::view::fill(&body.html, |i| {
            let Some(f) = body.figures.get(i) else { return Ok(String::new()) };
            let mut figure = self.figure_view(page_path, &f.figure, if f.block { Role::Block } else { Role::Inline });
            figure.title = f.title.clone();
            self.theme.render("figure.html", &FigureContext { site: &self.site_view, figure })
        })
    }

    fn pages_of(&self, count: usize) -> usize {
        count.div_ceil(self.site.config.paginate).max(1)
    }

    /// The page being rendered: its URL, title, description, feeds and translations.
    fn current(&self, at: At<'_>, title: &str, description: &str, section: &'static str) -> CurrentView {
        let path = site_path_of_file(&at.entry.path);
        CurrentView {
            url: self.base.url(path),
            permalink: self.base.permalink(path),
            title: title.to_string(),
            description: description.to_string(),
            feeds: vec![FeedLink { about: None, url: self.site_view.feed_url.clone() }],
            section,
            alternates: self.alternates(at.plan, at.entry),
            // The 404 page is in every language at once (see NotFoundContext).
            translations: if at.entry.job == Job::NotFound { Vec::new() } else { self.translations(at, section) },
        }
    }

    /// The current page of a listing at `listing` with a feed of its own (an institution's, a country's).
    fn current_with_feed(
        &self,
        at: At<'_>,
        listing: &str,
        title: &str,
        description: &str,
        section: &'static str,
    ) -> CurrentView {
        let mut current = self.current(at, title, description, section);
        let feed_url = self.base.url(&self.routes.feed(listing));
        current.feeds.push(FeedLink { about: Some(title.to_string()), url: feed_url });
        current
    }

    /// The `hreflang` alternates of a page: each of its translations, then
    /// `x-default` (the default language's, else the first).
    fn alternates(&self, plan: &Plan, entry: &Entry) -> Vec<Alternate> {
        let group = plan.translations(entry);
        let languages = &self.site.config.languages;
        let link = |e: &Entry, hreflang: &str| Alternate {
            hreflang: hreflang.to_string(),
            url: self.base.permalink(site_path_of_file(&e.path)),
        };
        let mut list: Vec<Alternate> =
            group.iter().map(|&k| &plan.entries[k]).map(|e| link(e, &languages[e.edition].tag)).collect();
        if let Some(&first) = group.first() {
            list.push(link(&plan.entries[first], "x-default"));
        }
        list
    }

    /// The language switcher of a page: its translation in each language,
    /// else that language's listing of the same section (or its home page).
    fn translations(&self, at: At<'_>, section: &str) -> Vec<Translation> {
        let config = &self.site.config;
        if !config.is_multilingual() {
            return Vec::new();
        }
        let group = at.plan.translations(at.entry);
        config
            .languages
            .iter()
            .enumerate()
            .map(|(k, l)| {
                let found = group.iter().map(|&e| &at.plan.entries[e]).find(|e| e.edition == k);
                let url = match found {
                    Some(e) => self.base.url(site_path_of_file(&e.path)),
                    None => {
                        let code = l.code.as_str();
                        self.base.url(&match section {
                            "articles" => self.routes.articles(code),
                            "institutions" => self.routes.institutions(code),
                            "countries" => self.routes.countries(code),
                            "years" => self.routes.years(code),
                            "topics" => self.routes.topics(code),
                            _ => self.routes.home(code),
                        })
                    }
                };
                Translation {
                    code: l.code.clone(),
                    tag: l.tag.clone(),
                    name: l.name.clone(),
                    short: if l.name.chars().count() <= 2 { l.name.clone() } else { l.code.to_uppercase() },
                    url,
                    current: k == self.edition,
                    translated: found.is_some(),
                }
            })
            .collect()
    }

    fn paginator(&self, ids: &[usize], base_path: &str, n: usize) -> Paginator<'_> {
        let per = self.site.config.paginate;
        let total_pages = self.pages_of(ids.len());
        let url = |k: usize| self.base.url(&paginated(base_path, k));
        Paginator {
            articles: ids.iter().skip((n - 1) * per).take(per).map(|&i| self.card(i)).collect(),
            current: n,
            total_pages,
            total_articles: ids.len(),
            first_url: url(1),
            last_url: url(total_pages),
            previous_url: (n > 1).then(|| url(n - 1)),
            next_url: (n < total_pages).then(|| url(n + 1)),
            pages: page_window(n, total_pages)
                .into_iter()
                .map(|(k, gap_before)| PageNumber { number: k, url: url(k), current: k == n, gap_before })
                .collect(),
        }
    }

    fn render_template<T: Serialize>(&self, template: &str, context: &T) -> Result<Vec<u8>, Diagnostic> {
        self.theme.render(template, context).map(String::into_bytes)
    }

    /// Renders one entry and hands it to `out`.
    fn run(&self, at: At<'_>, out: &dyn Output) -> Result<(), Diagnostic> {
        let file = at.entry.path.as_str();
        let bytes = match at.entry.job {
            Job::Asset(i) => {
                let asset = &self.site.assets[i];
                return out.copy(file, &asset.source_path).map_err(|e| Diagnostic::new(&asset.rel_path, e.to_string()));
            }
            Job::Image(i) => {
                let image = &self.site.images.files[i];
                return out.copy(file, &image.source_path).map_err(|e| Diagnostic::new(&image.rel_path, e.to_string()));
            }
            Job::ThemeStatic(i) => {
                let (_, source) = self.theme_static[i];
                return out
                    .copy(file, source)
                    .map_err(|e| Diagnostic::new(source.display().to_string(), e.to_string()));
            }
            _ => self.render_job(at)?,
        };
        out.put(file, bytes).map_err(|e| Diagnostic::new(file, e.to_string()))
    }

    /// The bytes of one generated file: one function per family of pages.
    fn render_job(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let plan = at.plan;
        match at.entry.job {
            Job::Home => self.home(at),
            Job::Article(ArticleId(i)) => self.article(at, i),
            Job::Articles(PageNo(n)) => self.articles(at, n),
            Job::Institutions => self.institutions(at),
            Job::Institution(id, PageNo(n)) => self.institution(at, id, n),
            Job::Countries => self.countries(at),
            Job::Country(id, PageNo(n)) => self.country(at, id, n),
            Job::Years => self.years(at),
            Job::Year(YearId(i)) => self.year(at, i),
            Job::Topics => self.topics(at),
            Job::Topic(id, PageNo(n)) => self.topic(at, id, n),
            Job::TopicFeed(id) => self.topic_feed(id),
            Job::Page(PageId(i)) => self.standalone(at, i),
            Job::NotFound => self.not_found(at),
            Job::SiteFeed => self.site_feed(),
            Job::InstitutionFeed(id) => self.institution_feed(id),
            Job::CountryFeed(id) => self.country_feed(id),
            Job::Sitemap => self.sitemap_file(plan),
            Job::SitemapPart(k) => {
                self.sitemap(self.sitemap_entries(plan).chunks(SITEMAP_LIMIT).nth(k - 1).unwrap_or_default())
            }
            Job::Robots => self.robots(),
            Job::Search => self.search_page(at),
            // (`render` makes each language's index once, beside its pages.)
            Job::SearchFile(k) => Ok(self.search_source().build().into_iter().nth(k).unwrap_or_default()),
            Job::SearchScript => Ok(crate::search::script().into_bytes()),
            Job::Asset(_) | Job::Image(_) | Job::ThemeStatic(_) => Ok(Vec::new()),
        }
    }

    fn home(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let current = self.current(at, &self.language.title, &self.language.description, "home");
        let latest = self.index.home.iter().map(|&i| self.card(i)).collect();
        let context = HomeContext {
            site: &self.site_view,
            current,
            latest,
            institutions: &self.institutions_listed,
            countries: &self.countries_listed,
            years: &self.year_cards,
        };
        self.render_template("index.html", &context)
    }

    fn article(&self, at: At<'_>, i: usize) -> Result<Vec<u8>, Diagnostic> {
        let a = &self.site.articles[i];
        let card = self.card(i);
        let link = |j: usize| Link { title: self.card(j).title.clone(), url: self.card(j).url.clone() };
        let content = self.body_html(&self.routes.article(&a.lang, &a.slug), &a.body)?;
        let all = &self.index.articles;
        let k = self.index.position[i] as usize;
        let article = ArticleView {
            card,
            lang: &card.lang,
            content: &content,
            toc: &a.body.toc,
            word_count: a.body.word_count,
            updated_iso: a.updated.as_ref().map(|u| u.iso()),
            updated_display: a.updated.as_ref().map(|u| u.display(&self.dates)),
            topics: a
                .topics
                .iter()
                .map(|name| {
                    let slug = crate::content::slug::slugify_or(name, "topic");
                    TermName { name: name.clone(), url: self.base.url(&self.routes.topic(self.lang(), &slug)) }
                })
                .collect(),
            related: self.index.related[i].iter().map(|&j| self.card(j)).collect(),
            extra: &a.extra,
            newer: k.checked_sub(1).map(|k| link(all[k])),
            older: all.get(k + 1).map(|&j| link(j)),
        };
        let current = self.current(at, &a.title, &a.summary, "articles");
        self.render_template("article.html", &ArticleContext { site: &self.site_view, current, article })
    }

    fn articles(&self, at: At<'_>, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (routes, lang) = (&self.routes, self.lang());
        // The page's title is the template's: it is written in words.
        let current = self.current(at, "", &self.language.description, "articles");
        let paginator = self.paginator(&self.index.articles, &routes.articles(lang), n);
        self.render_template("articles.html", &ArticlesContext { site: &self.site_view, current, paginator })
    }

    fn institutions(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        let by_country = &self.index.institutions_by_country;
        let groups = self
            .index
            .countries
            .iter()
            .filter(|&&c| !by_country[c].is_empty())
            .map(|&c| CountryGroup {
                country: &self.country_cards[c],
                institutions: by_country[c].iter().map(|&i| &self.institution_cards[i]).collect(),
            })
            .collect();
        let current = self.current(at, "", &self.language.description, "institutions");
        let context = InstitutionsContext { site: &self.site_view, current, groups, total: site.institutions.len() };
        self.render_template("institutions.html", &context)
    }

    fn institution(&self, at: At<'_>, id: InstitutionId, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let inst = &site.institutions[id];
        let path = routes.institution(lang, &inst.slug);
        let profile = inst.profile_in(lang);
        // The profile is on the first page; the pages after it show the card alone (see InstitutionView).
        let first = n == 1;
        let institution = InstitutionView {
            card: &self.institution_cards[id],
            slug: &inst.slug,
            feed_url: self.base.url(&routes.feed(&path)),
            website: inst.website.as_deref().filter(|_| first),
            founded: inst.founded.as_deref().filter(|_| first),
            aliases: if first { &inst.aliases } else { &[] },
            description: if first { &profile.body.html } else { "" },
            description_lang: self.foreign(profile.lang),
            extra: if first { profile.extra } else { &serde_json::Value::Null },
        };
        let own = if first { profile.body.first_paragraph.as_str() } else { "" };
        let summary = or_site_description(own, &self.language.description);
        let name = &self.institution_cards[id].name;
        let current = self.current_with_feed(at, &path, name, summary, "institutions");
        let paginator = self.paginator(&self.index.by_institution[id], &path, n);
        self.render_template(
            "institution.html",
            &InstitutionContext { site: &self.site_view, current, institution, paginator },
        )
    }

    fn countries(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let current = self.current(at, "", &self.language.description, "countries");
        self.render_template(
            "countries.html",
            &CountriesContext { site: &self.site_view, current, countries: &self.countries_listed },
        )
    }

    fn country(&self, at: At<'_>, id: CountryId, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let c = &site.countries[id];
        let path = routes.country(lang, &c.slug);
        let profile = c.profile_in(lang);
        // The profile is on the first page; the pages after it show the card alone (see CountryView).
        let first = n == 1;
        let institutions = if first { self.index.institutions_by_country[id].as_slice() } else { &[] };
        let country = CountryView {
            card: &self.country_cards[id],
            slug: &c.slug,
            feed_url: self.base.url(&routes.feed(&path)),
            description: if first { &profile.body.html } else { "" },
            description_lang: self.foreign(profile.lang),
            institutions: institutions.iter().map(|&i| &self.institution_cards[i]).collect(),
            extra: if first { profile.extra } else { &serde_json::Value::Null },
        };
        let own = if first { profile.body.first_paragraph.as_str() } else { "" };
        let summary = or_site_description(own, &self.language.description);
        let name = &self.country_cards[id].name;
        let current = self.current_with_feed(at, &path, name, summary, "countries");
        let paginator = self.paginator(self.index.country(id), &path, n);
        self.render_template("country.html", &CountryContext { site: &self.site_view, current, country, paginator })
    }

    fn years(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let current = self.current(at, "", &self.language.description, "years");
        self.render_template("years.html", &YearsContext { site: &self.site_view, current, years: &self.year_cards })
    }

    fn topic_card(&self, id: TopicId) -> TopicCard {
        let topic = &self.index.topics[id.0];
        let path = self.routes.topic(self.lang(), &topic.slug);
        TopicCard {
            name: topic.name.clone(),
            url: self.base.url(&path),
            feed_url: self.base.url(&self.routes.feed(&path)),
            article_count: topic.articles.len(),
        }
    }

    fn topics(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let current = self.current(at, "", &self.language.description, "topics");
        let topics = (0..self.index.topics.len()).map(|k| self.topic_card(TopicId(k))).collect();
        self.render_template("topics.html", &TopicsContext { site: &self.site_view, current, topics })
    }

    fn topic(&self, at: At<'_>, id: TopicId, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (routes, lang) = (&self.routes, self.lang());
        let topic = &self.index.topics[id.0];
        let path = routes.topic(lang, &topic.slug);
        let current = self.current_with_feed(at, &path, &topic.name, &self.language.description, "topics");
        let paginator = self.paginator(&topic.articles, &path, n);
        let context = TopicContext { site: &self.site_view, current, topic: self.topic_card(id), paginator };
        self.render_template("topic.html", &context)
    }

    fn topic_feed(&self, id: TopicId) -> Result<Vec<u8>, Diagnostic> {
        let topic = &self.index.topics[id.0];
        self.feed(&self.routes.topic(self.lang(), &topic.slug), FeedAbout::Topic(&topic.name), &topic.articles)
    }

    fn year(&self, at: At<'_>, i: usize) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        let y = &self.index.years[i];
        let mut months: Vec<MonthGroup<'_>> = Vec::new();
        let mut year_only: Vec<&Shared<ArticleCard>> = Vec::new();
        for &a in &y.articles {
            // Newest first, a year alone sorts after every month of its year.
            let Some(month) = site.articles[a].date.month() else {
                year_only.push(self.card(a));
                continue;
            };
            match months.last_mut() {
                Some(group) if group.month == month => group.articles.push(self.card(a)),
                _ => months.push(MonthGroup {
                    month,
                    name: self.dates.month_name(month),
                    heading: self.dates.month_of_year(y.year, month),
                    id: format!("{}-{month:02}", y.year),
                    articles: vec![self.card(a)],
                }),
            }
        }
        let year = YearView {
            card: &self.year_cards[i],
            months,
            year_only: (!year_only.is_empty()).then(|| YearOnlyGroup {
                name: self.theme.strings(self.lang()).year_group(y.year),
                id: y.year.to_string(),
                articles: year_only,
            }),
            newer: i.checked_sub(1).map(|j| &self.year_cards[j]),
            older: self.year_cards.get(i + 1),
        };
        let current = self.current(at, &y.year.to_string(), &self.language.description, "years");
        self.render_template("year.html", &YearContext { site: &self.site_view, current, year })
    }

    fn standalone(&self, at: At<'_>, i: usize) -> Result<Vec<u8>, Diagnostic> {
        let p = &self.site.pages[i];
        let path = self.routes.page(&p.lang, &p.slug);
        let content = self.body_html(&path, &p.body)?;
        let page = PageView {
            title: &p.title,
            url: self.base.url(&path),
            lang: &p.lang,
            content: &content,
            toc: &p.body.toc,
            summary: &p.summary,
            extra: &p.extra,
        };
        let current = self.current(at, &p.title, &p.summary, "pages");
        self.render_template("page.html", &PageContext { site: &self.site_view, current, page })
    }

    fn not_found(&self, at: At<'_>) -> Result<Vec<u8>, Diagnostic> {
        let current = self.current(at, "", &self.language.description, "none");
        let context = NotFoundContext { site: &self.site_view, current, other_sites: &self.other_sites };
        self.render_template("404.html", &context)
    }

    fn site_feed(&self) -> Result<Vec<u8>, Diagnostic> {
        self.feed(&self.routes.home(self.lang()), FeedAbout::Site, &self.index.articles)
    }

    fn institution_feed(&self, id: InstitutionId) -> Result<Vec<u8>, Diagnostic> {
        let inst = &self.site.institutions[id];
        let listing = self.routes.institution(self.lang(), &inst.slug);
        self.feed(&listing, FeedAbout::Institution(&self.institution_cards[id].name), &self.index.by_institution[id])
    }

    fn country_feed(&self, id: CountryId) -> Result<Vec<u8>, Diagnostic> {
        let c = &self.site.countries[id];
        let about = FeedAbout::Country(&self.country_cards[id].name);
        self.feed(&self.routes.country(self.lang(), &c.slug), about, self.index.country(id))
    }

    fn sitemap_file(&self, plan: &Plan) -> Result<Vec<u8>, Diagnostic> {
        match plan.sitemap_parts {
            0 => self.sitemap(self.sitemap_entries(plan)),
            parts => {
                let sitemaps = (1..=parts)
                    .map(|k| SitemapEntry {
                        loc: self.base.permalink(&format!("sitemap-{k}.xml")),
                        lastmod: None,
                        alternates: Vec::new(),
                    })
                    .collect();
                self.render_template("sitemap_index.xml", &SitemapIndexContext { sitemaps })
            }
        }
    }

    fn robots(&self) -> Result<Vec<u8>, Diagnostic> {
        let context = RobotsContext { site: &self.site_view, sitemap_url: self.base.permalink("sitemap.xml") };
        self.render_template("robots.txt", &context)
    }

    /// One RSS channel: the newest `feed_limit` articles of `ids` (which
    /// are newest first) written in the feed's language.
    fn feed(&self, listing: &str, about: FeedAbout<'_>, ids: &[usize]) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        let items: Vec<FeedItem> = ids
            .iter()
            .filter(|&&i| site.articles[i].lang == self.language.code)
            .take(site.config.feed_limit)
            .map(|&i| (**self.feed_items[i].get_or_init(|| Box::new(self.feed_item(i)))).clone())
            .collect::<Result<_, _>>()?;
        let title = &self.language.title;
        let (kind, about) = match about {
            FeedAbout::Site => ("site", None),
            FeedAbout::Institution(name) => ("institution", Some(name)),
            FeedAbout::Country(name) => ("country", Some(name)),
            FeedAbout::Topic(name) => ("topic", Some(name)),
        };
        let feed = FeedView {
            title: feed::xml_safe(title).into_owned(),
            kind,
            about: about.map(|name| feed::xml_safe(name).into_owned()),
            link: self.base.permalink(listing),
            self_url: self.base.permalink(&self.routes.feed(listing)),
            // RSS requires a description; a site without one is described by its title.
            description: feed::xml_safe(or_site_description(&self.language.description, title)).into_owned(),
            language: self.language.tag.clone(),
            last_build_date: items.first().map(|item| item.pub_date.clone()),
            items,
        };
        self.render_template("rss.xml", &FeedContext { site: &self.site_view, feed })
    }

    /// An article as a feed item: its lead image and body with every URL absolute.
    fn feed_item(&self, i: usize) -> Result<FeedItem, Diagnostic> {
        let a = &self.site.articles[i];
        let card = self.card(i);
        let page = url::Url::parse(&card.permalink).map_err(|e| {
            Diagnostic::new(&a.rel_path, format!("the permalink `{}` is not a valid URL ({e})", card.permalink))
        })?;
        let mut html = String::with_capacity(a.body.html.len() + 128);
        if let Some(image) = &card.image {
            html.push_str(&format!(
                "<p><img src=\"{}\" alt=\"{}\"></p>\n",
                html_escape::encode_double_quoted_attribute(&image.permalink),
                html_escape::encode_double_quoted_attribute(&image.alt)
            ));
        }
        html.push_str(&self.body_html(&self.routes.article(&a.lang, &a.slug), &a.body)?);
        let description = feed::absolutize(&html, &page).map_err(|m| Diagnostic::new(&a.rel_path, m))?;
        Ok(FeedItem {
            title: feed::xml_safe(&a.title).into_owned(),
            link: card.permalink.clone(),
            pub_date: a.date.rfc2822(&self.site.config.time_zone),
            description: feed::xml_safe(&description).into_owned(),
            categories: card
                .institutions
                .iter()
                .chain(&card.countries)
                .map(|t| feed::xml_safe(&t.name).into_owned())
                .collect(),
        })
    }

    fn sitemap(&self, entries: &[SitemapEntry]) -> Result<Vec<u8>, Diagnostic> {
        self.render_template("sitemap.xml", &SitemapContext { entries })
    }

    /// The plan's pages with when each last changed (see [`Plan::sitemap`]),
    /// as the sitemap writes them: made once.
    fn sitemap_entries(&self, plan: &Plan) -> &[SitemapEntry] {
        self.sitemap.get_or_init(|| {
            plan.sitemap()
                .map(|e| SitemapEntry {
                    loc: self.base.permalink(site_path_of_file(&e.path)),
                    lastmod: e.lastmod.and_then(|m| match m {
                        LastMod::Article(ArticleId(i)) => self.lastmod(i).iso_with_day(),
                        LastMod::Page(PageId(i)) => self.site.pages[i].updated.as_ref().and_then(PubDate::iso_with_day),
                    }),
                    alternates: self.alternates(plan, e),
                })
                .collect()
        })
    }

    /// An article's last modification: `updated`, else its date.
    fn lastmod(&self, i: usize) -> &PubDate {
        let a = &self.site.articles[i];
        a.updated.as_ref().unwrap_or(&a.date)
    }
}

/// What a feed is about.
enum FeedAbout<'a> {
    Site,
    Institution(&'a str),
    Country(&'a str),
    Topic(&'a str),
}

/// `text`, or `fallback` when it is blank.
fn or_site_description<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.trim().is_empty() { fallback } else { text }
}

/// A hash of a view as templates receive it (its JSON form).
fn hash_serialized<T: Serialize>(value: &T) -> u64 {
    struct HashWriter(rustc_hash::FxHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            std::hash::Hasher::write(&mut self.0, buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = HashWriter(crate::plan::hasher());
    // Views are plain data: serialising them to JSON cannot fail.
    let _ = serde_json::to_writer(&mut writer, value);
    std::hash::Hasher::finish(&writer.0)
}

/// The site path of a page from its file (`a/index.html` -> `a/`).
fn site_path_of_file(file: &str) -> &str {
    file.strip_suffix("index.html").unwrap_or(file)
}

/// The page numbers a paginator shows: the first, the last, and two on each
/// side of the current one, each with whether numbers were left out before
/// it. Showing every number would make each listing page grow with the number
/// of pages, and the whole site with its square.
fn page_window(current: usize, total: usize) -> Vec<(usize, bool)> {
    const AROUND: usize = 2;
    let mut shown: Vec<(usize, bool)> = Vec::new();
    let mut previous = 0;
    for k in 1..=total {
        if k == 1 || k == total || k.abs_diff(current) <= AROUND {
            shown.push((k, k > previous + 1));
            previous = k;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::page_window;

    #[test]
    fn paginators_show_a_window_of_pages() {
        assert_eq!(page_window(1, 1), vec![(1, false)]);
        assert_eq!(page_window(2, 3), vec![(1, false), (2, false), (3, false)]);
        let shown: Vec<usize> = page_window(50, 1000).iter().map(|(k, _)| *k).collect();
        assert_eq!(shown, vec![1, 48, 49, 50, 51, 52, 1000]);
        let gaps: Vec<bool> = page_window(50, 1000).iter().map(|(_, gap)| *gap).collect();
        assert_eq!(gaps, vec![false, true, false, false, false, false, true]);
        assert_eq!(page_window(1, 7).iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec![1, 2, 3, 7]);
    }
}
