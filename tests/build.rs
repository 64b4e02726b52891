//! `stele build` end to end: determinism, atomic output, refused output
//! folders, theme overrides, template errors, pagination, drafts, static
//! files and Markdown on a real page (issue 2, points 4, 5, 6 and 9).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::html::{article_links, hrefs, main_of, rel_link};
use common::{TestSite, read_tree, repo_root};

// ------------------------------------------------------------ helpers

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A site with a bit of everything: several institutions and countries,
/// articles on the same day, a bundle with an image, Chinese text, a page, a
/// country profile and a static file.
fn varied_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/institutions/palace-museum.md",
        "---\nname: Palace Museum\ncountry: China\nnames:\n  zh: 故宫博物院\ncity: Beijing\n---\nThe museum in the Forbidden City.\n",
    );
    site.write("content/countries/france.md", "---\nname: France\nnames:\n  fr: France\n---\nA country in Europe.\n");
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout this site.\n");
    site.write("content/files/report.txt", "A report.\n");
    for i in 1..=7 {
        let day = if i % 3 == 0 { 12 } else { i };
        let institutions: &[&str] = match i % 3 {
            0 => &["Dunhuang Academy", "Musée Guimet"],
            1 => &["Palace Museum"],
            _ => &["Guimet National Museum of Asian Arts", "palace-museum"],
        };
        site.simple_article(
            &format!("news-{i}"),
            &format!("News number {i}"),
            &format!("2024-0{i}-{day:02}"),
            institutions,
        );
    }
    site.simple_article("same-day-b", "Same day B", "2023-05-05", &["Dunhuang Academy"]);
    site.simple_article("same-day-a", "Same day A", "2023-05-05", &["Dunhuang Academy"]);
    site.write(
        "content/articles/cave-249/index.md",
        "---\ntitle: 莫高窟第249窟\ndate: 2022-09-01T10:00:00+08:00\ninstitutions: [Dunhuang Academy]\nimage: { src: cave.jpg, alt: The ceiling of cave 249 }\n---\n## 窟顶\n\n莫高窟第249窟的窟顶绘有精美的壁画。\n",
    );
    site.write("content/articles/cave-249/cave.jpg", small_jpeg());
    site
}

// ------------------------------------------------------------ determinism

