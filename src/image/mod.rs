//! Photographs: every image an article or page shows becomes a responsive
//! `<picture>` with a caption, a credit and a rights statement.
//!
//! - [`figure`]: what an editor writes (`image` in front matter, a
//!   ```` ```figure ```` block in the body), checked where it is written;
//! - [`process`]: decode, EXIF orientation, colour profile -> sRGB, resize
//!   to a ladder of widths, encode WebP and the original format;
//! - [`cache`]: the content-hash cache that makes a warm build decode nothing;
//! - [`iiif`]: images served by a IIIF Image API service, never fetched;
//! - [`view`]: what the theme's `figure.html` receives, and how body figures
//!   are put into the article's HTML.
//!
//! [`process_site`] runs once per load, after the content is read: it finds
//! the local JPEG and PNG files that figures, lead images and Markdown images
//! refer to, takes each from the cache or processes it (in parallel, under a
//! memory budget), and returns an [`ImageSet`]: the pictures by the site path
//! of their source, and the variant files to copy into the output. Only
//! images that something shows are processed; other files are copied as they
//! are. An image that cannot be read is an error naming its file. The
//! original file is still copied beside its variants, so links to it work.
//!
//! What this module must never do: open a network connection (IIIF URLs are
//! only written into `srcset`), decode an image the cache already holds,
//! hold more decoded pixels than the memory budget, or panic on bad bytes.

pub mod cache;
pub mod figure;
pub mod iiif;
pub mod process;
pub mod view;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

use rayon::prelude::*;

use crate::content::Site;
use crate::error::{Diagnostic, Position};
use figure::{Figure, Source};
use process::{Format, Settings};

/// Images of a site, processed.
#[derive(Debug, Default, Clone)]
pub struct ImageSet {
    /// By the site path of the source (`articles/x/cave.jpg`).
    pictures: BTreeMap<String, Picture>,
    /// Every variant file, to copy into the output.
    pub files: Vec<ImageFile>,
    /// Images decoded and processed by this load.
    pub processed: usize,
    /// Images whose variants came from the cache.
    pub cached: usize,
    /// The cache entries this load used (for [`cache::prune`]).
    pub used_keys: HashSet<String>,
    /// The cache folder.
    pub cache_dir: PathBuf,
}

/// A processed image: its size after rotation, and its variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// Sorted by format (WebP first), then width.
    pub variants: Vec<Variant>,
}

/// One variant of a picture, at its place in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub site_path: String,
}

/// A variant file to copy into the output.
#[derive(Debug, Clone)]
pub struct ImageFile {
    /// Where it goes: `articles/x/cave.800.webp`.
    pub site_path: String,
    /// The file in the cache.
    pub source_path: PathBuf,
    /// The source image, as messages show it.
    pub rel_path: String,
}

impl ImageSet {
    /// A hash of every picture (its size and its variants): what pages that
    /// show photographs depend on.
    pub fn fingerprint(&self) -> u64 {
        crate::plan::hash_of(&format!("{:?}", self.pictures))
    }

    /// The picture made from the file at `site_path`.
    pub fn picture(&self, site_path: &str) -> Option<&Picture> {
        self.pictures.get(site_path)
    }
}

/// The site path a figure's `src` names, seen from the page at `page_path`
/// (`articles/x/`): `None` for an absolute URL, which is never fetched.
pub fn resolve(page_path: &str, src: &str) -> Option<String> {
    if src.contains("://") || src.starts_with("//") || src.starts_with("data:") || src.starts_with("mailto:") {
        return None;
    }
    let src = src.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(src).decode_utf8().ok()?;
    let joined = match decoded.strip_prefix('/') {
        Some(rooted) => rooted.to_string(),
        None => format!("{page_path}{decoded}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Where a figure is written, for messages.
struct Use<'a> {
    figure: &'a Figure,
    rel_path: &'a str,
    pos: Option<Position>,
    page_path: String,
}

/// Every figure of the site with where it is written.
fn uses(site: &Site) -> Vec<Use<'_>> {
    let routes = crate::plan::route::Routes::new(&site.config.language);
    let mut uses = Vec::new();
    for a in &site.articles {
        let page_path = routes.article(&a.lang, &a.slug);
        if let Some(image) = &a.image {
            uses.push(Use { figure: image, rel_path: &a.rel_path, pos: a.image_pos, page_path: page_path.clone() });
        }
        body_uses(&mut uses, &a.body, a.body_line, &a.rel_path, &page_path);
    }
    for p in &site.pages {
        body_uses(&mut uses, &p.body, p.body_line, &p.rel_path, &routes.page(&p.lang, &p.slug));
    }
    uses
}

/// The figures of a body that starts at line `body_line` of `rel_path`, shown at `page_path`.
fn body_uses<'a>(
    uses: &mut Vec<Use<'a>>,
    body: &'a crate::content::markdown::Rendered,
    body_line: usize,
    rel_path: &'a str,
    page_path: &str,
) {
    uses.extend(body.figures.iter().map(|f| Use {
        figure: &f.figure,
        rel_path,
        pos: Some(f.pos.in_file(body_line)),
        page_path: page_path.to_string(),
    }));
}

