//! The command line: one `Args` struct per command, shared flags flattened in.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// stele: a static site generator for heritage-cooperation news.
#[derive(Debug, Parser)]
#[command(name = "stele", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into its output folder (public/ by default).
    Build(BuildArgs),
}

/// Flags every command that reads a site takes.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site folder (holds site.toml); the current folder by default.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Include articles and pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site; `public/` under the site folder by default.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace `base_url` of site.toml, e.g. for a preview deployment.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}
