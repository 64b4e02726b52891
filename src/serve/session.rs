//! A build that stays in memory and follows the sources as they change: what
//! `serve` answers from.
//!
//! The first build loads and renders everything. After that, an update
//! brings the loaded site in step with the changed files, then renders only
//! the outputs whose plan entry shows something that changed:
//!
//! 1. **Bring the site in step.** An edited, new or removed article, an
//!    edited profile or standalone page is re-read alone and put in place
//!    (articles are sorted again); site.toml and the templates are read
//!    again without reading or parsing any Markdown. Whatever cannot be put
//!    in place — a new or removed profile or page, a profile whose name,
//!    aliases, slug or country changed, a bundle, a static file added or
//!    removed, a new language or time zone — reloads the content from disk.
//! 2. **Plan and compare.** The new [`Plan`] is made (or the last one kept,
//!    with its groupings, when no source moved in or out of any listing:
//!    see `structure`), every source gets a
//!    version (a hash of what outputs show of it: an article's card is
//!    hashed from the card itself, so a body edit leaves listings alone),
//!    and each entry a fingerprint from the versions of what it shows
//!    ([`Plan::fingerprints`]). Entries whose fingerprint is new are
//!    rendered; paths that left the plan are removed.
//!
//! 3. **Render.** Cards rendered through the theme's component are kept
//!    from one update to the next ([`CardCache`]), by what they show: a
//!    listing that shifts after an edit renders only the cards that changed.
//!
//! Either way the result is what a full build from scratch would give, byte
//! for byte (tests/session.rs compares the two after every kind of edit).
//! Every file is read through the loader, so a file the build refuses (a
//! link out of the site, a FIFO) is refused here too.
//!
//! Files are shared (`Arc<[u8]>`), so a small change copies no page bytes.
//! After a failed update the last good files are kept, and the next update
//! reloads everything, so that a fix anywhere is seen. A session never
//! writes to disk.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::build::{BuildOptions, Loaded, config_for, load};
use crate::content::Article;
use crate::content::load::{Kind, Parsed, kind_of, read_source, resolve_articles, sort_articles};
use crate::error::{Diagnostic, Error};
use crate::index::Editions;
use crate::output::MemoryOutput;
use crate::plan::{Entry, Plan, Versions, hash_of, hasher};
use crate::render::theme::Theme;
use crate::render::{CardCache, Renderer};

/// The site's files by site path (`articles/x/index.html`); the paths are
/// shared, so that the copy an update makes of the map copies no path.
pub type Files = BTreeMap<Arc<str>, Arc<[u8]>>;

/// A site kept in memory.
pub struct Session {
    options: BuildOptions,
    /// Whether [`Session::update`] leaves the search index for
    /// [`Session::finish_search`] (`serve`: pages first).
    defer_search: bool,
    /// The last good state, when it still matches the sources.
    state: Option<State>,
    files: Arc<Files>,
}

/// What is kept between updates.
struct State {
    loaded: Loaded,
    /// Each output's fingerprint when it was last rendered, in the order of
    /// the entries of the plan kept in `kept`.
    fingerprints: Vec<u64>,
    /// Article source -> (hash of what its card is made from, hash of the card).
    cards: FxHashMap<String, (u64, u64)>,
    /// Static file (as its path shows) -> how many times it changed.
    generations: HashMap<String, u64>,
    /// How many times the templates or site.toml changed.
    templates: u64,
    /// Cards rendered through the theme, for the value of `templates` beside them.
    card_cache: (u64, Arc<CardCache>),
    /// The last groupings and plan, with the [`structure`] they were made for.
    kept: Option<Kept>,
    /// Search index files left for [`Session::finish_search`]: their entry in
    /// the kept plan and their new fingerprint (`fingerprints` holds another
    /// value for them until they are rendered).
    pending_search: Vec<(usize, u64)>,
}

/// What an update can take over from the one before when the site's
/// structure is the same: making them costs more than the rest of a small update.
struct Kept {
    structure: u64,
    editions: Editions,
    plan: Plan,
}

/// What an update changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Site paths added, changed or removed.
    pub changed: Vec<String>,
    /// How many outputs were rendered (or copied) again.
    pub rendered: usize,
    /// How many of them were files of the search index (a content edit
    /// renders its languages' indexes again: their terms are spread over
    /// every chunk).
    pub search_rendered: usize,
    /// How many search index files are left for [`Session::finish_search`].
    pub search_pending: usize,
    /// How many outputs the site has.
    pub outputs: usize,
    /// Whether the content was brought in step without reloading it from disk.
    pub incremental: bool,
}

