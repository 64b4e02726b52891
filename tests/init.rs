//! `stele init [DIR]`: a new site that `build`, `check` and `serve` accept at
//! once, with its own copy of the heritage theme, made only in an empty folder.

mod common;
#[path = "common/server.rs"]
mod server;

use std::path::Path;
use std::process::Command;

use common::{read_tree, repo_root};
use server::Served;

fn stele(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stele")).args(args).current_dir(dir).output().expect("run stele");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn init_makes_a_site_that_builds_checks_and_serves_at_once() {
    let parent = tempfile::tempdir().expect("temp dir");
    let (code, stderr) = stele(parent.path(), &["init", "my-site"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("cd my-site && stele serve"), "says what to do next: {stderr}");
    let site = parent.path().join("my-site");

    let (code, stderr) = stele(&site, &["check"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = stele(&site, &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    let public = read_tree(&site.join("public"));
    for page in
        ["index.html", "articles/welcome/index.html", "institutions/example-museum/index.html", "about/index.html"]
    {
        assert!(public.contains_key(page), "{page} missing from {:?}", public.keys().collect::<Vec<_>>());
    }
    let welcome = String::from_utf8_lossy(&public["articles/welcome/index.html"]).into_owned();
    assert!(welcome.contains("Welcome to your new site") && welcome.contains("Example Museum"), "{welcome}");

    // The theme is the built-in one, copied file for file.
    let theme = read_tree(&site.join("themes/heritage"));
    let repo_theme = read_tree(&repo_root().join("themes/heritage"));
    assert!(
        theme == repo_theme,
        "the embedded theme differs from themes/heritage: {:?} vs {:?} (a file added to the theme is embedded at the next compile of the library: `touch src/scaffold.rs`)",
        theme.keys().collect::<Vec<_>>(),
        repo_theme.keys().collect::<Vec<_>>()
    );

    let served = Served::start(&site, &[]);
    let home = served.get("/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("My Heritage News"), "{}", home.text());
    assert_eq!(served.get("/articles/welcome/").status, 200);
}

#[test]
fn init_in_the_current_folder_when_it_is_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, stderr) = stele(dir.path(), &["init"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.path().join("site.toml").is_file());
    let (code, stderr) = stele(dir.path(), &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_touches_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
    let before = read_tree(dir.path());
    let (code, stderr) = stele(dir.path(), &["init", "."]);
    assert_eq!(code, Some(2), "a usage error: {stderr}");
    assert!(stderr.contains("is not empty, expected a new or empty folder"), "{stderr}");
    assert_eq!(read_tree(dir.path()), before, "nothing written");
}

#[test]
fn the_example_content_names_no_real_institution() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, stderr) = stele(dir.path(), &["init"]);
    assert_eq!(code, Some(0), "{stderr}");
    let institutions: Vec<String> = read_tree(&dir.path().join("content/institutions")).into_keys().collect();
    assert_eq!(institutions, ["example-museum.md"]);
    let content = read_tree(&dir.path().join("content"));
    for (path, bytes) in content {
        let text = String::from_utf8_lossy(&bytes);
        for real in ["Dunhuang", "Guimet", "Palace Museum", "Peking", "Fondation", "Louvre"] {
            assert!(!text.contains(real), "{path} mentions {real}");
        }
    }
}
