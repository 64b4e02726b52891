//! stele: a static site generator for a heritage-cooperation news microsite.
//!
//! The modules follow the pipeline, then the commands:
//!
//! - loading: `site.toml` -> [`config::Config`]; `content/` ->
//!   [`content::load`](mod@content::load) (front matter, Markdown, dates, slugs) ->
//!   [`content::Site`];
//! - indexing: the groupings by institution, country and year ->
//!   [`index::Index`];
//! - planning: every output file of the site, what it shows and when it last
//!   changed -> [`plan::Plan`], the one list of outputs that collisions, the
//!   sitemap, summaries, `check` and `serve`'s incremental rebuilds read;
//! - rendering: site + plan + [`render::theme::Theme`] -> bytes per output
//!   ([`render`]);
//! - search: a static index per language from the rendered text, and the
//!   script that reads it ([`search`]);
//! - output: an [`output::Output`] sink, a staging folder swapped in at the
//!   end for `build` or a map in memory for `serve`, `check` and tests;
//! - the commands: [`build`], [`serve`] (with its in-memory
//!   [`serve::session`]), [`check`] (with its link checker) and [`new`].

pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod fs;
pub mod image;
pub mod index;
pub mod new;
pub mod output;
pub mod plan;
pub mod render;
pub mod search;
pub mod serve;
