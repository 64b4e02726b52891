//! stele: a static site generator for a heritage-cooperation news microsite.
//!
//! The pipeline: `site.toml` -> [`config::Config`]; `content/` ->
//! [`content::load`] -> [`content::Site`]; the groupings ->
//! [`taxonomy::Index`]; site + [`theme::Theme`] -> [`render`] -> every
//! (site path, bytes) into an [`output::Output`] sink: a staging folder
//! swapped in at the end for `build`, or a map in memory for `serve`, `check`
//! and tests. [`build`] ties it together.

pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod date;
pub mod error;
pub mod fs;
pub mod html;
pub mod image;
pub mod links;
pub mod markdown;
pub mod output;
pub mod render;
pub mod route;
pub mod scaffold;
pub mod serve;
pub mod session;
pub mod slug;
pub mod taxonomy;
pub mod theme;
