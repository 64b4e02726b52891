//! Watching the site's sources: a pure classifier plus a thin notify loop.
//!
//! [`classify`] turns one file-system event into a [`Change`] of the site, or
//! nothing: access events, paths outside `site.toml`, `content/`, `themes/`
//! and `templates/`, hidden files (which the build skips too) and editor
//! temporary files ([`is_editor_temp`]) are dropped. A rename keeps whichever
//! side is a real source, so a rename-based save (write a temporary file,
//! rename it over the original) is a change of the original.
//!
//! [`SiteWatcher`] watches directories, not files (editors that save by
//! renaming replace the file, and a watch on the old file would go with it):
//! the site root without recursion, for `site.toml` and for top-level folders
//! created later, and each of `content/`, `themes/` and `templates/`
//! recursively, re-watched when it appears, disappears or is replaced. Events
//! are debounced (about 100 ms) by notify-debouncer-full; `--poll` swaps the
//! native watcher for notify's poll watcher.
//!
//! This module never watches the output folder and never reads the files it
//! reports; the rebuild loop decides what to do.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt};

use crate::error::Error;

/// The folders of a site that hold its sources, watched recursively.
pub const SOURCE_DIRS: [&str; 3] = ["content", "themes", "templates"];

/// The configuration file, watched through the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// How long events settle before a rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What happened to the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Modified,
    Removed,
    Renamed,
}

/// A change of the site's sources: paths relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub paths: Vec<PathBuf>,
}

/// What the watcher sends to the rebuild loop.
#[derive(Debug)]
pub enum WatchMessage {
    /// One debounced batch of changes (never empty).
    Changes(Vec<Change>),
    /// The watcher had a problem (reported, not fatal).
    Error(String),
}

/// The change of the site that an event means, if any. `paths` are the
/// event's (absolute) paths; `root` is the site root they are under.
pub fn classify(root: &Path, kind: &EventKind, paths: &[PathBuf]) -> Option<Change> {
    let kind = match kind {
        EventKind::Access(_) => return None,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => return None,
        EventKind::Create(_) => ChangeKind::Created,
        EventKind::Remove(_) => ChangeKind::Removed,
        EventKind::Modify(ModifyKind::Name(_)) => ChangeKind::Renamed,
        // Content, write time, permissions, or a backend that cannot tell.
        EventKind::Modify(_) | EventKind::Any | EventKind::Other => ChangeKind::Modified,
    };
    let paths: Vec<PathBuf> = paths.iter().filter_map(|path| source_path(root, path)).collect();
    if paths.is_empty() { None } else { Some(Change { kind, paths }) }
}

/// `path` relative to `root` if it is one of the site's sources.
fn source_path(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?),
            _ => return None,
        }
    }
    let relevant = match parts.as_slice() {
        [] => false,
        [only] => *only == CONFIG_FILE || SOURCE_DIRS.contains(only),
        [first, ..] => SOURCE_DIRS.contains(first),
    };
    if !relevant || parts.iter().any(|part| part.starts_with('.')) {
        return None;
    }
    let name = parts.last()?;
    if is_editor_temp(name) {
        return None;
    }
    Some(rel.to_path_buf())
}

/// Whether a file name is an editor's temporary, backup, swap or lock file.
pub fn is_editor_temp(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // vim: swap files (`.x.swp`, `.swo`, ... `.swa`, `.swx`); its write probe
    // `4913` (then 5036, 5159, ... if taken); backups `x~`.
    let vim_swap = lower.rsplit_once('.').is_some_and(|(_, ext)| {
        ext == "swx"
            || (ext.len() == 3 && ext != "swf" && ext.starts_with("sw") && matches!(ext.as_bytes()[2], b'a'..=b'p'))
    });
    let vim_probe = name.parse::<u32>().is_ok_and(|n| n >= 4913 && (n - 4913) % 123 == 0) && !name.starts_with('0');
    vim_swap
        || vim_probe
        || name.ends_with('~')
        // JetBrains safe write: `x___jb_tmp___`, `x___jb_old___`.
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
        // emacs: auto-save `#x#`, lock `.#x`.
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || lower.ends_with(".tmp")
        // Kate, and Chrome's File System Access API.
        || lower.ends_with(".kate-swp")
        || lower.ends_with(".crswap")
}

/// A one-line summary of a batch, for the terminal.
pub fn summary(changes: &[Change]) -> String {
    let mut paths: Vec<String> = Vec::new();
    for change in changes {
        for path in &change.paths {
            let shown = path.to_string_lossy().replace('\\', "/");
            if !paths.contains(&shown) {
                paths.push(shown);
            }
        }
    }
    let more = paths.len().saturating_sub(3);
    paths.truncate(3);
    let mut line = format!("changed: {}", paths.join(", "));
    if more > 0 {
        line.push_str(&format!(" and {more} more"));
    }
    line
}

/// The native or the polling debouncer.
enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Backend {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.unwatch(path),
            Backend::Poll(d) => d.unwatch(path),
        }
    }
}

