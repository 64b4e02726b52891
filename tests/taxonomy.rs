//! The index pages per institution, country and year (issue 3).
//!
//! `tests/fixtures/taxonomy/` is a site whose every index page has known
//! members; each page is asserted: which articles, in which order, on which
//! page of the pagination (`paginate = 2`). Then the ways resolution and
//! URLs can go wrong: unknown and repeated institutions, aliases, unknown
//! countries, every kind of URL collision, and years in the site's time zone.

mod common;

use common::html::{article_links, article_slug, hrefs_at as hrefs, main_of, rel_link};
use common::{Files, TestSite, copy_tree, repo_root};

// ------------------------------------------------------------ helpers

/// The fixture site with the repository's heritage theme.
fn fixture() -> TestSite {
    let site = TestSite { dir: tempfile::tempdir().expect("temp dir") };
    copy_tree(&repo_root().join("tests/fixtures/taxonomy"), site.root());
    copy_tree(&repo_root().join("themes/heritage"), &site.path("themes/heritage"));
    site
}

/// Asserts the members of every page of a paginated listing at `base`
/// (`institutions/dunhuang-academy/`), and that there is no page after them.
#[track_caller]
fn assert_pages(files: &Files, base: &str, pages: &[&[&str]]) {
    for (i, expected) in pages.iter().enumerate() {
        let n = i + 1;
        let path = if n == 1 { format!("{base}index.html") } else { format!("{base}page/{n}/index.html") };
        let html = files.text(&path);
        assert_eq!(article_links(&html), *expected, "the articles of `{path}`");
        let next = (n < pages.len()).then(|| format!("/{base}page/{}/", n + 1));
        assert_eq!(rel_link(&html, "next"), next, "the next link of `{path}`");
        let prev = match n {
            1 => None,
            2 => Some(format!("/{base}")),
            _ => Some(format!("/{base}page/{}/", n - 1)),
        };
        assert_eq!(rel_link(&html, "prev"), prev, "the previous link of `{path}`");
    }
    let after = format!("{base}page/{}/index.html", pages.len() + 1);
    assert!(!files.has(&after), "no `{after}`");
    assert!(!files.has(&format!("{base}page/1/index.html")), "page 1 is `{base}` itself");
}

/// The link targets in a page's main part that match `keep`, in order of first appearance.
fn links_matching(html: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, href) in hrefs(main_of(html)) {
        if keep(href) && !found.iter().any(|f| f == href) {
            found.push(href.to_string());
        }
    }
    found
}

/// The part of `html` from the link to `href` up to the next link matching `next`.
fn segment_after<'h>(html: &'h str, href: &str, next: impl Fn(&str) -> bool) -> &'h str {
    let links = hrefs(html);
    let start = links.iter().position(|(_, h)| *h == href).unwrap_or_else(|| panic!("no link to `{href}`"));
    let from = links[start].0;
    let to = links[start + 1..].iter().find(|(_, h)| *h != href && next(h)).map_or(html.len(), |(at, _)| *at);
    &html[from..to]
}

/// The error lines of a failed build.
fn error_lines(errors: &str) -> Vec<&str> {
    errors.lines().filter_map(|l| l.strip_prefix("error: ")).collect()
}

// ------------------------------------------------------------ the fixture's index pages

#[test]
fn article_listing_is_newest_first_then_title_then_path() {
    let files = fixture().build_ok();
    assert_pages(
        &files,
        "articles/",
        &[
            &["three-partners", "mural-workshop"],
            &["italian-visit", "wooden-remains-study"],
            &["library-cave-memorandum", "twin-a"],
            &["twin-b", "dunhuang-relics-online"],
            &["palace-pku-dunhuang"],
        ],
    );
}