impl Session {
    /// A session with nothing built yet.
    pub fn new(options: BuildOptions) -> Self {
        Session { options, defer_search: false, state: None, files: Arc::default() }
    }

    /// A session whose updates render the pages first and leave the search
    /// index, whose every file a content edit changes, for
    /// [`Session::finish_search`]: what an editor looks at is live sooner.
    pub fn deferring_search(options: BuildOptions) -> Self {
        Session { defer_search: true, ..Session::new(options) }
    }

    /// The last good files.
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// Loads and renders everything from the sources.
    pub fn rebuild(&mut self) -> Result<Update, Error> {
        let previous = self.state.take();
        let loaded = load(&self.options)?;
        let state = State {
            loaded,
            fingerprints: Vec::new(),
            cards: previous.map(|p| p.cards).unwrap_or_default(),
            generations: HashMap::new(),
            templates: 0,
            card_cache: (0, Arc::default()),
            kept: None,
            pending_search: Vec::new(),
        };
        self.render_changes(state, false)
    }

    /// Renders the search index files the last update left (see
    /// [`Session::deferring_search`]); nothing when there are none.
    pub fn finish_search(&mut self) -> Result<Update, Error> {
        let nothing = |outputs| Update {
            changed: Vec::new(),
            rendered: 0,
            search_rendered: 0,
            search_pending: 0,
            outputs,
            incremental: true,
        };
        let Some(mut state) = self.state.take() else { return Ok(nothing(0)) };
        let outputs = state.kept.as_ref().map_or(0, |k| k.plan.entries.len());
        let kept = match state.kept.take() {
            Some(kept) if !state.pending_search.is_empty() => kept,
            other => {
                state.kept = other;
                self.state = Some(state);
                return Ok(nothing(outputs));
            }
        };
        let pending = std::mem::take(&mut state.pending_search);
        let (site, theme) = (&state.loaded.site, &state.loaded.theme);
        let mut renderer = Renderer::with_editions(site, theme, kept.editions);
        let entries: Vec<&Entry> = pending.iter().map(|&(i, _)| &kept.plan.entries[i]).collect();
        let out = MemoryOutput::new();
        renderer.render(&kept.plan, &entries, &out).map_err(Error::from)?;
        let mut files: Files = (*self.files).clone();
        let mut changed = Vec::new();
        put_changed(&mut files, out, &mut changed);
        for &(i, fingerprint) in &pending {
            state.fingerprints[i] = fingerprint;
        }
        let editions = renderer.into_editions();
        state.kept = Some(Kept { structure: kept.structure, editions, plan: kept.plan });
        self.files = Arc::new(files);
        self.state = Some(state);
        Ok(Update { changed, rendered: pending.len(), search_rendered: pending.len(), ..nothing(outputs) })
    }

    /// Follows changed sources (paths relative to the site root).
    pub fn update(&mut self, changed_sources: &[PathBuf]) -> Result<Update, Error> {
        let Some(mut state) = self.state.take() else { return self.rebuild() };
        // On an error, what was loaded may be half updated and is dropped:
        // the next update reloads everything.
        let incremental = self.bring_in_step(&mut state, changed_sources)?;
        self.render_changes(state, incremental)
    }

