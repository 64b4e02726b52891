//! `stele check`: every problem reported at once, at its file, line and
//! column; exit code 1 when there is any; nothing ever written.

mod common;
use common::{TestSite, repo_root};

/// A site served from a sub-path, so that links must honour it.
const SUB_PATH_TOML: &str = "title = \"Test Heritage\"\nbase_url = \"https://example.org/heritage/\"\npaginate = 2\n";

/// Runs `stele check` in the site: (exit code, stderr lines starting with `error: `, whole stderr).
fn check(site: &TestSite, args: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let out = site.stele(&all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let errors = stderr.lines().filter_map(|l| l.strip_prefix("error: ")).map(str::to_string).collect();
    (out.status.code(), errors, stderr)
}

/// Whether a line starts with `path:line:col: ` (numbers).
fn located(line: &str, path: &str) -> bool {
    let Some(rest) = line.strip_prefix(path).and_then(|r| r.strip_prefix(':')) else { return false };
    let mut parts = rest.splitn(3, ':');
    let numeric = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    numeric(parts.next()) && numeric(parts.next()) && parts.next().is_some_and(|m| m.starts_with(' '))
}

#[test]
fn content_and_theme_problems_are_all_reported_together() {
    let site = TestSite::new();
    site.simple_article("fine", "A fine article", "2024-03-01", &["Dunhuang Academy"]);
    site.article("unknown", "title: Unknown\ndate: 2024-03-02\ninstitutions:\n  - Dunhuang Acadmy", "Text.");
    site.article("typo", "title: Typo\ndate: 2024-03-03\ninstituions: [Dunhuang Academy]", "Text.");
    site.article("bad-date", "title: Bad date\ndate: 2024-02-30\ninstitutions: [Guimet]", "Text.");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock content %}\n",
    );

    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = [
        ("content/articles/unknown.md:5:5", "unknown institution `Dunhuang Acadmy`, did you mean `Dunhuang Academy`?"),
        ("content/articles/typo.md:4:1", "unknown key `instituions`, did you mean `institutions`?"),
        ("content/articles/bad-date.md:3:7", "`2024-02-30` is not a valid date"),
        ("templates/page.html:3:", ""),
    ];
    for (place, message) in expected {
        assert!(
            errors.iter().any(|e| e.starts_with(place) && e.contains(message)),
            "expected `{place}: {message}` in:\n{stderr}"
        );
    }
    assert_eq!(errors.len(), 4, "one line per problem:\n{stderr}");
    assert!(stderr.contains("4 problems found"), "{stderr}");
    assert!(!site.path("public").exists(), "check never writes the site");
}

#[test]
fn content_templates_and_links_are_all_reported_together() {
    let site = broken_links_site();
    site.article("unknown", "title: Unknown\ndate: 2024-03-02\ninstitutions:\n  - Dunhuang Acadmy", "[b](../b/)");
    site.article("typo", "title: Typo\ndate: 2024-03-03\ninstituions: [Dunhuang Academy]", "Text.");
    site.article(
        "c",
        "title: C\ndate: 2024-03-04\ninstitutions: [Guimet]",
        "See [typo](../typo/) and [gone](../gone/).",
    );
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = [
        "content/articles/unknown.md:5:5: unknown institution `Dunhuang Acadmy`, did you mean `Dunhuang Academy`?",
        "content/articles/typo.md:4:1: unknown key `instituions`, did you mean `institutions`?",
        "content/articles/a.md:8:5: broken link `../nope/`: no page at `/heritage/articles/nope/`",
        "content/articles/c.md:6:26: broken link `../gone/`: no page at `/heritage/articles/gone/`",
        "templates/years.html:3:54: broken link `#nope` on `/heritage/years/`: no element with id `nope` on `/heritage/years/`",
    ];
    for line in expected {
        assert!(errors.iter().any(|e| e == line), "expected `{line}` in:\n{stderr}");
    }
    assert!(errors.iter().any(|e| located(e, "templates/404.html")), "{stderr}");
    assert!(!errors.iter().any(|e| e.contains("`../typo/`")), "a link to a file left out is not reported:\n{stderr}");
    assert_eq!(errors.len(), 8 + 3, "{stderr}");
    assert!(!site.path("public").exists(), "check never writes the site");
}

