//! Dates only as precise as the facts: an article dated `2024-03` or `2024`
//! is shown as `March 2024` or `2024`, sorts after the dated days of its
//! month (after every month of its year), and has a place of its own on its
//! year page; nothing gives it a day it does not have.

mod common;
use common::TestSite;
use common::html::{article_links, main_of};

/// A site with articles of every precision in 2024, and one on each side of it.
fn site_of_every_precision() -> TestSite {
    let site = TestSite::new();
    for (slug, date) in [
        ("april-second", "2024-04-02"),
        ("march-last", "2024-03-31"),
        ("march-first", "2024-03-01"),
        ("march-alone", "2024-03"),
        ("february", "2024-02-10"),
        ("new-year", "2024-01-01"),
        ("year-alone", "2024"),
        ("eve", "2023-12-31"),
    ] {
        site.simple_article(slug, &format!("Dated {slug}"), date, &["Dunhuang Academy"]);
    }
    site
}

/// The `<time>` elements of a page's `<main>`, as (datetime, text).
fn times(html: &str) -> Vec<(String, String)> {
    main_of(html)
        .split("<time datetime=\"")
        .skip(1)
        .filter_map(|rest| {
            let (datetime, rest) = rest.split_once("\">")?;
            Some((datetime.to_string(), rest.split_once("</time>")?.0.to_string()))
        })
        .collect()
}

#[test]
fn a_month_or_a_year_is_shown_as_such() {
    let files = site_of_every_precision().build_ok();
    let first_time = |slug: &str| times(&files.text(&format!("articles/{slug}/index.html"))).into_iter().next();
    let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
    assert_eq!(first_time("march-alone"), pair("2024-03", "March 2024"));
    assert_eq!(first_time("year-alone"), pair("2024", "2024"));
    assert_eq!(first_time("march-first"), pair("2024-03-01", "March 1, 2024"), "CLDR's forms for `en`");
    let page = files.text("articles/march-alone/index.html");
    assert!(page.contains("<meta property=\"article:published_time\" content=\"2024-03\">"), "{page}");
    let head = page.split("</head>").next().unwrap_or_default();
    assert!(!head.contains("2024-03-01"), "no day is made up for the month: {head}");
    // Cards in listings say the same.
    let listing = files.text("articles/page/2/index.html");
    assert!(times(&listing).contains(&("2024-03".to_string(), "March 2024".to_string())), "{listing}");
}

/// YAML reads `2024` as a number and `2024-03` as text: both, quoted or not,
/// are dates of a year and a month, and so is `updated`.
#[test]
fn years_and_months_are_read_written_plainly_or_quoted() {
    let site = TestSite::new();
    for (slug, written) in [("a", "2024"), ("b", "\"2024\""), ("c", "'2024-03'"), ("d", "2024-03")] {
        site.article(
            slug,
            &format!("title: {slug}\ndate: {written}\nupdated: {written}\ninstitutions: [Dunhuang Academy]"),
            "Text.",
        );
    }
    let files = site.build_ok();
    for (slug, iso, shown) in
        [("a", "2024", "2024"), ("b", "2024", "2024"), ("c", "2024-03", "March 2024"), ("d", "2024-03", "March 2024")]
    {
        let page = files.text(&format!("articles/{slug}/index.html"));
        // The article's own dates come first (related articles follow).
        let found: Vec<_> = times(&page).into_iter().take(2).collect();
        let expected = (iso.to_string(), shown.to_string());
        assert_eq!(found, [expected.clone(), expected], "`{slug}`: the date, then the update: {found:?}");
    }
}

#[test]
fn a_month_sorts_after_its_days_and_a_year_after_its_months() {
    let site = site_of_every_precision();
    // Equal dates keep the order of titles, as before.
    site.simple_article("march-alone-too", "Dated march-alone, too", "2024-03", &["Dunhuang Academy"]);
    let files = site.build_ok();
    let mut order = Vec::new();
    for page in ["articles/index.html", "articles/page/2/index.html", "articles/page/3/index.html"]
        .into_iter()
        .chain(["articles/page/4/index.html", "articles/page/5/index.html"])
    {
        order.extend(article_links(&files.text(page)));
    }
    assert_eq!(
        order,
        [
            "april-second",
            "march-last",
            "march-first",
            "march-alone",
            "march-alone-too",
            "february",
            "new-year",
            "year-alone",
            "eve"
        ],
    );
}

