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
use crate::index::Index;
use crate::index::TopicId;
use crate::output::Output;
use crate::plan::route::{Routes, paginated};
use crate::plan::{ArticleId, Entry, Job, LastMod, PageId, PageNo, Plan, SITEMAP_LIMIT, Summary, YearId};
use crate::render::theme::Theme;
use view::*;

/// Everything prepared once per build and shared by all jobs.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    index: Index,
    routes: Routes,
    base: &'a BaseUrl,
    site_view: Shared<SiteView>,
    /// Dates in the site's language.
    dates: crate::content::date::DateFormat,
    /// Each article as listings show it, made on first use (an incremental
    /// rebuild needs only a few).
    cards: Vec<std::sync::OnceLock<Shared<ArticleCard>>>,
    institution_links: Vec<TermLink>,
    country_links: Vec<TermLink>,
    institution_cards: Vec<InstitutionCard>,
    country_cards: Vec<CountryCard>,
    year_cards: Vec<YearCard>,
    theme_static: Vec<(&'a String, &'a std::path::PathBuf)>,
    /// The sitemap's entries, made once.
    sitemap: std::sync::OnceLock<Vec<SitemapEntry>>,
    /// Each article's feed item, made once however many feeds carry it.
    feed_items: Vec<std::sync::OnceLock<Result<FeedItem, Diagnostic>>>,
}

/// Renders the whole site into `out`.
pub fn render_site(site: &Site, theme: &Theme, out: &dyn Output) -> Result<Summary, Vec<Diagnostic>> {
    let renderer = Renderer::new(site, theme);
    let plan = renderer.plan()?;
    let all: Vec<&Entry> = plan.entries.iter().collect();
    renderer.render(&plan, &all, out)?;
    Ok(plan.summary())
}

fn native_names(names: &std::collections::BTreeMap<String, String>) -> Vec<NativeName> {
    names.iter().map(|(lang, name)| NativeName { lang: lang.clone(), name: name.clone() }).collect()
}