#[test]
fn institution_pages_list_their_articles_paginated() {
    let files = fixture().build_ok();
    assert_pages(
        &files,
        "institutions/dunhuang-academy/",
        &[
            &["mural-workshop", "italian-visit"],
            &["library-cave-memorandum", "dunhuang-relics-online"],
            &["palace-pku-dunhuang"],
        ],
    );
    assert_pages(
        &files,
        "institutions/guimet/",
        &[&["three-partners", "library-cave-memorandum"], &["twin-a", "twin-b"]],
    );
    assert_pages(&files, "institutions/palace-museum/", &[&["three-partners", "palace-pku-dunhuang"]]);
    assert_pages(&files, "institutions/peking-university/", &[&["palace-pku-dunhuang"]]);
    assert_pages(&files, "institutions/fsp/", &[&["three-partners", "wooden-remains-study"]]);
    assert_pages(&files, "institutions/qin-museum/", &[&["wooden-remains-study"]]);
    assert_pages(&files, "institutions/tobunken/", &[&["mural-workshop"]]);
    assert_pages(&files, "institutions/northwest-normal-university/", &[&[]]);
}

#[test]
fn institution_page_shows_the_profile() {
    let files = fixture().build_ok();
    let page = files.text("institutions/dunhuang-academy/index.html");
    let main = main_of(&page);
    assert!(main.contains("Dunhuang Academy"), "{main}");
    assert!(main.contains("lang=\"zh\"") && main.contains("敦煌研究院"), "the native name: {main}");
    assert!(main.contains("Dunhuang</"), "the city: {main}");
    assert!(main.contains("The academy that cares for the Mogao Grottoes."), "the description: {main}");
    assert!(main.contains("href=\"/countries/china/\""), "its country: {main}");
    assert!(page.contains("href=\"/institutions/dunhuang-academy/rss.xml\""), "its feed");
    assert!(files.has("institutions/dunhuang-academy/rss.xml"));

    let page = files.text("institutions/fsp/index.html");
    assert!(main_of(&page).contains("href=\"https://example.org/fsp/\""), "its website: {page}");
    assert!(main_of(&page).contains("2019"), "the year it was founded: {page}");
}

#[test]
fn institution_without_articles_still_gets_its_page_and_says_so() {
    let files = fixture().build_ok();
    let page = files.text("institutions/northwest-normal-university/index.html");
    let main = main_of(&page);
    assert!(main.contains("Northwest Normal University") && main.contains("西北师范大学"), "{main}");
    assert!(main.to_lowercase().contains("no articles"), "it says it has no articles: {main}");
    assert!(files.has("institutions/northwest-normal-university/rss.xml"));
}

#[test]
fn the_draft_is_on_no_page_unless_drafts_are_built() {
    let site = fixture();
    let files = site.build_ok();
    for path in files.paths() {
        if path.ends_with(".html") || path.ends_with(".xml") {
            assert!(!files.text(path).contains("/articles/unfinished/"), "`{path}` links the draft");
        }
    }
    let mut options = site.options();
    options.drafts = true;
    let files = Files(stele::build::build_in_memory(&options).unwrap());
    assert_eq!(article_links(&files.text("institutions/northwest-normal-university/index.html")), ["unfinished"]);
    assert_eq!(article_links(&files.text("institutions/dunhuang-academy/index.html"))[0], "unfinished");
}

#[test]
fn country_pages_list_their_institutions_then_their_articles() {
    let files = fixture().build_ok();
    assert_pages(
        &files,
        "countries/china/",
        &[
            &["three-partners", "mural-workshop"],
            &["italian-visit", "wooden-remains-study"],
            &["library-cave-memorandum", "dunhuang-relics-online"],
            &["palace-pku-dunhuang"],
        ],
    );
    assert_pages(
        &files,
        "countries/france/",
        &[&["three-partners", "wooden-remains-study"], &["library-cave-memorandum", "twin-a"], &["twin-b"]],
    );
    assert_pages(&files, "countries/japan/", &[&["mural-workshop"]]);
    // A country with a profile and no institution, named by an article.
    assert_pages(&files, "countries/italy/", &[&["italian-visit"]]);

    // China's institutions, by name, before its articles; no French one.
    let china = files.text("countries/china/index.html");
    let main = main_of(&china);
    let first_article = hrefs(main).into_iter().find(|(_, h)| article_slug(h).is_some()).expect("articles").0;
    let institutions =
        links_matching(&main[..first_article], |h| h.starts_with("/institutions/") && h != "/institutions/");
    assert_eq!(
        institutions,
        [
            "/institutions/dunhuang-academy/",
            "/institutions/qin-museum/",
            "/institutions/northwest-normal-university/",
            "/institutions/palace-museum/",
            "/institutions/peking-university/",
        ],
    );

    let france = files.text("countries/france/index.html");
    assert!(main_of(&france).contains("A country in western Europe."), "the profile's description");
    let italy = files.text("countries/italy/index.html");
    assert!(main_of(&italy).contains("lang=\"it\"") && main_of(&italy).contains("Italia"), "native name: {italy}");
}

