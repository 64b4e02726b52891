//! `stele serve`: a local preview that rebuilds on every save.
//!
//! The server builds the site once into memory (with `base_url` pointing at the
//! address it really listens on, so every link works locally), answers HTTP
//! requests from that in-memory [`State`] ([`http`]), watches the site's sources
//! ([`watch`]), brings the in-memory [`session`] in step with each batch of
//! changes (re-reading only the changed files and rendering only the outputs
//! whose plan entry shows something that changed), and tells open pages to
//! reload or to swap their stylesheets through a Server-Sent Events stream
//! ([`reload`]). A failed rebuild keeps the last good files and records the
//! problems; every HTML page then shows them in an overlay until a rebuild
//! succeeds. Each rebuild is logged with its time and how many outputs were
//! rendered.
//!
//! This module owns the state and the rebuild loop. It never writes to disk:
//! the output folder is neither written nor watched, and `build` output never
//! gets the live-reload script (it is added to responses, in [`http`]).
//!
//! Decisions: a first build that fails with site
//! problems still starts the server, so the editor sees the overlay and the
//! page reloads once the problem is fixed; an environment problem (no
//! `site.toml`, port in use) ends the command. When bound to an unspecified
//! address (`0.0.0.0`, `::`), links use `127.0.0.1` (or `[::1]`).

pub mod http;
pub mod reload;
pub mod session;
pub mod watch;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::error::{Diagnostic, Error};
use crate::serve::session::Session;
use reload::{Hub, Signal, SignalKind};
use watch::{Change, SiteWatcher, WatchMessage};

/// Options of `stele serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    /// The address to listen on (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`).
    pub bind: String,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Poll the file system instead of waiting for its events.
    pub poll: bool,
}

/// The files of the site by site path (`articles/x/index.html`), shared.
pub use crate::serve::session::Files;

/// A successful rebuild: the files and the site paths that changed.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub files: Arc<Files>,
    pub changed: Vec<String>,
    /// Files no open page shows changed (the search index, which the
    /// search page reads when it searches): served from now on, no reload.
    pub quiet: bool,
}

/// What the server answers from: the last good build and the current problems.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The last good build (empty until a build succeeds).
    pub files: Arc<Files>,
    /// The problems of the last rebuild; empty when it succeeded.
    pub errors: Vec<Diagnostic>,
    /// Bumped whenever what is served changes (files or problems), so a page
    /// knows whether it is current.
    pub generation: u64,
}

impl State {
    /// The state after a rebuild, and what open pages must do about it (nothing
    /// when neither the files nor the problems changed).
    pub fn advance(&self, outcome: Result<Rebuilt, Vec<Diagnostic>>) -> (State, Option<Signal>) {
        let next = |files: Arc<Files>, errors: Vec<Diagnostic>, kind: SignalKind| {
            let generation = self.generation + 1;
            (State { files, errors, generation }, Some(Signal { kind, generation }))
        };
        match outcome {
            Ok(Rebuilt { files, changed, quiet }) => {
                if changed.is_empty() && self.errors.is_empty() {
                    return (self.clone(), None);
                }
                if quiet && self.errors.is_empty() {
                    return (State { files, errors: Vec::new(), generation: self.generation }, None);
                }
                // Styles can be swapped in place only if nothing else changed, no
                // stylesheet went away and no overlay has to go away.
                let css_only = self.errors.is_empty()
                    && changed.iter().all(|path| is_css(path) && files.contains_key(path.as_str()));
                let kind = if css_only { SignalKind::Css } else { SignalKind::Reload };
                next(files, Vec::new(), kind)
            }
            Err(errors) if errors == self.errors => (self.clone(), None),
            Err(errors) => next(Arc::clone(&self.files), errors, SignalKind::Reload),
        }
    }
}

fn is_css(site_path: &str) -> bool {
    site_path.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("css"))
}

/// The problems of a failed build, as diagnostics (an environment error has
/// no file), each with its source frame for the overlay.
fn problems(err: Error, root: &std::path::Path) -> Vec<Diagnostic> {
    match err {
        Error::Site(list) => crate::error::with_frames(list, root),
        other => vec![Diagnostic::new("", other.chain())],
    }
}

/// `path:line:col: message`, or only the message when there is no file.
pub fn describe(problem: &Diagnostic) -> String {
    if problem.path.is_empty() { problem.message.clone() } else { problem.to_string() }
}