/// A site that loads but whose links and templates are broken.
fn broken_links_site() -> TestSite {
    let site = TestSite::new();
    site.write("site.toml", SUB_PATH_TOML);
    site.write(
        "content/institutions/dunhuang-academy.md",
        "---\nname: Dunhuang Academy\ncountry: China\n---\nThe academy.\n\nSee [the guide](/heritage/articles/guide/).\n",
    );
    // Front matter on lines 1-5, body from line 6.
    site.article(
        "a",
        "title: A\ndate: 2024-03-01\ninstitutions: [Dunhuang Academy]",
        "Intro.\n\nSee [nothing](../nope/) and [b](../b/#nowhere).\n\n![photo](missing.png) <a href=\"/heritage/articles/ghost/\">ghost</a>",
    );
    site.article(
        "b",
        "title: B\ndate: 2024-03-02\ninstitutions: [Guimet]",
        "## Section\n\n[ok](../a/) [ok](#section) [ok](/heritage/articles/a/#top) [ok](https://example.org/heritage/rss.xml)\n\n[outside](https://elsewhere.example/x/) [mail](mailto:a@example.org) [other path](https://example.org/elsewhere/)",
    );
    site.write(
        "templates/years.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<a href=\"{{ site.home_url }}nowhere/\">x</a> <a href=\"#nope\">y</a>\n{% endblock content %}\n",
    );
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ missing_var }}{% endblock content %}\n",
    );
    site
}

#[test]
fn broken_links_and_template_errors_are_reported_at_their_source() {
    let site = broken_links_site();
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = [
        "content/articles/a.md:8:5: broken link `../nope/`: no page at `/heritage/articles/nope/`",
        "content/articles/a.md:8:29: broken link `../b/#nowhere`: no element with id `nowhere` on `/heritage/articles/b/`",
        "content/articles/a.md:10:1: broken image `missing.png`: no file at `/heritage/articles/a/missing.png`",
        "content/articles/a.md:10:32: broken link `/heritage/articles/ghost/`: no page at `/heritage/articles/ghost/`",
        "content/institutions/dunhuang-academy.md:7:5: broken link `/heritage/articles/guide/`: no page at `/heritage/articles/guide/`",
        "templates/years.html:3:10: broken link `/heritage/nowhere/` on `/heritage/years/`: no page at `/heritage/nowhere/`",
        "templates/years.html:3:54: broken link `#nope` on `/heritage/years/`: no element with id `nope` on `/heritage/years/`",
    ];
    for line in expected {
        assert!(errors.iter().any(|e| e == line), "expected `{line}` in:\n{stderr}");
    }
    assert!(
        errors.iter().any(|e| located(e, "templates/404.html") && e.contains("missing_var")),
        "the template error, at its line:\n{stderr}"
    );
    assert_eq!(errors.len(), expected.len() + 1, "nothing else:\n{stderr}");
    assert!(!site.path("public").exists(), "check never writes the site");
}

#[test]
fn the_library_returns_the_same_diagnostics() {
    let site = broken_links_site();
    let err = stele::check::check(&site.options()).expect_err("problems");
    assert_eq!(err.exit_code(), 1);
    let list = err.diagnostics();
    assert_eq!(list.len(), 8, "{err}");
    assert!(list.iter().all(|d| d.pos.is_some()), "every problem has a line and column:\n{err}");
    let mut sorted = list.to_vec();
    sorted.sort();
    assert_eq!(sorted, list, "in a stable order");
}

