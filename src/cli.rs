//! The command line: one `Args` struct per command, shared flags flattened in.
//! Nothing here acts: `main.rs` turns the parsed arguments into the library's
//! option structs (`BuildOptions`, `ServeOptions`), once, and dispatches.

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
    /// Preview the site on a local server that reloads pages on every save.
    Serve(ServeArgs),
    /// Check the whole site (content, templates, links) without writing anything.
    Check(CheckArgs),
    /// Create a new article or institution profile.
    #[command(subcommand)]
    New(NewCommand),
    /// Create a new, working site in DIR (the current folder by default), which must be empty.
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of the new site; created if missing, refused if not empty.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl Command {
    /// The `--root` given to the command, if any.
    pub fn root(&self) -> Option<&std::path::Path> {
        let site = match self {
            Command::Build(args) => &args.site,
            Command::Serve(args) => &args.site,
            Command::Check(args) => &args.site,
            Command::New(NewCommand::Article(args)) => &args.site,
            Command::New(NewCommand::Institution(args)) => &args.site,
            Command::Init(_) => return None,
        };
        site.root.as_deref()
    }
}

/// Flags every command that reads a site takes.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site folder (holds site.toml); the current folder by default.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
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
    /// Include articles and pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Also write a .gz and a .br copy beside every text file, for servers that send precompressed files.
    #[arg(long)]
    pub precompress: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Include articles and pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of relying on file-system events (network and container file systems).
    #[arg(long)]
    pub poll: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Check drafts too.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Scaffold content/articles/<slug>.md with today's date.
    Article(NewArticleArgs),
    /// Scaffold content/institutions/<slug>.md.
    Institution(NewInstitutionArgs),
}

#[derive(Debug, Args)]
pub struct NewArticleArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The article's title.
    pub title: String,
    /// An institution the article is about (name, alias or slug); repeat for several.
    #[arg(long = "institution", value_name = "NAME", required_unless_present = "translation_of")]
    pub institutions: Vec<String>,
    /// The publication date: YYYY-MM-DD, or YYYY-MM or YYYY when the source
    /// gives only the month or the year; today in the site's time zone by default.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "translation_of")]
    pub date: Option<String>,
    /// The language it is written in (a code of site.toml, such as `fr`);
    /// the site's default language otherwise.
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    /// Write a translation of the article with this slug: it inherits the
    /// date, institutions, topics and image (needs --lang).
    #[arg(long, value_name = "SLUG", requires = "lang", conflicts_with = "institutions")]
    pub translation_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewInstitutionArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The institution's English name.
    pub name: String,
    /// Its country, by English name.
    #[arg(long, value_name = "COUNTRY")]
    pub country: String,
}