/// The groups of a year page: each heading with the articles under it.
fn groups(html: &str) -> Vec<(String, Vec<String>)> {
    main_of(html)
        .split("<section class=\"month\"")
        .skip(1)
        .map(|section| {
            let heading = section.split("class=\"month-title\">").nth(1).and_then(|h| h.split("</h2>").next());
            // The heading's text without its tags (`March <span>2024</span>`).
            let mut text = String::new();
            let mut in_tag = false;
            for c in heading.unwrap_or_default().chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            (text, article_links(section))
        })
        .collect()
}

#[test]
fn a_year_page_puts_a_month_in_its_month_and_a_year_alone_after_the_months() {
    let files = site_of_every_precision().build_ok();
    let page = files.text("years/2024/index.html");
    let group = |heading: &str, slugs: &[&str]| (heading.to_string(), slugs.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        groups(&page),
        [
            group("April 2024", &["april-second"]),
            group("March 2024", &["march-last", "march-first", "march-alone"]),
            group("February 2024", &["february"]),
            group("January 2024", &["new-year"]),
            group("Sometime in 2024", &["year-alone"]),
        ],
        "{page}"
    );
    // The months' table lists the group too, and the count says what it holds.
    assert!(page.contains("<a href=\"#year_2024\">Sometime in 2024</a>"), "{page}");
    assert!(page.contains("7 articles, in 4 months; 1 dated by the year alone."), "{page}");
    // A year with only such articles is one group, without a table of months.
    let site = TestSite::new();
    site.simple_article("only", "Only the year", "2020", &["Dunhuang Academy"]);
    let page = site.build_ok().text("years/2020/index.html");
    assert_eq!(groups(&page), [group("Sometime in 2020", &["only"])]);
    assert!(!page.contains("month-nav") && page.contains("1 article."), "{page}");
}

#[test]
fn the_lead_story_is_never_a_month_over_a_day_of_it() {
    let site = TestSite::new();
    // The month names more institutions, but the dated day is the newer news.
    site.article(
        "month",
        "title: A month\ndate: 2024-03\ninstitutions: [Dunhuang Academy, Guimet National Museum of Asian Arts]",
        "Text.",
    );
    site.simple_article("day", "A day", "2024-03-01", &["Dunhuang Academy"]);
    let home = site.build_ok().text("index.html");
    assert_eq!(article_links(&home).first().map(String::as_str), Some("day"), "{home}");
}

/// Dates and month names come from the site's language (Unicode CLDR), not
/// from tables in the theme: a French or a Chinese site gets its own forms.
#[test]
fn dates_are_written_in_the_site_language() {
    for (language, day, month, heading) in [
        ("en-GB", "1 March 2024", "March 2024", "March 2024"),
        ("fr", "1 mars 2024", "mars 2024", "mars 2024"),
        ("zh-Hans", "2024年3月1日", "2024年3月", "2024年3月"),
    ] {
        let site = site_of_every_precision();
        site.write("site.toml", format!("{}language = \"{language}\"\n", common::SITE_TOML));
        let files = site.build_ok();
        let first_time = |slug: &str| times(&files.text(&format!("articles/{slug}/index.html"))).into_iter().next();
        assert_eq!(first_time("march-first").map(|t| t.1), Some(day.to_string()), "{language}");
        assert_eq!(first_time("march-alone").map(|t| t.1), Some(month.to_string()), "{language}");
        let year = files.text("years/2024/index.html");
        let headings: Vec<String> = groups(&year).into_iter().map(|(h, _)| h).collect();
        assert!(headings.contains(&heading.to_string()), "{language}: {headings:?}");
    }
}