#[test]
fn countries_index_lists_every_country() {
    let files = fixture().build_ok();
    let page = files.text("countries/index.html");
    let countries = links_matching(&page, |h| h.starts_with("/countries/") && h != "/countries/");
    assert_eq!(countries, ["/countries/china/", "/countries/france/", "/countries/italy/", "/countries/japan/"]);
    let is_country = |h: &str| h.starts_with("/countries/") && h != "/countries/";
    for (href, count) in [("/countries/china/", "7"), ("/countries/france/", "5"), ("/countries/italy/", "1")] {
        let segment = segment_after(main_of(&page), href, is_country);
        assert!(segment.contains(&format!("{count} article")), "`{href}` has {count} articles: {segment}");
    }
}

#[test]
fn institutions_index_groups_by_country_with_counts_and_native_names() {
    let files = fixture().build_ok();
    let page = files.text("institutions/index.html");
    let main = main_of(&page);
    let terms = links_matching(main, |h| {
        (h.starts_with("/institutions/") && h != "/institutions/")
            || (h.starts_with("/countries/") && h != "/countries/")
    });
    assert_eq!(
        terms,
        [
            "/countries/china/",
            "/institutions/dunhuang-academy/",
            "/institutions/qin-museum/",
            "/institutions/northwest-normal-university/",
            "/institutions/palace-museum/",
            "/institutions/peking-university/",
            "/countries/france/",
            "/institutions/fsp/",
            "/institutions/guimet/",
            "/countries/japan/",
            "/institutions/tobunken/",
        ],
        "countries by name, each followed by its institutions by name; Italy has none"
    );
    let is_term = |h: &str| {
        (h.starts_with("/institutions/") && h != "/institutions/")
            || (h.starts_with("/countries/") && h != "/countries/")
    };
    for (slug, count, native) in [
        ("dunhuang-academy", "5 articles", Some(("zh", "敦煌研究院"))),
        ("qin-museum", "1 article", Some(("zh", "秦始皇帝陵博物院"))),
        ("northwest-normal-university", "0 articles", Some(("zh", "西北师范大学"))),
        ("palace-museum", "2 articles", Some(("zh", "故宫博物院"))),
        ("peking-university", "1 article", Some(("zh", "北京大学"))),
        ("fsp", "2 articles", None),
        ("guimet", "4 articles", Some(("fr", "Musée national des arts asiatiques – Guimet"))),
        ("tobunken", "1 article", Some(("ja", "東京文化財研究所"))),
    ] {
        let segment = segment_after(main, &format!("/institutions/{slug}/"), is_term);
        assert!(segment.contains(count), "`{slug}` should show `{count}`: {segment}");
        if count.starts_with("1 ") {
            assert!(!segment.contains("1 articles"), "{segment}");
        }
        if let Some((lang, name)) = native {
            assert!(segment.contains(&format!("lang=\"{lang}\"")) && segment.contains(name), "`{slug}`: {segment}");
        }
    }
}

#[test]
fn years_index_lists_every_year_with_its_count() {
    let files = fixture().build_ok();
    let page = files.text("years/index.html");
    let years = links_matching(&page, |h| h.starts_with("/years/") && h != "/years/");
    assert_eq!(years, ["/years/2024/", "/years/2023/", "/years/2020/", "/years/2019/"]);
    let is_year = |h: &str| h.starts_with("/years/") && h != "/years/";
    for (href, count) in [("/years/2024/", "5 articles"), ("/years/2023/", "2 articles"), ("/years/2019/", "1 article")]
    {
        let segment = segment_after(main_of(&page), href, is_year);
        assert!(segment.contains(count), "`{href}` should show `{count}`: {segment}");
    }
    assert!(!files.has("years/2021/index.html") && !files.has("years/2022/index.html"), "no empty years");
}