/// Serves the site until interrupted.
pub fn serve(options: ServeOptions) -> Result<(), Error> {
    let addr = resolve_bind(&options.bind, options.port)?;
    let server = http::listen(addr)?;
    let local = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Env(format!("cannot tell the address the server listens on ({addr})")))?;
    let url = site_url(local);

    let mut build = options.build.clone();
    build.base_url = Some(url.clone());

    // Watch before the first build, so that no save is lost in between.
    let (tx, rx) = mpsc::channel();
    let mut watcher = SiteWatcher::start(&build.root, options.poll, tx)?;

    let start = Instant::now();
    // Pages first, then the search index (see `Session::deferring_search`).
    let mut session = Session::deferring_search(build.clone());
    let state = match session.rebuild().and_then(|_| session.finish_search()) {
        Ok(_) => {
            eprintln!("built the site in memory in {}", millis(start.elapsed()));
            State { files: Arc::clone(session.files()), errors: Vec::new(), generation: 0 }
        }
        Err(err @ (Error::Env(_) | Error::Io { .. })) => return Err(err),
        Err(err) => {
            let errors = problems(err, &build.root);
            print_problems(&errors);
            eprintln!("the site has problems: fix them and save, the preview will reload");
            State { files: Arc::default(), errors, generation: 0 }
        }
    };
    let state = Arc::new(RwLock::new(state));
    let hub = Arc::new(Hub::new(reload::MAX_CLIENTS, reload::HEARTBEAT));

    let policy = http::Policy { check_host: local.ip().is_loopback() };
    if !policy.check_host {
        eprintln!("warning: listening on {local}: every machine that can reach it can read the preview");
    }
    {
        let state = Arc::clone(&state);
        let hub = Arc::clone(&hub);
        std::thread::Builder::new()
            .name("stele-http".into())
            .spawn(move || http::run(server, state, hub, policy))
            .map_err(|e| Error::Env(format!("cannot start the server thread: {e}")))?;
    }

    eprintln!("serving the site at {url} (press Ctrl+C to stop)");
    if options.open {
        open_browser(&url);
    }
    rebuild_loop(&rx, &mut watcher, (&mut session, &build.root), &state, &hub)
}

/// Waits for changes, rebuilds, publishes the new state and tells open pages.
fn rebuild_loop(
    rx: &Receiver<WatchMessage>,
    watcher: &mut SiteWatcher,
    (session, root): (&mut Session, &std::path::Path),
    state: &RwLock<State>,
    hub: &Hub,
) -> Result<(), Error> {
    loop {
        let mut changes: Vec<Change> = Vec::new();
        let mut message = rx.recv().map_err(|_| Error::Env("the file watcher stopped".into()))?;
        loop {
            match message {
                WatchMessage::Changes(batch) => changes.extend(batch),
                WatchMessage::Error(e) => eprintln!("warning: watching the site: {e}"),
            }
            // Saves that arrived while we were busy join this rebuild.
            match rx.try_recv() {
                Ok(more) => message = more,
                Err(_) => break,
            }
        }
        if changes.is_empty() {
            continue;
        }
        // New top-level folders are watched before the build reads them.
        watcher.refresh(&changes);
        eprintln!("{}", watch::summary(&changes));

        // Timed from the debounced batch to the moment the new files are served.
        let start = Instant::now();
        let sources: Vec<std::path::PathBuf> = changes.iter().flat_map(|c| c.paths.iter().cloned()).collect();
        let mut rendered = None;
        let outcome = session
            .update(&sources)
            .map(|update| {
                rendered = Some((update.rendered, update.search_rendered, update.outputs));
                Rebuilt { files: Arc::clone(session.files()), changed: update.changed, quiet: false }
            })
            .map_err(|err| problems(err, root));
        let failed = outcome.as_ref().err().cloned();
        let signal = {
            let mut current = state.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            let (next, signal) = current.advance(outcome);
            *current = next;
            signal
        };
        let elapsed = start.elapsed();
        if let Some(errors) = &failed {
            print_problems(errors);
        }
        match failed.map(|errors| errors.len()) {
            None => {
                let (rendered, search, outputs) = rendered.unwrap_or_default();
                eprintln!(
                    "rebuilt in {} ({rendered} of {outputs} outputs rendered, {search} of them search index files)",
                    millis(elapsed)
                );
            }
            Some(n) => eprintln!(
                "rebuild failed in {}: {n} problem{}; still serving the last good site",
                millis(elapsed),
                if n == 1 { "" } else { "s" }
            ),
        }
        if let Some(signal) = signal {
            hub.broadcast(signal);
        }
        finish_search(session, state);
    }
}

/// Brings the search index up to date after the pages are live, and serves
/// it with no reload (see [`Rebuilt::quiet`]).
fn finish_search(session: &mut Session, state: &RwLock<State>) {
    let start = Instant::now();
    match session.finish_search() {
        Ok(update) if update.rendered > 0 => {
            let rebuilt = Rebuilt { files: Arc::clone(session.files()), changed: update.changed, quiet: true };
            let mut current = state.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            let (next, _) = current.advance(Ok(rebuilt));
            *current = next;
            eprintln!("search index updated in {} ({} files rendered)", millis(start.elapsed()), update.rendered);
        }
        Ok(_) => {}
        Err(err) => eprintln!("warning: the search index could not be updated: {}", err.chain()),
    }
}

fn print_problems(errors: &[Diagnostic]) {
    for problem in errors {
        eprintln!("error: {}", describe(problem));
        if let Some(frame) = &problem.frame {
            eprint!("{frame}");
        }
    }
}

fn millis(elapsed: Duration) -> String {
    format!("{} ms", elapsed.as_millis())
}

