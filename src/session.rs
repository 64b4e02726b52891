//! A build that stays in memory and follows the sources as they change: what
//! `serve` answers from.
//!
//! The first build, and any change that can move an article in a listing or
//! touch more than articles (a new or removed file, a profile, a page, a
//! template, site.toml, an article's title, date, summary, institutions...),
//! rebuilds the whole site from the sources. An edit that leaves every
//! listing as it was (an article's body, topics or `extra`) re-reads only the
//! edited files and re-renders only what shows them in full: their pages and
//! the feeds that carry them. Either way the result is what a full build from
//! scratch would give, byte for byte (the tests compare the two).
//!
//! Files are shared (`Arc<[u8]>`), so a small change copies no page bytes.
//! After a failed update the last good files are kept, and the next update is
//! a full rebuild, so that a fix anywhere is seen.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::build::{BuildOptions, Loaded, load, render_to};
use crate::content::{Article, load as content_load};
use crate::error::Error;
use crate::output::MemoryOutput;
use crate::render::{Job, render_jobs};

/// The site's files by site path (`articles/x/index.html`).
pub type Files = BTreeMap<String, Arc<[u8]>>;

/// A site kept in memory.
pub struct Session {
    options: BuildOptions,
    /// The last good load, when it still matches the sources.
    loaded: Option<Loaded>,
    files: Arc<Files>,
}

/// What an update changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Site paths added, changed or removed.
    pub changed: Vec<String>,
    /// Whether only the edited articles were rendered again.
    pub incremental: bool,
}

impl Session {
    /// A session with nothing built yet.
    pub fn new(options: BuildOptions) -> Self {
        Session { options, loaded: None, files: Arc::default() }
    }

    /// The last good files.
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// Rebuilds everything from the sources.
    pub fn rebuild(&mut self) -> Result<Update, Error> {
        self.loaded = None;
        let loaded = load(&self.options)?;
        let out = MemoryOutput::new();
        render_to(&loaded, &out)?;
        let files: Files = out.into_files().into_iter().map(|(path, bytes)| (path, Arc::from(bytes))).collect();
        let changed = changed_paths(&self.files, &files);
        self.files = Arc::new(files);
        self.loaded = Some(loaded);
        Ok(Update { changed, incremental: false })
    }

    /// Follows changed sources (paths relative to the site root).
    pub fn update(&mut self, changed_sources: &[PathBuf]) -> Result<Update, Error> {
        match self.try_incremental(changed_sources) {
            Ok(Some(update)) => Ok(update),
            Ok(None) => self.rebuild(),
            Err(err) => {
                // The sources no longer match what is loaded: rebuild fully next time.
                self.loaded = None;
                Err(err)
            }
        }
    }

    /// Re-renders only the edited articles when no listing can change;
    /// `Ok(None)` when a full rebuild is needed.
    fn try_incremental(&mut self, changed_sources: &[PathBuf]) -> Result<Option<Update>, Error> {
        let Some(loaded) = self.loaded.as_mut() else { return Ok(None) };
        if changed_sources.is_empty() {
            return Ok(None);
        }
        let site = &loaded.site;
        let mut edits: Vec<(usize, Article)> = Vec::new();
        for source in changed_sources {
            let rel_path = source.to_string_lossy().replace('\\', "/");
            let Some(index) = site.articles.iter().position(|a| a.rel_path == rel_path) else { return Ok(None) };
            if edits.iter().any(|(i, _)| *i == index) {
                continue;
            }
            if !self.options.root.join(source).is_file() {
                return Ok(None);
            }
            let mut article =
                content_load::read_article(&self.options.root, &rel_path, &site.config).map_err(Error::from)?;
            if article.draft && !self.options.drafts {
                return Ok(None);
            }
            let mut problems = Vec::new();
            content_load::resolve_articles(
                std::slice::from_mut(&mut article),
                &site.institutions,
                &site.countries,
                &mut problems,
            );
            if !problems.is_empty() {
                return Err(Error::from(problems));
            }
            if !same_in_listings(&site.articles[index], &article) {
                return Ok(None);
            }
            edits.push((index, article));
        }

        let site = &mut loaded.site;
        for (index, article) in &mut edits {
            std::mem::swap(&mut site.articles[*index], article);
        }
        let edited: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
        let site = &loaded.site;
        let (institutions, countries): (Vec<usize>, Vec<usize>) = (
            edited.iter().flat_map(|&i| site.articles[i].institutions.iter().copied()).collect(),
            edited.iter().flat_map(|&i| site.articles[i].countries.iter().copied()).collect(),
        );
        // The edited pages, and every feed that may carry them in full.
        let mut jobs: Vec<Job> = edited.iter().map(|&i| Job::Article(i)).collect();
        if edited.iter().any(|&i| i < site.config.feed_limit) {
            jobs.push(Job::SiteFeed);
        }
        jobs.extend(institutions.into_iter().map(Job::InstitutionFeed));
        jobs.extend(countries.into_iter().map(Job::CountryFeed));
        jobs.sort_unstable();
        jobs.dedup();
        let out = MemoryOutput::new();
        let rendered = render_jobs(site, &loaded.theme, &out, &jobs);
        if let Err(problems) = rendered {
            // Put the previous articles back: what is loaded must match the last good files.
            let site = &mut loaded.site;
            for (index, article) in &mut edits {
                std::mem::swap(&mut site.articles[*index], article);
            }
            self.loaded = None;
            return Err(Error::from(problems));
        }
        let mut files: Files = (*self.files).clone();
        let mut changed = Vec::new();
        for (path, bytes) in out.into_files() {
            if files.get(&path).is_none_or(|old| **old != *bytes) {
                changed.push(path.clone());
                files.insert(path, Arc::from(bytes));
            }
        }
        self.files = Arc::new(files);
        Ok(Some(Update { changed, incremental: true }))
    }
}

/// Whether an edited article shows the same in every listing, feed list,
/// sitemap and neighbour link as before: only then can the rest of the site stay.
fn same_in_listings(old: &Article, new: &Article) -> bool {
    old.slug == new.slug
        && old.lang == new.lang
        && old.title == new.title
        && old.date == new.date
        && old.updated == new.updated
        && old.summary == new.summary
        && old.institutions == new.institutions
        && old.countries == new.countries
        && old.image == new.image
        && old.body.reading_minutes == new.body.reading_minutes
        // A new or changed figure may name an image the last load did not process.
        && old.body.figures == new.body.figures
}

/// Site paths added, removed or changed between two sets of files.
pub fn changed_paths(old: &Files, new: &Files) -> Vec<String> {
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| old.get(*path).is_none_or(|before| !Arc::ptr_eq(before, bytes) && before != *bytes))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(old.keys().filter(|path| !new.contains_key(*path)).cloned());
    changed.sort();
    changed
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("root", &self.options.root).field("files", &self.files.len()).finish()
    }
}