/// The articles of a year page grouped under the month whose name most
/// recently precedes each article link (a table of months at the top does
/// not count: each group's own heading comes after it).
fn months_of(html: &str) -> Vec<(String, Vec<String>)> {
    let main = main_of(html);
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (at, href) in hrefs(main) {
        let Some(slug) = article_slug(href) else { continue };
        let before = &main[..at];
        // A month name as the start of an element's text (`>May`), not inside a date (`>2 May 2024`).
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month = MONTHS
            .into_iter()
            .filter_map(|m| before.rfind(&format!(">{m}")).map(|i| (i, m)))
            .max()
            .map(|(_, m)| m.to_string())
            .unwrap_or_default();
        match groups.last_mut() {
            Some((last, slugs)) if *last == month => {
                if !slugs.iter().any(|s| s == slug) {
                    slugs.push(slug.to_string());
                }
            }
            _ => groups.push((month, vec![slug.to_string()])),
        }
    }
    groups
}

#[test]
fn year_pages_group_articles_by_month() {
    let files = fixture().build_ok();
    let group = |month: &str, slugs: &[&str]| (month.to_string(), slugs.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        months_of(&files.text("years/2024/index.html")),
        [
            group("November", &["three-partners"]),
            group("May", &["mural-workshop", "italian-visit"]),
            group("March", &["wooden-remains-study", "library-cave-memorandum"]),
        ]
    );
    assert_eq!(months_of(&files.text("years/2023/index.html")), [group("June", &["twin-a", "twin-b"])]);
    assert_eq!(months_of(&files.text("years/2020/index.html")), [group("April", &["dunhuang-relics-online"])]);
    assert_eq!(months_of(&files.text("years/2019/index.html")), [group("October", &["palace-pku-dunhuang"])]);
}

#[test]
fn article_with_three_institutions_in_two_countries_is_on_exactly_five_index_pages() {
    let files = fixture().build_ok();
    let link = "href=\"/articles/three-partners/\"";
    let mut on: Vec<&str> = files
        .paths()
        .into_iter()
        .filter(|p| p.ends_with("index.html"))
        .filter(|p| {
            let segments: Vec<&str> = p.split('/').collect();
            matches!(segments[0], "institutions" | "countries") && segments.len() > 2
        })
        .filter(|p| files.text(p).contains(link))
        .collect();
    on.sort();
    assert_eq!(
        on,
        [
            "countries/china/index.html",
            "countries/france/index.html",
            "institutions/fsp/index.html",
            "institutions/guimet/index.html",
            "institutions/palace-museum/index.html",
        ]
    );
    // And its own page links to its three institutions, two countries and year.
    let page = files.text("articles/three-partners/index.html");
    for href in [
        "/institutions/guimet/",
        "/institutions/palace-museum/",
        "/institutions/fsp/",
        "/countries/china/",
        "/countries/france/",
        "/years/2024/",
    ] {
        assert!(main_of(&page).contains(&format!("href=\"{href}\"")), "the article links to `{href}`");
    }
    // The article itself, not the cards of related articles below it.
    let article = main_of(&page).split("<section class=\"related").next().unwrap_or_default();
    for href in ["/institutions/dunhuang-academy/", "/countries/japan/", "/countries/italy/"] {
        assert!(!article.contains(&format!("href=\"{href}\"")), "the article does not link to `{href}`");
    }
}

#[test]
fn home_page_shows_the_latest_articles_and_ways_into_the_indexes() {
    let files = fixture().build_ok();
    let home = files.text("index.html");
    let latest = article_links(&home);
    assert_eq!(latest[..2], ["three-partners", "mural-workshop"], "newest first");
    let links: Vec<&str> = hrefs(main_of(&home)).into_iter().map(|(_, h)| h).collect();
    for way in ["/articles/", "/institutions/", "/countries/", "/years/"] {
        assert!(links.iter().any(|h| h.starts_with(way)), "the home page leads to `{way}`: {links:?}");
    }
}

