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
pub mod view;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::BaseUrl;
use crate::content::Site;
use crate::date::{PubDate, month_name};
use crate::error::Diagnostic;
use crate::image::view::Role;
use crate::output::Output;
use crate::route::{Routes, file_of, paginated};
use crate::taxonomy::Index;
use crate::theme::Theme;
use view::*;

/// One file to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Job {
    Home,
    Article(usize),
    /// Page n (1-based) of /articles/.
    Articles(usize),
    Institutions,
    Institution(usize, usize),
    InstitutionFeed(usize),
    Countries,
    Country(usize, usize),
    CountryFeed(usize),
    Years,
    Year(usize),
    Page(usize),
    SiteFeed,
    /// `sitemap.xml`: every page, or an index of the parts when there are too many.
    Sitemap,
    /// `sitemap-N.xml` (1-based), when the site has more pages than one sitemap may list.
    SitemapPart(usize),
    Robots,
    NotFound,
    Asset(usize),
    /// A variant of a processed image (`site.images.files`), copied from the image cache.
    Image(usize),
    ThemeStatic(usize),
}

/// Everything prepared once per build and shared by all jobs.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    index: Index,
    routes: Routes,
    base: &'a BaseUrl,
    site_view: SiteView,
    /// Each article as listings show it, made on first use (an incremental
    /// rebuild needs only a few).
    cards: Vec<std::sync::OnceLock<ArticleCard>>,
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

/// What a render produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// HTML pages, feeds and other generated files.
    pub pages: usize,
    /// Static files copied.
    pub assets: usize,
}

/// Renders the whole site into `out`.
pub fn render_site(site: &Site, theme: &Theme, out: &dyn Output) -> Result<Summary, Vec<Diagnostic>> {
    let renderer = Renderer::new(site, theme);
    let jobs = renderer.plan()?;
    let problems: Vec<Diagnostic> =
        jobs.par_iter().filter_map(|(path, job)| renderer.run(path, *job, out).err()).collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let assets = jobs.iter().filter(|(_, j)| matches!(j, Job::Asset(_) | Job::Image(_) | Job::ThemeStatic(_))).count();
    Ok(Summary { pages: jobs.len() - assets, assets })
}