/// The socket address for `--bind` and `--port`.
fn resolve_bind(bind: &str, port: u16) -> Result<SocketAddr, Error> {
    let host = bind.strip_prefix('[').and_then(|b| b.strip_suffix(']')).unwrap_or(bind);
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let mut addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| Error::Env(format!("--bind: cannot resolve `{bind}`: {e}")))?
        .collect();
    // Prefer IPv4, the address browsers try first for `localhost`.
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs.first().copied().ok_or_else(|| Error::Env(format!("--bind: `{bind}` has no address")))
}

/// The URL of the site served at `addr`: the `base_url` of the preview.
fn site_url(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_string(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("http://{host}:{}/", addr.port())
}

/// Opens `url` in the default browser, warning when that is not possible.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command.arg(url).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    command.stderr(std::process::Stdio::null());
    if let Err(e) = command.spawn() {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Position;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries.iter().map(|(path, text)| (Arc::from(*path), Arc::from(text.as_bytes()))).collect()
    }

    /// Site paths added, removed or changed between two sets of files.
    fn changed_paths(old: &Files, new: &Files) -> Vec<String> {
        let mut changed: Vec<String> = new
            .iter()
            .filter(|(path, bytes)| old.get(*path) != Some(*bytes))
            .map(|(path, _)| path.to_string())
            .collect();
        changed.extend(old.keys().filter(|path| !new.contains_key(*path)).map(|p| p.to_string()));
        changed.sort();
        changed
    }

    /// A successful rebuild to `entries`, with the changes from `old`.
    fn rebuilt(old: &State, entries: &[(&str, &str)]) -> Rebuilt {
        let files = files(entries);
        Rebuilt { changed: changed_paths(&old.files, &files), files: Arc::new(files), quiet: false }
    }

    fn state(entries: &[(&str, &str)]) -> State {
        State { files: Arc::new(files(entries)), errors: Vec::new(), generation: 3 }
    }

    #[test]
    fn css_only_changes_swap_styles() {
        let old = state(&[("index.html", "a"), ("style.css", "x")]);
        let (next, signal) = old.advance(Ok(rebuilt(&old, &[("index.html", "a"), ("style.css", "y")])));
        assert_eq!(signal, Some(Signal { kind: SignalKind::Css, generation: 4 }));
        assert_eq!(next.generation, 4);
        assert_eq!(next.files.get("style.css").map(|b| &**b), Some(&b"y"[..]));
    }

    #[test]
    fn other_changes_reload() {
        let old = state(&[("index.html", "a"), ("style.css", "x")]);
        let (_, signal) = old.advance(Ok(rebuilt(&old, &[("index.html", "b"), ("style.css", "y")])));
        assert_eq!(signal.map(|s| s.kind), Some(SignalKind::Reload));
        // A removed file is a change too.
        let (_, signal) = old.advance(Ok(rebuilt(&old, &[("index.html", "a")])));
        assert_eq!(signal.map(|s| s.kind), Some(SignalKind::Reload));
    }

    #[test]
    fn nothing_changed_tells_nobody() {
        let old = state(&[("index.html", "a")]);
        let (next, signal) = old.advance(Ok(rebuilt(&old, &[("index.html", "a")])));
        assert_eq!(signal, None);
        assert_eq!(next.generation, 3);
    }

    #[test]
    fn failure_keeps_files_and_fix_removes_overlay() {
        let old = state(&[("index.html", "a"), ("style.css", "x")]);
        let problem = Diagnostic::at("content/articles/x.md", Position::new(4, 3), "unknown institution");
        let (broken, signal) = old.advance(Err(vec![problem.clone()]));
        assert_eq!(signal.map(|s| s.kind), Some(SignalKind::Reload));
        assert_eq!(broken.files, old.files);
        assert_eq!(broken.errors, vec![problem.clone()]);
        // The same problems again: nothing new to show.
        let (same, signal) = broken.advance(Err(vec![problem]));
        assert_eq!((signal, same.generation), (None, broken.generation));
        // The fix changes only the CSS, but the overlay must go: reload.
        let (fixed, signal) = broken.advance(Ok(rebuilt(&broken, &[("index.html", "a"), ("style.css", "y")])));
        assert_eq!(signal.map(|s| s.kind), Some(SignalKind::Reload));
        assert!(fixed.errors.is_empty());
    }

    #[test]
    fn urls_use_the_real_address() {
        assert_eq!(site_url("127.0.0.1:4321".parse().unwrap()), "http://127.0.0.1:4321/");
        assert_eq!(site_url("[::1]:80".parse().unwrap()), "http://[::1]:80/");
        assert_eq!(site_url("0.0.0.0:1111".parse().unwrap()), "http://127.0.0.1:1111/");
        assert_eq!(resolve_bind("::1", 5).unwrap(), "[::1]:5".parse().unwrap());
        assert_eq!(resolve_bind("[::1]", 5).unwrap(), "[::1]:5".parse().unwrap());
        assert!(resolve_bind("localhost", 5).unwrap().ip().is_loopback());
    }
}