#[test]
fn feeds_of_institutions_and_countries_hold_their_articles() {
    let files = fixture().build_ok();
    let feed = files.text("institutions/guimet/rss.xml");
    let items: Vec<&str> = feed.split("<item>").skip(1).collect();
    assert_eq!(items.len(), 4, "{feed}");
    assert!(items[0].contains("https://example.org/articles/three-partners/"), "{feed}");
    let feed = files.text("countries/japan/rss.xml");
    assert_eq!(feed.matches("<item>").count(), 1, "{feed}");
}

// ------------------------------------------------------------ resolving institutions

#[test]
fn unknown_institution_suggests_the_closest_one() {
    let site = TestSite::new();
    site.article(
        "x",
        "title: T\ndate: 2024-01-01\ninstitutions:\n  - Guimet National Museum of Asian Arts\n  - Dunhuang Acadamy",
        "B.",
    );
    let errors = site.build_err();
    assert_eq!(
        error_lines(&errors),
        ["content/articles/x.md:6:5: unknown institution `Dunhuang Acadamy`, did you mean `Dunhuang Academy`?"]
    );

    // In a flow list, after an item that contains the same text.
    site.article("x", "title: T\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy, Dunhuang Acad]", "B.");
    let errors = site.build_err();
    assert_eq!(
        error_lines(&errors),
        ["content/articles/x.md:4:34: unknown institution `Dunhuang Acad`, did you mean `Dunhuang Academy`?"]
    );

    // Nothing close: say what is expected.
    site.article("x", "title: T\ndate: 2024-01-01\ninstitutions: [Louvre]", "B.");
    let errors = site.build_err();
    assert!(
        errors.starts_with("error: content/articles/x.md:4:16: unknown institution `Louvre`, expected"),
        "{errors}"
    );
}

#[test]
fn a_native_name_is_not_a_name_but_is_suggested() {
    let site = TestSite::new();
    site.article("x", "title: T\ndate: 2024-01-01\ninstitutions: [敦煌研究院]", "B.");
    let errors = site.build_err();
    assert!(
        errors.starts_with(
            "error: content/articles/x.md:4:16: unknown institution `敦煌研究院`, did you mean `Dunhuang Academy`?"
        ),
        "{errors}"
    );
    assert!(errors.contains("aliases"), "{errors}");
}

#[test]
fn aliases_and_slugs_match_without_regard_to_case_accents_or_spaces() {
    let site = TestSite::new();
    for (slug, name) in [
        ("by-alias", "Musée Guimet"),
        ("by-plain-alias", "musee   GUIMET"),
        ("by-name-in-capitals", "GUIMET NATIONAL MUSEUM OF ASIAN ARTS"),
        ("by-slug", "guimet"),
        ("by-spaced-name", "  Guimet   National Museum of Asian Arts "),
    ] {
        site.simple_article(slug, slug, "2024-01-01", &[name]);
    }
    let files = site.build_ok();
    let mut listed = article_links(&files.text("institutions/guimet/index.html"));
    listed.extend(article_links(&files.text("institutions/guimet/page/2/index.html")));
    listed.extend(article_links(&files.text("institutions/guimet/page/3/index.html")));
    listed.sort();
    assert_eq!(listed, ["by-alias", "by-name-in-capitals", "by-plain-alias", "by-slug", "by-spaced-name"]);
    // Every article shows the institution by its name, however it was written.
    let page = files.text("articles/by-plain-alias/index.html");
    assert!(page.contains("Guimet National Museum of Asian Arts"), "{page}");
}

#[test]
fn naming_the_same_institution_twice_is_an_error() {
    let site = TestSite::new();
    // By its name, then by an alias: the second mention is the mistake.
    site.article(
        "x",
        "title: T\ndate: 2024-01-01\ninstitutions:\n  - Dunhuang Academy\n  - Musée Guimet\n  - Dunhuang Research Academy",
        "B.",
    );
    let errors = site.build_err();
    let lines = error_lines(&errors);
    assert_eq!(lines.len(), 1, "{errors}");
    assert!(lines[0].starts_with("content/articles/x.md:7:5: "), "{errors}");
    assert!(lines[0].contains("`Dunhuang Research Academy`") && lines[0].contains("`Dunhuang Academy`"), "{errors}");
    assert!(lines[0].contains("expected each institution once"), "{errors}");

    // Written the same way twice: still the second one.
    site.article("x", "title: T\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy, Dunhuang Academy]", "B.");
    let errors = site.build_err();
    assert!(errors.starts_with("error: content/articles/x.md:4:34: "), "{errors}");
}