/// Renders only the given jobs into `out` (incremental rebuilds, where the
/// set of URLs is known not to have changed, so collisions are not checked again).
pub fn render_jobs(site: &Site, theme: &Theme, out: &dyn Output, jobs: &[Job]) -> Result<(), Vec<Diagnostic>> {
    let renderer = Renderer::new(site, theme);
    let problems: Vec<Diagnostic> =
        jobs.par_iter().filter_map(|job| renderer.run(&renderer.path_of(*job), *job, out).err()).collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn native_names(names: &std::collections::BTreeMap<String, String>) -> Vec<NativeName> {
    names.iter().map(|(lang, name)| NativeName { lang: lang.clone(), name: name.clone() }).collect()
}

impl<'a> Renderer<'a> {
    /// Prepares the shared views.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let config = &site.config;
        let lang = config.language.as_str();
        let routes = Routes::new(lang);
        let base = &config.base_url;
        let index = Index::new(site);
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
        let site_view = SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url: base.as_str().to_string(),
            home_url: base.url(&routes.home(lang)),
            language: config.language.clone(),
            time_zone: config.time_zone_name.clone(),
            feed_url: base.url(&routes.feed(&routes.home(lang))),
            articles_url: base.url(&routes.articles(lang)),
            institutions_url: base.url(&routes.institutions(lang)),
            countries_url: base.url(&routes.countries(lang)),
            years_url: base.url(&routes.years(lang)),
            pages: site
                .pages
                .iter()
                .map(|p| Link { title: p.title.clone(), url: base.url(&routes.page(&p.lang, &p.slug)) })
                .collect(),
            extra: config.extra.clone(),
        };
        let theme_static = theme.static_files.iter().collect();
        Renderer {
            site,
            theme,
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
    fn card(&self, i: usize) -> &ArticleCard {
        self.cards[i].get_or_init(|| {
            let (a, base, routes, lang) = (&self.site.articles[i], self.base, &self.routes, self.lang());
            let path = routes.article(&a.lang, &a.slug);
            let year = a.date.year();
            ArticleCard {
                title: a.title.clone(),
                url: base.url(&path),
                permalink: base.permalink(&path),
                date_iso: a.date.iso(),
                date_display: a.date.display(),
                year,
                year_url: base.url(&routes.year(lang, year)),
                summary: a.summary.clone(),
                institutions: a.institutions.iter().map(|&id| self.institution_links[id].clone()).collect(),
                countries: a.countries.iter().map(|&id| self.country_links[id].clone()).collect(),
                reading_minutes: a.body.reading_minutes,
                image: a.image.as_ref().map(|img| self.figure_view(&path, img, Role::Lead)),
            }
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
    fn body_html(&self, page_path: &str, body: &crate::markdown::Rendered) -> Result<String, Diagnostic> {
        #[derive(Serialize)]
        struct Data<'s> {
            site: &'s SiteView,
            figure: ImageView,
        }
        crate::image::view::fill(&body.html, |i| {
            let Some(f) = body.figures.get(i) else { return Ok(String::new()) };
            let mut figure = self.figure_view(page_path, &f.figure, if f.block { Role::Block } else { Role::Inline });
            figure.title = f.title.clone();
            self.theme.render("figure.html", &Data { site: &self.site_view, figure })
        })
    }

    fn pages_of(&self, count: usize) -> usize {
        count.div_ceil(self.site.config.paginate).max(1)
    }

    /// The file a job writes.
    pub fn path_of(&self, job: Job) -> String {
        let (site, routes, lang) = (self.site, &self.routes, self.lang());
        match job {
            Job::Home => file_of(&routes.home(lang)),
            Job::SiteFeed => routes.feed(&routes.home(lang)),
            Job::Institutions => file_of(&routes.institutions(lang)),
            Job::Countries => file_of(&routes.countries(lang)),
            Job::Years => file_of(&routes.years(lang)),
            Job::Sitemap => "sitemap.xml".into(),
            Job::SitemapPart(k) => format!("sitemap-{k}.xml"),
            Job::Robots => "robots.txt".into(),
            Job::NotFound => "404.html".into(),
            Job::Articles(n) => file_of(&paginated(&routes.articles(lang), n)),
            Job::Article(i) => file_of(&routes.article(&site.articles[i].lang, &site.articles[i].slug)),
            Job::Institution(id, n) => file_of(&paginated(&routes.institution(lang, &site.institutions[id].slug), n)),
            Job::InstitutionFeed(id) => routes.feed(&routes.institution(lang, &site.institutions[id].slug)),
            Job::Country(id, n) => file_of(&paginated(&routes.country(lang, &site.countries[id].slug), n)),
            Job::CountryFeed(id) => routes.feed(&routes.country(lang, &site.countries[id].slug)),
            Job::Year(i) => file_of(&routes.year(lang, self.index.years[i].year)),
            Job::Page(i) => file_of(&routes.page(&site.pages[i].lang, &site.pages[i].slug)),
            Job::ThemeStatic(i) => self.theme_static[i].0.clone(),
            Job::Asset(i) => site.assets[i].site_path.clone(),
            Job::Image(i) => site.images.files[i].site_path.clone(),
        }
    }

    /// Every job of the site.
    fn all_jobs(&self) -> Vec<Job> {
        let site = self.site;
        let mut jobs = vec![
            Job::Home,
            Job::SiteFeed,
            Job::Institutions,
            Job::Countries,
            Job::Years,
            Job::Sitemap,
            Job::Robots,
            Job::NotFound,
        ];
        jobs.extend((1..=sitemap_parts(self.sitemap_entries().len())).map(Job::SitemapPart));
        jobs.extend((1..=self.pages_of(site.articles.len())).map(Job::Articles));
        jobs.extend((0..site.articles.len()).map(Job::Article));
        for id in 0..site.institutions.len() {
            jobs.extend((1..=self.pages_of(self.index.by_institution[id].len())).map(|n| Job::Institution(id, n)));
            jobs.push(Job::InstitutionFeed(id));
        }
        for id in 0..site.countries.len() {
            jobs.extend((1..=self.pages_of(self.index.by_country[id].len())).map(|n| Job::Country(id, n)));
            jobs.push(Job::CountryFeed(id));
        }
        jobs.extend((0..self.index.years.len()).map(Job::Year));
        jobs.extend((0..site.pages.len()).map(Job::Page));
        jobs.extend((0..self.theme_static.len()).map(Job::ThemeStatic));
        jobs.extend((0..site.assets.len()).map(Job::Asset));
        jobs.extend((0..site.images.files.len()).map(Job::Image));
        jobs
    }

    /// Every output file with its job, checked for collisions.
    pub fn plan(&self) -> Result<Vec<(String, Job)>, Vec<Diagnostic>> {
        let jobs: Vec<(String, Job)> = self.all_jobs().into_iter().map(|job| (self.path_of(job), job)).collect();
        self.check_collisions(&jobs)?;
        Ok(jobs)
    }

    /// Where a job comes from, for collision messages: (shown path, description).
    fn source_of(&self, job: Job) -> (String, String) {
        let site = self.site;
        let file = |p: &str| (p.to_string(), format!("`{p}`"));
        match job {
            Job::Article(i) => file(&site.articles[i].rel_path),
            Job::Page(i) => file(&site.pages[i].rel_path),
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
                let shown = crate::error::display_path(&site.root, self.theme_static[i].1);
                file(&shown)
            }
            other => ("content".into(), format!("the generated {} page", generated_name(other))),
        }
    }

    fn check_collisions(&self, jobs: &[(String, Job)]) -> Result<(), Vec<Diagnostic>> {
        let mut seen: HashMap<&str, Job> = HashMap::with_capacity(jobs.len());
        let mut problems = Vec::new();
        for (path, job) in jobs {
            if let Some(first) = seen.insert(path.as_str(), *job) {
                let (first_path, first_desc) = self.source_of(first);
                let (this_path, this_desc) = self.source_of(*job);
                // Report at a file the editor wrote, preferring the later one.
                let shown = if this_path != "content" { this_path } else { first_path };
                problems.push(Diagnostic::new(
                    shown,
                    format!("{this_desc} and {first_desc} would both be written to `/{path}`, expected every URL to come from one source"),
                ));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    fn current(
        &self,
        path: &str,
        title: &str,
        description: &str,
        section: &'static str,
        feeds: Vec<Link>,
    ) -> CurrentView {
        let mut all_feeds = vec![Link { title: self.site.config.title.clone(), url: self.site_view.feed_url.clone() }];
        all_feeds.extend(feeds);
        CurrentView {
            url: self.base.url(path),
            permalink: self.base.permalink(path),
            title: title.to_string(),
            description: description.to_string(),
            feeds: all_feeds,
            section,
        }
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

    fn page<T: Serialize>(&self, template: &str, current: CurrentView, data: T) -> Result<Vec<u8>, Diagnostic> {
        #[derive(Serialize)]
        struct Context<'s, T: Serialize> {
            site: &'s SiteView,
            current: CurrentView,
            #[serde(flatten)]
            data: T,
        }
        self.theme.render(template, &Context { site: &self.site_view, current, data }).map(String::into_bytes)
    }

    /// Renders one job and hands it to `out`.
    fn run(&self, file: &str, job: Job, out: &dyn Output) -> Result<(), Diagnostic> {
        let bytes = match job {
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
            _ => self.render_job(job)?,
        };
        out.put(file, bytes).map_err(|e| Diagnostic::new(file, e.to_string()))
    }

    /// The bytes of one generated file.
    pub fn render_job(&self, job: Job) -> Result<Vec<u8>, Diagnostic> {
        let (site, routes, lang, base) = (self.site, &self.routes, self.lang(), self.base);
        let description = site.config.description.as_str();
        match job {
            Job::Home => {
                #[derive(Serialize)]
                struct Home<'s> {
                    latest: Vec<&'s ArticleCard>,
                    institutions: &'s [InstitutionCard],
                    countries: &'s [CountryCard],
                    years: &'s [YearCard],
                }
                let current = self.current(&routes.home(lang), &site.config.title, description, "home", vec![]);
                let latest = (0..site.articles.len()).take(site.config.paginate).map(|i| self.card(i)).collect();
                self.page(
                    "index.html",
                    current,
                    Home {
                        latest,
                        institutions: &self.institution_cards,
                        countries: &self.country_cards,
                        years: &self.year_cards,
                    },
                )
            }
            Job::Article(i) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    article: ArticleView<'s>,
                }
                let a = &site.articles[i];
                let card = self.card(i);
                let link = |j: usize| Link { title: self.card(j).title.clone(), url: self.card(j).url.clone() };
                let content = self.body_html(&routes.article(&a.lang, &a.slug), &a.body)?;
                let article = ArticleView {
                    card,
                    lang: &a.lang,
                    content: &content,
                    toc: &a.body.toc,
                    word_count: a.body.word_count,
                    updated_iso: a.updated.as_ref().map(|u| u.iso()),
                    updated_display: a.updated.as_ref().map(|u| u.display()),
                    topics: &a.topics,
                    extra: &a.extra,
                    newer: i.checked_sub(1).map(link),
                    older: (i + 1 < self.cards.len()).then(|| link(i + 1)),
                };
                let current = self.current(&routes.article(&a.lang, &a.slug), &a.title, &a.summary, "articles", vec![]);
                self.page("article.html", current, Data { article })
            }
            Job::Articles(n) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    paginator: Paginator<'s>,
                }
                let all: Vec<usize> = (0..site.articles.len()).collect();
                let path = paginated(&routes.articles(lang), n);
                let title = if n > 1 { format!("All articles, page {n}") } else { "All articles".to_string() };
                let current = self.current(&path, &title, description, "articles", vec![]);
                self.page("articles.html", current, Data { paginator: self.paginator(&all, &routes.articles(lang), n) })
            }
            Job::Institutions => {
                #[derive(Serialize)]
                struct Data<'s> {
                    groups: Vec<CountryGroup<'s>>,
                    total: usize,
                }
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
                let current =
                    self.current(&routes.institutions(lang), "Institutions", description, "institutions", vec![]);
                self.page("institutions.html", current, Data { groups, total: site.institutions.len() })
            }
            Job::Institution(id, n) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    institution: InstitutionView<'s>,
                    paginator: Paginator<'s>,
                }
                let inst = &site.institutions[id];
                let path = routes.institution(lang, &inst.slug);
                let feed_url = base.url(&routes.feed(&path));
                let institution = InstitutionView {
                    card: &self.institution_cards[id],
                    slug: &inst.slug,
                    feed_url: feed_url.clone(),
                    website: inst.website.as_deref(),
                    founded: inst.founded.as_deref(),
                    aliases: &inst.aliases,
                    description: &inst.body.html,
                    extra: &inst.extra,
                };
                let summary =
                    if inst.body.first_paragraph.is_empty() { description } else { &inst.body.first_paragraph };
                let feeds = vec![Link { title: format!("{} — {}", site.config.title, inst.name), url: feed_url }];
                let current = self.current(&paginated(&path, n), &inst.name, summary, "institutions", feeds);
                self.page(
                    "institution.html",
                    current,
                    Data { institution, paginator: self.paginator(&self.index.by_institution[id], &path, n) },
                )
            }
            Job::Countries => {
                #[derive(Serialize)]
                struct Data<'s> {
                    countries: &'s [CountryCard],
                }
                let current = self.current(&routes.countries(lang), "Countries", description, "countries", vec![]);
                self.page("countries.html", current, Data { countries: &self.country_cards })
            }
            Job::Country(id, n) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    country: CountryView<'s>,
                    paginator: Paginator<'s>,
                }
                let c = &site.countries[id];
                let path = routes.country(lang, &c.slug);
                let feed_url = base.url(&routes.feed(&path));
                let country = CountryView {
                    card: &self.country_cards[id],
                    slug: &c.slug,
                    feed_url: feed_url.clone(),
                    description: &c.body.html,
                    institutions: self.index.institutions_by_country[id]
                        .iter()
                        .map(|&i| &self.institution_cards[i])
                        .collect(),
                    extra: &c.extra,
                };
                let summary = if c.body.first_paragraph.is_empty() { description } else { &c.body.first_paragraph };
                let feeds = vec![Link { title: format!("{} — {}", site.config.title, c.name), url: feed_url }];
                let current = self.current(&paginated(&path, n), &c.name, summary, "countries", feeds);
                self.page(
                    "country.html",
                    current,
                    Data { country, paginator: self.paginator(self.index.country(id), &path, n) },
                )
            }
            Job::Years => {
                #[derive(Serialize)]
                struct Data<'s> {
                    years: &'s [YearCard],
                }
                let current = self.current(&routes.years(lang), "Archive by year", description, "years", vec![]);
                self.page("years.html", current, Data { years: &self.year_cards })
            }
            Job::Year(i) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    year: YearView<'s>,
                }
                let y = &self.index.years[i];
                let mut months: Vec<MonthGroup<'_>> = Vec::new();
                for &a in &y.articles {
                    let month = site.articles[a].date.date().month();
                    match months.last_mut() {
                        Some(group) if group.month == month => group.articles.push(self.card(a)),
                        _ => months.push(MonthGroup {
                            month,
                            name: month_name(month),
                            id: format!("{}-{month:02}", y.year),
                            articles: vec![self.card(a)],
                        }),
                    }
                }
                let year = YearView {
                    card: &self.year_cards[i],
                    months,
                    newer: i.checked_sub(1).map(|j| &self.year_cards[j]),
                    older: self.year_cards.get(i + 1),
                };
                let current =
                    self.current(&routes.year(lang, y.year), &y.year.to_string(), description, "years", vec![]);
                self.page("year.html", current, Data { year })
            }
            Job::Page(i) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    page: PageView<'s>,
                }
                let p = &site.pages[i];
                let path = routes.page(&p.lang, &p.slug);
                let content = self.body_html(&path, &p.body)?;
                let page = PageView {
                    title: &p.title,
                    url: base.url(&path),
                    lang: &p.lang,
                    content: &content,
                    toc: &p.body.toc,
                    summary: &p.summary,
                    extra: &p.extra,
                };
                let current = self.current(&path, &p.title, &p.summary, "pages", vec![]);
                self.page("page.html", current, Data { page })
            }
            Job::NotFound => {
                let current = self.current("404.html", "Page not found", description, "none", vec![]);
                self.page("404.html", current, ())
            }
            Job::SiteFeed => {
                let all: Vec<usize> = (0..site.articles.len()).collect();
                self.feed(&routes.home(lang), &site.config.title, description, &all)
            }
            Job::InstitutionFeed(id) => {
                let inst = &site.institutions[id];
                let title = format!("{} — {}", site.config.title, inst.name);
                self.feed(
                    &routes.institution(lang, &inst.slug),
                    &title,
                    &format!("News of {}", inst.name),
                    &self.index.by_institution[id],
                )
            }
            Job::CountryFeed(id) => {
                let c = &site.countries[id];
                let title = format!("{} — {}", site.config.title, c.name);
                self.feed(
                    &routes.country(lang, &c.slug),
                    &title,
                    &format!("News of cooperation involving {}", c.name),
                    self.index.country(id),
                )
            }
            Job::Sitemap => {
                #[derive(Serialize)]
                struct Data<'s> {
                    entries: &'s [SitemapEntry],
                }
                #[derive(Serialize)]
                struct Index {
                    sitemaps: Vec<SitemapEntry>,
                }
                let entries = self.sitemap_entries();
                match sitemap_parts(entries.len()) {
                    0 => self.theme.render("sitemap.xml", &Data { entries }).map(String::into_bytes),
                    parts => {
                        let sitemaps = (1..=parts)
                            .map(|k| SitemapEntry { loc: base.permalink(&format!("sitemap-{k}.xml")), lastmod: None })
                            .collect();
                        self.theme.render("sitemap_index.xml", &Index { sitemaps }).map(String::into_bytes)
                    }
                }
            }
            Job::SitemapPart(k) => {
                #[derive(Serialize)]
                struct Data<'s> {
                    entries: &'s [SitemapEntry],
                }
                let entries = self.sitemap_entries().chunks(SITEMAP_LIMIT).nth(k - 1).unwrap_or_default();
                self.theme.render("sitemap.xml", &Data { entries }).map(String::into_bytes)
            }
            Job::Robots => {
                #[derive(Serialize)]
                struct Data<'s> {
                    site: &'s SiteView,
                    sitemap_url: String,
                }
                self.theme
                    .render("robots.txt", &Data { site: &self.site_view, sitemap_url: base.permalink("sitemap.xml") })
                    .map(String::into_bytes)
            }
            Job::Asset(_) | Job::Image(_) | Job::ThemeStatic(_) => Ok(Vec::new()),
        }
    }

    /// One RSS channel: the newest `feed_limit` articles of `ids` (which are newest first).
    fn feed(&self, listing: &str, title: &str, description: &str, ids: &[usize]) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        let items: Vec<FeedItem> = ids
            .iter()
            .take(site.config.feed_limit)
            .map(|&i| self.feed_items[i].get_or_init(|| self.feed_item(i)).clone())
            .collect::<Result<_, _>>()?;
        #[derive(Serialize)]
        struct Data<'s> {
            site: &'s SiteView,
            feed: FeedView,
        }
        let feed = FeedView {
            title: feed::xml_safe(title).into_owned(),
            link: self.base.permalink(listing),
            self_url: self.base.permalink(&self.routes.feed(listing)),
            // RSS requires a description; a site without one is described by its title.
            description: feed::xml_safe(if description.trim().is_empty() { title } else { description }).into_owned(),
            language: site.config.language.clone(),
            last_build_date: items.first().map(|item| item.pub_date.clone()),
            items,
        };
        self.theme.render("rss.xml", &Data { site: &self.site_view, feed }).map(String::into_bytes)
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

    /// Every HTML page except 404.html, with when it last changed: an
    /// article's `updated`, else its date; a listing's, the latest of its
    /// articles' (so page 2 of a listing changes when a new article pushes
    /// one onto it); a standalone page's `updated`, if it has one.
    fn sitemap_entries(&self) -> &[SitemapEntry] {
        self.sitemap.get_or_init(|| self.make_sitemap_entries())
    }

    fn make_sitemap_entries(&self) -> Vec<SitemapEntry> {
        let (site, routes, lang, base) = (self.site, &self.routes, self.lang(), self.base);
        let all: Vec<usize> = (0..site.articles.len()).collect();
        let tz = &site.config.time_zone;
        let keys: Vec<i64> = (0..site.articles.len()).map(|i| self.lastmod(i).sort_key(tz)).collect();
        // The latest change among a listing's articles: computed once per listing.
        let listing_lastmod =
            |ids: &[usize]| ids.iter().copied().max_by_key(|&i| keys[i]).map(|i| self.lastmod(i).iso());
        let everything = listing_lastmod(&all);
        let mut entries = Vec::new();
        let mut push =
            |path: String, lastmod: Option<String>| entries.push(SitemapEntry { loc: base.permalink(&path), lastmod });
        push(routes.home(lang), everything.clone());
        for n in 1..=self.pages_of(all.len()) {
            push(paginated(&routes.articles(lang), n), everything.clone());
        }
        for (i, a) in site.articles.iter().enumerate() {
            push(routes.article(&a.lang, &a.slug), Some(self.lastmod(i).iso()));
        }
        push(routes.institutions(lang), everything.clone());
        for (id, inst) in site.institutions.iter().enumerate() {
            let ids = &self.index.by_institution[id];
            let lastmod = listing_lastmod(ids);
            for n in 1..=self.pages_of(ids.len()) {
                push(paginated(&routes.institution(lang, &inst.slug), n), lastmod.clone());
            }
        }
        push(routes.countries(lang), everything.clone());
        for (id, c) in site.countries.iter().enumerate() {
            let ids = self.index.country(id);
            let lastmod = listing_lastmod(ids);
            for n in 1..=self.pages_of(ids.len()) {
                push(paginated(&routes.country(lang, &c.slug), n), lastmod.clone());
            }
        }
        push(routes.years(lang), everything);
        for y in &self.index.years {
            push(routes.year(lang, y.year), listing_lastmod(&y.articles));
        }
        for p in &site.pages {
            push(routes.page(&p.lang, &p.slug), p.updated.as_ref().map(PubDate::iso));
        }
        entries
    }

    /// An article's last modification: `updated`, else its date.
    fn lastmod(&self, i: usize) -> &PubDate {
        let a = &self.site.articles[i];
        a.updated.as_ref().unwrap_or(&a.date)
    }
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