impl<'a> Renderer<'a> {
    /// Prepares the shared views.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        Renderer::with_index(site, theme, Index::new(site))
    }

    /// Prepares the shared views with groupings already made for this site
    /// (`serve` keeps them while no article moves between them).
    pub fn with_index(site: &'a Site, theme: &'a Theme, index: Index) -> Self {
        let config = &site.config;
        let lang = config.language.as_str();
        let routes = Routes::new(lang);
        let base = &config.base_url;
        let country_links: Vec<TermLink> = site
            .countries
            .iter()
            .map(|c| TermLink {
                name: c.name.clone(),
                url: base.url(&routes.country(lang, &c.slug)),
                names: native_names(&c.names),
            })
            .collect();
        let institution_links: Vec<TermLink> = site
            .institutions
            .iter()
            .map(|i| TermLink {
                name: i.name.clone(),
                url: base.url(&routes.institution(lang, &i.slug)),
                names: native_names(&i.names),
            })
            .collect();
        let cards = (0..site.articles.len()).map(|_| std::sync::OnceLock::new()).collect();
        let institution_cards: Vec<InstitutionCard> = site
            .institutions
            .iter()
            .enumerate()
            .map(|(id, i)| InstitutionCard {
                name: i.name.clone(),
                url: institution_links[id].url.clone(),
                names: native_names(&i.names),
                city: i.city.clone(),
                country: country_links[i.country].clone(),
                article_count: index.by_institution[id].len(),
            })
            .collect();
        let country_cards: Vec<CountryCard> = site
            .countries
            .iter()
            .enumerate()
            .map(|(id, c)| CountryCard {
                name: c.name.clone(),
                url: country_links[id].url.clone(),
                names: native_names(&c.names),
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
        let site_view = Shared::new(SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url: base.as_str().to_string(),
            home_url: base.url(&routes.home(lang)),
            language: config.language.clone(),
            lang: lang.to_string(),
            t: theme.strings(lang).clone(),
            time_zone: config.time_zone_name.clone(),
            feed_url: base.url(&routes.feed(&routes.home(lang))),
            articles_url: base.url(&routes.articles(lang)),
            institutions_url: base.url(&routes.institutions(lang)),
            countries_url: base.url(&routes.countries(lang)),
            years_url: base.url(&routes.years(lang)),
            topics_url: base.url(&routes.topics(lang)),
            pages: site
                .pages
                .iter()
                .map(|p| Link { title: p.title.clone(), url: base.url(&routes.page(&p.lang, &p.slug)) })
                .collect(),
            extra: config.extra.clone(),
        });
        let theme_static = theme.static_files.iter().collect();
        Renderer {
            site,
            theme,
            dates: crate::content::date::DateFormat::new(&config.language),
            index,
            routes,
            base,
            site_view,
            cards,
            institution_links,
            country_links,
            institution_cards,
            country_cards,
            year_cards,
            theme_static,
            sitemap: std::sync::OnceLock::new(),
            feed_items: (0..site.articles.len()).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    /// Article `i` as listings show it.
    fn card(&self, i: usize) -> &Shared<ArticleCard> {
        self.cards[i].get_or_init(|| {
            let (a, base, routes, lang) = (&self.site.articles[i], self.base, &self.routes, self.lang());
            let path = routes.article(&a.lang, &a.slug);
            let year = a.date.year();
            Shared::new(ArticleCard {
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
            })
        })
    }

    fn lang(&self) -> &str {
        &self.site.config.language
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

    /// A hash of article `i` as listings show it (its card).
    pub fn card_hash(&self, i: usize) -> u64 {
        hash_serialized(&**self.card(i))
    }

    /// A hash of an institution as lists show it.
    pub fn institution_card_hash(&self, id: InstitutionId) -> u64 {
        hash_serialized(&self.institution_cards[id])
    }

    /// A hash of a country as lists show it.
    pub fn country_card_hash(&self, id: CountryId) -> u64 {
        hash_serialized(&self.country_cards[id])
    }

    /// A hash of what every page shows of the site (titles, navigation).
    pub fn site_view_hash(&self) -> u64 {
        hash_serialized(&*self.site_view)
    }

    /// The theme's static files, in plan order.
    pub fn theme_static_sources(&self) -> impl Iterator<Item = &std::path::Path> {
        self.theme_static.iter().map(|(_, source)| source.as_path())
    }

    /// Plans every output of the site (see [`Plan`]).
    pub fn plan(&self) -> Result<Plan, Vec<Diagnostic>> {
        Plan::new(self.site, &self.index, self.theme)
    }

    /// The site's groupings.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The site's groupings, kept when the renderer is done.
    pub fn into_index(self) -> Index {
        self.index
    }

    /// Renders the given entries of `plan` in parallel into `out`, collecting every problem.
    pub fn render(&self, plan: &Plan, entries: &[&Entry], out: &dyn Output) -> Result<(), Vec<Diagnostic>> {
        let problems: Vec<Diagnostic> =
            entries.par_iter().filter_map(|entry| self.run(plan, entry, out).err()).collect();
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    fn current(&self, path: &str, title: &str, description: &str, section: &'static str) -> CurrentView {
        CurrentView {
            url: self.base.url(path),
            permalink: self.base.permalink(path),
            title: title.to_string(),
            description: description.to_string(),
            feeds: vec![FeedLink { about: None, url: self.site_view.feed_url.clone() }],
            section,
        }
    }

    /// The current page of a listing with a feed of its own (an institution's, a country's).
    fn current_with_feed(&self, path: &str, title: &str, description: &str, section: &'static str) -> CurrentView {
        let mut current = self.current(path, title, description, section);
        let feed_url = self.base.url(&self.routes.feed(path));
        current.feeds.push(FeedLink { about: Some(title.to_string()), url: feed_url });
        current
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
    fn run(&self, plan: &Plan, entry: &Entry, out: &dyn Output) -> Result<(), Diagnostic> {
        let file = entry.path.as_str();
        let bytes = match entry.job {
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
            job => self.render_job(plan, job)?,
        };
        out.put(file, bytes).map_err(|e| Diagnostic::new(file, e.to_string()))
    }

    /// The bytes of one generated file: one function per family of pages.
    pub fn render_job(&self, plan: &Plan, job: Job) -> Result<Vec<u8>, Diagnostic> {
        match job {
            Job::Home => self.home(),
            Job::Article(ArticleId(i)) => self.article(i),
            Job::Articles(PageNo(n)) => self.articles(n),
            Job::Institutions => self.institutions(),
            Job::Institution(id, PageNo(n)) => self.institution(id, n),
            Job::Countries => self.countries(),
            Job::Country(id, PageNo(n)) => self.country(id, n),
            Job::Years => self.years(),
            Job::Year(YearId(i)) => self.year(i),
            Job::Topics => self.topics(),
            Job::Topic(id, PageNo(n)) => self.topic(id, n),
            Job::TopicFeed(id) => self.topic_feed(id),
            Job::Page(PageId(i)) => self.standalone(i),
            Job::NotFound => self.not_found(),
            Job::SiteFeed => self.site_feed(),
            Job::InstitutionFeed(id) => self.institution_feed(id),
            Job::CountryFeed(id) => self.country_feed(id),
            Job::Sitemap => self.sitemap_file(plan),
            Job::SitemapPart(k) => {
                self.sitemap(self.sitemap_entries(plan).chunks(SITEMAP_LIMIT).nth(k - 1).unwrap_or_default())
            }
            Job::Robots => self.robots(),
            Job::Asset(_) | Job::Image(_) | Job::ThemeStatic(_) => Ok(Vec::new()),
        }
    }

    fn home(&self) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let current = self.current(&routes.home(lang), &site.config.title, &site.config.description, "home");
        let latest = self.index.home.iter().map(|&i| self.card(i)).collect();
        let context = HomeContext {
            site: &self.site_view,
            current,
            latest,
            institutions: &self.institution_cards,
            countries: &self.country_cards,
            years: &self.year_cards,
        };
        self.render_template("index.html", &context)
    }

    fn article(&self, i: usize) -> Result<Vec<u8>, Diagnostic> {
        let a = &self.site.articles[i];
        let card = self.card(i);
        let link = |j: usize| Link { title: self.card(j).title.clone(), url: self.card(j).url.clone() };
        let content = self.body_html(&self.routes.article(&a.lang, &a.slug), &a.body)?;
        let article = ArticleView {
            card,
            lang: &a.lang,
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
            newer: i.checked_sub(1).map(link),
            older: (i + 1 < self.cards.len()).then(|| link(i + 1)),
        };
        let current = self.current(&self.routes.article(&a.lang, &a.slug), &a.title, &a.summary, "articles");
        self.render_template("article.html", &ArticleContext { site: &self.site_view, current, article })
    }

    fn articles(&self, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let all: Vec<usize> = (0..site.articles.len()).collect();
        let path = paginated(&routes.articles(lang), n);
        // The page's title is the template's: it is written in words.
        let current = self.current(&path, "", &site.config.description, "articles");
        let paginator = self.paginator(&all, &routes.articles(lang), n);
        self.render_template("articles.html", &ArticlesContext { site: &self.site_view, current, paginator })
    }

    fn institutions(&self) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let groups = self
            .index
            .institutions_by_country
            .iter()
            .enumerate()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(c, ids)| CountryGroup {
                country: &self.country_cards[c],
                institutions: ids.iter().map(|&i| &self.institution_cards[i]).collect(),
            })
            .collect();
        let current = self.current(&routes.institutions(lang), "", &site.config.description, "institutions");
        let context = InstitutionsContext { site: &self.site_view, current, groups, total: site.institutions.len() };
        self.render_template("institutions.html", &context)
    }

    fn institution(&self, id: InstitutionId, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let inst = &site.institutions[id];
        let path = routes.institution(lang, &inst.slug);
        // The profile is on the first page; the pages after it show the card alone (see InstitutionView).
        let first = n == 1;
        let institution = InstitutionView {
            card: &self.institution_cards[id],
            slug: &inst.slug,
            feed_url: self.base.url(&routes.feed(&path)),
            website: inst.website.as_deref().filter(|_| first),
            founded: inst.founded.as_deref().filter(|_| first),
            aliases: if first { &inst.aliases } else { &[] },
            description: if first { &inst.body.html } else { "" },
            extra: if first { &inst.extra } else { &serde_json::Value::Null },
        };
        let own = if first { inst.body.first_paragraph.as_str() } else { "" };
        let summary = or_site_description(own, &site.config.description);
        let mut current = self.current_with_feed(&path, &inst.name, summary, "institutions");
        current.url = self.base.url(&paginated(&path, n));
        current.permalink = self.base.permalink(&paginated(&path, n));
        let paginator = self.paginator(&self.index.by_institution[id], &path, n);
        self.render_template(
            "institution.html",
            &InstitutionContext { site: &self.site_view, current, institution, paginator },
        )
    }

    fn countries(&self) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let current = self.current(&routes.countries(lang), "", &site.config.description, "countries");
        self.render_template(
            "countries.html",
            &CountriesContext { site: &self.site_view, current, countries: &self.country_cards },
        )
    }

    fn country(&self, id: CountryId, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let c = &site.countries[id];
        let path = routes.country(lang, &c.slug);
        // The profile is on the first page; the pages after it show the card alone (see CountryView).
        let first = n == 1;
        let institutions = if first { self.index.institutions_by_country[id].as_slice() } else { &[] };
        let country = CountryView {
            card: &self.country_cards[id],
            slug: &c.slug,
            feed_url: self.base.url(&routes.feed(&path)),
            description: if first { &c.body.html } else { "" },
            institutions: institutions.iter().map(|&i| &self.institution_cards[i]).collect(),
            extra: if first { &c.extra } else { &serde_json::Value::Null },
        };
        let own = if first { c.body.first_paragraph.as_str() } else { "" };
        let summary = or_site_description(own, &site.config.description);
        let mut current = self.current_with_feed(&path, &c.name, summary, "countries");
        current.url = self.base.url(&paginated(&path, n));
        current.permalink = self.base.permalink(&paginated(&path, n));
        let paginator = self.paginator(self.index.country(id), &path, n);
        self.render_template("country.html", &CountryContext { site: &self.site_view, current, country, paginator })
    }

    fn years(&self) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let current = self.current(&routes.years(lang), "", &site.config.description, "years");
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

    fn topics(&self) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let current = self.current(&routes.topics(lang), "", &site.config.description, "topics");
        let topics = (0..self.index.topics.len()).map(|k| self.topic_card(TopicId(k))).collect();
        self.render_template("topics.html", &TopicsContext { site: &self.site_view, current, topics })
    }

    fn topic(&self, id: TopicId, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let topic = &self.index.topics[id.0];
        let path = routes.topic(lang, &topic.slug);
        let mut current = self.current_with_feed(&path, &topic.name, &site.config.description, "topics");
        current.url = self.base.url(&paginated(&path, n));
        current.permalink = self.base.permalink(&paginated(&path, n));
        let paginator = self.paginator(&topic.articles, &path, n);
        let context = TopicContext { site: &self.site_view, current, topic: self.topic_card(id), paginator };
        self.render_template("topic.html", &context)
    }

    fn topic_feed(&self, id: TopicId) -> Result<Vec<u8>, Diagnostic> {
        let topic = &self.index.topics[id.0];
        self.feed(&self.routes.topic(self.lang(), &topic.slug), FeedAbout::Topic(&topic.name), &topic.articles)
    }

    fn year(&self, i: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        let y = &self.index.years[i];
        let mut months: Vec<MonthGroup<'_>> = Vec::new();
        let mut year_only: Vec<&ArticleCard> = Vec::new();
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
                name: self.theme.strings(lang).year_group(y.year),
                id: y.year.to_string(),
                articles: year_only,
            }),
            newer: i.checked_sub(1).map(|j| &self.year_cards[j]),
            older: self.year_cards.get(i + 1),
        };
        let current = self.current(&routes.year(lang, y.year), &y.year.to_string(), &site.config.description, "years");
        self.render_template("year.html", &YearContext { site: &self.site_view, current, year })
    }

    fn standalone(&self, i: usize) -> Result<Vec<u8>, Diagnostic> {
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
        let current = self.current(&path, &p.title, &p.summary, "pages");
        self.render_template("page.html", &PageContext { site: &self.site_view, current, page })
    }

    fn not_found(&self) -> Result<Vec<u8>, Diagnostic> {
        let current = self.current("404.html", "", &self.site.config.description, "none");
        self.render_template("404.html", &NotFoundContext { site: &self.site_view, current })
    }

    fn site_feed(&self) -> Result<Vec<u8>, Diagnostic> {
        let all: Vec<usize> = (0..self.site.articles.len()).collect();
        self.feed(&self.routes.home(self.lang()), FeedAbout::Site, &all)
    }

    fn institution_feed(&self, id: InstitutionId) -> Result<Vec<u8>, Diagnostic> {
        let inst = &self.site.institutions[id];
        let listing = self.routes.institution(self.lang(), &inst.slug);
        self.feed(&listing, FeedAbout::Institution(&inst.name), &self.index.by_institution[id])
    }

    fn country_feed(&self, id: CountryId) -> Result<Vec<u8>, Diagnostic> {
        let c = &self.site.countries[id];
        self.feed(&self.routes.country(self.lang(), &c.slug), FeedAbout::Country(&c.name), self.index.country(id))
    }

    fn sitemap_file(&self, plan: &Plan) -> Result<Vec<u8>, Diagnostic> {
        match plan.sitemap_parts {
            0 => self.sitemap(self.sitemap_entries(plan)),
            parts => {
                let sitemaps = (1..=parts)
                    .map(|k| SitemapEntry { loc: self.base.permalink(&format!("sitemap-{k}.xml")), lastmod: None })
                    .collect();
                self.render_template("sitemap_index.xml", &SitemapIndexContext { sitemaps })
            }
        }
    }

    fn robots(&self) -> Result<Vec<u8>, Diagnostic> {
        let context = RobotsContext { site: &self.site_view, sitemap_url: self.base.permalink("sitemap.xml") };
        self.render_template("robots.txt", &context)
    }

    /// One RSS channel: the newest `feed_limit` articles of `ids` (which are newest first).
    fn feed(&self, listing: &str, about: FeedAbout<'_>, ids: &[usize]) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        let items: Vec<FeedItem> = ids
            .iter()
            .take(site.config.feed_limit)
            .map(|&i| self.feed_items[i].get_or_init(|| self.feed_item(i)).clone())
            .collect::<Result<_, _>>()?;
        let title = &site.config.title;
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
            description: feed::xml_safe(or_site_description(&site.config.description, title)).into_owned(),
            language: site.config.language.clone(),
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