    /// Applies the changed files to the loaded site; `Ok(false)` when the
    /// content had to be reloaded from disk.
    fn bring_in_step(&self, state: &mut State, changed: &[PathBuf]) -> Result<bool, Error> {
        let root = &self.options.root;
        let theme_name = state.loaded.site.config.theme.clone();
        let (mut config_changed, mut templates_changed, mut reload) = (false, false, false);
        let mut sources: Vec<String> = Vec::new();
        for path in changed {
            let rel = path.to_string_lossy().replace('\\', "/");
            let rel = rel.trim_start_matches("./").to_string();
            if rel == "site.toml" {
                config_changed = true;
            } else if rel == "templates"
                || rel.starts_with("templates/")
                || rel == format!("themes/{theme_name}")
                || rel.starts_with(&format!("themes/{theme_name}/templates"))
                || rel.starts_with(&format!("themes/{theme_name}/strings"))
            {
                templates_changed = true;
            } else if rel.starts_with(&format!("themes/{theme_name}/static/")) {
                // Copied as it is: only the file itself changes, unless files come or go.
                let known = state.loaded.theme.static_files.values().any(|p| *p == root.join(&rel));
                if !known || !root.join(&rel).is_file() {
                    templates_changed = true;
                }
                *state.generations.entry(rel).or_default() += 1;
            } else if rel.starts_with("themes/") {
                // Another theme: nothing of this site.
            } else if rel.starts_with("content/") && rel.ends_with(".md") && kind_of(&rel).is_some() {
                sources.push(rel);
            } else if rel.starts_with("content/") {
                let known = state.loaded.site.assets.iter().any(|a| a.rel_path == rel);
                // A photograph is processed with the content (through the image cache, so
                // only the changed one is decoded again).
                let photograph = crate::image::process::is_processable(&rel);
                if !known || photograph || !root.join(&rel).is_file() {
                    reload = true;
                }
                *state.generations.entry(rel).or_default() += 1;
            } else {
                reload = true;
            }
        }
        sources.sort();
        sources.dedup();

        if config_changed {
            let config = config_for(&self.options)?;
            let old = &state.loaded.site.config;
            // Dates and languages are read with these: the content must be read again.
            if config.language != old.language || config.time_zone_name != old.time_zone_name {
                reload = true;
            }
            if config.theme != old.theme {
                templates_changed = true;
            }
            state.loaded.site.config = config;
            state.templates += 1;
        }
        if templates_changed {
            let config = &state.loaded.site.config;
            state.loaded.theme = Theme::load(root, config, &config.language_codes()).map_err(Error::from)?;
            state.templates += 1;
        }
        if !reload {
            reload = !self.apply_sources(state, &sources)?;
        }
        if reload {
            let loaded = load(&self.options)?;
            // Whatever came with the reload must show: a theme that changed meanwhile renders everything.
            let theme_changed = |old: &Theme, new: &Theme| {
                old.sources() != new.sources() || !old.same_strings(new) || old.static_files != new.static_files
            };
            if theme_changed(&state.loaded.theme, &loaded.theme) {
                state.templates += 1;
            }
            state.loaded = loaded;
            return Ok(false);
        }
        Ok(true)
    }