/// Finds, processes (or takes from the cache) every image the site shows.
pub fn process_site(site: &Site, problems: &mut Vec<Diagnostic>) -> ImageSet {
    let settings = &site.config.images;
    let cache_dir = site.root.join(cache::CACHE_DIR);
    let mut wanted: BTreeMap<&str, usize> = BTreeMap::new();
    let assets: BTreeMap<&str, usize> =
        site.assets.iter().enumerate().map(|(i, a)| (a.site_path.as_str(), i)).collect();
    for u in uses(site) {
        if settings.require_credit && u.figure.credit.is_none() {
            problems.push(
                Diagnostic::new(u.rel_path, "the image has no `credit`, expected who made or holds it (site.toml requires a credit for every image)")
                    .with_pos(u.pos),
            );
        }
        let Source::Src(src) = u.figure.source() else { continue };
        let Some(site_path) = resolve(&u.page_path, src) else { continue };
        if let Some((&path, &index)) = assets.get_key_value(site_path.as_str())
            && process::is_processable(path)
        {
            wanted.insert(path, index);
        }
    }

    let cache = cache::Cache::new(cache_dir.clone());
    let budget = Budget::new(settings.processing.memory_budget);
    let fingerprint = settings.processing.fingerprint();
    let progress = Progress::new(wanted.len());
    let results: Vec<(&str, usize, Result<Entry, String>)> = wanted
        .par_iter()
        .map(|(&site_path, &index)| {
            let asset = &site.assets[index];
            let result = take_or_process(&asset.source_path, &cache, &fingerprint, &settings.processing, &budget);
            progress.tick(matches!(result, Ok(Entry { from_cache: false, .. })));
            (site_path, index, result)
        })
        .collect();
    progress.finish();

    let mut set = ImageSet { cache_dir, ..ImageSet::default() };
    for (site_path, index, result) in results {
        let asset = &site.assets[index];
        match result {
            Err(message) => problems.push(Diagnostic::new(&asset.rel_path, message)),
            Ok(Entry { key, meta, from_cache }) => {
                if from_cache {
                    set.cached += 1;
                } else {
                    set.processed += 1;
                }
                let entry = cache.entry_dir(&key);
                let (dir, stem) = match site_path.rsplit_once('/') {
                    Some((dir, name)) => (format!("{dir}/"), name),
                    None => (String::new(), site_path),
                };
                let stem = stem.rsplit_once('.').map_or(stem, |(stem, _)| stem);
                let variants = meta
                    .variants
                    .iter()
                    .map(|v| {
                        let variant_path = format!("{dir}{stem}.{}.{}", v.width, v.format.extension());
                        set.files.push(ImageFile {
                            site_path: variant_path.clone(),
                            source_path: entry.join(v.file_name()),
                            rel_path: asset.rel_path.clone(),
                        });
                        Variant { format: v.format, width: v.width, height: v.height, site_path: variant_path }
                    })
                    .collect();
                set.used_keys.insert(key);
                set.pictures
                    .insert(site_path.to_string(), Picture { width: meta.width, height: meta.height, variants });
            }
        }
    }
    set
}

/// A source's cache entry.
struct Entry {
    key: String,
    meta: cache::Meta,
    /// Found in the cache rather than processed by this load.
    from_cache: bool,
}

/// Reads a source, hashes it, and returns its cache entry, processing it
/// first when the cache does not have it.
fn take_or_process(
    path: &std::path::Path,
    cache: &cache::Cache,
    fingerprint: &str,
    settings: &Settings,
    budget: &Budget,
) -> Result<Entry, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the image ({e})"))?;
    let key = cache::key(&bytes, fingerprint);
    if let Some(meta) = cache.get(&key) {
        return Ok(Entry { key, meta, from_cache: true });
    }
    let (width, height) = process::dimensions(&bytes)?;
    let needed = process::memory_needed(width, height).min(settings.memory_budget);
    let processed = {
        let _permit = budget.acquire(needed);
        process::process(&bytes, settings)?
    };
    drop(bytes);
    let meta = cache.put(&key, &processed)?;
    Ok(Entry { key, meta, from_cache: false })
}

/// Bytes of decoded pixels that may be held at once, shared by the threads.
struct Budget {
    total: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

struct Permit<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Budget {
    fn new(total: u64) -> Self {
        Budget { total, used: Mutex::new(0), freed: Condvar::new() }
    }

    /// Waits until `bytes` fit (one image always fits when nothing else is held).
    fn acquire(&self, bytes: u64) -> Permit<'_> {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used > 0 && *used + bytes > self.total {
            used = self.freed.wait(used).unwrap_or_else(|p| p.into_inner());
        }
        *used += bytes;
        Permit { budget: self, bytes }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|p| p.into_inner());
        *used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

/// A progress bar on a terminal (done/total and the rate), shown only when
/// images are actually processed; nothing at all when stderr is not a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Self {
        use std::io::IsTerminal;
        if total == 0 || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("images {bar:30} {pos}/{len} {per_sec} {msg}") {
            bar.set_style(style);
        }
        Progress { bar: Some(bar) }
    }

    fn tick(&self, processed: bool) {
        if let Some(bar) = &self.bar {
            if processed {
                bar.set_message("processing");
            }
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn sources_resolve_against_the_page() {
        assert_eq!(resolve("articles/x/", "cave.jpg").as_deref(), Some("articles/x/cave.jpg"));
        assert_eq!(resolve("articles/x/", "./img/a%20b.png").as_deref(), Some("articles/x/img/a b.png"));
        assert_eq!(resolve("articles/x/", "/images/c.jpg").as_deref(), Some("images/c.jpg"));
        assert_eq!(resolve("articles/x/", "../y/c.jpg?v=1").as_deref(), Some("articles/y/c.jpg"));
        assert_eq!(resolve("articles/x/", "../../../c.jpg"), None);
        assert_eq!(resolve("articles/x/", "https://e.org/c.jpg"), None);
    }
}