// ------------------------------------------------------------ countries

#[test]
fn countries_are_derived_from_institutions_plus_those_named() {
    let site = TestSite::new();
    site.simple_article("a", "A", "2024-01-01", &["Dunhuang Academy"]);
    site.article("b", "title: B\ndate: 2024-01-02\ninstitutions: [Dunhuang Academy]\ncountries: [france, China]", "B.");
    let files = site.build_ok();
    assert_eq!(article_links(&files.text("countries/china/index.html")), ["b", "a"]);
    assert_eq!(article_links(&files.text("countries/france/index.html")), ["b"]);
    let page = files.text("articles/b/index.html");
    assert!(page.contains("href=\"/countries/france/\"") && page.contains("href=\"/countries/china/\""));
}

#[test]
fn a_country_named_by_an_article_must_exist() {
    let site = TestSite::new();
    site.article("x", "title: T\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]\ncountries: [China, Frnace]", "B.");
    let errors = site.build_err();
    assert_eq!(error_lines(&errors), ["content/articles/x.md:5:20: unknown country `Frnace`, did you mean `France`?"]);

    site.article("x", "title: T\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]\ncountries: [Italy]", "B.");
    let errors = site.build_err();
    assert!(errors.starts_with("error: content/articles/x.md:5:13: unknown country `Italy`"), "{errors}");
    assert!(errors.contains("content/countries/"), "says how to add one: {errors}");

    // A profile makes it known.
    site.write("content/countries/italy.md", "---\nname: Italy\n---\n");
    let files = site.build_ok();
    assert_eq!(article_links(&files.text("countries/italy/index.html")), ["x"]);
}

#[test]
fn an_institution_country_gets_a_page_without_a_profile() {
    let files = TestSite::new().build_ok();
    let page = files.text("countries/china/index.html");
    assert!(main_of(&page).contains("href=\"/institutions/dunhuang-academy/\""), "{page}");
    assert!(!main_of(&page).contains("href=\"/institutions/guimet/\""), "{page}");
}

// ------------------------------------------------------------ one URL, one source

/// Asserts that the build fails with an error that names every one of `files`.
#[track_caller]
fn assert_collision(site: &TestSite, files: &[&str]) -> String {
    let errors = site.build_err();
    let lines = error_lines(&errors);
    assert!(
        lines
            .iter()
            .any(|line| files.iter().all(|f| line.contains(&format!("`{f}`")) || line.starts_with(&format!("{f}:")))),
        "expected one error naming {files:?}, got:\n{errors}"
    );
    errors
}

#[test]
fn two_articles_with_the_same_slug() {
    let site = TestSite::new();
    site.simple_article("first", "First", "2024-01-01", &["Dunhuang Academy"]);
    site.article("second", "title: Second\ndate: 2024-01-02\ninstitutions: [Dunhuang Academy]\nslug: first", "B.");
    let errors = assert_collision(&site, &["content/articles/first.md", "content/articles/second.md"]);
    assert!(errors.contains("/articles/first/"), "names the URL: {errors}");

    // Two files whose names give one slug, in different folders.
    let site = TestSite::new();
    site.simple_article("news", "One", "2024-01-01", &["Dunhuang Academy"]);
    site.write(
        "content/articles/2024/news.md",
        "---\ntitle: Two\ndate: 2024-01-02\ninstitutions: [Dunhuang Academy]\n---\n",
    );
    assert_collision(&site, &["content/articles/2024/news.md", "content/articles/news.md"]);

    // A bundle and a file of the same name.
    let site = TestSite::new();
    site.simple_article("cave", "One", "2024-01-01", &["Dunhuang Academy"]);
    site.write(
        "content/articles/cave/index.md",
        "---\ntitle: Two\ndate: 2024-01-02\ninstitutions: [Dunhuang Academy]\n---\n",
    );
    assert_collision(&site, &["content/articles/cave.md", "content/articles/cave/index.md"]);
}