    /// Puts re-read sources in place; `Ok(false)` when one cannot be put in
    /// place and the content must be reloaded.
    fn apply_sources(&self, state: &mut State, sources: &[String]) -> Result<bool, Error> {
        let (root, drafts) = (&self.options.root, self.options.drafts);
        let site = &mut state.loaded.site;
        let mut articles_changed = false;
        for rel in sources {
            let exists = std::fs::symlink_metadata(root.join(rel)).is_ok();
            let kind = kind_of(rel);
            if kind == Some(Kind::Article) && rel.ends_with("/index.md") {
                return Ok(false); // a bundle: its files follow its slug
            }
            // An article's translation is read against its original, as a full
            // load reads it; any other file in another language, with the whole content.
            let Ok((lang, group)) = crate::content::load::language_of(rel, &site.config) else { return Ok(false) };
            let original = if lang == site.config.language {
                None
            } else {
                let original = match kind {
                    Some(Kind::Article) => site
                        .articles
                        .iter()
                        .find(|a| a.group == group && !a.translation && a.lang != lang)
                        .map(|o| Parsed::Article(Box::new(o.clone()))),
                    Some(Kind::Institution) => site
                        .institutions
                        .iter()
                        .find(|i| i.group == group && i.lang != lang)
                        .map(|o| Parsed::Institution(Box::new(o.clone()))),
                    Some(Kind::Country) => site
                        .countries
                        .iter()
                        .find(|c| c.group == group && c.rel_path.is_some() && c.lang != lang)
                        .map(|o| Parsed::Country(Box::new(o.clone()))),
                    _ => None,
                };
                match original {
                    Some(original) => Some(original),
                    None => return Ok(false),
                }
            };
            let parsed = if exists {
                match read_source(root, rel, &site.config, original.as_ref()) {
                    Some(parsed) => Some(parsed.map_err(Error::from)?),
                    None => return Ok(false),
                }
            } else {
                None
            };
            match parsed {
                Some(Parsed::Article(mut article)) => {
                    let old = site.articles.iter().position(|a| a.rel_path == *rel);
                    if old.is_some_and(|i| site.articles[i].source_hash == article.source_hash) {
                        continue;
                    }
                    // Photographs are processed with the content: new or changed ones reload it.
                    let photographs = |a: &Article| (a.image.clone(), a.body.figures.clone());
                    let before = old.map(|i| photographs(&site.articles[i]));
                    if before.unwrap_or_default() != photographs(&article) {
                        return Ok(false);
                    }
                    // Its translations inherit from it: what they inherit must stay.
                    let translated =
                        !article.translation && site.articles.iter().any(|a| a.translation && a.group == article.group);
                    if translated && old.is_none_or(|i| !same_inherited(&site.articles[i], &article)) {
                        return Ok(false);
                    }
                    articles_changed = true;
                    if let Some(i) = old {
                        site.articles.remove(i);
                    }
                    if article.draft && !drafts {
                        continue;
                    }
                    let mut problems: Vec<Diagnostic> = Vec::new();
                    resolve_articles(
                        std::slice::from_mut(&mut *article),
                        &site.institutions,
                        &site.countries,
                        &mut problems,
                    );
                    if let Some(Parsed::Article(o)) = &original {
                        let inherited = (o.institutions.as_slice(), o.countries.as_slice(), o.rel_path.as_str());
                        crate::content::load::inherit_from(&mut article, inherited, &mut problems);
                    }
                    if !problems.is_empty() {
                        return Err(Error::from(problems));
                    }
                    site.articles.push(*article);
                }
                None if kind == Some(Kind::Article) => {
                    if let Some(i) = site.articles.iter().position(|a| a.rel_path == *rel) {
                        if site.articles[i].image.is_some() || !site.articles[i].body.figures.is_empty() {
                            return Ok(false);
                        }
                        site.articles.remove(i);
                        articles_changed = true;
                    }
                }
                Some(Parsed::Institution(mut new)) => {
                    let Some(i) = site.institutions.iter().position(|x| x.rel_path == *rel) else { return Ok(false) };
                    let old = &site.institutions[i];
                    let same_identity = old.name == new.name
                        && old.aliases == new.aliases
                        && old.slug == new.slug
                        && old.country_name.name == new.country_name.name;
                    if !same_identity {
                        return Ok(false);
                    }
                    new.country = old.country;
                    new.translations = std::mem::take(&mut site.institutions[i].translations);
                    site.institutions[i] = *new;
                }
                Some(Parsed::Country(new)) => {
                    let Some(i) = site.countries.iter().position(|c| c.rel_path.as_deref() == Some(rel)) else {
                        return Ok(false);
                    };
                    if site.countries[i].name != new.name || site.countries[i].slug != new.slug {
                        return Ok(false);
                    }
                    let mut new = *new;
                    new.translations = std::mem::take(&mut site.countries[i].translations);
                    site.countries[i] = new;
                }
                Some(Parsed::Page(new)) => {
                    let Some(i) = site.pages.iter().position(|p| p.rel_path == *rel) else { return Ok(false) };
                    let old = &site.pages[i];
                    let translated = site.pages.iter().any(|p| p.translation && p.group == new.group);
                    if old.slug != new.slug || old.lang != new.lang || (new.draft && !drafts) || translated {
                        return Ok(false);
                    }
                    site.pages[i] = *new;
                }
                // A profile's text in another language: put in place, or taken away.
                Some(Parsed::InstitutionText(group, lang, text)) => {
                    let Some(i) = site.institutions.iter_mut().find(|i| i.group == group) else { return Ok(false) };
                    i.translations.insert(lang, *text);
                }
                Some(Parsed::CountryText(group, lang, text)) => {
                    let Some(c) = site.countries.iter_mut().find(|c| c.group == group) else { return Ok(false) };
                    c.translations.insert(lang, *text);
                }
                None if lang != site.config.language && matches!(kind, Some(Kind::Institution | Kind::Country)) => {
                    let removed = match kind {
                        Some(Kind::Institution) => site
                            .institutions
                            .iter_mut()
                            .find(|i| i.group == group)
                            .and_then(|i| i.translations.remove(&lang)),
                        _ => site
                            .countries
                            .iter_mut()
                            .find(|c| c.group == group)
                            .and_then(|c| c.translations.remove(&lang)),
                    };
                    if removed.is_none() {
                        return Ok(false);
                    }
                }
                // A removed profile or page changes what others resolve to.
                None => return Ok(false),
            }
        }
        if articles_changed {
            sort_articles(&mut site.articles);
        }
        Ok(true)
    }

