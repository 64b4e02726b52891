//! Nothing a file can do stops stele: named pipes and other special files,
//! symbolic links out of the site, a kill in the middle of the output swap,
//! a full disk. One test per way it could go wrong.

mod common;
#[path = "common/server.rs"]
mod server;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{TestSite, read_tree};
use stele::serve::session::Session;

/// Longer than any of these builds takes; a build still running then is hung.
const HUNG: Duration = Duration::from_secs(60);

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
}

/// Runs the real binary in `dir` with extra environment, killing it (and
/// failing the test) if it has not finished in [`HUNG`].
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stele"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stele");
    let start = Instant::now();
    while child.try_wait().expect("wait for stele").is_none() {
        if start.elapsed() > HUNG {
            let _ = child.kill();
            panic!("`stele {}` hung for {HUNG:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect the output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `f` on another thread and fails the test if it does not return in [`HUNG`].
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(HUNG).expect("finished instead of hanging")
}

#[test]
fn a_fifo_in_content_is_refused_by_build_and_check() {
    for (rel, what) in [("content/articles/pipe.md", "an article"), ("content/files/pipe.pdf", "a static file")] {
        let site = TestSite::new();
        site.simple_article("a", "A", "2024-01-01", &["Dunhuang Academy"]);
        mkfifo(&site.path(rel));
        for command in ["build", "check"] {
            let output = run(site.root(), &[command], &[]);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(1), "{what}, {command}: {err}");
            assert!(err.contains(&format!("{rel}: this is a named pipe (FIFO)")), "{what}, {command}: {err}");
        }
        assert!(!site.path("public").exists(), "nothing half-written");
    }
}

#[test]
fn a_fifo_or_socket_in_the_theme_or_templates_is_refused() {
    for rel in ["themes/heritage/static/pipe.css", "themes/heritage/templates/pipe.html", "templates/pipe.html"] {
        let site = TestSite::new();
        mkfifo(&site.path(rel));
        let output = run(site.root(), &["build"], &[]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{rel}: {err}");
        assert!(err.contains(&format!("{rel}: this is a named pipe (FIFO)")), "{rel}: {err}");
    }
    let site = TestSite::new();
    let socket_path = site.path("themes/heritage/static/live.sock");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).expect("bind a socket");
    let err = stderr(&run(site.root(), &["build"], &[]));
    assert!(err.contains("themes/heritage/static/live.sock: this is a socket"), "{err}");
}

#[test]
fn a_fifo_created_while_serving_does_not_block_the_rebuilds() {
    let site = TestSite::new();
    site.simple_article("a", "A", "2024-01-01", &["Dunhuang Academy"]);
    let root = site.root().to_path_buf();
    let outcome = within(move || {
        let mut session = Session::new(stele::build::BuildOptions::new(&root));
        session.rebuild().expect("first build");
        let before = session.files().clone();
        // A new pipe, then an existing article replaced by one.
        let new_pipe = "content/articles/pipe.md";
        mkfifo(&root.join(new_pipe));
        let first = session.update(&[PathBuf::from(new_pipe)]).map(|_| ()).map_err(|e| e.to_string());
        std::fs::remove_file(root.join("content/articles/a.md")).expect("remove the article");
        mkfifo(&root.join("content/articles/a.md"));
        let second = session.update(&[PathBuf::from("content/articles/a.md")]).map(|_| ()).map_err(|e| e.to_string());
        let kept = session.files() == &before;
        // Both gone: the loop goes on rebuilding.
        std::fs::remove_file(root.join(new_pipe)).expect("remove the pipe");
        std::fs::remove_file(root.join("content/articles/a.md")).expect("remove the pipe");
        let third = session.update(&[PathBuf::from(new_pipe)]).map(|_| ()).map_err(|e| e.to_string());
        (first, second, kept, third)
    });
    let (first, second, kept, third) = outcome;
    assert!(first.as_ref().is_err_and(|e| e.contains("content/articles/pipe.md: this is a named pipe")), "{first:?}");
    assert!(second.as_ref().is_err_and(|e| e.contains("content/articles/a.md: this is a named pipe")), "{second:?}");
    assert!(kept, "the last good files are kept");
    assert!(third.is_ok(), "{third:?}");
}

#[test]
fn stele_serve_goes_on_rebuilding_after_a_fifo_appears() {
    let site = TestSite::new();
    site.simple_article("a", "First title", "2024-01-01", &["Dunhuang Academy"]);
    let mut served = server::Served::start(site.root(), &[]);
    let change = Duration::from_secs(15);
    mkfifo(&site.path("content/articles/pipe.md"));
    served.wait_for_log("content/articles/pipe.md: this is a named pipe (FIFO)", change);
    assert!(served.get("/articles/a/").text().contains("First title"), "the last good site is served");
    std::fs::remove_file(site.path("content/articles/pipe.md")).expect("remove the pipe");
    site.simple_article("a", "Second title", "2024-01-01", &["Dunhuang Academy"]);
    server::eventually("the edit after the pipe shows", change, || {
        let text = served.get("/articles/a/").text();
        if text.contains("Second title") { Ok(()) } else { Err(text) }
    });
}

#[test]
fn serve_refuses_a_link_out_of_the_site_as_build_does() {
    let site = TestSite::new();
    site.simple_article("a", "A", "2024-01-01", &["Dunhuang Academy"]);
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");
    let before = session.files().clone();

    // A valid article outside the site, the same in every listing (so that
    // the session would take its fast path), which would be published if read.
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.md");
    let text = "---\ntitle: \"A\"\ndate: 2024-01-01\ninstitutions: [\"Dunhuang Academy\"]\n---\nBody of A.\n\nSECRET\n";
    std::fs::write(&secret, text).expect("write");
    site.remove("content/articles/a.md");
    std::os::unix::fs::symlink(&secret, site.path("content/articles/a.md")).expect("symlink");

    let from_session = session.update(&[PathBuf::from("content/articles/a.md")]).expect_err("refused").to_string();
    let from_build = site.build_err();
    assert_eq!(from_session, from_build, "serve and build give the same error");
    assert!(from_build.contains("content/articles/a.md: this symbolic link leads outside the site"), "{from_build}");
    assert!(session.files() == &before, "the last good files are kept");
    assert!(!session.files().values().any(|bytes| String::from_utf8_lossy(bytes).contains("SECRET")));
}

/// A site with one article; `title` changes what the build writes.
fn write_site(site: &TestSite, title: &str) {
    site.simple_article("a", title, "2024-01-01", &["Dunhuang Academy"]);
}

fn home(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("public/articles/a/index.html")).expect("the site is in place")
}

