//! Where rendered files go: the [`Output`] sink.
//!
//! Rendering hands every `(site path, bytes)` to an `Output`. Two sinks exist:
//! [`MemoryOutput`], a map kept in memory (serve, check, tests), and
//! [`StagingOutput`], which writes each file as soon as it arrives into a
//! staging folder beside the output folder and, on [`StagingOutput::commit`],
//! swaps it in. Until then nothing is visible at the output path; a build
//! that fails removes its staging folder and leaves the previous output
//! untouched. Only the output folder itself is ever replaced, and
//! [`check_output_dir`] refuses folders that must never be replaced.
//!
//! **No moment of the commit loses the last good site**, whatever kills the
//! process. On Linux the staging folder and the output folder trade places
//! in one atomic `renameat2(RENAME_EXCHANGE)`; the old site then sits under
//! the staging name until it is removed. Where that call does not exist
//! (other systems, or file systems that refuse it) the old output is renamed
//! aside (`.public.stele-old-PID`), then the staging folder renamed in: a kill
//! between the two leaves no `public/`, so the next build first runs
//! [`recover`], which puts a set-aside site of a dead process back when the
//! output folder is missing (and removes it only when a newer output is in
//! place), before it reads anything that could fail.
//!
//! A failed write into the staging folder (a full disk, a read-only file
//! system) is an environment error, not a problem of a page: the first one is
//! kept, later writes are not attempted, and [`StagingOutput::finish`] turns
//! it into one message naming the output folder and the cause.
//!
//! Test hooks (never set them otherwise): `STELE_TEST_COMMIT=fallback` uses
//! the rename-aside commit even where the exchange exists, and
//! `STELE_TEST_KILL=set-aside` or `=swapped` kills the process with SIGKILL
//! right after the old site is renamed aside or the two folders traded
//! places, so that tests can prove the site survives.

pub mod precompress;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// The file every build leaves in its output folder, so that a later build
/// knows the folder is its own to replace. A non-empty folder without it is
/// never replaced.
pub const MARKER: &str = ".stele-output";

/// What the marker file says.
const MARKER_TEXT: &[u8] = b"This folder is written by stele and replaced on every build.\n";

/// A sink for rendered files. `site_path` is relative (`articles/x/index.html`).
pub trait Output: Sync {
    /// Stores one file.
    fn put(&self, site_path: &str, bytes: Vec<u8>) -> Result<(), Error>;

    /// Stores a copy of a file on disk (static assets).
    fn copy(&self, site_path: &str, source: &Path) -> Result<(), Error> {
        self.put(site_path, crate::fs::read_bytes(source)?)
    }
}

/// Every file in memory, by site path, in sorted order.
#[derive(Debug, Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryOutput {
    pub fn new() -> Self {
        Self::default()
    }

    /// The files, by site path.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Output for MemoryOutput {
    fn put(&self, site_path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let mut files = self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        files.insert(site_path.to_string(), bytes);
        Ok(())
    }
}

/// A staging folder beside the output folder, swapped in by `commit`.
#[derive(Debug)]
pub struct StagingOutput {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    /// The first write that failed (the rest are not attempted).
    write_error: Mutex<Option<std::io::Error>>,
}

/// The names of the folders a build of the output folder `target` makes beside it.
fn sibling_names(target: &Path) -> String {
    target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into())
}