    /// Plans the site as it now is and renders the entries whose fingerprint changed.
    fn render_changes(&mut self, mut state: State, incremental: bool) -> Result<Update, Error> {
        let (site, theme) = (&state.loaded.site, &state.loaded.theme);
        let structure = structure(site, state.templates);
        // The same structure: the same plan, entry for entry (`old_plan` is then `None`).
        let (mut renderer, plan, old_plan) = match state.kept.take() {
            Some(kept) if kept.structure == structure => {
                (Renderer::with_editions(site, theme, kept.editions), kept.plan, None)
            }
            old => {
                let renderer = Renderer::new(site, theme);
                let plan = renderer.plan().map_err(Error::from)?;
                (renderer, plan, Some(old.map(|k| k.plan)))
            }
        };
        if state.card_cache.0 != state.templates {
            state.card_cache = (state.templates, Arc::default());
        }
        renderer.keep_cards(&state.card_cache.1);
        let versions = versions(&renderer, site, state.templates, &state.generations, &mut state.cards);
        let fingerprints = plan.fingerprints(&versions, site);
        let stale: Vec<usize> = match &old_plan {
            None => (0..plan.entries.len()).filter(|&i| state.fingerprints.get(i) != Some(&fingerprints[i])).collect(),
            Some(old) => {
                let before: FxHashMap<&str, u64> = old
                    .iter()
                    .flat_map(|p| p.entries.iter().map(|e| e.path.as_str()))
                    .zip(state.fingerprints.iter().copied())
                    .collect();
                let entries = plan.entries.iter().zip(&fingerprints).enumerate();
                entries.filter(|(_, (e, new))| before.get(e.path.as_str()) != Some(new)).map(|(i, _)| i).collect()
            }
        };
        let is_search = |i: &usize| plan.entries[*i].kind == crate::plan::Kind::Search;
        let (later, now): (Vec<usize>, Vec<usize>) = stale.into_iter().partition(|i| self.defer_search && is_search(i));
        let todo: Vec<&Entry> = now.iter().map(|&i| &plan.entries[i]).collect();
        let out = MemoryOutput::new();
        renderer.render(&plan, &todo, &out).map_err(Error::from)?;

        let mut files: Files = (*self.files).clone();
        let mut changed = Vec::new();
        if old_plan.is_some() {
            // Outputs that are no more.
            let present: rustc_hash::FxHashSet<&str> = plan.entries.iter().map(|e| e.path.as_str()).collect();
            files.retain(|path, _| {
                let kept = present.contains(&**path);
                if !kept {
                    changed.push(path.to_string());
                }
                kept
            });
        }
        put_changed(&mut files, out, &mut changed);
        let search_rendered = todo.iter().filter(|e| e.kind == crate::plan::Kind::Search).count();
        let update = Update {
            changed,
            rendered: todo.len(),
            search_rendered,
            search_pending: later.len(),
            outputs: plan.entries.len(),
            incremental,
        };
        state.kept = Some(Kept { structure, editions: renderer.into_editions(), plan });
        // Every card in every language, twice over for old versions.
        state.card_cache.1.limit(2 * site.articles.len() * site.config.languages.len() + 1000);
        let mut fingerprints = fingerprints;
        // Left for later: not rendered yet, so not the new value.
        state.pending_search = later.iter().map(|&i| (i, fingerprints[i])).collect();
        for &i in &later {
            fingerprints[i] = !fingerprints[i];
        }
        state.fingerprints = fingerprints;
        self.files = Arc::new(files);
        self.state = Some(state);
        Ok(update)
    }
}

/// Puts the rendered files of `out` into `files`, adding the paths whose
/// bytes are new to `changed`, which ends sorted.
fn put_changed(files: &mut Files, out: MemoryOutput, changed: &mut Vec<String>) {
    for (path, bytes) in out.into_files() {
        if files.get(path.as_str()).is_none_or(|old| **old != *bytes) {
            files.insert(Arc::from(path.as_str()), Arc::from(bytes));
            changed.push(path);
        }
    }
    changed.sort();
}