/// How many URLs one sitemap file may list (the sitemap protocol's limit).
pub const SITEMAP_LIMIT: usize = 50_000;

/// How many `sitemap-N.xml` parts a site of `urls` pages needs: none when
/// one `sitemap.xml` can list them all.
fn sitemap_parts(urls: usize) -> usize {
    if urls <= SITEMAP_LIMIT { 0 } else { urls.div_ceil(SITEMAP_LIMIT) }
}

fn generated_name(job: Job) -> &'static str {
    match job {
        Job::Home => "home",
        Job::Articles(_) => "article listing",
        Job::Institutions => "institutions",
        Job::Countries => "countries",
        Job::Years | Job::Year(_) => "year archive",
        Job::SiteFeed => "site feed",
        Job::Sitemap | Job::SitemapPart(_) => "sitemap",
        Job::Robots => "robots.txt",
        Job::NotFound => "404",
        _ => "index",
    }
}

#[cfg(test)]
mod tests {
    use super::page_window;

    #[test]
    fn large_sites_get_a_sitemap_index() {
        use super::{SITEMAP_LIMIT, sitemap_parts};
        assert_eq!(sitemap_parts(0), 0);
        assert_eq!(sitemap_parts(SITEMAP_LIMIT), 0);
        assert_eq!(sitemap_parts(SITEMAP_LIMIT + 1), 2);
        assert_eq!(sitemap_parts(3 * SITEMAP_LIMIT), 3);
    }

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
