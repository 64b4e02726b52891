//! The build as a whole: options in, a site out.
//!
//! [`load`] reads `site.toml`, the content and the theme, collecting every
//! problem before giving up; [`render_to`] renders into any [`Output`];
//! [`build`] does both into a staging folder that replaces the output folder
//! only when everything succeeded; [`build_in_memory`] keeps the result in a
//! map (serve, check, tests).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{BaseUrl, Config};
use crate::content::{Site, load::LoadOptions};
use crate::error::{Diagnostic, Error};
use crate::output::{MemoryOutput, Output, StagingOutput, check_output_dir};
use crate::plan::Summary;
use crate::render::render_site;
use crate::render::theme::Theme;

/// What a build needs to know, resolved once from the command line.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (holds site.toml).
    pub root: PathBuf,
    /// Where `build` writes; `public/` under the root when not given.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` of site.toml.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// Also write `.gz` and `.br` copies of text files (`build --precompress`).
    pub precompress: bool,
}

impl BuildOptions {
    /// Options for the site at `root`, with defaults.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions { root: root.into(), output: None, base_url: None, drafts: false, precompress: false }
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// A loaded site with its theme, ready to render.
#[derive(Debug)]
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
}

/// What `build` reports.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub summary: Summary,
    pub elapsed: Duration,
    /// Images decoded and processed by this build.
    pub images_processed: usize,
    /// Images whose variants came from the image cache.
    pub images_cached: usize,
    /// `.gz` and `.br` copies written (with `precompress`).
    pub compressed: usize,
}

/// Reads the configuration, every content file and the theme.
pub fn load(options: &BuildOptions) -> Result<Loaded, Error> {
    match load_partial(options)? {
        (loaded, problems) if problems.is_empty() => Ok(loaded),
        (_, problems) => Err(Error::from(problems)),
    }
}

/// Like [`load`], but a site whose content has problems is still returned,
/// without the files that failed, beside the list of problems (for `check`,
/// which renders what it can). Problems of site.toml or the theme are errors.
pub fn load_partial(options: &BuildOptions) -> Result<(Loaded, Vec<Diagnostic>), Error> {
    let root = &options.root;
    let config = config_for(options)?;
    let load_options = LoadOptions { root: root.clone(), drafts: options.drafts };
    let theme_config = config.clone();
    // Content and theme are independent: read both and report the problems of both.
    let ((site, mut problems), theme) = rayon::join(
        || crate::content::load::load_partial(config, &load_options),
        || Theme::load(root, &theme_config, &theme_config.language_codes()),
    );
    match theme {
        Ok(theme) => Ok((Loaded { site, theme }, problems)),
        Err(theme_problems) => {
            problems.extend(theme_problems);
            Err(Error::from(problems))
        }
    }
}

/// The configuration a build uses: site.toml with the command line's overrides.
pub fn config_for(options: &BuildOptions) -> Result<Config, Error> {
    let mut config = read_config(&options.root)?;
    if let Some(url) = &options.base_url {
        config.base_url = BaseUrl::parse(url).map_err(|m| Error::Env(format!("--base-url: {m}")))?;
    }
    Ok(config)
}

/// Reads `site.toml` of the site at `root`; its absence is a usage error.
pub fn read_config(root: &Path) -> Result<Config, Error> {
    let path = root.join("site.toml");
    if !path.is_file() {
        return Err(Error::Env(format!(
            "no site.toml in `{}`, expected a site folder (use --root DIR or run inside the site)",
            root.display()
        )));
    }
    Ok(Config::from_file(&path, "site.toml")?)
}

/// Renders a loaded site into `out`.
pub fn render_to(loaded: &Loaded, out: &dyn Output) -> Result<Summary, Error> {
    render_site(&loaded.site, &loaded.theme, out).map_err(Error::from)
}

/// Builds the site into its output folder, atomically.
pub fn build(options: &BuildOptions) -> Result<Report, Error> {
    let start = Instant::now();
    let target = options.output_dir();
    check_output_dir(&options.root, &target)?;
    // Before anything can fail: a site set aside by a killed build goes back in place.
    crate::output::recover(&target);
    let mut loaded = load(options)?;
    // Where links were written is for `check`; a build lets go of it.
    loaded.site.forget_link_positions();
    // Published theme assets get content-hashed names (see `theme`); serve and check keep plain ones.
    loaded.theme.fingerprint(&options.root)?;
    let staging = StagingOutput::new(&target)?;
    // The compressed copies go into the staging folder: swapped in with the site or not at all.
    let (summary, compressed) = if options.precompress {
        let out = crate::output::precompress::Precompressed::new(&staging);
        let summary = staging.finish(render_to(&loaded, &out))?;
        (summary, out.copies())
    } else {
        (staging.finish(render_to(&loaded, &staging))?, 0)
    };
    staging.commit()?;
    // Only a successful full build knows every image the site uses: the others leave the cache alone.
    let images = &loaded.site.images;
    crate::image::cache::prune(&images.cache_dir, &images.used_keys);
    Ok(Report {
        summary,
        elapsed: start.elapsed(),
        images_processed: images.processed,
        images_cached: images.cached,
        compressed,
    })
}

/// Builds the site into memory: site path -> bytes.
pub fn build_in_memory(options: &BuildOptions) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let loaded = load(options)?;
    let out = MemoryOutput::new();
    render_to(&loaded, &out)?;
    Ok(out.into_files())
}

/// The site root for a command: `--root`, else the current folder.
pub fn resolve_root(root: Option<&Path>) -> Result<PathBuf, Error> {
    match root {
        Some(root) => Ok(root.to_path_buf()),
        None => std::env::current_dir().map_err(|e| Error::Env(format!("cannot read the current folder: {e}"))),
    }
}