#[test]
fn two_institutions_claiming_one_name() {
    let site = TestSite::new();
    site.write(
        "content/institutions/guimet-2.md",
        "---\nname: Guimet Museum Library\ncountry: France\naliases:\n  - Library of the Guimet\n  - Musée Guimet\n---\n",
    );
    let errors = site.build_err();
    let lines = error_lines(&errors);
    assert_eq!(lines.len(), 1, "{errors}");
    // Reported where one of the two claims is written, naming the other profile.
    let at_new = lines[0].starts_with("content/institutions/guimet-2.md:6:5: ")
        && lines[0].contains("`content/institutions/guimet.md`");
    let at_old = lines[0].starts_with("content/institutions/guimet.md:6:11: ")
        && lines[0].contains("`content/institutions/guimet-2.md`");
    assert!(at_new || at_old, "{errors}");
    assert!(lines[0].contains("`Musée Guimet`"), "{errors}");

    // An alias that is another institution's name.
    let site = TestSite::new();
    site.write(
        "content/institutions/other.md",
        "---\nname: Other\ncountry: France\naliases: [Dunhuang Academy]\n---\n",
    );
    assert_collision(&site, &["content/institutions/other.md", "content/institutions/dunhuang-academy.md"]);

    // Two file names that give one slug.
    let site = TestSite::new();
    site.write("content/institutions/Guimet.md", "---\nname: Another Guimet\ncountry: France\n---\n");
    assert_collision(&site, &["content/institutions/Guimet.md", "content/institutions/guimet.md"]);
}

#[test]
fn two_country_profiles_for_one_country() {
    let site = TestSite::new();
    site.write("content/countries/france.md", "---\nname: France\n---\n");
    site.write("content/countries/republique-francaise.md", "---\nname: FRANCE\n---\n");
    assert_collision(&site, &["content/countries/france.md", "content/countries/republique-francaise.md"]);
}

#[test]
fn a_country_profile_named_differently_from_its_institutions() {
    // The profile's file gives the slug `china`, so does the institutions' `China`.
    let site = TestSite::new();
    site.write("content/countries/china.md", "---\nname: People's Republic of China\n---\n");
    let errors = assert_collision(&site, &["content/countries/china.md", "content/institutions/dunhuang-academy.md"]);
    assert!(errors.contains("/countries/china/"), "{errors}");

    // Two institutions writing two names with one slug.
    let site = TestSite::new();
    site.write("content/institutions/a.md", "---\nname: A\ncountry: Korea, South\n---\n");
    site.write("content/institutions/b.md", "---\nname: B\ncountry: Korea South\n---\n");
    assert_collision(&site, &["content/institutions/a.md", "content/institutions/b.md"]);
}

#[test]
fn two_pages_with_one_slug() {
    let site = TestSite::new();
    site.write("content/pages/about.md", "---\ntitle: About\n---\n");
    site.write("content/pages/about-us.md", "---\ntitle: About us\nslug: about\n---\n");
    assert_collision(&site, &["content/pages/about.md", "content/pages/about-us.md"]);
}

#[test]
fn a_page_colliding_with_a_generated_page() {
    for slug in ["articles", "institutions", "countries", "years"] {
        let site = TestSite::new();
        site.write(&format!("content/pages/{slug}.md"), "---\ntitle: Mine\n---\n");
        let errors = assert_collision(&site, &[&format!("content/pages/{slug}.md")]);
        assert!(errors.contains("generated"), "says what it collides with: {errors}");
        assert!(errors.contains(&format!("/{slug}/index.html")), "{errors}");
    }
}

