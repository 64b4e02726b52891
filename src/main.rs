//! The `stele` binary: parse the command line, run the command, print the
//! error chain once, exit with 0 (success), 1 (a problem in the site) or 2
//! (a usage or environment problem).

use std::process::ExitCode;

use clap::Parser;
use stele::build::{BuildOptions, build, resolve_root};
use stele::error::Error;

mod cli;

// A build allocates and frees many small strings and template values from both
// threads at once; mimalloc handles that faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use cli::{Cli, Command, NewCommand};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            if let Error::Site(list) = &err {
                eprintln!("{} problem{} found", list.len(), if list.len() == 1 { "" } else { "s" });
            }
            ExitCode::from(err.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Build(args) => {
            let options = BuildOptions {
                root: resolve_root(args.site.root.as_deref())?,
                output: args.output,
                base_url: args.base_url,
                drafts: args.drafts,
            };
            let report = build(&options)?;
            let images = match (report.images_processed, report.images_cached) {
                (0, 0) => String::new(),
                (processed, cached) => format!(" ({processed} images processed, {cached} from the cache)"),
            };
            eprintln!(
                "built {} pages and {} static files{images} into `{}` in {:.0?}",
                report.summary.pages,
                report.summary.assets,
                options.output_dir().display(),
                report.elapsed
            );
            Ok(())
        }
        Command::Serve(args) => {
            let mut build = BuildOptions::new(resolve_root(args.site.root.as_deref())?);
            build.drafts = args.drafts;
            stele::serve::serve(stele::serve::ServeOptions {
                build,
                bind: args.bind,
                port: args.port,
                open: args.open,
                poll: args.poll,
            })
        }
        Command::Check(args) => {
            let mut options = BuildOptions::new(resolve_root(args.site.root.as_deref())?);
            options.drafts = args.drafts;
            let report = stele::check::check(&options)?;
            eprintln!("{report}");
            Ok(())
        }
        Command::New(NewCommand::Article(args)) => {
            let root = resolve_root(args.site.root.as_deref())?;
            let path = stele::scaffold::new_article(&root, &args.title, &args.institutions, args.date.as_deref())?;
            println!("{}", path.display());
            Ok(())
        }
        Command::New(NewCommand::Institution(args)) => {
            let root = resolve_root(args.site.root.as_deref())?;
            let path = stele::scaffold::new_institution(&root, &args.name, &args.country)?;
            println!("{}", path.display());
            Ok(())
        }
    }
}