/// Watches a site's sources and sends batches of changes to the rebuild loop.
pub struct SiteWatcher {
    backend: Backend,
    root: PathBuf,
    /// The source folders under a recursive watch.
    watched: BTreeSet<&'static str>,
}

impl std::fmt::Debug for SiteWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteWatcher").field("root", &self.root).field("watched", &self.watched).finish()
    }
}

impl SiteWatcher {
    /// Starts watching the site at `root`; changes go to `tx`.
    pub fn start(root: &Path, poll: bool, tx: Sender<WatchMessage>) -> Result<Self, Error> {
        // Events carry resolved paths on some systems; compare like with like.
        let root = root.canonicalize().map_err(|e| Error::io(root, "read the site folder", &e))?;
        let classify_root = root.clone();
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let changes: Vec<Change> =
                    events.iter().filter_map(|e| classify(&classify_root, &e.event.kind, &e.event.paths)).collect();
                if !changes.is_empty() {
                    let _ = tx.send(WatchMessage::Changes(changes));
                }
            }
            Err(errors) => {
                for error in errors {
                    let _ = tx.send(WatchMessage::Error(error.to_string()));
                }
            }
        };
        let shown = root.display().to_string();
        let hint = if poll { "" } else { " (try --poll)" };
        let fail = |e: notify::Error| Error::Env(format!("cannot watch `{shown}`: {e}{hint}"));
        let backend = if poll {
            // Modification times are compared in whole seconds: compare contents too,
            // so two saves within a second are both seen.
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);
            Backend::Poll(new_debouncer_opt(DEBOUNCE, None, handler, NoCache, config).map_err(fail)?)
        } else {
            let config = notify::Config::default();
            Backend::Native(new_debouncer_opt(DEBOUNCE, None, handler, RecommendedCache::new(), config).map_err(fail)?)
        };
        let mut watcher = SiteWatcher { backend, root, watched: BTreeSet::new() };
        watcher.backend.watch(&watcher.root, RecursiveMode::NonRecursive).map_err(fail)?;
        watcher.refresh(&[]);
        Ok(watcher)
    }

    /// Brings the recursive watches in line with the source folders on disk:
    /// watches folders that appeared, forgets those that went, and renews
    /// those that `changes` name (removed and created again, or replaced).
    pub fn refresh(&mut self, changes: &[Change]) {
        for dir in SOURCE_DIRS {
            let path = self.root.join(dir);
            let exists = path.is_dir();
            let touched =
                changes.iter().any(|c| c.kind != ChangeKind::Modified && c.paths.iter().any(|p| p == Path::new(dir)));
            let watched = self.watched.contains(dir);
            if watched && (touched || !exists) {
                // The watch may already be gone with its folder.
                let _ = self.backend.unwatch(&path);
                self.watched.remove(dir);
            }
            if exists && !self.watched.contains(dir) {
                match self.backend.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(dir);
                    }
                    Err(e) => eprintln!("warning: cannot watch `{}`: {e}", path.display()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, RemoveKind, RenameMode};

    const ROOT: &str = "/site";

    fn p(rel: &str) -> PathBuf {
        Path::new(ROOT).join(rel)
    }

    fn modify() -> EventKind {
        EventKind::Modify(ModifyKind::Data(DataChange::Content))
    }

    fn create_file() -> EventKind {
        EventKind::Create(CreateKind::File)
    }

    fn rename_both() -> EventKind {
        EventKind::Modify(ModifyKind::Name(RenameMode::Both))
    }

    #[test]
    fn classifies_events() {
        use ChangeKind::*;
        let article = "content/articles/x.md";
        // (case, event kind, paths under the root, expected change: kind and relative paths)
        type Case<'a> = (&'a str, EventKind, Vec<&'a str>, Option<(ChangeKind, Vec<&'a str>)>);
        let table: Vec<Case> = vec![
            ("plain save", modify(), vec![article], Some((Modified, vec![article]))),
            ("new file", create_file(), vec![article], Some((Created, vec![article]))),
            (
                "poll watcher save",
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)),
                vec![article],
                Some((Modified, vec![article])),
            ),
            (
                "chmod",
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
                vec![article],
                Some((Modified, vec![article])),
            ),
            ("backend without detail", EventKind::Any, vec![article], Some((Modified, vec![article]))),
            ("site.toml", modify(), vec!["site.toml"], Some((Modified, vec!["site.toml"]))),
            (
                "theme css",
                modify(),
                vec!["themes/heritage/static/style.css"],
                Some((Modified, vec!["themes/heritage/static/style.css"])),
            ),
            ("template override", modify(), vec!["templates/base.html"], Some((Modified, vec!["templates/base.html"]))),
            // Access events: reads by the build itself, by the editor, atime.
            ("open", EventKind::Access(AccessKind::Open(AccessMode::Any)), vec![article], None),
            ("read", EventKind::Access(AccessKind::Read), vec![article], None),
            ("close after write", EventKind::Access(AccessKind::Close(AccessMode::Write)), vec![article], None),
            ("atime", EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)), vec![article], None),
            // vim: probe file, swap files, backup, then rename-based save.
            ("vim probe", create_file(), vec!["content/articles/4913"], None),
            ("vim probe 2", EventKind::Remove(RemoveKind::File), vec!["content/articles/5036"], None),
            ("vim swap", modify(), vec!["content/articles/.x.md.swp"], None),
            ("vim swap 2", create_file(), vec!["content/articles/.x.md.swo"], None),
            ("vim swap x", create_file(), vec!["content/articles/.x.md.swx"], None),
            ("vim swap without dot", create_file(), vec!["content/articles/x.md.swp"], None),
            ("vim backup", create_file(), vec!["content/articles/x.md~"], None),
            (
                "vim moves the original aside",
                rename_both(),
                vec![article, "content/articles/x.md~"],
                Some((Renamed, vec![article])),
            ),
            ("vim writes the new file", create_file(), vec![article], Some((Created, vec![article]))),
            ("vim removes the backup", EventKind::Remove(RemoveKind::File), vec!["content/articles/x.md~"], None),
            // JetBrains safe write.
            ("jb tmp", create_file(), vec!["content/articles/x.md___jb_tmp___"], None),
            (
                "jb old",
                rename_both(),
                vec![article, "content/articles/x.md___jb_old___"],
                Some((Renamed, vec![article])),
            ),
            (
                "jb tmp over original",
                rename_both(),
                vec!["content/articles/x.md___jb_tmp___", article],
                Some((Renamed, vec![article])),
            ),
            ("jb old removed", EventKind::Remove(RemoveKind::File), vec!["content/articles/x.md___jb_old___"], None),
            // emacs.
            ("emacs autosave", modify(), vec!["content/articles/#x.md#"], None),
            ("emacs lock", create_file(), vec!["content/articles/.#x.md"], None),
            ("emacs backup", create_file(), vec!["content/articles/x.md~"], None),
            // Other editors and tools.
            ("tmp", create_file(), vec!["themes/heritage/static/style.css.tmp"], None),
            ("TMP", create_file(), vec!["content/pages/ABOUT.TMP"], None),
            (
                "rename-save from tmp",
                rename_both(),
                vec!["content/articles/x.md.tmp", article],
                Some((Renamed, vec![article])),
            ),
            (
                "rename half",
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                vec![article],
                Some((Renamed, vec![article])),
            ),
            // Folders.
            (
                "new folder",
                EventKind::Create(CreateKind::Folder),
                vec!["content/articles/new"],
                Some((Created, vec!["content/articles/new"])),
            ),
            (
                "new source folder",
                EventKind::Create(CreateKind::Folder),
                vec!["templates"],
                Some((Created, vec!["templates"])),
            ),
            ("removed file", EventKind::Remove(RemoveKind::File), vec![article], Some((Removed, vec![article]))),
            (
                "removed folder",
                EventKind::Remove(RemoveKind::Folder),
                vec!["content/articles/old"],
                Some((Removed, vec!["content/articles/old"])),
            ),
            (
                "image",
                create_file(),
                vec!["content/articles/x/cave.jpg"],
                Some((Created, vec!["content/articles/x/cave.jpg"])),
            ),
            // Not the sources.
            ("output", create_file(), vec!["public/index.html"], None),
            ("staging folder", EventKind::Create(CreateKind::Folder), vec![".public.stele-staging-42"], None),
            ("other root file", modify(), vec!["README.md"], None),
            ("site.toml lookalike", modify(), vec!["content.toml"], None),
            ("root itself", modify(), vec![""], None),
            ("hidden folder", modify(), vec!["content/.git/index"], None),
            ("elsewhere", modify(), vec!["../other/content/x.md"], None),
        ];
        for (name, kind, paths, expected) in table {
            let paths: Vec<PathBuf> = paths.iter().map(|rel| p(rel)).collect();
            let expected =
                expected.map(|(kind, rels)| Change { kind, paths: rels.iter().map(PathBuf::from).collect() });
            assert_eq!(classify(Path::new(ROOT), &kind, &paths), expected, "{name}");
        }
        // A path outside the root entirely.
        assert_eq!(classify(Path::new(ROOT), &modify(), &[PathBuf::from("/elsewhere/content/x.md")]), None);
    }

    #[test]
    fn editor_temp_names() {
        for temp in
            ["4913", "5036", ".x.swp", "x.swa", ".x.swx", "x~", "x___jb_tmp___", "#x#", ".#x", "a.tmp", "a.crswap"]
        {
            assert!(is_editor_temp(temp), "{temp}");
        }
        for real in ["x.md", "2024.md", "4914", "04913", "style.css", "#tag.md", "#", "swp.md", "a.swz", "movie.swf"] {
            assert!(!is_editor_temp(real), "{real}");
        }
    }

    #[test]
    fn summary_is_short() {
        let change = |rel: &str| Change { kind: ChangeKind::Modified, paths: vec![PathBuf::from(rel)] };
        let batch: Vec<Change> = ["a", "b", "a", "c", "d", "e"].iter().map(|r| change(r)).collect();
        assert_eq!(summary(&batch), "changed: a, b, c and 2 more");
    }
}