#[test]
fn an_asset_colliding_with_a_page() {
    let site = TestSite::new();
    site.write("content/pages/about.md", "---\ntitle: About\n---\n");
    site.write("content/about/index.html", "<p>hand-written</p>");
    assert_collision(&site, &["content/pages/about.md", "content/about/index.html"]);

    let site = TestSite::new();
    site.simple_article("cave", "Cave", "2024-01-01", &["Dunhuang Academy"]);
    site.write("content/articles/cave/index.html", "<p>hand-written</p>");
    assert_collision(&site, &["content/articles/cave.md", "content/articles/cave/index.html"]);

    // An asset and a theme file.
    let site = TestSite::new();
    site.write("content/style.css", "body {}");
    assert_collision(&site, &["content/style.css", "themes/heritage/static/style.css"]);

    // An asset and the feed.
    let site = TestSite::new();
    site.write("content/rss.xml", "<rss/>");
    let errors = assert_collision(&site, &["content/rss.xml"]);
    assert!(errors.contains("feed"), "{errors}");
}

// ------------------------------------------------------------ years in the site's time zone

/// A site in `time_zone` with one article dated `date`.
fn dated(time_zone: &str, date: &str) -> Files {
    let site = TestSite::new();
    site.write("site.toml", format!("{}time_zone = \"{time_zone}\"\n", common::SITE_TOML));
    site.simple_article("dated", "Dated", date, &["Dunhuang Academy"]);
    site.build_ok()
}

#[track_caller]
fn assert_in_year(files: &Files, year: &str, month: &str) {
    let years: Vec<&str> =
        files.paths().into_iter().filter(|p| p.starts_with("years/") && *p != "years/index.html").collect();
    assert_eq!(years, [format!("years/{year}/index.html")], "one year page");
    let page = files.text(&format!("years/{year}/index.html"));
    assert_eq!(months_of(&page), [(month.to_string(), vec!["dated".to_string()])]);
    let article = files.text("articles/dated/index.html");
    assert!(main_of(&article).contains(&format!("href=\"/years/{year}/\"")), "the article links its year");
}

#[test]
fn a_moment_is_seen_in_the_site_time_zone() {
    // 2024-12-31 16:30 in Paris.
    let files = dated("Europe/Paris", "2024-12-31T23:30:00+08:00");
    assert_in_year(&files, "2024", "December");
    assert!(files.text("articles/dated/index.html").contains("December 31, 2024"));

    // 2024-12-31 17:00 in New York.
    let files = dated("America/New_York", "2025-01-01T06:00:00+08:00");
    assert_in_year(&files, "2024", "December");
    assert!(files.text("articles/dated/index.html").contains("December 31, 2024"));

    // 2025-01-01 07:30 in Shanghai: a moment can move forward into the next year too.
    let files = dated("Asia/Shanghai", "2024-12-31T23:30:00Z");
    assert_in_year(&files, "2025", "January");
}

#[test]
fn a_plain_date_is_never_shifted() {
    let files = dated("Pacific/Kiritimati", "2024-12-31");
    assert_in_year(&files, "2024", "December");
    assert!(files.text("articles/dated/index.html").contains("December 31, 2024"));
    let files = dated("Pacific/Pago_Pago", "2025-01-01");
    assert_in_year(&files, "2025", "January");
    assert!(files.text("articles/dated/index.html").contains("January 1, 2025"));
}

#[test]
fn a_date_time_without_offset_is_wall_clock_time_in_the_site_zone() {
    let files = dated("Asia/Shanghai", "2024-12-31T23:30:00");
    assert_in_year(&files, "2024", "December");
}

#[test]
fn order_uses_the_moment_not_the_written_text() {
    // 09:00 in Shanghai is earlier than 08:00 in Paris on the same day.
    let site = TestSite::new();
    site.simple_article("shanghai", "Z Shanghai", "2024-03-12T09:00:00+08:00", &["Dunhuang Academy"]);
    site.simple_article("paris", "A Paris", "2024-03-12T08:00:00+01:00", &["Dunhuang Academy"]);
    site.simple_article("plain", "M Plain", "2024-03-12", &["Dunhuang Academy"]);
    let files = site.build_ok();
    assert_eq!(article_links(&files.text("institutions/dunhuang-academy/index.html")), ["paris", "shanghai"]);
    assert_eq!(article_links(&files.text("institutions/dunhuang-academy/page/2/index.html")), ["plain"]);
}