/// Environment variables for one run of the binary.
type Env = &'static [(&'static str, &'static str)];

#[test]
fn a_kill_in_the_output_swap_never_loses_the_site() {
    // (environment of the killed build, what `public/` holds right after the kill)
    let cases: [(Env, Option<&str>); 2] = [
        (&[("STELE_TEST_KILL", "swapped")], Some("Second")),
        (&[("STELE_TEST_COMMIT", "fallback"), ("STELE_TEST_KILL", "set-aside")], None),
    ];
    for (env, right_after) in cases {
        let site = TestSite::new();
        write_site(&site, "First");
        assert!(run(site.root(), &["build"], &[]).status.success());
        write_site(&site, "Second");
        let killed = run(site.root(), &["build"], env);
        assert_eq!(killed.status.code(), None, "{env:?}: killed by a signal: {}", stderr(&killed));
        match right_after {
            Some(title) => assert!(home(site.root()).contains(title), "{env:?}"),
            None => assert!(!site.path("public").exists(), "{env:?}: the kill fell between the two renames"),
        }
        let last_good = if right_after.is_some() { "Second" } else { "First" };

        // The next build fails: the last good site must still be there.
        site.write("content/articles/broken.md", "no front matter\n");
        let failed = run(site.root(), &["build"], &[]);
        assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
        assert!(home(site.root()).contains(last_good), "{env:?}: the last good site is in place");

        // A good build then leaves only its output beside the site's files.
        site.remove("content/articles/broken.md");
        assert!(run(site.root(), &["build"], &[]).status.success());
        let leftovers: Vec<String> = std::fs::read_dir(site.root())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains("stele"))
            .collect();
        assert!(leftovers.is_empty(), "{env:?}: {leftovers:?}");
    }
}

/// A tmpfs of `size` mounted at `dir`, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).expect("create the mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .expect("run mount");
        // No silent skip: this test needs root (CI runs as root) to fill a disk safely.
        assert!(status.success(), "cannot mount a {size} tmpfs at {} (run the tests as root)", dir.display());
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_one_environment_error_and_keeps_the_old_site() {
    let site = TestSite::new();
    for i in 0..20 {
        site.simple_article(&format!("a{i}"), &format!("Article {i}"), "2024-01-01", &["Dunhuang Academy"]);
    }
    let disk = Tmpfs::mount(&site.path("disk"), "3m");
    let output = disk.0.join("public");
    let output_arg = output.to_string_lossy().into_owned();
    let first = run(site.root(), &["build", "--output", &output_arg], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = read_tree(&output);

    // A picture too big for what is left: the disk fills up in the middle of the build.
    site.write("content/files/big.bin", vec![0u8; 4 << 20]);
    let full = run(site.root(), &["build", "--output", &output_arg], &[]);
    let err = stderr(&full);
    assert_eq!(full.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one message: {err}");
    assert!(err.starts_with(&format!("error: cannot write the site into `{output_arg}`")), "{err}");
    assert!(err.contains("No space left on device") && err.matches("error:").count() == 1, "{err}");
    assert!(!err.contains("problem"), "{err}");
    assert!(read_tree(&output) == before, "the old output is as it was");
    let leftovers: Vec<_> = std::fs::read_dir(&disk.0).expect("list").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("public")], "no staging folder left");
}

