//! Topics have pages of their own (`/topics/`, `/topics/<slug>/`, paginated,
//! with a feed, in the sitemap), the chips on an article link to them, and
//! each article ends with up to three related articles.

mod common;
use common::TestSite;

fn site() -> TestSite {
    let site = TestSite::new();
    // Two per page (common::SITE_TOML): three murals articles make two pages.
    site.article(
        "a",
        "title: A\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]\ntopics: [Murals, digitisation]",
        "A.",
    );
    site.article("b", "title: B\ndate: 2024-02-01\ninstitutions: [Dunhuang Academy]\ntopics: [murals]", "B.");
    site.article(
        "c",
        "title: C\ndate: 2024-03-01\ninstitutions: [Guimet National Museum of Asian Arts]\ntopics: [Murals]",
        "C.",
    );
    site.article("d", "title: D\ndate: 2024-04-01\ninstitutions: [Guimet National Museum of Asian Arts]", "D.");
    site
}

#[test]
fn topics_get_pages_a_feed_and_sitemap_entries() {
    let files = site().build_ok();
    let index = files.text("topics/index.html");
    assert!(index.contains("href=\"/topics/murals/\""), "{index}");
    assert!(index.contains("href=\"/topics/digitisation/\""));
    // `Murals` and `murals` are one topic, named as its newest article writes it.
    let murals = files.text("topics/murals/index.html");
    assert!(murals.contains("<h1>Murals"), "{murals}");
    assert!(murals.contains("href=\"/articles/c/\"") && murals.contains("href=\"/articles/b/\""));
    assert!(files.text("topics/murals/page/2/index.html").contains("href=\"/articles/a/\""));
    let feed = files.text("topics/murals/rss.xml");
    assert_eq!(feed.matches("<item>").count(), 3);
    assert!(feed.contains("Articles on Murals"), "{feed}");
    let sitemap = files.text("sitemap.xml");
    for loc in ["topics/", "topics/murals/", "topics/murals/page/2/", "topics/digitisation/"] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/{loc}</loc>")), "{loc} in the sitemap");
    }
}

#[test]
fn topic_chips_link_to_their_pages() {
    let files = site().build_ok();
    let a = files.text("articles/a/index.html");
    assert!(a.contains("<a href=\"/topics/murals/\">Murals</a>"), "{a}");
    assert!(a.contains("<a href=\"/topics/digitisation/\">digitisation</a>"));
}

#[test]
fn related_articles_share_the_most_then_are_nearest_in_date() {
    let files = site().build_ok();
    let related = |slug: &str| -> Vec<String> {
        let page = files.text(&format!("articles/{slug}/index.html"));
        let section = page
            .split("<section class=\"related")
            .nth(1)
            .unwrap_or_default()
            .split("</section>")
            .next()
            .unwrap_or_default()
            .to_string();
        common::html::article_links(&section)
    };
    // b shares an institution and a topic with a; c shares only a topic, d nothing.
    assert_eq!(related("a"), ["b", "c"]);
    // c shares a topic with a and b (b is nearer in date), an institution with d.
    assert_eq!(related("c"), ["b", "d", "a"]);
}
