//! A mutation fuzzer that runs on stable Rust, for the parts of stele that
//! read what editors and browsers write: front matter (every kind of
//! profile), Markdown, site.toml, the dev server's request handler, the
//! link scanner, and the search tokenizer and indexer (rendered pages as
//! text and as HTML, in each language's rules). Nothing may panic or hang on
//! any input.
//!
//! Seeds come from the repository's own site: every file of `content/`,
//! `site.toml`, the pages of a build of it (for the link scanner) and
//! requests for its URLs (for the handler). Each input is a seed changed a
//! few times over (bits flipped, bytes inserted or deleted, pieces repeated
//! or spliced in from another seed, tokens that matter to the parsers put
//! in), by a small PRNG, so a seed and an iteration number name an input.
//!
//! `cargo test --test fuzz` runs a few hundred inputs per target, the same
//! ones every time. For longer runs:
//!
//!     STELE_FUZZ_SECONDS=600 STELE_FUZZ_SEED=7 cargo test --release --test fuzz -- --nocapture
//!
//! The time is shared between the targets. An input that panics, or that
//! takes longer than `STELE_FUZZ_HANG_SECONDS` (default 30), is saved under
//! `target/fuzz-failures/` and fails the run, naming the file.

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::repo_root;
use stele::build::{BuildOptions, build_in_memory};
use stele::check::links::PageLinks;
use stele::config::{BaseUrl, Config};
use stele::content::{Article, Country, Institution, Page, SourceText};
use stele::serve::State;
use stele::serve::http::{Policy, respond};

/// Inputs per target in a plain `cargo test` run.
const QUICK_RUNS: u64 = 300;

/// The longest input the mutator makes.
const MAX_LEN: usize = 256 * 1024;

/// What parsers care about: put into inputs as they are.
const TOKENS: &[&str] = &[
    "---\n",
    "\n---\n",
    ": ",
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "](",
    "![",
    "<",
    ">",
    "*",
    "**",
    "_",
    "`",
    "```\n",
    "#",
    "## ",
    "{#",
    "[^",
    "]: ",
    "|",
    "\n",
    "\r\n",
    "\\",
    "\"",
    "'",
    "&",
    "&amp;",
    "&#x",
    "%",
    "%2e%2e/",
    "%00",
    "..",
    "//",
    "/./",
    "?",
    "#x",
    "&anchor",
    "*anchor",
    "!!binary ",
    "!tag ",
    "extra:\n  ",
    "\u{202E}",
    "\u{FEFF}",
    "\u{0}",
    "\t",
    "<a href=\"",
    "<img srcset=\"",
    "<base href=\"",
    " id=\"",
    "=\"",
    "[extra]\n",
    "[[x]]\n",
    "= ",
    "\"\"\"",
    "1979-05-27T07:32:00Z",
    "2024-02-30",
    "99999999999999999999",
    "-0",
    ".inf",
    "http://",
    "mailto:",
    "javascript:",
];

/// xorshift64*: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A seed changed a few times over.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, rng.next() as u8),
            2 => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 => {
                // A piece repeated many times: what makes parsers slow.
                let end = (at + 1 + rng.below(16)).min(data.len());
                let piece = data[at.min(end)..end].to_vec();
                let times = 1 + rng.below(2000);
                for _ in 0..times {
                    if data.len() + piece.len() > MAX_LEN {
                        break;
                    }
                    data.splice(at..at, piece.iter().copied());
                }
            }
            4 | 5 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let piece = &other[from..(from + rng.below(256)).min(other.len())];
                let end = (at + rng.below(64)).min(data.len());
                data.splice(at..end, piece.iter().copied());
            }
        }
        data.truncate(MAX_LEN);
    }
    data
}

/// What a target does with one input.
type Run = Box<dyn Fn(&[u8])>;

/// One fuzz target: a name, its seeds, and what it does with an input.
struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    run: Run,
}

/// Every file under `dir` whose name ends with one of `extensions`.
fn files_under(dir: &Path, extensions: &[&str]) -> Vec<Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| extensions.iter().any(|ext| e.path().to_string_lossy().ends_with(ext)))
        .map(|e| std::fs::read(e.path()).expect("read a seed"))
        .collect()
}