impl StagingOutput {
    /// Creates an empty staging folder beside `target`.
    pub fn new(target: &Path) -> Result<Self, Error> {
        let parent =
            target.parent().ok_or_else(|| Error::Env(format!("`{}` has no parent folder", target.display())))?;
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", &e))?;
        recover(target);
        let name = sibling_names(target);
        let staging = parent.join(format!(".{name}.stele-staging-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, "remove old staging folder", &e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, "create staging folder", &e))?;
        let out =
            StagingOutput { target: target.to_path_buf(), staging, committed: false, write_error: Mutex::new(None) };
        out.finish(out.put(MARKER, MARKER_TEXT.to_vec()))?;
        Ok(out)
    }

    fn path_of(&self, site_path: &str) -> Result<PathBuf, Error> {
        // Site paths are made by the renderer; still, never let one climb out.
        if site_path.split('/').any(|part| part == ".." || part.is_empty() && !site_path.is_empty())
            || site_path.starts_with('/')
        {
            return Err(Error::Env(format!("refusing to write the unsafe path `{site_path}`")));
        }
        Ok(self.staging.join(site_path))
    }

    /// Runs one write into the staging folder, unless an earlier one failed;
    /// keeps the first failure for [`StagingOutput::finish`].
    fn write(&self, dest: &Path, write: impl FnOnce() -> std::io::Result<()>) -> Result<(), Error> {
        let failed = |e: &std::io::Error| Error::io(dest, "write", e);
        {
            let first = self.write_error.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(err) = first.as_ref() {
                return Err(failed(err));
            }
        }
        write().map_err(|err| {
            let error = failed(&err);
            let mut first = self.write_error.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            first.get_or_insert(err);
            error
        })
    }

    /// The result of rendering into this folder, with a failed write taking
    /// precedence: it is reported once, naming the output folder and the
    /// cause, as an environment error (exit code 2).
    pub fn finish<T>(&self, rendered: Result<T, Error>) -> Result<T, Error> {
        let first = self.write_error.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match first.as_ref() {
            Some(err) => Err(Error::Env(format!(
                "cannot write the site into `{}`: {err}; the previous site there is left as it was",
                self.target.display()
            ))),
            None => rendered,
        }
    }

    /// Swaps the staging folder in place of the output folder.
    pub fn commit(mut self) -> Result<(), Error> {
        let had_old = std::fs::symlink_metadata(&self.target).is_ok();
        if !had_old {
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| Error::io(&self.target, "move the new site into", &e))?;
            self.committed = true;
            return Ok(());
        }
        let old = if std::env::var_os("STELE_TEST_COMMIT").is_some_and(|v| v == "fallback") {
            None
        } else {
            exchange(&self.staging, &self.target)
                .map_err(|e| Error::io(&self.target, "swap the new site into", &e))?
                .then(|| self.staging.clone())
        };
        let old = match old {
            Some(old) => old,
            None => self.commit_by_renames()?,
        };
        self.committed = true;
        test_kill_point("swapped");
        // Unmarked first, so that a removal cut short is never taken for a site to restore.
        if std::fs::symlink_metadata(&old).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_file(old.join(MARKER));
        }
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, "remove the previous site at", &e))
    }

    /// The commit where folders cannot be exchanged: the old site renamed
    /// aside, then the new one renamed in. Returns where the old site is.
    fn commit_by_renames(&self) -> Result<PathBuf, Error> {
        let old =
            self.staging.with_file_name(format!(".{}.stele-old-{}", sibling_names(&self.target), std::process::id()));
        std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, "move aside", &e))?;
        test_kill_point("set-aside");
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            // Put the previous site back so nothing is lost.
            let _ = std::fs::rename(&old, &self.target);
            return Err(Error::io(&self.target, "move the new site into", &e));
        }
        Ok(old)
    }
}

/// Exchanges two folders atomically. `Ok(false)` where the system or the
/// file system cannot (the caller then renames in two steps).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a path with a NUL byte"))
    };
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both are valid NUL-terminated paths, relative to the current folder.
    let done =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if done == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Test hook: dies here, as `kill -9` would, when `STELE_TEST_KILL` names this point.