/// The versions of a profile's translations.
fn translations(texts: &std::collections::BTreeMap<String, crate::content::ProfileText>) -> Vec<(&str, u64)> {
    texts.iter().map(|(lang, t)| (lang.as_str(), t.source_hash)).collect()
}

/// Whether two versions of an original give its translations the same
/// inherited values (and the same fate: a draft's translations wait for it) (see [`Article::parse`](crate::content::Article::parse)).
fn same_inherited(old: &crate::content::Article, new: &crate::content::Article) -> bool {
    old.date == new.date
        && old.draft == new.draft
        && old.updated == new.updated
        && old.slug == new.slug
        && old.topics == new.topics
        && old.image == new.image
        && old.featured == new.featured
        && old.extra == new.extra
        && names(&old.named_institutions) == names(&new.named_institutions)
        && names(&old.named_countries) == names(&new.named_countries)
}

fn names(list: &[crate::content::Named]) -> Vec<&str> {
    list.iter().map(|n| n.name.as_str()).collect()
}

/// A hash of everything the groupings ([`Index::new`]) and the plan
/// ([`Plan::new`]) are made from: which sources there are, in which order,
/// at which addresses, in which listings (institutions, countries, year,
/// topics, the home page's lead), with the templates and site.toml as they
/// are (`templates` counts their changes). While it stays the same, so do the
/// groupings and the plan, and an edit to a body, a title or a profile's text
/// re-renders without remaking them. Dates of last change are not part of it:
/// the plan reads them when fingerprints are made.
fn structure(site: &crate::content::Site, templates: u64) -> u64 {
    use std::hash::Hash;
    let mut h = hasher();
    templates.hash(&mut h);
    site.articles.len().hash(&mut h);
    for a in &site.articles {
        (&a.rel_path, &a.slug, &a.lang, a.date_key, a.date.year(), a.bundle, a.draft, a.featured).hash(&mut h);
        (&a.institutions, &a.countries, &a.topics, &a.topic_slugs).hash(&mut h);
    }
    for p in &site.pages {
        (&p.rel_path, &p.slug, &p.lang, p.updated.is_some(), p.draft).hash(&mut h);
    }
    for i in &site.institutions {
        (&i.rel_path, &i.slug, &i.name, i.country).hash(&mut h);
    }
    for c in &site.countries {
        (&c.rel_path, &c.slug, &c.name).hash(&mut h);
    }
    for a in &site.assets {
        a.rel_path.hash(&mut h);
    }
    for f in &site.images.files {
        (&f.site_path, &f.rel_path).hash(&mut h);
    }
    std::hash::Hasher::finish(&h)
}

