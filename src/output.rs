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
}

impl StagingOutput {
    /// Creates an empty staging folder beside `target`.
    pub fn new(target: &Path) -> Result<Self, Error> {
        let parent =
            target.parent().ok_or_else(|| Error::Env(format!("`{}` has no parent folder", target.display())))?;
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", &e))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        remove_abandoned(parent, &name);
        let staging = parent.join(format!(".{name}.stele-staging-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, "remove old staging folder", &e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, "create staging folder", &e))?;
        crate::fs::write_file(&staging.join(MARKER), MARKER_TEXT)?;
        Ok(StagingOutput { target: target.to_path_buf(), staging, committed: false })
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

    /// Swaps the staging folder in place of the output folder.
    pub fn commit(mut self) -> Result<(), Error> {
        let old = self.staging.with_file_name(format!(
            ".{}.stele-old-{}",
            self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, "move aside", &e))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            if had_old {
                // Put the previous site back so nothing is lost.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, "move the new site into", &e));
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, "remove the previous site at", &e))?;
        }
        Ok(())
    }
}

/// Removes the staging and set-aside folders of builds of `name` that were
/// killed before they could clean up (their process is gone). Only where
/// `/proc` tells which processes run; elsewhere they are left alone.
fn remove_abandoned(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let pid = [".stele-staging-", ".stele-old-"]
            .iter()
            .find_map(|kind| file_name.strip_prefix(&format!(".{name}{kind}")).and_then(|pid| pid.parse::<u32>().ok()));
        if let Some(pid) = pid
            && pid != std::process::id()
            && !proc.join(pid.to_string()).exists()
        {
            // Best effort: a folder that cannot be removed now is tried again next build.
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Output for StagingOutput {
    fn put(&self, site_path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        crate::fs::write_file(&self.path_of(site_path)?, &bytes)
    }

    fn copy(&self, site_path: &str, source: &Path) -> Result<(), Error> {
        let dest = self.path_of(site_path)?;
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", &e))?;
        }
        std::fs::copy(source, &dest).map(|_| ()).map_err(|e| Error::io(source, "copy", &e))
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
    fn dropped_staging_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = StagingOutput::new(&dir.path().join("public")).unwrap();
        out.put("x.html", b"x".to_vec()).unwrap();
        assert!(out.put("../escape.html", b"x".to_vec()).is_err());
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
