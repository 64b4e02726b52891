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
    // No transparent huge pages: mimalloc asks for them on its memory, and a
    // 2 MiB page then counts whole as soon as one byte of it is touched
    // (about 30 MB more peak memory for a build of 10,000 articles, for no
    // speed that could be measured). The flag is the process's, so it holds
    // for every thread started after this line.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE reads no memory of ours; a failure only leaves the default.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // Problems are located relative to the site folder, where their frames are read from.
    let root = resolve_root(cli.command.root()).unwrap_or_default();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match &err {
                Error::Site(list) => eprint!("{}", stele::error::render(list, &root, stderr_wants_color())),
                // The message and every cause it keeps, as one line.
                Error::Env(_) | Error::Io { .. } => eprintln!("error: {}", err.chain()),
            }
            if let Error::Site(list) = &err {
                eprintln!("{} problem{} found", list.len(), if list.len() == 1 { "" } else { "s" });
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// Colour on a terminal, unless `NO_COLOR` is set (https://no-color.org).
fn stderr_wants_color() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// mimalloc's `purge_delay` option (`mi_option_purge_delay` in the
/// mimalloc.h of libmimalloc-sys 0.1.49, whose Rust constants leave it out).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Build(args) => {
            // A build is short and its memory comes and goes in waves (a
            // language's pages, then its search index): keeping freed pages
            // rather than giving them back to the system and faulting them in
            // again saves a fifth of the search index's cost at 10,000
            // articles in three languages, for about 6% more peak memory.
            // (Not for `serve`, which lives long.) Set before any thread starts.
            // SAFETY: one call, on the main thread, before any other thread exists.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
            let options = BuildOptions {
                root: resolve_root(args.site.root.as_deref())?,
                output: args.output,
                base_url: args.base_url,
                drafts: args.drafts,
                precompress: args.precompress,
            };
            let report = build(&options)?;
            let images = match (report.images_processed, report.images_cached) {
                (0, 0) => String::new(),
                (processed, cached) => format!(" ({processed} images processed, {cached} from the cache)"),
            };
            let compressed = match report.compressed {
                0 => String::new(),
                n => format!(" (and {n} compressed copies)"),
            };
            eprintln!(
                "built {}{images}{compressed} into `{}` in {:.0?}",
                report.summary,
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
            let path = match (&args.translation_of, args.lang.as_deref()) {
                (Some(of), Some(lang)) => stele::new::new_translation(&root, &args.title, lang, of)?,
                _ => stele::new::new_article(
                    &root,
                    &args.title,
                    &args.institutions,
                    args.date.as_deref(),
                    args.lang.as_deref(),
                )?,
            };
            println!("{}", path.display());
            Ok(())
        }
        Command::Init(args) => {
            let dir = resolve_root(args.dir.as_deref())?;
            let written = stele::new::init(&dir)?;
            eprintln!("created a new site in `{}` ({} files)", dir.display(), written.len());
            let cd = match &args.dir {
                Some(given) => format!("cd {} && ", given.display()),
                None => String::new(),
            };
            eprintln!("next: `{cd}stele serve` to preview it, `stele build` to write it into public/");
            Ok(())
        }
        Command::New(NewCommand::Institution(args)) => {
            let root = resolve_root(args.site.root.as_deref())?;
            let path = stele::new::new_institution(&root, &args.name, &args.country)?;
            println!("{}", path.display());
            Ok(())
        }
    }
}