#[test]
fn a_broken_link_in_the_base_template_is_reported_once() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    site.simple_article("two", "Two", "2024-03-02", &["Guimet"]);
    let base = std::fs::read_to_string(repo_root().join("themes/heritage/templates/base.html")).expect("theme base");
    let broken =
        base.replacen("</head>", "<link rel=\"icon\" href=\"{{ site.home_url }}no-such-icon.svg\">\n</head>", 1);
    assert_ne!(base, broken, "the theme's base.html has a </head>");
    site.write("templates/base.html", &broken);

    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(errors.len(), 1, "one problem, not one per page:\n{stderr}");
    assert!(located(&errors[0], "templates/base.html"), "{stderr}");
    assert!(errors[0].contains("broken link `/no-such-icon.svg` on `/"), "{stderr}");
    assert!(errors[0].contains(" other pages: no file at `/no-such-icon.svg`"), "{stderr}");
}

#[test]
fn links_in_static_html_files_are_reported_in_them() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    site.write(
        "content/legacy/report.html",
        "<!DOCTYPE html>\n<title>Old report</title>\n<p><a href=\"../articles/one/\">ok</a>\n<p><a href=\"../articles/oen/\">typo</a>\n",
    );
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        errors,
        [
            "content/legacy/report.html:4:13: broken link `../articles/oen/`: no page at `/articles/oen/`, did you mean `/articles/one/`?"
        ]
    );
}

#[test]
fn url_collisions_are_reported() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-03-01", &["Dunhuang Academy"]);
    site.article("second", "title: Second\ndate: 2024-03-02\ninstitutions: [Guimet]\nslug: first", "Text.");
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        errors.iter().any(|e| e.contains("content/articles/first.md") && e.contains("content/articles/second.md")),
        "names both sources:\n{stderr}"
    );
}

#[test]
fn links_to_drafts_are_broken_unless_drafts_are_checked() {
    let site = TestSite::new();
    site.article("draft", "title: Draft\ndate: 2024-03-01\ninstitutions: [Guimet]\ndraft: true", "Not yet.");
    site.article("live", "title: Live\ndate: 2024-03-02\ninstitutions: [Guimet]", "See [the draft](../draft/).");
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(errors, ["content/articles/live.md:6:5: broken link `../draft/`: no page at `/articles/draft/`"]);
    let (code, _, stderr) = check(&site, &["--drafts"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_clean_site_passes_and_writes_nothing() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    site.article(
        "two",
        "title: Two\ndate: 2024-03-02\ninstitutions: [Guimet]",
        "## Notes\n\nSee [one](../one/), [its feed](/rss.xml), [the notes](#notes) and [Guimet](/institutions/guimet/).",
    );
    site.write("content/articles/two/cave.jpg", "not really a photo");
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(errors.is_empty(), "{stderr}");
    let summary = stderr.trim();
    assert!(
        summary.starts_with("checked ") && summary.ends_with(" static files, no problems"),
        "one-line summary: {stderr}"
    );
    assert!(!site.path("public").exists(), "check never writes the site");
    // `build` counts the same pages and files.
    let built = site.stele(&["build"]);
    let built = String::from_utf8_lossy(&built.stderr);
    let counted = summary.strip_prefix("checked ").and_then(|s| s.strip_suffix(", no problems")).unwrap_or_default();
    assert!(built.starts_with(&format!("built {counted} into ")), "{built} / {summary}");
}

#[test]
fn the_microsite_checks_clean() {
    let site = TestSite::microsite();
    let (code, _, stderr) = check(&site, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("no problems"), "{stderr}");
}

#[test]
fn outside_a_site_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
        .args(["check", "--root"])
        .arg(dir.path())
        .output()
        .expect("run stele");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site.toml"));
}

#[test]
fn a_link_that_forgets_the_base_path_is_reported() {
    let site = TestSite::new();
    site.write("site.toml", SUB_PATH_TOML);
    site.simple_article("fine", "A fine article", "2024-03-01", &["Dunhuang Academy"]);
    site.write(
        "content/pages/about.md",
        "---\ntitle: About\n---\nSee [the articles](/articles/) and [elsewhere](https://example.org/other/).\n",
    );
    let (code, errors, stderr) = check(&site, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(located(&errors[0], "content/pages/about.md"), "{stderr}");
    assert!(errors[0].contains("outside the site's base path `/heritage/`"), "{stderr}");
}