fn targets() -> Vec<Target> {
    let root = repo_root();
    let markdown = files_under(&root.join("content"), &[".md"]);
    assert!(markdown.len() > 5, "seeds from content/");
    let site = build_in_memory(&BuildOptions::new(&root)).expect("the repository's site builds");
    let pages: Vec<Vec<u8>> =
        site.iter().filter(|(path, _)| path.ends_with(".html")).step_by(7).map(|(_, b)| b.clone()).collect();
    let mut requests: Vec<Vec<u8>> = site
        .keys()
        .step_by(5)
        .map(|path| format!("GET\n/{}\nlocalhost:1111", path.trim_end_matches("index.html")).into_bytes())
        .collect();
    requests.extend(
        ["HEAD\n/%2e%2e/site.toml\n127.0.0.1", "GET\nhttp://[::1]:1111/articles/?x=1\n", "POST\n/\nevil.example"]
            .map(|r| r.as_bytes().to_vec()),
    );
    let files: Arc<stele::serve::session::Files> =
        Arc::new(site.iter().map(|(path, bytes)| (Arc::from(path.as_str()), Arc::from(bytes.clone()))).collect());
    let state = State { files, errors: Vec::new(), generation: 1 };
    let base = BaseUrl::parse("https://example.org/heritage/").expect("a base URL");

    vec![
        Target {
            name: "front-matter",
            seeds: markdown.clone(),
            run: Box::new(|input| {
                let text = String::from_utf8_lossy(input);
                let tz = jiff::tz::TimeZone::UTC;
                let src = |rel_path| SourceText {
                    text: &text,
                    rel_path,
                    file_slug: "x",
                    lang: "en",
                    group: rel_path,
                    tz: &tz,
                };
                let _ = Article::parse(&src("content/articles/x.md"), None);
                let _ = Institution::parse(&src("content/institutions/x.md"));
                let _ = Country::parse(&src("content/countries/x.md"));
                let _ = Page::parse(&src("content/pages/x.md"), None);
                // The same text as a translation of valid originals.
                let original = |rel_path, text| SourceText {
                    text,
                    rel_path,
                    file_slug: "x",
                    lang: "en",
                    group: rel_path,
                    tz: &tz,
                };
                let article = "---\ntitle: T\ndate: 2024-03\ninstitutions: [A]\n---\nBody.\n";
                if let Ok(o) = Article::parse(&original("content/articles/x.md", article), None) {
                    let _ = Article::parse(&src("content/articles/x.fr.md"), Some(&o));
                }
                let profile = "---\nname: A\ncountry: China\n---\nBody.\n";
                if let Ok(o) = Institution::parse(&original("content/institutions/x.md", profile)) {
                    let _ = o.parse_translation(&src("content/institutions/x.fr.md"));
                }
            }),
        },
        Target {
            name: "markdown",
            seeds: markdown,
            run: Box::new(|input| {
                let _ = stele::content::markdown::render(&String::from_utf8_lossy(input));
            }),
        },
        Target {
            name: "config",
            seeds: vec![
                std::fs::read(root.join("site.toml")).expect("site.toml"),
                common::SITE_TOML.as_bytes().to_vec(),
            ],
            run: Box::new(|input| {
                let _ = Config::parse(&String::from_utf8_lossy(input), "site.toml");
            }),
        },
        Target {
            name: "request",
            seeds: requests,
            run: Box::new(move |input| {
                let text = String::from_utf8_lossy(input);
                let mut lines = text.split('\n');
                let method = lines.next().unwrap_or_default();
                let target = lines.next().unwrap_or_default();
                let hosts: Vec<&str> = lines.collect();
                for check_host in [true, false] {
                    let _ = respond(&state, Policy { check_host }, method, target, &hosts);
                }
            }),
        },
        Target {
            name: "search",
            seeds: pages.clone(),
            run: Box::new(|input| {
                let text = String::from_utf8_lossy(input);
                for lang in ["en", "fr", "zh"] {
                    let _ = stele::search::tokenize::Tokenizer::new(lang).tokenize(&text);
                }
                // The page as a document's body and title, and its halves as two documents.
                let half = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
                let doc =
                    |title: &str, html| stele::search::Doc { title: title.to_string(), html, ..Default::default() };
                let docs = [doc(&text[..half], &text), doc("", &text[half..])];
                for lang in ["fr", "zh"] {
                    let _ = stele::search::build(lang, docs.len(), |k| docs[k].clone());
                }
            }),
        },
        Target {
            name: "link-scanner",
            seeds: pages,
            run: Box::new(move |input| {
                let _ = PageLinks::scan(input);
                let files = BTreeMap::from([("articles/x/index.html".to_string(), input.to_vec())]);
                let _ = stele::check::links::check_links(&files, &base);
            }),
        },
    ]
}

