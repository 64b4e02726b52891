//! `stele new article` and `stele new institution`: files the build accepts
//! as they are, whatever the text; never an overwrite; names checked the way
//! the build checks them.

mod common;
use common::TestSite;

use stele::content::{Article, SourceText};

/// Runs the binary: (exit code, stdout, stderr).
fn run(site: &TestSite, args: &[&str]) -> (Option<i32>, String, String) {
    let out = site.stele(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Parses an article file the way the build does.
fn parse_article(site: &TestSite, rel_path: &str) -> Article {
    let text = std::fs::read_to_string(site.path(rel_path)).expect("the new file");
    let slug = rel_path.trim_start_matches("content/articles/").trim_end_matches(".md");
    let tz = jiff::tz::TimeZone::UTC;
    let src = SourceText { text: &text, rel_path, file_slug: slug, lang: "en", group: rel_path, tz: &tz };
    Article::parse(&src, None).unwrap_or_else(|e| panic!("{rel_path} does not parse: {e:?}\n{text}"))
}

/// The text of the article page's `<h1>`: the `lang` spans around Chinese
/// removed, character references decoded.
fn heading(page: &str) -> String {
    let start = page.find("<h1").and_then(|i| page[i..].find('>').map(|j| i + j + 1)).expect("an <h1>");
    let end = start + page[start..].find("</h1>").expect("</h1>");
    let text = page[start..end].replace("<span lang=\"zh\" class=\"zh\">", "").replace("</span>", "");
    html_escape::decode_html_entities(&text).into_owned()
}

#[test]
fn a_title_with_a_control_character_is_refused() {
    let site = TestSite::new();
    let err = stele::new::new_article(site.root(), "A bell\u{7}", &["Dunhuang Academy".into()], None, None)
        .expect_err("no page can show a control character")
        .to_string();
    assert!(err.contains("control character U+0007"), "{err}");
    assert!(!site.path("content/articles/a-bell.md").exists());
}

#[test]
fn any_title_reads_back_exactly() {
    let site = TestSite::new();
    let titles = [
        "Dunhuang and Guimet: a \"digital library\" of Cave 17's manuscripts",
        "# Not a comment",
        "- Not a list item",
        "* Not an alias",
        "& Not an anchor",
        "! Not a tag",
        "yes",
        "null",
        "2024-03-12",
        "Tab\tinside, 'single quotes' and a back\\slash",
        "敦煌研究院与吉美博物馆 — Musée Guimet, Académie",
        "{ braces } and [brackets] | pipes > and % percent @ at `tick`",
        "Odd characters: line-sep\u{2028} bom\u{feff} nbsp\u{a0}",
        "--- dashes ---",
        "  Spaces around are trimmed  ",
    ];
    let mut paths = Vec::new();
    for title in titles {
        let path = stele::new::new_article(site.root(), title, &["Dunhuang Academy".into()], Some("2024-03-12"), None)
            .unwrap_or_else(|e| panic!("{title:?}: {e}"));
        let rel = path.strip_prefix(site.root()).expect("inside the site").to_string_lossy().replace('\\', "/");
        let article = parse_article(&site, &rel);
        // Exactly, but for the typographic punctuation every title gets.
        let shown = stele::content::text::smart(title.trim());
        assert_eq!(article.title, shown, "{rel}");
        paths.push((shown, article.slug));
    }
    // The build reads them the same way and shows each title as its heading.
    let files = site.build_ok();
    for (title, slug) in paths {
        let page = files.text(&format!("articles/{slug}/index.html"));
        assert_eq!(heading(&page).trim(), title, "articles/{slug}/");
    }
    assert!(
        files
            .text("articles/dunhuang-and-guimet-a-digital-library-of-cave-17-s-manuscripts/index.html")
            .contains("a “digital library” of Cave 17’s manuscripts")
    );
}

#[test]
fn new_article_writes_a_file_that_builds_and_checks_clean() {
    let site = TestSite::new();
    let (code, stdout, stderr) = run(
        &site,
        &[
            "new",
            "article",
            "Dunhuang Academy and the Guimet museum: a plan",
            "--institution",
            "dunhuang academy",
            "--institution",
            "Guimet",
            "--date",
            "2024-03-12",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let rel = "content/articles/dunhuang-academy-and-the-guimet-museum-a-plan.md";
    assert_eq!(stdout.trim(), site.path(rel).display().to_string(), "prints the path");
    let text = std::fs::read_to_string(site.path(rel)).expect("written");
    assert!(text.contains("date: 2024-03-12\n"), "{text}");
    assert!(
        text.contains("  - \"Dunhuang Academy\"\n  - \"Guimet National Museum of Asian Arts\"\n"),
        "canonical names, in order:\n{text}"
    );
    let article = parse_article(&site, rel);
    assert!(!article.draft);
    assert!(!article.summary.is_empty() && !article.body.html.is_empty(), "a placeholder paragraph, as the summary");
    let (code, _, stderr) = run(&site, &["check"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn aliases_and_slugs_resolve_to_the_canonical_name() {
    let site = TestSite::new();
    for (name, slug) in
        [("MUSEE  guimet", "alias-without-accents"), ("guimet", "slug"), ("Dunhuang Research Academy", "alias")]
    {
        let path = stele::new::new_article(site.root(), slug, &[name.to_string()], Some("2024-03-12"), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = std::fs::read_to_string(path).expect("written");
        let canonical =
            if name.contains("Dunhuang") { "Dunhuang Academy" } else { "Guimet National Museum of Asian Arts" };
        assert!(text.contains(&format!("  - \"{canonical}\"\n")), "{name} -> {canonical}:\n{text}");
    }
}

#[test]
fn unknown_institution_is_refused_with_a_suggestion() {
    let site = TestSite::new();
    let (code, _, stderr) = run(
        &site,
        &["new", "article", "A title", "--institution", "Dunhuang Acadmy", "--institution", "Nowhere at all"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown institution `Dunhuang Acadmy`, did you mean `Dunhuang Academy`?"), "{stderr}");
    assert!(
        stderr.contains("unknown institution `Nowhere at all`, expected the name, an alias or the slug"),
        "{stderr}"
    );
    assert!(!site.path("content/articles").exists(), "nothing written");

    let (code, _, stderr) =
        run(&site, &["new", "article", "A title", "--institution", "Guimet", "--institution", "Musée Guimet"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("a second time"), "{stderr}");

    // A name in another language is not an alias, as in the build.
    let (code, _, stderr) = run(&site, &["new", "article", "A title", "--institution", "敦煌研究院"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("did you mean `Dunhuang Academy`? (`敦煌研究院` is its name in another language"),
        "{stderr}"
    );
}

#[test]
fn an_existing_file_or_slug_is_never_replaced() {
    let site = TestSite::new();
    let args = ["new", "article", "Same title", "--institution", "Guimet", "--date", "2024-03-12"];
    assert_eq!(run(&site, &args).0, Some(0));
    let path = site.path("content/articles/same-title.md");
    std::fs::write(&path, "edited by hand").expect("edit");
    let (code, _, stderr) = run(&site, &args);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("`content/articles/same-title.md` already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).expect("still there"), "edited by hand");

    // Another file that already has the URL: a bundle, or an explicit slug.
    site.write(
        "content/articles/2023/bundle-title/index.md",
        "---\ntitle: B\ndate: 2023-01-01\ninstitutions: [Guimet]\n---\n",
    );
    let (code, _, stderr) = run(&site, &["new", "article", "Bundle title", "--institution", "Guimet"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("content/articles/2023/bundle-title/index.md"), "{stderr}");
    site.article("whatever", "title: W\ndate: 2023-01-01\ninstitutions: [Guimet]\nslug: taken-slug", "Text.");
    let (code, _, stderr) = run(&site, &["new", "article", "Taken slug", "--institution", "Guimet"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("content/articles/whatever.md"), "{stderr}");
}

#[test]
fn bad_dates_are_refused() {
    let site = TestSite::new();
    for bad in ["2024-02-30", "12/03/2024", "2024-3-12", "2024-13", "tomorrow"] {
        let (code, _, stderr) = run(&site, &["new", "article", "Dated", "--institution", "Guimet", "--date", bad]);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains(&format!("--date `{bad}`")) && stderr.contains("2024-03-12"), "{bad}: {stderr}");
    }
    assert!(!site.path("content/articles/dated.md").exists());
}

/// A source that gives only the month (or the year) gets an article dated so.
#[test]
fn a_month_alone_is_a_date_too() {
    let site = TestSite::new();
    let args = ["new", "article", "In March", "--institution", "Guimet", "--date", "2024-03"];
    let (code, _, stderr) = run(&site, &args);
    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(site.path("content/articles/in-march.md")).expect("written");
    assert!(text.contains("date: 2024-03\n"), "{text}");
    let (code, _, stderr) = run(&site, &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    let page = std::fs::read_to_string(site.path("public/articles/in-march/index.html")).expect("built");
    assert!(page.contains("<time datetime=\"2024-03\">"), "{page}");
}

#[test]
fn the_date_defaults_to_today_in_the_site_time_zone() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}time_zone = \"Pacific/Kiritimati\"\n", common::SITE_TOML));
    let tz = jiff::tz::TimeZone::get("Pacific/Kiritimati").expect("zone");
    let before = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let path = stele::new::new_article(site.root(), "Today", &["Guimet".into()], None, None).expect("written");
    let after = jiff::Zoned::now().with_time_zone(tz).date();
    let text = std::fs::read_to_string(path).expect("written");
    let date = text.lines().find_map(|l| l.strip_prefix("date: ")).expect("a date line");
    assert!(date == before.to_string() || date == after.to_string(), "{date} is today in Kiritimati (UTC+14)");
}

#[test]
fn new_institution_writes_a_profile_articles_can_name() {
    let site = TestSite::new();
    let (code, stdout, stderr) = run(&site, &["new", "institution", "Palace Museum: \"Gugong\"", "--country", "china"]);
    assert_eq!(code, Some(0), "{stderr}");
    let rel = "content/institutions/palace-museum-gugong.md";
    assert_eq!(stdout.trim(), site.path(rel).display().to_string());
    let text = std::fs::read_to_string(site.path(rel)).expect("written");
    assert!(
        text.starts_with("---\nname: \"Palace Museum: \\\"Gugong\\\"\"\ncountry: \"China\"\n"),
        "the country's known spelling:\n{text}"
    );

    let (code, _, stderr) = run(
        &site,
        &["new", "article", "At the museum", "--institution", "palace museum: \"gugong\"", "--date", "2024-05-01"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let files = site.build_ok();
    let page = files.text("institutions/palace-museum-gugong/index.html");
    assert!(page.contains("At the museum"), "the institution's page lists the article");
    assert!(files.text("countries/china/index.html").contains("Palace Museum"), "one China, not two");
}

#[test]
fn new_institution_refuses_existing_names_and_files() {
    let site = TestSite::new();
    for taken in ["Dunhuang Academy", "dunhuang research academy", "Musée Guimet", "GUIMET"] {
        let (code, _, stderr) = run(&site, &["new", "institution", taken, "--country", "France"]);
        assert_eq!(code, Some(2), "{taken}: {stderr}");
        assert!(stderr.contains("already names the institution"), "{taken}: {stderr}");
    }
    let (code, _, stderr) = run(&site, &["new", "institution", "敦煌研究院", "--country", "China"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("the name in another language of the institution `Dunhuang Academy`"), "{stderr}");
    site.write("content/institutions/new-place.md", "not yet a profile");
    let (code, _, stderr) = run(&site, &["new", "institution", "New Place", "--country", "France"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(site.path("content/institutions/new-place.md")).expect("kept"),
        "not yet a profile"
    );
}

#[test]
fn outside_a_site_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
        .args(["new", "article", "Title", "--institution", "X", "--root"])
        .arg(dir.path())
        .output()
        .expect("run stele");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site.toml"));
}

#[test]
fn a_translation_is_scaffolded_beside_its_original_and_builds() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}\n[languages.fr]\nname = \"Français\"\n", common::SITE_TOML));
    site.simple_article("cave", "The Library Cave", "2024-03", &["Dunhuang Academy"]);
    let (code, out, err) =
        run(&site, &["new", "article", "La grotte-bibliothèque", "--lang", "fr", "--translation-of", "cave"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), site.path("content/articles/cave.fr.md").display().to_string());
    let text = std::fs::read_to_string(site.path("content/articles/cave.fr.md")).expect("written");
    assert!(text.contains("title: \"La grotte-bibliothèque\"") && !text.contains("\ndate:"), "{text}");
    let files = site.build_ok();
    let page = files.text("fr/articles/cave/index.html");
    assert!(page.contains("La grotte-bibliothèque") && page.contains("mars 2024"), "inherits the date");

    // Never twice, never into an undeclared language, never of a missing article.
    let (code, _, err) = run(&site, &["new", "article", "Encore", "--lang", "fr", "--translation-of", "cave"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = run(&site, &["new", "article", "Höhle", "--lang", "de", "--translation-of", "cave"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("--lang `de` is not a language of this site"), "{err}");
    let (code, _, err) = run(&site, &["new", "article", "Rien", "--lang", "fr", "--translation-of", "nothing"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("no article has the slug `nothing`"), "{err}");
    let (code, _, err) =
        run(&site, &["new", "article", "X", "--lang", "fr", "--translation-of", "cave", "--date", "2024-04"]);
    assert_ne!(code, Some(0), "a translation inherits its date: {err}");
}

#[test]
fn an_article_in_another_language_gets_its_code_in_the_file_name() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}\n[languages.zh]\ntag = \"zh-Hans\"\n", common::SITE_TOML));
    let (code, out, err) = run(
        &site,
        &["new", "article", "只有中文的新闻", "--lang", "zh", "--institution", "Dunhuang Academy", "--date", "2024-05"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.trim().ends_with(".zh.md"), "{out}");
    let files = site.build_ok();
    assert!(files.paths().iter().any(|p| p.starts_with("zh/articles/") && p.ends_with("/index.html")));
}