/// The version of every source the plan's entries show.
fn versions(
    renderer: &Renderer<'_>,
    site: &crate::content::Site,
    templates: u64,
    generations: &HashMap<String, u64>,
    cards: &mut FxHashMap<String, (u64, u64)>,
) -> Versions {
    let global = {
        let mut h = hasher();
        use std::hash::Hash;
        format!("{:?}", site.config).hash(&mut h);
        templates.hash(&mut h);
        renderer.site_view_hash().hash(&mut h);
        // Pages show photographs at the sizes they were processed to.
        site.images.fingerprint().hash(&mut h);
        std::hash::Hasher::finish(&h)
    };
    // What a term link is made of, for cards (name and URL) and for full pages (with native names).
    // (Cards name institutions and countries in each language.)
    let institution_terms: Vec<u64> =
        site.institutions.iter().map(|i| hash_of(&(&i.name, &i.slug, &i.names, &i.native))).collect();
    let country_terms: Vec<u64> =
        site.countries.iter().map(|c| hash_of(&(&c.name, &c.slug, &c.names, &c.native))).collect();
    // A translation shows what it inherits from its original; an article's
    // card is shown in the languages its group lacks.
    let mut groups: FxHashMap<&str, (u64, Vec<&str>)> = FxHashMap::default();
    for a in &site.articles {
        let entry = groups.entry(a.group.as_str()).or_default();
        if !a.translation {
            entry.0 = a.source_hash;
        }
        entry.1.push(a.lang.as_str());
    }
    let institution_native: Vec<u64> = site.institutions.iter().map(|i| hash_of(&i.names)).collect();
    let country_native: Vec<u64> = site.countries.iter().map(|c| hash_of(&c.names)).collect();

    // What each card is made from; the cards whose inputs are new are hashed
    // again, in parallel (after a template edit, that is every card).
    let inputs: Vec<u64> = site
        .articles
        .iter()
        .map(|a| {
            use std::hash::{Hash, Hasher};
            let mut h = hasher();
            (a.source_hash, global, groups.get(a.group.as_str())).hash(&mut h);
            for &id in &a.institutions {
                institution_terms[id].hash(&mut h);
            }
            for &id in &a.countries {
                country_terms[id].hash(&mut h);
            }
            h.finish()
        })
        .collect();
    let mut article_card: Vec<Option<u64>> = (0..site.articles.len())
        .map(|i| cards.get(&site.articles[i].rel_path).filter(|(known, _)| *known == inputs[i]).map(|c| c.1))
        .collect();
    let new_cards: Vec<(usize, u64)> = {
        use rayon::prelude::*;
        let stale: Vec<usize> = (0..site.articles.len()).filter(|&i| article_card[i].is_none()).collect();
        stale.into_par_iter().map(|i| (i, renderer.card_hash(i))).collect()
    };
    for (i, card) in new_cards {
        cards.insert(site.articles[i].rel_path.clone(), (inputs[i], card));
        article_card[i] = Some(card);
    }
    let article_card: Vec<u64> = article_card.into_iter().map(Option::unwrap_or_default).collect();
    let mut article_full = Vec::with_capacity(site.articles.len());
    for (a, &card) in site.articles.iter().zip(&article_card) {
        let group = groups.get(a.group.as_str());
        article_full.push({
            use std::hash::{Hash, Hasher};
            let mut h = hasher();
            (card, a.source_hash, group).hash(&mut h);
            for &id in &a.institutions {
                institution_native[id].hash(&mut h);
            }
            for &id in &a.countries {
                country_native[id].hash(&mut h);
            }
            h.finish()
        });
    }
    // Forget articles that are gone.
    if cards.len() > site.articles.len() {
        let present: std::collections::HashSet<&str> = site.articles.iter().map(|a| a.rel_path.as_str()).collect();
        cards.retain(|rel, _| present.contains(rel.as_str()));
    }

    let institution_card: Vec<u64> = site.institution_ids().map(|id| renderer.institution_card_hash(id)).collect();
    let country_card: Vec<u64> = site.country_ids().map(|id| renderer.country_card_hash(id)).collect();
    let generation = |shown: &str| generations.get(shown).copied().unwrap_or(0);
    let mut versions = Versions {
        global,
        article_full,
        article_card,
        institution_full: site
            .institutions
            .iter()
            .zip(&institution_card)
            .map(|(i, card)| hash_of(&(i.source_hash, card, translations(&i.translations))))
            .collect(),
        country_full: site
            .countries
            .iter()
            .zip(&country_card)
            .map(|(c, card)| hash_of(&(c.source_hash, card, translations(&c.translations))))
            .collect(),
        institution_card,
        country_card,
        page: site
            .pages
            .iter()
            .map(|p| {
                let original = site.pages.iter().find(|o| o.group == p.group && !o.translation);
                hash_of(&(p.source_hash, original.map(|o| o.source_hash)))
            })
            .collect(),
        asset: site.assets.iter().map(|a| hash_of(&(&a.rel_path, generation(&a.rel_path)))).collect(),
        // A variant's file in the cache is named by the content it was made from.
        image: site.images.files.iter().map(|f| hash_of(&(&f.site_path, &f.source_path))).collect(),
        theme_static: renderer
            .theme_static_sources()
            .map(|source| {
                let shown = crate::error::display_path(&site.root, source);
                hash_of(&(&shown, generation(&shown)))
            })
            .collect(),
        search: Vec::new(),
    };
    // A language's search index holds the articles it shows (their text and
    // their cards), and every page and profile; not the templates.
    let shared = hash_of(&(&versions.institution_full, &versions.page));
    versions.search = (0..site.config.languages.len())
        .map(|k| {
            let articles = renderer.articles_in(k);
            let shown: Vec<(u64, u64)> =
                articles.iter().map(|&i| (site.articles[i].source_hash, versions.article_card[i])).collect();
            hash_of(&(shared, articles, shown))
        })
        .collect();
    versions
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("root", &self.options.root).field("files", &self.files.len()).finish()
    }
}
