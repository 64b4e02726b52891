//! The test harness: real sites in temporary folders.
//!
//! A [`TestSite`] starts as a minimal site (site.toml, the repository's own
//! `heritage` theme, two institutions in two countries) in a fresh temp dir;
//! tests write files into it, build it with the library (in memory) or the
//! real binary (on disk), and assert on the output.
#![allow(dead_code)]

pub mod exif;
pub mod html;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use stele::build::{BuildOptions, build_in_memory};

pub const SITE_TOML: &str =
    "title = \"Test Heritage\"\ndescription = \"A test site\"\nbase_url = \"https://example.org/\"\npaginate = 2\n";

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the folder to copy");
        let dest = to.join(entry.path().strip_prefix(from).expect("inside the folder"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

impl TestSite {
    /// site.toml + the heritage theme, no content.
    pub fn bare() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&repo_root().join("themes/heritage"), &dir.path().join("themes/heritage"));
        let site = TestSite { dir };
        site.write("site.toml", SITE_TOML);
        site
    }

    /// A small valid site: two institutions (China, France), no articles.
    pub fn new() -> Self {
        let site = Self::bare();
        site.write(
            "content/institutions/dunhuang-academy.md",
            "---\nname: Dunhuang Academy\ncountry: China\nnames:\n  zh: 敦煌研究院\naliases: [Dunhuang Research Academy]\ncity: Dunhuang\n---\nThe academy that cares for the Mogao Grottoes.\n",
        );
        site.write(
            "content/institutions/guimet.md",
            "---\nname: Guimet National Museum of Asian Arts\ncountry: France\nnames:\n  fr: Musée Guimet\naliases: [Musée Guimet]\ncity: Paris\n---\nA museum of Asian arts in Paris.\n",
        );
        site
    }

    /// The repository's own site (site.toml, content/, themes/) copied.
    pub fn microsite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = repo_root();
        for part in ["content", "themes"] {
            copy_tree(&repo.join(part), &dir.path().join(part));
        }
        std::fs::copy(repo.join("site.toml"), dir.path().join("site.toml")).expect("copy site.toml");
        TestSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file (creating folders).
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(&path, text).expect("write file");
        self
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).expect("remove file");
    }

    /// Writes an article with the given front-matter lines and body.
    pub fn article(&self, slug: &str, front_matter: &str, body: &str) -> &Self {
        self.write(&format!("content/articles/{slug}.md"), format!("---\n{front_matter}\n---\n{body}\n"))
    }

    /// Writes a simple valid article.
    pub fn simple_article(&self, slug: &str, title: &str, date: &str, institutions: &[&str]) -> &Self {
        let list = institutions.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
        self.article(
            slug,
            &format!("title: \"{title}\"\ndate: {date}\ninstitutions: [{list}]"),
            &format!("Body of {title}."),
        )
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions::new(self.root())
    }

    /// Builds in memory.
    pub fn build(&self) -> Result<Files, stele::error::Error> {
        build_in_memory(&self.options()).map(Files)
    }

    /// Builds in memory and panics with the errors if it fails.
    pub fn build_ok(&self) -> Files {
        match self.build() {
            Ok(files) => files,
            Err(err) => panic!("build failed:\n{err}"),
        }
    }

    /// Builds in memory as `stele build` publishes (theme assets under
    /// content-hashed names), panicking on errors.
    pub fn build_published(&self) -> Files {
        let options = self.options();
        let mut loaded = stele::build::load(&options).unwrap_or_else(|err| panic!("build failed:\n{err}"));
        loaded.theme.fingerprint(&options.root).unwrap_or_else(|list| panic!("fingerprint failed: {list:?}"));
        let out = stele::output::MemoryOutput::new();
        stele::build::render_to(&loaded, &out).unwrap_or_else(|err| panic!("render failed:\n{err}"));
        Files(out.into_files())
    }

    /// Builds and returns the error text, panicking if the build succeeds.
    pub fn build_err(&self) -> String {
        match self.build() {
            Ok(_) => panic!("build succeeded but an error was expected"),
            Err(err) => err.to_string(),
        }
    }

    /// Runs the real binary with `args` in the site folder.
    pub fn stele(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_stele")).args(args).current_dir(self.root()).output().expect("run stele")
    }
}

/// A built site in memory.
pub struct Files(pub BTreeMap<String, Vec<u8>>);

impl Files {
    /// The text of an output file (`articles/x/index.html`); panics if absent.
    pub fn text(&self, path: &str) -> String {
        let bytes = self.0.get(path).unwrap_or_else(|| panic!("no `{path}` in the output; have: {:?}", self.paths()));
        String::from_utf8(bytes.clone()).expect("UTF-8 output")
    }

    pub fn has(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }

    pub fn paths(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// Everything on disk under `dir`, as (relative path, bytes), sorted.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    files
}