#[track_caller]
fn assert_builds_are_identical(site: &TestSite) {
    let out_dir = tempfile::tempdir().unwrap();
    let (one, two) = (out_dir.path().join("one"), out_dir.path().join("two"));
    // Different thread counts shake out any order that depends on scheduling.
    for (dir, threads) in [(&one, "1"), (&two, "8")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
            .args(["build", "--output", dir.to_str().unwrap()])
            .current_dir(site.root())
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let (one, two) = (read_tree(&one), read_tree(&two));
    assert!(one.len() > 10, "a real site was built: {:?}", one.keys());
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>(), "the same files");
    for (path, bytes) in &one {
        assert!(bytes == &two[path], "`{path}` differs between two builds");
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let site = varied_site();
    // The same-day articles would fail the test below if the build did not
    // refuse this duplicate, so check the fixture is valid first.
    site.build_ok();
    assert_builds_are_identical(&site);
}

#[test]
fn two_builds_of_the_microsite_are_byte_identical() {
    assert_builds_are_identical(&TestSite::microsite());
}

/// A tree written by `build`, less the marker file that says it is stele's own.
fn without_marker(mut tree: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    assert!(tree.remove(stele::output::MARKER).is_some(), "build marks its output folder");
    tree
}

#[test]
fn a_folder_stele_did_not_write_is_never_replaced() {
    let site = TestSite::new();
    site.write("notes/thesis.txt", "years of work");
    let out = site.stele(&["build", "--output", "notes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("stele did not write it"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(site.path("notes/thesis.txt")).unwrap(), "years of work");
    // Its own output folder is replaced build after build.
    for _ in 0..2 {
        let out = site.stele(&["build"]);
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
}

#[test]
fn disk_output_is_the_memory_output() {
    let site = varied_site();
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let on_disk = without_marker(read_tree(&site.path("public")));
    let in_memory: BTreeMap<String, Vec<u8>> = site.build_published().0;
    assert_eq!(on_disk.keys().collect::<Vec<_>>(), in_memory.keys().collect::<Vec<_>>());
    assert!(on_disk == in_memory, "the same bytes");
}

// ------------------------------------------------------------ atomic output

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-10", &["Dunhuang Academy"]);
    site.simple_article("second", "Second", "2024-02-10", &["Musée Guimet"]);
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let before = read_tree(&site.path("public"));
    assert!(before.contains_key("articles/first/index.html"));
    let clean = names_in(site.root());
    assert_eq!(clean, ["content", "public", "site.toml", "themes"]);

    // A problem in the content: nothing is rendered.
    site.article("second", "title: Second\ndate: 2024-02-30\ninstitutions: [Musée Guimet]", "B.");
    let out = site.stele(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(read_tree(&site.path("public")) == before, "the old output is byte-identical");
    assert_eq!(names_in(site.root()), clean, "no staging folder is left beside the output");

    // A problem found while rendering, after pages were written to the staging folder.
    site.simple_article("second", "Second", "2024-02-10", &["Musée Guimet"]);
    site.write("templates/page.html", "{{ page.title | no_such_filter }}\n");
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout.\n");
    let out = site.stele(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(read_tree(&site.path("public")) == before, "the old output is byte-identical");
    let with_templates = ["content", "public", "site.toml", "templates", "themes"];
    assert_eq!(names_in(site.root()), with_templates, "no staging folder is left beside the output");

    // Fixed, and one article removed: no stale page survives.
    std::fs::remove_dir_all(site.path("templates")).unwrap();
    site.remove("content/articles/first.md");
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let after = read_tree(&site.path("public"));
    assert!(!after.contains_key("articles/first/index.html"), "the removed article's page is gone");
    assert!(after.contains_key("articles/second/index.html"));
    assert!(after.contains_key("about/index.html"));
    assert!(without_marker(after) == site.build_published().0, "exactly the files of the new build");
    assert_eq!(names_in(site.root()), clean);
}

#[test]
fn build_writes_to_an_output_folder_elsewhere() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-10", &["Dunhuang Academy"]);
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("deep/er/site");
    let out = site.stele(&["build", "--output", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(target.join("articles/first/index.html").is_file());
    assert!(!site.path("public").exists());
    assert_eq!(names_in(&elsewhere.path().join("deep/er")), ["site"]);
}

// ------------------------------------------------------------ refused output folders

#[test]
fn dangerous_output_folders_are_refused() {
    // The site lives one level down so that its parent is inside the temp dir too.
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    common::copy_tree(&repo_root().join("themes/heritage"), &root.join("themes/heritage"));
    std::fs::write(root.join("site.toml"), common::SITE_TOML).unwrap();
    std::fs::create_dir_all(root.join("content/articles")).unwrap();
    std::fs::write(
        root.join("content/articles/a.md"),
        "---\ntitle: A\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]\n---\nA.\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content/institutions")).unwrap();
    std::fs::write(
        root.join("content/institutions/dunhuang-academy.md"),
        "---\nname: Dunhuang Academy\ncountry: China\n---\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("templates/.keep"), "").unwrap();
    std::os::unix::fs::symlink(&root, outer.path().join("link-to-site")).unwrap();
    std::fs::write(outer.path().join("notes.txt"), "not a site").unwrap();
    let before = read_tree(outer.path());

    let link = outer.path().join("link-to-site");
    let dangerous = [
        ".".to_string(),
        root.to_str().unwrap().to_string(),
        "content".into(),
        "content/articles".into(),
        "themes".into(),
        "themes/heritage".into(),
        "templates".into(),
        "..".into(),
        "/".into(),
        "public/..".into(),
        "not-yet/../content".into(),
        link.to_str().unwrap().to_string(),
        // An existing file would be moved aside and replaced by a folder.
        "site.toml".into(),
        outer.path().join("notes.txt").to_str().unwrap().to_string(),
    ];
    for output in dangerous {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
            .args(["build", "--output", &output])
            .current_dir(&root)
            .output()
            .unwrap();
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "`--output {output}` must be refused: {stderr}");
        assert!(stderr.contains("refusing"), "`--output {output}`: {stderr}");
        assert!(read_tree(outer.path()) == before, "`--output {output}` changed files");
        assert_eq!(names_in(outer.path()), ["link-to-site", "notes.txt", "site"], "`--output {output}` left something");
        assert_eq!(names_in(&root), ["content", "site.toml", "templates", "themes"], "`--output {output}`");
    }

    // --root works the same from elsewhere.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
        .args(["build", "--root", root.to_str().unwrap(), "--output", root.join("content").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(read_tree(outer.path()) == before);
}

// ------------------------------------------------------------ theme

#[test]
fn site_templates_override_the_theme_one_by_one() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-10", &["Dunhuang Academy"]);
    let plain = site.build_ok();

    site.write(
        "templates/article.html",
        "{% extends \"base.html\" %}\n{% block content %}<p>Site-level article: {{ article.title }}</p>{% endblock content %}\n",
    );
    let overridden = site.build_ok();
    let article = overridden.text("articles/first/index.html");
    assert!(article.contains("<p>Site-level article: First</p>"), "{article}");
    assert!(article.contains("<title>"), "the theme's base.html still wraps it: {article}");
    for path in plain.paths() {
        if path != "articles/first/index.html" {
            assert!(plain.0[path] == overridden.0[path], "`{path}` should still come from the theme");
        }
    }
}

#[test]
fn template_syntax_error_names_the_template_file_and_line() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-10", &["Dunhuang Academy"]);
    site.write(
        "templates/article.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{% if %}</p>\n{% endblock content %}\n",
    );
    let errors = site.build_err();
    assert!(errors.starts_with("error: templates/article.html:3:"), "{errors}");

    // In the theme itself, too.
    let site = TestSite::new();
    let page = site.path("themes/heritage/templates/page.html");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\n{{{{ page.title \n")).unwrap();
    let line = text.lines().count() + 2;
    let errors = site.build_err();
    let expected = format!("error: themes/heritage/templates/page.html:{line}:");
    assert!(errors.starts_with(&expected), "expected `{expected}`, got {errors}");
    let out = site.stele(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
}

#[test]
fn template_rendering_error_names_the_template_file() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-10", &["Dunhuang Academy"]);
    site.write("templates/article.html", "<h1>{{ article.title }}</h1>\n<p>{{ article.no_such_field }}</p>\n");
    let errors = site.build_err();
    assert!(errors.starts_with("error: templates/article.html:2:"), "{errors}");

    // In a partial included by every listing: named once, at the partial.
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-10", &["Dunhuang Academy"]);
    site.write("templates/partials/paginator.html", "line one\n{{ paginator.no_such_field.x }}\n");
    let errors = site.build_err();
    assert_eq!(errors.lines().count(), 1, "{errors}");
    assert!(errors.starts_with("error: templates/partials/paginator.html:2:"), "{errors}");
}

// ------------------------------------------------------------ pagination

/// A site with `n` articles, `a1` the oldest.
fn site_with_articles(n: usize) -> TestSite {
    let site = TestSite::new();
    for i in 1..=n {
        site.simple_article(
            &format!("a{i}"),
            &format!("Article {i}"),
            &format!("2024-03-{i:02}"),
            &["Dunhuang Academy"],
        );
    }
    site
}

#[test]
fn pagination_with_no_articles() {
    let files = site_with_articles(0).build_ok();
    let page = files.text("articles/index.html");
    assert_eq!(article_links(&page), Vec::<String>::new());
    assert!(!files.has("articles/page/2/index.html"));
    assert!(!hrefs(&page).contains(&"/articles/page/2/"), "no link to a second page");
    assert_eq!(rel_link(&page, "next"), None);
    assert_eq!(rel_link(&page, "prev"), None);
}

#[test]
fn pagination_with_one_article() {
    let files = site_with_articles(1).build_ok();
    let page = files.text("articles/index.html");
    assert_eq!(article_links(&page), ["a1"]);
    assert!(!files.has("articles/page/2/index.html"));
    assert_eq!(rel_link(&page, "next"), None);
}

#[test]
fn pagination_with_exactly_one_full_page() {
    let files = site_with_articles(2).build_ok();
    let page = files.text("articles/index.html");
    assert_eq!(article_links(&page), ["a2", "a1"]);
    assert!(!files.has("articles/page/2/index.html"));
    assert_eq!(rel_link(&page, "next"), None, "no next link on the only page");
    assert_eq!(rel_link(&page, "prev"), None);
    assert!(!hrefs(&page).contains(&"/articles/page/2/"));
}

#[test]
fn pagination_with_one_more_than_a_page() {
    let files = site_with_articles(3).build_ok();
    let first = files.text("articles/index.html");
    let second = files.text("articles/page/2/index.html");
    assert!(!files.has("articles/page/3/index.html"));
    assert!(!files.has("articles/page/1/index.html"), "page 1 is /articles/ itself");
    assert_eq!(article_links(&first), ["a3", "a2"]);
    assert_eq!(article_links(&second), ["a1"]);
    assert_eq!(rel_link(&first, "next").as_deref(), Some("/articles/page/2/"));
    assert_eq!(rel_link(&first, "prev"), None);
    assert_eq!(rel_link(&second, "prev").as_deref(), Some("/articles/"));
    assert_eq!(rel_link(&second, "next"), None);
    let sitemap = files.text("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/articles/page/2/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("articles/page/3/"), "{sitemap}");
}

#[test]
fn pagination_honours_a_base_url_with_a_sub_path() {
    let site = site_with_articles(3);
    let mut options = site.options();
    options.base_url = Some("https://example.org/heritage".into());
    let files = common::Files(stele::build::build_in_memory(&options).unwrap());
    let first = files.text("articles/index.html");
    assert_eq!(rel_link(&first, "next").as_deref(), Some("/heritage/articles/page/2/"));
    assert!(hrefs(main_of(&first)).contains(&"/heritage/articles/a3/"), "{first}");
}

// ------------------------------------------------------------ drafts

#[test]
fn drafts_are_built_only_with_the_drafts_flag() {
    let site = TestSite::new();
    site.simple_article("published", "Published", "2024-01-10", &["Dunhuang Academy"]);
    site.article(
        "unfinished",
        "title: Unfinished\ndate: 2024-02-10\ninstitutions: [Dunhuang Academy]\ndraft: true",
        "B.",
    );
    site.write("content/pages/soon.md", "---\ntitle: Coming soon\ndraft: true\n---\nSoon.\n");
    site.write(
        "content/articles/draft-bundle/index.md",
        "---\ntitle: Draft bundle\ndate: 2024-03-10\ninstitutions: [Dunhuang Academy]\ndraft: true\n---\nB.\n",
    );
    site.write("content/articles/draft-bundle/photo.jpg", "jpeg");

    let files = site.build_ok();
    assert!(files.has("articles/published/index.html"));
    assert!(!files.has("articles/unfinished/index.html"));
    assert!(!files.has("soon/index.html"));
    assert!(!files.has("articles/draft-bundle/photo.jpg"), "a draft bundle's files stay out too");
    assert_eq!(article_links(&files.text("articles/index.html")), ["published"]);
    assert_eq!(article_links(&files.text("institutions/dunhuang-academy/index.html")), ["published"]);
    for path in files.paths() {
        if path.ends_with(".html") || path.ends_with(".xml") {
            let text = files.text(path);
            assert!(!text.contains("unfinished") && !text.contains("Coming soon"), "`{path}` mentions a draft");
        }
    }

    let mut options = site.options();
    options.drafts = true;
    let files = common::Files(stele::build::build_in_memory(&options).unwrap());
    assert!(files.has("articles/unfinished/index.html"));
    assert!(files.has("soon/index.html"));
    assert!(files.has("articles/draft-bundle/photo.jpg"));
    assert_eq!(article_links(&files.text("articles/index.html")), ["draft-bundle", "unfinished"]);

    let out = site.stele(&["build", "--drafts"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(site.path("public/articles/unfinished/index.html").is_file());
}

// ------------------------------------------------------------ static files

#[test]
fn static_files_of_the_theme_and_of_content_are_copied() {
    let site = varied_site();
    // A bundle whose slug differs from its folder: its files follow the page.
    site.write(
        "content/articles/folder-name/index.md",
        "---\ntitle: Renamed\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]\nslug: renamed\n---\n![A mural](mural.png)\n",
    );
    site.write("content/articles/folder-name/mural.png", small_png());
    // A bundle inside a bundle: its files follow the inner page.
    site.write(
        "content/articles/folder-name/inner/index.md",
        "---\ntitle: Inner\ndate: 2024-01-02\ninstitutions: [Dunhuang Academy]\n---\nInner.\n",
    );
    site.write("content/articles/folder-name/inner/detail.png", "detail");
    // Hidden files and editor backups are never published.
    site.write("content/articles/news-1.md~", "---\ntitle: backup\n---\n");
    site.write("content/articles/#news-2.md#", "---\ntitle: autosave\n---\n");
    site.write("content/files/.secret", "hidden");
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let public = read_tree(&site.path("public"));

    let theme_static = read_tree(&site.path("themes/heritage/static"));
    assert!(!theme_static.is_empty());
    for (path, bytes) in &theme_static {
        // Published under a content-hashed name (`style.0a1b2c3d.css`), byte for byte.
        let (stem, ext) = path.rsplit_once('.').expect("an extension");
        let published: Vec<&Vec<u8>> = public
            .iter()
            .filter(|(p, _)| {
                p.strip_prefix(&format!("{stem}."))
                    .and_then(|rest| rest.strip_suffix(&format!(".{ext}")))
                    .is_some_and(|hash| hash.len() == 8)
            })
            .map(|(_, b)| b)
            .collect();
        assert!(published == [bytes], "theme file `{path}` copied as it is, under a hashed name");
    }
    assert_eq!(public["articles/cave-249/cave.jpg"], small_jpeg(), "the original is copied beside its sizes");
    assert_eq!(public["files/report.txt"], b"A report.\n");
    assert_eq!(public["articles/renamed/mural.png"], small_png());
    assert!(public.contains_key("articles/renamed/mural.24.webp"), "its sizes follow the article too");
    assert!(!public.contains_key("articles/folder-name/mural.png"));
    assert_eq!(public["articles/inner/detail.png"], b"detail");
    assert!(!public.keys().any(|p| p.contains("folder-name")), "{:?}", public.keys());
    assert!(!public.keys().any(|p| p.ends_with('~') || p.ends_with('#') || p.contains(".secret")));
    assert!(!public.keys().any(|p| p.ends_with(".md")), "no Markdown source is copied");

    let cave = String::from_utf8(public["articles/cave-249/index.html"].clone()).unwrap();
    assert!(cave.contains("src=\"/articles/cave-249/cave.32.jpg\""), "the lead image next to the page: {cave}");
    assert!(cave.contains("alt=\"The ceiling of cave 249\""), "{cave}");
    let renamed = String::from_utf8(public["articles/renamed/index.html"].clone()).unwrap();
    assert!(renamed.contains("src=\"/articles/renamed/mural.24.png\""), "{renamed}");
}

// ------------------------------------------------------------ Markdown on a page

#[test]
fn markdown_features_on_an_article_page() {
    let site = TestSite::new();
    let chinese = "莫高窟位于敦煌市东南二十五公里处，开凿在鸣沙山东麓断崖上。".repeat(40);
    let body = format!(
        "Intro with a note.[^source]\n\n## Conservation plan\n\n| Cave | Century |\n|------|---------|\n| 249  | 6th     |\n\n## 敦煌研究院\n\n{chinese}\n\n## Conservation plan\n\n~~old~~ and \"quoted\".\n\n[^source]: Dunhuang Academy annual report.\n"
    );
    site.article("features", "title: Features\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]", &body);
    let files = site.build_ok();
    let page = files.text("articles/features/index.html");
    assert!(page.contains("<table>") && page.contains("<td>249</td>"), "a table: {page}");
    assert!(page.contains("Dunhuang Academy annual report."), "the footnote's text");
    assert!(page.contains("href=\"#source\""), "a link to the footnote: {page}");
    assert!(page.contains("id=\"source\""), "the footnote's anchor: {page}");
    assert!(page.contains("<h2 id=\"conservation-plan\">Conservation plan</h2>"), "{page}");
    assert!(page.contains("<h2 id=\"conservation-plan-1\">Conservation plan</h2>"), "unique ids: {page}");
    let heading = "<h2 id=\"dun-huang-yan-jiu-yuan\"><span lang=\"zh\" class=\"zh\">敦煌研究院</span></h2>";
    assert!(page.contains(heading), "a usable id for Chinese, the text marked as Chinese: {page}");
    assert!(page.contains("<del>old</del>"), "{page}");
    assert!(page.contains("“quoted”"), "smart punctuation: {page}");
    // About 1,100 Chinese characters at 400 a minute: three minutes, not one.
    assert_eq!(chinese.chars().count(), 1160);
    assert!(page.contains("3 min"), "reading time of the Chinese text: {page}");
    assert!(!page.contains("1 min"), "{page}");
}

/// The plan lists every output exactly once: its paths are the files a
/// build writes, and the summary counts them.
#[test]
fn the_plan_and_the_output_are_equal() {
    for site in [TestSite::microsite(), common_taxonomy_site()] {
        let loaded = stele::build::load(&site.options()).expect("load");
        let renderer = stele::render::Renderer::new(&loaded.site, &loaded.theme);
        let plan = renderer.plan().expect("plan");
        let planned: std::collections::BTreeSet<&str> = plan.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(planned.len(), plan.entries.len(), "no path is planned twice");
        let files = site.build_ok();
        let built: std::collections::BTreeSet<&str> = files.paths().into_iter().collect();
        assert_eq!(planned, built);
        let summary = plan.summary();
        assert_eq!(summary.pages + summary.assets + summary.search, built.len());
        // Every page but the 404 page is in the sitemap, once.
        let sitemap = files.text("sitemap.xml");
        let pages = plan.entries.iter().filter(|e| e.kind == stele::plan::Kind::Page && e.path != "404.html").count();
        assert_eq!(sitemap.matches("<loc>").count(), pages);
    }
}

fn common_taxonomy_site() -> TestSite {
    let site = TestSite::bare();
    common::copy_tree(&common::repo_root().join("tests/fixtures/taxonomy"), site.root());
    site
}

/// A small real JPEG (32 × 24), made here rather than checked in.
fn small_jpeg() -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbImage::from_pixel(32, 24, image::Rgb([160, 90, 40]));
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).expect("encode");
    out
}

/// A small real PNG (24 × 16).
fn small_png() -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbImage::from_pixel(24, 16, image::Rgb([30, 100, 70]));
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("encode");
    out
}