/// The one error of a build, as printed.
fn only_error(site: &TestSite) -> String {
    let err = site.build_err();
    assert_eq!(err.lines().count(), 1, "exactly one error: {err}");
    err
}

#[test]
fn a_key_written_twice_in_extra_is_an_error_at_the_second_key() {
    let site = TestSite::new();
    let head = "title: A\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]";
    site.article("a", &format!("{head}\nextra:\n  colour: red\n  layout:\n    wide: true\n    wide: false"), "x");
    assert_eq!(
        only_error(&site),
        "error: content/articles/a.md:9:5: in `extra.layout`: the key `wide` is written twice in this map, expected each key once"
    );
    site.article("a", &format!("{head}\nextra: {{colour: red, 'colour': blue}}"), "x");
    assert_eq!(
        only_error(&site),
        "error: content/articles/a.md:5:22: in `extra`: the key `colour` is written twice in this map, expected each key once"
    );
    site.article("a", &format!("{head}\ntitle: B"), "x");
    assert_eq!(
        only_error(&site),
        "error: content/articles/a.md:5:1: the key `title` is written twice in this map, expected each key once"
    );
    site.article("a", &format!("{head}\nimage:\n  src: a.jpg\n  alt: A\n  src: b.jpg"), "x");
    assert_eq!(
        only_error(&site),
        "error: content/articles/a.md:8:3: in `image`: the key `src` is written twice in this map, expected each key once"
    );
    // Numbers as keys, lists and nesting still read as before.
    site.article("a", &format!("{head}\nextra:\n  2024: [1, {{a: 1}}]\n  nested: {{a: {{a: 1}}}}"), "x");
    site.build_ok();
}

#[test]
fn a_name_written_twice_in_a_profile_is_an_error() {
    let site = TestSite::new();
    site.write(
        "content/institutions/guimet.md",
        "---\nname: Guimet National Museum of Asian Arts\ncountry: France\nnames:\n  fr: Musée Guimet\n  fr: Musée national des arts asiatiques\n---\nx\n",
    );
    assert_eq!(
        only_error(&site),
        "error: content/institutions/guimet.md:6:3: in `names`: the key `fr` is written twice in this map, expected each key once"
    );
}

#[test]
fn a_key_written_twice_in_site_toml_extra_is_an_error() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}[extra]\nlogo = \"a.svg\"\n[extra.social]\nx = 1\nx = 2\n", common::SITE_TOML));
    let err = only_error(&site);
    assert!(err.starts_with("error: site.toml:9:1: "), "{err}");
    assert!(err.contains("duplicate key"), "{err}");
}

#[test]
fn check_warns_about_bidi_controls_in_titles_and_names() {
    let site = TestSite::new();
    site.article("a", "title: Invoice \u{202E}fdp.exe\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]", "x");
    site.write(
        "content/institutions/guimet.md",
        "---\nname: Guimet National Museum of Asian Arts\ncountry: France\nnames:\n  fr: \"Musée \\u2067Guimet\"\n---\nx\n",
    );
    let output = run(site.root(), &["check"], &[]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "warnings do not fail check: {err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(
        warnings,
        [
            "warning: content/articles/a.md:2:16: the invisible bidirectional control U+202E makes the text around it show in another order than it is written, expected none (right-to-left text needs no control characters)",
            "warning: content/institutions/guimet.md:5:14: the invisible bidirectional control U+2067 makes the text around it show in another order than it is written, expected none (right-to-left text needs no control characters)",
        ],
        "{err}"
    );
    assert!(err.contains("no problems (2 warnings)"), "{err}");
    site.remove("content/articles/a.md");
    site.write(
        "content/institutions/guimet.md",
        "---\nname: Guimet\ncountry: France\nnames: { ar: متحف غيميه }\n---\nx\n",
    );
    let err = stderr(&run(site.root(), &["check"], &[]));
    assert!(!err.contains("warning"), "right-to-left text alone is fine: {err}");
}