/// Saves an input that failed, and says how to find it again.
fn save(target: &str, seed: u64, iteration: u64, input: &[u8]) -> PathBuf {
    let dir = repo_root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-seed{seed}-{iteration}.bin"));
    let _ = std::fs::write(&path, input);
    path
}

/// Stops the watchdog when a run ends, by returning or by panicking.
struct Done(Arc<AtomicU64>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.store(1, Ordering::Relaxed);
    }
}

/// Runs every target for `budget` each (or [`QUICK_RUNS`] inputs), from `seed`.
fn fuzz(targets: Vec<Target>, seed: u64, budget: Option<Duration>, hang: Duration) {
    // The input being run, for the watchdog: (target, iteration, started at, bytes).
    type Current = (&'static str, u64, Instant, Vec<u8>);
    let current: Arc<Mutex<Option<Current>>> = Arc::new(Mutex::new(None));
    let done = Arc::new(AtomicU64::new(0));
    {
        let (current, done) = (Arc::clone(&current), Arc::clone(&done));
        std::thread::spawn(move || {
            while done.load(Ordering::Relaxed) == 0 {
                std::thread::sleep(Duration::from_millis(200));
                let guard = current.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((name, iteration, started, input)) = guard.as_ref()
                    && started.elapsed() > hang
                {
                    let path = save(name, seed, *iteration, input);
                    eprintln!("fuzz: `{name}` hung for {hang:?} on the input saved at {}", path.display());
                    std::process::exit(101);
                }
            }
        });
    }
    let _done = Done(Arc::clone(&done));
    for target in targets {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ target.name.len() as u64 | 1);
        let start = Instant::now();
        let mut iteration = 0;
        while match budget {
            Some(budget) => start.elapsed() < budget,
            None => iteration < QUICK_RUNS,
        } {
            let input = mutate(&mut rng, &target.seeds);
            *current.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((target.name, iteration, Instant::now(), input.clone()));
            if catch_unwind(AssertUnwindSafe(|| (target.run)(&input))).is_err() {
                let path = save(target.name, seed, iteration, &input);
                panic!("fuzz: `{}` panicked on the input saved at {}", target.name, path.display());
            }
            iteration += 1;
        }
        eprintln!("fuzz: `{}`: {iteration} inputs in {:.1?}, seed {seed}", target.name, start.elapsed());
    }
}

#[test]
fn nothing_panics_or_hangs_on_mutated_input() {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let seed = env("STELE_FUZZ_SEED").unwrap_or(1);
    // Shared by the six targets.
    let budget = env("STELE_FUZZ_SECONDS").map(|s| Duration::from_secs(s) / 5);
    let hang = Duration::from_secs(env("STELE_FUZZ_HANG_SECONDS").unwrap_or(30));
    fuzz(targets(), seed, budget, hang);
}

#[test]
#[should_panic(expected = "`finds-me` panicked on the input saved at")]
fn the_harness_fails_on_a_panic() {
    let target = Target {
        name: "finds-me",
        seeds: vec![b"plain text".to_vec()],
        run: Box::new(|input| assert!(!input.windows(2).any(|w| w == b"]("), "a planted bug")),
    };
    fuzz(vec![target], 1, None, Duration::from_secs(30));
}