fn test_kill_point(point: &str) {
    if std::env::var_os("STELE_TEST_KILL").is_some_and(|v| v == point) {
        #[cfg(unix)]
        // SAFETY: sends a signal to this very process.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

/// Cleans up after builds of the output folder `target` that were killed
/// (their process is gone): a set-aside old site goes back in place when the
/// output folder is missing (if it still has its marker: a site being
/// removed loses it first), and is removed only when a newer one is there;
/// staging folders are removed (a partial new site, or an old site already
/// swapped out). Only where `/proc` tells which processes run; elsewhere
/// nothing is touched. Best effort: what cannot be done now is tried again
/// next build.
pub fn recover(target: &Path) {
    let proc = Path::new("/proc");
    let Some(parent) = target.parent() else { return };
    if !proc.join("self").exists() {
        return;
    }
    let name = sibling_names(target);
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let mut abandoned: Vec<(bool, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let (set_aside, pid) =
                [(false, ".stele-staging-"), (true, ".stele-old-")].iter().find_map(|(old, kind)| {
                    let pid = file_name.strip_prefix(&format!(".{name}{kind}"))?.parse::<u32>().ok()?;
                    Some((*old, pid))
                })?;
            (pid != std::process::id() && !proc.join(pid.to_string()).exists()).then(|| (set_aside, entry.path()))
        })
        .collect();
    // Set-aside sites first: one of them may have to go back in place.
    abandoned.sort_by_key(|(set_aside, _)| !*set_aside);
    for (set_aside, path) in abandoned {
        let whole = path.join(MARKER).is_file();
        if set_aside && whole && std::fs::symlink_metadata(target).is_err() && std::fs::rename(&path, target).is_ok() {
            continue;
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}

impl Output for StagingOutput {
    fn put(&self, site_path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let dest = self.path_of(site_path)?;
        self.write(&dest, || {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&dest, &bytes)
        })
    }

    fn copy(&self, site_path: &str, source: &Path) -> Result<(), Error> {
        let dest = self.path_of(site_path)?;
        let mut from = crate::fs::open_regular(source).map_err(|e| Error::io(source, "copy", &e))?;
        self.write(&dest, || {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut to = std::fs::File::create(&dest)?;
            std::io::copy(&mut from, &mut to).map(|_| ())
        })
    }
}

impl Drop for StagingOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Refuses an output folder whose replacement would destroy the site or more:
/// the site root, its content/, themes/ or templates/ folder (or anything
/// inside them), any parent of the site, `/`, or an existing file.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), Error> {
    let root = absolute(root);
    let output = absolute(output);
    let refuse =
        |why: &str| Err(Error::Env(format!("refusing to use `{}` as the output folder: {why}", output.display())));
    if output.parent().is_none() {
        return refuse("it is the root of the file system");
    }
    if root.starts_with(&output) {
        return refuse("it is the site folder or one of its parents");
    }
    for protected in ["content", "themes", "templates", "site.toml"] {
        if output.starts_with(root.join(protected)) {
            return refuse(&format!("it is inside the site's `{protected}`"));
        }
    }
    if output.exists() && !output.is_dir() {
        return refuse("it is a file, not a folder");
    }
    if output.is_dir() && !output.join(MARKER).is_file() {
        let mut entries = std::fs::read_dir(&output).map_err(|e| Error::io(&output, "read", &e))?;
        if entries.next().is_some() {
            return refuse(&format!(
                "it is not empty and stele did not write it (it has no `{MARKER}` file); remove it or choose another folder"
            ));
        }
    }
    Ok(())
}

/// `path` made absolute, with `.` and `..` applied and symbolic links
/// resolved as far as the path exists. `..` must not be kept as a component:
/// `public/..` would otherwise compare as a folder inside the site while it
/// names the site itself.
fn absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in abs.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component.as_os_str()),
            Component::CurDir => {}
            // `resolved` has no links left in it, so its parent is the real one.
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        for bad in [
            root.clone(),
            root.join("content"),
            root.join("content/x"),
            root.join("themes"),
            dir.path().to_path_buf(),
            PathBuf::from("/"),
            root.join("public/.."),
            root.join("not-there/../content"),
            root.join("not-there/../.."),
            root.join("./content/../themes/x"),
        ] {
            assert!(check_output_dir(&root, &bad).is_err(), "{} should be refused", bad.display());
        }
        assert!(check_output_dir(&root, &root.join("public")).is_ok());
        assert!(check_output_dir(&root, &dir.path().join("elsewhere")).is_ok());
        assert!(check_output_dir(&root, &root.join("content/../public")).is_ok());
        std::fs::write(root.join("README.md"), "").unwrap();
        assert!(check_output_dir(&root, &root.join("README.md")).is_err(), "a file is not an output folder");
    }

    #[test]
    fn refuses_links_to_dangerous_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::os::unix::fs::symlink(&root, dir.path().join("link-to-site")).unwrap();
        assert!(check_output_dir(&root, &dir.path().join("link-to-site")).is_err());
        assert!(check_output_dir(&root, &dir.path().join("link-to-site/content/new")).is_err());
        assert!(check_output_dir(&root, &dir.path().join("link-to-site/public")).is_ok());
    }

    #[test]
    fn staging_is_invisible_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let out = StagingOutput::new(&target).unwrap();
        out.put("a/index.html", b"x".to_vec()).unwrap();
        assert!(!target.exists());
        out.commit().unwrap();
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"x");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
        assert!(target.join(MARKER).is_file(), "the output is marked as stele's own");
    }

    #[test]
    fn refuses_a_folder_stele_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let foreign = dir.path().join("documents");
        std::fs::create_dir_all(&foreign).unwrap();
        assert!(check_output_dir(&root, &foreign).is_ok(), "an empty folder may be used");
        std::fs::write(foreign.join("thesis.txt"), "years of work").unwrap();
        let err = check_output_dir(&root, &foreign).unwrap_err().to_string();
        assert!(err.contains("stele did not write it"), "{err}");
        std::fs::write(foreign.join(MARKER), "").unwrap();
        assert!(check_output_dir(&root, &foreign).is_ok(), "a folder stele wrote may be replaced");
    }

    #[test]
    fn folders_of_killed_builds_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let abandoned = dir.path().join(".public.stele-staging-999999999");
        let set_aside = dir.path().join(".public.stele-old-999999998");
        let other = dir.path().join(".other.stele-staging-999999999");
        for folder in [&abandoned, &set_aside, &other] {
            std::fs::create_dir_all(folder.join("articles")).unwrap();
        }
        let out = StagingOutput::new(&dir.path().join("public")).unwrap();
        out.commit().unwrap();
        assert!(!abandoned.exists() && !set_aside.exists(), "abandoned folders of this output are removed");
        assert!(other.exists(), "another output's folders are left alone");
    }

    #[test]
    fn a_set_aside_site_goes_back_only_when_the_output_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let set_aside = dir.path().join(".public.stele-old-999999998");
        std::fs::create_dir_all(&set_aside).unwrap();
        std::fs::write(set_aside.join("index.html"), "last good").unwrap();
        recover(&target);
        assert!(!target.exists() && !set_aside.exists(), "a site without its marker was being removed");
        std::fs::create_dir_all(&set_aside).unwrap();
        std::fs::write(set_aside.join("index.html"), "last good").unwrap();
        std::fs::write(set_aside.join(MARKER), MARKER_TEXT).unwrap();
        recover(&target);
        assert_eq!(std::fs::read_to_string(target.join("index.html")).unwrap(), "last good");
        assert!(!set_aside.exists());

        std::fs::create_dir_all(&set_aside).unwrap();
        recover(&target);
        assert!(!set_aside.exists(), "a newer output is in place: the old one goes");
        assert_eq!(std::fs::read_to_string(target.join("index.html")).unwrap(), "last good");
    }

    #[test]
    fn commit_replaces_an_existing_output_both_ways() {
        for fallback in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("public");
            let first = StagingOutput::new(&target).unwrap();
            first.put("old.html", b"old".to_vec()).unwrap();
            first.commit().unwrap();
            let second = StagingOutput::new(&target).unwrap();
            second.put("new.html", b"new".to_vec()).unwrap();
            if fallback {
                let old = second.commit_by_renames().unwrap();
                std::fs::remove_dir_all(old).unwrap();
            } else {
                second.commit().unwrap();
            }
            assert!(target.join("new.html").is_file() && !target.join("old.html").exists());
            let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert_eq!(names, vec![std::ffi::OsString::from("public")], "fallback: {fallback}");
        }
    }

    #[test]
    fn a_failed_write_is_reported_once_for_the_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = StagingOutput::new(&dir.path().join("public")).unwrap();
        // A file where a folder must go: every later write is refused without being tried.
        out.put("a", b"x".to_vec()).unwrap();
        assert!(out.put("a/b.html", b"x".to_vec()).is_err());
        assert!(out.put("c.html", b"x".to_vec()).is_err(), "no write after the first failure");
        assert!(!dir.path().join(format!(".public.stele-staging-{}/c.html", std::process::id())).exists());
        let err = out.finish(Ok(())).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(
            text.starts_with("error: cannot write the site into `") && text.matches("error:").count() == 1,
            "{text}"
        );
    }

    #[test]
    fn dropped_staging_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = StagingOutput::new(&dir.path().join("public")).unwrap();
        out.put("x.html", b"x".to_vec()).unwrap();
        assert!(out.put("../escape.html", b"x".to_vec()).is_err());
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
