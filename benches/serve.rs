//! How fast `serve` follows an edit: the in-memory session that serve
//! answers from, timed from the (debounced) list of changed files to the new
//! files being ready, for every kind of content edit, and a template edit
//! against a cold build.
//!
//!     cargo bench --bench serve -- SITE [EDITS]
//!
//! SITE is a site folder (benches/run.sh makes one with
//! ../shared/bench/gen_corpus.py); it is copied to a temporary folder first
//! and never changed. EDITS (default 7) is how many times each kind of edit
//! is made; the median is reported. Output: one line per kind, as
//! `kind  median_ms  max_ms  cpu_ms  outputs_rendered  search_ms` (cpu_ms: the median CPU time
//! of the process, all threads, which load elsewhere on the machine does not inflate), then the template edit and
//! the cold build. benches/run.sh runs this beside Hugo's own rebuild.
//!
//! The session is serve's: an edit's pages are live first (`median_ms`),
//! then the search index follows (`search_ms`, the median time of
//! `finish_search` after the pages, the files of the languages whose index
//! changed).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stele::build::BuildOptions;
use stele::serve::session::Session;

// The allocator of the `stele` binary, so that the times are those of `stele serve`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(site) = args.first() else {
        eprintln!("usage: cargo bench --bench serve -- SITE [EDITS]");
        // `cargo test --all-targets` runs this without `--bench`: nothing to time then.
        std::process::exit(if std::env::args().any(|a| a == "--bench") { 2 } else { 0 });
    };
    let trials: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(7);
    let work = std::env::temp_dir().join(format!("stele-serve-bench-{}", std::process::id()));
    copy_tree(Path::new(site), &work);
    let result = run(&work, trials);
    let _ = std::fs::remove_dir_all(&work);
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(root: &Path, trials: usize) -> Result<(), String> {
    let mut session = Session::deferring_search(BuildOptions::new(root));
    let cold = time(|| session.rebuild().and_then(|_| session.finish_search()).map(|_| ()))?;
    // Originals without translations (`x.md` with no `x.fr.md` beside it): the
    // edits below change dates and institutions, which translations inherit
    // (and which the generator's translations repeat, so they would conflict).
    let original = |p: &PathBuf| p.file_stem().is_some_and(|stem| !stem.to_string_lossy().contains('.'));
    let all = sorted_files(&root.join("content/articles"));
    let translated: std::collections::HashSet<String> = all
        .iter()
        .filter(|p| !original(p))
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().rsplit_once('.')?.0.to_string()))
        .collect();
    let articles: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| original(p) && !p.file_stem().is_some_and(|s| translated.contains(s.to_string_lossy().as_ref())))
        .collect();
    let institution =
        sorted_files(&root.join("content/institutions")).into_iter().find(original).ok_or("no institution")?;
    let page = sorted_files(&root.join("content/pages")).into_iter().find(original);
    let pick = |k: usize| articles[(k * 7919 + articles.len() / 2) % articles.len()].clone();

    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "edit", "median_ms", "max_ms", "cpu_ms", "rendered", "search_ms"
    );
    // STELE_BENCH_ONLY=<kind> times one kind of edit alone (for a profiler).
    let only = std::env::var("STELE_BENCH_ONLY").ok();
    let measure = |name: &str, session: &mut Session, edit: &mut dyn FnMut(usize) -> Vec<PathBuf>| {
        if only.as_deref().is_some_and(|only| only != name) {
            return Ok::<(), String>(());
        }
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut rendered = Vec::new();
        let mut search = Vec::new();
        for k in 0..trials {
            let changed = edit(k);
            let rel: Vec<PathBuf> = changed.iter().map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf()).collect();
            let (start, cpu_start) = (Instant::now(), cpu_time());
            let update = session.update(&rel).map_err(|e| format!("{name}: {e}"))?;
            times.push(start.elapsed());
            cpu.push(cpu_time() - cpu_start);
            rendered.push(update.rendered);
            let start = Instant::now();
            session.finish_search().map_err(|e| format!("{name}: the search index: {e}"))?;
            search.push(start.elapsed());
        }
        times.sort();
        cpu.sort();
        rendered.sort();
        search.sort();
        println!(
            "{name:<28} {:>10.1} {:>10.1} {:>10.1} {:>10} {:>10.1}",
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            ms(cpu[cpu.len() / 2]),
            rendered[rendered.len() / 2],
            ms(search[search.len() / 2])
        );
        Ok::<(), String>(())
    };

    measure("article body", &mut session, &mut |k| {
        let path = pick(k);
        edit(&path, |t| format!("{t}\nOne more sentence, edit {k}.\n"));
        vec![path]
    })?;
    // On a site in several languages: a translation's text (read against its original).
    let translations: Vec<PathBuf> =
        sorted_files(&root.join("content/articles")).into_iter().filter(|p| !original(p)).collect();
    if !translations.is_empty() {
        measure("translation body", &mut session, &mut |k| {
            let path = translations[(k * 7919 + translations.len() / 2) % translations.len()].clone();
            edit(&path, |t| format!("{t}\nOne more sentence, edit {k}.\n"));
            vec![path]
        })?;
    }
    measure("article title", &mut session, &mut |k| {
        let path = pick(k);
        edit(&path, |t| t.replacen("title: \"", &format!("title: \"Edit {k} "), 1));
        vec![path]
    })?;
    measure("article date (to page 1)", &mut session, &mut |k| {
        let path = pick(k + 100);
        edit(&path, |t| replace_line(t, "date: ", &format!("date: 2031-01-{:02}", k % 28 + 1)));
        vec![path]
    })?;
    let names = institution_names(root);
    measure("article institutions", &mut session, &mut |k| {
        let path = pick(k + 200);
        let list = format!("institutions: [\"{}\", \"{}\"]", names[k % names.len()], names[(k + 5) % names.len()]);
        edit(&path, |t| replace_line(t, "institutions: ", &list));
        vec![path]
    })?;
    measure("article summary", &mut session, &mut |k| {
        let path = pick(k + 300);
        edit(&path, |t| replace_line(t, "summary: ", &format!("summary: \"A new summary, edit {k}.\"")));
        vec![path]
    })?;
    measure("article draft: true", &mut session, &mut |k| {
        let path = pick(k + 400);
        edit(&path, |t| t.replacen("---\n", "---\ndraft: true\n", 1));
        vec![path]
    })?;
    let template = std::fs::read_to_string(&articles[0]).map_err(|e| e.to_string())?;
    measure("new article", &mut session, &mut |k| {
        let path = root.join(format!("content/articles/zz-new-{k}.md"));
        let text = replace_line(&template, "date: ", "date: 2032-02-02");
        std::fs::write(&path, text).expect("write a new article");
        vec![path]
    })?;
    measure("removed article", &mut session, &mut |k| {
        let path = pick(k + 500);
        std::fs::remove_file(&path).expect("remove an article");
        vec![path]
    })?;
    measure("institution description", &mut session, &mut |k| {
        edit(&institution, |t| format!("{t}\nMore about it, edit {k}.\n"));
        vec![institution.clone()]
    })?;
    measure("institution native names", &mut session, &mut |k| {
        edit(&institution, |t| {
            // Without its `names` block (the key and its indented entries), then a new one.
            let mut in_names = false;
            let t = t
                .lines()
                .filter(|l| {
                    in_names = l.starts_with("names:") || (in_names && l.starts_with(' '));
                    !in_names
                })
                .collect::<Vec<_>>()
                .join("\n");
            t.replacen("---\nname:", &format!("---\nnames: {{ fr: \"Nom {k}\" }}\nname:"), 1) + "\n"
        });
        vec![institution.clone()]
    })?;
    if let Some(page) = &page {
        measure("standalone page body", &mut session, &mut |k| {
            edit(page, |t| format!("{t}\nAnother line, edit {k}.\n"));
            vec![page.clone()]
        })?;
    }
    if only.is_some() {
        return Ok(());
    }
    let base = root.join("themes/heritage/templates/base.html");
    let mut template_times = Vec::new();
    for k in 0..trials.min(3) {
        edit(&base, |t| t.replacen("</footer>", &format!("</footer><!-- {k} -->"), 1));
        let rel = base.strip_prefix(root).unwrap_or(&base).to_path_buf();
        template_times.push(time(|| {
            session.update(std::slice::from_ref(&rel))?;
            session.finish_search().map(|_| ())
        })?);
    }
    template_times.sort();
    let template = template_times[template_times.len() / 2];
    println!("{:<28} {:>10.1}", "template edit (all pages)", ms(template));
    println!("{:<28} {:>10.1}", "cold build (in memory)", ms(cold));
    println!("template edit / cold build: {:.0}%", 100.0 * template.as_secs_f64() / cold.as_secs_f64());
    Ok(())
}

fn time(f: impl FnOnce() -> Result<(), stele::error::Error>) -> Result<Duration, String> {
    let start = Instant::now();
    f().map_err(|e| e.to_string())?;
    Ok(start.elapsed())
}

/// CPU time used by the whole process so far (user + system, every thread):
/// a figure that other work on the machine does not inflate the way it
/// inflates wall time.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn edit(path: &Path, change: impl FnOnce(&str) -> String) {
    let text = std::fs::read_to_string(path).expect("read a source");
    std::fs::write(path, change(&text)).expect("write a source");
}

fn replace_line(text: &str, prefix: &str, line: &str) -> String {
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if !done && l.starts_with(prefix) {
                done = true;
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    lines.join("\n") + "\n"
}

fn institution_names(root: &Path) -> Vec<String> {
    sorted_files(&root.join("content/institutions"))
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| t.lines().find_map(|l| l.strip_prefix("name: ").map(|n| n.trim_matches('"').to_string())))
        .collect()
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the site");
        let target = to.join(entry.path().strip_prefix(from).expect("inside the site"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}
